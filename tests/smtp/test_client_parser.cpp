// smtp::client_parser: reply lines, replies, enhanced status codes, limits,
// recovery and the STARTTLS barrier. Every input goes through
// support/split_feed.hpp: whole, byte by byte, at every split offset and at
// random splits, and the event logs must be identical.
#include <mailwire/smtp/client_parser.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <mailwire/core/output.hpp>
#include <mailwire/smtp/reply_writer.hpp>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using smtp::client_event;
using smtp::client_event_kind;
using smtp::client_parser;
using smtp::client_parser_options;
using smtp::enhanced_code;
using test::bytes;
using test::check_split_invariance;
using test::escape;
using test::event_log;

namespace {

std::string enhanced_text(const enhanced_code& e) {
  char buf[enhanced_code::max_size];
  return std::string(buf, e.to_chars(buf));
}

/// One log line per event:
///   line <code> more|last [x.y.z] "<text>" #<n> @<offset>
///   reply <code> [x.y.z] "<text>" lines=<n> @<offset>
///   error <errc> code=<code> lines=<n> "<text>" @<offset>
std::string format(const client_event& ev) {
  std::string s;
  const std::string enh = ev.enhanced.present() ? " [" + enhanced_text(ev.enhanced) + "]" : "";
  const std::string text = "\"" + escape(ev.text) + "\"";
  switch (ev.kind) {
    case client_event_kind::need_more: s = "need_more"; break;
    case client_event_kind::line:
      s = "line " + std::to_string(ev.code) + (ev.last ? " last" : " more") + enh + " " + text +
          " #" + std::to_string(ev.lines);
      break;
    case client_event_kind::reply:
      s = "reply " + std::to_string(ev.code) + enh + " " + text +
          " lines=" + std::to_string(ev.lines);
      break;
    case client_event_kind::error:
      s = "error " + std::string(name(ev.error)) + " code=" + std::to_string(ev.code) +
          " lines=" + std::to_string(ev.lines) + " " + text;
      break;
  }
  return s + " @" + std::to_string(ev.offset);
}

/// Adapter between the split harness and a client_parser. The client sends
/// STARTTLS once it has seen `starttls_after` replies (-1: never), i.e. it
/// calls expect_starttls_reply() right after that many reply events. It also
/// checks what the log cannot show: need_more's offset, rest() and
/// buffered() once a feed is used up, and silence after EOF.
template <std::size_t Cap = 1024>
struct session {
  client_parser<Cap> p;
  int starttls_after;
  int replies = 0;
  std::uint64_t fed = 0;

  session(const client_parser_options& o, int starttls) : p(o), starttls_after(starttls) {
    if (starttls_after == 0) p.expect_starttls_reply();
  }

  void feed(std::string_view piece, event_log& log) {
    fed += piece.size();
    p.feed(piece);
    drain(log);
  }

  void finish(event_log& log) {
    p.feed_eof();
    drain(log);
    log.add("eof");
    for (int k = 0; k < 3; ++k) CHECK(p.next().kind == client_event_kind::need_more);
    p.feed("250 ignored\r\n");  // after EOF, until reset()
    CHECK(p.next().kind == client_event_kind::need_more);
    CHECK_FALSE(p.buffered());
  }

  void drain(event_log& log) {
    for (;;) {
      const client_event ev = p.next();
      if (ev.kind == client_event_kind::need_more) {
        CHECK(ev.offset == p.offset());
        CHECK(p.offset() == fed);
        CHECK(p.rest().empty());
        return;
      }
      if (ev.kind == client_event_kind::error) CHECK(ev.error != errc{});
      if (ev.kind != client_event_kind::error) CHECK(ev.error == errc{});
      log.add(format(ev));
      if (ev.kind == client_event_kind::reply && ++replies == starttls_after)
        p.expect_starttls_reply();
    }
  }
};

/// The event log for `input`, the same for every split (else a CHECK fails).
template <std::size_t Cap = 1024>
std::vector<std::string> events(std::string_view input, const client_parser_options& o = {},
                                int starttls_after = -1, int random_rounds = 64,
                                std::size_t exhaustive_limit = 2048) {
  const std::string log = check_split_invariance([&] { return session<Cap>(o, starttls_after); },
                                                 input, random_rounds, exhaustive_limit);
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < log.size()) {
    const std::size_t nl = log.find('\n', from);
    out.push_back(log.substr(from, nl - from));
    from = nl + 1;
  }
  return out;
}

/// The first event for `input` fed whole (no EOF); its text points into
/// `input`, which must outlive it.
client_event first_event(std::string_view input, const client_parser_options& o = {}) {
  client_parser<> p(o);
  p.feed(input);
  return p.next();
}

/// The name of the first event's error, or "" when it is no error.
std::string first_error(std::string_view input, const client_parser_options& o = {}) {
  const client_event ev = first_event(input, o);
  return ev.kind == client_event_kind::error ? std::string(name(ev.error)) : std::string();
}

bool has(const std::vector<std::string>& log, std::string_view entry) {
  for (const auto& l : log)
    if (l == entry) return true;
  return false;
}

}  // namespace

// --- reply lines -------------------------------------------------------------

TEST_CASE("client: a one-line reply is a line event then a reply event (RFC 5321 §4.2)",
          "[smtp][client]") {
  CHECK(events("250 OK\r\n") == std::vector<std::string>{
                                    "line 250 last \"OK\" #1 @0",
                                    "reply 250 \"OK\" lines=1 @0",
                                    "eof",
                                });
  CHECK(events("221 mx.example.org Service closing transmission channel\r\n") ==
        std::vector<std::string>{
            "line 221 last \"mx.example.org Service closing transmission channel\" #1 @0",
            "reply 221 \"mx.example.org Service closing transmission channel\" lines=1 @0",
            "eof",
        });
  // Only the first SP is the separator; more spaces belong to the text.
  CHECK(events("250  two spaces\r\n")[0] == "line 250 last \" two spaces\" #1 @0");
  CHECK(events("250 tab\there\r\n")[0] == "line 250 last \"tab\\there\" #1 @0");
}

TEST_CASE("client: the code alone is a complete reply with empty text (RFC 5321 §4.2.1)",
          "[smtp][client]") {
  CHECK(events("250\r\n") == std::vector<std::string>{
                                 "line 250 last \"\" #1 @0",
                                 "reply 250 \"\" lines=1 @0",
                                 "eof",
                             });
  CHECK(events("250 \r\n")[0] == "line 250 last \"\" #1 @0");
  // "250-" is a continuation with empty text (RFC 5321 §4.2.1).
  CHECK(events("250-\r\n250\r\n") == std::vector<std::string>{
                                         "line 250 more \"\" #1 @0",
                                         "line 250 last \"\" #2 @6",
                                         "reply 250 \"\" lines=2 @0",
                                         "eof",
                                     });
}

TEST_CASE("client: a multi-line reply is code- lines, then code SP (RFC 5321 §4.2.1)",
          "[smtp][client]") {
  const std::string input =
      "220-mx.example.org ESMTP\r\n"
      "220-234 looks like a code but is text\r\n"
      "220 ready\r\n";
  CHECK(events(input) == std::vector<std::string>{
                             "line 220 more \"mx.example.org ESMTP\" #1 @0",
                             "line 220 more \"234 looks like a code but is text\" #2 @26",
                             "line 220 last \"ready\" #3 @65",
                             "reply 220 \"ready\" lines=3 @0",
                             "eof",
                         });
}

