#pragma once
// POP3 server responses (RFC 1939 §3-7, RFC 2449 §5-8, RFC 3206, RFC 5034
// §4, RFC 6856 §3) written into a sink (core/output.hpp): the server's half
// of what pop3::client_parser reads.
//
//   write_ok, write_err, write_response   "+OK\r\n", "-ERR [SYS/TEMP] try later\r\n"
//   write_greeting                        "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"
//   write_challenge(_base64)              "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n"
//   write_drop_listing                    STAT:   "+OK 2 320\r\n"
//   write_scan_listing                    LIST n: "+OK 1 120\r\n"
//   write_unique_id_listing               UIDL n: "+OK 1 whqtswO00WBw418f9t5JxYwZ\r\n"
//   write_scan_item, write_unique_id_item, write_language_item, write_end
//                                         the lines of LIST, UIDL and LANG bodies
//   write_scan_listings, write_unique_id_listings
//                                         a whole LIST or UIDL answer at once
//   write_capa_response                   a whole CAPA answer from a capabilities value
//   write_message                         RETR/TOP: "+OK\r\n", stuffed content, ".\r\n"
//   write_body, write_body_end            the same content streamed (dot::encoder, copy form)
//   gather_message, gather_body           the same as views for writev() (gather form)
//
// Every function checks every field before it writes (docs/security.md §3),
// writes all of its lines or nothing (write_all_or_nothing: on any error the
// sink is exactly as it was), never allocates itself and returns errc{} or
// the error. They are noexcept whenever the sink's append() is. Arguments are
// only read during the call (the gather forms return views of them).
//
// The rule: what is written reads back as written through pop3::client_parser
// (with its default options, the response queued as expected_for() in
// command_writer.hpp says). So:
//   - Status text (after "+OK "/"-ERR " and after a response code) is HT,
//     %x20-7E and well-formed UTF-8 (RFC 6856 allows UTF-8 after LANG or
//     UTF8; client_parser takes it). CR, LF, NUL, DEL and every other
//     control are errc::invalid_argument; malformed UTF-8 errc::invalid_utf8.
//   - Text without a response code may not start with one: "-ERR [AUTH] x"
//     with no code given would read back with code AUTH (RFC 2449 §8). A
//     "[" that starts no valid code ("[a b]", "[x" or "[x]y") stays text.
//   - Text after a code may not start with SP: readers skip the SPs after
//     "]" (response.hpp, parse_response_code).
//   - Response codes are what response.hpp parses: resp-level *("/"
//     resp-level), resp-level = 1*rchar, rchar = %x21-2E / %x30-5C /
//     %x5E-7E (RFC 2449 §8; DEL, which the grammar allows, is a control and
//     is refused). errc::invalid_argument otherwise.
//   - A status line is at most max_status_line (512) octets with CRLF (RFC
//     2449 §4); body lines of LIST, UIDL, LANG and CAPA at most 512 too
//     (client_parser_options::max_item_line_length). errc::line_too_long.
//   - Like the command writer, every line is first built into a probe that
//     counts it and looks for CR, LF and NUL; only a clean line that fits is
//     written, so no field can smuggle a second line in.
//
// Message content (RETR, TOP) goes through dot::encoder: bare CR and bare LF
// become CRLF (or are refused, dot::encoder_options::refuse_bare_line_ends:
// errc::body_bare_cr / body_bare_lf), lines starting with "." are stuffed,
// a final CRLF is added when the content does not end with one, and ".\r\n"
// ends the body (RFC 1939 §3). A NUL octet in content is errc::body_nul:
// client_parser flags it (docs/security.md §1), and RFC 5322 has no place for
// it. So the content a client reads back is the content normalised: line ends
// CRLF, a final CRLF unless it is empty.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/sasl_mechanism.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/dot/encoder.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/response.hpp"

