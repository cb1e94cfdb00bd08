// POP3 response writers (RFC 1939 §3-7, RFC 2449 §4-8, RFC 3206, RFC 5034
// §4, RFC 6856 §3): exact bytes, every validation error, the limits at and
// one over, all or nothing, and the body encodings (copy, streamed, gather).
// Round trips through client_parser are in test_roundtrip.cpp.
#include <mailwire/pop3/client_parser.hpp>
#include <mailwire/pop3/response_writer.hpp>

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
    std::string_view("\r", 1), "\n", std::string_view("\0", 1), "\x7f", "\x1b", "\r\n", "\x0b"};

std::string joined(const std::string_view* segments, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += segments[i];
  return s;
}

}  // namespace

TEST_CASE("pop3 response writer: +OK and -ERR with optional text (RFC 1939 §3)",
          "[pop3][writer][response]") {
  CHECK(run([](auto& s) { return write_ok(s); }).bytes == "+OK\r\n");
  CHECK(run([](auto& s) { return write_ok(s, "maildrop locked and ready"); }).bytes ==
        "+OK maildrop locked and ready\r\n");
  CHECK(run([](auto& s) { return write_err(s); }).bytes == "-ERR\r\n");
  CHECK(run([](auto& s) { return write_err(s, "no such message"); }).bytes ==
        "-ERR no such message\r\n");
  // HT and UTF-8 are text (RFC 6856 §3); a leading SP stays.
  CHECK(run([](auto& s) { return write_ok(s, "a\tb \xC3\xA9"); }).bytes == "+OK a\tb \xC3\xA9\r\n");
  CHECK(run([](auto& s) { return write_ok(s, " x"); }).bytes == "+OK  x\r\n");
  check_all_or_nothing([](auto& s) { return write_err(s, "no"); }, "-ERR no\r\n");
}