TEST_CASE("client: pipelined replies in one read come out in order (RFC 2920 §3.1)",
          "[smtp][client]") {
  const std::string input =
      "250 2.1.0 Sender OK\r\n"
      "250 2.1.5 Recipient OK\r\n"
      "550 5.1.1 <nobody@example.org>: Recipient address rejected\r\n"
      "354 End data with <CR><LF>.<CR><LF>\r\n";
  CHECK(events(input) ==
        std::vector<std::string>{
            "line 250 last [2.1.0] \"Sender OK\" #1 @0",
            "reply 250 [2.1.0] \"Sender OK\" lines=1 @0",
            "line 250 last [2.1.5] \"Recipient OK\" #1 @21",
            "reply 250 [2.1.5] \"Recipient OK\" lines=1 @21",
            "line 550 last [5.1.1] \"<nobody@example.org>: Recipient address rejected\" #1 @45",
            "reply 550 [5.1.1] \"<nobody@example.org>: Recipient address rejected\" lines=1 @45",
            "line 354 last \"End data with <CR><LF>.<CR><LF>\" #1 @105",
            "reply 354 \"End data with <CR><LF>.<CR><LF>\" lines=1 @105",
            "eof",
        });
}

// --- reply codes ---------------------------------------------------------------

TEST_CASE("client: every three-digit code is checked digit by digit, 2-5 0-5 0-9 (RFC 5321 §4.2)",
          "[smtp][client]") {
  for (int v = 0; v < 1000; ++v) {
    const std::string code{static_cast<char>('0' + v / 100), static_cast<char>('0' + v / 10 % 10),
                           static_cast<char>('0' + v % 10)};
    const bool valid = v / 100 >= 2 && v / 100 <= 5 && v / 10 % 10 <= 5;
    INFO(code);
    const client_event ev = first_event(code + " text\r\n");
    if (valid) {
      CHECK(ev.kind == client_event_kind::line);
      CHECK(ev.code == v);
    } else {
      CHECK(ev.kind == client_event_kind::error);
      CHECK(ev.error == errc::invalid_reply_code);
      CHECK(ev.code == 0);
    }
  }
}

TEST_CASE("client: first digit outside 2-5 is invalid_reply_code (RFC 5321 §4.2)",
          "[smtp][client]") {
  for (const char* line : {"100 x\r\n", "199 x\r\n", "000 x\r\n", "600 x\r\n", "999\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "invalid_reply_code");
  }
  CHECK(first_error("200 x\r\n").empty());
  CHECK(first_error("559 x\r\n").empty());
}

TEST_CASE("client: second digit outside 0-5 is invalid_reply_code (RFC 5321 §4.2)",
          "[smtp][client]") {
  for (const char* line : {"260 x\r\n", "299\r\n", "570-x\r\n", "2:0 x\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "invalid_reply_code");
  }
  CHECK(first_error("259 x\r\n").empty());  // unknown but valid: handled by its first digit
}

TEST_CASE("client: third digit must be 0-9; short or non-digit codes are invalid (RFC 5321 §4.2)",
          "[smtp][client]") {
  for (const char* line : {"25x x\r\n", "25 x\r\n", "25\r\n", "2\r\n", "\r\n", " 250 x\r\n",
                           "25:\r\n", "OK\r\n", "+OK\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "invalid_reply_code");
  }
  CHECK(events("25\r\n") == std::vector<std::string>{
                                "error invalid_reply_code code=0 lines=0 \"25\" @0",
                                "eof",
                            });
}

TEST_CASE("client: the code is followed by SP, '-' or the line end (RFC 5321 §4.2)",
          "[smtp][client]") {
  for (const char* line : {"250x\r\n", "250\tOK\r\n", "250_OK\r\n", "2500 OK\r\n", "250.OK\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "invalid_reply_separator");
  }
  CHECK(events("250\tOK\r\n") == std::vector<std::string>{
                                     "error invalid_reply_separator code=250 lines=0 "
                                     "\"250\\tOK\" @0",
                                     "eof",
                                 });
}

TEST_CASE(
    "client: a line with another code is read to the reply's end, then one "
    "reply_code_mismatch (RFC 5321 §4.2.1)",
    "[smtp][client][mismatch]") {
  // RFC 5321 §4.2.1: an error, never "take the last code" silently;
  // the error comes in place of the reply event, with the last line's code
  // and the reply's line count, and the next line starts a new reply.
  CHECK(events("250-first\r\n251 second\r\n250 next\r\n") ==
        std::vector<std::string>{
            "line 250 more \"first\" #1 @0",
            "line 251 last \"second\" #2 @11",
            "error reply_code_mismatch code=251 lines=2 \"251 second\" @11",
            "line 250 last \"next\" #1 @23",
            "reply 250 \"next\" lines=1 @23",
            "eof",
        });
  // The mismatch is in a continuation line; the reply goes on in the new code.
  CHECK(events("250-a\r\n250-b\r\n550-c\r\n550 d\r\n") ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 250 more \"b\" #2 @7",
            "line 550 more \"c\" #3 @14",
            "line 550 last \"d\" #4 @21",
            "error reply_code_mismatch code=550 lines=4 \"550 d\" @21",
            "eof",
        });
  // Back to the first code on the last line: still a mismatch.
  CHECK(events("250-a\r\n251-b\r\n250 c\r\n") ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 251 more \"b\" #2 @7",
            "line 250 last \"c\" #3 @14",
            "error reply_code_mismatch code=250 lines=3 \"250 c\" @14",
            "eof",
        });
  // The same code in every line: no error (the control case).
  CHECK(events("251-a\r\n251 b\r\n")[2] == "reply 251 \"b\" lines=2 @0");
}

TEST_CASE(
    "client: a mismatched reply's error shows its last line as received, enhanced code "
    "and all (RFC 5321 §4.2.1, RFC 3463 §2)",
    "[smtp][client][mismatch]") {
  CHECK(events("250-2.1.0 ok\r\n550 5.1.1 no such user\r\n") ==
        std::vector<std::string>{
            "line 250 more [2.1.0] \"ok\" #1 @0",
            "line 550 last [5.1.1] \"no such user\" #2 @14",
            "error reply_code_mismatch code=550 lines=2 \"550 5.1.1 no such user\" @14",
            "eof",
        });
  // A code-only last line: its text is the code.
  CHECK(events("250-a\r\n251\r\n")[2] == "error reply_code_mismatch code=251 lines=2 \"251\" @7");
  // Zero copy within one feed: the text is the input's last line.
  const std::string input = "250-a\r\n221 bye\r\n";
  client_parser<> p;
  p.feed(input);
  CHECK(p.next().kind == client_event_kind::line);
  CHECK(p.next().kind == client_event_kind::line);
  const client_event ev = p.next();
  CHECK(ev.kind == client_event_kind::error);
  CHECK(ev.error == errc::reply_code_mismatch);
  CHECK_FALSE(ev.last);
  CHECK_FALSE(ev.enhanced.present());
  CHECK(ev.text.data() == input.data() + 7);
  CHECK(ev.text == "221 bye");
  CHECK(p.next().kind == client_event_kind::need_more);
}

TEST_CASE(
    "client: a mismatched reply is one outcome among pipelined replies "
    "(RFC 2920 §3.1, RFC 5321 §4.2.1)",
    "[smtp][client][mismatch]") {
  // MAIL, RCPT, RCPT, DATA pipelined: four outcomes whatever the second is.
  const std::string input =
      "250 2.1.0 Ok\r\n"
      "250-2.1.5 first line\r\n"
      "550-5.1.1 changed its mind\r\n"
      "550 5.1.1 no\r\n"
      "250 2.1.5 Ok\r\n"
      "354 go ahead\r\n";
  const auto log = events(input);
  std::vector<std::string> outcomes;
  for (const auto& l : log)
    if (l.rfind("reply ", 0) == 0 || l.rfind("error ", 0) == 0) outcomes.push_back(l);
  CHECK(outcomes == std::vector<std::string>{
                        "reply 250 [2.1.0] \"Ok\" lines=1 @0",
                        "error reply_code_mismatch code=550 lines=3 \"550 5.1.1 no\" @64",
                        "reply 250 [2.1.5] \"Ok\" lines=1 @78",
                        "reply 354 \"go ahead\" lines=1 @92",
                    });
}

TEST_CASE(
    "client: other errors inside a mismatched reply abandon it, as in any reply "
    "(RFC 5321 §4.2, §4.2.1)",
    "[smtp][client][mismatch]") {
  // A line without a valid code: the reply's extent is unknown.
  CHECK(events("250-a\r\n251-b\r\n25x c\r\n250 d\r\n") ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 251 more \"b\" #2 @7",
            "error invalid_reply_code code=0 lines=2 \"25x c\" @14",
            "line 250 last \"d\" #1 @21",
            "reply 250 \"d\" lines=1 @21",
            "eof",
        });
  // A broken last line: one error, the mismatch is not reported besides.
  CHECK(events("250-a\r\n251 b\x01\r\n250 ok\r\n") ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "error control_in_reply code=251 lines=1 \"251 b\\x01\" @7",
            "line 250 last \"ok\" #1 @15",
            "reply 250 \"ok\" lines=1 @15",
            "eof",
        });
  // EOF inside a mismatched reply.
  CHECK(events("250-a\r\n251-b\r\n") == std::vector<std::string>{
                                            "line 250 more \"a\" #1 @0",
                                            "line 251 more \"b\" #2 @7",
                                            "error unexpected_eof code=0 lines=2 \"\" @14",
                                            "eof",
                                        });
  // The limits still count its lines and octets.
  client_parser_options o;
  o.max_reply_lines = 2;
  CHECK(events("250-a\r\n251-b\r\n251 c\r\n221 x\r\n", o) ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 251 more \"b\" #2 @7",
            "error too_many_reply_lines code=251 lines=2 \"251 c\" @14",
            "line 221 last \"x\" #1 @21",
            "reply 221 \"x\" lines=1 @21",
            "eof",
        });
  o = {};
  o.max_reply_length = 14;
  CHECK(events("250-a\r\n251 bc\r\n", o)[1] ==
        "error reply_too_long code=251 lines=1 \"251 bc\" @7");
  CHECK(events("250-a\r\n251 b\r\n", o)[2] ==
        "error reply_code_mismatch code=251 lines=2 \"251 b\" @7");
}

