// pop3::server_parser: commands and their arguments, line limits and
// recovery, SASL responses and the STLS barrier. Sequences are replayed
// whole, byte by byte, at every split and at random splits, and must give the
// same event log.
#include <mailwire/pop3/server_parser.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using pop3::server_event;
using pop3::server_event_kind;
using pop3::verb;
using test::escape;

namespace {

/// One log line per event. Commands show every typed field that is set.
std::string describe_event(const server_event& ev) {
  std::string s;
  switch (ev.kind) {
    case server_event_kind::need_more: return "need_more";
    case server_event_kind::command: {
      const pop3::command& c = ev.command;
      s = "command " + std::string(pop3::name(c.verb));
      if (!c.name.empty()) s += " name=" + escape(c.name);
      if (!c.password.empty()) s += " password=" + escape(c.password);
      if (!c.digest.empty()) s += " digest=" + escape(c.digest);
      if (c.has_message) s += " msg=" + std::to_string(c.message);
      if (c.verb == verb::top) s += " lines=" + std::to_string(c.lines);
      if (!c.mechanism.empty()) s += " mech=" + escape(c.mechanism);
      if (c.has_initial_response) s += " ir=\"" + escape(c.initial_response) + "\"";
      if (!c.language.empty()) s += " lang=" + escape(c.language);
      break;
    }
    case server_event_kind::sasl_data: return "sasl_data " + escape(ev.bytes);
    case server_event_kind::sasl_end: s = ev.cancelled ? "sasl_end cancelled" : "sasl_end"; break;
    case server_event_kind::error:
      s = "error " + std::string(name(ev.error));
      if (!ev.detail.empty()) s += " detail=\"" + escape(ev.detail) + "\"";
      s += " reply=\"" + std::string(ev.reply()) + "\"";
      break;
  }
  return s + " @" + std::to_string(ev.offset);
}

/// The adapter for the split harness: a server that answers every AUTH with a
/// mechanism, and every complete SASL response, with a "+ " continuation
/// while `sasl_rounds` last (then it would send +OK or -ERR).
struct session {
  pop3::server_parser<> parser;
  int sasl_rounds = 2;
  int rounds_left = 0;
  bool refuse_stls = false;  // answer -ERR to STLS (and lift the barrier)

  void drain(test::event_log& log) {
    for (;;) {
      const server_event& ev = parser.next();
      if (ev.kind == server_event_kind::need_more) return;
      if (ev.kind == server_event_kind::sasl_data) {
        log.data(ev.bytes);
        continue;
      }
      log.add(describe_event(ev));
      if (refuse_stls && ev.kind == server_event_kind::command && ev.command.verb == verb::stls)
        CHECK(parser.refuse_stls());
      if (ev.kind == server_event_kind::command && ev.command.verb == verb::auth &&
          !ev.command.mechanism.empty()) {
        rounds_left = sasl_rounds;
      }
      const bool wants_response =
          (ev.kind == server_event_kind::command && ev.command.verb == verb::auth &&
           !ev.command.mechanism.empty()) ||
          (ev.kind == server_event_kind::sasl_end && !ev.cancelled);
      if (wants_response && rounds_left > 0) {
        --rounds_left;
        CHECK(parser.expect_sasl_response());
      }
    }
  }
  void feed(std::string_view piece, test::event_log& log) {
    parser.feed(piece);
    drain(log);
  }
  void finish(test::event_log& log) {
    parser.feed_eof();
    drain(log);
  }
};

/// The event log for `input`, checked to be the same for every split.
std::string trace_of(std::string_view input, const pop3::server_parser_options& o = {},
                     int sasl_rounds = 2) {
  return test::check_split_invariance(
      [&] {
        session s{pop3::server_parser<>(o)};
        s.sasl_rounds = sasl_rounds;
        return s;
      },
      input);
}

/// The log lines of a trace, without the position suffixes (for tests that
/// check content, not offsets).
std::vector<std::string> events_of(std::string_view input,
                                   const pop3::server_parser_options& o = {}, int sasl_rounds = 2) {
  const std::string log = trace_of(input, o, sasl_rounds);
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < log.size()) {
    const std::size_t nl = log.find('\n', from);
    std::string line = log.substr(from, nl - from);
    const std::size_t at = line.rfind(" @");
    if (at != std::string::npos) line.erase(at);
    out.push_back(line);
    from = nl + 1;
  }
  return out;
}

/// The single event a one-line input gives (split invariance checked).
std::string one(std::string_view line, const pop3::server_parser_options& o = {}) {
  const std::vector<std::string> ev = events_of(line, o);
  REQUIRE(ev.size() == 1);
  return ev[0];
}

/// Just the error name of a one-line input ("" when it is not an error).
std::string error_of(std::string_view line, const pop3::server_parser_options& o = {}) {
  const std::string ev = one(line, o);
  if (ev.rfind("error ", 0) != 0) return "";
  const std::size_t end = ev.find(' ', 6);
  return ev.substr(6, end == std::string::npos ? std::string::npos : end - 6);
}

