// smtp::server_parser: commands, DATA/BDAT/SASL modes, the STARTTLS barrier,
// limits and recovery. Sequences are checked through the permissive trace
// session (the JSON of docs/trace.md), whole, byte by byte and at every split.
#include <mailwire/smtp/server_parser.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/smtp_server_session.hpp"

using namespace mailwire;
using smtp::server_event;
using smtp::server_event_kind;
using smtp::verb;
using test::smtp_server_trace_of;

namespace {

/// The first event for `input` fed whole to a fresh parser.
template <class Check>
void first_event(std::string_view input, Check&& check, const smtp::server_parser_options& o = {}) {
  smtp::server_parser<> p(o);
  p.feed(input);
  check(p.next());
}

/// Just the error name of the first event ("" when it is not an error).
std::string first_error(std::string_view input, const smtp::server_parser_options& o = {}) {
  std::string e;
  first_event(
      input,
      [&](const server_event& ev) {
        if (ev.kind == server_event_kind::error) e = std::string(name(ev.error));
      },
      o);
  return e;
}

bool accepted(std::string_view line, const smtp::server_parser_options& o = {}) {
  bool ok = false;
  first_event(
      line, [&](const server_event& ev) { ok = ev.kind == server_event_kind::command; }, o);
  return ok;
}

std::vector<std::string> lines_of(const std::string& log) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < log.size()) {
    const std::size_t nl = log.find('\n', from);
    out.push_back(log.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("server: verbs are case-insensitive (RFC 5321 §2.4)", "[smtp][server]") {
  const std::pair<std::string_view, verb> cases[] = {
      {"HELO a.example\r\n", verb::helo},
      {"ehlo a.example\r\n", verb::ehlo},
      {"LhLo a.example\r\n", verb::lhlo},
      {"mail FROM:<a@b.example>\r\n", verb::mail},
      {"Rcpt To:<a@b.example>\r\n", verb::rcpt},
      {"data\r\n", verb::data},
      {"bdat 0 last\r\n", verb::bdat},
      {"rset\r\n", verb::rset},
      {"vrfy postmaster\r\n", verb::vrfy},
      {"expn list\r\n", verb::expn},
      {"help\r\n", verb::help},
      {"noop\r\n", verb::noop},
      {"quit\r\n", verb::quit},
      {"StartTLS\r\n", verb::starttls},
      {"auth PLAIN\r\n", verb::auth},
      {"etrn @example.org\r\n", verb::etrn},
  };
  for (const auto& c : cases) {
    const verb expected = c.second;
    INFO(c.first);
    first_event(c.first, [&](const server_event& ev) {
      REQUIRE(ev.kind == server_event_kind::command);
      CHECK(ev.command.verb == expected);
      CHECK(smtp::name(ev.command.verb).size() >= 4);
    });
  }
  CHECK(smtp::verb_from("H\x05LO") == verb::unknown);  // OR 0x20 must not make letters
  CHECK(smtp::verb_from("HEL0") == verb::unknown);
  CHECK(smtp::verb_from("STARTTLSX") == verb::unknown);
}

TEST_CASE("server: an unknown verb is an error event and parsing goes on (RFC 5321 §4.2.4)",
          "[smtp][server]") {
  const auto log = lines_of(smtp_server_trace_of("XYZZY now\r\nNOOP\r\n"));
  REQUIRE(log.size() == 2);
  CHECK(
      log[0] ==
      R"({"event":"error","offset":0,"error":"unknown_command","reply":"500 5.5.1 Command not recognized","detail":"XYZZY"})");
  CHECK(log[1] == R"({"event":"command","offset":11,"verb":"NOOP","arg":""})");
  CHECK(first_error("MAILFROM:<a@b>\r\n") == "unknown_command");
  CHECK(first_error("\r\n") == "unknown_command");
}

TEST_CASE("server: HELO, EHLO and LHLO take a domain or address literal (RFC 5321 §4.1.1.1)",
          "[smtp][server]") {
  CHECK(accepted("EHLO mail.example.org\r\n"));
  CHECK(accepted("HELO [192.0.2.1]\r\n"));  // outside HELO's ABNF, common: accepted
  CHECK(accepted("EHLO [IPv6:2001:db8::1]\r\n"));
  CHECK(accepted("LHLO localhost\r\n"));
  CHECK(first_error("EHLO\r\n") == "missing_argument");
  CHECK(first_error("HELO \r\n") == "missing_argument");  // trailing space trimmed
  CHECK(first_error("EHLO bad_host\r\n") == "invalid_domain");
  CHECK(first_error("EHLO [300.1.1.1]\r\n") == "invalid_address_literal");
  first_event("EHLO -bad\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.command.verb == verb::ehlo);
    CHECK(ev.reply().code == 501);
    CHECK(ev.reply().enhanced == "5.5.4");
  });
  smtp::server_parser_options lenient;
  lenient.check_hello_domain = false;
  CHECK(accepted("EHLO bad_host\r\n", lenient));
  CHECK(first_error("EHLO bad\x01host\r\n", lenient) == "invalid_syntax");
}

TEST_CASE("server: MAIL FROM takes a reverse path and parameters (RFC 5321 §4.1.1.2)",
          "[smtp][server]") {
  first_event("MAIL FROM:<user@example.org> SIZE=1000 BODY=8BITMIME\r\n",
              [](const server_event& ev) {
                REQUIRE(ev.kind == server_event_kind::command);
                const auto& c = ev.command;
                CHECK(c.path.kind == smtp::path_kind::mailbox);
                CHECK(c.path.local_part == "user");
                CHECK(c.path.domain == "example.org");
                CHECK(c.parameters.count() == 2);
                const auto size = c.parameters.declared_size();
                REQUIRE(size.ok());
                CHECK(size.value == 1000);
                CHECK(c.argument == "<user@example.org> SIZE=1000 BODY=8BITMIME");
              });
  first_event("MAIL FROM:<> SIZE=10 RET=HDRS\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK(ev.command.path.kind == smtp::path_kind::null);
  });
  CHECK(first_error("MAIL\r\n") == "invalid_syntax");
  CHECK(first_error("MAIL TO:<a@b.example>\r\n") == "invalid_syntax");
  CHECK(first_error("MAIL FROM:\r\n") == "missing_argument");
  CHECK(first_error("MAIL FROM:<a@b.example>junk\r\n") == "invalid_syntax");
  CHECK(first_error("MAIL FROM:<a@b.example>  SIZE=1\r\n") == "invalid_parameter");
  CHECK(first_error("MAIL FROM:<a@@b.example>\r\n") != "");
}

