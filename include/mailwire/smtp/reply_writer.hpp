#pragma once
// SMTP server replies (RFC 5321 §4.2) written into a sink (core/output.hpp).
//
//   write_reply()           "250 2.1.0 Ok\r\n", and multi-line replies
//   write_error_reply()     the suggested reply for an errc
//   write_greeting()        "220 mail.example.org ESMTP ready\r\n"
//   write_ehlo_reply()      "250-mail.example.org hi\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
//   write_auth_challenge()  "334 <base64>\r\n" (RFC 4954 §4)
//
// Every function validates every field before it writes (docs/security.md
// §3), is all or nothing (on any error the sink is exactly as it was), never
// allocates itself, and returns errc{} or the error. They are noexcept
// whenever the sink's append() is (fixed_sink; a growing container may throw
// std::bad_alloc, which is let through, see appendable_sink).
//
// Validation, in this order, line by line:
//   code      three digits, 2-5 / 0-5 / 0-9 (RFC 5321 §4.2)      invalid_argument
//   enhanced  empty, or class "." subject "." detail with class
//             2, 4 or 5 equal to the code's first digit, subject
//             and detail 1-3 digits without leading zeros (RFC
//             3463 §2, RFC 2034 §4); never on 3xx                  invalid_argument
//   text      HT and %d32-126 (textstring); octets >= 0x80 only
//             as well-formed UTF-8 (RFC 6531 lets some replies
//             carry it). CR, LF, NUL, DEL and every other
//             control are refused                                  invalid_argument
//             malformed UTF-8                                      invalid_utf8
//   length    each line <= 512 octets, code, separator,
//             enhanced code, SP and CRLF included (§4.5.3.1.5)    line_too_long
//   sink      too small                                            buffer_too_small
//
// Text may be empty: "250\r\n" (the code alone, no SP; clients must accept
// it, RFC 5321 §4.2). With an enhanced code the text may not be empty, since
// RFC 2034 §3 has the code always followed by a space and text (a client that
// does not look for enhanced codes would take "250 2.0.0\r\n" for the text
// "2.0.0"). So that every reply reads back as written, text without an
// enhanced code may not start like one ("5.1.1 x" needs `enhanced`; 3xx
// excepted, which carries none), and text after one may not start with SP.
//
// The greeting and the EHLO reply come before SMTPUTF8 can have been
// negotiated, so their text is ASCII only, and their domain must be a domain
// (LDH labels, ASCII) or an address literal (RFC 5321 §4.1.2-4.1.3, RFC 6531
// §3.7.1). Neither carries an enhanced code (RFC 2034 §3).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <type_traits>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/path.hpp"

