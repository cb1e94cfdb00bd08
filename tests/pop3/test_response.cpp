// pop3/response.hpp: status lines, response codes, the APOP timestamp,
// listings and the CAPA value, as pure functions.
#include <mailwire/pop3/response.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

using namespace mailwire;
using pop3::capability;
using pop3::response_code_kind;
using pop3::response_status;

TEST_CASE("status: exactly +OK or -ERR, then SP text or the end (RFC 1939 §3)", "[pop3][status]") {
  auto ok = pop3::parse_status_line("+OK");
  CHECK(ok.error == errc{});
  CHECK(ok.status == response_status::ok);
  CHECK(ok.text.empty());
  ok = pop3::parse_status_line("+OK ");  // SP and empty text (RFC 2449 §3)
  CHECK(ok.error == errc{});
  CHECK(ok.text.empty());
  ok = pop3::parse_status_line("+OK 2 messages (320 octets)");
  CHECK(ok.error == errc{});
  CHECK(ok.text == "2 messages (320 octets)");
  auto err = pop3::parse_status_line("-ERR no such message");
  CHECK(err.error == errc{});
  CHECK(err.status == response_status::err);
  CHECK(err.text == "no such message");
  CHECK(pop3::parse_status_line("-ERR").error == errc{});

  for (const char* bad : {"", "+", "+O", "OK", "-ER", "+OKAY", "-ERROR", "+OK\t", " +OK", "+ok",
                          "-err x", "+Ok", "* OK", "250 OK"})
    CHECK(pop3::parse_status_line(bad).error == errc::invalid_status);
}

TEST_CASE("status: any case only with the lenient option (RFC 1939 §3)", "[pop3][status]") {
  CHECK(pop3::parse_status_line("+ok fine", true).error == errc{});
  CHECK(pop3::parse_status_line("-eRr", true).status == response_status::err);
  CHECK(pop3::parse_status_line("+okay", true).error == errc::invalid_status);
}

TEST_CASE("response codes: the RFC 2449 and RFC 3206 codes (RFC 2449 §8)", "[pop3][resp-code]") {
  struct row {
    const char* line;
    response_code_kind kind;
    const char* code;
    const char* text;
  };
  const row rows[] = {
      {"-ERR [IN-USE] locked", response_code_kind::in_use, "IN-USE", "locked"},
      {"-ERR [LOGIN-DELAY] wait", response_code_kind::login_delay, "LOGIN-DELAY", "wait"},
      {"-ERR [SYS/TEMP] try later", response_code_kind::sys_temp, "SYS/TEMP", "try later"},
      {"-ERR [SYS/PERM] broken", response_code_kind::sys_perm, "SYS/PERM", "broken"},
      {"-ERR [AUTH] bad password", response_code_kind::auth, "AUTH", "bad password"},
      {"-ERR [UTF8] needs UTF8", response_code_kind::utf8, "UTF8", "needs UTF8"},
      {"-ERR [sys/temp]", response_code_kind::sys_temp, "sys/temp", ""},
      {"-ERR [SYS/TEMP/DB/X] deeper", response_code_kind::sys_temp, "SYS/TEMP/DB/X", "deeper"},
      {"-ERR [SYS] alone", response_code_kind::other, "SYS", "alone"},
      {"-ERR [SYS/OTHER] x", response_code_kind::other, "SYS/OTHER", "x"},
      {"-ERR [A/B/C]   spaced", response_code_kind::other, "A/B/C", "spaced"},
      {"+OK [X-VENDOR] hi", response_code_kind::other, "X-VENDOR", "hi"},
  };
  for (const row& r : rows) {
    INFO(r.line);
    const auto s = pop3::parse_status_line(r.line);
    CHECK(s.error == errc{});
    CHECK(s.code.kind == r.kind);
    CHECK(s.code.text == r.code);
    CHECK(s.text == r.text);
  }
  const auto c = pop3::parse_status_line("-ERR [A/B/C]").code;
  CHECK(c.levels() == 3);
  CHECK(c.level(0) == "A");
  CHECK(c.level(1) == "B");
  CHECK(c.level(2) == "C");
  CHECK(c.level(3).empty());
}