TEST_CASE("server: no space around the colon, brackets required (RFC 5321 §3.3)",
          "[smtp][server]") {
  CHECK(first_error("MAIL FROM: <a@b.example>\r\n") == "invalid_syntax");
  CHECK(first_error("MAIL FROM :<a@b.example>\r\n") == "invalid_syntax");
  CHECK(first_error("MAIL FROM:a@b.example\r\n") != "");
  smtp::server_parser_options lenient;
  lenient.allow_space_after_colon = true;
  lenient.allow_missing_brackets = true;
  CHECK(accepted("MAIL FROM: <a@b.example>\r\n", lenient));
  CHECK(accepted("RCPT TO:c@d.example NOTIFY=NEVER\r\n", lenient));
}

TEST_CASE("server: RCPT TO takes a forward path, <Postmaster> but not <> (RFC 5321 §4.1.1.3)",
          "[smtp][server]") {
  first_event("RCPT TO:<Postmaster>\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK(ev.command.path.kind == smtp::path_kind::postmaster);
  });
  CHECK(accepted("RCPT TO:<postmaster@example.org>\r\n"));
  CHECK(accepted("RCPT TO:<@relay.example,@b.example:u@c.example> NOTIFY=SUCCESS,DELAY\r\n"));
  first_event("RCPT TO:<>\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.error == errc::null_path_not_allowed);
    CHECK(ev.reply().code == 501);
    CHECK(ev.reply().enhanced == "5.1.3");
  });
  CHECK(first_error("MAIL FROM:<Postmaster>\r\n") != "");  // the special form is RCPT's only
}

TEST_CASE("server: a bad sender is X.1.7, a bad recipient X.1.3 (RFC 3463 §3.2)",
          "[smtp][server]") {
  first_event("MAIL FROM:<a..b@example.org>\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.error == errc::invalid_local_part);
    CHECK(ev.reply().enhanced == "5.1.7");
  });
  first_event("RCPT TO:<a..b@example.org>\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.reply().enhanced == "5.1.3");
  });
}

TEST_CASE("server: ESMTP parameters are checked, unknown ones kept visible (RFC 5321 §4.1.2)",
          "[smtp][server]") {
  first_event("MAIL FROM:<a@b.example> X-FOO=bar SIZE=5 X-FLAG\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    std::vector<std::string> keys;
    for (const auto& p : ev.command.parameters) keys.emplace_back(p.keyword);
    CHECK(keys == std::vector<std::string>{"X-FOO", "SIZE", "X-FLAG"});
  });
  CHECK(first_error("MAIL FROM:<a@b.example> SIZE=1 size=2\r\n") == "duplicate_parameter");
  CHECK(first_error("MAIL FROM:<a@b.example> SIZE=\r\n") == "invalid_parameter");
  CHECK(first_error("MAIL FROM:<a@b.example> SIZE=12x\r\n") == "invalid_parameter_value");
  CHECK(first_error("MAIL FROM:<a@b.example> BODY=9BIT\r\n") == "invalid_parameter_value");
  CHECK(first_error("RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS\r\n") == "invalid_parameter_value");
  CHECK(first_error("MAIL FROM:<a@b.example> MT-PRIORITY=+1\r\n") == "invalid_parameter_value");
  CHECK(first_error("MAIL FROM:<a@b.example> ENVID=a+2\r\n") == "invalid_xtext");
  CHECK(first_error("MAIL FROM:<a@b.example> HOLDFOR=10 HOLDUNTIL=2026-11-27T10:00:00Z\r\n") ==
        "conflicting_parameters");
  first_event("MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.detail.find("SIZE") != std::string_view::npos);
  });
  // RCPT-only keywords on MAIL are the server's to refuse (555), not syntax.
  CHECK(accepted("MAIL FROM:<a@b.example> NOTIFY=whatever\r\n"));
}

TEST_CASE("server: UTF-8 addresses only under SMTPUTF8 (RFC 6531 §3.4)", "[smtp][server]") {
  const std::string_view mail = "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.example>\r\n";
  first_event(mail, [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.error == errc::smtputf8_required);
    CHECK(ev.reply().code == 550);
    CHECK(ev.reply().enhanced == "5.6.7");
  });
  CHECK(accepted("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.example> SMTPUTF8\r\n"));
  CHECK(first_error("MAIL FROM:<j\xc3rg@b.example> SMTPUTF8\r\n") == "invalid_utf8");

  const std::string_view rcpt = "RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@example.org>\r\n";
  first_event(rcpt, [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.reply().code == 553);
  });
  smtp::server_parser<> p;
  p.set_smtputf8(true);
  p.feed(rcpt);
  CHECK(p.next().kind == server_event_kind::command);

  // A UTF-8 sequence cut by a feed boundary is still one character: the
  // permissive session turns SMTPUTF8 on after the MAIL.
  const auto log = smtp_server_trace_of(
      "MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8\r\nRCPT TO:<\xc3\xa5@example.org>\r\n");
  CHECK_FALSE(has(log, "\"error\""));
}