namespace mailwire::pop3 {

/// Longest status line (greeting, single-line response, the first line of a
/// multi-line one), CRLF included (RFC 2449 §4); the default
/// client_parser_options::max_status_length. Also the default limit of
/// write_challenge().
inline constexpr std::size_t max_status_line = 512;
/// Longest line of a LIST, UIDL, LANG or CAPA body, CRLF included (RFC 2449
/// §5); the default client_parser_options::max_item_line_length.
inline constexpr std::size_t max_item_line = 512;

/// One line of a LIST answer: message number and size in octets (RFC 1939 §5).
struct scan_entry {
  std::uint64_t message = 0;  ///< 1..2^32-1
  std::uint64_t size = 0;
};

/// One line of a UIDL answer (RFC 1939 §7).
struct unique_id_entry {
  std::uint64_t message = 0;  ///< 1..2^32-1
  std::string_view uid;       ///< 1-70 octets of %x21-7E
};

/// The response code of a known kind, as write_response() takes it:
/// "IN-USE", "LOGIN-DELAY", "SYS/TEMP", "SYS/PERM", "AUTH", "UTF8"; "" for
/// none and other (RFC 2449 §8, RFC 3206, RFC 6856 §5).
constexpr std::string_view response_code_text(response_code_kind k) noexcept {
  switch (k) {
    case response_code_kind::in_use: return "IN-USE";
    case response_code_kind::login_delay: return "LOGIN-DELAY";
    case response_code_kind::sys_temp: return "SYS/TEMP";
    case response_code_kind::sys_perm: return "SYS/PERM";
    case response_code_kind::auth: return "AUTH";
    case response_code_kind::utf8: return "UTF8";
    case response_code_kind::none:
    case response_code_kind::other: break;
  }
  return {};
}

// ---------------------------------------------------------------------------
// Implementation details

namespace detail::response_writer_impl {

using mailwire::detail::append_line;
using mailwire::detail::has_control;
using mailwire::detail::line_probe;
using mailwire::detail::put_decimal;
using mailwire::detail::write_line;

/// Status and item text: HT, %x20-7E, well-formed UTF-8.
constexpr errc check_text(std::string_view s) noexcept {
  return mailwire::detail::check_text(s, true);
}

/// The text and code of a status line, checked so that it reads back as
/// written (see the top of this header).
constexpr errc check_status(std::string_view code, std::string_view text) noexcept {
  if (!code.empty()) {
    if (has_control(code) || !response_impl::response_levels_valid(code))
      return errc::invalid_argument;
  }
  if (const errc e = check_text(text); e != errc{}) return e;
  if (code.empty()) {
    if (parse_response_code(text).present()) return errc::invalid_argument;
  } else if (!text.empty() && text[0] == ' ') {
    return errc::invalid_argument;
  }
  return errc{};
}

/// msg = 1..2^32-1; a STAT count may be 0.
constexpr errc check_number(std::uint64_t n, std::uint64_t least) noexcept {
  return n < least || n > 0xFFFFFFFFu ? errc::invalid_message_number : errc{};
}

constexpr errc check_uid(std::string_view uid) noexcept {
  if (has_control(uid)) return errc::invalid_argument;
  return is_unique_id(uid) ? errc{} : errc::invalid_uid;
}

/// "+OK" / "-ERR", then " [code]" and " text" where present.
template <class S>
void put_status(S& s, response_status status, std::string_view code,
                std::string_view text) noexcept(is_nothrow_sink_v<S>) {
  s.append(status == response_status::ok ? "+OK" : "-ERR");
  if (!code.empty()) {
    s.append(" [");
    s.append(code);
    s.append("]");
  }
  if (!text.empty()) {
    s.append(" ");
    s.append(text);
  }
}

/// Appends the status line "+OK text" (see write_all_or_nothing callers).
template <class S>
errc append_ok_line(S& s, std::string_view text) noexcept(is_nothrow_sink_v<S>) {
  return append_line(s, max_status_line, errc::line_too_long, [&](auto& o) -> errc {
    put_status(o, response_status::ok, {}, text);
    return errc{};
  });
}

// One listing entry (LIST's "msg size", UIDL's "msg uid"): its checks and
// its text, shared by the single-line answers, the body items and the whole
// multi-line answers.
constexpr errc check_entry(const scan_entry& x) noexcept { return check_number(x.message, 1); }
constexpr errc check_entry(const unique_id_entry& x) noexcept {
  if (const errc e = check_number(x.message, 1); e != errc{}) return e;
  return check_uid(x.uid);
}
template <class S>
void put_entry(S& s, const scan_entry& x) noexcept(is_nothrow_sink_v<S>) {
  put_decimal(s, x.message);
  s.append(" ");
  put_decimal(s, x.size);
}
template <class S>
void put_entry(S& s, const unique_id_entry& x) noexcept(is_nothrow_sink_v<S>) {
  put_decimal(s, x.message);
  s.append(" ");
  s.append(x.uid);
}

/// `prefix` ("+OK " or "") and one entry on a line of at most `limit`.
template <class Sink, class Entry>
errc write_entry_line(Sink& sink, std::string_view prefix, std::size_t limit,
                      const Entry& x) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_entry(x); e != errc{}) return e;
  return write_line(sink, limit, errc::line_too_long, [&](auto& s) -> errc {
    s.append(prefix);
    put_entry(s, x);
    return errc{};
  });
}

