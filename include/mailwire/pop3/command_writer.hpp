#pragma once
// POP3 client commands (RFC 1939 §5-7, RFC 2449 §5, RFC 2595 §4, RFC 5034
// §4, RFC 6856 §2-3) written into a sink (core/output.hpp): the client's
// half of what pop3::server_parser reads.
//
//   write_user, write_pass, write_apop      "USER jane\r\n", "PASS my secret\r\n"
//   apop_digest (pop3/apop.hpp)             lower-hex MD5(timestamp || secret)
//   write_stat, write_noop, write_rset, write_quit, write_capa, write_stls,
//   write_utf8                              "STAT\r\n"
//   write_list, write_uidl                  "LIST\r\n", "LIST 3\r\n"
//   write_retr, write_dele, write_top       "RETR 3\r\n", "TOP 3 0\r\n"
//   write_lang                              "LANG\r\n", "LANG de-CH\r\n", "LANG *\r\n"
//   write_auth, write_auth_base64           "AUTH PLAIN AHVzZXIAcGFzcw==\r\n"
//   write_sasl_response, write_sasl_response_base64, write_sasl_cancel
//   expected_for, write_expecting           the matching client_parser entry
//
// Every function checks every field before it writes (docs/security.md §3),
// writes the whole line or nothing (write_all_or_nothing: on any error the
// sink is exactly as it was), never allocates itself and returns errc{} or
// the error. They are noexcept whenever the sink's append() is. Arguments are
// only read during the call.
//
// How a line is made safe (the model of smtp/command_writer.hpp):
//   - Every text field refuses every control octet (CR, LF, NUL, HT, DEL,
//     ...) with errc::invalid_argument before any other check of that field;
//     only PASS takes SP inside its argument. Raw SASL bytes, which the
//     writer encodes in base64, may hold any octet.
//   - Every field is then checked with the predicate pop3::server_parser
//     applies to it (command.hpp: check_name, is_apop_digest,
//     is_mechanism_name, is_language_range; message numbers 1..2^32-1, TOP's
//     line count 0..2^32-1), so a line the writer accepts is a line the
//     parser accepts, with the same values.
//   - The line is built twice: once into a probe that counts its octets and
//     looks for CR, LF and NUL, then, if the probe found none and the line
//     fits, into the sink followed by the one CRLF. So no input can make a
//     writer emit a second command, whatever a check above might miss.
//
// Line limits, CRLF included: max_command_line (255, RFC 2449 §4) for every
// command, AUTH with its initial response included (RFC 5034 §4; see
// auth_initial_response_fits()); max_sasl_response_line (12288, the
// server_parser_options::max_auth_line_length default) for the lines that
// answer "+ " challenges, which RFC 5034 §4 lets exceed the command limit.
// Over the limit: errc::line_too_long, or errc::auth_line_too_long for a SASL
// response line.
//
// Order of errors: the fields in the order they are written (each field's
// control check first), then the line's length, then errc::buffer_too_small.
//
// Keywords and mechanism names are written in upper case and APOP digests in
// lower case (RFC 1939 §7), whatever case they were given in.
//
// Queueing the response. pop3::client_parser must be told, per command
// written, which response to expect (client_parser::expect()). Each writer's
// comment names its entry as expected_for(verb, has_argument), which gives
// exactly what the parser needs (has_argument matters for LIST, UIDL and
// LANG only). write_expecting() does both steps at once and keeps them in
// step: it refuses (errc::queue_full) before writing when the parser's queue
// is full, and queues the entry only when the line was written. The SASL
// lines that answer "+ " challenges queue nothing: the AUTH entry stays
// until its +OK or -ERR.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/sasl_writer.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/pop3/apop.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command.hpp"