TEST_CASE("server: DATA, RSET, QUIT and STARTTLS take no argument (RFC 5321 §4.1.1)",
          "[smtp][server]") {
  for (std::string_view line :
       {"DATA x\r\n", "RSET now\r\n", "QUIT please\r\n", "STARTTLS x\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "unexpected_argument");
  }
  CHECK(accepted("QUIT \t \r\n"));  // trailing white space is tolerated (§4.1.1)
}

TEST_CASE("server: NOOP and HELP take optional text, VRFY EXPN ETRN need one (RFC 5321 §4.1.1)",
          "[smtp][server]") {
  first_event("NOOP anything goes \r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK(ev.command.argument == "anything goes");
  });
  CHECK(accepted("HELP\r\n"));
  CHECK(accepted("HELP MAIL\r\n"));
  CHECK(accepted("VRFY John Smith <js@example.org>\r\n"));
  CHECK(first_error("VRFY\r\n") == "missing_argument");
  CHECK(first_error("EXPN\r\n") == "missing_argument");
  CHECK(first_error("ETRN\r\n") == "missing_argument");
  CHECK(first_error("NOOP a\x01"
                    "b\r\n") == "invalid_syntax");
}

TEST_CASE("server: DATA body only after accept_data() (RFC 5321 §3.3, §4.1.1.4)",
          "[smtp][server]") {
  const std::string_view input = "DATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n";
  smtp::server_parser<> p;
  CHECK_FALSE(p.accept_data());
  p.feed(input);
  server_event ev = p.next();
  REQUIRE(ev.command.verb == verb::data);
  REQUIRE(p.accept_data());
  CHECK_FALSE(p.accept_data());  // once
  std::string body;
  for (ev = p.next(); ev.kind == server_event_kind::data; ev = p.next()) body += ev.bytes;
  CHECK(body == "Subject: x\r\n\r\n.dot\r\n");
  REQUIRE(ev.kind == server_event_kind::data_end);
  CHECK(ev.error == errc{});
  CHECK(ev.size == body.size());
  CHECK(ev.offset == input.find("QUIT"));
  CHECK(p.next().command.verb == verb::quit);

  // Refused DATA (no accept_data): what follows is read as commands.
  smtp::server_parser<> q;
  q.feed("DATA\r\nNOOP\r\n");
  CHECK(q.next().command.verb == verb::data);
  CHECK(q.next().command.verb == verb::noop);
  CHECK_FALSE(q.accept_data());
}

TEST_CASE("server: DATA ends only at CRLF.CRLF; smuggled ends are data (docs/security.md §1)",
          "[smtp][server]") {
  const auto log = lines_of(
      smtp_server_trace_of("DATA\r\nhello\n.\nMAIL FROM:<evil@example.org>\r\n.\r\nRSET\r\n"));
  REQUIRE(log.size() == 4);
  CHECK(
      log[1] ==
      R"({"event":"data","offset":6,"bytes":"hello\u000a.\u000aMAIL FROM:<evil@example.org>\u000d\u000a"})");
  CHECK(
      log[2] ==
      R"({"event":"data_end","offset":47,"size":38,"last":true,"chunk":false,"error":"body_bare_lf","error_offset":11,"reply":"550 5.5.2 Bare LF in message content"})");
  CHECK(has(log[3], R"("verb":"RSET")"));
}

TEST_CASE("server: BDAT chunks are consumed raw, even when refused (RFC 3030 §2)",
          "[smtp][server]") {
  const auto log = lines_of(
      smtp_server_trace_of("BDAT 6\r\nQUIT\r\nBDAT 0 LAST\r\nBDAT 3 LASTX\r\nabcNOOP\r\n"));
  REQUIRE(log.size() == 7);
  CHECK(log[0] == R"({"event":"command","offset":0,"verb":"BDAT","size":6,"last":false})");
  CHECK(log[1] == R"({"event":"data","offset":8,"bytes":"QUIT\u000d\u000a"})");
  CHECK(log[2] ==
        R"({"event":"data_end","offset":14,"size":6,"last":false,"chunk":true,"error":null})");
  CHECK(log[3] == R"({"event":"command","offset":14,"verb":"BDAT","size":0,"last":true})");
  CHECK(log[4] ==
        R"({"event":"data_end","offset":27,"size":0,"last":true,"chunk":true,"error":null})");
  CHECK(has(log[5], R"("error":"invalid_syntax")"));  // "LASTX": refused, chunk skipped
  CHECK(log[6] == R"({"event":"command","offset":44,"verb":"NOOP","arg":""})");
}