// --- enhanced status codes ---------------------------------------------------

TEST_CASE("client: enhanced status codes are taken out of the text (RFC 3463 §2, RFC 2034 §4)",
          "[smtp][client][enhanced]") {
  CHECK(events("250 2.1.0 Ok\r\n") == std::vector<std::string>{
                                          "line 250 last [2.1.0] \"Ok\" #1 @0",
                                          "reply 250 [2.1.0] \"Ok\" lines=1 @0",
                                          "eof",
                                      });
  const client_event ev = first_event("550 5.7.123 Denied\r\n");
  CHECK(ev.enhanced == enhanced_code{5, 7, 123});
  CHECK(ev.text == "Denied");
  // Three digits each, followed by the line end: text empty.
  CHECK(events("451 4.999.999\r\n")[0] == "line 451 last [4.999.999] \"\" #1 @0");
  // One or more spaces separate it from the text.
  CHECK(events("250 2.0.0   Ok\r\n")[0] == "line 250 last [2.0.0] \"Ok\" #1 @0");
  // Every line of a multi-line reply; the reply event has the last line's.
  CHECK(events("550-5.7.1 Message rejected\r\n550 5.7.1 see https://example.org\r\n") ==
        std::vector<std::string>{
            "line 550 more [5.7.1] \"Message rejected\" #1 @0",
            "line 550 last [5.7.1] \"see https://example.org\" #2 @28",
            "reply 550 [5.7.1] \"see https://example.org\" lines=2 @0",
            "eof",
        });
  // A 220 to STARTTLS may carry one (Postfix sends "220 2.0.0 Ready to start TLS").
  CHECK(first_event("220 2.0.0 Ready to start TLS\r\n").enhanced == enhanced_code{2, 0, 0});
}

TEST_CASE("client: text that only resembles an enhanced code stays text (RFC 3463 §2)",
          "[smtp][client][enhanced]") {
  const std::pair<const char*, const char*> cases[] = {
      {"250 2.01.0 x\r\n", "2.01.0 x"},            // leading zero in the subject
      {"250 2.1.00 x\r\n", "2.1.00 x"},            // leading zero in the detail
      {"250 2.1000.0 x\r\n", "2.1000.0 x"},        // four digits
      {"250 2.1.1000 x\r\n", "2.1.1000 x"},        // four digits
      {"250 2.1 x\r\n", "2.1 x"},                  // two parts
      {"250 2.1.5x\r\n", "2.1.5x"},                // not followed by SP or the end
      {"250 2.1.5\tx\r\n", "2.1.5\tx"},            // HT is no separator here
      {"250 2.1.5.7 x\r\n", "2.1.5.7 x"},          // four parts
      {"250 8.1.2 x\r\n", "8.1.2 x"},              // no class 8
      {"250 3.0.0 x\r\n", "3.0.0 x"},              // no class 3
      {"250 2..1 x\r\n", "2..1 x"},                // empty subject
      {"220 1.2.3.4 ESMTP\r\n", "1.2.3.4 ESMTP"},  // an IPv4 host name
      {"250 20.1.1 x\r\n", "20.1.1 x"},            // two-digit class
      {"250  2.1.0 x\r\n", " 2.1.0 x"},            // not at the start of the text
  };
  for (const auto& c : cases) {
    INFO(c.first);
    const client_event ev = first_event(c.first);
    REQUIRE(ev.kind == client_event_kind::line);
    CHECK_FALSE(ev.enhanced.present());
    CHECK(ev.text == c.second);
  }
}

TEST_CASE(
    "client: an enhanced code whose class is not the reply's first digit is an error "
    "(RFC 3463 §2, RFC 2034 §4)",
    "[smtp][client][enhanced]") {
  for (const char* line : {"250 5.1.1 x\r\n", "250 4.0.0\r\n", "451 2.0.0 x\r\n", "550 4.7.1 x\r\n",
                           "421-5.0.0 x\r\n"}) {
    INFO(line);
    CHECK(first_error(line) == "enhanced_code_mismatch");
  }
  CHECK(events("250-2.1.0 ok\r\n250 5.1.1 no\r\n250 ok\r\n") ==
        std::vector<std::string>{
            "line 250 more [2.1.0] \"ok\" #1 @0",
            "error enhanced_code_mismatch code=250 lines=1 \"250 5.1.1 no\" @14",
            "line 250 last \"ok\" #1 @28",
            "reply 250 \"ok\" lines=1 @28",
            "eof",
        });
}

TEST_CASE("client: 3xx text is never read for an enhanced code (RFC 2034 §3)",
          "[smtp][client][enhanced]") {
  for (const char* line :
       {"354 2.0.0 go ahead\r\n", "354 5.0.0 go ahead\r\n", "334 3.0.0 challenge\r\n"}) {
    INFO(line);
    const client_event ev = first_event(line);
    REQUIRE(ev.kind == client_event_kind::line);
    CHECK_FALSE(ev.enhanced.present());
    CHECK(ev.text == std::string_view(line + 4, std::strlen(line) - 6));
  }
}

TEST_CASE("client: parse_enhanced_codes off leaves the text whole (RFC 3463 §2)",
          "[smtp][client][enhanced]") {
  client_parser_options o;
  o.parse_enhanced_codes = false;
  CHECK(events("250 2.1.0 Ok\r\n", o)[0] == "line 250 last \"2.1.0 Ok\" #1 @0");
  // Nothing is read, so a wrong class is no error either.
  CHECK(events("250 5.1.1 x\r\n", o)[0] == "line 250 last \"5.1.1 x\" #1 @0");
}

