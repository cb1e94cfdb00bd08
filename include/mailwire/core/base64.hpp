#pragma once
// Base64 (RFC 4648 §4) for SASL (RFC 4954 §4, RFC 5034 §4).
//
// Encoding always pads. Decoding is strict, as SASL requires: only the
// alphabet A-Z a-z 0-9 + /, a length that is a multiple of 4, '=' only as the
// final one or two characters, no whitespace, CR or LF anywhere, and (unless
// decode_options says otherwise) zero pad bits (RFC 4648 §3.5). The empty
// string is valid and decodes to nothing. SASL's special lines ("=" for an
// empty initial response, "*" to cancel) are the parser's business, not
// base64's: both are invalid here.
//
// The raw-buffer functions are constexpr, noexcept and allocation-free. The
// sink overloads (see output.hpp) write all or nothing, never allocate
// themselves, and are noexcept whenever the sink's append() is.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"

namespace mailwire::base64 {

/// Outcome of an encode or decode.
struct result {
  errc error;        ///< errc{} on success
  std::size_t size;  ///< bytes produced on success, 0 on error

  constexpr bool ok() const noexcept { return error == errc{}; }
};

struct decode_options {
  /// Accept non-zero unused bits in the last symbol before '=' ("QR==" as
  /// "A"). RFC 4648 §3.5 lets decoders reject them; mailwire does by
  /// default, so every byte string has exactly one accepted encoding.
  bool allow_nonzero_pad_bits = false;
};

/// Length of the padded encoding of n bytes: 4 * ceil(n / 3). Saturates at
/// SIZE_MAX when that does not fit in size_t (no buffer could hold it).
constexpr std::size_t encoded_size(std::size_t n) noexcept {
  const std::size_t groups = n / 3 + static_cast<std::size_t>(n % 3 != 0);
  return groups <= std::numeric_limits<std::size_t>::max() / 4
             ? groups * 4
             : std::numeric_limits<std::size_t>::max();
}

/// Upper bound on the decoded size of n characters of valid base64 (exact
/// when the input has no padding).
constexpr std::size_t max_decoded_size(std::size_t n) noexcept { return n / 4 * 3; }

namespace detail {
inline constexpr char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Symbol value for each octet; 0x80 marks an octet outside the alphabet
/// ('=' included: padding is handled by position, not by the table).
struct decode_table_t {
  std::uint8_t value[256];
};

constexpr decode_table_t make_decode_table() noexcept {
  decode_table_t t{};
  for (auto& v : t.value) v = 0x80;
  for (std::uint8_t i = 0; i < 64; ++i) t.value[static_cast<unsigned char>(alphabet[i])] = i;
  return t;
}

inline constexpr decode_table_t decode_table = make_decode_table();

constexpr std::uint32_t symbol(char c) noexcept {
  return decode_table.value[static_cast<unsigned char>(c)];
}
constexpr std::uint32_t octet(char c) noexcept { return static_cast<unsigned char>(c); }
constexpr char to_char(std::uint32_t v) noexcept { return static_cast<char>(v & 0xFF); }

/// Decodes `groups` unpadded 4-character groups from `in` to 3 bytes each at
/// `out`, or only validates when out is null. Each group is read whole before
/// its bytes are written, so out == in works. False on any bad character.
constexpr bool decode_full_groups(const char* in, std::size_t groups, char* out) noexcept {
  for (std::size_t g = 0; g < groups; ++g, in += 4) {
    const std::uint32_t a = symbol(in[0]), b = symbol(in[1]), c = symbol(in[2]), d = symbol(in[3]);
    if (((a | b | c | d) & 0x80) != 0) return false;
    if (out != nullptr) {
      const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
      out[0] = to_char(v >> 16);
      out[1] = to_char(v >> 8);
      out[2] = to_char(v);
      out += 3;
    }
  }
  return true;
}

/// Bytes the final group `g` (4 characters) decodes to, judging by its
/// padding alone: "xxxx" 3, "xxx=" 2, "xx==" 1 (anything worse is rejected
/// later by decode_final_group).
constexpr std::size_t final_group_size(const char* g) noexcept {
  if (g[3] != '=') return 3;
  return g[2] != '=' ? 2 : 1;
}

/// Decodes the final group, the only one where '=' may appear, to `out`
/// (null: validate only). Returns false for a bad character, a misplaced
/// '=', or non-zero pad bits the options do not allow.
constexpr bool decode_final_group(const char* g, char* out, decode_options opts) noexcept {
  const std::uint32_t a = symbol(g[0]), b = symbol(g[1]);
  if (((a | b) & 0x80) != 0) return false;
  if (g[3] != '=') {  // no padding; a '=' at g[2] is rejected as a bad symbol
    return decode_full_groups(g, 1, out);
  }
  if (g[2] != '=') {  // "xxx=": 2 bytes, 2 pad bits
    const std::uint32_t c = symbol(g[2]);
    if ((c & 0x80) != 0) return false;
    if (!opts.allow_nonzero_pad_bits && (c & 0x3) != 0) return false;
    if (out != nullptr) {
      const std::uint32_t v = a << 18 | b << 12 | c << 6;
      out[0] = to_char(v >> 16);
      out[1] = to_char(v >> 8);
    }
    return true;
  }
  // "xx==": 1 byte, 4 pad bits
  if (!opts.allow_nonzero_pad_bits && (b & 0xF) != 0) return false;
  if (out != nullptr) out[0] = to_char((a << 18 | b << 12) >> 16);
  return true;
}
}  // namespace detail

/// Encodes `in` into [out, out + cap). `out` must not overlap `in`.
/// Success: {errc{}, encoded_size(in.size())}. If that exceeds `cap`:
/// {errc::buffer_too_small, 0} and nothing is written.
constexpr result encode(std::string_view in, char* out, std::size_t cap) noexcept {
  const std::size_t n = in.size();
  const std::size_t groups = n / 3 + static_cast<std::size_t>(n % 3 != 0);
  if (groups > cap / 4) return {errc::buffer_too_small, 0};
  const char* const a = detail::alphabet;
  std::size_t i = 0, o = 0;
  for (; n - i >= 3; i += 3, o += 4) {
    const std::uint32_t v =
        detail::octet(in[i]) << 16 | detail::octet(in[i + 1]) << 8 | detail::octet(in[i + 2]);
    out[o] = a[v >> 18];
    out[o + 1] = a[v >> 12 & 0x3F];
    out[o + 2] = a[v >> 6 & 0x3F];
    out[o + 3] = a[v & 0x3F];
  }
  if (n - i == 1) {
    const std::uint32_t v = detail::octet(in[i]) << 16;
    out[o] = a[v >> 18];
    out[o + 1] = a[v >> 12 & 0x3F];
    out[o + 2] = '=';
    out[o + 3] = '=';
    o += 4;
  } else if (n - i == 2) {
    const std::uint32_t v = detail::octet(in[i]) << 16 | detail::octet(in[i + 1]) << 8;
    out[o] = a[v >> 18];
    out[o + 1] = a[v >> 12 & 0x3F];
    out[o + 2] = a[v >> 6 & 0x3F];
    out[o + 3] = '=';
    o += 4;
  }
  return {errc{}, o};
}

/// Checks that `in` is strict base64 (see the top of this header) without
/// decoding it: errc{} or errc::invalid_base64.
constexpr errc validate(std::string_view in, decode_options opts = {}) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return errc::invalid_base64;
  if (n == 0) return errc{};
  const bool ok = detail::decode_full_groups(in.data(), n / 4 - 1, nullptr) &&
                  detail::decode_final_group(in.data() + n - 4, nullptr, opts);
  return ok ? errc{} : errc::invalid_base64;
}