namespace mailwire::smtp {

/// Longest reply line, CRLF included (RFC 5321 §4.5.3.1.5).
inline constexpr std::size_t max_reply_line = 512;
/// Longest "334 ..." challenge line, CRLF included: the AUTH exchange line
/// length RFC 4954 §4 asks implementations to support.
inline constexpr std::size_t max_auth_challenge_line = 12288;

namespace detail::reply_writer_impl {

using mailwire::detail::check_text;
using mailwire::detail::has_control;

/// Octets of one reply line: code, separator, [enhanced SP], text, CRLF.
constexpr std::size_t line_length(std::string_view enhanced, std::string_view text) noexcept {
  return 4 + (enhanced.empty() ? 0 : enhanced.size() + 1) + text.size() + 2;
}

/// Does `text` start with what a reply reader takes for an enhanced status
/// code (class 2, 4 or 5 "." subject "." detail, then SP or the end)?
constexpr bool reads_as_enhanced(std::string_view text) noexcept {
  const std::string_view token = text.substr(0, text.find(' '));
  const char cls = token.empty() ? '\0' : token[0];
  return (cls == '2' || cls == '4' || cls == '5') &&
         mailwire::detail::enhanced_matches(token, static_cast<std::uint16_t>((cls - '0') * 100));
}

/// Everything about one line of write_reply() but the code's validity. So
/// that the line reads back as written: without an enhanced code the text
/// may not start like one (but for 3xx, which carries none), and after one
/// it may not start with SP (readers skip the SPs that follow the code).
constexpr errc check_line(std::uint16_t code, std::string_view enhanced,
                          std::string_view text) noexcept {
  if (const errc e = check_text(text, true); e != errc{}) return e;
  if (!enhanced.empty() && (text.empty() || text[0] == ' ')) return errc::invalid_argument;
  if (enhanced.empty() && code / 100 != 3 && reads_as_enhanced(text)) return errc::invalid_argument;
  return line_length(enhanced, text) > max_reply_line ? errc::line_too_long : errc{};
}

constexpr errc check_code(std::uint16_t code, std::string_view enhanced) noexcept {
  if (!mailwire::detail::reply_code_valid(code) ||
      !mailwire::detail::enhanced_matches(enhanced, code))
    return errc::invalid_argument;
  return errc{};
}

/// Domain or address literal (path.hpp has the grammar). Controls first, so
/// that an injection attempt is always invalid_argument.
constexpr errc check_domain(std::string_view d) noexcept {
  if (has_control(d)) return errc::invalid_argument;
  if (const errc e = check_domain_or_literal(d); e != errc{}) return e;
  // Accepted on input, never written: "::" for a single group (RFC 4291).
  if (!d.empty() && d[0] == '[') {
    const address_literal lit = parse_address_literal(d);
    if (lit.kind == domain_kind::ipv6 && !is_rfc5321_ipv6(lit.address))
      return errc::invalid_address_literal;
  }
  return errc{};
}

/// The three digits of a valid code, then `separator` (' ', '-', or none).
template <class Sink>
void put_code(Sink& sink, std::uint16_t code,
              std::string_view separator) noexcept(is_nothrow_sink_v<Sink>) {
  const char digits[3] = {static_cast<char>('0' + code / 100),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  sink.append({digits, 3});
  sink.append(separator);
}

/// One line. The separator is '-' (more lines follow) or ' '; a last line
/// with no enhanced code and no text is the code alone.
template <class Sink>
void put_line(Sink& sink, std::uint16_t code, bool last, std::string_view enhanced,
              std::string_view text) noexcept(is_nothrow_sink_v<Sink>) {
  if (last && enhanced.empty() && text.empty()) {
    put_code(sink, code, "");
    sink.append("\r\n");
    return;
  }
  put_code(sink, code, last ? " " : "-");
  if (!enhanced.empty()) {
    sink.append(enhanced);
    sink.append(" ");
  }
  sink.append(text);
  sink.append("\r\n");
}

}  // namespace detail::reply_writer_impl

/// Writes a one-line reply: "250 2.1.0 Ok\r\n"; "250 Ok\r\n" when `enhanced`
/// is empty; "250\r\n" when both are empty. See the top of this header for
/// the rules and errors. The arguments are only read during the call.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_reply(Sink& sink, std::uint16_t code, std::string_view enhanced,
                 std::string_view text) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (const errc e = impl::check_code(code, enhanced); e != errc{}) return e;
  if (const errc e = impl::check_line(code, enhanced, text); e != errc{}) return e;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::put_line(s, code, true, enhanced, text);
  });
}

/// Writes a multi-line reply (RFC 5321 §4.2.1): every line but the last as
/// "code-", the last as "code SP", the same code and enhanced code on every
/// line: {"a", "b"} gives "250-2.0.0 a\r\n250 2.0.0 b\r\n". Each line is
/// checked as in the one-line form; `count` 0 (or null `lines` with a
/// non-zero count) is errc::invalid_argument. Nothing is written unless every
/// line is valid and fits. `lines[0..count)` is only read during the call.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_reply(Sink& sink, std::uint16_t code, std::string_view enhanced,
                 const std::string_view* lines,
                 std::size_t count) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (count == 0 || lines == nullptr) return errc::invalid_argument;
  if (const errc e = impl::check_code(code, enhanced); e != errc{}) return e;
  for (std::size_t i = 0; i < count; ++i)
    if (const errc e = impl::check_line(code, enhanced, lines[i]); e != errc{}) return e;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    for (std::size_t i = 0; i < count; ++i)
      impl::put_line(s, code, i + 1 == count, enhanced, lines[i]);
  });
}

/// The multi-line form for a braced list:
/// write_reply(sink, 250, "2.0.0", {"first", "second"}).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_reply(Sink& sink, std::uint16_t code, std::string_view enhanced,
                 std::initializer_list<std::string_view> lines) noexcept(is_nothrow_sink_v<Sink>) {
  return write_reply(sink, code, enhanced, lines.begin(), lines.size());
}

/// Writes `hint` as a one-line reply (e.g. suggested_reply(errc::bare_lf)
/// gives "500 5.5.2 Bare LF not allowed\r\n").
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_reply(Sink& sink, const reply_hint& hint) noexcept(is_nothrow_sink_v<Sink>) {
  return write_reply(sink, hint.code, hint.enhanced, hint.text);
}

/// Writes the reply suggested for `e` (error.hpp, suggested_reply()); errc{}
/// gives "250 2.0.0 OK\r\n" and a value that is no enumerator "451 4.3.0
/// Local error\r\n".
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_error_reply(Sink& sink, errc e) noexcept(is_nothrow_sink_v<Sink>) {
  return write_reply(sink, suggested_reply(e));
}