TEST_CASE("client: enhanced_code prints as class.subject.detail (RFC 3463 §2)",
          "[smtp][client][enhanced]") {
  CHECK(enhanced_text(enhanced_code{}).empty());
  CHECK(enhanced_text(enhanced_code{2, 0, 0}) == "2.0.0");
  CHECK(enhanced_text(enhanced_code{5, 7, 1}) == "5.7.1");
  CHECK(enhanced_text(enhanced_code{4, 10, 100}) == "4.10.100");
  CHECK(enhanced_text(enhanced_code{5, 999, 999}) == "5.999.999");
  CHECK(enhanced_text(enhanced_code{5, 999, 999}).size() == enhanced_code::max_size);
  static_assert(enhanced_code{5, 7, 1} == enhanced_code{5, 7, 1}, "");
  static_assert(enhanced_code{5, 7, 1} != enhanced_code{5, 7, 2}, "");
  static_assert(!enhanced_code{}.present(), "");
  // Every well-formed code parses back to itself.
  for (unsigned s : {0u, 1u, 9u, 10u, 99u, 100u, 999u}) {
    for (unsigned d : {0u, 7u, 10u, 100u, 999u}) {
      const enhanced_code e{4, static_cast<std::uint16_t>(s), static_cast<std::uint16_t>(d)};
      const std::string line = "450 " + enhanced_text(e) + " x\r\n";
      const client_event ev = first_event(line);
      INFO(enhanced_text(e));
      CHECK(ev.enhanced == e);
      CHECK(ev.text == "x");
    }
  }
}

// --- octets and limits -------------------------------------------------------

TEST_CASE("client: reply lines are limited to 512 octets with CRLF (RFC 5321 §4.5.3.1.5)",
          "[smtp][client][limits]") {
  const std::string at_limit = "250 " + std::string(506, 'a') + "\r\n";
  REQUIRE(at_limit.size() == 512);
  const std::string over = "250 " + std::string(507, 'a') + "\r\n";
  const auto ok = events(at_limit + "221 bye\r\n", {}, -1, 16, 0);
  CHECK(ok[0] == "line 250 last \"" + std::string(506, 'a') + "\" #1 @0");
  CHECK(ok[2] == "line 221 last \"bye\" #1 @512");
  // One over: one error with the line's first 32 octets; its tail is never
  // a reply, and the next line is read normally (docs/security.md §4).
  CHECK(events(over + "221 bye\r\n", {}, -1, 16, 0) ==
        std::vector<std::string>{
            "error line_too_long code=250 lines=0 \"250 " + std::string(28, 'a') + "\" @0",
            "line 221 last \"bye\" #1 @513",
            "reply 221 \"bye\" lines=1 @513",
            "eof",
        });
  // A line whose tail looks like a reply does not become one.
  const std::string smuggle = "250 " + std::string(600, 'a') + "250 evil\r\n";
  CHECK(events(smuggle, {}, -1, 16, 0) ==
        std::vector<std::string>{
            "error line_too_long code=250 lines=0 \"250 " + std::string(28, 'a') + "\" @0",
            "eof",
        });
}

TEST_CASE("client: max_line_length can be raised up to Capacity (RFC 5321 §4.5.3.1.5)",
          "[smtp][client][limits]") {
  client_parser_options o;
  o.max_line_length = 1024;
  const std::string line = "550 " + std::string(1018, 'x') + "\r\n";
  REQUIRE(line.size() == 1024);
  CHECK(events(line, o, -1, 8, 0)[0] == "line 550 last \"" + std::string(1018, 'x') + "\" #1 @0");
  CHECK(first_error("550 " + std::string(1019, 'x') + "\r\n", o) == "line_too_long");
  // Above Capacity the limit is Capacity.
  o.max_line_length = 4096;
  CHECK(events<512>(line, o, -1, 8, 0)[0] ==
        "error line_too_long code=550 lines=0 \"550 " + std::string(28, 'x') + "\" @0");
  const std::string fits = "550 " + std::string(506, 'x') + "\r\n";
  CHECK(events<512>(fits, o, -1, 8, 0)[0] ==
        "line 550 last \"" + std::string(506, 'x') + "\" #1 @0");
}

TEST_CASE("client: a reply has at most max_reply_lines lines (docs/security.md §4)",
          "[smtp][client][limits]") {
  std::string lines_128;
  for (int i = 0; i < 127; ++i) lines_128 += "250-x\r\n";
  const std::string ok = lines_128 + "250 x\r\n";
  const auto log = events(ok, {}, -1, 8, 0);
  REQUIRE(log.size() == 130);
  CHECK(log[127] == "line 250 last \"x\" #128 @889");
  CHECK(log[128] == "reply 250 \"x\" lines=128 @0");

  const std::string too_many = lines_128 + "250-x\r\n250 x\r\n221 bye\r\n";
  const auto bad = events(too_many, {}, -1, 8, 0);
  REQUIRE(bad.size() == 132);
  CHECK(bad[127] == "line 250 more \"x\" #128 @889");
  CHECK(bad[128] == "error too_many_reply_lines code=250 lines=128 \"250 x\" @896");
  // Recovery: the reply is abandoned and the next line starts a new one.
  CHECK(bad[129] == "line 221 last \"bye\" #1 @903");
  CHECK(bad[130] == "reply 221 \"bye\" lines=1 @903");
  CHECK(bad[131] == "eof");

  client_parser_options o;
  o.max_reply_lines = 2;
  CHECK(events("250-a\r\n250 b\r\n", o)[2] == "reply 250 \"b\" lines=2 @0");
  CHECK(events("250-a\r\n250-b\r\n250 c\r\n", o) ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 250 more \"b\" #2 @7",
            "error too_many_reply_lines code=250 lines=2 \"250 c\" @14",
            "eof",
        });
}

TEST_CASE(
    "client: a reply has at most max_reply_length octets, CRLFs included (docs/security.md §4)",
    "[smtp][client][limits]") {
  client_parser_options o;
  o.max_reply_length = 20;
  // 9 + 11 = 20 octets: at the limit.
  CHECK(events("250-abc\r\n250 defgh\r\n", o)[2] == "reply 250 \"defgh\" lines=2 @0");
  // 9 + 12 = 21: one over.
  CHECK(events("250-abc\r\n250 defghi\r\n250 ok\r\n", o) ==
        std::vector<std::string>{
            "line 250 more \"abc\" #1 @0",
            "error reply_too_long code=250 lines=1 \"250 defghi\" @9",
            "line 250 last \"ok\" #1 @21",
            "reply 250 \"ok\" lines=1 @21",
            "eof",
        });
  // A single line over the reply limit (but within the line limit).
  CHECK(first_error("250 " + std::string(15, 'a') + "\r\n", o) == "reply_too_long");
  CHECK(first_error("250 " + std::string(14, 'a') + "\r\n", o).empty());
  // The default limit: 16384 octets.
  CHECK(client_parser_options{}.max_reply_length == 16384);
  std::string big;
  for (int i = 0; i < 31; ++i) big += "250-" + std::string(506, 'a') + "\r\n";  // 31 * 512
  const std::string last_ok = "250 " + std::string(506, 'a') + "\r\n";          // 16384
  const std::string last_over = "250 " + std::string(1, 'a') + "\r\n";
  CHECK(events(big + last_ok, {}, -1, 4, 0)[32] ==
        "reply 250 \"" + std::string(506, 'a') + "\" lines=32 @0");
  CHECK(events(big + "250-" + std::string(506, 'a') + "\r\n" + last_over, {}, -1, 4, 0)[32] ==
        "error reply_too_long code=250 lines=32 \"250 a\" @16384");
}

