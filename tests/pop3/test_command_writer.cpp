// POP3 command writers (RFC 1939 §5-7, RFC 2449, RFC 2595 §4, RFC 5034 §4,
// RFC 6856 §2-3): exact bytes, every validation error, the limits at and one
// over, all or nothing, and the client_parser entries. Round trips through
// server_parser are in test_roundtrip.cpp.
#include <mailwire/pop3/command_writer.hpp>
#include <mailwire/pop3/server_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/writer_checks.hpp"

using namespace mailwire;
using namespace mailwire::pop3;

namespace {

using mailwire::test::check_all_or_nothing;
using mailwire::test::run;
using mailwire::test::written;

const std::string_view controls[] = {
    std::string_view("\r", 1), "\n", std::string_view("\0", 1), "\t", "\x7f", "\x1b", "\r\n"};

}  // namespace

TEST_CASE("pop3 command writer: USER name (RFC 1939 §7)", "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_user(s, "jane"); }).bytes == "USER jane\r\n");
  CHECK(run([](auto& s) { return write_user(s, "j!~\"@x"); }).bytes == "USER j!~\"@x\r\n");
  // UTF-8 names: RFC 6856 §2 (the server decides under UTF8 USER).
  CHECK(run([](auto& s) { return write_user(s, "j\xC3\xBCrgen"); }).bytes ==
        "USER j\xC3\xBCrgen\r\n");
  check_all_or_nothing([](auto& s) { return write_user(s, "jane"); }, "USER jane\r\n");
}

TEST_CASE("pop3 command writer: USER name is 1*VCHAR without controls (RFC 2449 §3)",
          "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_user(s, ""); }).error == errc::missing_argument);
  CHECK(run([](auto& s) { return write_user(s, "ja ne"); }).error == errc::invalid_argument);
  CHECK(run([](auto& s) { return write_user(s, " jane"); }).error == errc::invalid_argument);
  for (const std::string_view c : controls) {
    const std::string name = "ja" + std::string(c) + "ne";
    CHECK(run([&](auto& s) { return write_user(s, name); }).error == errc::invalid_argument);
  }
  CHECK(run([](auto& s) { return write_user(s, "ja\r\nDELE 1"); }).error == errc::invalid_argument);
  CHECK(run([](auto& s) { return write_user(s, "j\xC3"); }).error == errc::invalid_utf8);
  CHECK(run([](auto& s) { return write_user(s, "j\xFFx"); }).error == errc::invalid_utf8);
}

TEST_CASE("pop3 command writer: a command line is at most 255 octets with CRLF (RFC 2449 §4)",
          "[pop3][writer]") {
  // "USER " + name + CRLF
  const std::string at(255 - 7, 'n');
  const std::string over(255 - 6, 'n');
  CHECK(run([&](auto& s) { return write_user(s, at); }).bytes.size() == 255);
  CHECK(run([&](auto& s) { return write_user(s, over); }).error == errc::line_too_long);
  CHECK(run([&](auto& s) { return write_pass(s, at); }).bytes.size() == 255);
  CHECK(run([&](auto& s) { return write_pass(s, over); }).error == errc::line_too_long);
  // "APOP " name SP digest CRLF
  const std::string digest(32, 'a');
  const std::string apop_at(255 - 5 - 1 - 32 - 2, 'n');
  CHECK(run([&](auto& s) { return write_apop(s, apop_at, digest); }).bytes.size() == 255);
  CHECK(run([&](auto& s) { return write_apop(s, apop_at + "n", digest); }).error ==
        errc::line_too_long);
  CHECK(max_command_line == 255);
}

TEST_CASE("pop3 command writer: PASS string is the rest of the line, SP allowed (RFC 1939 §7)",
          "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_pass(s, "my secret"); }).bytes == "PASS my secret\r\n");
  CHECK(run([](auto& s) { return write_pass(s, " a  b "); }).bytes == "PASS  a  b \r\n");
  CHECK(run([](auto& s) { return write_pass(s, "p\xC3\xA4ss"); }).bytes == "PASS p\xC3\xA4ss\r\n");
  CHECK(run([](auto& s) { return write_pass(s, ""); }).error == errc::missing_argument);
  for (const std::string_view c : controls) {
    const std::string pw = "se" + std::string(c) + "cret";
    CHECK(run([&](auto& s) { return write_pass(s, pw); }).error == errc::invalid_argument);
  }
  CHECK(run([](auto& s) { return write_pass(s, "x\r\nDELE 1"); }).error == errc::invalid_argument);
  CHECK(run([](auto& s) { return write_pass(s, "\xE2\x82"); }).error == errc::invalid_utf8);
  check_all_or_nothing([](auto& s) { return write_pass(s, "a b"); }, "PASS a b\r\n");
}