TEST_CASE(
    "pop3 response writer: status text has no controls and is UTF-8 (RFC 1939 §3, RFC "
    "6856 §3)",
    "[pop3][writer][response]") {
  for (const std::string_view c : controls) {
    const std::string text = "a" + std::string(c) + "b";
    CHECK(run([&](auto& s) { return write_ok(s, text); }).error == errc::invalid_argument);
    CHECK(run([&](auto& s) { return write_err(s, text); }).error == errc::invalid_argument);
  }
  CHECK(run([](auto& s) { return write_ok(s, "x\r\n+OK forged"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_ok(s, "\xC3"); }).error == errc::invalid_utf8);
  CHECK(run([](auto& s) { return write_ok(s, "\xC0\x80"); }).error == errc::invalid_utf8);
  // A control after bad UTF-8 is the graver fault.
  CHECK(run([](auto& s) { return write_ok(s, "\xC3 \n"); }).error == errc::invalid_argument);
}

TEST_CASE("pop3 response writer: a status line is at most 512 octets with CRLF (RFC 2449 §4)",
          "[pop3][writer][response]") {
  const std::string ok_at(512 - 6, 't'), err_at(512 - 7, 't');
  CHECK(run([&](auto& s) { return write_ok(s, ok_at); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_ok(s, ok_at + "t"); }).error == errc::line_too_long);
  CHECK(run([&](auto& s) { return write_err(s, err_at); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_err(s, err_at + "t"); }).error == errc::line_too_long);
  // "-ERR [SYS/TEMP] " is 16 octets.
  const std::string coded_at(512 - 16 - 2, 't');
  CHECK(run([&](auto& s) {
          return write_response(s, response_status::err, "SYS/TEMP", coded_at);
        }).bytes.size() == 512);
  CHECK(run([&](auto& s) {
          return write_response(s, response_status::err, "SYS/TEMP", coded_at + "t");
        }).error == errc::line_too_long);
  CHECK(max_status_line == client_parser_options{}.max_status_length);
}

TEST_CASE("pop3 response writer: response codes (RFC 2449 §8, RFC 3206, RFC 6856 §5)",
          "[pop3][writer][response]") {
  CHECK(run([](auto& s) {
          return write_response(s, response_status::err, "IN-USE",
                                "Do you have another POP session running?");
        }).bytes == "-ERR [IN-USE] Do you have another POP session running?\r\n");
  CHECK(run([](auto& s) {
          return write_response(s, response_status::err, "SYS/TEMP/DB", "");
        }).bytes == "-ERR [SYS/TEMP/DB]\r\n");
  CHECK(run([](auto& s) { return write_response(s, response_status::ok, "X[\\", "y"); }).bytes ==
        "+OK [X[\\] y\r\n");
  CHECK(run([](auto& s) { return write_response(s, response_status::ok, "", "y"); }).bytes ==
        "+OK y\r\n");
  for (const auto k :
       {response_code_kind::in_use, response_code_kind::login_delay, response_code_kind::sys_temp,
        response_code_kind::sys_perm, response_code_kind::auth, response_code_kind::utf8}) {
    const std::string_view code = response_code_text(k);
    REQUIRE_FALSE(code.empty());
    CHECK(parse_response_code("[" + std::string(code) + "]").kind == k);
    CHECK(run([&](auto& s) { return write_response(s, response_status::err, code, "x"); }).error ==
          errc{});
  }
  CHECK(response_code_text(response_code_kind::none).empty());
  CHECK(response_code_text(response_code_kind::other).empty());
}

TEST_CASE("pop3 response writer: a response code is resp-level *(/ resp-level) (RFC 2449 §8)",
          "[pop3][writer][response]") {
  for (const std::string_view bad :
       {"/", "A/", "/A", "A//B", "A B", "A]B", "A\x7f", "A\r", "A\n", "A\tB"})
    CHECK(run([&](auto& s) { return write_response(s, response_status::err, bad, "x"); }).error ==
          errc::invalid_argument);
  // "[" is an rchar: "[[A] x" reads back with the code "[A".
  CHECK(run([](auto& s) { return write_response(s, response_status::err, "[A", "x"); }).bytes ==
        "-ERR [[A] x\r\n");
  CHECK(run([](auto& s) {
          return write_response(s, response_status::err, "A\xC3\xA9", "x");
        }).error == errc::invalid_argument);  // rchar ends at %x7F
}

TEST_CASE(
    "pop3 response writer: text that would read as a response code is refused (RFC 2449 "
    "§8)",
    "[pop3][writer][response]") {
  for (const std::string_view bad : {"[AUTH] bad password", "[AUTH]", "[SYS/TEMP] x", "[x]  y"})
    CHECK(run([&](auto& s) { return write_err(s, bad); }).error == errc::invalid_argument);
  // A "[" that starts no code is plain text (RFC 2449 §8).
  for (const std::string_view fine : {"[a b] x", "[x", "[x]y", "[] x", "[a//b] x", "x [AUTH]"})
    CHECK(run([&](auto& s) { return write_err(s, fine); }).error == errc{});
  // After a code: a second bracket is text, a leading SP would be eaten.
  CHECK(run([](auto& s) {
          return write_response(s, response_status::err, "AUTH", "[B] x");
        }).bytes == "-ERR [AUTH] [B] x\r\n");
  CHECK(run([](auto& s) { return write_response(s, response_status::err, "AUTH", " x"); }).error ==
        errc::invalid_argument);
}

TEST_CASE("pop3 response writer: greeting with an APOP timestamp (RFC 1939 §4, §7)",
          "[pop3][writer][greeting]") {
  CHECK(run([](auto& s) {
          return write_greeting(s, "POP3 server ready", "<1896.697170952@dbc.mtview.ca.us>");
        }).bytes == "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
  CHECK(run([](auto& s) { return write_greeting(s, "ready"); }).bytes == "+OK ready\r\n");
  CHECK(run([](auto& s) { return write_greeting(s, "", "<a@b>"); }).bytes == "+OK <a@b>\r\n");
  CHECK(run([](auto& s) { return write_greeting(s, ""); }).bytes == "+OK\r\n");
  // The text's own "<" cannot open a span that swallows the timestamp.
  CHECK(run([](auto& s) { return write_greeting(s, "a <b", "<a@b>"); }).bytes ==
        "+OK a <b <a@b>\r\n");
  check_all_or_nothing([](auto& s) { return write_greeting(s, "hi", "<1.2@h>"); },
                       "+OK hi <1.2@h>\r\n");
}

TEST_CASE(
    "pop3 response writer: the timestamp is <...@...> and the text holds none (RFC 1939 §7)",
    "[pop3][writer][greeting]") {
  for (const std::string_view bad : {"a@b", "<ab>", "<a b@c>", "<a<b@c>", "<a@b>x", "x<a@b>",
                                     "<a@b", "<a@b>>", "<>", "<@>x", "<a@\xC3\xA9>", "<a@b\r>"})
    CHECK(run([&](auto& s) { return write_greeting(s, "hi", bad); }).error ==
          errc::invalid_argument);
  CHECK(run([](auto& s) { return write_greeting(s, "hi", "<@>"); }).error == errc{});
  // A span in the text would be read as the timestamp.
  CHECK(run([](auto& s) { return write_greeting(s, "see <x@y>", ""); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_greeting(s, "see <x@y>", "<a@b>"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_greeting(s, "[AUTH] x", ""); }).error ==
        errc::invalid_argument);
  const std::string at(512 - 6 - 6, 't');  // "+OK " text " <a@b>" CRLF
  CHECK(run([&](auto& s) { return write_greeting(s, at, "<a@b>"); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_greeting(s, at + "t", "<a@b>"); }).error ==
        errc::line_too_long);
}

TEST_CASE("pop3 response writer: SASL challenges are + SP base64 (RFC 5034 §4)",
          "[pop3][writer][auth]") {
  CHECK(run([](auto& s) { return write_challenge(s, ""); }).bytes == "+ \r\n");
  CHECK(run([](auto& s) { return write_challenge(s, "<1896.697170952@postoffice>"); }).bytes ==
        "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n");
  CHECK(run([](auto& s) { return write_challenge_base64(s, "VXNlcm5hbWU6"); }).bytes ==
        "+ VXNlcm5hbWU6\r\n");
  CHECK(run([](auto& s) { return write_challenge_base64(s, ""); }).bytes == "+ \r\n");
  for (const std::string_view bad : {"=", "*", "VXNl cm5h", "VXN", "V===", "OK"})
    CHECK(run([&](auto& s) { return write_challenge_base64(s, bad); }).error ==
          errc::invalid_base64);
  CHECK(run([](auto& s) { return write_challenge_base64(s, "VXNl\r\n+OK"); }).error ==
        errc::invalid_argument);
  check_all_or_nothing([](auto& s) { return write_challenge(s, "ab"); }, "+ YWI=\r\n");
}

TEST_CASE(
    "pop3 response writer: a challenge line is at most 512 octets unless raised (RFC 2449 "
    "§4, RFC 5034 §4)",
    "[pop3][writer][auth]") {
  // "+ " + 508 + CRLF: 127 groups, 381 raw octets.
  const std::string at(381, 'c'), over(382, 'c');
  CHECK(run([&](auto& s) { return write_challenge(s, at); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_challenge(s, over); }).error == errc::line_too_long);
  CHECK(run([&](auto& s) { return write_challenge(s, over, 12288); }).bytes.size() == 516);
  const std::string b64_at(508, 'A'), b64_over(512, 'A');
  CHECK(run([&](auto& s) { return write_challenge_base64(s, b64_at); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_challenge_base64(s, b64_over); }).error ==
        errc::line_too_long);
  CHECK(run([&](auto& s) { return write_challenge(s, "", 3); }).error == errc::line_too_long);
}

TEST_CASE("pop3 response writer: STAT's drop listing, count 0..2^32-1 (RFC 1939 §5)",
          "[pop3][writer][listing]") {
  CHECK(run([](auto& s) { return write_drop_listing(s, 2, 320); }).bytes == "+OK 2 320\r\n");
  CHECK(run([](auto& s) { return write_drop_listing(s, 0, 0); }).bytes == "+OK 0 0\r\n");
  CHECK(run([](auto& s) { return write_drop_listing(s, 4294967295u, ~std::uint64_t{0}); }).bytes ==
        "+OK 4294967295 18446744073709551615\r\n");
  CHECK(run([](auto& s) { return write_drop_listing(s, 4294967296u, 0); }).error ==
        errc::invalid_message_number);
  check_all_or_nothing([](auto& s) { return write_drop_listing(s, 2, 320); }, "+OK 2 320\r\n");
}

TEST_CASE("pop3 response writer: LIST msg and UIDL msg answers (RFC 1939 §5, §7)",
          "[pop3][writer][listing]") {
  CHECK(run([](auto& s) { return write_scan_listing(s, 2, 200); }).bytes == "+OK 2 200\r\n");
  CHECK(run([](auto& s) { return write_unique_id_listing(s, 2, "QhdPYR:00WBw1Ph7x7"); }).bytes ==
        "+OK 2 QhdPYR:00WBw1Ph7x7\r\n");
  for (const std::uint64_t bad : {std::uint64_t{0}, std::uint64_t{4294967296u}}) {
    CHECK(run([&](auto& s) { return write_scan_listing(s, bad, 1); }).error ==
          errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_unique_id_listing(s, bad, "u"); }).error ==
          errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_scan_item(s, bad, 1); }).error ==
          errc::invalid_message_number);
    CHECK(run([&](auto& s) { return write_unique_id_item(s, bad, "u"); }).error ==
          errc::invalid_message_number);
  }
  CHECK(run([](auto& s) { return write_scan_listing(s, 4294967295u, 1); }).error == errc{});
}