TEST_CASE(
    "server: a BDAT line refused for its length or octets never lets its chunk be "
    "read as commands (RFC 3030 §2)",
    "[smtp][server]") {
  // Too long for a command line (513-2048 octets): refused, chunk skipped.
  const std::string padded = "BDAT 15" + std::string(600, ' ') + "\r\nRCPT TO:<a@b>\r\nNOOP\r\n";
  const auto log = lines_of(smtp_server_trace_of(padded));
  REQUIRE(log.size() == 2);
  CHECK(has(log[0], R"("error":"line_too_long")"));
  CHECK(has(log[0], R"("verb":"BDAT")"));
  CHECK(has(log[1], R"("verb":"NOOP")"));
  // Unreadable lines (too long for the reader, NUL, bare CR/LF): the extent
  // of the chunk is unknown, so the stream is lost.
  for (const std::string& bad :
       {"BDAT 15" + std::string(3000, ' ') + "\r\n", std::string("BDAT 15\0\r\n", 10),
        std::string("bdat 15\rx\r\n"), std::string("BDAT 15\nRCPT TO:<a@b>\r\n")}) {
    INFO(test::escape(bad));
    const auto l = lines_of(smtp_server_trace_of(bad + "RCPT TO:<a@b>\r\nNOOP\r\n"));
    REQUIRE(l.size() == 1);
    CHECK(has(l[0], R"("error":"invalid_chunk_size")"));
    CHECK(has(l[0], R"("fatal":true)"));
  }
  // Other bad lines keep their own error and the session goes on.
  CHECK(lines_of(smtp_server_trace_of(std::string("NOOP\0\r\nNOOP\r\n", 12))).size() == 2);
}

TEST_CASE(
    "server: an unparseable or overflowing BDAT size is fatal (RFC 3030 §2, docs/security.md §6)",
    "[smtp][server]") {
  for (std::string_view line :
       {"BDAT\r\n", "BDAT x\r\n", "BDAT -1\r\n", "BDAT 18446744073709551616\r\n", "BDAT  1\r\n"}) {
    INFO(line);
    smtp::server_parser<> p;
    const std::string input = std::string(line) + "QUIT\r\n";
    p.feed(input);
    const server_event ev = p.next();
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.error == errc::invalid_chunk_size);
    CHECK(ev.fatal);
    CHECK(ev.reply().code == 421);
    CHECK(p.failed());
    CHECK(p.next().kind == server_event_kind::need_more);
    p.feed("NOOP\r\n");
    CHECK(p.next().kind == server_event_kind::need_more);
  }
  CHECK(accepted("BDAT 18446744073709551615\r\n"));
  smtp::server_parser_options small;
  small.max_chunk_size = 100;
  CHECK(accepted("BDAT 100 LAST\r\n", small));
  CHECK(first_error("BDAT 101 LAST\r\n", small) == "invalid_chunk_size");
}

TEST_CASE("server: AUTH takes a mechanism and an optional initial response (RFC 4954 §4)",
          "[smtp][server]") {
  first_event("AUTH PLAIN AHVzZXIAcGFzcw==\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK(ev.command.mechanism == "PLAIN");
    CHECK(ev.command.has_initial_response);
    CHECK(ev.command.initial_response == "AHVzZXIAcGFzcw==");
  });
  first_event("AUTH EXTERNAL =\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK(ev.command.has_initial_response);
    CHECK(ev.command.initial_response.empty());
  });
  first_event("AUTH scram-sha-256\r\n", [](const server_event& ev) {
    REQUIRE(ev.kind == server_event_kind::command);
    CHECK_FALSE(ev.command.has_initial_response);
  });
  CHECK(first_error("AUTH\r\n") == "missing_argument");
  CHECK(first_error("AUTH PL@IN\r\n") == "invalid_mechanism");
  CHECK(first_error("AUTH ABCDEFGHIJKLMNOPQRSTU\r\n") == "invalid_mechanism");  // 21 chars
  CHECK(accepted("AUTH ABCDEFGHIJKLMNOPQRST\r\n"));                             // 20 chars
  CHECK(first_error("AUTH PLAIN AHVz ZXI=\r\n") == "invalid_syntax");
  CHECK(first_error("AUTH PLAIN AHVzZXI\r\n") == "invalid_base64");
}

TEST_CASE("server: SASL responses are streamed lines; * cancels (RFC 4954 §4)", "[smtp][server]") {
  const auto log = lines_of(smtp_server_trace_of(
      "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nAUTH PLAIN\r\n*\r\nAUTH CRAM-MD5\r\n\r\nNOOP\r\n"));
  REQUIRE(log.size() == 8);
  CHECK(log[1] == R"({"event":"sasl","offset":12,"bytes":"dXNlcg==","cancel":false})");
  CHECK(log[2] == R"({"event":"sasl","offset":22,"bytes":"cGFzcw==","cancel":false})");
  CHECK(log[4] == R"({"event":"sasl","offset":44,"bytes":"","cancel":true})");
  CHECK(log[6] == R"({"event":"sasl","offset":62,"bytes":"","cancel":false})");
  CHECK(has(log[7], R"("verb":"NOOP")"));

  // Unused bits before the padding must be zero, as for initial responses
  // (RFC 4648 §3.5): "QQ==" is "A", "QR==" is refused.
  CHECK_FALSE(has(smtp_server_trace_of("AUTH PLAIN\r\nQQ==\r\n"), "error"));
  CHECK(has(smtp_server_trace_of("AUTH PLAIN\r\nQR==\r\n"), R"("error":"invalid_base64")"));
  CHECK(has(smtp_server_trace_of("AUTH PLAIN\r\nQUF=\r\n"), R"("error":"invalid_base64")"));
  CHECK(first_error("AUTH PLAIN QR==\r\n") == "invalid_base64");

  for (std::string_view bad : {"dXNlcg=\r\n", "dXN\r\n", "dX=lcg==\r\n", "dXNl===\r\n", "**\r\n",
                               "*A==\r\n", "dXNl cg==\r\n", "dXNlcg==*\r\n"}) {
    INFO(bad);
    const auto l = smtp_server_trace_of("AUTH PLAIN\r\n" + std::string(bad) + "NOOP\r\n");
    CHECK(has(l, R"("error":"invalid_base64")"));
    CHECK(has(l, R"("verb":"NOOP")"));
  }
  CHECK(has(smtp_server_trace_of("AUTH PLAIN\r\ndXNl\rcg==\r\n"), R"("error":"bare_cr")"));
  CHECK(has(smtp_server_trace_of("AUTH PLAIN\r\ndXNl\ncg==\r\n"), R"("error":"bare_lf")"));

  // expect_sasl_response() only right after AUTH or a sasl_end.
  smtp::server_parser<> p;
  CHECK_FALSE(p.expect_sasl_response());
  p.feed("NOOP\r\n");
  p.next();
  CHECK_FALSE(p.expect_sasl_response());
}