/// "+OK text", one line per entry, "." (LIST, UIDL), all or nothing.
template <class Sink, class Entry>
errc write_listings(Sink& sink, std::string_view text, const Entry* entries,
                    std::size_t count) noexcept(is_nothrow_sink_v<Sink>) {
  if (entries == nullptr && count != 0) return errc::invalid_argument;
  if (const errc e = check_status({}, text); e != errc{}) return e;
  for (std::size_t i = 0; i < count; ++i)
    if (const errc e = check_entry(entries[i]); e != errc{}) return e;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    if (const errc e = append_ok_line(s, text); e != errc{}) return e;
    for (std::size_t i = 0; i < count; ++i) {
      const Entry& x = entries[i];
      if (const errc e = append_line(s, max_item_line, errc::line_too_long,
                                     [&x](auto& o) -> errc {
                                       put_entry(o, x);
                                       return errc{};
                                     });
          e != errc{})
        return e;
    }
    s.append(".\r\n");
    return errc{};
  });
}

constexpr bool has_nul(std::string_view s) noexcept {
  return !s.empty() && std::memchr(s.data(), 0, s.size()) != nullptr;
}

/// Runs `enc` over `content` into `s` through a stack buffer (the copy form).
template <class S>
errc put_content(S& s, dot::encoder& enc, std::string_view content) noexcept(is_nothrow_sink_v<S>) {
  char buf[512];
  while (!content.empty()) {
    const dot::encode_result r = enc.encode(content, buf, sizeof buf);
    if (r.error != errc{}) return r.error;
    if (!s.append({buf, r.written})) return errc::buffer_too_small;
    content.remove_prefix(r.consumed);
  }
  return errc{};
}

/// The error encoding `content` with (a copy of) `enc`, and then finishing
/// if `finish`, would give, found without writing anything. Only an encoder
/// that refuses bare line ends can fail on content; checking first reports
/// that error ahead of errc::buffer_too_small whatever the sink's room.
inline errc refused_line_end(dot::encoder enc, std::string_view content, bool finish) noexcept {
  if (!enc.options().refuse_bare_line_ends) return errc{};
  char buf[512];
  while (!content.empty()) {
    const dot::encode_result r = enc.encode(content, buf, sizeof buf);
    if (r.error != errc{}) return r.error;
    content.remove_prefix(r.consumed);
  }
  while (finish && !enc.finished()) {
    const dot::encode_result r = enc.finish(buf, sizeof buf);
    if (r.error != errc{}) return r.error;
  }
  return errc{};
}

template <class S>
errc put_terminator(S& s, dot::encoder& enc) noexcept(is_nothrow_sink_v<S>) {
  char buf[8];
  while (!enc.finished()) {
    const dot::encode_result r = enc.finish(buf, sizeof buf);
    if (r.error != errc{}) return r.error;
    if (!s.append({buf, r.written})) return errc::buffer_too_small;
  }
  return errc{};
}

/// The IMPLEMENTATION text as a CAPA line carries it: client_parser trims
/// SP and HT at both ends, so the text may have none there.
constexpr errc check_implementation(std::string_view text) noexcept {
  if (text.empty()) return errc::missing_argument;
  if (const errc e = check_text(text); e != errc{}) return e;
  if (ascii::is_wsp(static_cast<unsigned char>(text.front())) ||
      ascii::is_wsp(static_cast<unsigned char>(text.back())) || text.find('\t') != text.npos)
    return errc::invalid_argument;
  return errc{};
}

template <class S>
void put_user_flag(S& s, bool user) noexcept(is_nothrow_sink_v<S>) {
  if (user) s.append(" USER");
}

