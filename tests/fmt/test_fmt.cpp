// The optional {fmt} formatters (mailwire/fmt.hpp): what each public type
// prints, that wire text is escaped, that credentials never appear, and that
// the string specification applies to the whole text.

#include <mailwire/fmt.hpp>
#include <mailwire/mailwire.hpp>

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

using namespace mailwire;

namespace {

template <class Parser, class Done>
std::vector<std::string> events_of(Parser& p, std::string_view input, Done need_more) {
  p.feed(input);
  p.feed_eof();
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    const auto& ev = p.next();
    out.push_back(fmt::format("{}", ev));
    if (need_more(ev)) return out;
  }
  FAIL("parser does not stop");
  return out;
}

std::vector<std::string> smtp_server_events(std::string_view input) {
  smtp::server_parser<> p;
  return events_of(p, input, [&p](const smtp::server_event& ev) {
    if (ev.kind == smtp::server_event_kind::command && ev.command.verb == smtp::verb::data)
      (void)p.accept_data();
    if (ev.kind == smtp::server_event_kind::command && ev.command.verb == smtp::verb::auth &&
        !ev.command.has_initial_response)
      p.expect_sasl_response();
    return ev.kind == smtp::server_event_kind::need_more;
  });
}

smtp::path path_of(std::string_view text) {
  smtp::path_options o;
  o.allow_null = true;
  o.allow_postmaster = true;
  o.utf8 = true;
  const smtp::path_result r = smtp::parse_path(text, o);
  REQUIRE(r.ok());
  return r.path;
}

smtp::parameter_list parameters_of(std::string_view text) {
  const smtp::parameter_parse_result r = smtp::parse_parameters(text);
  REQUIRE(r.ok());
  return r.list;
}

}  // namespace

TEST_CASE("fmt: errc, SASL mechanisms and verbs print their names", "[fmt]") {
  CHECK(fmt::format("{}", errc::line_too_long) == "line_too_long");
  CHECK(fmt::format("{}", errc::smtputf8_required) == "smtputf8_required");
  CHECK(fmt::format("{}", sasl_mechanism::plain) == "PLAIN");
  CHECK(fmt::format("{}", smtp::verb::starttls) == "STARTTLS");
  CHECK(fmt::format("{}", smtp::verb::unknown) == "unknown");
  CHECK(fmt::format("{}", pop3::verb::top) == "TOP");
  CHECK(fmt::format("{}", pop3::verb::unknown) == "unknown");
  CHECK(fmt::format("{} {}", pop3::response_status::ok, pop3::response_status::err) == "+OK -ERR");
  CHECK(fmt::format("{}", smtp::server_event_kind::data_end) == "data_end");
  CHECK(fmt::format("{}", smtp::client_event_kind::reply) == "reply");
  CHECK(fmt::format("{}", pop3::server_event_kind::sasl_end) == "sasl_end");
  CHECK(fmt::format("{}", pop3::client_event_kind::uidl_item) == "uidl_item");
}

TEST_CASE("fmt: the string specification applies to the whole text", "[fmt]") {
  CHECK(fmt::format("[{:>8}]", smtp::verb::mail) == "[    MAIL]");
  CHECK(fmt::format("[{:*^9}]", errc{}) == fmt::format("[{:*^9}]", name(errc{})));
  CHECK(fmt::format("[{:<14}]", path_of("<a@b.example>")) == "[<a@b.example> ]");
  CHECK(fmt::format("[{:.4}]", path_of("<a@b.example>")) == "[<a@b]");
  CHECK(fmt::format("[{:>6}]", escaped("\r")) == "[  \\x0D]");
}