namespace mailwire::pop3 {

/// Longest command line, CRLF included (RFC 2449 §4); the default
/// server_parser_options::max_line_length.
inline constexpr std::size_t max_command_line = 255;
/// Longest SASL response line, CRLF included: the default
/// server_parser_options::max_auth_line_length (RFC 5034 §4 sets no limit;
/// 12288 is RFC 4954 §4's figure).
inline constexpr std::size_t max_sasl_response_line = 12288;
/// Largest message number, and largest TOP line count (RFC 1939 §5, §7 say
/// 1*DIGIT; server_parser reads them into 32 bits).
inline constexpr std::uint64_t max_message_number = 0xFFFFFFFFu;

// ---------------------------------------------------------------------------
// Implementation details

namespace detail::command_writer_impl {

using mailwire::detail::append_line;
using mailwire::detail::has_control;
using mailwire::detail::line_probe;
using mailwire::detail::put_decimal;
using mailwire::detail::write_line;

/// Appends `s` with ASCII letters folded by `fold` (to_upper / to_lower),
/// in pieces of a small stack buffer.
template <class S, class Fold>
void put_folded(S& s, std::string_view text, Fold fold) noexcept(is_nothrow_sink_v<S>) {
  char buf[32];
  while (!text.empty()) {
    const std::size_t n = text.size() < sizeof buf ? text.size() : sizeof buf;
    for (std::size_t i = 0; i < n; ++i) buf[i] = fold(text[i]);
    s.append({buf, n});
    text.remove_prefix(n);
  }
}

/// USER and APOP names: param = 1*VCHAR, UTF-8 allowed (RFC 2449 §3, RFC
/// 6856 §2); the server_parser rule (check_name) with writer errors.
constexpr errc check_user_name(std::string_view name) noexcept {
  if (name.empty()) return errc::missing_argument;
  if (has_control(name)) return errc::invalid_argument;
  const errc e = check_name(name);
  return e == errc::invalid_syntax ? errc::invalid_argument : e;  // SP
}

/// msg = 1..2^32-1 (RFC 1939 §5: messages are numbered from 1).
constexpr errc check_message(std::uint64_t message) noexcept {
  return message == 0 || message > max_message_number ? errc::invalid_message_number : errc{};
}

template <class Sink>
errc write_bare_verb(Sink& sink, verb v) noexcept(is_nothrow_sink_v<Sink>) {
  return write_line(sink, max_command_line, errc::line_too_long, [v](auto& s) -> errc {
    s.append(name(v));
    return errc{};
  });
}

/// "VERB msg": RETR, DELE, LIST msg, UIDL msg.
template <class Sink>
errc write_message_command(Sink& sink, verb v,
                           std::uint64_t message) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_message(message); e != errc{}) return e;
  return write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append(name(v));
    s.append(" ");
    put_decimal(s, message);
    return errc{};
  });
}

}  // namespace detail::command_writer_impl

// ---------------------------------------------------------------------------
// Queueing the response (client_parser.hpp)

/// The client_parser entry for a command `v` just written, with or without
/// an argument. `has_argument` is kept only where it decides the response's
/// shape (LIST, UIDL, LANG and AUTH: multi-line without one), so the entry
/// for "RETR 1" and "RETR" is the same. It has no default, like
/// client_parser::expect(): "LIST" and "LIST 3" must not be confused. Queue
/// it with parser.expect(); for
/// STLS this is the entry expect_stls() queues, whose +OK raises the barrier.
constexpr expected expected_for(verb v, bool has_argument) noexcept {
  const bool shape = v == verb::list || v == verb::uidl || v == verb::lang || v == verb::auth;
  return expected{v, shape && has_argument, false};
}

/// Writes a command and queues its response in one step, so the two never
/// get out of step: errc::queue_full (nothing written) when `parser` has
/// Parser::queue_capacity entries waiting; otherwise runs `write(sink)` (a
/// writer of this header, e.g. `[&](auto& s) { return write_list(s, 3); }`)
/// and, if it returned errc{}, queues `entry`. Returns what `write` returned.
/// Example:
///   write_expecting(sink, parser, expected_for(verb::retr, true),
///                   [](auto& s) { return write_retr(s, 1); });
template <class Sink, class Parser, class Write, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_expecting(Sink& sink, Parser& parser, const expected& entry,
                     Write&& write) noexcept(std::is_nothrow_invocable_v<Write&&, Sink&>) {
  static_assert(std::is_same_v<std::invoke_result_t<Write&&, Sink&>, errc>,
                "write_expecting: the writer must return mailwire::errc");
  if (parser.pending() >= Parser::queue_capacity) return errc::queue_full;
  if (const errc e = std::forward<Write>(write)(sink); e != errc{}) return e;
  return parser.expect(entry);  // cannot fail: there was room
}

// ---------------------------------------------------------------------------
// AUTHORIZATION: USER, PASS, APOP (RFC 1939 §7)

/// Writes "USER name\r\n". `name` is 1*VCHAR, octets >= 0x80 only as
/// well-formed UTF-8 (RFC 6856 §2; whether the server takes UTF-8 is its
/// UTF8 USER capability). Errors: errc::missing_argument (empty),
/// errc::invalid_argument (a control octet or SP), errc::invalid_utf8,
/// errc::line_too_long (over 255 octets), errc::buffer_too_small.
/// Queue: expected_for(verb::user, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_user(Sink& sink, std::string_view name) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_user_name(name); e != errc{}) return e;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("USER ");
    s.append(name);
    return errc{};
  });
}