TEST_CASE("server: SASL lines up to 12288 octets need no 12 KiB buffer (RFC 4954 §4)",
          "[smtp][server]") {
  smtp::server_parser<512> p;        // the smallest parser
  const std::string ok(12284, 'A');  // the longest base64 line: 12286 with CRLF
  const std::string input = "AUTH GSSAPI\r\n" + ok + "\r\n" + "AUTH GSSAPI\r\n" + ok + "AAAA\r\n";
  p.feed(input);
  REQUIRE(p.next().command.verb == verb::auth);
  REQUIRE(p.expect_sasl_response());
  std::string got;
  server_event ev = p.next();
  for (; ev.kind == server_event_kind::sasl_data; ev = p.next()) got += ev.bytes;
  REQUIRE(ev.kind == server_event_kind::sasl_end);
  CHECK(got == ok);
  REQUIRE(p.next().command.verb == verb::auth);
  REQUIRE(p.expect_sasl_response());
  for (ev = p.next(); ev.kind == server_event_kind::sasl_data; ev = p.next()) {
  }
  REQUIRE(ev.kind == server_event_kind::error);
  CHECK(ev.error == errc::auth_line_too_long);
  CHECK(ev.reply().code == 500);
  CHECK(ev.reply().enhanced == "5.5.6");
  CHECK(p.next().kind == server_event_kind::need_more);
}

TEST_CASE("server: STARTTLS is a barrier for buffered bytes (RFC 3207 §4, docs/security.md §2)",
          "[smtp][server]") {
  trace::smtp_server_trace_options barrier;
  barrier.keep_starttls_barrier = true;
  const auto log = lines_of(smtp_server_trace_of(
      "EHLO a.example\r\nSTARTTLS\r\nMAIL FROM:<evil@x.example>\r\n", barrier));
  REQUIRE(log.size() == 3);
  CHECK(
      log[2] ==
      R"({"event":"error","offset":26,"error":"data_after_starttls","reply":"554 5.5.1 Data after STARTTLS discarded"})");

  // Later feeds before reset() are dropped too, and reported once.
  smtp::server_parser<> p;
  p.feed("STARTTLS\r\n");
  REQUIRE(p.next().command.verb == verb::starttls);
  CHECK(p.next().kind == server_event_kind::need_more);
  p.feed("NOOP\r\n");
  CHECK(p.next().error == errc::data_after_starttls);
  p.feed("NOOP\r\n");
  CHECK(p.next().kind == server_event_kind::need_more);
  p.reset();
  p.feed("NOOP\r\n");
  CHECK(p.next().command.verb == verb::noop);
}

namespace {

/// A server that refuses every STARTTLS (454): one log line per event.
struct refusing_session {
  smtp::server_parser<> parser;
  void feed(std::string_view piece, test::event_log& log) {
    parser.feed(piece);
    drain(log);
  }
  void finish(test::event_log& log) {
    parser.feed_eof();
    drain(log);
  }
  void drain(test::event_log& log) {
    for (;;) {
      const server_event& ev = parser.next();
      if (ev.kind == server_event_kind::need_more) return;
      if (ev.kind == server_event_kind::error) {
        log.add("error " + std::string(name(ev.error)) + " @" + std::to_string(ev.offset));
        continue;
      }
      log.add(std::string(ev.command.verb_text) + " @" + std::to_string(ev.offset));
      if (ev.command.verb == verb::starttls) CHECK(parser.refuse_starttls());
    }
  }
};

}  // namespace

TEST_CASE("server: a refused STARTTLS lifts the barrier; the rest are commands (RFC 3207 §4)",
          "[smtp][server]") {
  const std::string log = test::check_split_invariance(
      [] { return refusing_session{}; },
      "EHLO a.example\r\nSTARTTLS\r\nNOOP\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n");
  CHECK(log == "EHLO @0\nSTARTTLS @16\nNOOP @26\nMAIL @32\nQUIT @57\n");

  // Nothing behind the STARTTLS line yet: refusing after need_more works too.
  smtp::server_parser<> p;
  p.feed("STARTTLS\r\n");
  REQUIRE(p.next().command.verb == verb::starttls);
  CHECK(p.next().kind == server_event_kind::need_more);
  CHECK(p.refuse_starttls());
  CHECK_FALSE(p.refuse_starttls());  // the barrier is down already
  p.feed("NOOP\r\n");
  CHECK(p.next().command.verb == verb::noop);
}