/// The CAPA body lines of `caps`, in capability order, then the unknown
/// lines in the order they were added.
template <class S>
errc put_capabilities(S& s, const capabilities& caps) noexcept(is_nothrow_sink_v<S>) {
  const auto simple = [&s](std::string_view t) {
    return append_line(s, max_item_line, errc::line_too_long, [t](auto& o) -> errc {
      o.append(t);
      return errc{};
    });
  };
  errc e{};
  for (std::size_t i = 0; e == errc{} && i < response_impl::capability_count; ++i) {
    const auto c = static_cast<capability>(i);
    if (!caps.has(c)) continue;
    switch (c) {
      case capability::sasl:
        e = append_line(s, max_item_line, errc::line_too_long, [&caps](auto& o) -> errc {
          o.append("SASL");
          bool any = false;
          caps.for_each_mechanism([&o, &any](std::string_view m) {
            o.append(" ");
            o.append(m);
            any = true;
          });
          // "SASL" alone reads back as an error (missing_argument).
          return any ? errc{} : errc::missing_argument;
        });
        break;
      case capability::login_delay:
        e = append_line(s, max_item_line, errc::line_too_long, [&caps](auto& o) -> errc {
          o.append("LOGIN-DELAY ");
          put_decimal(o, caps.login_delay());
          put_user_flag(o, caps.login_delay_per_user());
          return errc{};
        });
        break;
      case capability::expire:
        e = append_line(s, max_item_line, errc::line_too_long, [&caps](auto& o) -> errc {
          o.append("EXPIRE ");
          if (caps.expire_never())
            o.append("NEVER");
          else
            put_decimal(o, caps.expire_days().value_or(0));
          put_user_flag(o, caps.expire_per_user());
          return errc{};
        });
        break;
      case capability::implementation:
        e = append_line(s, max_item_line, errc::line_too_long, [&caps](auto& o) -> errc {
          if (const errc bad = check_implementation(caps.implementation()); bad != errc{})
            return bad;
          o.append("IMPLEMENTATION ");
          o.append(caps.implementation());
          return errc{};
        });
        break;
      case capability::utf8:
        e = append_line(s, max_item_line, errc::line_too_long, [&caps](auto& o) -> errc {
          o.append("UTF8");
          put_user_flag(o, caps.utf8_user());
          return errc{};
        });
        break;
      case capability::top:
      case capability::user:
      case capability::resp_codes:
      case capability::pipelining:
      case capability::uidl:
      case capability::stls:
      case capability::auth_resp_code:
      case capability::lang: e = simple(tag(c)); break;
    }
  }
  // Unknown lines are stored as client_parser folded them: tag and items
  // joined by one SP, a valid capa-tag first, so they read back the same.
  for (const std::string_view line : caps.unknown()) {
    if (e != errc{}) break;
    if (has_control(line)) return errc::invalid_argument;
    e = simple(line);
  }
  return e;
}

}  // namespace detail::response_writer_impl

// ---------------------------------------------------------------------------
// Status lines (RFC 1939 §3, RFC 2449 §8)

/// Writes a status line with an optional response code (RFC 2449 §8):
/// "-ERR [SYS/TEMP] text\r\n", "-ERR [IN-USE]\r\n" (empty text), or without
/// a code as write_ok() / write_err(). `code` is the levels between the
/// brackets ("SYS/TEMP", "LOGIN-DELAY", any hierarchical code;
/// response_code_text() names the known ones); empty for none. Errors:
/// errc::invalid_argument for a code that is no resp-code or holds a control,
/// then the text's errors as write_ok() (and errc::invalid_argument for text
/// starting with SP after a code), then errc::line_too_long,
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_response(Sink& sink, response_status status, std::string_view code,
                    std::string_view text) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_status(code, text); e != errc{}) return e;
  return impl::write_line(sink, max_status_line, errc::line_too_long, [&](auto& s) -> errc {
    impl::put_status(s, status, code, text);
    return errc{};
  });
}

/// Writes "+OK\r\n", or "+OK text\r\n". Errors (see the top): text
/// errc::invalid_argument (a control octet other than HT; text that starts
/// like a response code) or errc::invalid_utf8; errc::line_too_long (over 512
/// octets); errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_ok(Sink& sink, std::string_view text = {}) noexcept(is_nothrow_sink_v<Sink>) {
  return write_response(sink, response_status::ok, {}, text);
}

/// Writes "-ERR\r\n", or "-ERR text\r\n"; as write_ok(). A server answering
/// a server_parser error event sends write_err(sink, ev.reply()).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_err(Sink& sink, std::string_view text = {}) noexcept(is_nothrow_sink_v<Sink>) {
  return write_response(sink, response_status::err, {}, text);
}