pop3::server_parser_options lenient() {
  pop3::server_parser_options o;
  o.allow_extra_spaces = true;
  return o;
}

}  // namespace

TEST_CASE("pop3 server: keywords are case-insensitive (RFC 1939 §3)", "[pop3][server]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"user a\r\n", "command USER name=a"},
      {"Pass x\r\n", "command PASS password=x"},
      {"apop a 0123456789abcdef0123456789ABCDEF\r\n",
       "command APOP name=a digest=0123456789abcdef0123456789ABCDEF"},
      {"auth\r\n", "command AUTH"},
      {"capa\r\n", "command CAPA"},
      {"utf8\r\n", "command UTF8"},
      {"lang\r\n", "command LANG"},
      {"stat\r\n", "command STAT"},
      {"list\r\n", "command LIST"},
      {"retr 1\r\n", "command RETR msg=1"},
      {"dele 2\r\n", "command DELE msg=2"},
      {"noop\r\n", "command NOOP"},
      {"rset\r\n", "command RSET"},
      {"top 3 4\r\n", "command TOP msg=3 lines=4"},
      {"uidl\r\n", "command UIDL"},
      {"QuIt\r\n", "command QUIT"},
  };
  for (const auto& c : cases) {
    INFO(escape(c.first));
    CHECK(one(c.first) == c.second);
  }
  pop3::server_parser<> p;
  p.feed("sTlS\r\n");
  const server_event& ev = p.next();
  CHECK(ev.kind == server_event_kind::command);
  CHECK(ev.command.verb == verb::stls);
  CHECK(ev.command.verb_text == "sTlS");
}

TEST_CASE("pop3 server: an unknown keyword is one -ERR and parsing goes on (RFC 1939 §3)",
          "[pop3][server]") {
  CHECK(events_of("XTND XMIT\r\nSTAT\r\n") ==
        std::vector<std::string>{"error unknown_command detail=\"XTND\" reply=\"Unknown command\"",
                                 "command STAT"});
  CHECK(error_of("STATS\r\n") == "unknown_command");
  CHECK(error_of("ST\r\n") == "unknown_command");
  CHECK(error_of("\r\n") == "unknown_command");
  CHECK(error_of(" STAT\r\n") == "unknown_command");
  CHECK(error_of("STAT\t\r\n") == "unknown_command");
  CHECK(error_of("EHLO x\r\n") == "unknown_command");
  CHECK(error_of("STARTTLS\r\n") == "unknown_command");
}

TEST_CASE("pop3 server: USER takes one name (RFC 1939 §7, RFC 6856 §2)", "[pop3][server]") {
  CHECK(one("USER mrose\r\n") == "command USER name=mrose");
  CHECK(one("USER j\xc3\xb6rg@example.org\r\n") == "command USER name=j\\xc3\\xb6rg@example.org");
  CHECK(one("USER mrose x\r\n") ==
        "error unexpected_argument detail=\"x\" reply=\"Too many arguments\"");
  CHECK(one("USER\r\n") == "error missing_argument reply=\"Missing argument\"");
  CHECK(error_of("USER \r\n") == "invalid_syntax");
  CHECK(one("USER a\tb\r\n") ==
        "error invalid_syntax detail=\"a\\tb\" reply=\"Invalid user name\"");
  CHECK(error_of("USER j\xc3\r\n") == "invalid_utf8");
  CHECK(error_of("USER \xff\r\n") == "invalid_utf8");
}

TEST_CASE("pop3 server: PASS takes the rest of the line verbatim, spaces included (RFC 1939 §7)",
          "[pop3][server]") {
  CHECK(one("PASS secret\r\n") == "command PASS password=secret");
  CHECK(one("PASS my secret \r\n") == "command PASS password=my secret ");
  CHECK(one("PASS  lead\r\n") == "command PASS password= lead");
  CHECK(one("PASS ab\xc3\xa9\r\n") == "command PASS password=ab\\xc3\\xa9");
  // Extra-space leniency never rewrites a password.
  CHECK(one("PASS  a  b \r\n", lenient()) == "command PASS password= a  b ");
  CHECK(error_of("PASS\r\n") == "missing_argument");
  CHECK(error_of("PASS \r\n") == "missing_argument");
  // A password cannot smuggle a line end.
  CHECK(events_of("PASS a\nSTAT\r\n") ==
        std::vector<std::string>{"error bare_lf detail=\"PASS\" reply=\"Bare LF not "
                                 "allowed\""});
}

