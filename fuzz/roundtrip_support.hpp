// Helpers shared by the writer round-trip targets (smtp_command_roundtrip.cpp,
// smtp_reply_roundtrip.cpp, pop3_command_roundtrip.cpp,
// pop3_response_roundtrip.cpp): every write goes into four sinks, which must
// agree (all or nothing); what a writer wrote must have the shape of lines;
// and the base64 the writers produce or take, modelled here from RFC 4648
// without calling the library's codec. What each writer must write, and how
// its parser must read it back, stays in its target.
//
//   fuzz::sinks            runs a write into the four sinks and checks them
//   fuzz::check_lines      CRLF-terminated lines, no other CR, LF or NUL
//   fuzz::check_line       one such line, within a limit
//   fuzz::base64_model, base64_model_decode
//                          canonical base64, both ways

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "support.hpp"

namespace fuzz {

// ---------------------------------------------------------------------------
// The sinks: all or nothing

/// What is in a sink before the write when sink_options::prefix is set (it
/// must survive the write, whatever the outcome).
inline constexpr std::string_view kSinkPrefix = "pre\r\n";

struct sink_options {
  bool prefix = false;      ///< kSinkPrefix is in the sink before the write
  bool pre_failed = false;  ///< the sink's failed() latch is set before the write
};

struct sink_run {
  mailwire::errc error = mailwire::errc{};
  std::string bytes;  ///< what the write added
};

/// Runs write(sink) into a fixed_sink over an exact-size heap block (a write
/// past it is an ASan report) and checks all or nothing: an error leaves the
/// sink exactly as it was (size, prefix, failed() as before).
template <class Write>
sink_run run_fixed(const Write& write, std::size_t capacity, const sink_options& o) {
  using mailwire::errc;
  const std::size_t pre = o.prefix ? kSinkPrefix.size() : 0;
  const auto block = scribbled_block(pre + capacity);
  mailwire::fixed_sink sink(block.get(), pre + capacity);
  if (o.prefix) FUZZ_CHECK(sink.append(kSinkPrefix));
  if (o.pre_failed) FUZZ_CHECK(capacity == 0 && !sink.append("x") && sink.failed());
  sink_run r;
  r.error = write(sink);
  FUZZ_CHECK(sink.failed() == (o.pre_failed && r.error != errc{}));
  if (r.error != errc{}) {
    FUZZ_CHECK(sink.size() == pre && sink.view() == kSinkPrefix.substr(0, pre));
    return r;
  }
  FUZZ_CHECK(!o.pre_failed && sink.size() >= pre);
  FUZZ_CHECK(sink.view().substr(0, pre) == kSinkPrefix.substr(0, pre));
  r.bytes = std::string(sink.view().substr(pre));
  return r;
}

/// Runs write(sink) into an appendable_sink<std::string> (which never runs
/// out of room) that may hold kSinkPrefix: the reference result.
template <class Write>
sink_run run_growing(const Write& write, const sink_options& o) {
  using mailwire::errc;
  const std::size_t pre = o.prefix ? kSinkPrefix.size() : 0;
  std::string out(kSinkPrefix.substr(0, pre));
  mailwire::appendable_sink<std::string> sink(out);
  sink_run r;
  r.error = write(sink);
  FUZZ_CHECK(!sink.failed() && r.error != errc::buffer_too_small);
  FUZZ_CHECK(out.size() >= pre && out.compare(0, pre, kSinkPrefix.substr(0, pre)) == 0);
  if (r.error != errc{}) FUZZ_CHECK(out.size() == pre);
  r.bytes = out.substr(pre);
  return r;
}

/// The same write into fixed sinks: exactly the reference's size (the same
/// bytes), the small capacity (the reference's error, or its bytes if they
/// fit, else buffer_too_small: errors come before the sink, as the writers
/// document), and one whose failed() latch is already set (the error, else
/// buffer_too_small).
template <class Write>
void check_fixed_sinks(const Write& write, const sink_options& o, std::uint16_t small,
                       const sink_run& ref) {
  using mailwire::errc;
  const std::size_t n = ref.bytes.size();
  if (ref.error == errc{}) {
    const sink_run exact = run_fixed(write, n, o);
    FUZZ_CHECK(exact.error == errc{} && exact.bytes == ref.bytes);
  }
  const std::size_t small_capacity = small % (n + 2);
  const sink_run s = run_fixed(write, small_capacity, o);
  if (ref.error != errc{}) {
    FUZZ_CHECK(s.error == ref.error);
  } else if (small_capacity >= n) {
    FUZZ_CHECK(s.error == errc{} && s.bytes == ref.bytes);
  } else {
    FUZZ_CHECK(s.error == errc::buffer_too_small);
  }
  sink_options failed = o;
  failed.pre_failed = true;
  const sink_run refused = run_fixed(write, 0, failed);
  FUZZ_CHECK(refused.error == (ref.error != errc{} ? ref.error : errc::buffer_too_small));
}

/// The four sinks of a target: a growing appendable_sink (the reference), a
/// fixed_sink of exactly the reference's size, one of a small capacity taken
/// from the input, and one already failed. run(write) runs write(sink) into
/// each and returns the reference's result.
struct sinks {
  sink_options options;
  std::uint16_t small = 0;  ///< picks the small sink's capacity (small % (size + 2))