TEST_CASE(
    "client: bare CR, bare LF and NUL make a line an error (RFC 5321 §2.3.8, docs/security.md §5)",
    "[smtp][client]") {
  CHECK(events("250 a\rb\r\n250 ok\r\n") == std::vector<std::string>{
                                                "error bare_cr code=250 lines=0 \"250 a\\rb\" @0",
                                                "line 250 last \"ok\" #1 @9",
                                                "reply 250 \"ok\" lines=1 @9",
                                                "eof",
                                            });
  // "A\nB\r\n" is one bad line, never two replies.
  CHECK(events("250-a\r\n250 b\n250 c\r\n") ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "error bare_lf code=250 lines=1 \"250 b\\n250 c\" @7",
            "eof",
        });
  CHECK(events(bytes("250 a\0b\r\n")) == std::vector<std::string>{
                                             "error nul_in_line code=250 lines=0 \"250 a\\0b\" @0",
                                             "eof",
                                         });
}

TEST_CASE(
    "client: allow_bare_lf lets a lone LF end a line; bare CR stays an error "
    "(RFC 5321 §2.3.8)",
    "[smtp][client]") {
  client_parser_options o;
  o.allow_bare_lf = true;
  CHECK(events("250-a\n250 b\r\n", o) == std::vector<std::string>{
                                             "line 250 more \"a\" #1 @0",
                                             "line 250 last \"b\" #2 @6",
                                             "reply 250 \"b\" lines=2 @0",
                                             "eof",
                                         });
  CHECK(events("250 a\rb\n", o)[0] == "error bare_cr code=250 lines=0 \"250 a\\rb\" @0");
  CHECK(events(bytes("250 a\0\n"), o)[0] == "error nul_in_line code=250 lines=0 \"250 a\\0\" @0");
}

TEST_CASE("client: control octets other than HT in the text are errors (RFC 5321 §4.2 textstring)",
          "[smtp][client]") {
  for (int c = 1; c < 0x20; ++c) {
    if (c == '\t' || c == '\r' || c == '\n') continue;
    const std::string line = std::string("250 a") + static_cast<char>(c) + "b\r\n";
    INFO("octet " << c);
    CHECK(first_error(line) == "control_in_reply");
  }
  CHECK(first_error("250 a\x7f\r\n") == "control_in_reply");
  CHECK(first_error("250-\x1b[31m\r\n") == "control_in_reply");
  CHECK(events("250 a\x01 2\r\n250 ok\r\n") ==
        std::vector<std::string>{
            "error control_in_reply code=250 lines=0 \"250 a\\x01 2\" @0",
            "line 250 last \"ok\" #1 @10",
            "reply 250 \"ok\" lines=1 @10",
            "eof",
        });
  // HT and octets >= 0x80 (UTF-8, RFC 6531) are text.
  CHECK(first_error("250 a\tb\r\n").empty());
  CHECK(first_event("250 gr\xc3\xbc\xc3\x9f\r\n").text == "gr\xc3\xbc\xc3\x9f");
  CHECK(first_event("250 \xff\r\n").text == "\xff");  // not validated here
}

TEST_CASE(
    "client: allow_control accepts control octets in the text, not NUL/CR/LF "
    "(RFC 5321 §4.2)",
    "[smtp][client]") {
  client_parser_options o;
  o.allow_control = true;
  CHECK(events("250 a\x01\x7f\x1b z\r\n", o)[0] == "line 250 last \"a\\x01\\x7f\\x1b z\" #1 @0");
  CHECK(first_error(bytes("250 a\0\r\n"), o) == "nul_in_line");
  CHECK(first_error("250 a\rb\r\n", o) == "bare_cr");
}

TEST_CASE("client: EOF in the middle of a reply is one unexpected_eof (RFC 5321 §3.8)",
          "[smtp][client][eof]") {
  // After complete continuation lines: at the end of the stream.
  CHECK(events("250-a\r\n") == std::vector<std::string>{
                                   "line 250 more \"a\" #1 @0",
                                   "error unexpected_eof code=0 lines=1 \"\" @7",
                                   "eof",
                               });
  // In a partial line: at that line's start.
  CHECK(events("250-a\r\n250 b") == std::vector<std::string>{
                                        "line 250 more \"a\" #1 @0",
                                        "error unexpected_eof code=0 lines=1 \"\" @7",
                                        "eof",
                                    });
  CHECK(events("250 a\r") == std::vector<std::string>{
                                 "error unexpected_eof code=0 lines=0 \"\" @0",
                                 "eof",
                             });
  // Between replies the end is clean.
  CHECK(events("250 a\r\n") ==
        std::vector<std::string>{"line 250 last \"a\" #1 @0", "reply 250 \"a\" lines=1 @0", "eof"});
  CHECK(events("") == std::vector<std::string>{"eof"});
}

// --- STARTTLS -----------------------------------------------------------------

TEST_CASE(
    "client: bytes behind the 220 to STARTTLS are one error, never replies "
    "(RFC 3207 §4, docs/security.md §2)",
    "[smtp][client][starttls]") {
  // The injection arrives in the same read as the 220 or later: the split
  // harness tries both, and the log must be the same.
  const std::string input =
      "220 2.0.0 Ready to start TLS\r\n"
      "250-mx.example.org\r\n"
      "250 AUTH PLAIN\r\n";
  CHECK(events(input, {}, 0) == std::vector<std::string>{
                                    "line 220 last [2.0.0] \"Ready to start TLS\" #1 @0",
                                    "reply 220 [2.0.0] \"Ready to start TLS\" lines=1 @0",
                                    "error data_after_starttls code=0 lines=0 \"\" @30",
                                    "eof",
                                });
  // After EHLO's reply (the usual order): only the STARTTLS answer counts.
  CHECK(events("250 mx.example.org\r\n220 go ahead\r\nX", {}, 1) ==
        std::vector<std::string>{
            "line 250 last \"mx.example.org\" #1 @0",
            "reply 250 \"mx.example.org\" lines=1 @0",
            "line 220 last \"go ahead\" #1 @20",
            "reply 220 \"go ahead\" lines=1 @20",
            "error data_after_starttls code=0 lines=0 \"\" @34",
            "eof",
        });
  // Nothing behind it: no error, and EOF there is clean.
  CHECK(events("220 go ahead\r\n", {}, 0) == std::vector<std::string>{
                                                 "line 220 last \"go ahead\" #1 @0",
                                                 "reply 220 \"go ahead\" lines=1 @0",
                                                 "eof",
                                             });
}

TEST_CASE("client: the STARTTLS barrier holds for later feeds until reset() (RFC 3207 §4)",
          "[smtp][client][starttls]") {
  client_parser<> p;
  p.expect_starttls_reply();
  p.feed("220 Ready\r\n");
  CHECK(p.next().kind == client_event_kind::line);
  CHECK(p.next().kind == client_event_kind::reply);
  CHECK_FALSE(p.buffered());
  CHECK(p.next().kind == client_event_kind::need_more);

  p.feed("250 injected\r\n");
  CHECK(p.buffered());
  const client_event ev = p.next();
  CHECK(ev.kind == client_event_kind::error);
  CHECK(ev.error == errc::data_after_starttls);
  CHECK(ev.offset == 11);
  CHECK(p.next().kind == client_event_kind::need_more);
  CHECK(p.offset() == 25);
  CHECK_FALSE(p.buffered());
  // One error only; further bytes are dropped silently.
  p.feed("250 more\r\n");
  CHECK(p.next().kind == client_event_kind::need_more);
  p.feed_eof();
  CHECK(p.next().kind == client_event_kind::need_more);

  // After the handshake: a fresh parser state, offsets from 0.
  p.reset();
  p.feed("250 mx.example.org\r\n");
  const client_event line = p.next();
  CHECK(line.kind == client_event_kind::line);
  CHECK(line.offset == 0);
  CHECK(line.text == "mx.example.org");
  CHECK(p.next().kind == client_event_kind::reply);
}