TEST_CASE("pop3 response writer: a unique-id is 1-70 octets of %x21-7E (RFC 1939 §7)",
          "[pop3][writer][listing]") {
  const std::string at(70, 'u'), over(71, 'u');
  CHECK(run([&](auto& s) { return write_unique_id_item(s, 1, at); }).bytes == "1 " + at + "\r\n");
  CHECK(run([&](auto& s) { return write_unique_id_item(s, 1, over); }).error == errc::invalid_uid);
  CHECK(run([&](auto& s) { return write_unique_id_listing(s, 1, over); }).error ==
        errc::invalid_uid);
  for (const std::string_view bad : {"", "a b", "\xC3\xA9", " a"})
    CHECK(run([&](auto& s) { return write_unique_id_item(s, 1, bad); }).error == errc::invalid_uid);
  for (const std::string_view c : controls) {
    const std::string uid = "u" + std::string(c);
    CHECK(run([&](auto& s) { return write_unique_id_item(s, 1, uid); }).error ==
          errc::invalid_argument);
  }
}

TEST_CASE("pop3 response writer: LIST and UIDL bodies item by item, then . (RFC 1939 §3, §5)",
          "[pop3][writer][listing]") {
  CHECK(run([](auto& s) { return write_scan_item(s, 1, 120); }).bytes == "1 120\r\n");
  CHECK(run([](auto& s) { return write_unique_id_item(s, 3, "a.b"); }).bytes == "3 a.b\r\n");
  CHECK(run([](auto& s) { return write_end(s); }).bytes == ".\r\n");
  check_all_or_nothing([](auto& s) { return write_scan_item(s, 1, 120); }, "1 120\r\n");
  check_all_or_nothing([](auto& s) { return write_end(s); }, ".\r\n");
}