TEST_CASE("response codes: malformed brackets are plain text (RFC 2449 §8)",
          "[pop3][resp-code]") {
  for (const char* bad : {"-ERR [IN-USE locked", "-ERR []", "-ERR [A//B]", "-ERR [/A]", "-ERR [A/]",
                          "-ERR [A B] x", "-ERR [AUTH]x", "-ERR x [AUTH]", "-ERR [A\x01] x"}) {
    INFO(bad);
    const auto s = pop3::parse_status_line(bad);
    CHECK(s.error == errc{});
    CHECK_FALSE(s.code.present());
    CHECK(s.text == std::string_view(bad).substr(5));
  }
}

TEST_CASE("timestamp: first <...@...> span of the greeting (RFC 1939 §7)", "[pop3][apop]") {
  CHECK(pop3::find_apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>") ==
        "<1896.697170952@dbc.mtview.ca.us>");
  CHECK(pop3::find_apop_timestamp("<a@b> and <c@d>") == "<a@b>");
  CHECK(pop3::find_apop_timestamp("<no-at> then <x@y> done") == "<x@y>");
  CHECK(pop3::find_apop_timestamp("<<a@b>") == "<a@b>");
  CHECK(pop3::find_apop_timestamp("<a <b@c>") == "<b@c>");
  CHECK(pop3::find_apop_timestamp("ready").empty());             // absent: no APOP
  CHECK(pop3::find_apop_timestamp("<1896.697170952>").empty());  // no "@"
  CHECK(pop3::find_apop_timestamp("<a@b").empty());              // unclosed
  CHECK(pop3::find_apop_timestamp("a@b>").empty());              // unopened
  CHECK(pop3::find_apop_timestamp("<a @b>").empty());            // SP inside
  CHECK(pop3::find_apop_timestamp("<a@b\x01>").empty());         // control inside
  CHECK(pop3::find_apop_timestamp("<a@\xc3\xa9>").empty());      // a msg-id is ASCII
  CHECK(pop3::find_apop_timestamp("<x\xff@y> <1.2@h>") == "<1.2@h>");
  CHECK(pop3::find_apop_timestamp("<a@b\x7f>").empty());  // DEL
  CHECK(pop3::find_apop_timestamp("<a@b> ") == "<a@b>");
}

TEST_CASE("timestamp: a hostile 10 KiB greeting of '<' is linear (RFC 1939 §7)", "[pop3][apop]") {
  const std::string lt(10 * 1024, '<');
  std::string with_at = lt;
  for (std::size_t i = 1; i < with_at.size(); i += 2) with_at[i] = '@';
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    CHECK(pop3::find_apop_timestamp(lt).empty());
    CHECK(pop3::find_apop_timestamp(with_at).empty());
  }
  CHECK(pop3::find_apop_timestamp(lt + "x@y>") == "<x@y>");
  // 2 MiB of scanning; a quadratic scan would take seconds.
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
}

TEST_CASE("drop listing: STAT count and size (RFC 1939 §5)", "[pop3][stat]") {
  auto l = pop3::parse_drop_listing("2 320");
  CHECK(l.error == errc{});
  CHECK(l.number == 2);
  CHECK(l.size == 320);
  CHECK(pop3::parse_drop_listing("0 0").error == errc{});  // empty maildrop
  CHECK(pop3::parse_drop_listing("2 320 more info").size == 320);
  CHECK(pop3::parse_drop_listing("2").error == errc::invalid_listing);
  CHECK(pop3::parse_drop_listing("").error == errc::invalid_listing);
  CHECK(pop3::parse_drop_listing("2  320").error == errc::invalid_listing);
  CHECK(pop3::parse_drop_listing("2 ").error == errc::invalid_listing);
  CHECK(pop3::parse_drop_listing("4294967296 1").error == errc::invalid_message_number);
  CHECK(pop3::parse_drop_listing("1 18446744073709551616").error == errc::invalid_message_size);
}