TEST_CASE("fmt: escaped() shows controls, DEL and malformed UTF-8 as \\xHH", "[fmt]") {
  CHECK(fmt::format("{}", escaped("plain text")) == "plain text");
  CHECK(fmt::format("{}", escaped(std::string_view("a\0b", 3))) == "a\\x00b");
  CHECK(fmt::format("{}", escaped("\r\n\t\x1b[2J\x7f")) == "\\x0D\\x0A\\x09\\x1B[2J\\x7F");
  CHECK(fmt::format("{}", escaped("caf\xc3\xa9 \xe2\x82\xac")) == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(fmt::format("{}", escaped("\xff\xc3")) == "\\xFF\\xC3");           // bad, truncated
  CHECK(fmt::format("{}", escaped("\xc0\xaf/")) == "\\xC0\\xAF/");         // overlong
  CHECK(fmt::format("{}", escaped("\xed\xa0\x80")) == "\\xED\\xA0\\x80");  // surrogate
  CHECK(fmt::format("{}", escaped("a\\b")) == "a\\b");  // a backslash stays as it is
  CHECK(fmt::format("{}", escaped("")) == "");
}

TEST_CASE("fmt: escaped() also shows code points that disguise a log line", "[fmt]") {
  // C1 controls: U+0085 NEL (a line break to some readers), U+009B CSI.
  CHECK(fmt::format("{}", escaped("a\xc2\x85"
                                  "b\xc2\x9b"
                                  "2J")) == "a\\xC2\\x85b\\xC2\\x9B2J");
  // Line and paragraph separators, bidirectional overrides, isolates, marks.
  CHECK(fmt::format("{}", escaped("\xe2\x80\xa8\xe2\x80\xa9")) == "\\xE2\\x80\\xA8\\xE2\\x80\\xA9");
  CHECK(fmt::format("{}", escaped("x\xe2\x80\xaey")) == "x\\xE2\\x80\\xAEy");
  CHECK(fmt::format("{}", escaped("\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c")) ==
        "\\xE2\\x81\\xA6\\xE2\\x81\\xA9\\xE2\\x80\\x8F\\xD8\\x9C");
  // Spaces other than SP and invisible characters: a no-break space passes
  // for a separator ("APOP a<NBSP>[hidden]" would imitate an annotation).
  CHECK(fmt::format("{}", escaped("a\xc2\xa0[hidden]")) == "a\\xC2\\xA0[hidden]");
  CHECK(fmt::format("{}", escaped("\xe2\x80\x8b\xef\xbb\xbf\xc2\xad\xe3\x80\x80")) ==
        "\\xE2\\x80\\x8B\\xEF\\xBB\\xBF\\xC2\\xAD\\xE3\\x80\\x80");
  // Their neighbours are ordinary text: U+00A1, U+2010, U+2070, U+3001.
  CHECK(fmt::format("{}", escaped("\xc2\xa1\xe2\x80\x90\xe2\x81\xb0\xe3\x80\x81")) ==
        "\xc2\xa1\xe2\x80\x90\xe2\x81\xb0\xe3\x80\x81");
  // \xHH in the output always stands for an escaped octet: a backslash the
  // peer sent before an "x" is escaped itself.
  CHECK(fmt::format("{}", escaped("\\x0D")) == "\\x5Cx0D");
  CHECK(fmt::format("{}", escaped("\\\\x")) == "\\\\x5Cx");
  CHECK(fmt::format("{}", escaped("\\")) == "\\");
}

TEST_CASE("fmt: paths print as received, in angle brackets (RFC 5321 §4.1.2)", "[fmt]") {
  CHECK(fmt::format("{}", path_of("<>")) == "<>");
  CHECK(fmt::format("{}", path_of("<postMaster>")) == "<postMaster>");
  CHECK(fmt::format("{}", path_of("<a.b+tag@Example.ORG>")) == "<a.b+tag@Example.ORG>");
  CHECK(fmt::format("{}", path_of("<\"john q\\\"\"@example.org>")) ==
        "<\"john q\\\"\"@example.org>");
  CHECK(fmt::format("{}", path_of("<a@[IPv6:2001:db8::1]>")) == "<a@[IPv6:2001:db8::1]>");
  CHECK(fmt::format("{}", path_of("<@relay.example:a@b.example>")) == "<a@b.example>");
  CHECK(fmt::format("{}", path_of("<j\xc3\xb6rg@b\xc3\xbc"
                                  "cher.example>")) ==
        "<j\xc3\xb6rg@b\xc3\xbc"
        "cher.example>");
  // A path a caller built by hand is escaped like any wire text.
  smtp::path built;
  built.kind = smtp::path_kind::mailbox;
  built.local_part = "a\r\nRCPT";
  built.domain = "b";
  CHECK(fmt::format("{}", built) == "<a\\x0D\\x0ARCPT@b>");
}

TEST_CASE("fmt: ESMTP parameters print as received (RFC 5321 §4.1.2)", "[fmt]") {
  const smtp::parameter_list list =
      parameters_of("SIZE=1000 body=8BITMIME SMTPUTF8 ENVID=QQ+2B1 X-FOO=bar");
  CHECK(fmt::format("{}", list) == "SIZE=1000 body=8BITMIME SMTPUTF8 ENVID=QQ+2B1 X-FOO=bar");
  std::vector<std::string> each;
  for (const smtp::parameter& p : list) each.push_back(fmt::format("{}", p));
  CHECK(each == std::vector<std::string>{"SIZE=1000", "body=8BITMIME", "SMTPUTF8", "ENVID=QQ+2B1",
                                         "X-FOO=bar"});
  CHECK(fmt::format("[{}]", smtp::parameter_list{}) == "[]");
}

TEST_CASE("fmt: suggested replies, body flags and POP3 response codes", "[fmt]") {
  CHECK(fmt::format("{}", suggested_reply(errc::invalid_path)) ==
        "501 5.1.3 " + std::string(suggested_reply(errc::invalid_path).text));
  CHECK(fmt::format("{}", reply_hint{421, "", "closing"}) == "421 closing");
  dot::body_flags flags;
  CHECK(fmt::format("{}", flags) == "none");
  flags.set(errc::body_nul);
  flags.set(errc::body_bare_cr);
  CHECK(fmt::format("{}", flags) == "body_bare_cr, body_nul");
  CHECK(fmt::format("[{}]", pop3::response_code{}) == "[]");
  CHECK(fmt::format("{}", pop3::response_code{pop3::response_code_kind::sys_temp, "SYS/TEMP"}) ==
        "[SYS/TEMP]");
}

TEST_CASE("fmt: dot::decoder events (RFC 5321 §4.5.2)", "[fmt]") {
  dot::decoder d;
  const std::vector<std::string> events =
      events_of(d, "a\r\n..b\nc\r\n.\r\n", [](const dot::decoder_event& ev) {
        return ev.kind == dot::event_kind::need_more || ev.kind == dot::event_kind::end;
      });
  REQUIRE(events.size() >= 2);
  CHECK(events.front().rfind("data @0: ", 0) == 0);
  CHECK(events.back() == "end @13: 9 octets, body_bare_lf");
  dot::decoder cut;
  CHECK(events_of(cut, "abc", [](const dot::decoder_event& ev) {
          return ev.kind == dot::event_kind::need_more;
        }).back() == "need_more @3");
}

TEST_CASE("fmt: enhanced status codes print as class.subject.detail (RFC 3463 §2)", "[fmt]") {
  CHECK(fmt::format("{}", smtp::enhanced_code{2, 1, 0}) == "2.1.0");
  CHECK(fmt::format("{}", smtp::enhanced_code{5, 999, 999}) == "5.999.999");
  CHECK(fmt::format("[{}]", smtp::enhanced_code{}) == "[]");
}

TEST_CASE("fmt: SMTP commands print as parsed, verb in upper case (RFC 5321 §4.1.1)", "[fmt]") {
  const std::vector<std::string> events = smtp_server_events(
      "ehlo client.example\r\n"
      "mail from:<a@b.example> size=10 BODY=7BIT\r\n"
      "RCPT TO:<>\r\n"
      "RCPT TO:<c@d.example>\r\n"
      "VRFY Smith\r\n"
      "BDAT 0 LAST\r\n"
      "BDAT 2\r\nxy"
      "STARTTLS\r\n");
  CHECK(events == std::vector<std::string>{
                      "command @0: EHLO client.example",
                      "command @21: MAIL FROM:<a@b.example> size=10 BODY=7BIT",
                      "error @64: null_path_not_allowed (501 5.1.3): <>",
                      "command @76: RCPT TO:<c@d.example>",
                      "command @99: VRFY Smith",
                      "command @111: BDAT 0 LAST",
                      "data_end @124: 0 octets, last chunk",
                      "command @124: BDAT 2",
                      "data @132: 2 octets",
                      "data_end @134: 2 octets, chunk",
                      "command @134: STARTTLS",
                      "need_more @144",
                  });
}

TEST_CASE("fmt: an unknown SMTP command prints escaped as received", "[fmt]") {
  const std::vector<std::string> events = smtp_server_events("XYZZY a\tb \xff\r\n");
  REQUIRE(events.size() == 2);
  CHECK(events[0] == "error @0: unknown_command (500 5.5.1): XYZZY");
  smtp::command c;
  c.verb_text = "X\x1b";
  c.argument = "1 \xc3";
  CHECK(fmt::format("{}", c) == "X\\x1B 1 \\xC3");
}

TEST_CASE("fmt: SMTP AUTH never prints credentials (RFC 4954 §4)", "[fmt]") {
  // "\0user\0secret" in base64, as an initial response and as a response line.
  const std::string secret = "AHVzZXIAc2VjcmV0";
  const std::vector<std::string> events = smtp_server_events(
      "AUTH PLAIN " + secret + "\r\nAUTH LOGIN\r\n" + secret + "\r\n" + "AUTH PLAIN\r\n*\r\n");
  CHECK(events == std::vector<std::string>{
                      "command @0: AUTH PLAIN [hidden]",
                      "command @29: AUTH LOGIN",
                      "sasl_data @41: 16 octets",
                      "sasl_end @41",
                      "command @59: AUTH PLAIN",
                      "sasl_end @71: cancelled",
                      "need_more @74",
                  });
  for (const std::string& e : events) CHECK(e.find(secret) == std::string::npos);
}

TEST_CASE("fmt: SMTP DATA bodies print their size, not their content (RFC 5321 §4.1.1.4)",
          "[fmt]") {
  const std::vector<std::string> events =
      smtp_server_events("DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nDATA\r\nbare\nLF\r\n.\r\n");
  CHECK(events == std::vector<std::string>{
                      "command @0: DATA",
                      "data @6: 18 octets",
                      "data_end @27: 18 octets",
                      "command @27: DATA",
                      "data @33: 9 octets",
                      "data_end @45: 9 octets, body_bare_lf",
                      "need_more @45",
                  });
}

TEST_CASE("fmt: SMTP server errors print name, suggested reply and detail", "[fmt]") {
  const std::vector<std::string> events =
      smtp_server_events("MAIL FROM:<a@b.example> SIZE=x\r\nHELO\r\nRCPT TO:<a\r\n");
  CHECK(events == std::vector<std::string>{
                      "error @0: invalid_parameter_value (501 5.5.4): SIZE=x",
                      "error @32: missing_argument (501 5.5.4)",
                      "error @38: invalid_path (501 5.1.3): <a",
                      "need_more @50",
                  });
  // Bytes behind STARTTLS are never answered: no code to suggest.
  smtp::server_parser<> tls;
  tls.feed("STARTTLS\r\nRSET\r\n");
  CHECK(fmt::format("{}", tls.next()) == "command @0: STARTTLS");
  CHECK(fmt::format("{}", tls.next()) == "error @10: data_after_starttls");
  smtp::server_parser<> p;
  p.feed("BDAT x\r\n");
  // Fatal: the suggested reply closes the connection.
  CHECK(fmt::format("{}", p.next()) == "error @0: invalid_chunk_size (421 4.5.4, fatal): x");
}

TEST_CASE("fmt: SMTP reply lines and replies (RFC 5321 §4.2, RFC 2034)", "[fmt]") {
  smtp::client_parser<> p;
  const std::vector<std::string> events = events_of(
      p, "250-mx.example at your service\r\n250 2.1.0 OK\r\n550 x\x1b\r\nabc\r\n221 bye\r\n",
      [](const smtp::client_event& ev) { return ev.kind == smtp::client_event_kind::need_more; });
  CHECK(events == std::vector<std::string>{
                      "line @0: 250-mx.example at your service",
                      "line @32: 250 2.1.0 OK",
                      "reply @0: 250, 2 lines",
                      "error @46: control_in_reply: 550 x\\x1B",
                      "error @54: invalid_reply_code: abc",
                      "line @59: 221 bye",
                      "reply @59: 221, 1 line",
                      "need_more @68",
                  });
}

TEST_CASE("fmt: POP3 commands print as parsed, credentials hidden (RFC 1939 §7)", "[fmt]") {
  pop3::server_parser<> p;
  const std::vector<std::string> events = events_of(
      p,
      "user alice\r\npass s3cret\r\nAPOP alice c4c9334bac560ecc979e58001b3e22fb\r\n"
      "AUTH\r\nAUTH PLAIN AGFAYg==\r\nLIST\r\nlist 2\r\nTOP 3 10\r\nRETR 1\r\nLANG de\r\n"
      "STAT\r\nFROB x\r\n",
      [](const pop3::server_event& ev) { return ev.kind == pop3::server_event_kind::need_more; });
  CHECK(events == std::vector<std::string>{
                      "command @0: USER alice",
                      "command @12: PASS [hidden]",
                      "command @25: APOP alice [hidden]",
                      "command @70: AUTH",
                      "command @76: AUTH PLAIN [hidden]",
                      "command @97: LIST",
                      "command @103: LIST 2",
                      "command @111: TOP 3 10",
                      "command @121: RETR 1",
                      "command @129: LANG de",
                      "command @138: STAT",
                      "error @144: unknown_command (-ERR Unknown command): FROB",
                      "need_more @152",
                  });
  for (const std::string& e : events) {
    CHECK(e.find("s3cret") == std::string::npos);
    CHECK(e.find("c4c9334b") == std::string::npos);
    CHECK(e.find("AGFAYg") == std::string::npos);
  }
}

TEST_CASE("fmt: POP3 responses, items and bodies (RFC 1939 §5, RFC 2449 §5/§8)", "[fmt]") {
  pop3::client_parser<> p;
  REQUIRE(p.expect_greeting() == errc{});
  REQUIRE(p.expect(pop3::verb::capa, false) == errc{});
  REQUIRE(p.expect(pop3::verb::list, false) == errc{});
  REQUIRE(p.expect(pop3::verb::uidl, false) == errc{});
  REQUIRE(p.expect(pop3::verb::retr, true) == errc{});
  REQUIRE(p.expect(pop3::verb::dele, true) == errc{});
  const std::vector<std::string> events = events_of(
      p,
      "+OK ready <1.2@x>\r\n"
      "+OK\r\nSASL PLAIN\r\nSTLS\r\n.\r\n"
      "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"
      "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n"
      "+OK\r\nhi\r\n..x\r\n.\r\n"
      "-ERR [SYS/TEMP] locked\r\n",
      [](const pop3::client_event& ev) { return ev.kind == pop3::client_event_kind::need_more; });
  CHECK(events == std::vector<std::string>{
                      "response @0 (greeting): +OK ready <1.2@x>",
                      "response @19 (CAPA, multi-line): +OK",
                      "capability @24: SASL PLAIN",
                      "capability @36: STLS",
                      "end @45: 2 lines",
                      "response @45 (LIST, multi-line): +OK 2 messages",
                      "list_item @61: 1 120",
                      "list_item @68: 2 200",
                      "end @78: 2 lines",
                      "response @78 (UIDL, multi-line): +OK",
                      "uidl_item @83: 1 whqtswO00WBw418f9t5JxYwZ",
                      "end @114: 1 line",
                      "response @114 (RETR, multi-line): +OK",
                      "data @119: 4 octets",
                      "data @124: 4 octets",
                      "end @131: 8 octets",
                      "response @131 (DELE): -ERR [SYS/TEMP] locked",
                      "need_more @155",
                  });
}