TEST_CASE("pop3 command writer: the APOP digest is lower-hex MD5(timestamp secret) (RFC 1939 §7)",
          "[pop3][writer][apop]") {
  // The example of RFC 1939 §7.
  constexpr apop_digest_text d = apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");
  static_assert(d.view() == "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(d.view() == "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaF").view() !=
        "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(apop_digest("", "").view() == "d41d8cd98f00b204e9800998ecf8427e");  // MD5("")
  CHECK(run([&](auto& s) { return write_apop(s, "mrose", d.view()); }).bytes ==
        "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
}

TEST_CASE("pop3 command writer: APOP name digest, digest 32 hex written lower case (RFC 1939 §7)",
          "[pop3][writer][apop]") {
  CHECK(run([](auto& s) {
          return write_apop(s, "mrose", "C4C9334BAC560ECC979E58001B3E22FB");
        }).bytes == "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
  const std::string d31(31, 'a'), d33(33, 'a');
  CHECK(run([&](auto& s) { return write_apop(s, "u", d31); }).error == errc::invalid_digest);
  CHECK(run([&](auto& s) { return write_apop(s, "u", d33); }).error == errc::invalid_digest);
  CHECK(run([&](auto& s) { return write_apop(s, "u", d31 + "g"); }).error == errc::invalid_digest);
  CHECK(run([&](auto& s) { return write_apop(s, "u", ""); }).error == errc::invalid_digest);
  CHECK(run([&](auto& s) { return write_apop(s, "u", d31 + "\n"); }).error ==
        errc::invalid_argument);
  // The name is checked first, in writing order.
  CHECK(run([&](auto& s) { return write_apop(s, "a b", d31); }).error == errc::invalid_argument);
  CHECK(run([&](auto& s) { return write_apop(s, "", d31); }).error == errc::missing_argument);
}

TEST_CASE(
    "pop3 command writer: commands without arguments (RFC 1939 §5, RFC 2449 §5, RFC 2595 "
    "§4, RFC 6856 §2)",
    "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_stat(s); }).bytes == "STAT\r\n");
  CHECK(run([](auto& s) { return write_noop(s); }).bytes == "NOOP\r\n");
  CHECK(run([](auto& s) { return write_rset(s); }).bytes == "RSET\r\n");
  CHECK(run([](auto& s) { return write_quit(s); }).bytes == "QUIT\r\n");
  CHECK(run([](auto& s) { return write_capa(s); }).bytes == "CAPA\r\n");
  CHECK(run([](auto& s) { return write_stls(s); }).bytes == "STLS\r\n");
  CHECK(run([](auto& s) { return write_utf8(s); }).bytes == "UTF8\r\n");
  CHECK(run([](auto& s) { return write_list(s); }).bytes == "LIST\r\n");
  CHECK(run([](auto& s) { return write_uidl(s); }).bytes == "UIDL\r\n");
  CHECK(run([](auto& s) { return write_lang(s); }).bytes == "LANG\r\n");
  CHECK(run([](auto& s) { return write_auth(s); }).bytes == "AUTH\r\n");
  check_all_or_nothing([](auto& s) { return write_quit(s); }, "QUIT\r\n");
}

TEST_CASE("pop3 command writer: message numbers are 1..2^32-1 (RFC 1939 §5)", "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_retr(s, 1); }).bytes == "RETR 1\r\n");
  CHECK(run([](auto& s) { return write_dele(s, 42); }).bytes == "DELE 42\r\n");
  CHECK(run([](auto& s) { return write_list(s, 7); }).bytes == "LIST 7\r\n");
  CHECK(run([](auto& s) { return write_uidl(s, 7); }).bytes == "UIDL 7\r\n");
  CHECK(run([](auto& s) { return write_retr(s, 4294967295u); }).bytes == "RETR 4294967295\r\n");
  for (const std::uint64_t bad :
       {std::uint64_t{0}, std::uint64_t{4294967296u}, ~std::uint64_t{0}}) {
    CHECK(run([&](auto& s) { return write_retr(s, bad); }).error == errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_dele(s, bad); }).error == errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_list(s, bad); }).error == errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_uidl(s, bad); }).error == errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_top(s, bad, 1); }).error == errc::invalid_message_number);
  }
  check_all_or_nothing([](auto& s) { return write_retr(s, 123); }, "RETR 123\r\n");
}