TEST_CASE(
    "client: buffered() shows bytes behind the STARTTLS answer before the error "
    "(RFC 3207 §4)",
    "[smtp][client][starttls]") {
  client_parser<> p;
  p.expect_starttls_reply();
  p.feed("220 Ready\r\nEVIL");
  CHECK(p.next().kind == client_event_kind::line);
  CHECK(p.next().kind == client_event_kind::reply);
  CHECK(p.buffered());
  CHECK(p.rest() == "EVIL");
  CHECK(p.next().error == errc::data_after_starttls);
  CHECK(p.rest().empty());
}

TEST_CASE("client: a 4xx or 5xx answer to STARTTLS raises no barrier (RFC 3207 §4)",
          "[smtp][client][starttls]") {
  CHECK(events("454 4.7.0 TLS not available due to temporary reason\r\n250 2.0.0 Ok\r\n", {}, 0) ==
        std::vector<std::string>{
            "line 454 last [4.7.0] \"TLS not available due to temporary reason\" #1 @0",
            "reply 454 [4.7.0] \"TLS not available due to temporary reason\" lines=1 @0",
            "line 250 last [2.0.0] \"Ok\" #1 @53",
            "reply 250 [2.0.0] \"Ok\" lines=1 @53",
            "eof",
        });
  CHECK(events("501 5.5.4 Syntax error\r\n220 later\r\nX", {}, 0)[3] ==
        "reply 220 \"later\" lines=1 @24");
  // The expectation is for one reply: the later 220 raises nothing.
  CHECK(events("501 5.5.4 Syntax error\r\n220 later\r\nX", {}, 0)[4] ==
        "error unexpected_eof code=0 lines=0 \"\" @35");
}

TEST_CASE(
    "client: a mismatched answer to STARTTLS is the answer, judged by its last code "
    "(RFC 3207 §4, RFC 5321 §4.2.1)",
    "[smtp][client][starttls][mismatch]") {
  // Its last line says 220: the bytes behind it are never replies.
  CHECK(events("250-a\r\n220 go\r\n250 injected\r\n", {}, 0) ==
        std::vector<std::string>{
            "line 250 more \"a\" #1 @0",
            "line 220 last \"go\" #2 @7",
            "error reply_code_mismatch code=220 lines=2 \"220 go\" @7",
            "error data_after_starttls code=0 lines=0 \"\" @15",
            "eof",
        });
  // Its last line says 454: the expectation is used up, no barrier, and a
  // later 220 raises none either.
  CHECK(events("220-a\r\n454 no\r\n220 later\r\nX", {}, 0) ==
        std::vector<std::string>{
            "line 220 more \"a\" #1 @0",
            "line 454 last \"no\" #2 @7",
            "error reply_code_mismatch code=454 lines=2 \"454 no\" @7",
            "line 220 last \"later\" #1 @15",
            "reply 220 \"later\" lines=1 @15",
            "error unexpected_eof code=0 lines=0 \"\" @26",
            "eof",
        });
}

TEST_CASE("client: a broken line does not count as the STARTTLS answer (RFC 3207 §4)",
          "[smtp][client][starttls]") {
  // The next complete reply is the answer; the broken line is abandoned.
  CHECK(events("220 a\x01\r\n220 go\r\n250 x\r\n", {}, 0) ==
        std::vector<std::string>{
            "error control_in_reply code=220 lines=0 \"220 a\\x01\" @0",
            "line 220 last \"go\" #1 @8",
            "reply 220 \"go\" lines=1 @8",
            "error data_after_starttls code=0 lines=0 \"\" @16",
            "eof",
        });
  // A multi-line 2xx answer: the barrier is after its last line.
  CHECK(events("220-a\r\n220 b\r\nX", {}, 0) ==
        std::vector<std::string>{
            "line 220 more \"a\" #1 @0",
            "line 220 last \"b\" #2 @7",
            "reply 220 \"b\" lines=2 @0",
            "error data_after_starttls code=0 lines=0 \"\" @14",
            "eof",
        });
}

// --- recovery and real-world replies -----------------------------------------

TEST_CASE("client: after any error the next reply parses normally (RFC 5321 §4.2)",
          "[smtp][client]") {
  const std::string bad_lines[] = {
      "199 x\r\n",       "250x\r\n",
      "250 4.0.0 x\r\n", "250 \x02\r\n",
      "250 a\rb\r\n",    bytes("250 \0\r\n"),
      "250 a\nb\r\n",    "250 " + std::string(600, 'z') + "\r\n",
  };
  for (const auto& bad : bad_lines) {
    INFO(escape(bad));
    const auto log = events(bad + "250-next\r\n250 2.0.0 reply\r\n", {}, -1, 16);
    REQUIRE(log.size() == 5);
    CHECK(log[0].rfind("error ", 0) == 0);
    CHECK(log[1] == "line 250 more \"next\" #1 @" + std::to_string(bad.size()));
    CHECK(log[3] == "reply 250 [2.0.0] \"reply\" lines=2 @" + std::to_string(bad.size()));
  }
}

TEST_CASE("client: a Postfix-style EHLO reply (RFC 5321 §4.1.1.1, ehlo-ok-rsp)", "[smtp][client]") {
  const std::string input =
      "250-mail.example.org\r\n"
      "250-PIPELINING\r\n"
      "250-SIZE 10240000\r\n"
      "250-VRFY\r\n"
      "250-ETRN\r\n"
      "250-STARTTLS\r\n"
      "250-AUTH PLAIN LOGIN\r\n"
      "250-AUTH=PLAIN LOGIN\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-8BITMIME\r\n"
      "250-DSN\r\n"
      "250-SMTPUTF8\r\n"
      "250 CHUNKING\r\n";
  const auto log = events(input);
  const std::vector<std::string> texts = {
      "mail.example.org", "PIPELINING",       "SIZE 10240000",       "VRFY",     "ETRN", "STARTTLS",
      "AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN",  "SMTPUTF8",
      "CHUNKING"};
  REQUIRE(log.size() == texts.size() + 2);
  std::size_t at = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const bool last = i + 1 == texts.size();
    CHECK(log[i] == "line 250 " + std::string(last ? "last" : "more") + " \"" + texts[i] + "\" #" +
                        std::to_string(i + 1) + " @" + std::to_string(at));
    at += 4 + texts[i].size() + 2;
  }
  CHECK(log[texts.size()] == "reply 250 \"CHUNKING\" lines=13 @0");
  CHECK(at == input.size());
}

TEST_CASE("client: an Exchange-style greeting and EHLO reply (RFC 5321 §4.2, §4.1.1.1)",
          "[smtp][client]") {
  const std::string input =
      "220 EX01.contoso.example Microsoft ESMTP MAIL Service ready at "
      "Tue, 4 Jun 2024 10:00:00 +0000\r\n"
      "250-EX01.contoso.example Hello [192.0.2.10]\r\n"
      "250-SIZE 37748736\r\n"
      "250-PIPELINING\r\n"
      "250-DSN\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-STARTTLS\r\n"
      "250-AUTH GSSAPI NTLM\r\n"
      "250-X-EXPS GSSAPI NTLM\r\n"
      "250-8BITMIME\r\n"
      "250-BINARYMIME\r\n"
      "250-CHUNKING\r\n"
      "250-XEXCH50\r\n"
      "250-XRDST\r\n"
      "250 XSHADOWREQUEST\r\n";
  const auto log = events(input);
  REQUIRE(log.size() == 2 + 14 + 1 + 1);
  CHECK(log[0] ==
        "line 220 last \"EX01.contoso.example Microsoft ESMTP MAIL Service ready at Tue, 4 Jun "
        "2024 10:00:00 +0000\" #1 @0");
  CHECK(log[1].rfind("reply 220 ", 0) == 0);
  CHECK(log[2] == "line 250 more \"EX01.contoso.example Hello [192.0.2.10]\" #1 @95");
  CHECK(log[10] == "line 250 more \"8BITMIME\" #9 @269");
  CHECK(log[15] == "line 250 last \"XSHADOWREQUEST\" #14 @337");
  CHECK(log[16] == "reply 250 \"XSHADOWREQUEST\" lines=14 @95");
}

