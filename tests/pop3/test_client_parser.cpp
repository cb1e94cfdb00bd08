// pop3::client_parser: responses against a queue of expected commands,
// AUTH challenges, typed bodies, RETR/TOP content, limits, EOF and the STLS
// barrier. Every input goes through support/split_feed.hpp: whole, byte by
// byte, at every split offset and at random splits; the logs must match.
#include <mailwire/pop3/client_parser.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using pop3::client_event;
using pop3::client_event_kind;
using pop3::client_parser_options;
using pop3::expected;
using pop3::verb;
using test::check_split_invariance;
using test::escape;
using test::event_log;

namespace {

std::string q(std::string_view s) { return "\"" + escape(s) + "\""; }

/// One log line per event (data joined by the harness):
///   response VERB +OK|-ERR [code] "text" [multi] [ts=..] [n= size= uid=] @off
///   challenge VERB "b64" @off        list n size @off        uidl n uid @off
///   capa TAG "params" @off           line "text" @off
///   end VERB lines=n size=n [flag@off] @off    error errc VERB #n "text" @off
void log_event(const client_event& ev, event_log& log) {
  const std::string v(ev.greeting                ? "greeting"
                      : ev.verb == verb::unknown ? "other"
                                                 : name(ev.verb));
  const std::string at = " @" + std::to_string(ev.offset);
  switch (ev.kind) {
    case client_event_kind::need_more: return;
    case client_event_kind::data: log.data(ev.text); return;
    case client_event_kind::response: {
      std::string s = "response " + v + (ev.status == pop3::response_status::ok ? " +OK" : " -ERR");
      if (ev.code.present()) s += " [" + std::string(ev.code.text) + "]";
      s += " " + q(ev.text);
      if (ev.multi_line) s += " multi";
      if (!ev.timestamp.empty()) s += " ts=" + std::string(ev.timestamp);
      if (ev.number != 0 || ev.size != 0 || !ev.uid.empty())
        s += " n=" + std::to_string(ev.number) + " size=" + std::to_string(ev.size) +
             " uid=" + std::string(ev.uid);
      log.add(s + at);
      return;
    }
    case client_event_kind::challenge: log.add("challenge " + v + " " + q(ev.text) + at); return;
    case client_event_kind::list_item:
      log.add("list " + std::to_string(ev.number) + " " + std::to_string(ev.size) + at);
      return;
    case client_event_kind::uidl_item:
      log.add("uidl " + std::to_string(ev.number) + " " + std::string(ev.uid) + at);
      return;
    case client_event_kind::capability:
      log.add("capa " + std::string(ev.capability_tag()) + " " + q(ev.text) + at);
      return;
    case client_event_kind::line: log.add("line " + q(ev.text) + at); return;
    case client_event_kind::end: {
      std::string s =
          "end " + v + " lines=" + std::to_string(ev.lines) + " size=" + std::to_string(ev.size);
      if (ev.error != errc{})
        s += " " + std::string(name(ev.error)) + "@" + std::to_string(ev.error_offset);
      log.add(s + at);
      return;
    }
    case client_event_kind::error:
      log.add("error " + std::string(name(ev.error)) + " " + v + " #" + std::to_string(ev.lines) +
              " " + q(ev.text) + at);
      return;
  }
}

/// Adapter between the split harness and a client_parser: the whole queue of
/// expected responses is set up front (a fully pipelined client).
template <std::size_t Cap = 1024>
struct session {
  pop3::client_parser<Cap> p;
  explicit session(std::vector<expected> queue, const client_parser_options& o = {}) : p(o) {
    for (const expected& e : queue) REQUIRE(p.expect(e) == errc{});
  }
  void drain(event_log& log) {
    for (int guard = 0; guard < 100000; ++guard) {
      const client_event& ev = p.next();
      if (ev.kind == client_event_kind::need_more) {
        CHECK(ev.offset == p.offset());
        return;
      }
      log_event(ev, log);
    }
    FAIL("parser does not stop");
  }
  void feed(std::string_view piece, event_log& log) {
    p.feed(piece);
    drain(log);
  }
  void finish(event_log& log) {
    p.feed_eof();
    drain(log);
    CHECK(p.next().kind == client_event_kind::need_more);  // silence after EOF
  }
};

std::string run(std::vector<expected> queue, std::string_view input,
                const client_parser_options& o = {}) {
  return check_split_invariance([&] { return session<>(queue, o); }, input);
}

const expected greeting{verb::unknown, false, true};

}  // namespace

