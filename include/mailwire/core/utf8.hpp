#pragma once
// Strict UTF-8 validation (RFC 3629 §3-4), for SMTPUTF8 addresses (RFC 6531)
// and POP3 UTF8 (RFC 6856).
//
// Well-formed means exactly the byte sequences of RFC 3629 §4 (the Unicode
// Standard's table of well-formed sequences):
//
//   UTF8-1 = %x00-7F
//   UTF8-2 = %xC2-DF UTF8-tail
//   UTF8-3 = %xE0 %xA0-BF UTF8-tail / %xE1-EC 2( UTF8-tail ) /
//            %xED %x80-9F UTF8-tail / %xEE-EF 2( UTF8-tail )
//   UTF8-4 = %xF0 %x90-BF 2( UTF8-tail ) / %xF1-F3 3( UTF8-tail ) /
//            %xF4 %x80-8F 2( UTF8-tail )
//   UTF8-tail = %x80-BF
//
// so overlong forms (C0, C1, E0 80-9F, F0 80-8F), surrogates (ED A0-BF),
// code points above U+10FFFF (F4 90-BF, F5-FF) and sequences cut short are
// all rejected. Everything here is constexpr, noexcept and allocation-free.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailwire::utf8 {

namespace detail {

constexpr unsigned octet(std::string_view s, std::size_t i) noexcept {
  return static_cast<unsigned char>(s[i]);
}

constexpr bool is_tail(unsigned c) noexcept { return (c & 0xC0u) == 0x80u; }

/// Length (2, 3 or 4) of the well-formed multi-octet sequence that starts at
/// s[i], or 0 when the octets from s[i] on are no well-formed sequence (bad
/// lead, bad continuation, or the text ends first). Precondition: i <
/// s.size() and s[i] >= 0x80. Reads at most s[i..i+3] and never past s.
constexpr std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  const unsigned lead = octet(s, i);
  const std::size_t avail = s.size() - i;
  if (lead < 0xC2u || lead > 0xF4u || avail < 2) return 0;
  const unsigned second = octet(s, i + 1);
  if (lead < 0xE0u) return is_tail(second) ? 2 : 0;
  // The second octet's range is what excludes overlongs, surrogates and
  // values above U+10FFFF.
  unsigned low = 0x80u, high = 0xBFu;
  if (lead == 0xE0u) low = 0xA0u;
  if (lead == 0xEDu) high = 0x9Fu;
  if (lead == 0xF0u) low = 0x90u;
  if (lead == 0xF4u) high = 0x8Fu;
  if (second < low || second > high || avail < 3 || !is_tail(octet(s, i + 2))) return 0;
  if (lead < 0xF0u) return 3;
  return avail >= 4 && is_tail(octet(s, i + 3)) ? 4 : 0;
}

/// True when s[i..i+8) are all ASCII. Eight byte reads OR-ed together: the
/// compilers fold them into one 64-bit load, and it stays constexpr.
constexpr bool ascii_block(std::string_view s, std::size_t i) noexcept {
  return ((octet(s, i) | octet(s, i + 1) | octet(s, i + 2) | octet(s, i + 3) | octet(s, i + 4) |
           octet(s, i + 5) | octet(s, i + 6) | octet(s, i + 7)) &
          0x80u) == 0;
}

}  // namespace detail

/// Index of the first octet of `s` that does not belong to a well-formed
/// UTF-8 sequence, or s.size() when all of `s` is valid UTF-8. For a bad or
/// truncated multi-octet sequence the index is that of its lead octet (so
/// s.substr(0, valid_prefix(s)) is always valid UTF-8). Reads `s` only during
/// the call.
constexpr std::size_t valid_prefix(std::string_view s) noexcept {
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    while (n - i >= 8 && detail::ascii_block(s, i)) i += 8;
    if (i == n) break;
    if (detail::octet(s, i) < 0x80u) {
      ++i;
      continue;
    }
    const std::size_t len = detail::sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return n;
}

/// True if all of `s` is well-formed UTF-8 (the empty string is).
constexpr bool is_valid(std::string_view s) noexcept { return valid_prefix(s) == s.size(); }

}  // namespace mailwire::utf8