TEST_CASE("pop3 command writer: TOP msg n, n may be 0 (RFC 1939 §7)", "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_top(s, 1, 0); }).bytes == "TOP 1 0\r\n");
  CHECK(run([](auto& s) { return write_top(s, 3, 10); }).bytes == "TOP 3 10\r\n");
  CHECK(run([](auto& s) { return write_top(s, 3, 4294967295u); }).bytes == "TOP 3 4294967295\r\n");
  CHECK(run([](auto& s) { return write_top(s, 3, 4294967296u); }).error ==
        errc::invalid_line_count);
  // The message number is checked first.
  CHECK(run([](auto& s) { return write_top(s, 0, 4294967296u); }).error ==
        errc::invalid_message_number);
  check_all_or_nothing([](auto& s) { return write_top(s, 12, 0); }, "TOP 12 0\r\n");
}

TEST_CASE("pop3 command writer: LANG range or * (RFC 6856 §3, RFC 4647 §2.1)", "[pop3][writer]") {
  CHECK(run([](auto& s) { return write_lang(s, "*"); }).bytes == "LANG *\r\n");
  CHECK(run([](auto& s) { return write_lang(s, "de-CH"); }).bytes == "LANG de-CH\r\n");
  CHECK(run([](auto& s) { return write_lang(s, "abcdefgh-12345678"); }).bytes ==
        "LANG abcdefgh-12345678\r\n");
  CHECK(run([](auto& s) { return write_lang(s, ""); }).error == errc::missing_argument);
  for (const std::string_view bad : {"-", "en-", "-en", "en--us", "abcdefghi", "en-123456789",
                                     "1en", "en_US", "**", "en *", "\xC3\xA9n"})
    CHECK(run([&](auto& s) { return write_lang(s, bad); }).error == errc::invalid_language_range);
  CHECK(run([](auto& s) { return write_lang(s, "en\r\nQUIT"); }).error == errc::invalid_argument);
}

TEST_CASE(
    "pop3 command writer: AUTH mechanism is a sasl-mech, written upper case (RFC 5034 §4, "
    "RFC 4422 §3.1)",
    "[pop3][writer][auth]") {
  CHECK(run([](auto& s) { return write_auth(s, "plain"); }).bytes == "AUTH PLAIN\r\n");
  CHECK(run([](auto& s) { return write_auth(s, "x-my_mech-1"); }).bytes == "AUTH X-MY_MECH-1\r\n");
  const std::string m20(20, 'm'), m21(21, 'm');
  CHECK(run([&](auto& s) { return write_auth(s, m20); }).bytes ==
        "AUTH " + std::string(20, 'M') + "\r\n");
  CHECK(run([&](auto& s) { return write_auth(s, m21); }).error == errc::invalid_mechanism);
  CHECK(run([](auto& s) { return write_auth(s, ""); }).error == errc::missing_argument);
  CHECK(run([](auto& s) { return write_auth(s, "PL.AIN"); }).error == errc::invalid_mechanism);
  CHECK(run([](auto& s) { return write_auth(s, "PLAIN X"); }).error == errc::invalid_mechanism);
  CHECK(run([](auto& s) { return write_auth(s, "PLAIN\r\n"); }).error == errc::invalid_argument);
  CHECK(run([](auto& s) { return write_auth(s, "", "x"); }).error == errc::missing_argument);
  CHECK(run([](auto& s) { return write_auth_base64(s, "a=b", "eA=="); }).error ==
        errc::invalid_mechanism);
}