/// Writes "PASS password\r\n": the password is the rest of the line, SP
/// included, and server_parser returns it verbatim (RFC 1939 §7; the line may
/// be 255 octets, RFC 2449 §4). Errors: errc::missing_argument (empty),
/// errc::invalid_argument (a control octet: CR, LF, NUL, HT, ...),
/// errc::invalid_utf8 (octets >= 0x80 that are no UTF-8), errc::line_too_long,
/// errc::buffer_too_small. Queue: expected_for(verb::pass, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_pass(Sink& sink, std::string_view password) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (password.empty()) return errc::missing_argument;
  if (impl::has_control(password)) return errc::invalid_argument;
  if (!utf8::is_valid(password)) return errc::invalid_utf8;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("PASS ");
    s.append(password);
    return errc{};
  });
}

/// Writes "APOP name digest\r\n" with the digest in lower case (RFC 1939
/// §7); see apop_digest(). Errors: as write_user() for `name`, then for
/// `digest` errc::invalid_argument (a control octet) or errc::invalid_digest
/// (not 32 hex digits), then errc::line_too_long, errc::buffer_too_small.
/// Queue: expected_for(verb::apop, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_apop(Sink& sink, std::string_view name,
                std::string_view digest) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_user_name(name); e != errc{}) return e;
  if (impl::has_control(digest)) return errc::invalid_argument;
  if (!is_apop_digest(digest)) return errc::invalid_digest;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("APOP ");
    s.append(name);
    s.append(" ");
    impl::put_folded(s, digest, ascii::to_lower);
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// Commands without arguments. Errors: errc::buffer_too_small only.

/// "STAT\r\n" (RFC 1939 §5). Queue: expected_for(verb::stat, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_stat(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::stat);
}
/// "NOOP\r\n" (RFC 1939 §5; TRANSACTION only). Queue: expected_for(verb::noop, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_noop(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::noop);
}
/// "RSET\r\n" (RFC 1939 §5). Queue: expected_for(verb::rset, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_rset(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::rset);
}
/// "QUIT\r\n" (RFC 1939 §4, §6). Queue: expected_for(verb::quit, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_quit(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::quit);
}
/// "CAPA\r\n" (RFC 2449 §5). Queue: expected_for(verb::capa, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_capa(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::capa);
}
/// "STLS\r\n" (RFC 2595 §4). Send nothing more before the handshake.
/// Queue: expected_for(verb::stls, false) (the same as client_parser::expect_stls()).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_stls(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::stls);
}
/// "UTF8\r\n" (RFC 6856 §2). Queue: expected_for(verb::utf8, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_utf8(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::utf8);
}

// ---------------------------------------------------------------------------
// TRANSACTION commands with message numbers (RFC 1939 §5, §7)
//
// Message numbers are taken as 64-bit values so that a number out of the
// protocol's range is refused rather than truncated: 1..2^32-1, else
// errc::invalid_message_number.

/// "LIST\r\n": the scan listing of every message (multi-line).
/// Queue: expected_for(verb::list, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_list(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::list);
}
/// "LIST msg\r\n": one scan listing (single line). Errors:
/// errc::invalid_message_number, errc::buffer_too_small.
/// Queue: expected_for(verb::list, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_list(Sink& sink, std::uint64_t message) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_message_command(sink, verb::list, message);
}
/// "UIDL\r\n": the unique-id listing of every message (multi-line).
/// Queue: expected_for(verb::uidl, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_uidl(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::uidl);
}
/// "UIDL msg\r\n" (single line). Errors: errc::invalid_message_number,
/// errc::buffer_too_small. Queue: expected_for(verb::uidl, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_uidl(Sink& sink, std::uint64_t message) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_message_command(sink, verb::uidl, message);
}
/// "RETR msg\r\n". Errors: errc::invalid_message_number,
/// errc::buffer_too_small. Queue: expected_for(verb::retr, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_retr(Sink& sink, std::uint64_t message) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_message_command(sink, verb::retr, message);
}
/// "DELE msg\r\n". Errors: errc::invalid_message_number,
/// errc::buffer_too_small. Queue: expected_for(verb::dele, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_dele(Sink& sink, std::uint64_t message) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_message_command(sink, verb::dele, message);
}
/// "TOP msg n\r\n": the headers and the first `lines` body lines; 0 is
/// valid (the headers only, RFC 1939 §7). Errors: errc::invalid_message_number,
/// errc::invalid_line_count (over 2^32-1), errc::buffer_too_small.
/// Queue: expected_for(verb::top, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_top(Sink& sink, std::uint64_t message,
               std::uint64_t lines) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_message(message); e != errc{}) return e;
  if (lines > max_message_number) return errc::invalid_line_count;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("TOP ");
    impl::put_decimal(s, message);
    s.append(" ");
    impl::put_decimal(s, lines);
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// LANG (RFC 6856 §3)