TEST_CASE("server: STARTTLS cannot be refused once bytes behind it were dropped",
          "[smtp][server]") {
  smtp::server_parser<> p;
  p.feed("STARTTLS\r\nNOOP\r\n");
  REQUIRE(p.next().command.verb == verb::starttls);
  CHECK(p.next().error == errc::data_after_starttls);
  CHECK_FALSE(p.refuse_starttls());  // the NOOP is gone: the stream is out of step
  p.feed("QUIT\r\n");
  CHECK(p.next().kind == server_event_kind::need_more);  // still behind the barrier

  smtp::server_parser<> q;
  q.feed("NOOP\r\n");
  REQUIRE(q.next().command.verb == verb::noop);
  CHECK_FALSE(q.refuse_starttls());  // no STARTTLS to refuse
}

TEST_CASE("server: a refused AUTH line keeps nothing past the mechanism (docs/security.md §8)",
          "[smtp][server]") {
  // What the event keeps of a refused line: error, argument, detail.
  const auto refused = [](std::string_view line) {
    std::string seen;
    first_event(line, [&](const server_event& ev) {
      REQUIRE(ev.kind == server_event_kind::error);
      CHECK(ev.command.initial_response.empty());
      seen = std::string(name(ev.error)) + " arg=" + std::string(ev.command.argument) +
             " detail=" + std::string(ev.detail);
    });
    return seen;
  };
  CHECK(refused("AUTH PLAIN AGpvZQBzZWNyZXQ\r\n") == "invalid_base64 arg=PLAIN detail=");
  CHECK(refused("AUTH PLAIN AGpvZQ Bz\r\n") == "invalid_syntax arg=PLAIN detail=");
  // No mechanism name: the first word may be anything, credentials included.
  CHECK(refused("AUTH PL@IN AGpvZQBzZWNyZXQ=\r\n") == "invalid_mechanism arg= detail=");
  CHECK(refused("AUTH PLAIN\tAGpvZQBzZWNyZXQ=\r\n") == "invalid_mechanism arg= detail=");
  CHECK(refused("AUTH\tPLAIN\tAGpvZQBzZWNyZXQ=\r\n") == "unknown_command arg= detail=");
  CHECK(refused("AUTH\tPLAIN AGpvZQBzZWNyZXQ=\r\n") == "unknown_command arg= detail=");
  // A line the reader refused: BDAT's detail stops at the first control octet.
  CHECK(refused("BDAT 1\nAUTH PLAIN AGpvZQBzZWNyZXQ=\r\n") ==
        "invalid_chunk_size arg= detail=BDAT 1");
  CHECK(refused("AUTH PLAIN " + std::string(600, 'A') + "\r\n") == "line_too_long arg= detail=");
  // Accepted, the line is the caller's as it came.
  first_event("AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n", [](const server_event& ev) {
    CHECK(ev.command.argument == "PLAIN AGpvZQBzZWNyZXQ=");
    CHECK(ev.command.initial_response == "AGpvZQBzZWNyZXQ=");
  });
}

TEST_CASE(
    "server: command lines are limited to 512 octets, MAIL and RCPT to 2048 "
    "(RFC 5321 §4.5.3.1.4)",
    "[smtp][server]") {
  const std::string noop_510 = "NOOP " + std::string(505, 'x');  // + CRLF = 512
  CHECK(accepted(noop_510 + "\r\n"));
  CHECK(first_error(noop_510 + "x\r\n") == "line_too_long");
  const std::string mail = "MAIL FROM:<a@b.example> X-PAD=";
  const std::string mail_2046 = mail + std::string(2046 - mail.size(), 'p');
  CHECK(accepted(mail_2046 + "\r\n"));
  CHECK(first_error(mail_2046 + "p\r\n") == "line_too_long");

  // Each limit applies to its own verbs, whichever is larger.
  smtp::server_parser_options o;
  o.max_address_line_length = 40;
  const std::string mail_40 = "MAIL FROM:<a@b.example> X-P=" + std::string(10, 'p');  // 38 + CRLF
  CHECK(accepted(mail_40 + "\r\n", o));
  CHECK(first_error(mail_40 + "p\r\n", o) == "line_too_long");
  CHECK(accepted(noop_510 + "\r\n", o));
}

TEST_CASE(
    "server: an overlong line is one error; its tail is never a command (docs/security.md §4)",
    "[smtp][server]") {
  const std::string input = "NOOP " + std::string(3000, 'x') + "QUIT\r\nRSET\r\n";
  const auto log = lines_of(smtp_server_trace_of(input));
  REQUIRE(log.size() == 2);
  CHECK(has(log[0], R"("error":"line_too_long","reply":"500 5.5.0 Line too long")"));
  CHECK(has(log[1], R"("verb":"RSET")"));
}

TEST_CASE("server: bare CR, bare LF and NUL in a command line are errors (RFC 5321 §2.3.8)",
          "[smtp][server]") {
  CHECK(lines_of(smtp_server_trace_of("NOOP\nQUIT\r\n")).size() == 1);
  CHECK(has(smtp_server_trace_of("NOOP\nQUIT\r\n"), R"("error":"bare_lf")"));
  CHECK(has(smtp_server_trace_of("NOOP\rQUIT\r\n"), R"("error":"bare_cr")"));
  CHECK(has(smtp_server_trace_of(std::string("NO\0OP\r\n", 7)), R"("error":"nul_in_line")"));
  trace::smtp_server_trace_options lf;
  lf.parser.allow_bare_lf = true;
  const auto log = lines_of(smtp_server_trace_of("NOOP\nQUIT\n", lf));
  REQUIRE(log.size() == 2);
  CHECK(has(log[1], R"("verb":"QUIT")"));
  // The option never reaches DATA: LF.LF is data there.
  CHECK(has(smtp_server_trace_of("DATA\nx\n.\n.\r\n.\r\n", lf), R"("error":"body_bare_lf")"));
}