TEST_CASE(
    "pop3 response writer: whole LIST and UIDL answers; empty maildrop (RFC 1939 §5)",
    "[pop3][writer][listing]") {
  const scan_entry scans[] = {{1, 120}, {3, 200}};
  CHECK(run([&](auto& s) { return write_scan_listings(s, "2 messages", scans, 2); }).bytes ==
        "+OK 2 messages\r\n1 120\r\n3 200\r\n.\r\n");
  CHECK(run([](auto& s) { return write_scan_listings(s, "", nullptr, 0); }).bytes ==
        "+OK\r\n.\r\n");
  CHECK(run([](auto& s) { return write_scan_listings(s, "", nullptr, 1); }).error ==
        errc::invalid_argument);
  const unique_id_entry uids[] = {{1, "whqtswO00WBw418f9t5JxYwZ"}, {2, "QhdPYR:00WBw1Ph7x7"}};
  CHECK(run([&](auto& s) { return write_unique_id_listings(s, "", uids, 2); }).bytes ==
        "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
  // One bad entry, the last: nothing at all is written.
  const scan_entry bad_scans[] = {{1, 1}, {0, 1}};
  CHECK(run([&](auto& s) { return write_scan_listings(s, "", bad_scans, 2); }).error ==
        errc::invalid_message_number);
  const unique_id_entry bad_uids[] = {{1, "a"}, {2, "b c"}};
  CHECK(run([&](auto& s) { return write_unique_id_listings(s, "", bad_uids, 2); }).error ==
        errc::invalid_uid);
  CHECK(run([&](auto& s) { return write_scan_listings(s, "[AUTH]", scans, 2); }).error ==
        errc::invalid_argument);
  check_all_or_nothing([&](auto& s) { return write_scan_listings(s, "", scans, 2); },
                       "+OK\r\n1 120\r\n3 200\r\n.\r\n");
}

TEST_CASE("pop3 response writer: LANG body lines tag [SP description] (RFC 6856 §3)",
          "[pop3][writer][lang]") {
  CHECK(run([](auto& s) { return write_language_item(s, "en", "English"); }).bytes ==
        "en English\r\n");
  CHECK(run([](auto& s) {
          return write_language_item(s, "de-CH", "Deutsch (Schweiz) \xC3\xA4");
        }).bytes == "de-CH Deutsch (Schweiz) \xC3\xA4\r\n");
  CHECK(run([](auto& s) { return write_language_item(s, "i-default"); }).bytes == "i-default\r\n");
  for (const std::string_view bad : {"*", "", "-en", "en_GB", "1en", "abcdefghi"})
    CHECK(run([&](auto& s) { return write_language_item(s, bad, "x"); }).error ==
          errc::invalid_language_range);
  CHECK(run([](auto& s) { return write_language_item(s, "en\r\n", "x"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_language_item(s, "en", "x\ny"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_language_item(s, "en", "\xFF"); }).error ==
        errc::invalid_utf8);
  const std::string at(512 - 5, 'd');  // "en " + description + CRLF
  CHECK(run([&](auto& s) { return write_language_item(s, "en", at); }).bytes.size() == 512);
  CHECK(run([&](auto& s) { return write_language_item(s, "en", at + "d"); }).error ==
        errc::line_too_long);
}

TEST_CASE(
    "pop3 response writer: CAPA from a capabilities value (RFC 2449 §5-6, RFC 5034 §3, RFC "
    "6856 §2-3)",
    "[pop3][writer][capa]") {
  capabilities caps;
  caps.set(capability::top);
  caps.set(capability::user);
  REQUIRE(caps.add_mechanism("plain") == errc{});
  REQUIRE(caps.add_mechanism("X-CUSTOM") == errc{});
  REQUIRE(caps.add_mechanism("SCRAM-SHA-256") == errc{});
  caps.set(capability::resp_codes);
  caps.set_login_delay(900, true);
  caps.set(capability::pipelining);
  caps.set_expire(std::nullopt);
  caps.set(capability::uidl);
  REQUIRE(caps.set_implementation("Shlemazle Plotz-v302") == errc{});
  caps.set(capability::stls);
  caps.set(capability::auth_resp_code);
  caps.set_utf8(true);
  caps.set(capability::lang);
  REQUIRE(caps.add_line("X-FOO a  b") == errc{});
  CHECK(
      run([&](auto& s) { return write_capa_response(s, caps, "Capability list follows"); }).bytes ==
      "+OK Capability list follows\r\n"
      "TOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256 X-CUSTOM\r\nRESP-CODES\r\n"
      "LOGIN-DELAY 900 USER\r\nPIPELINING\r\nEXPIRE NEVER\r\nUIDL\r\n"
      "IMPLEMENTATION Shlemazle Plotz-v302\r\nSTLS\r\nAUTH-RESP-CODE\r\nUTF8 USER\r\nLANG\r\n"
      "X-FOO a b\r\n.\r\n");
  CHECK(run([](auto& s) { return write_capa_response(s, capabilities{}); }).bytes ==
        "+OK\r\n.\r\n");
  capabilities expire;
  expire.set_expire(0);
  CHECK(run([&](auto& s) { return write_capa_response(s, expire); }).bytes ==
        "+OK\r\nEXPIRE 0\r\n.\r\n");
  check_all_or_nothing([&](auto& s) { return write_capa_response(s, expire); },
                       "+OK\r\nEXPIRE 0\r\n.\r\n");
}

TEST_CASE("pop3 response writer: CAPA values that would not read back are refused (RFC 2449 §6)",
          "[pop3][writer][capa]") {
  capabilities sasl;
  sasl.set(capability::sasl);  // SASL without a mechanism
  CHECK(run([&](auto& s) { return write_capa_response(s, sasl); }).error == errc::missing_argument);
  capabilities impl;
  impl.set(capability::implementation);  // no text
  CHECK(run([&](auto& s) { return write_capa_response(s, impl); }).error == errc::missing_argument);
  capabilities padded;  // the setter already refuses what a reader would trim
  CHECK(padded.set_implementation(" x") == errc::invalid_argument);
  capabilities bad_utf8;
  REQUIRE(bad_utf8.set_implementation("x\xFF") == errc{});
  CHECK(run([&](auto& s) { return write_capa_response(s, bad_utf8); }).error == errc::invalid_utf8);
  CHECK(run([](auto& s) { return write_capa_response(s, capabilities{}, "a\rb"); }).error ==
        errc::invalid_argument);
}

TEST_CASE("pop3 response writer: a bare AUTH lists the mechanisms, one a line (RFC 5034 §3)",
          "[pop3][writer][auth]") {
  capabilities caps;
  REQUIRE(caps.add_mechanism("X-CUSTOM") == errc{});
  REQUIRE(caps.add_mechanism("plain") == errc{});
  caps.add_mechanism(mailwire::sasl_mechanism::cram_md5);
  const std::string listing = "+OK methods\r\nPLAIN\r\nCRAM-MD5\r\nX-CUSTOM\r\n.\r\n";
  CHECK(run([&](auto& s) { return write_auth_mechanisms(s, caps, "methods"); }).bytes == listing);
  check_all_or_nothing([&](auto& s) { return write_auth_mechanisms(s, caps, "methods"); },
                       listing);
  CHECK(run([](auto& s) { return write_auth_mechanisms(s, capabilities{}); }).bytes ==
        "+OK\r\n.\r\n");
  CHECK(run([&](auto& s) { return write_auth_mechanisms(s, caps, "a\nb"); }).error ==
        errc::invalid_argument);
  // What client_parser reads back after expect(verb::auth, false).
  pop3::client_parser<> p;
  REQUIRE(p.expect(pop3::verb::auth, false) == errc{});
  p.feed(listing);
  std::string lines;
  for (;;) {
    const auto& ev = p.next();
    if (ev.kind == pop3::client_event_kind::need_more) break;
    if (ev.kind == pop3::client_event_kind::line) lines += std::string(ev.text) + ",";
    CHECK(ev.kind != pop3::client_event_kind::error);
  }
  CHECK(lines == "PLAIN,CRAM-MD5,X-CUSTOM,");
}

TEST_CASE("pop3 response writer: RETR content is dot-stuffed and terminated (RFC 1939 §3)",
          "[pop3][writer][body]") {
  CHECK(run([](auto& s) { return write_message(s, "120 octets", "a\r\n.b\r\n"); }).bytes ==
        "+OK 120 octets\r\na\r\n..b\r\n.\r\n");
  // No final CRLF: one is added before the terminator.
  CHECK(run([](auto& s) { return write_message(s, "", "a\r\nb"); }).bytes ==
        "+OK\r\na\r\nb\r\n.\r\n");
  // Empty content: the terminator alone.
  CHECK(run([](auto& s) { return write_message(s, "", ""); }).bytes == "+OK\r\n.\r\n");
  // A line that is only "." and one that looks like a status (RFC 1939 §3).
  CHECK(run([](auto& s) { return write_message(s, "", ".\r\n-ERR x\r\n"); }).bytes ==
        "+OK\r\n..\r\n-ERR x\r\n.\r\n");
  // Bare line ends become CRLF (docs/security.md §1): "\n.\n" cannot end the body.
  CHECK(run([](auto& s) { return write_message(s, "", "a\n.\nb\rc\r"); }).bytes ==
        "+OK\r\na\r\n..\r\nb\r\nc\r\n.\r\n");
  check_all_or_nothing([](auto& s) { return write_message(s, "x", ".a"); },
                       "+OK x\r\n..a\r\n.\r\n");
}

TEST_CASE(
    "pop3 response writer: NUL and refused bare line ends in content (RFC 1939 §3, "
    "docs/security.md §1)",
    "[pop3][writer][body]") {
  const std::string nul("a\0b", 3);
  CHECK(run([&](auto& s) { return write_message(s, "", nul); }).error == errc::body_nul);
  dot::encoder_options strict;
  strict.refuse_bare_line_ends = true;
  CHECK(run([&](auto& s) { return write_message(s, "", "a\nb", strict); }).error ==
        errc::body_bare_lf);
  CHECK(run([&](auto& s) { return write_message(s, "", "a\rb", strict); }).error ==
        errc::body_bare_cr);
  CHECK(run([&](auto& s) { return write_message(s, "", "a\r", strict); }).error ==
        errc::body_bare_cr);
  CHECK(run([&](auto& s) { return write_message(s, "", "a\r\nb", strict); }).bytes ==
        "+OK\r\na\r\nb\r\n.\r\n");
  CHECK(run([](auto& s) { return write_message(s, "\n", "x"); }).error == errc::invalid_argument);
}

TEST_CASE("pop3 response writer: streamed content equals the whole message (RFC 1939 §3)",
          "[pop3][writer][body]") {
  const std::string content = "Subject: x\r\n\r\n.dot\nbare\rcr\r";
  std::string whole;
  {
    appendable_sink<std::string> sink(whole);
    REQUIRE(write_message(sink, "", content) == errc{});
  }
  for (std::size_t piece = 1; piece <= content.size(); ++piece) {
    std::string out;
    appendable_sink<std::string> sink(out);
    REQUIRE(write_ok(sink) == errc{});
    dot::encoder enc;
    for (std::size_t at = 0; at < content.size(); at += piece)
      REQUIRE(write_body(sink, enc, std::string_view(content).substr(at, piece)) == errc{});
    REQUIRE(write_body_end(sink, enc) == errc{});
    INFO("piece " << piece);
    CHECK(out == whole);
    // After the end, content is refused and nothing changes.
    CHECK(write_body(sink, enc, "x") == errc::invalid_argument);
    CHECK(out == whole);
  }
}

TEST_CASE(
    "pop3 response writer: a failed streamed write leaves sink and encoder unchanged "
    "(RFC 1939 §3)",
    "[pop3][writer][body]") {
  char buf[8];
  fixed_sink sink(buf);
  dot::encoder enc;
  REQUIRE(write_body(sink, enc, "ab") == errc{});
  CHECK(write_body(sink, enc, "\r\n.long line") == errc::buffer_too_small);
  CHECK(sink.view() == "ab");
  CHECK(write_body(sink, enc, std::string_view("\0", 1)) == errc::body_nul);
  // The encoder is still mid-line after "ab": the terminator adds the CRLF.
  sink.clear();
  REQUIRE(write_body_end(sink, enc) == errc{});
  CHECK(sink.view() == "\r\n.\r\n");
  dot::encoder_options strict;
  strict.refuse_bare_line_ends = true;
  dot::encoder refusing(strict);
  sink.clear();
  CHECK(write_body(sink, refusing, "a\nb") == errc::body_bare_lf);
  CHECK(sink.size() == 0);
  CHECK(write_body(sink, refusing, "a") == errc{});  // the refusal was not committed
}

TEST_CASE("pop3 response writer: the gather form describes the same bytes (RFC 1939 §3)",
          "[pop3][writer][body][gather]") {
  const std::string content = "a\r\n.b\nc\r\n..\r\nend";
  std::string whole;
  {
    appendable_sink<std::string> sink(whole);
    REQUIRE(write_message(sink, "follows", content) == errc{});
  }
  for (std::size_t max = 4; max <= 12; ++max) {
    std::vector<std::string_view> segments(max);
    dot::encoder enc;
    gather_progress p = gather_message(enc, "follows", content, segments.data(), max);
    REQUIRE(p.error == errc{});
    std::string out = joined(segments.data(), p.count);
    std::string_view rest = std::string_view(content).substr(p.consumed);
    int rounds = 0;
    while (!p.done) {
      REQUIRE(++rounds < 100);
      p = gather_body(enc, rest, segments.data(), max);
      REQUIRE(p.error == errc{});
      out += joined(segments.data(), p.count);
      rest.remove_prefix(p.consumed);
    }
    INFO("segments " << max);
    CHECK(out == whole);
  }
  std::string_view seg[8];
  dot::encoder enc;
  const gather_progress empty = gather_message(enc, "", "", seg, 8);
  CHECK(empty.done);
  CHECK(joined(seg, empty.count) == "+OK\r\n.\r\n");
}

TEST_CASE("pop3 response writer: gather form errors describe nothing (RFC 1939 §3)",
          "[pop3][writer][body][gather]") {
  std::string_view seg[8];
  dot::encoder enc;
  CHECK(gather_message(enc, "", "x", seg, 3).error == errc::buffer_too_small);
  CHECK(gather_message(enc, "a\nb", "x", seg, 8).error == errc::invalid_argument);
  const std::string long_text(507, 't');
  CHECK(gather_message(enc, long_text, "x", seg, 8).error == errc::line_too_long);
  CHECK(gather_message(enc, long_text.substr(1), "x", seg, 8).error == errc{});
  dot::encoder fresh;
  const gather_progress nul = gather_message(fresh, "", std::string("a\0b", 3), seg, 8);
  CHECK(nul.error == errc::body_nul);
  CHECK(nul.count == 0);
  // The encoder did not move: it still takes a whole message.
  const gather_progress again = gather_body(fresh, ".x", seg, 8);
  CHECK(again.done);
  CHECK(joined(seg, again.count) == "..x\r\n.\r\n");
  CHECK(gather_body(fresh, "x", nullptr, 2).error == errc::invalid_argument);
}

TEST_CASE(
    "pop3 response writer: top_content is the header, the blank line and n body lines (RFC 1939 "
    "§7)",
    "[pop3][writer][top]") {
  using mailwire::pop3::top_content;
  constexpr std::string_view m = "Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";
  static_assert(top_content(m, 0) == "Subject: a\r\nFrom: b\r\n\r\n");
  CHECK(top_content(m, 1) == "Subject: a\r\nFrom: b\r\n\r\nline 1\r\n");
  CHECK(top_content(m, 2) == "Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\n");
  // n at and past the number of body lines: the whole message.
  CHECK(top_content(m, 3) == m);
  CHECK(top_content(m, 4294967295u) == m);
  // A last line without CRLF counts as a line.
  CHECK(top_content("H: x\r\n\r\nb1\r\nb2", 1) == "H: x\r\n\r\nb1\r\n");
  CHECK(top_content("H: x\r\n\r\nb1\r\nb2", 2) == "H: x\r\n\r\nb1\r\nb2");
  // No blank line: all header, sent whole.
  CHECK(top_content("H: x\r\nI: y\r\n", 0) == "H: x\r\nI: y\r\n");
  // Bare LF and bare CR end lines as the encoder reads them.
  CHECK(top_content("H: x\n\nb1\nb2\n", 1) == "H: x\n\nb1\n");
  CHECK(top_content("H: x\r\rb1\rb2", 1) == "H: x\r\rb1\r");
  // An empty header: the message starts with the blank line.
  CHECK(top_content("\r\nbody\r\n", 0) == "\r\n");
  CHECK(top_content("", 5).empty());
}

TEST_CASE("pop3 response writer: a refused bare line end is reported whatever the sink's room",
          "[pop3][writer][retr]") {
  // Every check comes before the sink (found by the round-trip fuzzer: a full
  // sink used to hide the refusal behind buffer_too_small).
  dot::encoder_options refuse;
  refuse.refuse_bare_line_ends = true;
  for (const std::size_t room : {0, 4, 10, 4096}) {
    INFO(room);
    std::string storage(room, '\0');
    fixed_sink small(storage.data(), storage.size());
    CHECK(write_message(small, "", "abc\r", refuse) == errc::body_bare_cr);
    CHECK(write_message(small, "", std::string(600, 'a') + "\n", refuse) == errc::body_bare_lf);
    CHECK(small.size() == 0);
    dot::encoder enc(refuse);
    CHECK(write_body(small, enc, std::string(600, 'a') + "\nb") == errc::body_bare_lf);
    CHECK(write_body(small, enc, "") == errc{});
    std::string out;
    appendable_sink<std::string> grow(out);
    CHECK(write_body(grow, enc, "ab\r") == errc{});  // the CR may still become CRLF
    CHECK(write_body_end(small, enc) == errc::body_bare_cr);
    CHECK(small.size() == 0);
  }
}
