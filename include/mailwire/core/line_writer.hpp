#pragma once
// How every mailwire writer puts out a protocol line safely
// (docs/security.md §3): the line is built twice, first into a probe that
// counts its octets and looks for CR, LF and NUL, then, only if the probe
// found none and the line fits its limit, into the real sink followed by the
// one CRLF. So no field a check let through by mistake can make a writer emit
// a second line.
// Internal to the writer headers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/utf8.hpp"

namespace mailwire::detail {

/// A sink that keeps nothing: it counts the octets a writer would append and
/// notes any CR, LF or NUL among them. Never fails.
class line_probe {
 public:
  constexpr bool append(std::string_view bytes) noexcept {
    for (const char c : bytes)
      if (c == '\r' || c == '\n' || c == '\0') line_break_ = true;
    size_ += bytes.size();
    return true;
  }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr void truncate(std::size_t n) noexcept {
    if (n < size_) size_ = n;
  }
  constexpr bool failed() const noexcept { return false; }
  constexpr void clear_failed() noexcept {}
  /// A CR, LF or NUL was appended (even if truncated away since).
  constexpr bool line_break() const noexcept { return line_break_; }

 private:
  std::size_t size_ = 0;
  bool line_break_ = false;
};

/// Appends one line to `s`: `body` (a generic callable writing the line's
/// content without CRLF, returning errc) is run into a probe first; only if
/// it reports no error, emits no CR/LF/NUL (errc::invalid_argument) and the
/// line with CRLF fits in `limit` (else `too_long`) is it run into `s`,
/// followed by CRLF. Nothing is undone here: use it inside
/// write_all_or_nothing(), or use write_line().
template <class Sink, class Body>
errc append_line(Sink& s, std::size_t limit, errc too_long,
                 const Body& body) noexcept(is_nothrow_sink_v<Sink>) {
  line_probe probe;
  if (const errc e = body(probe); e != errc{}) return e;
  if (probe.line_break()) return errc::invalid_argument;
  if (probe.size() + 2 > limit) return too_long;
  if (const errc e = body(s); e != errc{}) return e;
  s.append("\r\n");
  return errc{};
}

/// append_line() for one whole line, all or nothing: on any error the sink
/// is as it was.
template <class Sink, class Body>
errc write_line(Sink& sink, std::size_t limit, errc too_long,
                const Body& body) noexcept(is_nothrow_sink_v<Sink>) {
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    return append_line(s, limit, too_long, body);
  });
}

/// Text of a reply or status line: HT and %x20-7E (SMTP's textstring,
/// RFC 5321 §4.2), plus well-formed UTF-8 when `utf8` is true. errc{},
/// errc::invalid_argument for any other octet (a control above all), else
/// errc::invalid_utf8.
constexpr errc check_text(std::string_view s, bool utf8) noexcept {
  errc bad_utf8{};
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t' || (c >= 32 && c <= 126)) {
      ++i;
    } else if (c >= 0x80 && utf8) {
      const std::size_t n = utf8::detail::sequence_length(s, i);
      if (n == 0) {
        // Keep looking: a control further on is the graver fault.
        bad_utf8 = errc::invalid_utf8;
        ++i;
      } else {
        i += n;
      }
    } else {
      return errc::invalid_argument;
    }
  }
  return bad_utf8;
}

/// Appends the decimal digits of `v` (no sign, no leading zeros).
template <class S>
void put_decimal(S& s, std::uint64_t v) noexcept(is_nothrow_sink_v<S>) {
  char digits[20] = {};
  std::size_t i = sizeof digits;
  do {
    digits[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  s.append({digits + i, sizeof digits - i});
}

/// True if `s` holds a control octet (%x00-1F, %x7F): no text field of any
/// command or response may (tabs included; callers that allow HT say so).
constexpr bool has_control(std::string_view s) noexcept {
  for (const char c : s)
    if (ascii::is_ctl(static_cast<unsigned char>(c))) return true;
  return false;
}

}  // namespace mailwire::detail