/// Writes the greeting "+OK text <timestamp>\r\n" (RFC 1939 §4, §7):
/// "+OK text\r\n" without a timestamp, "+OK <timestamp>\r\n" without text.
/// `timestamp` is the APOP msg-id with its brackets, `<` 1*(VCHAR but "<"
/// and ">") holding "@" `>` (what find_apop_timestamp() reads; it MUST
/// differ in every greeting, RFC 1939 §7); empty: no APOP. Errors: the
/// text's as write_ok(), and errc::invalid_argument when the text holds a
/// "<...@...>" span of its own (the client would take it for the
/// timestamp); errc::invalid_argument for a timestamp of another shape;
/// errc::line_too_long; errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_greeting(Sink& sink, std::string_view text,
                    std::string_view timestamp = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_status({}, text); e != errc{}) return e;
  if (!find_apop_timestamp(text).empty()) return errc::invalid_argument;
  if (!timestamp.empty()) {
    if (impl::has_control(timestamp) || timestamp.size() < 3 || timestamp.front() != '<' ||
        find_apop_timestamp(timestamp) != timestamp)
      return errc::invalid_argument;
    for (const char c : timestamp)
      if (!ascii::is_vchar(static_cast<unsigned char>(c))) return errc::invalid_argument;
  }
  return impl::write_line(sink, max_status_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("+OK");
    if (!text.empty()) {
      s.append(" ");
      s.append(text);
    }
    if (!timestamp.empty()) {
      // The SP ends any "<" span the text left open, so the client finds
      // exactly this timestamp.
      s.append(" ");
      s.append(timestamp);
    }
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// SASL challenges (RFC 5034 §4)

/// Writes the challenge "+ base64\r\n" with the raw `challenge` encoded by
/// the writer; "+ \r\n" (with the SP) for an empty one. `challenge` may hold
/// any octets. The line may be at most `max_line` octets with CRLF: 512 by
/// default, a size every client takes. client_parser takes challenges up to
/// client_parser_options::max_challenge_length, bounded by its buffer (1024
/// octets for client_parser<>); RFC 5034 §4 sets no limit. Errors:
/// errc::line_too_long, errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_challenge(Sink& sink, std::string_view challenge,
                     std::size_t max_line = max_status_line) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (max_line < 4 || base64::encoded_size(challenge.size()) > max_line - 4)
    return errc::line_too_long;
  return impl::write_line(sink, max_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("+ ");
    return base64::encode(challenge, s).error;
  });
}

/// Writes "+ challenge\r\n" with base64 text the caller already has; empty
/// text is the empty challenge "+ \r\n". Errors: errc::invalid_argument (a
/// control octet), errc::invalid_base64 (not strict base64), errc::line_too_long
/// (over `max_line`, see write_challenge()), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_challenge_base64(
    Sink& sink, std::string_view challenge,
    std::size_t max_line = max_status_line) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (impl::has_control(challenge)) return errc::invalid_argument;
  if (const errc e = base64::validate(challenge); e != errc{}) return e;
  return impl::write_line(sink, max_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("+ ");
    s.append(challenge);
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// Single-line answers that carry data (RFC 1939 §5, §7). Message numbers and
// counts are taken as 64-bit values so that one out of range is refused
// rather than truncated.

/// Writes STAT's answer "+OK count size\r\n" (the drop listing, RFC 1939
/// §5): `count` messages (0..2^32-1), `size` octets. Errors:
/// errc::invalid_message_number (count over 2^32-1), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_drop_listing(Sink& sink, std::uint64_t count,
                        std::uint64_t size) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_number(count, 0); e != errc{}) return e;
  return impl::write_line(sink, max_status_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("+OK ");
    impl::put_decimal(s, count);
    s.append(" ");
    impl::put_decimal(s, size);
    return errc{};
  });
}

/// Writes the answer to "LIST msg": "+OK msg size\r\n" (RFC 1939 §5).
/// Errors: errc::invalid_message_number (0 or over 2^32-1),
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_scan_listing(Sink& sink, std::uint64_t message,
                        std::uint64_t size) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_entry_line(sink, "+OK ", max_status_line,
                                                        scan_entry{message, size});
}

/// Writes the answer to "UIDL msg": "+OK msg uid\r\n" (RFC 1939 §7).
/// Errors: errc::invalid_message_number, errc::invalid_argument (a control
/// octet in `uid`), errc::invalid_uid (not 1-70 octets of %x21-7E),
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_unique_id_listing(Sink& sink, std::uint64_t message,
                             std::string_view uid) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_entry_line(sink, "+OK ", max_status_line,
                                                        unique_id_entry{message, uid});
}