TEST_CASE("pop3 client: status variants, single-line (RFC 1939 §3, RFC 2449 §3)",
          "[pop3][client]") {
  const std::string log =
      run({greeting, {verb::user, true}, {verb::pass, true}, {verb::noop}, {verb::quit}},
          "+OK\r\n-ERR\r\n+OK \r\n-ERR [AUTH] bad\r\n+OK bye\r\n");
  CHECK(log ==
        "response greeting +OK \"\" @0\n"
        "response USER -ERR \"\" @5\n"
        "response PASS +OK \"\" @11\n"
        "response NOOP -ERR [AUTH] \"bad\" @17\n"
        "response QUIT +OK \"bye\" @34\n");
}

TEST_CASE("pop3 client: bad status lines answer their entry (RFC 1939 §3)", "[pop3][client]") {
  const std::string log = run({greeting, {verb::noop}, {verb::noop}, {verb::noop}, {verb::noop}},
                              "+ok hi\r\n+OKAY\r\n-err\r\nOK\r\n+OK ctl\x01\r\n");
  CHECK(log ==
        "error invalid_status greeting #0 \"+ok hi\" @0\n"
        "error invalid_status NOOP #0 \"+OKAY\" @8\n"
        "error invalid_status NOOP #0 \"-err\" @15\n"
        "error invalid_status NOOP #0 \"OK\" @21\n"
        "error control_in_reply NOOP #0 \"+OK ctl\\x01\" @25\n");
  client_parser_options lenient;
  lenient.any_case_status = true;
  lenient.allow_control = true;
  CHECK(run({greeting, {verb::noop}}, "+ok hi\r\n-Err x\x01\r\n", lenient) ==
        "response greeting +OK \"hi\" @0\n"
        "response NOOP -ERR \"x\\x01\" @8\n");
}

TEST_CASE("pop3 client: response codes in responses (RFC 2449 §8, RFC 3206)", "[pop3][client]") {
  CHECK(run({greeting, {verb::pass, true}, {verb::retr, true}},
            "+OK [SYS/TEMP/X] ok?\r\n-ERR [IN-USE] locked\r\n-ERR [UTF8\r\n") ==
        "response greeting +OK [SYS/TEMP/X] \"ok?\" @0\n"
        "response PASS -ERR [IN-USE] \"locked\" @22\n"
        "response RETR -ERR \"[UTF8\" @44\n");
}

TEST_CASE("pop3 client: greeting timestamp present, absent, malformed (RFC 1939 §7)",
          "[pop3][client][apop]") {
  CHECK(run({greeting}, "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n") ==
        "response greeting +OK \"POP3 ready <1896.697170952@dbc.mtview.ca.us>\" "
        "ts=<1896.697170952@dbc.mtview.ca.us> @0\n");
  CHECK(run({greeting}, "+OK ready\r\n") == "response greeting +OK \"ready\" @0\n");
  CHECK(run({greeting}, "+OK <nope> <a@b\r\n") == "response greeting +OK \"<nope> <a@b\" @0\n");
  // Only the greeting carries one.
  CHECK(run({greeting, {verb::noop}}, "+OK\r\n+OK <a@b>\r\n") ==
        "response greeting +OK \"\" @0\nresponse NOOP +OK \"<a@b>\" @5\n");
}

TEST_CASE("pop3 client: a hostile greeting of '<' within 512 octets is linear (RFC 2449 §4)",
          "[pop3][client][apop]") {
  const std::string line = "+OK " + std::string(505, '<') + "\r\n";  // 511 octets
  CHECK(run({greeting}, line) == "response greeting +OK \"" + std::string(505, '<') + "\" @0\n");
  // 10 KiB of it is one line_too_long, discarded without being buffered.
  const std::string big = "+OK " + std::string(10 * 1024, '<') + "\r\n+OK x\r\n";
  const std::string log = run({greeting, {verb::noop}}, big);
  CHECK(log ==
        "error line_too_long greeting #0 \"+OK <<<<<<<<<<<<<<<<<<<<<<<<<<<<\" @0\n"
        "response NOOP +OK \"x\" @10246\n");
}