TEST_CASE(
    "pop3 server: PASS holds no control octet and only well-formed UTF-8 (RFC 2449 §3, RFC 6856 "
    "§2)",
    "[pop3][server]") {
  // The reply names the problem, the detail never repeats the password.
  for (const std::string_view bad : {"a\tb", "a\x01", "\x1b[2J", "x\x7f"}) {
    INFO(escape(bad));
    CHECK(one("PASS " + std::string(bad) + "\r\n") ==
          "error invalid_syntax reply=\"Invalid password\"");
  }
  for (const std::string_view bad : {"\xff", "a\xc3", "\xc0\x80", "\xed\xa0\x80"}) {
    INFO(escape(bad));
    CHECK(one("PASS " + std::string(bad) + "\r\n") ==
          "error invalid_utf8 reply=\"Invalid password\"");
  }
  CHECK(one("PASS \xf0\x9f\x94\x91 key\r\n") == "command PASS password=\\xf0\\x9f\\x94\\x91 key");
  CHECK(one("PASS ~!\r\n") == "command PASS password=~!");
}

TEST_CASE("pop3 server: APOP takes a name and a 32-hex-digit digest (RFC 1939 §7)",
          "[pop3][server]") {
  const std::string d = "c4c9334bac560ecc979e58001b3e22fb";
  CHECK(one("APOP mrose " + d + "\r\n") == "command APOP name=mrose digest=" + d);
  // Upper-case hex is accepted (the RFC writes lower case).
  CHECK(one("APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n") ==
        "command APOP name=mrose digest=C4C9334BAC560ECC979E58001B3E22FB");
  // A digest comes from the shared secret: an error never echoes it.
  CHECK(one("APOP mrose " + d.substr(0, 31) + "\r\n") ==
        "error invalid_digest reply=\"Invalid APOP digest\"");
  CHECK(error_of("APOP mrose " + d + "0\r\n") == "invalid_digest");
  std::string g = d;
  g[0] = 'g';
  CHECK(error_of("APOP mrose " + g + "\r\n") == "invalid_digest");
  CHECK(error_of("APOP mrose\r\n") == "missing_argument");
  CHECK(error_of("APOP\r\n") == "missing_argument");
  CHECK(error_of("APOP mrose " + d + " x\r\n") == "unexpected_argument");
  CHECK(error_of("APOP \xc3 " + d + "\r\n") == "invalid_utf8");
}

TEST_CASE(
    "server: STAT NOOP RSET QUIT CAPA STLS UTF8 take no argument (RFC 1939 §5, RFC 2449 "
    "§5, RFC 6856 §2)",
    "[pop3][server]") {
  for (const std::string_view v : {"STAT", "NOOP", "RSET", "QUIT", "CAPA", "STLS", "UTF8"}) {
    INFO(v);
    const std::string k(v);
    CHECK(one(k + " x\r\n") ==
          "error unexpected_argument detail=\"x\" reply=\"No argument allowed\"");
    CHECK(one(k + " \r\n") ==
          "error invalid_syntax reply=\"Syntax error: one SP between arguments\"");
    CHECK(one(k + " \r\n", lenient()) == "command " + k);
  }
}

TEST_CASE("pop3 server: LIST and UIDL take an optional message number (RFC 1939 §5, §7)",
          "[pop3][server]") {
  for (const std::string_view v : {"LIST", "UIDL"}) {
    const std::string k(v);
    CHECK(one(k + "\r\n") == "command " + k);
    CHECK(one(k + " 7\r\n") == "command " + k + " msg=7");
    CHECK(one(k + " 0\r\n") ==
          "error invalid_message_number detail=\"0\" reply=\"Invalid message number\"");
    CHECK(error_of(k + " 1 2\r\n") == "unexpected_argument");
    CHECK(error_of(k + " x\r\n") == "invalid_message_number");
  }
}

TEST_CASE("pop3 server: RETR and DELE need a message number (RFC 1939 §5)", "[pop3][server]") {
  for (const std::string_view v : {"RETR", "DELE"}) {
    const std::string k(v);
    CHECK(one(k + " 1\r\n") == "command " + k + " msg=1");
    CHECK(error_of(k + "\r\n") == "missing_argument");
    CHECK(error_of(k + " 1 2\r\n") == "unexpected_argument");
  }
}

TEST_CASE("pop3 server: message numbers are 1..4294967295, 1*DIGIT (RFC 1939 §5)",
          "[pop3][server]") {
  CHECK(one("RETR 1\r\n") == "command RETR msg=1");
  CHECK(one("RETR 4294967295\r\n") == "command RETR msg=4294967295");
  CHECK(one("RETR 01\r\n") == "command RETR msg=1");  // 1*DIGIT: leading zeros are digits
  CHECK(one("RETR 000004294967295\r\n") == "command RETR msg=4294967295");
  for (const std::string_view bad : {"4294967296", "18446744073709551617", "0", "00", "-1", "+1",
                                     "1a", "0x10", "1.0", "\xef\xbc\x91"}) {
    INFO(escape(bad));
    CHECK(one("RETR " + std::string(bad) + "\r\n") == "error invalid_message_number detail=\"" +
                                                          escape(bad) +
                                                          "\" reply=\"Invalid message number\"");
  }
  // " 1" is an empty parameter and then "1": strict refuses, lenient skips.
  CHECK(error_of("RETR  1\r\n") == "invalid_syntax");
  CHECK(one("RETR  1\r\n", lenient()) == "command RETR msg=1");
}