TEST_CASE("scan listing: msg >= 1 and size, overflow-checked (RFC 1939 §5)", "[pop3][list]") {
  auto l = pop3::parse_scan_listing("1 120");
  CHECK(l.error == errc{});
  CHECK(l.number == 1);
  CHECK(l.size == 120);
  l = pop3::parse_scan_listing("4294967295 18446744073709551615");  // both at their limit
  CHECK(l.error == errc{});
  CHECK(l.number == 4294967295u);
  CHECK(l.size == UINT64_MAX);
  CHECK(pop3::parse_scan_listing("7 0 extra").error == errc{});
  CHECK(pop3::parse_scan_listing("007 10").number == 7);
  for (const char* bad :
       {"0 10", "4294967296 10", "-1 10", "+1 10", "x 1", "99999999999999999999 1"}) {
    INFO(bad);
    CHECK(pop3::parse_scan_listing(bad).error == errc::invalid_message_number);
  }
  for (const char* bad : {"1 18446744073709551616", "1 -5", "1 1x", "1 +5"}) {
    INFO(bad);
    CHECK(pop3::parse_scan_listing(bad).error == errc::invalid_message_size);
  }
  for (const char* bad : {"12", "1\t2", "1 ", " 1 2", "1  2", ""}) {
    INFO(bad);
    CHECK(pop3::parse_scan_listing(bad).error == errc::invalid_listing);
  }
}

TEST_CASE("unique-id listing: msg and a 1-70 octet uid of %x21-7E (RFC 1939 §7)", "[pop3][uidl]") {
  auto l = pop3::parse_unique_id_listing("1 whqtswO00WBw418f9t5JxYwZ");
  CHECK(l.error == errc{});
  CHECK(l.number == 1);
  CHECK(l.uid == "whqtswO00WBw418f9t5JxYwZ");
  const std::string uid70(70, '~'), uid71(71, '!');
  CHECK(pop3::parse_unique_id_listing("2 " + uid70).uid == uid70);
  CHECK(pop3::parse_unique_id_listing("2 " + uid71).error == errc::invalid_uid);
  for (const char* bad : {"1 ", "1 a b", "1 a\x7f", "1 \xc3\xa9", "1  a"}) {
    INFO(bad);
    CHECK(pop3::parse_unique_id_listing(bad).error == errc::invalid_uid);
  }
  for (const char* bad : {"0 abc", "4294967296 a", "x a"}) {
    INFO(bad);
    CHECK(pop3::parse_unique_id_listing(bad).error == errc::invalid_message_number);
  }
  CHECK(pop3::parse_unique_id_listing("1").error == errc::invalid_listing);
  CHECK(pop3::parse_unique_id_listing(" a").error == errc::invalid_listing);
  CHECK(pop3::is_unique_id("!"));
  CHECK_FALSE(pop3::is_unique_id(""));
}

namespace {
pop3::capabilities fold(const std::vector<std::string>& lines) {
  pop3::capabilities c;
  for (const auto& l : lines) {
    INFO(l);
    CHECK(c.add_line(l) == errc{});
  }
  return c;
}
}  // namespace

TEST_CASE("pop3 capabilities: a Dovecot-shaped CAPA list (RFC 2449 §6, RFC 2595 §4)",
          "[pop3][capa]") {
  const auto c = fold({"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS",
                       "USER", "SASL PLAIN LOGIN"});
  for (capability k :
       {capability::top, capability::uidl, capability::resp_codes, capability::pipelining,
        capability::auth_resp_code, capability::stls, capability::user, capability::sasl})
    CHECK(c.has(k));
  CHECK_FALSE(c.has(capability::expire));
  CHECK_FALSE(c.has(capability::login_delay));
  CHECK(c.has_mechanism(pop3::sasl_mechanism::plain));
  CHECK(c.has_mechanism("login"));
  CHECK_FALSE(c.has_mechanism("CRAM-MD5"));
  CHECK(c.find_unknown("capa") == std::string_view{});  // kept, reachable
  CHECK(c.unknown().size() == 1);
}