TEST_CASE("pop3 client: status line limit exactly at and one over 512 (RFC 2449 §4)",
          "[pop3][client][limits]") {
  const std::string at = "+OK " + std::string(506, 'a') + "\r\n";    // 512
  const std::string over = "+OK " + std::string(507, 'a') + "\r\n";  // 513
  CHECK(run({greeting}, at).rfind("response greeting +OK", 0) == 0);
  CHECK(run({greeting, {verb::noop}}, over + "+OK\r\n") ==
        "error line_too_long greeting #0 \"+OK aaaaaaaaaaaaaaaaaaaaaaaaaaaa\" @0\n"
        "response NOOP +OK \"\" @513\n");
}

TEST_CASE("pop3 client: STAT, LIST n and UIDL n answers as values (RFC 1939 §5, §7)",
          "[pop3][client]") {
  CHECK(run({{verb::stat},
             {verb::list, true},
             {verb::uidl, true},
             {verb::list, true},
             {verb::uidl, true},
             {verb::stat}},
            "+OK 2 320\r\n+OK 2 200\r\n+OK 2 QhdPYR:00WBw1Ph7x7\r\n+OK 0 1\r\n"
            "+OK 1 a b\r\n-ERR no\r\n") ==
        "response STAT +OK \"2 320\" n=2 size=320 uid= @0\n"
        "response LIST +OK \"2 200\" n=2 size=200 uid= @11\n"
        "response UIDL +OK \"2 QhdPYR:00WBw1Ph7x7\" n=2 size=0 uid=QhdPYR:00WBw1Ph7x7 @22\n"
        "error invalid_message_number LIST #0 \"+OK 0 1\" @48\n"
        "error invalid_uid UIDL #0 \"+OK 1 a b\" @57\n"
        "response STAT -ERR \"no\" @68\n");
}

TEST_CASE(
    "client: LIST body items, overflow and format errors keep the body in sync "
    "(RFC 1939 §5)",
    "[pop3][client][list]") {
  const std::string log =
      run({{verb::list}, {verb::noop}},
          "+OK 4 messages\r\n1 120\r\n2 4294967296\r\n4294967295 18446744073709551615\r\n"
          "4294967296 1\r\n0 5\r\n3 18446744073709551616\r\n7\r\n8 x\r\n..9 1\r\n-ERR 1\r\n"
          ".\r\n+OK\r\n");
  CHECK(log ==
        "response LIST +OK \"4 messages\" multi @0\n"
        "list 1 120 @16\n"
        "list 2 4294967296 @23\n"
        "list 4294967295 18446744073709551615 @37\n"
        "error invalid_message_number LIST #4 \"4294967296 1\" @70\n"
        "error invalid_message_number LIST #5 \"0 5\" @84\n"
        "error invalid_message_size LIST #6 \"3 18446744073709551616\" @89\n"
        "error invalid_listing LIST #7 \"7\" @113\n"
        "error invalid_message_size LIST #8 \"8 x\" @116\n"
        "error invalid_message_number LIST #9 \"..9 1\" @121\n"
        "error invalid_message_number LIST #10 \"-ERR 1\" @128\n"
        "end LIST lines=10 size=0 @139\n"
        "response NOOP +OK \"\" @139\n");
}

TEST_CASE("pop3 client: LIST on an empty maildrop is +OK then '.' (RFC 1939 §5)",
          "[pop3][client][list]") {
  CHECK(run({{verb::list}}, "+OK 0 messages\r\n.\r\n") ==
        "response LIST +OK \"0 messages\" multi @0\nend LIST lines=0 size=0 @19\n");
}

TEST_CASE("pop3 client: UIDL body items and bad uids (RFC 1939 §7)", "[pop3][client][uidl]") {
  const std::string uid70(70, 'u'), uid71(71, 'u');
  const std::string input = "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 " + uid70 + "\r\n3 " + uid71 +
                            "\r\n4 a b\r\n5 \r\n6 \xff\r\n.\r\n";
  const std::string log = run({{verb::uidl}}, input);
  CHECK(log ==
        "response UIDL +OK \"\" multi @0\n"
        "uidl 1 whqtswO00WBw418f9t5JxYwZ @5\n"
        "uidl 2 " +
            uid70 +
            " @33\n"
            "error invalid_uid UIDL #3 \"3 " +
            uid71 +
            "\" @107\n"
            "error invalid_uid UIDL #4 \"4 a b\" @182\n"
            "error invalid_uid UIDL #5 \"5 \" @189\n"
            "error invalid_uid UIDL #6 \"6 \\xff\" @193\n"
            "end UIDL lines=6 size=0 @201\n");
}