TEST_CASE("pop3 server: TOP takes a message number and a line count that may be 0 (RFC 1939 §7)",
          "[pop3][server]") {
  CHECK(one("TOP 1 0\r\n") == "command TOP msg=1 lines=0");
  CHECK(one("TOP 4294967295 4294967295\r\n") == "command TOP msg=4294967295 lines=4294967295");
  CHECK(one("TOP 1 4294967296\r\n") ==
        "error invalid_line_count detail=\"4294967296\" reply=\"Invalid line count\"");
  CHECK(one("TOP 0 1\r\n") ==
        "error invalid_message_number detail=\"0\" reply=\"Invalid message number\"");
  CHECK(error_of("TOP 1 -1\r\n") == "invalid_line_count");
  CHECK(error_of("TOP 1 +1\r\n") == "invalid_line_count");
  CHECK(error_of("TOP 1\r\n") == "missing_argument");
  CHECK(error_of("TOP\r\n") == "missing_argument");
  CHECK(error_of("TOP 1 2 3\r\n") == "unexpected_argument");
}

TEST_CASE("pop3 server: arguments are separated by a single SP unless lenient (RFC 2449 §3)",
          "[pop3][server]") {
  CHECK(error_of("TOP 1  2\r\n") == "invalid_syntax");
  CHECK(error_of("TOP 1 2 \r\n") == "invalid_syntax");
  CHECK(error_of("LIST 1 \r\n") == "invalid_syntax");
  CHECK(error_of("USER  a\r\n") == "invalid_syntax");
  CHECK(one("TOP  1   2  \r\n", lenient()) == "command TOP msg=1 lines=2");
  CHECK(one("LIST   \r\n", lenient()) == "command LIST");
  CHECK(error_of("TOP 1  2  3\r\n", lenient()) == "unexpected_argument");
  // HT is no separator.
  CHECK(error_of("TOP 1\t2\r\n", lenient()) == "missing_argument");
}

TEST_CASE("pop3 server: AUTH takes a mechanism and an optional initial response (RFC 5034 §4)",
          "[pop3][server]") {
  CHECK(one("AUTH\r\n") == "command AUTH");
  CHECK(one("AUTH PLAIN\r\n") == "command AUTH mech=PLAIN");
  CHECK(one("AUTH plain =\r\n") == "command AUTH mech=plain ir=\"\"");
  CHECK(one("AUTH PLAIN AHRlc3QAdGVzdA==\r\n") ==
        "command AUTH mech=PLAIN ir=\"AHRlc3QAdGVzdA==\"");
  CHECK(one("AUTH " + std::string(20, 'X') + "\r\n") ==
        "command AUTH mech=" + std::string(20, 'X'));
  // No mechanism name: the word may hold credentials, so it is not echoed.
  CHECK(one("AUTH " + std::string(21, 'X') + "\r\n") ==
        "error invalid_mechanism reply=\"Invalid mechanism name\"");
  CHECK(one("AUTH PLAIN\tc2VjcmV0\r\n") ==
        "error invalid_mechanism reply=\"Invalid mechanism name\"");
  CHECK(error_of("AUTH PLA.N\r\n") == "invalid_mechanism");
  CHECK(one("AUTH PLAIN AHRlc3QAdGVzdA=\r\n") ==
        "error invalid_base64 reply=\"Invalid base64 data\"");
  CHECK(error_of("AUTH PLAIN ==\r\n") == "invalid_base64");
  CHECK(error_of("AUTH PLAIN *\r\n") == "invalid_base64");
  CHECK(error_of("AUTH PLAIN = x\r\n") == "unexpected_argument");
  CHECK(error_of("AUTH PLAIN \r\n") == "invalid_syntax");
}

TEST_CASE("pop3 server: LANG takes an optional language range or * (RFC 6856 §3)",
          "[pop3][server]") {
  CHECK(one("LANG\r\n") == "command LANG");
  CHECK(one("LANG *\r\n") == "command LANG lang=*");
  CHECK(one("LANG en-US\r\n") == "command LANG lang=en-US");
  CHECK(one("LANG e_n\r\n") ==
        "error invalid_language_range detail=\"e_n\" reply=\"Invalid language range\"");
  CHECK(error_of("LANG toolonglang\r\n") == "invalid_language_range");
  CHECK(error_of("LANG en fr\r\n") == "unexpected_argument");
}

