// Fuzz target: the {fmt} formatters (mailwire/fmt.hpp) on every event of a
// hostile peer's stream. Whatever the peer sends, a formatted value is safe to
// write to a log or a terminal, and credentials never appear.
//
// Input: byte 0 modulo 5 picks the parser (0 smtp::server_parser, 1
// smtp::client_parser, 2 pop3::server_parser, 3 pop3::client_parser, 4
// dot::decoder); for the
// POP3 client, byte 1 bits 0-4 is the number of commands that follow (one byte
// each: bits 0-4 the verb, modulo the verbs; bit 7 has an argument), queued
// after the greeting. The rest is the peer's byte stream, fed whole, then
// feed_eof(). The SMTP server accepts every DATA and answers every AUTH
// without an initial response with 334, as mailwire-trace does.
//
// Checked on every event and on the values in it (command, path, parameters,
// enhanced code):
// - the text holds no octet below 0x20, no 0x7F, and is well-formed UTF-8
//   without C1 controls, spaces other than SP, line or paragraph separators or
//   invisible format characters (a list written here from Unicode's General
//   Categories Cc, Zs, Zl, Zp and Cf);
// - every backslash followed by "x" starts an escape: "\x" and two
//   upper-case hex digits (so an escape in the text cannot be imitated);
// - an AUTH command with an initial response (SMTP and POP3) prints exactly
//   "AUTH <mechanism> [hidden]", PASS "PASS [hidden]", APOP
//   "APOP <name> [hidden]"; a SASL response line prints as its size;
// - a width wider than the text pads it with spaces, the text unchanged.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "mailwire/core/utf8.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/fmt.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

/// Code points that would change how a log line reads, from the Unicode
/// character database: the C1 controls (Cc), every space separator but SP
/// (Zs), U+2028 (Zl), U+2029 (Zp), and the invisible format characters
/// (Cf below U+10000: soft hyphen, ALM, Mongolian vowel separator, zero
/// widths and joiners, LRM/RLM, bidi embeddings, overrides and isolates,
/// word joiner and invisible operators, BOM). Arabic and other Cf
/// characters that are visible in context (U+0600-U+0605, U+06DD, U+070F,
/// U+08E2, U+110BD...) are left out.
bool disguising(std::uint32_t cp) {
  static constexpr std::uint32_t ranges[][2] = {
      {0x0080, 0x009F},  // Cc: C1 controls
      {0x00A0, 0x00A0},  // Zs: no-break space
      {0x00AD, 0x00AD},  // Cf: soft hyphen
      {0x061C, 0x061C},  // Cf: Arabic letter mark
      {0x1680, 0x1680},  // Zs: ogham space mark
      {0x180E, 0x180E},  // Cf: Mongolian vowel separator
      {0x2000, 0x200A},  // Zs: en quad .. hair space
      {0x200B, 0x200F},  // Cf: zero width space .. right-to-left mark
      {0x2028, 0x2028},  // Zl
      {0x2029, 0x2029},  // Zp
      {0x202A, 0x202E},  // Cf: bidi embeddings and overrides
      {0x202F, 0x202F},  // Zs: narrow no-break space
      {0x205F, 0x205F},  // Zs: medium mathematical space
      {0x2060, 0x2064},  // Cf: word joiner, invisible operators
      {0x2066, 0x206F},  // Cf: bidi isolates, deprecated format characters
      {0x3000, 0x3000},  // Zs: ideographic space
      {0xFEFF, 0xFEFF},  // Cf: zero width no-break space (BOM)
  };
  for (const auto& r : ranges)
    if (cp >= r[0] && cp <= r[1]) return true;
  return false;
}

bool upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

/// Formats `value`, checks that the text is safe to log, and returns it.
template <class T>
std::string safe(const T& value) {
  const std::string s = fmt::format("{}", value);
  FUZZ_CHECK(utf8::is_valid(s));
  for (std::size_t i = 0; i < s.size();) {
    const auto o = static_cast<unsigned char>(s[i]);
    FUZZ_CHECK(o >= 0x20 && o != 0x7F);
    if (o == '\\' && i + 1 < s.size() && s[i + 1] == 'x')
      FUZZ_CHECK(i + 3 < s.size() && upper_hex(s[i + 2]) && upper_hex(s[i + 3]));
    // Decode the (well-formed) sequence.
    const std::size_t n = o < 0x80 ? 1 : o < 0xE0 ? 2 : o < 0xF0 ? 3 : 4;
    std::uint32_t cp = n == 1 ? o : o & (0xFFu >> (n + 1));
    for (std::size_t k = 1; k < n; ++k)
      cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    FUZZ_CHECK(!disguising(cp));
    i += n;
  }
  // Right-aligned in a field wider than the text: spaces, then the text.
  const std::string padded = fmt::format("{:>{}}", value, s.size() + 3);
  const std::size_t pad = padded.size() - s.size();
  FUZZ_CHECK(padded.size() > s.size() && padded.compare(pad, std::string::npos, s) == 0 &&
             padded.find_first_not_of(' ') >= pad);
  return s;
}