TEST_CASE("server: buffered() shows bytes behind a command (RFC 2920 §3.1)", "[smtp][server]") {
  smtp::server_parser<> p;
  p.feed("EHLO a.example\r\nNOOP\r\n");
  REQUIRE(p.next().command.verb == verb::ehlo);
  CHECK(p.buffered());
  REQUIRE(p.next().command.verb == verb::noop);
  CHECK_FALSE(p.buffered());
  p.feed("QU");
  CHECK(p.next().kind == server_event_kind::need_more);
  CHECK(p.buffered());  // a partial line

  // Across DATA: the body and what follows it count, a drained feed does not.
  smtp::server_parser<> q;
  q.feed("DATA\r\nhi\r\n.\r\nQUIT\r\n");
  REQUIRE(q.next().command.verb == verb::data);
  REQUIRE(q.accept_data());
  CHECK(q.buffered());
  CHECK(q.next().kind == server_event_kind::data);
  REQUIRE(q.next().kind == server_event_kind::data_end);
  CHECK(q.buffered());  // QUIT waits behind the message
  REQUIRE(q.next().command.verb == verb::quit);
  CHECK_FALSE(q.buffered());
  q.feed("DATA\r\n");
  REQUIRE(q.next().command.verb == verb::data);
  REQUIRE(q.accept_data());
  CHECK_FALSE(q.buffered());
}

TEST_CASE("server: the client closing mid-element is unexpected_eof", "[smtp][server]") {
  CHECK(has(smtp_server_trace_of("NOOP"), R"("error":"unexpected_eof")"));
  CHECK(has(smtp_server_trace_of("DATA\r\nabc"), R"("error":"unexpected_eof")"));
  CHECK(has(smtp_server_trace_of("BDAT 10\r\nabc"), R"("error":"unexpected_eof")"));
  CHECK(has(smtp_server_trace_of("AUTH PLAIN\r\nAAAA"), R"("error":"unexpected_eof")"));
  // A partial line at EOF is unexpected_eof even when it was already bad.
  const auto bad_then_eof = smtp_server_trace_of("AUTH PLAIN\r\nA!");
  CHECK(has(bad_then_eof, R"("error":"unexpected_eof")"));
  CHECK_FALSE(has(bad_then_eof, "invalid_base64"));
  CHECK_FALSE(has(smtp_server_trace_of("NOOP\r\n"), "error"));
  CHECK_FALSE(has(smtp_server_trace_of("AUTH PLAIN\r\n"), "error"));
}

TEST_CASE("server: feed_eof() before draining never re-reads consumed bytes", "[smtp][server]") {
  // Found by the smtp_server fuzzer: the line reader, told EOF, ignored the
  // feeds that follow a DATA body or a BDAT chunk and resumed at its old
  // position, so body bytes came out again as commands.
  const auto drain = [](smtp::server_parser<>& p) {
    std::vector<std::string> log;
    for (auto ev = p.next(); ev.kind != server_event_kind::need_more; ev = p.next()) {
      if (ev.kind == server_event_kind::command && ev.command.verb == verb::data) p.accept_data();
      log.push_back(std::to_string(static_cast<int>(ev.kind)) + "@" + std::to_string(ev.offset) +
                    (ev.kind == server_event_kind::error ? std::string(name(ev.error)) : ""));
    }
    return log;
  };
  for (std::string_view input : {"BDAT 5\r\nQUIT\r\n", "DATA\r\nRCPT TO:<evil@x.example>\r\n.\r\n",
                                 "DATA\r\nx\r\n.\r\nNOOP\r\n", "BDAT 1 LAST\r\nxNOOP\r\nQU"}) {
    INFO(input);
    smtp::server_parser<> early;
    early.feed(input);
    early.feed_eof();
    smtp::server_parser<> late;
    late.feed(input);
    std::vector<std::string> expected = drain(late);
    late.feed_eof();
    for (auto& e : drain(late)) expected.push_back(e);
    CHECK(drain(early) == expected);
    CHECK_FALSE(early.buffered());
  }
}

TEST_CASE("server: any split of a random session gives the same events", "[smtp][server]") {
  const std::vector<std::string> pieces = {
      "EHLO client.example\r\n",
      "MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME\r\n",
      "RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.net\r\n",
      "RCPT TO:<\"q u\"@[192.0.2.7]>\r\n",
      "DATA\r\nSubject: t\r\n\r\n.leading\r\n..\r\n.\r\n",
      "BDAT 5\r\n12345",
      "BDAT 3 LAST\r\n\r\n.",
      "AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\n",
      "XUNKNOWN\r\n",
      "RSET\r\n",
      "NOOP\nbad\r\n",
      "VRFY someone\r\n",
      "QUIT\r\n",
  };
  std::mt19937 rng(20261127);
  for (int round = 0; round < 40; ++round) {
    std::string input;
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    for (int k = 0; k < 8; ++k) input += pieces[pick(rng)];
    smtp_server_trace_of(input);  // checks invariance itself
  }
}