TEST_CASE("client: an EHLO reply of 40 lines passes the default limits (RFC 5321 §4.1.1.1)",
          "[smtp][client][limits]") {
  std::string input = "250-mx.example.org greets you\r\n";
  for (int i = 0; i < 38; ++i)
    input += "250-X-EXTENSION-" + std::to_string(i) + " some parameters\r\n";
  input += "250 SMTPUTF8\r\n";
  const auto log = events(input, {}, -1, 16, 0);
  REQUIRE(log.size() == 42);
  CHECK(log[40] == "reply 250 \"SMTPUTF8\" lines=40 @0");
}

TEST_CASE("client: a multi-line 554 greeting and a 421 in the middle (RFC 5321 §3.1, §3.8)",
          "[smtp][client]") {
  const std::string input =
      "554-mx.example.org no SMTP service here\r\n"
      "554 5.7.1 see policy\r\n"
      "421 4.4.2 mx.example.org closing\r\n";
  CHECK(events(input) == std::vector<std::string>{
                             "line 554 more \"mx.example.org no SMTP service here\" #1 @0",
                             "line 554 last [5.7.1] \"see policy\" #2 @41",
                             "reply 554 [5.7.1] \"see policy\" lines=2 @0",
                             "line 421 last [4.4.2] \"mx.example.org closing\" #1 @63",
                             "reply 421 [4.4.2] \"mx.example.org closing\" lines=1 @63",
                             "eof",
                         });
}

// --- contracts -----------------------------------------------------------------

TEST_CASE("client: views point into the feed; offset(), rest() and reset()",
          "[smtp][client]") {
  const std::string input = "250-a\r\n250 bc\r\n221";
  client_parser<> p;
  CHECK(p.options().max_line_length == 512);
  p.feed(input);
  CHECK(p.buffered());
  client_event ev = p.next();
  CHECK(ev.text.data() == input.data() + 4);  // zero copy within one feed
  CHECK(p.offset() == 7);
  CHECK(p.rest() == "250 bc\r\n221");
  ev = p.next();
  CHECK(ev.text.data() == input.data() + 11);
  ev = p.next();
  CHECK(ev.kind == client_event_kind::reply);
  CHECK(ev.text.data() == input.data() + 11);  // the last line's text, still valid
  CHECK(p.rest() == "221");
  ev = p.next();
  CHECK(ev.kind == client_event_kind::need_more);
  CHECK(ev.offset == input.size());
  CHECK(p.buffered());  // "221" is a partial line
  p.reset();
  CHECK_FALSE(p.buffered());
  CHECK(p.offset() == 0);
  CHECK(p.rest().empty());
  p.feed("221 bye\r\n");
  ev = p.next();
  CHECK(ev.kind == client_event_kind::line);
  CHECK(ev.offset == 0);
  CHECK(ev.text == "bye");
}

TEST_CASE("client: a line split across feeds comes from the carry buffer",
          "[smtp][client]") {
  client_parser<> p;
  p.feed("250 hel");
  CHECK(p.next().kind == client_event_kind::need_more);
  CHECK(p.buffered());
  std::string second = "lo\r\n";
  p.feed(second);
  const client_event ev = p.next();
  CHECK(ev.text == "hello");
  second.assign(second.size(), '#');  // the view does not depend on the second feed
  CHECK(ev.text == "hello");
  const client_event reply = p.next();
  CHECK(reply.text == "hello");
}

TEST_CASE("client: every event kind in one stream is split-invariant",
          "[smtp][client]") {
  std::string input =
      "220-mx.example.org ESMTP\r\n220 ready\r\n"
      "250-mx.example.org\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
      "250 2.1.0 Ok\r\n250-a\r\n251 b\r\n199 x\r\n250x\r\n250 5.1.1 x\r\n"
      "250 a\rb\r\n250 a\nb\r\n250 \x01\r\n354 2.0.0 go\r\n";
  input += bytes("250 \0\r\n");
  input += "250 " + std::string(600, 'q') + "\r\n";
  input += "250-" + std::string(500, 'r') + "\r\n250 " + std::string(500, 's') + "\r\n";
  input += "250-unfinished\r\n";
  const auto log = events(input, {}, -1, 128, 4096);
  REQUIRE(log.size() == 28);
  CHECK(log[10] == "line 251 last \"b\" #2 @107");
  CHECK(log[11] == "error reply_code_mismatch code=251 lines=2 \"251 b\" @107");
  CHECK(log[12] == "error invalid_reply_code code=0 lines=0 \"199 x\" @114");
  CHECK(log[19] == "reply 354 \"2.0.0 go\" lines=1 @165");
  CHECK(log[24] == "reply 250 \"" + std::string(500, 's') + "\" lines=2 @792");
  CHECK(log[log.size() - 2] ==
        "error unexpected_eof code=0 lines=1 \"\" @" + std::to_string(input.size()));
  // The same with the greeting taken as the answer to STARTTLS.
  const auto barrier = events(input, {}, 0, 128, 4096);
  CHECK(barrier == std::vector<std::string>{
                       "line 220 more \"mx.example.org ESMTP\" #1 @0",
                       "line 220 last \"ready\" #2 @26",
                       "reply 220 \"ready\" lines=2 @0",
                       "error data_after_starttls code=0 lines=0 \"\" @37",
                       "eof",
                   });
}

// --- properties ---------------------------------------------------------------

namespace {

struct generated_line {
  std::string text;
  enhanced_code enhanced;
};

struct generated_reply {
  std::uint16_t code = 0;
  std::vector<generated_line> lines;
};

// Text that starts with neither a digit nor SP, so it never reads as an
// enhanced code or loses a leading space; HT, printable ASCII and UTF-8.
std::string random_text(std::mt19937& rng) {
  static const std::string_view extra[] = {"\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\xa7"};
  std::uniform_int_distribution<int> len(0, 60);
  std::uniform_int_distribution<int> printable(0x20, 0x7e);
  std::uniform_int_distribution<int> pick(0, 19);
  std::string s;
  const int n = len(rng);
  while (static_cast<int>(s.size()) < n) {
    const int k = pick(rng);
    if (k < 4) {
      s += extra[k];
    } else {
      s += static_cast<char>(printable(rng));
    }
    if (s.size() == 1 && ((s[0] >= '0' && s[0] <= '9') || s[0] == ' ')) s[0] = 'x';
  }
  return s;
}

generated_reply random_reply(std::mt19937& rng) {
  std::uniform_int_distribution<int> d0(2, 5), d1(0, 5), d2(0, 9), lines(1, 40), coin(0, 1),
      part(0, 999);
  generated_reply r;
  r.code = static_cast<std::uint16_t>(d0(rng) * 100 + d1(rng) * 10 + d2(rng));
  const bool with_enhanced = r.code / 100 != 3 && coin(rng) == 1;
  const int n = lines(rng);
  for (int i = 0; i < n; ++i) {
    generated_line l;
    l.text = random_text(rng);
    if (with_enhanced)
      l.enhanced = enhanced_code{static_cast<std::uint8_t>(r.code / 100),
                                 static_cast<std::uint16_t>(part(rng)),
                                 static_cast<std::uint16_t>(part(rng))};
    r.lines.push_back(l);
  }
  return r;
}

std::string wire_line(std::uint16_t code, const generated_line& l, bool last, std::mt19937& rng) {
  std::uniform_int_distribution<int> coin(0, 1);
  std::string out = std::to_string(code);
  std::string rest;
  if (l.enhanced.present()) {
    rest = enhanced_text(l.enhanced);
    if (!l.text.empty()) rest += " " + l.text;
  } else {
    rest = l.text;
  }
  // "250" and "250 " are both a last line with empty text.
  if (!(last && rest.empty() && coin(rng) == 1)) out += last ? " " : "-";
  return out + rest + "\r\n";
}

std::string wire(const generated_reply& r, std::mt19937& rng) {
  std::string out;
  for (std::size_t i = 0; i < r.lines.size(); ++i)
    out += wire_line(r.code, r.lines[i], i + 1 == r.lines.size(), rng);
  return out;
}

}  // namespace