  template <class Write>
  sink_run run(const Write& write) const {
    const sink_run ref = run_growing(write, options);
    check_fixed_sinks(write, options, small, ref);
    return ref;
  }

  /// The same, for a write whose error a target's model knows: it must be
  /// `expected`.
  template <class Write>
  sink_run run(const Write& write, mailwire::errc expected) const {
    const sink_run ref = run(write);
    FUZZ_CHECK(ref.error == expected);
    return ref;
  }
};

// ---------------------------------------------------------------------------
// The shape of what was written

/// `bytes` are lines: each ends in CRLF, and holds no other CR, LF or NUL;
/// there is at least one. Returns how many.
inline std::size_t check_lines(std::string_view bytes) {
  std::size_t lines = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    FUZZ_CHECK(c != '\0');
    if (c == '\r') {
      FUZZ_CHECK(i + 1 < bytes.size() && bytes[i + 1] == '\n');
      ++lines;
      ++i;
    } else {
      FUZZ_CHECK(c != '\n');
    }
  }
  FUZZ_CHECK(bytes.size() >= 2 && bytes.substr(bytes.size() - 2) == "\r\n");
  return lines;
}

/// `bytes` are one line (as check_lines) of at most `limit` octets, CRLF
/// included.
inline void check_line(std::string_view bytes, std::size_t limit) {
  FUZZ_CHECK(bytes.size() >= 2 && bytes.size() <= limit);
  FUZZ_CHECK(check_lines(bytes) == 1);
}

// ---------------------------------------------------------------------------
// Model: base64 (RFC 4648 §4)

inline constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// base64 with padding (RFC 4648 §4); its output is the only canonical form.
inline std::string base64_model(std::string_view raw) {
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(raw[i])} << 16 |
                            std::uint32_t{static_cast<unsigned char>(raw[i + 1])} << 8 |
                            static_cast<unsigned char>(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kBase64Alphabet[(v >> s) & 63];
  }
  if (i < raw.size()) {
    const bool two = i + 2 == raw.size();
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(raw[i])} << 16 |
                            (two ? std::uint32_t{static_cast<unsigned char>(raw[i + 1])} << 8 : 0);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += two ? kBase64Alphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// Strict base64 (RFC 4648 §4, §3.5: canonical, zero pad bits) decoded;
/// nullopt when it is not.
inline std::optional<std::string> base64_model_decode(std::string_view t) {
  if (t.size() % 4 != 0) return std::nullopt;
  std::size_t pads = 0;
  while (pads < 2 && pads < t.size() && t[t.size() - 1 - pads] == '=') ++pads;
  std::uint32_t acc = 0;
  int bits = 0;
  std::string out;
  for (std::size_t i = 0; i + pads < t.size(); ++i) {
    const std::size_t v = kBase64Alphabet.find(t[i]);
    if (v == std::string_view::npos) return std::nullopt;
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;  // non-zero pad bits
  // "A===", "AB=" and friends: the pads must complete the last group.
  if (pads != 0 && (t.size() - pads) % 4 != 4 - pads) return std::nullopt;
  if (base64_model(out) != t) return std::nullopt;
  return out;
}

}  // namespace fuzz
