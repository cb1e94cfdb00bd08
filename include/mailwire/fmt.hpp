#pragma once
// Optional {fmt} formatters for mailwire's public types: for logs, traces and
// error messages. This is the only header that uses {fmt}, and the umbrella
// header does not include it: include it yourself and link {fmt} (tested with
// 9.1; it uses nothing newer than 8), compiled or header-only.
//
//   #include <mailwire/fmt.hpp>
//   fmt::print("{}\n", ev);                 // command @0: MAIL FROM:<a@b.example> SIZE=10
//   fmt::print("{:<24}|\n", ev.command.path);
//
// Every formatter takes the string format specification (fill, alignment,
// width, precision), applied to the whole text (a precision counts the
// escaped text, so it may cut an escape). What a peer sent is printed
// escaped: as \xHH go the octets below 0x20 and 0x7F, those that are not
// part of well-formed UTF-8, those of code points that change how a log line
// reads (C1 controls such as U+0085 NEL and U+009B CSI, spaces other than SP,
// invisible formatting characters, U+2028, U+2029, the bidirectional
// controls), and a backslash before an "x", so that \xHH in
// the output always stands for an escaped octet. A hostile line cannot forge
// a log line or send a terminal sequence (`mailwire::escaped(text)` does the
// same for any text of yours). What the formatter adds to the peer's text
// (kind, offset, notes in parentheses) comes before it. Credentials are not
// printed: the initial response of AUTH, PASS's password, APOP's digest and
// SASL response lines are shown as [hidden] or by their size, and the
// parsers keep them out of error details (docs/security.md §8 says what a
// parser cannot tell apart).
//
// Values (`{}`):
//   errc                      its name: "line_too_long"
//   reply_hint                "501 5.1.3 Bad address syntax"
//   sasl_mechanism            "PLAIN", "SCRAM-SHA-256", ...
//   smtp::verb, pop3::verb    "MAIL", "RETR"; "unknown" for verb::unknown
//   smtp::path                "<local@domain>", "<>", "<Postmaster>", as parsed (a
//                             source route, which the parser drops, is not shown)
//   smtp::parameter           "KEYWORD=value" or "KEYWORD", as received
//   smtp::parameter_list      the parameters separated by a space
//   smtp::enhanced_code       "2.1.0"; empty when absent
//   smtp::command             the command line as parsed (upper-case verb)
//   pop3::command             likewise
//   pop3::response_status     "+OK" or "-ERR"
//   pop3::response_code       "[SYS/TEMP]"; empty when absent
//   dot::body_flags           "body_bare_lf, body_nul"; "none"
//   the event kinds           their enumerator names: "need_more", "data_end"
// Events (the four parsers' and dot::decoder_event), one line each: the
// kind, "@" the stream offset, then what the event holds, e.g.
// "error @120: invalid_path (501 5.1.3): <a@@b>",
// "response @19 (CAPA, multi-line): +OK".

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "mailwire/core/error.hpp"
#include "mailwire/core/sasl_mechanism.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/response.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"
#include "mailwire/smtp/server_parser.hpp"