TEST_CASE("pop3 client: item lines over max_item_line_length, at and one over (RFC 2449 §5)",
          "[pop3][client][limits]") {
  client_parser_options o;
  o.max_item_line_length = 16;
  const std::string input = "+OK\r\n1 123456789012\r\n1 1234567890123\r\n.\r\n";
  CHECK(run({{verb::list}}, input, o) ==
        "response LIST +OK \"\" multi @0\n"
        "list 1 123456789012 @5\n"
        "error line_too_long LIST #2 \"1 1234567890123\" @21\n"
        "end LIST lines=2 size=0 @41\n");
}

TEST_CASE("pop3 client: CAPA, Dovecot-shaped (RFC 2449 §5, RFC 2595 §4)", "[pop3][client][capa]") {
  const std::string input =
      "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n"
      "USER\r\nSASL PLAIN LOGIN\r\n.\r\n";
  const std::string log = run({{verb::capa}}, input);
  CHECK(log ==
        "response CAPA +OK \"\" multi @0\n"
        "capa CAPA \"\" @5\ncapa TOP \"\" @11\ncapa UIDL \"\" @16\ncapa RESP-CODES \"\" @22\n"
        "capa PIPELINING \"\" @34\ncapa AUTH-RESP-CODE \"\" @46\ncapa STLS \"\" @62\n"
        "capa USER \"\" @68\ncapa SASL \"PLAIN LOGIN\" @74\n"
        "end CAPA lines=9 size=0 @95\n");
  session<> s({{verb::capa}});
  event_log l;
  s.feed(input, l);
  const auto& c = s.p.capabilities();
  CHECK(c.has(pop3::capability::stls));
  CHECK(c.has(pop3::capability::pipelining));
  CHECK(c.has_mechanism(pop3::sasl_mechanism::login));
  CHECK(c.find_unknown("CAPA").has_value());
}

TEST_CASE("pop3 client: CAPA, Gmail-shaped, with a bad line in the middle (RFC 2449 §6)",
          "[pop3][client][capa]") {
  const std::string input =
      "+OK Capability list follows\r\nUSER\r\nRESP-CODES\r\nEXPIRE 0\r\nLOGIN-DELAY 300\r\n"
      "LOGIN-DELAY x\r\nTOP\r\nUIDL\r\nX-GOOGLE-RICO\r\nSASL PLAIN XOAUTH2 OAUTHBEARER\r\n"
      "..IMPL\r\n.\r\n";
  const std::string log = run({{verb::capa}}, input);
  CHECK(log ==
        "response CAPA +OK \"Capability list follows\" multi @0\n"
        "capa USER \"\" @29\ncapa RESP-CODES \"\" @35\ncapa EXPIRE \"0\" @47\n"
        "capa LOGIN-DELAY \"300\" @57\n"
        "error invalid_parameter_value CAPA #5 \"LOGIN-DELAY x\" @74\n"
        "capa TOP \"\" @89\ncapa UIDL \"\" @94\ncapa X-GOOGLE-RICO \"\" @100\n"
        "capa SASL \"PLAIN XOAUTH2 OAUTHBEARER\" @115\n"
        "error invalid_syntax CAPA #10 \"..IMPL\" @147\n"
        "end CAPA lines=10 size=0 @158\n");
  session<> s({{verb::capa}});
  event_log l;
  s.feed(input, l);
  CHECK(s.p.capabilities().login_delay() == 300);
  CHECK(s.p.capabilities().expire_days() == std::uint32_t{0});
  CHECK(s.p.capabilities().has_mechanism(pop3::sasl_mechanism::xoauth2));
}

TEST_CASE(
    "client: RETR body with dot-stuffing; status-like lines are data (RFC 1939 §3)",
    "[pop3][client][retr]") {
  const std::string input =
      "+OK 120 octets\r\nSubject: x\r\n\r\n..leading dot\r\n\r\n+OK\r\n-ERR\r\n..\r\n.\r\n"
      "+OK next\r\n";
  CHECK(run({{verb::retr, true}, {verb::dele, true}}, input) ==
        "response RETR +OK \"120 octets\" multi @0\n"
        "data Subject: x\\r\\n\\r\\n.leading dot\\r\\n\\r\\n+OK\\r\\n-ERR\\r\\n.\\r\\n\n"
        "end RETR lines=0 size=44 @65\n"
        "response DELE +OK \"next\" @65\n");
}