TEST_CASE("pop3 server: command lines are limited to 255 octets with CRLF (RFC 2449 §4)",
          "[pop3][server]") {
  // "PASS " + 248 + CRLF = 255 octets.
  const std::string at_limit = "PASS " + std::string(248, 'p') + "\r\n";
  REQUIRE(at_limit.size() == 255);
  CHECK(one(at_limit) == "command PASS password=" + std::string(248, 'p'));
  const std::string over = "PASS " + std::string(249, 'p') + "\r\n";
  REQUIRE(over.size() == 256);
  CHECK(error_of(over) == "line_too_long");
  CHECK(one(over).find("reply=\"Line too long\"") != std::string::npos);
  // A larger limit, up to the parser's Capacity, is an option.
  pop3::server_parser_options o;
  o.max_line_length = 256;
  CHECK(error_of(over, o) == "");
  o.max_line_length = 100000;  // capped by Capacity (512)
  CHECK(error_of("PASS " + std::string(505, 'p') + "\r\n", o) == "");
  CHECK(error_of("PASS " + std::string(506, 'p') + "\r\n", o) == "line_too_long");
}

TEST_CASE(
    "pop3 server: an overlong line is one error; its tail is never a command "
    "(docs/security.md §4)",
    "[pop3][server]") {
  // The tail past octet 255 reads like a command: it must not become one.
  const std::string evil = "USER " + std::string(250, 'a') + "DELE 1\r\nSTAT\r\n";
  CHECK(events_of(evil) ==
        std::vector<std::string>{"error line_too_long detail=\"USER " + std::string(27, 'a') +
                                     "\" reply=\"Line too long\"",
                                 "command STAT"});
  // Very long lines (far beyond Capacity) are discarded without buffering.
  const std::string huge = std::string(100000, 'x') + "\r\nNOOP\r\n";
  const std::vector<std::string> ev = events_of(huge);
  REQUIRE(ev.size() == 2);
  CHECK(ev[0].rfind("error line_too_long", 0) == 0);
  CHECK(ev[1] == "command NOOP");
}

TEST_CASE(
    "pop3 server: bare CR, bare LF and NUL make a line bad (RFC 1939 §3, docs/security.md §5)",
    "[pop3][server]") {
  // "STAT\nDELE 1\r\n" is one bad line, never two commands. Its detail
  // stops at the first control octet: what follows may be another line.
  CHECK(events_of("STAT\nDELE 1\r\nNOOP\r\n") ==
        std::vector<std::string>{"error bare_lf detail=\"STAT\" reply=\"Bare LF not allowed\"",
                                 "command NOOP"});
  CHECK(events_of("USER alice\nPASS hunter2\r\n") ==
        std::vector<std::string>{
            "error bare_lf detail=\"USER alice\" reply=\"Bare LF not allowed\""});
  CHECK(events_of("CAPA\rAUTH PLAIN AHRlc3QAdGVzdA==\r\n") ==
        std::vector<std::string>{"error bare_cr detail=\"CAPA\" reply=\"Bare CR not allowed\""});
  CHECK(events_of("APOP mrose c4c9334bac560ecc979e58001b3e22fb\n\r\n") ==
        std::vector<std::string>{"error bare_lf detail=\"APOP\" reply=\"Bare LF not allowed\""});
  // No keyword (two octets) before the CR: nothing is echoed.
  CHECK(events_of("ST\rAT\r\nNOOP\r\n") ==
        std::vector<std::string>{"error bare_cr reply=\"Bare CR not allowed\"", "command NOOP"});
  CHECK(events_of(test::bytes("PASS a\0b\r\nNOOP\r\n")) ==
        std::vector<std::string>{
            "error nul_in_line detail=\"PASS\" reply=\"NUL octet not allowed\"", "command NOOP"});
  CHECK(events_of("STAT\r\r\n") ==
        std::vector<std::string>{"error bare_cr detail=\"STAT\" reply=\"Bare CR not allowed\""});
  pop3::server_parser_options o;
  o.allow_bare_lf = true;
  CHECK(events_of("STAT\nDELE 1\n", o) ==
        std::vector<std::string>{"command STAT", "command DELE msg=1"});
  CHECK(events_of("ST\rAT\nNOOP\n", o) ==
        std::vector<std::string>{"error bare_cr reply=\"Bare CR not allowed\"", "command NOOP"});
}

TEST_CASE("pop3 server: the client closing mid-line is unexpected_eof (RFC 1939 §3)",
          "[pop3][server]") {
  CHECK(trace_of("STAT\r\nRETR 1") ==
        "command STAT @0\n"
        "error unexpected_eof reply=\"Connection closed unexpectedly\" @6\n");
  CHECK(trace_of("STAT\r") == "error unexpected_eof reply=\"Connection closed unexpectedly\" @0\n");
  CHECK(trace_of("QUIT\r\n") == "command QUIT @0\n");
}