/// Decodes strict base64 `in` into [out, out + cap).
/// Success: {errc{}, decoded size}. Invalid input (checked first, whatever
/// `cap`): {errc::invalid_base64, 0}, and `out` may hold garbage. Valid input
/// whose decoded size exceeds `cap`: {errc::buffer_too_small, 0} and nothing
/// is written. `out` may equal `in.data()` (decoding in place); no other
/// overlap is allowed.
constexpr result decode(std::string_view in, char* out, std::size_t cap,
                        decode_options opts = {}) noexcept {
  const std::size_t n = in.size();
  if (n % 4 != 0) return {errc::invalid_base64, 0};
  if (n == 0) return {errc{}, 0};
  const std::size_t full = n / 4 - 1;  // groups before the final one
  const char* const last = in.data() + 4 * full;
  const std::size_t size = 3 * full + detail::final_group_size(last);
  char* const dst = size <= cap ? out : nullptr;  // null: validate only
  const bool ok = detail::decode_full_groups(in.data(), full, dst) &&
                  detail::decode_final_group(last, dst == nullptr ? nullptr : dst + 3 * full, opts);
  if (!ok) return {errc::invalid_base64, 0};
  if (dst == nullptr) return {errc::buffer_too_small, 0};
  return {errc{}, size};
}

/// Encodes `in` and appends it to `sink`, all or nothing (see
/// write_all_or_nothing in output.hpp): {errc{}, bytes appended}, or
/// {errc::buffer_too_small, 0} with the sink as it was.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
result encode(std::string_view in, Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  const std::size_t mark = sink.size();
  const errc e = write_all_or_nothing(sink, [in](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    constexpr std::size_t chunk_in = 3 * 64;
    char chunk[encoded_size(chunk_in)];
    for (std::string_view rest = in; !rest.empty();) {
      const std::size_t take = rest.size() < chunk_in ? rest.size() : chunk_in;
      const result r = encode(rest.substr(0, take), chunk, sizeof chunk);
      if (!s.append({chunk, r.size})) return;  // the sink latched; rolled back
      rest.remove_prefix(take);
    }
  });
  return {e, e == errc{} ? sink.size() - mark : 0};
}

/// Decodes strict base64 `in` and appends the bytes to `sink`, all or
/// nothing: {errc{}, bytes appended}, or {errc::invalid_base64, 0} (checked
/// first), or {errc::buffer_too_small, 0}; on error the sink is as it was.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
result decode(std::string_view in, Sink& sink,
              decode_options opts = {}) noexcept(is_nothrow_sink_v<Sink>) {
  if (in.size() % 4 != 0) return {errc::invalid_base64, 0};
  const std::size_t mark = sink.size();
  const errc e =
      write_all_or_nothing(sink, [in, opts](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
        if (in.empty()) return errc{};
        constexpr std::size_t chunk_groups = 64;
        char chunk[chunk_groups * 3];
        const char* p = in.data();
        // Every group but the last is unpadded; appends that the sink refuses
        // latch it, and validation carries on so that bad input still wins.
        for (std::size_t groups = in.size() / 4 - 1; groups > 0;) {
          const std::size_t take = groups < chunk_groups ? groups : chunk_groups;
          if (!detail::decode_full_groups(p, take, chunk)) return errc::invalid_base64;
          s.append({chunk, take * 3});
          p += take * 4;
          groups -= take;
        }
        if (!detail::decode_final_group(p, chunk, opts)) return errc::invalid_base64;
        s.append({chunk, detail::final_group_size(p)});
        return errc{};
      });
  return {e, e == errc{} ? sink.size() - mark : 0};
}

}  // namespace mailwire::base64