TEST_CASE(
    "client: RETR terminator split across feeds; body flags in end (RFC 1939 §3, "
    "docs/security.md §1)",
    "[pop3][client][retr]") {
  // Every split of "\r\n.\r\n" is covered by the harness; the \n.\n inside
  // is data and flagged, never an end.
  const std::string input = "+OK\r\na\n.\nb\r\n.\r\n";
  CHECK(run({{verb::retr, true}}, input) ==
        "response RETR +OK \"\" multi @0\n"
        "data a\\n.\\nb\\r\\n\n"
        "end RETR lines=0 size=7 body_bare_lf@6 @15\n");
}

TEST_CASE(
    "client: TOP, and TOP n 0 gives header and blank line (RFC 1939 §7)",
    "[pop3][client][top]") {
  CHECK(run({{verb::top, true}, {verb::top, true}},
            "+OK\r\nFrom: a\r\n\r\n.\r\n+OK top\r\nX: y\r\n\r\nline 1\r\n.\r\n") ==
        "response TOP +OK \"\" multi @0\n"
        "data From: a\\r\\n\\r\\n\n"
        "end TOP lines=0 size=11 @19\n"
        "response TOP +OK \"top\" multi @19\n"
        "data X: y\\r\\n\\r\\nline 1\\r\\n\n"
        "end TOP lines=0 size=16 @47\n");
}

TEST_CASE("pop3 client: -ERR to multi-line commands has no body (RFC 1939 §3)",
          "[pop3][client]") {
  CHECK(run({{verb::retr, true},
             {verb::list},
             {verb::capa},
             {verb::top, true},
             {verb::uidl},
             {verb::noop}},
            "-ERR no such message\r\n-ERR\r\n-ERR\r\n-ERR\r\n-ERR\r\n+OK\r\n") ==
        "response RETR -ERR \"no such message\" @0\n"
        "response LIST -ERR \"\" @22\nresponse CAPA -ERR \"\" @28\n"
        "response TOP -ERR \"\" @34\nresponse UIDL -ERR \"\" @40\n"
        "response NOOP +OK \"\" @46\n");
}

TEST_CASE("pop3 client: pipelined responses to a queue of commands (RFC 2449 §6.6)",
          "[pop3][client][pipelining]") {
  const std::string input =
      "+OK POP3 <1@h>\r\n+OK\r\n+OK logged in\r\n+OK 2 300\r\n+OK\r\n1 100\r\n2 200\r\n.\r\n"
      "+OK\r\n1 u1\r\n.\r\n+OK\r\nbody\r\n.\r\n+OK\r\n+OK bye\r\n";
  CHECK(run({greeting,
             {verb::user, true},
             {verb::pass, true},
             {verb::stat},
             {verb::list},
             {verb::uidl},
             {verb::retr, true},
             {verb::dele, true},
             {verb::quit}},
            input) ==
        "response greeting +OK \"POP3 <1@h>\" ts=<1@h> @0\n"
        "response USER +OK \"\" @16\n"
        "response PASS +OK \"logged in\" @21\n"
        "response STAT +OK \"2 300\" n=2 size=300 uid= @36\n"
        "response LIST +OK \"\" multi @47\nlist 1 100 @52\nlist 2 200 @59\n"
        "end LIST lines=2 size=0 @69\n"
        "response UIDL +OK \"\" multi @69\nuidl 1 u1 @74\nend UIDL lines=1 size=0 @83\n"
        "response RETR +OK \"\" multi @83\ndata body\\r\\n\nend RETR lines=0 size=6 @97\n"
        "response DELE +OK \"\" @97\nresponse QUIT +OK \"bye\" @102\n");
}

TEST_CASE("pop3 client: queue full is an error return; unsolicited lines are errors",
          "[pop3][client][pipelining]") {
  pop3::client_parser<1024, 2> p;
  CHECK(p.expect_greeting() == errc{});
  CHECK(p.expect(verb::noop, false) == errc{});
  CHECK(p.expect(verb::noop, false) == errc::queue_full);
  CHECK(p.pending() == 2);
  p.feed("+OK\r\n+OK\r\n+OK extra\r\n");
  CHECK(p.next().kind == client_event_kind::response);
  CHECK(p.next().kind == client_event_kind::response);
  const client_event& ev = p.next();
  CHECK(ev.kind == client_event_kind::error);
  CHECK(ev.error == errc::unexpected_response);
  CHECK(ev.text == "+OK extra");
  CHECK(p.next().kind == client_event_kind::need_more);
  CHECK(p.expect(verb::noop, false) == errc{});  // room again, ring wraps
  CHECK(p.expect(verb::noop, false) == errc{});
  p.feed("-ERR a\r\n-ERR b\r\n");
  CHECK(p.next().text == "a");
  CHECK(p.next().text == "b");
}