TEST_CASE("pop3 server: SASL responses are streamed lines; * cancels (RFC 5034 §4)",
          "[pop3][server]") {
  const std::string log = trace_of(
      "AUTH PLAIN\r\n"
      "AHRlc3QAdGVzdA==\r\n"  // first response
      "\r\n"                  // second (empty) response
      "STAT\r\n"              // the server answered +OK: commands again
      "AUTH X\r\n"
      "*\r\n"
      "AUTH X\r\n"
      "AB=C\r\n"  // misplaced pad
      "AUTH X\r\n"
      "**\r\n"
      "AUTH X\r\n"
      "ABC\r\n"  // not a multiple of 4
      "AUTH X\r\n"
      "AB\nCD\r\n"  // bare LF inside a response
      "NOOP\r\n");
  CHECK(log ==
        "command AUTH mech=PLAIN @0\n"
        "data AHRlc3QAdGVzdA==\n"
        "sasl_end @12\n"
        "sasl_end @30\n"
        "command STAT @32\n"
        "command AUTH mech=X @38\n"
        "sasl_end cancelled @46\n"
        "command AUTH mech=X @49\n"
        "data AB\n"
        "error invalid_base64 reply=\"Invalid base64 data\" @57\n"
        "command AUTH mech=X @63\n"
        "error invalid_base64 reply=\"Invalid base64 data\" @71\n"
        "command AUTH mech=X @75\n"
        "data ABC\n"
        "error invalid_base64 reply=\"Invalid base64 data\" @83\n"
        "command AUTH mech=X @88\n"
        "data AB\n"
        "error bare_lf reply=\"Bare LF not allowed\" @96\n"
        "command NOOP @103\n");
}

TEST_CASE("pop3 server: without expect_sasl_response() the next line is a command (RFC 5034 §4)",
          "[pop3][server]") {
  // The server refused the mechanism (-ERR): "AAAA" must be a command.
  CHECK(
      events_of("AUTH NOSUCH\r\nAAAA\r\n", {}, 0) ==
      std::vector<std::string>{"command AUTH mech=NOSUCH",
                               "error unknown_command detail=\"AAAA\" reply=\"Unknown command\""});
  pop3::server_parser<> p;
  p.feed("STAT\r\nAUTH\r\n");
  CHECK(p.next().kind == server_event_kind::command);
  CHECK_FALSE(p.expect_sasl_response());  // not after STAT
  CHECK(p.next().command.verb == verb::auth);
  CHECK_FALSE(p.expect_sasl_response());  // a bare AUTH lists mechanisms
  p.feed("AUTH PLAIN\r\n");
  CHECK(p.next().command.verb == verb::auth);
  CHECK(p.next().kind == server_event_kind::need_more);
  CHECK_FALSE(p.expect_sasl_response());  // only right after the AUTH event
}

TEST_CASE("pop3 server: SASL lines may exceed the command limit, up to 12288 (RFC 5034 §4)",
          "[pop3][server]") {
  const std::string at_limit(12284, 'A');  // 12284 + CRLF = 12286, a multiple of 4 content
  const std::string ok = "AUTH X\r\n" + at_limit + "\r\nNOOP\r\n";
  CHECK(events_of(ok, {}, 1) == std::vector<std::string>{"command AUTH mech=X", "data " + at_limit,
                                                         "sasl_end", "command NOOP"});
  pop3::server_parser_options o;
  o.max_auth_line_length = 12286;
  CHECK(events_of(ok, o, 1) == std::vector<std::string>{"command AUTH mech=X", "data " + at_limit,
                                                        "sasl_end", "command NOOP"});
  o.max_auth_line_length = 12285;
  CHECK(events_of(ok, o, 1) ==
        std::vector<std::string>{"command AUTH mech=X", "data " + at_limit.substr(0, 12283),
                                 "error auth_line_too_long reply=\"Authentication line too long\"",
                                 "command NOOP"});
}

TEST_CASE("pop3 server: SASL line cut by EOF is unexpected_eof (RFC 5034 §4)", "[pop3][server]") {
  CHECK(events_of("AUTH X\r\nAAAA") ==
        std::vector<std::string>{"command AUTH mech=X", "data AAAA",
                                 "error unexpected_eof reply=\"Connection closed unexpectedly\""});
  CHECK(events_of("AUTH X\r\n") == std::vector<std::string>{"command AUTH mech=X"});
}

