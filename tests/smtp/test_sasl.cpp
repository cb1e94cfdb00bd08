// Client SASL responses: PLAIN (RFC 4616), LOGIN, XOAUTH2 and CRAM-MD5
// (RFC 2195), base64-encoded as RFC 4954 §4 sends them.
#include <cstddef>
#include <mailwire/smtp/sasl.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace sasl = mailwire::smtp::sasl;
namespace b64 = mailwire::base64;
namespace md5 = mailwire::md5;
using mailwire::appendable_sink;
using mailwire::errc;
using mailwire::fixed_sink;

namespace {

using namespace std::string_literals;

// RFC 2195 §2.
constexpr std::string_view rfc2195_challenge =
    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
constexpr std::string_view rfc2195_response = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";

std::string decode(std::string_view encoded) {
  std::string out;
  appendable_sink<std::string> sink(out);
  REQUIRE(b64::decode(encoded, sink).ok());
  return out;
}

std::string encode(std::string_view raw) {
  std::string out;
  appendable_sink<std::string> sink(out);
  REQUIRE(b64::encode(raw, sink).ok());
  return out;
}

struct written {
  errc error;
  std::string text;
};

written plain(std::string_view authzid, std::string_view authcid, std::string_view password) {
  written w{errc{}, "prefix:"};
  appendable_sink<std::string> sink(w.text);
  w.error = sasl::write_plain(sink, authzid, authcid, password);
  if (w.error != errc{}) CHECK(w.text == "prefix:");  // nothing partial
  w.text.erase(0, 7);
  return w;
}

written xoauth2(std::string_view user, std::string_view token) {
  written w{errc{}, "prefix:"};
  appendable_sink<std::string> sink(w.text);
  w.error = sasl::write_xoauth2(sink, user, token);
  if (w.error != errc{}) CHECK(w.text == "prefix:");
  w.text.erase(0, 7);
  return w;
}

written cram(std::string_view challenge, std::string_view user, std::string_view password) {
  written w{errc{}, "prefix:"};
  appendable_sink<std::string> sink(w.text);
  w.error = sasl::write_cram_md5(sink, challenge, user, password);
  if (w.error != errc{}) CHECK(w.text == "prefix:");
  w.text.erase(0, 7);
  return w;
}

written login_username(std::string_view user) {
  written w{errc{}, "prefix:"};
  appendable_sink<std::string> sink(w.text);
  w.error = sasl::write_login_username(sink, user);
  if (w.error != errc{}) CHECK(w.text == "prefix:");
  w.text.erase(0, 7);
  return w;
}

written login_password(std::string_view password) {
  written w{errc{}, "prefix:"};
  appendable_sink<std::string> sink(w.text);
  w.error = sasl::write_login_password(sink, password);
  if (w.error != errc{}) CHECK(w.text == "prefix:");
  w.text.erase(0, 7);
  return w;
}

std::string cram_hex(std::string_view password, std::string_view challenge) {
  char hex[md5::hex_size];
  return std::string(md5::to_hex(md5::hmac(password, challenge), hex));
}

// The longest response that fits a 12288-octet line with its CRLF: 12284
// base64 characters (whole groups of four), 9213 octets before encoding.
constexpr std::size_t max_encoded = (sasl::max_response_line - 2) / 4 * 4;
constexpr std::size_t max_raw = max_encoded / 4 * 3;
static_assert(max_encoded == 12284 && max_raw == 9213);

// Writes with a fixed_sink of every capacity from 0 to the full size: each
// short one must fail with buffer_too_small and leave the sink as it was
// (size 0, not failed); none may write past its capacity.
template <class Write>
void check_capacities(Write write, std::string_view expected) {
  for (std::size_t cap = 0; cap <= expected.size(); ++cap) {
    std::vector<char> buffer(cap + 1, '#');
    fixed_sink sink(buffer.data(), cap);
    const errc e = write(sink);
    INFO("capacity " << cap);
    if (cap < expected.size()) {
      REQUIRE(e == errc::buffer_too_small);
      CHECK(sink.size() == 0);
      CHECK(!sink.failed());
      CHECK(buffer[cap] == '#');
    } else {
      REQUIRE(e == errc{});
      CHECK(sink.view() == expected);
      CHECK(buffer[cap] == '#');
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- PLAIN

TEST_CASE("plain: RFC 4616 §4 examples", "[sasl][plain]") {
  const written tim = plain("", "tim", "tanstaaftanstaaf");
  REQUIRE(tim.error == errc{});
  CHECK(tim.text == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  CHECK(decode(tim.text) == "\0tim\0tanstaaftanstaaf"s);

  const written ursel = plain("Ursel", "Kurt", "xipj3plmq");
  REQUIRE(ursel.error == errc{});
  CHECK(ursel.text == "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
  CHECK(decode(ursel.text) == "Ursel\0Kurt\0xipj3plmq"s);
}

TEST_CASE("plain: RFC 4616 §2 authcid and passwd are 1*SAFE (non-empty)", "[sasl][plain]") {
  CHECK(plain("", "", "pw").error == errc::invalid_argument);
  CHECK(plain("", "user", "").error == errc::invalid_argument);
  CHECK(plain("admin", "", "").error == errc::invalid_argument);
  CHECK(plain("", "u", "p").error == errc{});  // one octet each is enough
}

TEST_CASE("plain: RFC 4616 §2 NUL is refused inside every field", "[sasl][plain]") {
  CHECK(plain("a\0b"s, "user", "pw").error == errc::invalid_argument);
  CHECK(plain("", "us\0er"s, "pw").error == errc::invalid_argument);
  CHECK(plain("", "user", "p\0w"s).error == errc::invalid_argument);
  CHECK(plain("\0"s, "user", "pw").error == errc::invalid_argument);
  CHECK(plain("", "user", "pw\0"s).error == errc::invalid_argument);
}

TEST_CASE("plain: CR and LF are refused in every field (docs/security.md §3)", "[sasl][plain]") {
  CHECK(plain("a\rb", "user", "pw").error == errc::invalid_argument);
  CHECK(plain("", "user\n", "pw").error == errc::invalid_argument);
  CHECK(plain("", "user", "pw\r\nQUIT").error == errc::invalid_argument);
  // Other controls and spaces are UTF8-SAFE (RFC 4616 §2).
  CHECK(plain("", "user name", "p\tw\x01").error == errc{});
}

TEST_CASE("plain: RFC 4616 §2 fields must be UTF-8", "[sasl][plain]") {
  const written utf8 = plain("J\xc3\xb6rg", "j\xc3\xb6rg@example.org", "\xe2\x82\xac uro");
  REQUIRE(utf8.error == errc{});
  CHECK(decode(utf8.text) == "J\xc3\xb6rg\0j\xc3\xb6rg@example.org\0\xe2\x82\xac uro"s);
  CHECK(plain("\xff", "user", "pw").error == errc::invalid_utf8);
  CHECK(plain("", "j\xf6rg", "pw").error == errc::invalid_utf8);         // Latin-1
  CHECK(plain("", "user", "\xc3").error == errc::invalid_utf8);          // truncated
  CHECK(plain("", "user", "\xed\xa0\x80").error == errc::invalid_utf8);  // surrogate
  // A NUL is reported as a NUL even when the field is also bad UTF-8.
  CHECK(plain("", "\xff\0"s, "pw").error == errc::invalid_argument);
}

TEST_CASE("plain: RFC 4954 §4 response line at and over 12288 octets", "[sasl][plain]") {
  // authzid + NUL + authcid + NUL + passwd = max_raw octets: 12284 base64
  // characters; one octet more needs 12288 characters, 12290 with CRLF.
  const std::string password(max_raw - 2 - 4, 'p');
  const written at = plain("", "user", password);
  REQUIRE(at.error == errc{});
  CHECK(at.text.size() == max_encoded);
  CHECK(decode(at.text) == "\0user\0"s + password);

  CHECK(plain("", "user", password + "p").error == errc::auth_line_too_long);
  CHECK(plain("", "user", std::string(100000, 'p')).error == errc::auth_line_too_long);
  CHECK(plain(std::string(20000, 'z'), "user", "pw").error == errc::auth_line_too_long);
  // Field errors win over the length.
  CHECK(plain("", "user", std::string(100000, 'p') + "\n").error == errc::invalid_argument);
}

TEST_CASE("plain: a short buffer gets nothing partial", "[sasl][plain]") {
  check_capacities([](fixed_sink& s) { return sasl::write_plain(s, "Ursel", "Kurt", "xipj3plmq"); },
                   "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
  // A long response crosses the writer's internal staging block (192 octets).
  const std::string password(500, 'x');
  check_capacities([&](fixed_sink& s) { return sasl::write_plain(s, "", "user", password); },
                   encode("\0user\0"s + password));
}

TEST_CASE("plain: RFC 4616 §2 random fields round-trip through base64", "[sasl][plain]") {
  std::mt19937 rng(4616);
  // Any octet but NUL, CR and LF; non-ASCII as well-formed two-octet UTF-8.
  const auto field = [&](std::size_t min, std::size_t max) {
    std::string s;
    const std::size_t n = std::uniform_int_distribution<std::size_t>(min, max)(rng);
    while (s.size() < n) {
      const int c = std::uniform_int_distribution<int>(1, 0xFF)(rng);
      if (c == '\r' || c == '\n') continue;
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else {
        s += static_cast<char>(0xC2 + (c & 0x1));
        s += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return s;
  };
  for (int round = 0; round < 500; ++round) {
    const std::string authzid = field(0, 40), authcid = field(1, 300), password = field(1, 300);
    const written w = plain(authzid, authcid, password);
    REQUIRE(w.error == errc{});
    CHECK(w.text == encode(authzid + '\0' + authcid + '\0' + password));
    CHECK(decode(w.text) == authzid + '\0' + authcid + '\0' + password);
  }
}

// ---------------------------------------------------------------- LOGIN

TEST_CASE("login: user name and password are two base64 answers", "[sasl][login]") {
  std::string out;
  appendable_sink<std::string> sink(out);
  REQUIRE(sasl::write_login_username(sink, "tim") == errc{});
  CHECK(out == "dGlt");
  out.clear();
  REQUIRE(sasl::write_login_password(sink, "tanstaaftanstaaf") == errc{});
  CHECK(out == "dGFuc3RhYWZ0YW5zdGFhZg==");
  CHECK(login_username("user@example.com").text == "dXNlckBleGFtcGxlLmNvbQ==");
  // LOGIN predates UTF-8 rules: Latin-1 passwords are sent as they are.
  const written latin1 = login_password("j\xf6rg");
  REQUIRE(latin1.error == errc{});
  CHECK(decode(latin1.text) == "j\xf6rg");
}

TEST_CASE("login: empty fields and NUL, CR, LF are refused", "[sasl][login]") {
  CHECK(login_username("").error == errc::invalid_argument);
  CHECK(login_password("").error == errc::invalid_argument);
  CHECK(login_username("us\0er"s).error == errc::invalid_argument);
  CHECK(login_username("user\r\nQUIT").error == errc::invalid_argument);
  CHECK(login_password("pw\n").error == errc::invalid_argument);
  CHECK(login_password("\rpw").error == errc::invalid_argument);
  CHECK(login_password("p\0w"s).error == errc::invalid_argument);
  CHECK(login_password("p w\t").error == errc{});
}

TEST_CASE("login: RFC 4954 §4 response line at and over 12288 octets", "[sasl][login]") {
  const written at = login_password(std::string(max_raw, 'p'));
  REQUIRE(at.error == errc{});
  CHECK(at.text.size() == max_encoded);
  CHECK(login_password(std::string(max_raw + 1, 'p')).error == errc::auth_line_too_long);
  CHECK(login_username(std::string(max_raw + 1, 'u')).error == errc::auth_line_too_long);
}

TEST_CASE("login: a short buffer gets nothing partial", "[sasl][login]") {
  check_capacities([](fixed_sink& s) { return sasl::write_login_username(s, "username"); },
                   "dXNlcm5hbWU=");
  check_capacities([](fixed_sink& s) { return sasl::write_login_password(s, "password"); },
                   "cGFzc3dvcmQ=");
}

// ---------------------------------------------------------------- XOAUTH2

TEST_CASE("xoauth2: the documented example response", "[sasl][xoauth2]") {
  // The example on Google's XOAUTH2 page (developers.google.com/gmail/imap/
  // xoauth2-protocol); the base64 was checked with python3's base64 module.
  const written w =
      xoauth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
  REQUIRE(w.error == errc{});
  CHECK(w.text ==
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
        "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  CHECK(decode(w.text) ==
        "user=someuser@example.com\x01"
        "auth=Bearer "
        "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01");
}

TEST_CASE("xoauth2: the user holds no ^A, CR, LF or other control", "[sasl][xoauth2]") {
  CHECK(xoauth2("", "token").error == errc::invalid_argument);
  CHECK(xoauth2("a\x01"
                "auth=Bearer x",
                "token")
            .error == errc::invalid_argument);
  CHECK(xoauth2("a@b\r\n", "token").error == errc::invalid_argument);
  CHECK(xoauth2("a@b\n", "token").error == errc::invalid_argument);
  CHECK(xoauth2("a\0b"s, "token").error == errc::invalid_argument);
  CHECK(xoauth2("a\tb", "token").error == errc::invalid_argument);
  CHECK(xoauth2("a\x7f", "token").error == errc::invalid_argument);
  CHECK(xoauth2("j\xc3\xb6rg@example.org", "token").error == errc{});
}

TEST_CASE("xoauth2: RFC 6750 §2.1 the token is a b64token", "[sasl][xoauth2]") {
  CHECK(xoauth2("u", "").error == errc::invalid_argument);
  CHECK(xoauth2("u", "=").error == errc::invalid_argument);
  CHECK(xoauth2("u", "abc\x01").error == errc::invalid_argument);
  CHECK(xoauth2("u", "abc\r\n").error == errc::invalid_argument);
  CHECK(xoauth2("u", "ab c").error == errc::invalid_argument);
  CHECK(xoauth2("u", "ab=c").error == errc::invalid_argument);  // "=" only at the end
  CHECK(xoauth2("u", "a\"b").error == errc::invalid_argument);
  CHECK(xoauth2("u", "AZaz09-._~+/").error == errc{});
  CHECK(xoauth2("u", "eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl==").error == errc{});
}

TEST_CASE("xoauth2: RFC 4954 §4 response line at and over 12288 octets", "[sasl][xoauth2]") {
  // "user=" u ^A "auth=Bearer " token ^A ^A: 5 + 1 + 13 + token + 2 octets.
  const std::string token(max_raw - 21, 't');
  const written at = xoauth2("u", token);
  REQUIRE(at.error == errc{});
  CHECK(at.text.size() == max_encoded);
  CHECK(xoauth2("u", token + "t").error == errc::auth_line_too_long);
  CHECK(xoauth2(std::string(50000, 'u'), "t").error == errc::auth_line_too_long);
}

TEST_CASE("xoauth2: a short buffer gets nothing partial", "[sasl][xoauth2]") {
  const std::string token(300, 'T');
  check_capacities([&](fixed_sink& s) { return sasl::write_xoauth2(s, "me@example.com", token); },
                   encode("user=me@example.com\x01"
                          "auth=Bearer " +
                          token + "\x01\x01"));
}

// ---------------------------------------------------------------- CRAM-MD5

TEST_CASE("cram-md5: RFC 2195 §2 example", "[sasl][cram-md5]") {
  const written w = cram(rfc2195_challenge, "tim", "tanstaaftanstaaf");
  REQUIRE(w.error == errc{});
  CHECK(w.text == rfc2195_response);
  CHECK(decode(w.text) == "tim b913a602c7eda7a495b4e6e7334d3890");
}

TEST_CASE("cram-md5: RFC 4954 §4 a challenge that is not strict base64", "[sasl][cram-md5]") {
  const std::string good(rfc2195_challenge);
  CHECK(cram(good.substr(0, good.size() - 1), "tim", "pw").error == errc::invalid_base64);
  CHECK(cram(good + "\r\n", "tim", "pw").error == errc::invalid_base64);
  CHECK(cram("334 " + good, "tim", "pw").error == errc::invalid_base64);
  CHECK(cram("QR==", "tim", "pw").error == errc::invalid_base64);  // non-zero pad bits
  CHECK(cram("PD=+", "tim", "pw").error == errc::invalid_base64);
  CHECK(cram("=", "tim", "pw").error == errc::invalid_base64);
  CHECK(cram("*", "tim", "pw").error == errc::invalid_base64);
  // A bad challenge is reported before a bad user name.
  CHECK(cram("!!!!", "", "pw").error == errc::invalid_base64);
}

TEST_CASE("cram-md5: RFC 2195 §2 an empty challenge is refused", "[sasl][cram-md5]") {
  CHECK(cram("", "tim", "tanstaaftanstaaf").error == errc::invalid_argument);
  CHECK(cram("AA==", "tim", "tanstaaftanstaaf").error == errc{});  // one octet is enough
}

TEST_CASE("cram-md5: RFC 2195 §2 the user name is non-empty without controls", "[sasl][cram-md5]") {
  CHECK(cram(rfc2195_challenge, "", "pw").error == errc::invalid_argument);
  CHECK(cram(rfc2195_challenge, "tim\r\n", "pw").error == errc::invalid_argument);
  CHECK(cram(rfc2195_challenge, "t\nim", "pw").error == errc::invalid_argument);
  CHECK(cram(rfc2195_challenge, "t\0im"s, "pw").error == errc::invalid_argument);
  CHECK(cram(rfc2195_challenge, "t\x01im", "pw").error == errc::invalid_argument);
  // The digest has a fixed length at the end, so a space in the name is fine.
  const written spaced = cram(rfc2195_challenge, "tim smith", "tanstaaftanstaaf");
  REQUIRE(spaced.error == errc{});
  CHECK(decode(spaced.text) == "tim smith b913a602c7eda7a495b4e6e7334d3890");
}

TEST_CASE("cram-md5: RFC 2104 §2 the password is only a key (any octets)", "[sasl][cram-md5]") {
  const std::string challenge = "<1.2@host>";
  for (const std::string& password :
       {""s, "\0\r\n"s, std::string(64, 'k'), std::string(65, 'k'), "\xff\xfe"s}) {
    const written w = cram(encode(challenge), "u", password);
    REQUIRE(w.error == errc{});
    CHECK(decode(w.text) == "u " + cram_hex(password, challenge));
  }
}

TEST_CASE("cram-md5: RFC 4954 §4 response line at and over 12288 octets", "[sasl][cram-md5]") {
  // user SP 32 hex digits = max_raw octets.
  const std::string user(max_raw - 33, 'u');
  const written at = cram(rfc2195_challenge, user, "pw");
  REQUIRE(at.error == errc{});
  CHECK(at.text.size() == max_encoded);
  CHECK(cram(rfc2195_challenge, user + "u", "pw").error == errc::auth_line_too_long);
}

TEST_CASE("cram-md5: a challenge longer than one decoding piece", "[sasl][cram-md5]") {
  // 256 base64 characters are decoded at a time; cross that at and around
  // every group boundary, padded and not.
  for (std::size_t n = 180; n <= 800; n += 1) {
    std::string challenge(n, '\0');
    for (std::size_t k = 0; k < n; ++k) challenge[k] = static_cast<char>((k * 37 + 11) & 0xFF);
    const written w = cram(encode(challenge), "user", "secret");
    INFO("challenge of " << n << " octets");
    REQUIRE(w.error == errc{});
    CHECK(decode(w.text) == "user " + cram_hex("secret", challenge));
  }
}

TEST_CASE("cram-md5: a short buffer gets nothing partial", "[sasl][cram-md5]") {
  check_capacities(
      [](fixed_sink& s) {
        return sasl::write_cram_md5(s, rfc2195_challenge, "tim", "tanstaaftanstaaf");
      },
      rfc2195_response);
}

TEST_CASE("cram-md5: RFC 2195 §2 random challenges round-trip through base64", "[sasl][cram-md5]") {
  std::mt19937 rng(2195);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 400)(rng);
    std::string challenge(n, '\0');
    for (auto& c : challenge)
      c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    std::string password(std::uniform_int_distribution<std::size_t>(0, 100)(rng), '\0');
    for (auto& c : password) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    const written w = cram(encode(challenge), "user@example.org", password);
    REQUIRE(w.error == errc{});
    CHECK(decode(w.text) == "user@example.org " + cram_hex(password, challenge));
  }
}

// ---------------------------------------------------------------- sinks

TEST_CASE("sasl: a sink that already failed stays as it was", "[sasl]") {
  char buffer[8];
  fixed_sink sink(buffer);
  REQUIRE(!sink.append("123456789"));  // latches failed()
  REQUIRE(sink.failed());
  CHECK(sasl::write_login_username(sink, "a") == errc::buffer_too_small);
  CHECK(sasl::write_plain(sink, "", "a", "b") == errc::buffer_too_small);
  CHECK(sasl::write_xoauth2(sink, "a", "b") == errc::buffer_too_small);
  CHECK(sasl::write_cram_md5(sink, "AA==", "a", "b") == errc::buffer_too_small);
  CHECK(sink.size() == 0);
  CHECK(sink.failed());
}

TEST_CASE("sasl: writers append after bytes already in the sink", "[sasl]") {
  char buffer[64];
  fixed_sink sink(buffer);
  REQUIRE(sink.append("AUTH PLAIN "));
  REQUIRE(sasl::write_plain(sink, "", "tim", "tanstaaftanstaaf") == errc{});
  CHECK(sink.view() == "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
  static_assert(noexcept(sasl::write_plain(sink, "", "a", "b")));
  static_assert(noexcept(sasl::write_cram_md5(sink, "", "a", "b")));
}