TEST_CASE("pop3 command writer: AUTH initial response is base64, empty as = (RFC 5034 §4)",
          "[pop3][writer][auth]") {
  const std::string_view plain("\0user\0secret", 12);
  CHECK(run([&](auto& s) { return write_auth(s, "PLAIN", plain); }).bytes ==
        "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n");
  CHECK(run([](auto& s) { return write_auth(s, "EXTERNAL", ""); }).bytes == "AUTH EXTERNAL =\r\n");
  CHECK(run([](auto& s) { return write_auth_base64(s, "plain", "AHVzZXIAc2VjcmV0"); }).bytes ==
        "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n");
  CHECK(run([](auto& s) { return write_auth_base64(s, "EXTERNAL", ""); }).bytes ==
        "AUTH EXTERNAL =\r\n");
  for (const std::string_view bad : {"=", "*", "AHV", "AH=z", "A===", "AHVz ZXIA"})
    CHECK(run([&](auto& s) { return write_auth_base64(s, "PLAIN", bad); }).error ==
          errc::invalid_base64);
  CHECK(run([](auto& s) { return write_auth_base64(s, "PLAIN", "AHVz\r\nQUIT"); }).error ==
        errc::invalid_argument);
  check_all_or_nothing([&](auto& s) { return write_auth(s, "PLAIN", plain); },
                       "AUTH PLAIN AHVzZXIAc2VjcmV0\r\n");
}

TEST_CASE("pop3 command writer: the AUTH initial response must fit in 255 octets (RFC 5034 §4)",
          "[pop3][writer][auth]") {
  // "AUTH PLAIN " (11) + base64 + CRLF: 60 groups (180 raw octets) fit, 61 do not.
  const std::string raw180(180, 'x'), raw181(181, 'x');
  CHECK(auth_initial_response_fits("PLAIN", 180));
  CHECK_FALSE(auth_initial_response_fits("PLAIN", 181));
  CHECK(run([&](auto& s) { return write_auth(s, "PLAIN", raw180); }).bytes.size() == 253);
  CHECK(run([&](auto& s) { return write_auth(s, "PLAIN", raw181); }).error == errc::line_too_long);
  // The predicate and the writer agree for every mechanism length and size.
  for (std::size_t m = 1; m <= 20; ++m) {
    const std::string mech(m, 'M');
    for (std::size_t n = 150; n <= 190; ++n) {
      const std::string raw(n, 'r');
      const written w = run([&](auto& s) { return write_auth(s, mech, raw); });
      INFO("mechanism " << m << " raw " << n);
      CHECK((w.error == errc{}) == auth_initial_response_fits(mech, n));
      if (w.error == errc{}) CHECK(w.bytes.size() <= 255);
    }
  }
  // The base64 form: exactly 255 and 256 octets.
  const std::string b64_at(255 - 11 - 2 - 2, 'A');  // 240: a multiple of 4
  CHECK(run([&](auto& s) { return write_auth_base64(s, "PLAIN", b64_at); }).bytes.size() == 253);
  const std::string mech7 = "PLAIN12";  // 13 + 240 + 2 = 255
  CHECK(run([&](auto& s) { return write_auth_base64(s, mech7, b64_at); }).bytes.size() == 255);
  CHECK(run([&](auto& s) { return write_auth_base64(s, mech7 + "X", b64_at); }).error ==
        errc::line_too_long);
}

TEST_CASE("pop3 command writer: SASL response lines may exceed the command limit (RFC 5034 §4)",
          "[pop3][writer][auth]") {
  CHECK(run([](auto& s) { return write_sasl_response(s, "user"); }).bytes == "dXNlcg==\r\n");
  CHECK(run([](auto& s) { return write_sasl_response(s, ""); }).bytes == "\r\n");
  CHECK(run([](auto& s) { return write_sasl_response_base64(s, "dXNlcg=="); }).bytes ==
        "dXNlcg==\r\n");
  CHECK(run([](auto& s) { return write_sasl_response_base64(s, ""); }).bytes == "\r\n");
  // 12288 with CRLF: 3071 groups, 9213 raw octets; one more group is over.
  const std::string at(9213, 'z'), over(9214, 'z');
  CHECK(run([&](auto& s) { return write_sasl_response(s, at); }).bytes.size() == 12286);
  CHECK(run([&](auto& s) { return write_sasl_response(s, over); }).error ==
        errc::auth_line_too_long);
  const std::string b64_at(12284, 'A'), b64_over(12288, 'A');
  CHECK(run([&](auto& s) { return write_sasl_response_base64(s, b64_at); }).bytes.size() == 12286);
  CHECK(run([&](auto& s) { return write_sasl_response_base64(s, b64_over); }).error ==
        errc::auth_line_too_long);
  CHECK(max_sasl_response_line == server_parser_options{}.max_auth_line_length);
}