TEST_CASE("pop3 capabilities: a Gmail-shaped CAPA list (RFC 2449 §6.5, §6.7, §6.9)",
          "[pop3][capa]") {
  const auto c =
      fold({"USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300", "TOP", "UIDL", "X-GOOGLE-RICO",
            "SASL PLAIN XOAUTH2 OAUTHBEARER", "IMPLEMENTATION  Gpop  ready  "});
  CHECK(c.has(capability::expire));
  CHECK(c.expire_days() == std::uint32_t{0});
  CHECK_FALSE(c.expire_never());
  CHECK(c.login_delay() == 300);
  CHECK_FALSE(c.login_delay_per_user());
  CHECK(c.has_mechanism(pop3::sasl_mechanism::xoauth2));
  CHECK(c.has_mechanism(pop3::sasl_mechanism::oauthbearer));
  CHECK(c.find_unknown("X-Google-Rico") == std::string_view{});
  CHECK(c.implementation() == "Gpop  ready");
}

TEST_CASE("pop3 capabilities: SASL mechanisms by enumerator and listed in line order (RFC 2449 §6.3)",
          "[pop3][capa]") {
  pop3::capabilities c;
  c.add_mechanism(pop3::sasl_mechanism::scram_sha_256);
  CHECK(c.has(capability::sasl));
  REQUIRE(c.add_mechanism("X-LOCAL") == errc{});
  REQUIRE(c.add_mechanism("plain") == errc{});
  std::string line;
  c.for_each_mechanism([&line](std::string_view m) {
    line += ' ';
    line += m;
  });
  CHECK(line == " PLAIN SCRAM-SHA-256 X-LOCAL");  // well-known in enumerator order, then the rest
  pop3::capabilities none;
  none.add_mechanism(static_cast<pop3::sasl_mechanism>(200));  // no such mechanism
  CHECK_FALSE(none.has(capability::sasl));
}

TEST_CASE(
    "pop3 capabilities: parameters of LOGIN-DELAY, EXPIRE, UTF8, SASL (RFC 2449 §6, RFC 6856)",
    "[pop3][capa]") {
  pop3::capabilities c;
  CHECK(c.add_line("login-delay 900 USER") == errc{});
  CHECK(c.login_delay() == 900);
  CHECK(c.login_delay_per_user());
  CHECK(c.add_line("EXPIRE NEVER") == errc{});
  CHECK(c.expire_never());
  CHECK_FALSE(c.expire_days().has_value());
  CHECK(c.add_line("EXPIRE 31 user") == errc{});
  CHECK(c.expire_days() == std::uint32_t{31});
  CHECK(c.expire_per_user());
  CHECK(c.add_line("UTF8 USER") == errc{});
  CHECK(c.utf8_user());
  CHECK(c.add_line("SASL X-CUSTOM-MECH") == errc{});
  CHECK(c.has_mechanism("x-custom-mech"));
  CHECK(*c.other_mechanisms().begin() == "X-CUSTOM-MECH");
  CHECK(c.add_line("LOGIN-DELAY 4294967295") == errc{});

  const pop3::capabilities before = c;
  struct row {
    const char* line;
    errc e;
  };
  const row rows[] = {
      {"", errc::invalid_syntax},
      {"   ", errc::invalid_syntax},
      {"TOP\x01", errc::invalid_syntax},
      {".TOP", errc::invalid_syntax},
      {"X-\xc3\xa9", errc::invalid_syntax},
      {"SASL", errc::missing_argument},
      {"SASL PLAIN BAD!MECH", errc::invalid_mechanism},
      {"LOGIN-DELAY", errc::missing_argument},
      {"LOGIN-DELAY 4294967296", errc::invalid_parameter_value},
      {"LOGIN-DELAY -1", errc::invalid_parameter_value},
      {"LOGIN-DELAY 10 USERS", errc::invalid_parameter_value},
      {"LOGIN-DELAY 10 USER X", errc::unexpected_argument},
      {"EXPIRE", errc::missing_argument},
      {"EXPIRE SOON", errc::invalid_parameter_value},
      {"UTF8 USER X", errc::unexpected_argument},
      {"UTF8 ALL", errc::invalid_parameter_value},
      {"IMPLEMENTATION", errc::missing_argument},
      {"X-FOO a", errc{}},
      {"X-FOO b", errc::duplicate_parameter},
  };
  for (const row& r : rows) {
    INFO(r.line);
    CHECK(c.add_line(r.line) == r.e);
  }
  pop3::capabilities after_foo = before;
  CHECK(after_foo.add_line("X-FOO   a") == errc{});
  CHECK(c == after_foo);                   // every failed line left the value as it was
  CHECK(c.add_line("x-foo a") == errc{});  // the same line again: kept once
  CHECK(c.unknown().size() == 1);
}