TEST_CASE(
    "client: random valid replies parse back to their codes, codes and lines "
    "(RFC 5321 §4.2, RFC 3463 §2)",
    "[smtp][client][property]") {
  std::mt19937 rng(20240604);
  for (int round = 0; round < 60; ++round) {
    std::vector<generated_reply> replies;
    std::string stream;
    std::uniform_int_distribution<int> count(1, 6);
    for (int k = count(rng); k > 0; --k) {
      replies.push_back(random_reply(rng));
      stream += wire(replies.back(), rng);
    }
    INFO("round " << round << ": " << escape(stream));
    client_parser<> p;
    p.feed(stream);
    std::uint64_t at = 0;
    for (const generated_reply& r : replies) {
      const std::uint64_t reply_start = at;
      for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const client_event ev = p.next();
        REQUIRE(ev.kind == client_event_kind::line);
        CHECK(ev.code == r.code);
        CHECK(ev.text == r.lines[i].text);
        CHECK(ev.enhanced == r.lines[i].enhanced);
        CHECK(ev.lines == i + 1);
        CHECK(ev.last == (i + 1 == r.lines.size()));
        CHECK(ev.offset == at);
        at = p.offset();
      }
      const client_event end = p.next();
      REQUIRE(end.kind == client_event_kind::reply);
      CHECK(end.code == r.code);
      CHECK(end.lines == r.lines.size());
      CHECK(end.offset == reply_start);
      CHECK(end.enhanced == r.lines.back().enhanced);
      CHECK(end.text == r.lines.back().text);
    }
    CHECK(p.next().kind == client_event_kind::need_more);
    CHECK(p.offset() == stream.size());
    // And the same events for random splits.
    if (round % 6 == 0) events(stream, {}, -1, 16, 0);
  }
}

TEST_CASE(
    "client: random replies with changed codes give one outcome each, the last code "
    "(RFC 5321 §4.2.1, RFC 2920 §3.1)",
    "[smtp][client][property][mismatch]") {
  std::mt19937 rng(4221);
  std::uniform_int_distribution<int> count(1, 6), pick(0, 3), d0(2, 5), d1(0, 5), d2(0, 9);
  for (int round = 0; round < 80; ++round) {
    std::vector<generated_reply> replies;
    std::vector<bool> mismatched;
    std::string stream;
    for (int k = count(rng); k > 0; --k) {
      generated_reply r = random_reply(rng);
      // Some lines after the first get another valid code (and no enhanced
      // code, whose class would have to match it).
      bool changed = false;
      for (std::size_t i = 0; i < r.lines.size(); ++i) {
        std::uint16_t code = r.code;
        if (i > 0 && pick(rng) == 0) {
          code = static_cast<std::uint16_t>(d0(rng) * 100 + d1(rng) * 10 + d2(rng));
          r.lines[i].enhanced = {};
          changed = changed || code != r.code;
        }
        stream += wire_line(code, r.lines[i], i + 1 == r.lines.size(), rng);
        if (i + 1 == r.lines.size()) r.code = code;  // what the outcome carries
      }
      replies.push_back(r);
      mismatched.push_back(changed);
    }
    INFO("round " << round << ": " << escape(stream));
    client_parser<> p;
    p.feed(stream);
    for (std::size_t k = 0; k < replies.size(); ++k) {
      const generated_reply& r = replies[k];
      for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const client_event ev = p.next();
        REQUIRE(ev.kind == client_event_kind::line);
        CHECK(ev.text == r.lines[i].text);
        CHECK(ev.lines == i + 1);
      }
      const client_event end = p.next();
      CHECK(end.code == r.code);
      CHECK(end.lines == r.lines.size());
      if (mismatched[k]) {
        REQUIRE(end.kind == client_event_kind::error);
        CHECK(end.error == errc::reply_code_mismatch);
      } else {
        CHECK(end.kind == client_event_kind::reply);
      }
    }
    CHECK(p.next().kind == client_event_kind::need_more);
    if (round % 8 == 0) events(stream, {}, -1, 16, 0);
  }
}

TEST_CASE("client: what reply_writer writes, client_parser reads back (RFC 5321 §4.2.1)",
          "[smtp][client][property]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d0(2, 5), d1(0, 5), d2(0, 9), count(1, 8), part(0, 999),
      coin(0, 1);
  for (int round = 0; round < 200; ++round) {
    const auto code = static_cast<std::uint16_t>(d0(rng) * 100 + d1(rng) * 10 + d2(rng));
    enhanced_code enhanced;
    if (code / 100 != 3 && coin(rng) == 1)
      enhanced = {static_cast<std::uint8_t>(code / 100), static_cast<std::uint16_t>(part(rng)),
                  static_cast<std::uint16_t>(part(rng))};
    const std::string enhanced_str = enhanced_text(enhanced);
    std::vector<std::string> texts;
    for (int k = count(rng); k > 0; --k) {
      std::string t = random_text(rng);
      if (t.empty() && enhanced.present()) t = "x";  // the writer needs text after a code
      texts.push_back(t);
    }
    std::vector<std::string_view> views(texts.begin(), texts.end());
    std::string out;
    appendable_sink<std::string> sink(out);
    REQUIRE(smtp::write_reply(sink, code, enhanced_str, views.data(), views.size()) == errc{});
    INFO(escape(out));
    client_parser<> p;
    p.feed(out);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const client_event ev = p.next();
      REQUIRE(ev.kind == client_event_kind::line);
      CHECK(ev.code == code);
      CHECK(ev.enhanced == enhanced);
      CHECK(ev.text == texts[i]);
    }
    const client_event end = p.next();
    REQUIRE(end.kind == client_event_kind::reply);
    CHECK(end.lines == texts.size());
    CHECK(p.next().kind == client_event_kind::need_more);
  }
}

TEST_CASE(
    "client: random bytes never crash and every error is followed by a fresh reply "
    "(docs/security.md §7)",
    "[smtp][client][property]") {
  // Fragments of valid and broken lines, glued at random: the log must be
  // split-invariant and every reply event must follow its own line events.
  const std::string_view pieces[] = {"250",  "-",     " ",     "\r\n", "\n",
                                     "\r",   "2.1.0", "5.7.1", "x",    "\x01",
                                     "199",  "25",    "354",   "\t",   std::string_view("\0", 1),
                                     "421 ", "251-"};
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof pieces / sizeof pieces[0] - 1);
  std::uniform_int_distribution<int> length(1, 80);
  for (int round = 0; round < 150; ++round) {
    std::string input;
    for (int k = length(rng); k > 0; --k) input += pieces[pick(rng)];
    const auto log = events(input, {}, round % 5 == 0 ? 0 : -1, 8, 256);
    // A reply event always comes right after a last line of the same code,
    // and so does a code mismatch (with that line's code).
    const std::string mismatch = "error reply_code_mismatch code=";
    for (std::size_t i = 0; i < log.size(); ++i) {
      std::string code;
      if (log[i].rfind("reply ", 0) == 0) code = log[i].substr(6, 3);
      if (log[i].rfind(mismatch, 0) == 0) code = log[i].substr(mismatch.size(), 3);
      if (code.empty()) continue;
      REQUIRE(i > 0);
      INFO(log[i - 1] << " / " << log[i]);
      CHECK(log[i - 1].rfind("line " + code + " last", 0) == 0);
    }
    CHECK(log.back() == "eof");
    CHECK_FALSE(has(log, ""));
  }
}