/// Writes the greeting "220 domain text\r\n" ("220 domain\r\n" for empty
/// text) (RFC 5321 §4.2, §3.1). `domain` is a domain or address literal:
/// errc::invalid_argument for any control octet in it (CR, LF, NUL, ...) or
/// for an all-numeric domain a reader would take for an enhanced code
/// ("2.1.0"),
/// otherwise errc::invalid_domain, errc::domain_too_long or
/// errc::invalid_address_literal. `text` is ASCII textstring
/// (errc::invalid_argument otherwise); the line is at most 512 octets
/// (errc::line_too_long). No enhanced code (RFC 2034 §3).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_greeting(Sink& sink, std::string_view domain,
                    std::string_view text) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (const errc e = impl::check_domain(domain); e != errc{}) return e;
  if (impl::reads_as_enhanced(domain)) return errc::invalid_argument;
  if (const errc e = impl::check_text(text, false); e != errc{}) return e;
  const std::size_t length = 4 + domain.size() + (text.empty() ? 0 : 1 + text.size()) + 2;
  if (length > max_reply_line) return errc::line_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::put_code(s, 220, " ");
    s.append(domain);
    if (!text.empty()) {
      s.append(" ");
      s.append(text);
    }
    s.append("\r\n");
  });
}

/// Writes the EHLO reply (RFC 5321 §4.1.1.1, ehlo-ok-rsp): "250 domain
/// greeting\r\n" when `caps` lists nothing,
/// otherwise "250-domain greeting\r\n", one "250-" line per keyword in
/// capabilities::for_each_line() order, and the last as "250 LINE\r\n". The
/// greeting may be empty ("250-domain\r\n"). No enhanced codes (RFC 2034 §3).
/// A value with many unknown keywords can list about 200 lines; a reader
/// needs client_parser_options::max_reply_lines above the default 128 for it.
/// Errors: as write_greeting() for `domain` and `greeting`; whatever
/// caps.validate() reports; errc::line_too_long for a line over 512 octets;
/// errc::buffer_too_small. `caps` is only read during the call.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_ehlo_reply(Sink& sink, std::string_view domain, std::string_view greeting,
                      const capabilities& caps) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (const errc e = impl::check_domain(domain); e != errc{}) return e;
  if (impl::reads_as_enhanced(domain)) return errc::invalid_argument;
  if (const errc e = impl::check_text(greeting, false); e != errc{}) return e;
  if (4 + domain.size() + (greeting.empty() ? 0 : 1 + greeting.size()) + 2 > max_reply_line)
    return errc::line_too_long;
  if (const errc e = caps.validate(); e != errc{}) return e;
  const std::size_t count = caps.line_count();
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    impl::put_code(s, 250, count == 0 ? " " : "-");
    s.append(domain);
    if (!greeting.empty()) {
      s.append(" ");
      s.append(greeting);
    }
    s.append("\r\n");
    std::size_t i = 0;
    errc error{};
    caps.for_each_line([&](std::string_view line) {
      // Built from validated parts, so this holds; checked all the same,
      // since a wrong line here would reach the wire.
      if (line.size() + 6 > max_reply_line) error = errc::line_too_long;
      ++i;
      impl::put_code(s, 250, i == count ? " " : "-");
      s.append(line);
      s.append("\r\n");
    });
    return error;
  });
}

/// Writes the SASL challenge "334 <challenge>\r\n", or "334 \r\n" (with the
/// SP) for an empty one (RFC 4954 §4); `challenge` is the base64 text. Lines
/// over 512 octets need a reader with a larger line limit
/// (client_parser<12288> with max_line_length raised).
/// Errors: errc::invalid_argument for any control octet in it (CR, LF, NUL, ...),
/// errc::invalid_base64 unless it is strict base64 (core/base64.hpp, base64::validate),
/// errc::line_too_long for a line over max_auth_challenge_line octets, errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth_challenge(Sink& sink,
                          std::string_view challenge) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (impl::has_control(challenge)) return errc::invalid_argument;
  if (const errc e = base64::validate(challenge); e != errc{}) return e;
  if (4 + challenge.size() + 2 > max_auth_challenge_line) return errc::line_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::put_code(s, 334, " ");
    s.append(challenge);
    s.append("\r\n");
  });
}

/// Writes "334 <base64 of raw>\r\n", encoding the challenge the server made
/// up (a CRAM-MD5 timestamp such as "<1896.697170952@example.org>", any
/// octets); "334 \r\n" for an empty one. The same line as
/// write_auth_challenge() of the encoded text. Errors: errc::line_too_long
/// (over max_auth_challenge_line octets), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth_challenge_raw(Sink& sink,
                              std::string_view raw) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::reply_writer_impl;
  if (raw.size() > max_auth_challenge_line ||
      4 + base64::encoded_size(raw.size()) + 2 > max_auth_challenge_line)
    return errc::line_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    impl::put_code(s, 334, " ");
    // encode() undoes its own refused appends (and clears the latch): its
    // result, not the sink, says whether the text went out.
    if (const base64::result r = base64::encode(raw, s); !r.ok()) return r.error;
    s.append("\r\n");
    return errc{};
  });
}

}  // namespace mailwire::smtp