TEST_CASE("server: each command event is as a fresh parser gives it, whatever came before",
          "[smtp][server]") {
  // The parser empties only what the previous line's event set; an event
  // after a MAIL, an error, AUTH or BDAT must still carry nothing of it.
  const std::vector<std::string> lines = {
      "MAIL FROM:<a.b@example.com> SIZE=10 BODY=8BITMIME",
      "RCPT TO:<c@d.example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c@d.example.org",
      "RSET",
      "RCPT TO:<\"q r\"@[192.0.2.1]> NOTIFY=NEVER",
      "NOOP",
      "AUTH PLAIN dGVzdA==",
      "XYZZY",
      "MAIL FROM:<x@y.example> SIZE=abc",
      "EHLO client.example",
      "RCPT TO:<e@f.example>",
      "DATA",
      "MAIL FROM:<>",
      "QUIT",
  };
  const auto same_event = [](const server_event& a, const server_event& b) {
    const smtp::command& x = a.command;
    const smtp::command& y = b.command;
    CHECK(a.kind == b.kind);
    CHECK(a.error == b.error);
    CHECK(a.detail == b.detail);
    CHECK(a.fatal == b.fatal);
    CHECK(a.bytes == b.bytes);
    CHECK(a.size == b.size);
    CHECK(a.last == b.last);
    CHECK(a.chunk == b.chunk);
    CHECK(a.cancelled == b.cancelled);
    CHECK(x.verb == y.verb);
    CHECK(x.verb_text == y.verb_text);
    CHECK(x.argument == y.argument);
    CHECK(x.path.kind == y.path.kind);
    CHECK(x.path.local_part == y.path.local_part);
    CHECK(x.path.domain == y.path.domain);
    CHECK(x.path.domain_type == y.path.domain_type);
    CHECK(x.path.address == y.path.address);
    CHECK(x.path.quoted == y.path.quoted);
    CHECK(x.path.utf8 == y.path.utf8);
    CHECK(x.parameters.text() == y.parameters.text());
    CHECK(x.parameters.count() == y.parameters.count());
    CHECK(x.parameters.notify().present == y.parameters.notify().present);
    CHECK(x.parameters.notify().value.delay == y.parameters.notify().value.delay);
    CHECK(x.parameters.declared_size().value == y.parameters.declared_size().value);
    CHECK(x.chunk_size == y.chunk_size);
    CHECK(x.last == y.last);
    CHECK(x.has_initial_response == y.has_initial_response);
    CHECK(x.mechanism == y.mechanism);
    CHECK(x.initial_response == y.initial_response);
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string stream;
    std::vector<std::string> order;
    for (int k = 0; k < 12; ++k) {
      order.push_back(lines[rng() % lines.size()]);
      stream += order.back() + "\r\n";
    }
    smtp::server_parser<> p;
    p.feed(stream);
    for (const std::string& line : order) {
      INFO(line);
      const std::string alone = line + "\r\n";
      smtp::server_parser<> q;
      q.feed(alone);
      const server_event& a = p.next();
      const server_event& b = q.next();
      same_event(a, b);
      // A refused AUTH or DATA: the next bytes are commands again.
    }
  }
}

TEST_CASE("server: typed reads of a command's parameters equal a fresh parse of their text",
          "[smtp][server][parameters]") {
  // MAIL and RCPT check only their own verb's parameters; a value of the other
  // verb's kind must still be judged by its accessor (AUTH= on RCPT, ORCPT=
  // on MAIL), as on a list parsed from the same text.
  const std::vector<std::string> lines = {
      "MAIL FROM:<a@example.com> ORCPT=zzz\r\n",
      "MAIL FROM:<a@example.com> ORCPT=rfc822;a+2Bb NOTIFY=NEVER\r\n",
      "MAIL FROM:<a@example.com> NOTIFY=SUCCESS,DELAY\r\n",
      "RCPT TO:<a@example.com> AUTH=+ZZ\r\n",
      "RCPT TO:<a@example.com> AUTH=<>\r\n",
      "RCPT TO:<a@example.com> ENVID=a+ZZb\r\n",
      "RCPT TO:<a@example.com> ENVID=QQ NOTIFY=FAILURE ORCPT=rfc822;x@y\r\n",
      "MAIL FROM:<a@example.com> AUTH=x+2By ENVID=e SIZE=10\r\n",
      "RCPT TO:<a@example.com> NOTIFY=SUCCESS ORCPT=rfc822;b@c\r\n",
  };
  for (const std::string& line : lines) {
    INFO(line);
    smtp::server_parser<> p;
    p.feed(line);
    const server_event& ev = p.next();
    REQUIRE(ev.kind == server_event_kind::command);
    const smtp::parameter_list& got = ev.command.parameters;
    const smtp::parameter_parse_result fresh = smtp::parse_parameters(got.text());
    REQUIRE(fresh.ok());
    const smtp::parameter_list& want = fresh.list;
    CHECK(got.auth().present == want.auth().present);
    CHECK(got.auth().error == want.auth().error);
    CHECK(got.auth().value == want.auth().value);
    CHECK(got.envid().error == want.envid().error);
    CHECK(got.envid().value == want.envid().value);
    CHECK(got.orcpt().error == want.orcpt().error);
    CHECK(got.orcpt().value.addr_type == want.orcpt().value.addr_type);
    CHECK(got.orcpt().value.address == want.orcpt().value.address);
    const auto gn = got.notify(), wn = want.notify();
    CHECK(gn.error == wn.error);
    CHECK((gn.value.never == wn.value.never && gn.value.success == wn.value.success &&
           gn.value.failure == wn.value.failure && gn.value.delay == wn.value.delay));
  }
}