// ---------------------------------------------------------------------------
// Multi-line bodies, line by line: write_ok() first, then the items, then
// write_end(). No item can start with "." (numbers, language tags), so none
// needs stuffing.

/// Writes a LIST body line "msg size\r\n" (RFC 1939 §5). Errors as
/// write_scan_listing().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_scan_item(Sink& sink, std::uint64_t message,
                     std::uint64_t size) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_entry_line(sink, "", max_item_line,
                                                        scan_entry{message, size});
}

/// Writes a UIDL body line "msg uid\r\n" (RFC 1939 §7). Errors as
/// write_unique_id_listing().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_unique_id_item(Sink& sink, std::uint64_t message,
                          std::string_view uid) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_entry_line(sink, "", max_item_line,
                                                        unique_id_entry{message, uid});
}

/// Writes a LANG body line "tag description\r\n", or "tag\r\n" for an empty
/// description (RFC 6856 §3). `tag` is a language tag in the basic range
/// form (1*8ALPHA *("-" 1*8alphanum); not "*"); the description is UTF-8
/// text as write_ok()'s. Errors: errc::invalid_argument (a control octet in
/// `tag`), errc::invalid_language_range, the description's errors,
/// errc::line_too_long (over 512 octets), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_language_item(Sink& sink, std::string_view tag_text,
                         std::string_view description = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (impl::has_control(tag_text)) return errc::invalid_argument;
  if (tag_text == "*" || !is_language_range(tag_text)) return errc::invalid_language_range;
  if (const errc e = impl::check_text(description); e != errc{}) return e;
  return impl::write_line(sink, max_item_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append(tag_text);
    if (!description.empty()) {
      s.append(" ");
      s.append(description);
    }
    return errc{};
  });
}

/// Writes ".\r\n", the end of a LIST, UIDL, LANG or CAPA body (RFC 1939
/// §3). Message bodies end with write_body_end() instead, which adds the
/// CRLF a body may lack. Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_end(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return write_all_or_nothing(sink,
                              [](Sink& s) noexcept(is_nothrow_sink_v<Sink>) { s.append(".\r\n"); });
}

/// Writes a whole LIST answer: "+OK text\r\n", one scan item per entry,
/// ".\r\n" (RFC 1939 §5; an empty maildrop is "+OK\r\n.\r\n"). `entries`
/// may be null when `count` is 0; it is only read during the call. Errors:
/// as write_ok() for `text` and write_scan_item() for each entry (the first
/// bad one), then errc::buffer_too_small; nothing is written on any error.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_scan_listings(Sink& sink, std::string_view text, const scan_entry* entries,
                         std::size_t count) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_listings(sink, text, entries, count);
}

/// Writes a whole UIDL answer: "+OK text\r\n", one unique-id item per entry,
/// ".\r\n" (RFC 1939 §7). As write_scan_listings(), with the errors of
/// write_unique_id_item() for each entry.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_unique_id_listings(Sink& sink, std::string_view text, const unique_id_entry* entries,
                              std::size_t count) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::response_writer_impl::write_listings(sink, text, entries, count);
}

// ---------------------------------------------------------------------------
// CAPA (RFC 2449 §5-6, RFC 2595 §4, RFC 3206 §6, RFC 5034 §3, RFC 6856 §2-3)

/// Writes a whole CAPA answer from `caps`: "+OK text\r\n", one line per
/// capability set (in the order of enum capability: "TOP", "SASL PLAIN
/// X-MECH", "LOGIN-DELAY 900 USER", "EXPIRE NEVER", "IMPLEMENTATION text",
/// "UTF8 USER", ...), then the unknown lines in the order added, then
/// ".\r\n". What client_parser folds from it equals `caps`. Errors: as
/// write_ok() for `text`; errc::missing_argument for SASL set without a
/// mechanism or IMPLEMENTATION without text (neither can be written);
/// errc::invalid_argument for IMPLEMENTATION text with SP or HT at either
/// end (the reader trims it) or a control octet, errc::invalid_utf8;
/// errc::line_too_long for a line over 512 octets; errc::buffer_too_small.
/// `caps` is only read during the call.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_capa_response(Sink& sink, const capabilities& caps,
                         std::string_view text = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_status({}, text); e != errc{}) return e;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    if (const errc e = impl::append_ok_line(s, text); e != errc{}) return e;
    if (const errc e = impl::put_capabilities(s, caps); e != errc{}) return e;
    s.append(".\r\n");
    return errc{};
  });
}

