#pragma once
// xtext (RFC 3461 §4): how ESMTP parameter values carry octets that
// esmtp-value cannot (SP, "=", controls, 8-bit), used by ENVID=, ORCPT=
// (RFC 3461) and AUTH= (RFC 4954 §5).
//
//   xtext   = *( xchar / hexchar )
//   xchar   = %d33-42 / %d44-60 / %d62-126      ; printable ASCII except "+" and "="
//   hexchar = "+" 2HEXDIG
//
// RFC 3461 writes hexchar with upper-case hex digits only; RFC 4954 reuses
// the production with ABNF's HEXDIG, which allows lower case. mailwire
// therefore *accepts* "+3d" as well as "+3D" when validating and decoding
// (both mean "="), and always *writes* upper case. A "+" not followed by exactly two
// hex digits ("+", "+3", "+GG") is invalid: a decoder that skips that check
// reads past the value (the xtext class of Exim's "21Nails",
// docs/security.md §7).
//
// xtext may decode to any octet, NUL, CR and LF included. Which octets a
// parameter may carry is the parameter's rule (smtp/parameters.hpp: ENVID and
// ORCPT printable ASCII only, AUTH= no controls), not xtext's.
//
// Everything here is constexpr, noexcept (the sink overload: whenever the
// sink's append() is) and allocation-free. Relay xtext exactly as received
// (RFC 3461 §5.2.1): decode only to look at it.

#include <cstddef>
#include <limits>
#include <string_view>
#include <type_traits>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"

namespace mailwire::smtp::xtext {

/// Outcome of a decode (or raw-buffer encode): the bytes produced, or an error
/// with size 0.
struct result {
  std::size_t size = 0;  ///< bytes produced on success, 0 on error
  errc error = errc{};   ///< errc{} on success

  constexpr bool ok() const noexcept { return error == errc{}; }
};
using decode_result = result;
using encode_result = result;

/// May octet `c` stand for itself in xtext? (%d33-126 except "+" and "=").
constexpr bool is_xchar(unsigned char c) noexcept {
  return c >= 33 && c <= 126 && c != '+' && c != '=';
}

namespace detail {
inline constexpr char upper_hex[] = "0123456789ABCDEF";

/// Decodes the octet that starts at encoded[i] and advances i past it, or
/// returns -1 (i unchanged) when encoded[i] starts no valid xchar/hexchar.
/// Requires i < encoded.size().
constexpr int decode_octet(std::string_view encoded, std::size_t& i) noexcept {
  const auto c = static_cast<unsigned char>(encoded[i]);
  if (is_xchar(c)) {
    ++i;
    return c;
  }
  if (c != '+' || encoded.size() - i < 3) return -1;
  const int hi = ascii::hex_value(static_cast<unsigned char>(encoded[i + 1]));
  const int lo = ascii::hex_value(static_cast<unsigned char>(encoded[i + 2]));
  if (hi < 0 || lo < 0) return -1;
  i += 3;
  return hi * 16 + lo;
}
}  // namespace detail

/// Checks that `encoded` is xtext (see the top of this header; lower-case hex
/// accepted): errc{} or errc::invalid_xtext. The empty string is valid xtext.
constexpr errc validate(std::string_view encoded) noexcept {
  for (std::size_t i = 0; i < encoded.size();)
    if (detail::decode_octet(encoded, i) < 0) return errc::invalid_xtext;
  return errc{};
}

/// Exact decoded size of `valid_encoded`, which must have passed validate()
/// (for other input the result is meaningless, but still computed safely).
constexpr std::size_t decoded_size(std::string_view valid_encoded) noexcept {
  std::size_t plus = 0;
  for (const char c : valid_encoded) plus += static_cast<std::size_t>(c == '+');
  return plus * 2 <= valid_encoded.size() ? valid_encoded.size() - plus * 2 : 0;
}

/// Size of the xtext that encode() writes for `raw`: one character per xchar,
/// three ("+XX") per other octet. Saturates at SIZE_MAX when that does not fit.
constexpr std::size_t encoded_size(std::string_view raw) noexcept {
  constexpr std::size_t max = std::numeric_limits<std::size_t>::max();
  std::size_t n = 0;
  for (const char c : raw) {
    const std::size_t add = is_xchar(static_cast<unsigned char>(c)) ? 1 : 3;
    if (n > max - add) return max;
    n += add;
  }
  return n;
}

/// Decodes xtext `encoded` into [out, out + cap).
/// Success: {decoded size, errc{}}. Invalid input (checked first, whatever
/// `cap`): {0, errc::invalid_xtext}. Valid input whose decoded size exceeds
/// `cap`: {0, errc::buffer_too_small}. On error nothing is written. `out` may
/// equal `encoded.data()` (decoding in place); no other overlap is allowed.
/// `out` may be null when `cap` is 0.
constexpr decode_result decode(std::string_view encoded, char* out, std::size_t cap) noexcept {
  if (validate(encoded) != errc{}) return {0, errc::invalid_xtext};
  const std::size_t size = decoded_size(encoded);
  if (size > cap) return {0, errc::buffer_too_small};
  std::size_t o = 0;
  for (std::size_t i = 0; i < encoded.size();)
    out[o++] = static_cast<char>(detail::decode_octet(encoded, i));
  return {o, errc{}};
}

/// Encodes raw octets `raw` into [out, out + cap) with upper-case hex.
/// Success: {encoded_size(raw), errc{}}. If that exceeds `cap`:
/// {0, errc::buffer_too_small} and nothing is written. `out` must not overlap
/// `raw`; it may be null when `cap` is 0.
constexpr encode_result encode(std::string_view raw, char* out, std::size_t cap) noexcept {
  const std::size_t size = encoded_size(raw);
  if (size > cap) return {0, errc::buffer_too_small};
  std::size_t o = 0;
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_xchar(c)) {
      out[o++] = ch;
    } else {
      out[o++] = '+';
      out[o++] = detail::upper_hex[c >> 4];
      out[o++] = detail::upper_hex[c & 0xF];
    }
  }
  return {o, errc{}};
}

/// Encodes raw octets `raw` (upper-case hex for every octet outside xchar) and
/// appends them to `sink`, all or nothing (write_all_or_nothing in
/// output.hpp): errc{}, or errc::buffer_too_small with the sink as it was.
/// `raw` must not point into the sink's storage.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc encode(Sink& sink, std::string_view raw) noexcept(is_nothrow_sink_v<Sink>) {
  return write_all_or_nothing(sink, [raw](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    constexpr std::size_t chunk_in = 64;
    char chunk[chunk_in * 3];
    for (std::string_view rest = raw; !rest.empty();) {
      const std::size_t take = rest.size() < chunk_in ? rest.size() : chunk_in;
      const encode_result r = encode(rest.substr(0, take), chunk, sizeof chunk);
      if (!s.append({chunk, r.size})) return;  // the sink latched; rolled back
      rest.remove_prefix(take);
    }
  });
}

}  // namespace mailwire::smtp::xtext