TEST_CASE("pop3 client: AUTH '+ ' challenges keep the entry (RFC 5034 §4)",
          "[pop3][client][auth]") {
  CHECK(run({{verb::auth, true}, {verb::auth, true}, {verb::noop}},
            "+ \r\n+ VXNlcm5hbWU6\r\n+\r\n+ bad!\r\n+OK welcome\r\n+ \r\n-ERR [AUTH] no\r\n"
            "+ x\r\n") ==
        "challenge AUTH \"\" @0\n"
        "challenge AUTH \"VXNlcm5hbWU6\" @4\n"
        "challenge AUTH \"\" @20\n"
        "error invalid_base64 AUTH #0 \"+ bad!\" @23\n"
        "response AUTH +OK \"welcome\" @31\n"
        "challenge AUTH \"\" @44\n"
        "response AUTH -ERR [AUTH] \"no\" @48\n"
        "error invalid_status NOOP #0 \"+ x\" @64\n");
}

TEST_CASE("pop3 client: challenges may be longer than status lines (RFC 5034 §4)",
          "[pop3][client][auth]") {
  // 1024 octets with CRLF: the default parser's buffer; 1025 is too long, the
  // entry stays (the line began as a challenge) and the +OK still answers it.
  const std::string at = "+ " + std::string(1020, 'A') + "\r\n";
  const std::string over = "+ " + std::string(1021, 'A') + "\r\n";
  const std::string log = run({{verb::auth, true}}, at + over + "+OK\r\n");
  CHECK(log.rfind("challenge AUTH \"" + std::string(1020, 'A') + "\" @0\n", 0) == 0);
  CHECK(log.find("error line_too_long AUTH #0") != std::string::npos);
  const std::string last = "response AUTH +OK \"\" @2049\n";
  CHECK(log.substr(log.size() - last.size()) == last);
  // A larger buffer takes larger challenges; max_challenge_length still bounds them.
  const std::string gss = "+ " + std::string(3000, 'A') + "\r\n";
  CHECK(check_split_invariance(
            [] {
              return session<4096>({{verb::auth, true}});
            },
            gss)
            .rfind("challenge AUTH", 0) == 0);
  client_parser_options o;
  o.max_challenge_length = 1000;
  CHECK(run({{verb::auth, true}}, at, o).rfind("error line_too_long AUTH", 0) == 0);
  // Status lines keep their own limit.
  CHECK(run({{verb::noop, false}}, "+OK " + std::string(600, 'a') + "\r\n")
            .rfind("error line_too_long NOOP", 0) == 0);
}

TEST_CASE("pop3 client: a bare AUTH is answered with the mechanism list",
          "[pop3][client][auth]") {
  // The form before CAPA SASL: +OK, one mechanism a line, ".". -ERR has no
  // body; AUTH with a mechanism never has one.
  CHECK(run({{verb::auth}, {verb::auth}, {verb::auth, true}},
            "+OK methods\r\nPLAIN\r\nLOGIN\r\n.\r\n-ERR no\r\n+OK done\r\n") ==
        "response AUTH +OK \"methods\" multi @0\n"
        "line \"PLAIN\" @13\n"
        "line \"LOGIN\" @20\n"
        "end AUTH lines=2 size=0 @30\n"
        "response AUTH -ERR \"no\" @30\n"
        "response AUTH +OK \"done\" @39\n");
}