TEST_CASE("pop3 server: STLS is a barrier for buffered bytes (RFC 2595 §4, docs/security.md §2)",
          "[pop3][server]") {
  // Injected in the same read, and more bytes in later reads: one error.
  CHECK(trace_of("CAPA\r\nSTLS\r\nUSER evil\r\nPASS evil\r\n") ==
        "command CAPA @0\n"
        "command STLS @6\n"
        "error data_after_starttls reply=\"Data after STLS discarded\" @12\n");
  // STLS with an argument is refused and is no barrier.
  CHECK(events_of("STLS now\r\nNOOP\r\n") ==
        std::vector<std::string>{
            "error unexpected_argument detail=\"now\" reply=\"No argument allowed\"",
            "command NOOP"});

  pop3::server_parser<> p;
  p.feed("STLS\r\nUSER a\r\n");
  CHECK(p.next().command.verb == verb::stls);
  CHECK(p.buffered());
  const server_event& e = p.next();
  CHECK(e.kind == server_event_kind::error);
  CHECK(e.error == errc::data_after_starttls);
  CHECK(e.offset == 6);
  CHECK(p.next().kind == server_event_kind::need_more);
  p.feed("NOOP\r\n");  // a later read: silently dropped, never a command
  CHECK(p.next().kind == server_event_kind::need_more);
  p.reset();  // the handshake is done
  p.feed("CAPA\r\n");
  const server_event& c = p.next();
  CHECK(c.command.verb == verb::capa);
  CHECK(c.offset == 0);

  // A clean STLS: nothing after it, then the later feed is the injection.
  pop3::server_parser<> q;
  q.feed("STLS\r\n");
  CHECK(q.next().command.verb == verb::stls);
  CHECK_FALSE(q.buffered());
  CHECK(q.next().kind == server_event_kind::need_more);
  q.feed("USER a\r\n");
  CHECK(q.next().error == errc::data_after_starttls);
  CHECK(q.next().kind == server_event_kind::need_more);
}

TEST_CASE(
    "pop3 server: an STLS answered -ERR lifts the barrier; the rest are commands "
    "(RFC 2595 §4)",
    "[pop3][server]") {
  const std::string log = test::check_split_invariance(
      [] {
        session s;
        s.refuse_stls = true;
        return s;
      },
      "CAPA\r\nSTLS\r\nUSER mrose\r\nQUIT\r\n");
  CHECK(log == "command CAPA @0\ncommand STLS @6\ncommand USER name=mrose @12\ncommand QUIT @24\n");

  // Too late once bytes behind the STLS line were dropped: the stream is out
  // of step, and the barrier stays.
  pop3::server_parser<> p;
  p.feed("STLS\r\nNOOP\r\n");
  REQUIRE(p.next().command.verb == verb::stls);
  CHECK(p.next().error == errc::data_after_starttls);
  CHECK_FALSE(p.refuse_stls());
  pop3::server_parser<> q;
  q.feed("NOOP\r\n");
  REQUIRE(q.next().command.verb == verb::noop);
  CHECK_FALSE(q.refuse_stls());  // no STLS to refuse
}

TEST_CASE(
    "pop3 server: a refused AUTH line keeps nothing past the mechanism "
    "(docs/security.md §8)",
    "[pop3][server]") {
  const auto refused = [](const std::string& line) {
    pop3::server_parser<> p;
    p.feed(line);
    const server_event& ev = p.next();
    REQUIRE(ev.kind == server_event_kind::error);
    CHECK(ev.command.initial_response.empty());
    return std::string(name(ev.error)) + " arg=" + std::string(ev.command.argument) +
           " detail=" + std::string(ev.detail);
  };
  CHECK(refused("AUTH PLAIN AHRlc3QAdGVzdA=\r\n") == "invalid_base64 arg=PLAIN detail=");
  CHECK(refused("AUTH PLAIN AHRl c3QA\r\n") == "unexpected_argument arg=PLAIN detail=");
  CHECK(refused("AUTH PLAIN  AHRlc3QAdGVzdA==\r\n") == "invalid_syntax arg=PLAIN detail=");
  // A line the reader refused: its first octets up to the mechanism only.
  CHECK(refused("AUTH PLAIN " + std::string(300, 'A') + "\r\n") ==
        "line_too_long arg= detail=AUTH PLAIN");
  CHECK(refused("PASS " + std::string(300, 'p') + "\r\n") == "line_too_long arg= detail=PASS");
  // Whatever separates them, never the password or the initial response.
  CHECK(refused("PASS\thunter2 " + std::string(300, 'p') + "\r\n") ==
        "line_too_long arg= detail=PASS");
  CHECK(refused("AUTH PLAIN\tAHRl" + std::string(300, 'A') + "\r\n") ==
        "line_too_long arg= detail=AUTH PLAIN");
  CHECK(refused("PASShunter2" + std::string(300, 'p') + "\r\n") == "line_too_long arg= detail=");
  CHECK(refused("PASS\thunter2\r\n") == "unknown_command arg= detail=");
  {
    pop3::server_parser<> p;
    p.feed("PASS\thunter2\r\n");
    CHECK(p.next().command.verb_text.empty());  // no keyword: not kept
  }
  // APOP's digest comes from the shared secret: its errors keep no argument.
  CHECK(refused("APOP mrose c4c9334bac560ecc979e58001b3e22fX\r\n") ==
        "invalid_digest arg= detail=");
  CHECK(refused("APOP mrose\tc4c9334bac560ecc979e58001b3e22fb\r\n") ==
        "missing_argument arg= detail=");
  CHECK(refused("APOP mrose c4c9334bac560ecc979e58001b3e22fb x\r\n") ==
        "unexpected_argument arg= detail=");
  {
    pop3::server_parser<> p;  // the digest first: no field of the error keeps it
    p.feed("APOP c4c9334bac560ecc979e58001b3e22fb x\r\n");
    const server_event& ev = p.next();
    CHECK(ev.error == errc::invalid_digest);
    CHECK(ev.command.name.empty());
    CHECK(ev.command.digest.empty());
  }
  CHECK(refused("PASShunter2\r\n") == "unknown_command arg= detail=");
  CHECK(refused("AUTH PLAIN\tAHRlc3QAdGVzdA==\r\n") == "invalid_mechanism arg= detail=");
}