namespace mailwire {

/// Text to be printed escaped (see the top of this header).
struct escaped_text {
  std::string_view text;
};

constexpr escaped_text escaped(std::string_view text) noexcept { return {text}; }

namespace detail::fmt_support {

using out = ::fmt::appender;

inline out put(out o, std::string_view s) {
  for (const char c : s) *o++ = c;
  return o;
}

inline constexpr char hex_digits[] = "0123456789ABCDEF";

/// Code points that are well-formed but change how a log reads: C1 controls
/// (U+0085 NEL, U+009B CSI), spaces other than SP (a no-break space passes
/// for a separator), invisible formatting characters (soft hyphen, zero
/// widths, joiners, BOM), the line and paragraph separators, and the
/// bidirectional marks, embeddings, overrides and isolates.
constexpr bool disguising(std::uint32_t cp) noexcept {
  return (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || cp == 0x061C || cp == 0x1680 || cp == 0x180E ||
         (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
         (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF;
}

/// `s` with every octet that could forge or disguise a log line as \xHH:
/// C0 controls, DEL, the octets of disguising() code points, octets that are
/// not well-formed UTF-8, and a backslash before an "x" (so that \xHH in the
/// output always stands for an escaped octet).
inline out put_escaped(out o, std::string_view s) {
  const auto put_hex = [&o](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    *o++ = '\\';
    *o++ = 'x';
    *o++ = hex_digits[c >> 4];
    *o++ = hex_digits[c & 0xF];
  };
  while (!s.empty()) {
    const std::size_t valid = utf8::valid_prefix(s);
    for (std::size_t i = 0; i < valid;) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c < 0x80) {
        if (c < 0x20 || c == 0x7F || (c == '\\' && i + 1 < s.size() && s[i + 1] == 'x'))
          put_hex(s[i]);
        else
          *o++ = s[i];
        ++i;
        continue;
      }
      // A well-formed sequence: its length from the lead octet.
      const std::size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      std::uint32_t cp = c & (0x7Fu >> n);
      for (std::size_t k = 1; k < n; ++k)
        cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
      for (std::size_t k = 0; k < n; ++k) {
        if (disguising(cp))
          put_hex(s[i + k]);
        else
          *o++ = s[i + k];
      }
      i += n;
    }
    if (valid == s.size()) break;
    put_hex(s[valid]);  // not well-formed UTF-8
    s.remove_prefix(valid + 1);
  }
  return o;
}

inline out put(out o, const escaped_text& t) { return put_escaped(o, t.text); }

inline out put_number(out o, std::uint64_t n) { return ::fmt::format_to(o, "{}", n); }

// label(): what an enumeration prints.
constexpr std::string_view label(errc e) noexcept { return mailwire::name(e); }
constexpr std::string_view label(sasl_mechanism m) noexcept { return mailwire::name(m); }
constexpr std::string_view label(smtp::verb v) noexcept {
  return v == smtp::verb::unknown ? "unknown" : smtp::name(v);
}
constexpr std::string_view label(pop3::verb v) noexcept {
  return v == pop3::verb::unknown ? "unknown" : pop3::name(v);
}

inline out put(out o, const smtp::path& p) {
  *o++ = '<';
  if (p.kind != smtp::path_kind::null) o = put_escaped(o, p.local_part);
  if (p.kind == smtp::path_kind::mailbox) {
    *o++ = '@';
    o = put_escaped(o, p.domain);
  }
  *o++ = '>';
  return o;
}

inline out put(out o, const smtp::parameter& p) {
  o = put_escaped(o, p.keyword);
  if (!p.has_value) return o;
  *o++ = '=';
  return put_escaped(o, p.value);
}

inline out put(out o, const smtp::parameter_list& list) {
  bool first = true;
  for (const smtp::parameter& p : list) {
    if (!first) *o++ = ' ';
    first = false;
    o = put(o, p);
  }
  return o;
}

inline out put(out o, const smtp::enhanced_code& e) {
  char text[smtp::enhanced_code::max_size];
  return put(o, std::string_view(text, e.to_chars(text)));
}

/// " " and the argument, escaped, if there is one.
inline out put_argument(out o, std::string_view argument) {
  if (argument.empty()) return o;
  *o++ = ' ';
  return put_escaped(o, argument);
}

inline out put(out o, const smtp::command& c) {
  using smtp::verb;
  if (c.verb == verb::unknown) return put_argument(put_escaped(o, c.verb_text), c.argument);
  o = put(o, smtp::name(c.verb));
  switch (c.verb) {
    case verb::mail:
    case verb::rcpt:
      o = put(put(o, c.verb == verb::mail ? " FROM:" : " TO:"), c.path);
      if (c.parameters.count() != 0) o = put(put(o, " "), c.parameters);
      return o;
    case verb::bdat: o = put_number(put(o, " "), c.chunk_size); return c.last ? put(o, " LAST") : o;
    case verb::auth:
      o = put_argument(o, c.mechanism);
      return c.has_initial_response ? put(o, " [hidden]") : o;
    case verb::unknown:
    case verb::helo:
    case verb::ehlo:
    case verb::lhlo:
    case verb::data:
    case verb::rset:
    case verb::vrfy:
    case verb::expn:
    case verb::help:
    case verb::noop:
    case verb::quit:
    case verb::starttls:
    case verb::etrn: break;
  }
  return put_argument(o, c.argument);
}

inline out put(out o, const pop3::command& c) {
  using pop3::verb;
  if (c.verb == verb::unknown) return put_argument(put_escaped(o, c.verb_text), c.argument);
  o = put(o, pop3::name(c.verb));
  switch (c.verb) {
    case verb::user: return put_argument(o, c.name);
    case verb::pass: return put(o, " [hidden]");
    case verb::apop: return put(put_argument(o, c.name), " [hidden]");
    case verb::auth:
      o = put_argument(o, c.mechanism);
      return c.has_initial_response ? put(o, " [hidden]") : o;
    case verb::list:
    case verb::uidl:
    case verb::retr:
    case verb::dele:
    case verb::top:
      if (c.has_message) o = put_number(put(o, " "), c.message);
      return c.verb == verb::top ? put_number(put(o, " "), c.lines) : o;
    case verb::lang: return put_argument(o, c.language);
    case verb::unknown:
    case verb::stls:
    case verb::capa:
    case verb::utf8:
    case verb::stat:
    case verb::noop:
    case verb::rset:
    case verb::quit: break;
  }
  return o;
}

constexpr std::string_view label(smtp::server_event_kind k) noexcept {
  using smtp::server_event_kind;
  switch (k) {
    case server_event_kind::need_more: return "need_more";
    case server_event_kind::command: return "command";
    case server_event_kind::data: return "data";
    case server_event_kind::data_end: return "data_end";
    case server_event_kind::sasl_data: return "sasl_data";
    case server_event_kind::sasl_end: return "sasl_end";
    case server_event_kind::error: return "error";
  }
  return "";
}

constexpr std::string_view label(smtp::client_event_kind k) noexcept {
  using smtp::client_event_kind;
  switch (k) {
    case client_event_kind::need_more: return "need_more";
    case client_event_kind::line: return "line";
    case client_event_kind::reply: return "reply";
    case client_event_kind::error: return "error";
  }
  return "";
}

constexpr std::string_view label(pop3::server_event_kind k) noexcept {
  using pop3::server_event_kind;
  switch (k) {
    case server_event_kind::need_more: return "need_more";
    case server_event_kind::command: return "command";
    case server_event_kind::sasl_data: return "sasl_data";
    case server_event_kind::sasl_end: return "sasl_end";
    case server_event_kind::error: return "error";
  }
  return "";
}

constexpr std::string_view label(pop3::client_event_kind k) noexcept {
  using pop3::client_event_kind;
  switch (k) {
    case client_event_kind::need_more: return "need_more";
    case client_event_kind::response: return "response";
    case client_event_kind::challenge: return "challenge";
    case client_event_kind::list_item: return "list_item";
    case client_event_kind::uidl_item: return "uidl_item";
    case client_event_kind::capability: return "capability";
    case client_event_kind::line: return "line";
    case client_event_kind::data: return "data";
    case client_event_kind::end: return "end";
    case client_event_kind::error: return "error";
  }
  return "";
}

constexpr std::string_view label(dot::event_kind k) noexcept {
  switch (k) {
    case dot::event_kind::need_more: return "need_more";
    case dot::event_kind::data: return "data";
    case dot::event_kind::end: return "end";
    case dot::event_kind::error: return "error";
  }
  return "";
}

constexpr std::string_view label(pop3::response_status s) noexcept {
  return s == pop3::response_status::ok ? "+OK" : "-ERR";
}

/// "kind @offset".
template <class Kind>
out put_head(out o, Kind kind, std::uint64_t offset) {
  return put_number(put(put(o, label(kind)), " @"), offset);
}

/// " n octets" / " n lines": a count and its noun.
inline out put_count(out o, std::uint64_t n, std::string_view singular) {
  o = put(put_number(put(o, " "), n), " ");
  o = put(o, singular);
  return n == 1 ? o : put(o, "s");
}

/// ": n octets".
inline out put_octets(out o, std::uint64_t n) { return put_count(put(o, ":"), n, "octet"); }

/// " (a, b)" of the annotations that are not empty; nothing if none is.
inline out put_notes(out o, std::string_view a, std::string_view b = {}) {
  if (a.empty() && b.empty()) return o;
  o = put(put(o, " ("), a);
  if (!a.empty() && !b.empty()) o = put(o, ", ");
  return put(put(o, b), ")");
}

/// ": detail", escaped, if there is one.
inline out put_detail(out o, std::string_view detail) {
  return detail.empty() ? o : put_escaped(put(o, ": "), detail);
}

inline out put(out o, const reply_hint& r) {
  o = put_number(o, r.code);
  if (!r.enhanced.empty()) o = put(put(o, " "), r.enhanced);
  return r.text.empty() ? o : put(put(o, " "), r.text);
}

inline out put(out o, const dot::body_flags& flags) {
  if (!flags.any()) return put(o, "none");
  bool first = true;
  for (auto e = static_cast<int>(errc::body_bare_cr);
       e <= static_cast<int>(errc::message_too_large); ++e) {
    if (!flags.has(static_cast<errc>(e))) continue;
    if (!first) o = put(o, ", ");
    first = false;
    o = put(o, mailwire::name(static_cast<errc>(e)));
  }
  return o;
}

inline out put(out o, const pop3::response_code& c) {
  return c.present() ? put(put_escaped(put(o, "["), c.text), "]") : o;
}

inline out put(out o, const dot::decoder_event& ev) {
  o = put_head(o, ev.kind, ev.offset);
  switch (ev.kind) {
    case dot::event_kind::need_more: break;
    case dot::event_kind::data: o = put_octets(o, ev.bytes.size()); break;
    case dot::event_kind::end:
      o = put_octets(o, ev.size);
      if (ev.error != errc{}) o = put(put(o, ", "), mailwire::name(ev.error));
      break;
    case dot::event_kind::error: o = put(put(o, ": "), mailwire::name(ev.error)); break;
  }
  return o;
}

inline out put(out o, const smtp::server_event& ev) {
  using smtp::server_event_kind;
  o = put_head(o, ev.kind, ev.offset);
  switch (ev.kind) {
    case server_event_kind::need_more: break;
    case server_event_kind::command: o = put(put(o, ": "), ev.command); break;
    case server_event_kind::data:
    case server_event_kind::sasl_data: o = put_octets(o, ev.bytes.size()); break;
    case server_event_kind::data_end:
      o = put_octets(o, ev.size);
      if (ev.chunk) o = put(o, ev.last ? ", last chunk" : ", chunk");
      if (ev.error != errc{}) o = put(put(o, ", "), mailwire::name(ev.error));
      break;
    case server_event_kind::sasl_end:
      if (ev.cancelled) o = put(o, ": cancelled");
      break;
    case server_event_kind::error: {
      o = put(put(o, ": "), mailwire::name(ev.error));
      // The suggested code, but none for bytes behind STARTTLS: never answered.
      const bool answered = ev.error != errc::data_after_starttls;
      if (answered || ev.fatal) {
        o = put(o, " (");
        if (answered) {
          const reply_hint r = ev.reply();
          o = put_number(o, r.code);
          if (!r.enhanced.empty()) o = put(put(o, " "), r.enhanced);
        }
        if (ev.fatal) o = put(o, answered ? ", fatal" : "fatal");
        o = put(o, ")");
      }
      o = put_detail(o, ev.detail);
      break;
    }
  }
  return o;
}

inline out put(out o, const smtp::client_event& ev) {
  using smtp::client_event_kind;
  o = put_head(o, ev.kind, ev.offset);
  switch (ev.kind) {
    case client_event_kind::need_more: break;
    case client_event_kind::line:
      o = put_number(put(o, ": "), ev.code);
      *o++ = ev.last ? ' ' : '-';
      if (ev.enhanced.present()) o = put(put(o, ev.enhanced), " ");
      o = put_escaped(o, ev.text);
      break;
    case client_event_kind::reply:
      o = put_number(put(o, ": "), ev.code);
      o = put_count(put(o, ","), ev.lines, "line");
      break;
    case client_event_kind::error:
      o = put_detail(put(put(o, ": "), mailwire::name(ev.error)), ev.text);
      break;
  }
  return o;
}

inline out put(out o, const pop3::server_event& ev) {
  using pop3::server_event_kind;
  o = put_head(o, ev.kind, ev.offset);
  switch (ev.kind) {
    case server_event_kind::need_more: break;
    case server_event_kind::command: o = put(put(o, ": "), ev.command); break;
    case server_event_kind::sasl_data: o = put_octets(o, ev.bytes.size()); break;
    case server_event_kind::sasl_end:
      if (ev.cancelled) o = put(o, ": cancelled");
      break;
    case server_event_kind::error: {
      o = put(put(o, ": "), mailwire::name(ev.error));
      // The reply's text (fixed, never peer text), but none for bytes behind
      // STLS: never answered.
      if (ev.error != errc::data_after_starttls) o = put(put(put(o, " (-ERR "), ev.reply()), ")");
      o = put_detail(o, ev.detail);
      break;
    }
  }
  return o;
}

inline out put(out o, const pop3::client_event& ev) {
  using pop3::client_event_kind;
  o = put_head(o, ev.kind, ev.offset);
  switch (ev.kind) {
    case client_event_kind::need_more: break;
    case client_event_kind::response:
      // What it answers and whether a body follows, before the peer's text.
      o = put_notes(o,
                    ev.greeting                      ? "greeting"
                    : ev.verb == pop3::verb::unknown ? ""
                                                     : pop3::name(ev.verb),
                    ev.multi_line ? "multi-line" : "");
      o = put(put(o, ": "), label(ev.status));
      if (ev.code.present()) o = put(put(o, " "), ev.code);
      o = put_argument(o, ev.text);
      break;
    case client_event_kind::list_item:
      o = put_number(put(put_number(put(o, ": "), ev.number), " "), ev.size);
      break;
    case client_event_kind::uidl_item:
      o = put_escaped(put(put_number(put(o, ": "), ev.number), " "), ev.uid);
      break;
    case client_event_kind::capability:
      o = put_argument(put_escaped(put(o, ": "), ev.capability_tag()), ev.text);
      break;
    case client_event_kind::challenge:
    case client_event_kind::line: o = put_escaped(put(o, ": "), ev.text); break;
    case client_event_kind::data: o = put_octets(o, ev.text.size()); break;
    case client_event_kind::end:
      // RETR and TOP: the content's size (and its earliest flag); listings:
      // their lines.
      if (ev.verb == pop3::verb::retr || ev.verb == pop3::verb::top) {
        o = put_octets(o, ev.size);
        if (ev.error != errc{}) o = put(put(o, ", "), mailwire::name(ev.error));
      } else {
        o = put_count(put(o, ":"), ev.lines, "line");
      }
      break;
    case client_event_kind::error:
      o = put_detail(put(put(o, ": "), mailwire::name(ev.error)), ev.text);
      break;
  }
  return o;
}

/// The string specification (fill, alignment, width, precision) applied to
/// a text.
struct string_formatter : ::fmt::formatter<::fmt::string_view> {
  template <class Context>
  auto format_string(std::string_view text, Context& ctx) const -> decltype(ctx.out()) {
    return ::fmt::formatter<::fmt::string_view>::format(
        ::fmt::string_view(text.data(), text.size()), ctx);
  }
};

/// An enumeration: its label().
template <class Enum>
struct label_formatter : string_formatter {
  template <class Context>
  auto format(Enum value, Context& ctx) const -> decltype(ctx.out()) {
    return format_string(label(value), ctx);
  }
};

/// A value: the text put() writes (composed, escaped where it came from the
/// wire), in a buffer first so that the specification applies to all of it.
template <class T>
struct text_formatter : string_formatter {
  template <class Context>
  auto format(const T& value, Context& ctx) const -> decltype(ctx.out()) {
    ::fmt::basic_memory_buffer<char, 256> buffer;
    put(out(buffer), value);
    return format_string(std::string_view(buffer.data(), buffer.size()), ctx);
  }
};

}  // namespace detail::fmt_support
}  // namespace mailwire

// clang-format off
template <> struct fmt::formatter<mailwire::errc>
    : mailwire::detail::fmt_support::label_formatter<mailwire::errc> {};
template <> struct fmt::formatter<mailwire::sasl_mechanism>
    : mailwire::detail::fmt_support::label_formatter<mailwire::sasl_mechanism> {};
template <> struct fmt::formatter<mailwire::smtp::verb>
    : mailwire::detail::fmt_support::label_formatter<mailwire::smtp::verb> {};
template <> struct fmt::formatter<mailwire::pop3::verb>
    : mailwire::detail::fmt_support::label_formatter<mailwire::pop3::verb> {};
template <> struct fmt::formatter<mailwire::pop3::response_status>
    : mailwire::detail::fmt_support::label_formatter<mailwire::pop3::response_status> {};
template <> struct fmt::formatter<mailwire::smtp::server_event_kind>
    : mailwire::detail::fmt_support::label_formatter<mailwire::smtp::server_event_kind> {};
template <> struct fmt::formatter<mailwire::smtp::client_event_kind>
    : mailwire::detail::fmt_support::label_formatter<mailwire::smtp::client_event_kind> {};
template <> struct fmt::formatter<mailwire::pop3::server_event_kind>
    : mailwire::detail::fmt_support::label_formatter<mailwire::pop3::server_event_kind> {};
template <> struct fmt::formatter<mailwire::pop3::client_event_kind>
    : mailwire::detail::fmt_support::label_formatter<mailwire::pop3::client_event_kind> {};
template <> struct fmt::formatter<mailwire::dot::event_kind>
    : mailwire::detail::fmt_support::label_formatter<mailwire::dot::event_kind> {};

template <> struct fmt::formatter<mailwire::escaped_text>
    : mailwire::detail::fmt_support::text_formatter<mailwire::escaped_text> {};
template <> struct fmt::formatter<mailwire::reply_hint>
    : mailwire::detail::fmt_support::text_formatter<mailwire::reply_hint> {};
template <> struct fmt::formatter<mailwire::dot::body_flags>
    : mailwire::detail::fmt_support::text_formatter<mailwire::dot::body_flags> {};
template <> struct fmt::formatter<mailwire::dot::decoder_event>
    : mailwire::detail::fmt_support::text_formatter<mailwire::dot::decoder_event> {};
template <> struct fmt::formatter<mailwire::pop3::response_code>
    : mailwire::detail::fmt_support::text_formatter<mailwire::pop3::response_code> {};
template <> struct fmt::formatter<mailwire::smtp::path>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::path> {};
template <> struct fmt::formatter<mailwire::smtp::parameter>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::parameter> {};
template <> struct fmt::formatter<mailwire::smtp::parameter_list>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::parameter_list> {};
template <> struct fmt::formatter<mailwire::smtp::enhanced_code>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::enhanced_code> {};
template <> struct fmt::formatter<mailwire::smtp::command>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::command> {};
template <> struct fmt::formatter<mailwire::smtp::server_event>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::server_event> {};
template <> struct fmt::formatter<mailwire::smtp::client_event>
    : mailwire::detail::fmt_support::text_formatter<mailwire::smtp::client_event> {};
template <> struct fmt::formatter<mailwire::pop3::command>
    : mailwire::detail::fmt_support::text_formatter<mailwire::pop3::command> {};
template <> struct fmt::formatter<mailwire::pop3::server_event>
    : mailwire::detail::fmt_support::text_formatter<mailwire::pop3::server_event> {};
template <> struct fmt::formatter<mailwire::pop3::client_event>
    : mailwire::detail::fmt_support::text_formatter<mailwire::pop3::client_event> {};
// clang-format on