TEST_CASE("pop3 capabilities: IMPLEMENTATION limit and arenas full (RFC 2449 §6.9)",
          "[pop3][capa]") {
  pop3::capabilities c;
  const std::string at_limit(pop3::capabilities::max_implementation_length, 'x');
  CHECK(c.add_line("IMPLEMENTATION " + at_limit) == errc{});
  CHECK(c.implementation() == at_limit);
  CHECK(c.add_line("IMPLEMENTATION " + at_limit + "y") == errc::line_too_long);
  CHECK(c.implementation() == at_limit);
  CHECK(c.add_line("IMPLEMENTATION caf\xc3\xa9") == errc{});  // octets >= 0x80 in text
  // Set directly, the text must read back: no SP at either end.
  CHECK(c.set_implementation(" x") == errc::invalid_argument);
  CHECK(c.set_implementation("x ") == errc::invalid_argument);
  CHECK(c.set_implementation("a\tb") == errc::invalid_argument);
  CHECK(c.implementation() == "caf\xc3\xa9");  // unchanged by the refusals
  CHECK(c.set_implementation("a b") == errc{});

  errc last = errc{};
  int added = 0;
  for (int i = 0; i < 100 && last == errc{}; ++i) {
    last = c.add_line("X-T" + std::to_string(i) + " " + std::string(20, 'p'));
    added += last == errc{};
  }
  CHECK(last == errc::buffer_too_small);
  CHECK(c.unknown().size() == static_cast<std::size_t>(added));
  CHECK(c.add_line("X-LONG " + std::string(600, 'q')) == errc::line_too_long);

  errc m = errc{};
  for (int i = 0; i < 100 && m == errc{}; ++i) m = c.add_line("SASL X-MECH-" + std::to_string(i));
  CHECK(m == errc::buffer_too_small);
  const pop3::capabilities before = c;
  CHECK(c.add_line("SASL PLAIN X-MORE-AND-MORE") == errc::buffer_too_small);
  CHECK(c == before);  // all or nothing: PLAIN was not added either
  CHECK_FALSE(c.has_mechanism(pop3::sasl_mechanism::plain));
}

TEST_CASE("pop3 capabilities: tags compare case-insensitively (RFC 2449 §5)", "[pop3][capa]") {
  CHECK(pop3::capability_from_tag("resp-codes") == capability::resp_codes);
  CHECK(pop3::tag(capability::auth_resp_code) == "AUTH-RESP-CODE");
  CHECK_FALSE(pop3::capability_from_tag("X-TOP").has_value());
  pop3::capabilities c;
  CHECK(c.add_line("stls") == errc{});
  CHECK(c.has(capability::stls));
  c.clear();
  CHECK(c == pop3::capabilities{});
}