/// Writes the answer to a bare AUTH (no mechanism): "+OK text\r\n", one
/// mechanism name a line in the order of CAPA's SASL line, then ".\r\n"
/// ("+OK\r\n.\r\n" for none). This listing predates CAPA SASL (RFC 5034
/// §3) and common servers still send it; client_parser reads it after
/// expect(verb::auth, false). Only `caps`'s mechanisms are used, whether or
/// not SASL is set.
/// Errors: as write_ok() for `text`; errc::buffer_too_small. `caps` is only
/// read during the call.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth_mechanisms(Sink& sink, const capabilities& caps,
                           std::string_view text = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_status({}, text); e != errc{}) return e;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    if (const errc e = impl::append_ok_line(s, text); e != errc{}) return e;
    // Mechanism names are at most 20 octets of A-Z, 0-9, "-" and "_"
    // (RFC 4422 §3.1): a line each, never one that needs dot-stuffing.
    caps.for_each_mechanism([&s](std::string_view m) {
      s.append(m);
      s.append("\r\n");
    });
    s.append(".\r\n");
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// Message bodies: RETR and TOP (RFC 1939 §3, §5, §7)

/// What TOP msg n sends of a message (RFC 1939 §7): the header, the blank
/// line after it and the first `lines` lines of the body, as a view into
/// `content`; the whole content when the body has fewer lines or there is
/// no blank line. Lines end at CRLF, a bare CR or a bare LF (the line ends
/// dot::encoder turns into CRLF).
constexpr std::string_view top_content(std::string_view content, std::uint64_t lines) noexcept {
  // Index just past the line end of the line starting at i (content.size()
  // for a last line without one).
  const auto next_line = [content](std::size_t i) {
    while (i < content.size() && content[i] != '\r' && content[i] != '\n') ++i;
    if (i == content.size()) return i;
    if (content[i] == '\r' && i + 1 < content.size() && content[i + 1] == '\n') return i + 2;
    return i + 1;
  };
  std::size_t at = 0;
  bool in_header = true;
  while (at < content.size()) {
    if (!in_header) {
      if (lines == 0) return content.substr(0, at);
      --lines;
    }
    const std::size_t end = next_line(at);
    const bool blank = content[at] == '\r' || content[at] == '\n';
    if (in_header && blank) in_header = false;
    at = end;
  }
  return content;
}

/// Writes a whole RETR or TOP answer: "+OK text\r\n", `content` dot-stuffed
/// by a dot::encoder with `options`, and the terminator (with the CRLF the
/// content may lack before it): "+OK\r\n..a\r\nb\r\n.\r\n" for content
/// ".a\r\nb". For TOP, `content` is the header, the blank line and the
/// lines the client asked for (top_content()); the writer takes it as given. Errors: as
/// write_ok() for `text`; errc::body_nul (a NUL octet in `content`);
/// errc::body_bare_cr / errc::body_bare_lf (only with
/// options.refuse_bare_line_ends); errc::buffer_too_small. Nothing is
/// written on any error.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_message(Sink& sink, std::string_view text, std::string_view content,
                   const dot::encoder_options& options = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::check_status({}, text); e != errc{}) return e;
  if (impl::has_nul(content)) return errc::body_nul;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    if (const errc e = impl::append_ok_line(s, text); e != errc{}) return e;
    dot::encoder enc(options);
    // Before any content goes to the sink, so a full sink cannot hide it.
    if (const errc e = impl::refused_line_end(enc, content, true); e != errc{}) return e;
    if (const errc e = impl::put_content(s, enc, content); e != errc{}) return e;
    return impl::put_terminator(s, enc);
  });
}

/// Streams a chunk of message content (after write_ok()) through `enc` (copy
/// form): appends its dot-stuffed encoding to `sink`, all or nothing. A CR
/// that ends one chunk and an LF that starts the next are one line end. On
/// any error neither the sink nor `enc` changes. Errors: errc::body_nul (a
/// NUL octet in `chunk`), errc::body_bare_cr / body_bare_lf (refused by the
/// encoder's options), errc::invalid_argument (content after
/// write_body_end()), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_body(Sink& sink, dot::encoder& enc,
                std::string_view chunk) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (impl::has_nul(chunk)) return errc::body_nul;
  if (const errc e = impl::refused_line_end(enc, chunk, false); e != errc{}) return e;
  dot::encoder next = enc;
  const errc e = write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    return impl::put_content(s, next, chunk);
  });
  if (e == errc{}) enc = next;
  return e;
}