/// "LANG\r\n": list the languages (multi-line).
/// Queue: expected_for(verb::lang, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_lang(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::lang);
}
/// "LANG range\r\n": a basic language range (1*8ALPHA *("-" 1*8alphanum),
/// RFC 4647 §2.1) or "*" for the server's default. Errors:
/// errc::missing_argument (empty), errc::invalid_argument (a control octet),
/// errc::invalid_language_range, errc::buffer_too_small.
/// Queue: expected_for(verb::lang, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_lang(Sink& sink, std::string_view range) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (range.empty()) return errc::missing_argument;
  if (impl::has_control(range)) return errc::invalid_argument;
  if (!is_language_range(range)) return errc::invalid_language_range;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("LANG ");
    s.append(range);
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// AUTH (RFC 5034 §4) and SASL responses

/// Whether "AUTH mechanism initial-response" fits in max_command_line for an
/// initial response of `raw_size` octets before base64 (RFC 5034 §4: an
/// initial response that does not fit must be left out; send AUTH without
/// it and the response after the server's empty "+ " challenge). With a
/// 5-character mechanism ("PLAIN") that is up to 180 raw octets.
constexpr bool auth_initial_response_fits(std::string_view mechanism,
                                          std::size_t raw_size) noexcept {
  return mailwire::detail::auth_initial_response_fits(mechanism, raw_size, max_command_line);
}

/// Writes "AUTH\r\n", which many servers answer with their mechanisms (the
/// form before CAPA SASL, RFC 5034 §4 keeps the grammar without one).
/// Queue: expected_for(verb::auth, false).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, verb::auth);
}

/// Writes "AUTH MECHANISM\r\n", the name upper-cased. Errors:
/// errc::missing_argument (empty), errc::invalid_argument (a control octet),
/// errc::invalid_mechanism (not 1-20 of A-Z a-z 0-9 "-" "_", RFC 4422 §3.1),
/// errc::buffer_too_small. Queue: expected_for(verb::auth, true); "+ "
/// challenges are answered with write_sasl_response() and leave the entry
/// queued.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth(Sink& sink, std::string_view mechanism) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_mechanism(sink, max_command_line, mechanism);
}

/// Writes "AUTH MECHANISM initial-response\r\n" with the raw initial response
/// base64-encoded by the writer; an empty response is sent as "=" (RFC 5034
/// §4). `initial_response` may hold any octets (PLAIN's NULs too). Errors: as
/// write_auth(sink, mechanism), then errc::line_too_long when the line would
/// exceed 255 octets (see auth_initial_response_fits()), then
/// errc::buffer_too_small. Queue: expected_for(verb::auth, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth(Sink& sink, std::string_view mechanism,
                std::string_view initial_response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_raw(sink, max_command_line, mechanism, initial_response);
}

/// Writes "AUTH MECHANISM initial-response\r\n" with an initial response that
/// is already base64 text; empty text is the empty response, sent as "=".
/// Errors: as write_auth(sink, mechanism), then errc::invalid_argument (a
/// control octet in the text), errc::invalid_base64 (not strict base64,
/// base64::validate; "=" itself is not base64: pass ""), errc::line_too_long,
/// errc::buffer_too_small. Queue: expected_for(verb::auth, true).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth_base64(Sink& sink, std::string_view mechanism,
                       std::string_view initial_response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_encoded(sink, max_command_line, mechanism, initial_response);
}

/// Writes one SASL response line, the answer to a "+ " challenge (RFC 5034
/// §4): base64 of the raw `response`, then CRLF; an empty response is an
/// empty line. `response` may hold any octets. Errors: errc::auth_line_too_long
/// (over max_sasl_response_line octets with CRLF, i.e. more than 9213 raw
/// octets), errc::buffer_too_small. Queues nothing (the AUTH entry stays).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_response(Sink& sink, std::string_view response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_raw(sink, max_sasl_response_line, response);
}

/// Writes one SASL response line whose base64 text the caller already has;
/// empty text is an empty line. Errors: errc::invalid_argument (a control
/// octet), errc::invalid_base64 (not strict base64; "=" and "*" are not
/// responses), errc::auth_line_too_long, errc::buffer_too_small. Queues nothing.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_response_base64(Sink& sink,
                                std::string_view encoded) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_encoded(sink, max_sasl_response_line, encoded);
}

/// Writes "*\r\n", which cancels the exchange (RFC 5034 §4; the server
/// answers -ERR, which the AUTH entry still waiting receives). Errors:
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_cancel(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_encoded(sink, max_sasl_response_line, "*", true);
}

}  // namespace mailwire::pop3