std::string head(std::string_view kind, std::uint64_t offset) {
  return fmt::format("{} @{}", kind, offset);
}

std::string hidden_auth(std::string_view verb, std::string_view mechanism) {
  return fmt::format("{} {} [hidden]", verb, escaped(mechanism));
}

void smtp_server(std::string_view stream) {
  smtp::server_parser<> p;
  p.feed(stream);
  p.feed_eof();
  for (;;) {
    const smtp::server_event& ev = p.next();
    const std::string s = safe(ev);
    if (ev.kind == smtp::server_event_kind::need_more) return;
    if (ev.kind == smtp::server_event_kind::error) (void)safe(ev.reply());
    if (ev.kind == smtp::server_event_kind::sasl_data) {
      FUZZ_CHECK(s == head("sasl_data", ev.offset) + fmt::format(": {} octet{}", ev.bytes.size(),
                                                                 ev.bytes.size() == 1 ? "" : "s"));
    }
    if (ev.kind != smtp::server_event_kind::command) continue;
    const smtp::command& c = ev.command;
    const std::string text = safe(c);
    FUZZ_CHECK(s == head("command", ev.offset) + ": " + text);
    (void)safe(c.verb);
    if (c.verb == smtp::verb::mail || c.verb == smtp::verb::rcpt) {
      (void)safe(c.path);
      (void)safe(c.parameters);
      for (const smtp::parameter& param : c.parameters) (void)safe(param);
    }
    if (c.verb == smtp::verb::auth && c.has_initial_response)
      FUZZ_CHECK(text == hidden_auth("AUTH", c.mechanism));
    if (c.verb == smtp::verb::data) (void)p.accept_data();
    if (c.verb == smtp::verb::auth && !c.has_initial_response) p.expect_sasl_response();
  }
}

void smtp_client(std::string_view stream) {
  smtp::client_parser<> p;
  p.feed(stream);
  p.feed_eof();
  for (;;) {
    const smtp::client_event& ev = p.next();
    (void)safe(ev);
    (void)safe(ev.kind);
    (void)safe(ev.enhanced);
    if (ev.kind == smtp::client_event_kind::need_more) return;
  }
}

void pop3_server(std::string_view stream) {
  pop3::server_parser<> p;
  p.feed(stream);
  p.feed_eof();
  for (;;) {
    const pop3::server_event& ev = p.next();
    const std::string s = safe(ev);
    if (ev.kind == pop3::server_event_kind::need_more) return;
    if (ev.kind != pop3::server_event_kind::command) continue;
    const pop3::command& c = ev.command;
    const std::string text = safe(c);
    FUZZ_CHECK(s == head("command", ev.offset) + ": " + text);
    if (c.verb == pop3::verb::pass) FUZZ_CHECK(text == "PASS [hidden]");
    if (c.verb == pop3::verb::apop) FUZZ_CHECK(text == hidden_auth("APOP", c.name));
    if (c.verb == pop3::verb::auth && c.has_initial_response)
      FUZZ_CHECK(text == hidden_auth("AUTH", c.mechanism));
    if (c.verb == pop3::verb::auth && !c.mechanism.empty() && !c.has_initial_response)
      (void)p.expect_sasl_response();
  }
}

void dot_decoder(std::string_view stream) {
  dot::decoder d;
  d.feed(stream);
  d.feed_eof();
  for (;;) {
    const dot::decoder_event& ev = d.next();
    (void)safe(ev);
    (void)safe(ev.flags);
    if (ev.kind == dot::event_kind::need_more || ev.kind == dot::event_kind::end ||
        ev.kind == dot::event_kind::error)
      return;
  }
}

void pop3_client(std::string_view queue, std::string_view stream) {
  pop3::client_parser<> p;
  (void)p.expect_greeting();
  constexpr unsigned verbs = static_cast<unsigned>(pop3::verb::quit) + 1;
  for (const char q : queue) {
    const auto b = static_cast<unsigned char>(q);
    (void)p.expect(static_cast<pop3::verb>((b & 0x1Fu) % verbs), (b & 0x80u) != 0);
  }
  p.feed(stream);
  p.feed_eof();
  for (;;) {
    const pop3::client_event& ev = p.next();
    (void)safe(ev);
    (void)safe(ev.status);
    (void)safe(ev.code);
    if (ev.kind == pop3::client_event_kind::need_more) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  switch (data[0] % 5) {
    case 0: smtp_server(in.substr(1)); break;
    case 1: smtp_client(in.substr(1)); break;
    case 2: pop3_server(in.substr(1)); break;
    case 4: dot_decoder(in.substr(1)); break;
    default: {
      if (size < 2) return 0;
      const std::size_t n = data[1] & 0x1Fu;
      const std::string_view rest = in.substr(2);
      const std::size_t q = n < rest.size() ? n : rest.size();
      pop3_client(rest.substr(0, q), rest.substr(q));
      break;
    }
  }
  return 0;
}