/// Ends a message streamed with write_body(): appends the terminator, with
/// the CRLF before it when the content did not end with one (".\r\n" alone
/// for empty content). On any error neither the sink nor `enc` changes.
/// Errors: errc::body_bare_cr (content ending in CR, refused by the
/// encoder's options), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_body_end(Sink& sink, dot::encoder& enc) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::response_writer_impl;
  if (const errc e = impl::refused_line_end(enc, {}, true); e != errc{}) return e;
  dot::encoder next = enc;
  const errc e = write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) -> errc {
    return impl::put_terminator(s, next);
  });
  if (e == errc{}) enc = next;
  return e;
}

/// Progress of the gather form.
struct gather_progress {
  errc error{};              ///< errc{}; on error count and consumed are 0
  std::size_t consumed = 0;  ///< content octets described
  std::size_t count = 0;     ///< segments filled
  bool done = false;         ///< the terminator is among the segments
};

/// Gather form of write_body() and write_body_end() in one: describes the
/// dot-stuffed encoding of `content` and then the terminator as at most
/// `max_segments` views, ready for writev(): slices of `content` and static
/// literals (dot::encoder::encode_gather), no copy. The views borrow
/// `content` until they are sent. Unless `done`, the segments ran out: send
/// them, then call again with content.substr(consumed) (and the same `enc`).
/// On an error nothing is described and `enc` is unchanged. Errors:
/// errc::body_nul (a NUL octet in the content described),
/// errc::body_bare_cr / body_bare_lf (refused by the encoder's options),
/// errc::invalid_argument (`segments` null with max_segments non-zero).
inline gather_progress gather_body(dot::encoder& enc, std::string_view content,
                                   std::string_view* segments, std::size_t max_segments) noexcept {
  namespace impl = detail::response_writer_impl;
  gather_progress p;
  if (segments == nullptr && max_segments != 0) {
    p.error = errc::invalid_argument;
    return p;
  }
  dot::encoder next = enc;
  const dot::gather_result r = next.encode_gather(content, segments, max_segments);
  // Only the part described is checked, so that calling again on the rest
  // keeps the whole scan linear.
  errc e = r.error;
  if (e == errc{} && impl::has_nul(content.substr(0, r.consumed))) e = errc::body_nul;
  std::size_t count = r.count;
  if (e == errc{} && r.consumed == content.size() && count < max_segments) {
    const dot::gather_result f = next.finish_gather(segments + count, max_segments - count);
    e = f.error;
    count += f.count;
  }
  if (e != errc{}) {
    p.error = e;
    return p;
  }
  enc = next;
  p.consumed = r.consumed;
  p.count = count;
  p.done = enc.finished();
  return p;
}

/// Gather form of write_message(): the status line "+OK[ text]\r\n" as one
/// or three views (static literals and `text`), then what gather_body()
/// describes, in `segments` (at least 4). `enc` must be fresh (or reset()).
/// The views borrow `text` and `content` until sent. Unless `done`, go on
/// with gather_body(enc, content.substr(consumed), ...). Errors: as
/// write_ok() for `text`; errc::buffer_too_small when max_segments < 4;
/// those of gather_body(). On any error nothing is described.
inline gather_progress gather_message(dot::encoder& enc, std::string_view text,
                                      std::string_view content, std::string_view* segments,
                                      std::size_t max_segments) noexcept {
  namespace impl = detail::response_writer_impl;
  gather_progress p;
  if (const errc e = impl::check_status({}, text); e != errc{}) {
    p.error = e;
    return p;
  }
  if (4 + text.size() + 2 > max_status_line) {
    p.error = errc::line_too_long;
    return p;
  }
  if (segments == nullptr || max_segments < 4) {
    p.error = errc::buffer_too_small;
    return p;
  }
  std::size_t n = 0;
  if (text.empty()) {
    segments[n++] = "+OK\r\n";
  } else {
    segments[n++] = "+OK ";
    segments[n++] = text;
    segments[n++] = "\r\n";
  }
  p = gather_body(enc, content, segments + n, max_segments - n);
  if (p.error == errc{}) p.count += n;
  return p;
}

}  // namespace mailwire::pop3