TEST_CASE(
    "pop3 client: STLS barrier, bytes behind +OK are one error (RFC 2595 §4, docs/security.md §2)",
    "[pop3][client][stls]") {
  CHECK(run({{verb::stls}, {verb::noop}}, "+OK Begin TLS\r\n+OK injected\r\n-ERR more\r\n") ==
        "response STLS +OK \"Begin TLS\" @0\n"
        "error data_after_starttls STLS #0 \"\" @15\n");
  // -ERR lifts nothing: parsing goes on.
  CHECK(run({{verb::stls}, {verb::noop}}, "-ERR no TLS\r\n+OK\r\n") ==
        "response STLS -ERR \"no TLS\" @0\nresponse NOOP +OK \"\" @13\n");
  // Nothing behind it: no error, and reset() reopens the parser.
  pop3::client_parser<> p;
  CHECK(p.expect_stls() == errc{});
  p.feed("+OK\r\n");
  CHECK(p.next().kind == client_event_kind::response);
  CHECK(p.next().kind == client_event_kind::need_more);
  CHECK_FALSE(p.buffered());
  p.feed("+OK late\r\n");
  CHECK(p.next().error == errc::data_after_starttls);
  CHECK(p.next().kind == client_event_kind::need_more);
  p.reset();
  CHECK(p.expect(verb::capa, false) == errc{});
  p.feed("+OK\r\nSTLS\r\n.\r\n");
  CHECK(p.next().kind == client_event_kind::response);
  CHECK(p.next().kind == client_event_kind::capability);
  CHECK(p.next().kind == client_event_kind::end);
}

TEST_CASE("pop3 client: EOF mid-body, mid-line and with entries waiting (RFC 1939 §3)",
          "[pop3][client][eof]") {
  CHECK(run({{verb::retr, true}}, "+OK\r\npartial body\r\n") ==
        "response RETR +OK \"\" multi @0\ndata partial body\\r\\n\n"
        "error unexpected_eof RETR #0 \"\" @19\n");
  CHECK(run({{verb::list}}, "+OK\r\n1 2\r\n") ==
        "response LIST +OK \"\" multi @0\nlist 1 2 @5\nerror unexpected_eof LIST #0 \"\" @10\n");
  CHECK(run({greeting}, "+OK hal") == "error unexpected_eof greeting #0 \"\" @7\n");
  CHECK(run({greeting, {verb::noop}}, "+OK\r\n") ==
        "response greeting +OK \"\" @0\nerror unexpected_eof NOOP #0 \"\" @5\n");
  CHECK(run({{verb::quit}}, "+OK bye\r\n") == "response QUIT +OK \"bye\" @0\n");
}

TEST_CASE(
    "pop3 client: framing errors in status lines and bodies (RFC 1939 §3, docs/security.md §4)",
    "[pop3][client]") {
  CHECK(run({greeting, {verb::list}, {verb::noop}},
            test::bytes("+OK a\nb\r\n+OK\r\n1 2\r3\r\n.\n\r\n4\x00 5\r\n.\r\n+OK\r\n")) ==
        "error bare_lf greeting #0 \"+OK a\\nb\" @0\n"
        "response LIST +OK \"\" multi @9\n"
        "error bare_cr LIST #1 \"1 2\\r3\" @14\n"
        "error bare_lf LIST #2 \".\\n\" @21\n"
        "error nul_in_line LIST #3 \"4\\0 5\" @25\n"
        "end LIST lines=3 size=0 @34\n"
        "response NOOP +OK \"\" @34\n");
}

TEST_CASE("pop3 client: split invariance of one long mixed session (randomized)",
          "[pop3][client][split]") {
  std::mt19937 rng(12345);
  std::string input = "+OK <9.9@example.org>\r\n";
  std::vector<expected> queue = {greeting};
  for (int i = 0; i < 20; ++i) {
    switch (rng() % 5) {
      case 0:
        queue.push_back({verb::retr, true});
        input += "+OK\r\n";
        for (unsigned k = rng() % 6; k > 0; --k)
          input += (rng() % 2 ? ".stuffed " : "line ") + std::to_string(rng()) + "\r\n";
        input += ".\r\n";
        break;
      case 1:
        queue.push_back({verb::list, false});
        input += "+OK\r\n1 " + std::to_string(rng()) + "\r\n.\r\n";
        break;
      case 2:
        queue.push_back({verb::capa, false});
        input += "+OK\r\nTOP\r\nSASL PLAIN\r\n.\r\n";
        break;
      case 3:
        queue.push_back({verb::retr, true});
        input += "-ERR nope\r\n";
        break;
      default:
        queue.push_back({verb::uidl, true});
        input += "+OK 3 abc\r\n";
        break;
    }
  }
  const std::string log =
      check_split_invariance([&] { return session<512>(queue, {}); }, input, 200, 600);
  CHECK(log.find("error") == std::string::npos);
}