TEST_CASE("pop3 command writer: SASL responses are strict base64; * is the cancel (RFC 5034 §4)",
          "[pop3][writer][auth]") {
  for (const std::string_view bad : {"*", "=", "dXNlcg", "dX=lcg==", "dXNl cg=="})
    CHECK(run([&](auto& s) { return write_sasl_response_base64(s, bad); }).error ==
          errc::invalid_base64);
  CHECK(run([](auto& s) { return write_sasl_response_base64(s, "dXNl\r\nQUIT"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_sasl_cancel(s); }).bytes == "*\r\n");
  // Raw responses may hold CR, LF and NUL: base64 cannot carry a line end.
  CHECK(run([](auto& s) { return write_sasl_response(s, std::string_view("\r\n\0", 3)); }).bytes ==
        "DQoA\r\n");
  check_all_or_nothing([](auto& s) { return write_sasl_response(s, "user"); }, "dXNlcg==\r\n");
}

TEST_CASE("pop3 command writer: a failed sink refuses the whole line (RFC 1939 §3)",
          "[pop3][writer]") {
  char buf[4];
  fixed_sink sink(buf);
  CHECK_FALSE(sink.append("12345"));
  CHECK(sink.failed());
  CHECK(write_quit(sink) == errc::buffer_too_small);
  CHECK(sink.failed());  // as it was on entry
  CHECK(sink.size() == 0);
}

TEST_CASE(
    "pop3 command writer: expected_for gives the client_parser entry (RFC 1939 §5, RFC "
    "6856 §3)",
    "[pop3][writer][queue]") {
  CHECK(expected_for(verb::list, false).multi_line());
  CHECK_FALSE(expected_for(verb::list, true).multi_line());
  CHECK(expected_for(verb::uidl, false).multi_line());
  CHECK_FALSE(expected_for(verb::uidl, true).multi_line());
  CHECK(expected_for(verb::lang, false).multi_line());
  CHECK_FALSE(expected_for(verb::lang, true).multi_line());
  CHECK(expected_for(verb::retr, true).multi_line());
  CHECK(expected_for(verb::top, true).multi_line());
  CHECK(expected_for(verb::capa, false).multi_line());
  // has_argument is dropped where it does not decide the shape.
  CHECK(expected_for(verb::auth, false).multi_line());  // bare AUTH: the mechanism list
  CHECK_FALSE(expected_for(verb::auth, true).multi_line());
  CHECK_FALSE(expected_for(verb::retr, true).has_argument);
  CHECK(expected_for(verb::list, true).has_argument);
  CHECK_FALSE(expected_for(verb::stat, false).greeting);
  CHECK(expected_for(verb::stls, false).verb == verb::stls);
}

TEST_CASE(
    "pop3 command writer: write_expecting keeps writes and the queue in step (RFC 2449 "
    "§6.6)",
    "[pop3][writer][queue]") {
  client_parser<1024, 2> parser;
  std::string out;
  appendable_sink<std::string> sink(out);
  CHECK(write_expecting(sink, parser, expected_for(verb::list, true),
                        [](auto& s) { return write_list(s, 2); }) == errc{});
  CHECK(parser.pending() == 1);
  // A refused command queues nothing.
  CHECK(write_expecting(sink, parser, expected_for(verb::retr, true),
                        [](auto& s) { return write_retr(s, 0); }) == errc::invalid_message_number);
  CHECK(parser.pending() == 1);
  CHECK(write_expecting(sink, parser, expected_for(verb::retr, true),
                        [](auto& s) { return write_retr(s, 1); }) == errc{});
  CHECK(parser.pending() == 2);
  // A full queue writes nothing.
  CHECK(write_expecting(sink, parser, expected_for(verb::quit, false),
                        [](auto& s) { return write_quit(s); }) == errc::queue_full);
  CHECK(out == "LIST 2\r\nRETR 1\r\n");
  // The queued entries read the answers: LIST n single-line, RETR a body.
  parser.feed("+OK 2 200\r\n+OK\r\nhi\r\n.\r\n");
  auto ev = parser.next();
  CHECK(ev.kind == client_event_kind::response);
  CHECK(ev.verb == verb::list);
  CHECK(ev.number == 2);
  CHECK(ev.size == 200);
  ev = parser.next();
  CHECK(ev.verb == verb::retr);
  CHECK(ev.multi_line);
  CHECK(parser.next().text == "hi\r\n");
  CHECK(parser.next().kind == client_event_kind::end);
  CHECK(parser.pending() == 0);
}