TEST_CASE("pop3 server: the example session of RFC 1939 §10", "[pop3][server]") {
  CHECK(trace_of("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"
                 "STAT\r\n"
                 "LIST\r\n"
                 "RETR 1\r\n"
                 "DELE 1\r\n"
                 "RETR 2\r\n"
                 "DELE 2\r\n"
                 "QUIT\r\n") ==
        "command APOP name=mrose digest=c4c9334bac560ecc979e58001b3e22fb @0\n"
        "command STAT @45\n"
        "command LIST @51\n"
        "command RETR msg=1 @57\n"
        "command DELE msg=1 @65\n"
        "command RETR msg=2 @73\n"
        "command DELE msg=2 @81\n"
        "command QUIT @89\n");
}

TEST_CASE("pop3 server: a pipelined session with errors comes out in order (RFC 2449 §6.6)",
          "[pop3][server]") {
  const std::string input =
      "CAPA\r\n"
      "USER fred\r\n"
      "PASS open sesame\r\n"
      "STAT\r\n"
      "LIST\r\n"
      "UIDL 2\r\n"
      "RETR 0\r\n"
      "TOP 1 10\r\n"
      "XYZZY\r\n"
      "DELE 1\r\n"
      "RSET\r\n"
      "LANG fr\r\n"
      "NOOP\r\n"
      "QUIT\r\n";
  CHECK(events_of(input) ==
        std::vector<std::string>{
            "command CAPA", "command USER name=fred", "command PASS password=open sesame",
            "command STAT", "command LIST", "command UIDL msg=2",
            "error invalid_message_number detail=\"0\" reply=\"Invalid message number\"",
            "command TOP msg=1 lines=10",
            "error unknown_command reply=\"Unknown command\"",  // no keyword: not echoed
            "command DELE msg=1", "command RSET", "command LANG lang=fr", "command NOOP",
            "command QUIT"});
  // Each command of the batch leaves the rest buffered until the last one.
  pop3::server_parser<> p;
  p.feed(input);
  int events = 0;
  for (;;) {
    const server_event& ev = p.next();
    if (ev.kind == server_event_kind::need_more) break;
    ++events;
    CHECK(p.buffered() == (ev.command.verb != verb::quit));
  }
  CHECK(events == 14);
  CHECK(p.offset() == input.size());
}

TEST_CASE("pop3 server: events carry stream offsets across feeds and rest() (RFC 1939 §3)",
          "[pop3][server]") {
  pop3::server_parser<> p;
  p.feed("NOOP\r\nRE");
  CHECK(p.next().offset == 0);
  CHECK(p.rest() == "RE");
  const server_event& m = p.next();
  CHECK(m.kind == server_event_kind::need_more);
  CHECK(m.offset == 8);
  CHECK(p.buffered());  // a partial line is held
  p.feed("TR 3\r\n");
  const server_event& r = p.next();
  CHECK(r.command.verb == verb::retr);
  CHECK(r.command.verb_text == "RETR");
  CHECK(r.command.argument == "3");
  CHECK(r.offset == 6);
  CHECK_FALSE(p.buffered());
}

TEST_CASE("pop3 server: any split of a random session gives the same events (RFC 1939 §3)",
          "[pop3][server]") {
  const std::string_view pieces[] = {
      "STAT\r\n",
      "LIST 1\r\n",
      "RETR 0\r\n",
      "TOP 1 0\r\n",
      "USER a b\r\n",
      "PASS  x y\r\n",
      "XYZ\r\n",
      "NOOP\n",
      "AUTH PLAIN\r\n",
      "AHRlc3QAdGVzdA==\r\n",
      "*\r\n",
      "AB=C\r\n",
      "RETR 4294967296\r\n",
      "ST\rAT\r\n",
      "\r\n",
      "LANG *\r\n",
      "APOP a c4c9334bac560ecc979e58001b3e22fb\r\n",
      "UIDL\r\n",
      "QUIT\r\n",
  };
  std::mt19937 rng(2449);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(pieces) / sizeof(pieces[0]) - 1);
  for (int round = 0; round < 40; ++round) {
    std::string input;
    for (int k = 0; k < 12; ++k) input += pieces[pick(rng)];
    if (round % 4 == 0) input += std::string(300, 'z') + "\r\n";
    if (round % 5 == 0) input += "STLS\r\nNOOP\r\n";
    const std::string log = trace_of(input);
    CHECK_FALSE(log.empty());
  }
}
