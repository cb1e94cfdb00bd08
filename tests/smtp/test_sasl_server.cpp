// Server side of SASL: reading PLAIN (RFC 4616), LOGIN, XOAUTH2 and CRAM-MD5
// (RFC 2195) responses, base64 as RFC 4954 §4 and RFC 5034 §4 carry them,
// and checking CRAM-MD5 digests. What smtp/sasl.hpp writes reads back here.
#include <cstddef>
#include <mailwire/smtp/sasl.hpp>
#include <mailwire/smtp/sasl_server.hpp>
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

namespace {

using namespace std::string_literals;

// RFC 4616 §4.
constexpr std::string_view rfc4616_tim = "AHRpbQB0YW5zdGFhZnRhbnN0YWFm";
constexpr std::string_view rfc4616_ursel = "VXJzZWwAS3VydAB4aXBqM3BsbXE=";
// RFC 2195 §2.
constexpr std::string_view rfc2195_challenge = "<1896.697170952@postoffice.reston.mci.net>";
constexpr std::string_view rfc2195_challenge_b64 =
    "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
constexpr std::string_view rfc2195_response = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
constexpr std::string_view rfc2195_digest = "b913a602c7eda7a495b4e6e7334d3890";

std::string encode(std::string_view raw) {
  std::string out;
  appendable_sink<std::string> sink(out);
  REQUIRE(b64::encode(raw, sink).ok());
  return out;
}

// The fields copied out of a result, so that the buffer can go (the helpers
// below check that every view pointed into it).
struct plain_fields {
  errc error;
  std::string authzid, authcid, password;
};
struct one_field {
  errc error;
  std::string value;
};
struct two_fields {
  errc error;
  std::string first, second;
};

bool inside(std::string_view view, const std::vector<char>& buffer) {
  return view.empty() ||
         (view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size());
}

std::vector<char> buffer_for(std::string_view response) {
  return std::vector<char>(b64::max_decoded_size(response.size()) + 1, '#');
}

plain_fields plain(std::string_view response, sasl::plain_options options = {}) {
  std::vector<char> buffer = buffer_for(response);
  const sasl::plain_response r = sasl::read_plain(response, buffer.data(), buffer.size(), options);
  CHECK(r.ok() == (r.error == errc{}));
  if (!r.ok()) {
    CHECK(r.authzid.empty());
    CHECK(r.authcid.empty());
    CHECK(r.password.empty());
  }
  CHECK(inside(r.authzid, buffer));
  CHECK(inside(r.authcid, buffer));
  CHECK(inside(r.password, buffer));
  return {r.error, std::string(r.authzid), std::string(r.authcid), std::string(r.password)};
}

one_field login(std::string_view response) {
  std::vector<char> buffer = buffer_for(response);
  const sasl::login_response r = sasl::read_login_field(response, buffer.data(), buffer.size());
  if (!r.ok()) CHECK(r.value.empty());
  CHECK(inside(r.value, buffer));
  return {r.error, std::string(r.value)};
}

two_fields xoauth2(std::string_view response) {
  std::vector<char> buffer = buffer_for(response);
  const sasl::xoauth2_response r = sasl::read_xoauth2(response, buffer.data(), buffer.size());
  if (!r.ok()) {
    CHECK(r.user.empty());
    CHECK(r.token.empty());
  }
  CHECK(inside(r.user, buffer));
  CHECK(inside(r.token, buffer));
  return {r.error, std::string(r.user), std::string(r.token)};
}

two_fields cram(std::string_view response) {
  std::vector<char> buffer = buffer_for(response);
  const sasl::cram_md5_response r = sasl::read_cram_md5(response, buffer.data(), buffer.size());
  if (!r.ok()) {
    CHECK(r.username.empty());
    CHECK(r.digest_hex.empty());
  }
  CHECK(inside(r.username, buffer));
  CHECK(inside(r.digest_hex, buffer));
  return {r.error, std::string(r.username), std::string(r.digest_hex)};
}

// What the client writers send, as text (they are tested in test_sasl.cpp).
std::string written_plain(std::string_view z, std::string_view c, std::string_view p) {
  std::string out;
  appendable_sink<std::string> sink(out);
  REQUIRE(sasl::write_plain(sink, z, c, p) == errc{});
  return out;
}

std::string xoauth2_message(std::string_view user, std::string_view scheme,
                            std::string_view token) {
  return "user="s + std::string(user) + "\x01" + "auth=" + std::string(scheme) + " " +
         std::string(token) + "\x01\x01";
}

// Reads `response` into buffers of every capacity below the decoded size
// (buffer_too_small, nothing written past the capacity) and at it (success).
template <class Read>
void check_capacities(std::string_view response, std::size_t decoded_size, Read read) {
  for (std::size_t cap = 0; cap <= decoded_size; ++cap) {
    std::vector<char> buffer(cap + 1, '#');
    INFO("capacity " << cap);
    const errc e = read(response, cap == 0 ? nullptr : buffer.data(), cap);
    if (cap < decoded_size) {
      CHECK(e == errc::buffer_too_small);
      for (const char c : buffer) CHECK(c == '#');  // a short buffer is never written
    } else {
      CHECK(e == errc{});
      CHECK(buffer[cap] == '#');
    }
  }
}

// The readers are constexpr: a response read at compile time.
constexpr bool plain_at_compile_time() {
  char buffer[64] = {};
  const sasl::plain_response r = sasl::read_plain(rfc4616_ursel, buffer, sizeof buffer);
  return r.ok() && r.authzid == "Ursel" && r.authcid == "Kurt" && r.password == "xipj3plmq";
}

constexpr bool cram_at_compile_time() {
  char buffer[64] = {};
  const sasl::cram_md5_response r = sasl::read_cram_md5(rfc2195_response, buffer, sizeof buffer);
  return r.ok() && r.username == "tim" && r.digest_hex == rfc2195_digest &&
         sasl::verify_cram_md5(rfc2195_challenge, "tanstaaftanstaaf", r.digest_hex);
}

}  // namespace

// ---------------------------------------------------------------- PLAIN

TEST_CASE("read_plain: RFC 4616 §4 examples, at compile time too", "[sasl-server][plain]") {
  static_assert(plain_at_compile_time());
  const plain_fields tim = plain(rfc4616_tim);
  REQUIRE(tim.error == errc{});
  CHECK(tim.authzid.empty());  // act as the authcid
  CHECK(tim.authcid == "tim");
  CHECK(tim.password == "tanstaaftanstaaf");

  const plain_fields ursel = plain(rfc4616_ursel);
  REQUIRE(ursel.error == errc{});
  CHECK(ursel.authzid == "Ursel");
  CHECK(ursel.authcid == "Kurt");
  CHECK(ursel.password == "xipj3plmq");
}

TEST_CASE("read_plain: RFC 4954 §4 a response that is not strict base64", "[sasl-server][plain]") {
  const std::string good(rfc4616_tim);
  CHECK(plain(good.substr(0, good.size() - 1)).error == errc::invalid_base64);  // not 4k
  CHECK(plain(good + "\r\n").error == errc::invalid_base64);
  CHECK(plain(" " + good.substr(1)).error == errc::invalid_base64);
  CHECK(plain("AHRp bQB0").error == errc::invalid_base64);
  CHECK(plain("AHRpbQ=A").error == errc::invalid_base64);  // "=" only at the end
  CHECK(plain("QR==").error == errc::invalid_base64);      // non-zero pad bits (RFC 4648 §3.5)
  CHECK(plain("AHRpbQ-_").error == errc::invalid_base64);  // base64url is another alphabet
  CHECK(plain("*").error == errc::invalid_base64);         // a cancel is the parser's
  // Bad base64 is reported whatever the buffer.
  char one[1];
  CHECK(sasl::read_plain("!!!!", one, 0).error == errc::invalid_base64);
  CHECK(sasl::read_plain("!!!!", nullptr, 0).error == errc::invalid_base64);
}

TEST_CASE("read_plain: RFC 4954 §4 an empty response ('AUTH PLAIN =') is refused",
          "[sasl-server][plain]") {
  // The server parsers turn "=" into an empty initial_response: that is how
  // an empty response reaches the readers. "=" itself is no base64.
  CHECK(plain("").error == errc::invalid_argument);
  CHECK(sasl::read_plain("", nullptr, 0).error == errc::invalid_argument);
  CHECK(plain("=").error == errc::invalid_base64);
}

TEST_CASE("read_plain: RFC 4616 §2 exactly two NUL separators", "[sasl-server][plain]") {
  CHECK(plain(encode("tim tanstaaf")).error == errc::invalid_argument);           // none
  CHECK(plain(encode("\0tim"s)).error == errc::invalid_argument);                 // one
  CHECK(plain(encode("tim\0"s)).error == errc::invalid_argument);                 // one
  CHECK(plain(encode("\0tim\0pass\0"s)).error == errc::invalid_argument);         // three
  CHECK(plain(encode("a\0tim\0pa\0ss"s)).error == errc::invalid_argument);        // three
  CHECK(plain(encode("\0\0\0\0"s)).error == errc::invalid_argument);              // four
  CHECK(plain(encode("\0tim\0\0pass"s)).error == errc::invalid_argument);         // NUL in passwd
  CHECK(plain(encode("\0"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0t\0p"s)).error == errc{});
}

TEST_CASE("read_plain: RFC 4616 §2 authcid and passwd are 1*SAFE (non-empty)",
          "[sasl-server][plain]") {
  CHECK(plain(encode("\0\0pw"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0tim\0"s)).error == errc::invalid_argument);
  CHECK(plain(encode("admin\0\0"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0\0"s)).error == errc::invalid_argument);
  CHECK(plain(encode("admin\0\0pw"s)).error == errc::invalid_argument);
  const plain_fields one = plain(encode("\0u\0p"s));  // one octet each is enough
  REQUIRE(one.error == errc{});
  CHECK(one.authcid == "u");
  CHECK(one.password == "p");
}

TEST_CASE("read_plain: CR and LF are refused in every field (docs/security.md §3)",
          "[sasl-server][plain]") {
  CHECK(plain(encode("a\rb\0user\0pw"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0user\n\0pw"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0user\0pw\r\nQUIT"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0user\0\rpw"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\n\0user\0pw"s)).error == errc::invalid_argument);
  // Other controls and spaces are SAFE (RFC 4616 §2), as write_plain sends them.
  const plain_fields controls = plain(encode("\x7f\0user name\0p\tw\x01"s));
  REQUIRE(controls.error == errc{});
  CHECK(controls.authzid == "\x7f");
  CHECK(controls.authcid == "user name");
  CHECK(controls.password == "p\tw\x01");
  // CR/LF is reported before bad UTF-8 and length, as by write_plain.
  CHECK(plain(encode("\0\xff\r\0pw"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0"s + std::string(300, 'u') + "\n\0pw"s)).error == errc::invalid_argument);
}

TEST_CASE("read_plain: RFC 4616 §2 fields must be UTF-8", "[sasl-server][plain]") {
  const plain_fields utf8 = plain(encode("J\xc3\xb6rg\0j\xc3\xb6rg@example.org\0\xe2\x82\xac uro"s));
  REQUIRE(utf8.error == errc{});
  CHECK(utf8.authzid == "J\xc3\xb6rg");
  CHECK(utf8.authcid == "j\xc3\xb6rg@example.org");
  CHECK(utf8.password == "\xe2\x82\xac uro");
  CHECK(plain(encode("\xf0\x9f\x93\xa7\0u\0p"s)).error == errc{});            // four octets
  CHECK(plain(encode("\xff\0user\0pw"s)).error == errc::invalid_utf8);
  CHECK(plain(encode("\0j\xf6rg\0pw"s)).error == errc::invalid_utf8);          // Latin-1
  CHECK(plain(encode("\0user\0\xc3"s)).error == errc::invalid_utf8);           // truncated
  CHECK(plain(encode("\0user\0\xed\xa0\x80"s)).error == errc::invalid_utf8);   // surrogate
  CHECK(plain(encode("\0user\0\xc0\xaf"s)).error == errc::invalid_utf8);       // overlong
  CHECK(plain(encode("\0user\0\xf4\x90\x80\x80"s)).error == errc::invalid_utf8);  // > U+10FFFF
  // A multi-octet sequence cut by a NUL is bad UTF-8 on both sides.
  CHECK(plain(encode("\xc3\0user\0pw"s)).error == errc::invalid_utf8);
  // A field too long is malformed (invalid_argument) and reported first.
  CHECK(plain(encode("\0user\0"s + std::string(300, 'p') + "\xff")).error ==
        errc::invalid_argument);
}

TEST_CASE("read_plain: RFC 4616 §2 fields of up to 255 octets, more when the server allows",
          "[sasl-server][plain]") {
  const std::string f255(255, 'f'), f256(256, 'f');
  const plain_fields at = plain(encode(f255 + '\0' + f255 + '\0' + f255));
  REQUIRE(at.error == errc{});
  CHECK(at.authzid == f255);
  CHECK(at.authcid == f255);
  CHECK(at.password == f255);
  CHECK(plain(encode(f256 + "\0u\0p"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0"s + f256 + "\0p"s)).error == errc::invalid_argument);
  CHECK(plain(encode("\0u\0"s + f256)).error == errc::invalid_argument);
  // Octets, not characters: 128 two-octet characters are 256 octets.
  std::string wide;
  for (int i = 0; i < 128; ++i) wide += "\xc3\xa9";
  CHECK(plain(encode("\0u\0"s + wide)).error == errc::invalid_argument);
  // A field over the limit is a malformed response (501), not a line too
  // long: the line itself may be short.
  CHECK(mailwire::suggested_reply(errc::invalid_argument).code == 501);

  sasl::plain_options longer;
  longer.max_field_size = 2000;
  const std::string token(2000, 't');
  const plain_fields long_token = plain(encode("\0user\0"s + token), longer);
  REQUIRE(long_token.error == errc{});
  CHECK(long_token.password == token);
  CHECK(plain(encode("\0user\0"s + token + "t"), longer).error == errc::invalid_argument);
  sasl::plain_options shorter;
  shorter.max_field_size = 3;
  CHECK(plain(encode("\0tim\0pwd"s), shorter).error == errc{});
  CHECK(plain(encode("\0tim\0pass"s), shorter).error == errc::invalid_argument);
}

TEST_CASE("read_plain: RFC 4954 §4 the longest response line reads back",
          "[sasl-server][plain]") {
  // 12288 octets with CRLF: 12284 base64 characters, max_decoded_response
  // (9213) octets, which a buffer of that size holds.
  static_assert(sasl::max_decoded_response == 9213);
  const std::string password(sasl::max_decoded_response - 6, 'p');
  const std::string response = written_plain("", "user", password);
  REQUIRE(response.size() == 12284);
  std::vector<char> buffer(sasl::max_decoded_response);
  sasl::plain_options any;
  any.max_field_size = sasl::max_decoded_response;
  const sasl::plain_response r = sasl::read_plain(response, buffer.data(), buffer.size(), any);
  REQUIRE(r.ok());
  CHECK(r.authcid == "user");
  CHECK(r.password == password);
  // With the default limit its password is too long.
  CHECK(sasl::read_plain(response, buffer.data(), buffer.size()).error ==
        errc::invalid_argument);
}

TEST_CASE("read_plain: a short buffer is refused and never written", "[sasl-server][plain]") {
  const auto read = [](std::string_view response, char* buffer, std::size_t cap) {
    return sasl::read_plain(response, buffer, cap).error;
  };
  check_capacities(rfc4616_ursel, 20, read);  // "Ursel\0Kurt\0xipj3plmq"
  check_capacities(rfc4616_tim, 21, read);
}

TEST_CASE("read_plain: decoding in place, in the buffer the response was joined in",
          "[sasl-server][plain]") {
  // A server joins the sasl_data pieces of a response line in its own buffer
  // and decodes them there.
  std::string line = written_plain("Ursel", "Kurt", "xipj3plmq");
  const sasl::plain_response r = sasl::read_plain(line, line.data(), line.size());
  REQUIRE(r.ok());
  CHECK(r.authzid == "Ursel");
  CHECK(r.authcid == "Kurt");
  CHECK(r.password == "xipj3plmq");
  CHECK(r.authzid.data() == line.data());
  CHECK(r.password.data() + r.password.size() <= line.data() + line.size());

  // Long enough for many base64 groups, each read before it is overwritten.
  const std::string password(700, 'x');
  std::string long_line = written_plain("", "someone@example.org", password);
  const sasl::plain_response long_r =
      sasl::read_plain(long_line, long_line.data(), long_line.size(), {1000});
  REQUIRE(long_r.ok());
  CHECK(long_r.authcid == "someone@example.org");
  CHECK(long_r.password == password);
}

TEST_CASE("read_plain: RFC 4616 §2 what write_plain writes reads back (random fields)",
          "[sasl-server][plain][roundtrip]") {
  std::mt19937 rng(4616);
  // Any octet but NUL, CR and LF; non-ASCII as well-formed UTF-8 of two to
  // four octets; fields of up to 255 octets.
  const auto field = [&](std::size_t min, std::size_t max) {
    std::string s;
    const std::size_t n = std::uniform_int_distribution<std::size_t>(min, max)(rng);
    while (s.size() < n) {
      const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      const int c = std::uniform_int_distribution<int>(1, 0x7F)(rng);
      if (c == '\r' || c == '\n') continue;
      std::string piece;
      if (kind < 7) {
        piece = std::string(1, static_cast<char>(c));
      } else if (kind == 7) {
        piece = {static_cast<char>(0xC2 + c % 0x1E), static_cast<char>(0x80 | (c & 0x3F))};
      } else if (kind == 8) {
        piece = "\xe2\x82\xac";
      } else {
        piece = "\xf0\x9f\x93\xa7";
      }
      if (s.size() + piece.size() > max) break;
      s += piece;
    }
    return s.size() < min ? std::string(min, 'x') : s;
  };
  for (int round = 0; round < 500; ++round) {
    const std::string authzid = field(0, 40), authcid = field(1, 255), password = field(1, 255);
    const plain_fields back = plain(written_plain(authzid, authcid, password));
    REQUIRE(back.error == errc{});
    CHECK(back.authzid == authzid);
    CHECK(back.authcid == authcid);
    CHECK(back.password == password);
  }
}

// ---------------------------------------------------------------- LOGIN

TEST_CASE("read_login_field: one LOGIN answer (draft-murchison-sasl-login)",
          "[sasl-server][login]") {
  CHECK(login("dGlt").value == "tim");
  CHECK(login("dGFuc3RhYWZ0YW5zdGFhZg==").value == "tanstaaftanstaaf");
  CHECK(login("dXNlckBleGFtcGxlLmNvbQ==").value == "user@example.com");
  // LOGIN predates UTF-8 rules: Latin-1 reads as it was sent.
  const one_field latin1 = login(encode("j\xf6rg"));
  REQUIRE(latin1.error == errc{});
  CHECK(latin1.value == "j\xf6rg");
  // Spaces, tabs and other controls are a password's business.
  CHECK(login(encode("p w\t\x01")).value == "p w\t\x01");
}

TEST_CASE("read_login_field: empty answers and NUL, CR, LF are refused (docs/security.md §3)",
          "[sasl-server][login]") {
  CHECK(login("").error == errc::invalid_argument);
  CHECK(login("=").error == errc::invalid_base64);
  CHECK(login(encode("us\0er"s)).error == errc::invalid_argument);
  CHECK(login(encode("\0"s)).error == errc::invalid_argument);
  CHECK(login(encode("user\r\nQUIT")).error == errc::invalid_argument);
  CHECK(login(encode("pw\n")).error == errc::invalid_argument);
  CHECK(login(encode("\rpw")).error == errc::invalid_argument);
  CHECK(login("dGlt\r\n").error == errc::invalid_base64);
  CHECK(login("dGl").error == errc::invalid_base64);
  CHECK(login("dGm=").error == errc::invalid_base64);  // non-zero pad bits
}

TEST_CASE("read_login_field: a short buffer, and decoding in place", "[sasl-server][login]") {
  check_capacities("dGFuc3RhYWZ0YW5zdGFhZg==", 16,
                   [](std::string_view response, char* buffer, std::size_t cap) {
                     return sasl::read_login_field(response, buffer, cap).error;
                   });
  std::string line = "dXNlckBleGFtcGxlLmNvbQ==";
  const sasl::login_response r = sasl::read_login_field(line, line.data(), line.size());
  REQUIRE(r.ok());
  CHECK(r.value == "user@example.com");
  CHECK(r.value.data() == line.data());
}

TEST_CASE("read_login_field: what write_login_username / write_login_password write reads back",
          "[sasl-server][login][roundtrip]") {
  std::mt19937 rng(1);
  for (int round = 0; round < 500; ++round) {
    std::string value(std::uniform_int_distribution<std::size_t>(1, 400)(rng), '\0');
    for (auto& c : value) {
      int octet = 0;
      do octet = std::uniform_int_distribution<int>(1, 255)(rng);
      while (octet == '\r' || octet == '\n');
      c = static_cast<char>(octet);
    }
    std::string out;
    appendable_sink<std::string> sink(out);
    REQUIRE((round % 2 == 0 ? sasl::write_login_username(sink, value)
                            : sasl::write_login_password(sink, value)) == errc{});
    const one_field back = login(out);
    REQUIRE(back.error == errc{});
    CHECK(back.value == value);
  }
}

// ---------------------------------------------------------------- XOAUTH2

TEST_CASE("read_xoauth2: the documented example response", "[sasl-server][xoauth2]") {
  // The example write_xoauth2 is tested with (test_sasl.cpp).
  const two_fields r = xoauth2(
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
      "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
  REQUIRE(r.error == errc{});
  CHECK(r.first == "someuser@example.com");
  CHECK(r.second == "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
}

TEST_CASE("read_xoauth2: RFC 7235 §2.1 the Bearer scheme in any case", "[sasl-server][xoauth2]") {
  for (const std::string_view scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    const two_fields r = xoauth2(encode(xoauth2_message("me@example.com", scheme, "tok.en")));
    INFO(scheme);
    REQUIRE(r.error == errc{});
    CHECK(r.first == "me@example.com");
    CHECK(r.second == "tok.en");
  }
  for (const std::string_view scheme : {"Basic", "Bearer2", "Beare", "MAC", ""})
    CHECK(xoauth2(encode(xoauth2_message("me@example.com", scheme, "token"))).error ==
          errc::invalid_argument);
}

TEST_CASE("read_xoauth2: exactly the shape write_xoauth2 sends", "[sasl-server][xoauth2]") {
  const auto read = [](const std::string& message) { return xoauth2(encode(message)).error; };
  CHECK(read("user=u\x01"
             "auth=Bearer t\x01\x01") == errc{});
  CHECK(read("") == errc::invalid_argument);
  CHECK(read("User=u\x01"
             "auth=Bearer t\x01\x01") == errc::invalid_argument);  // keys as sent
  CHECK(read("user=u\x01"
             "Auth=Bearer t\x01\x01") == errc::invalid_argument);
  CHECK(read(" user=u\x01"
             "auth=Bearer t\x01\x01") == errc::invalid_argument);
  CHECK(read("user=u"
             "auth=Bearer t\x01\x01") == errc::invalid_argument);  // no ^A after the user
  CHECK(read("user=u\x01"
             "auth=Bearer t\x01") == errc::invalid_argument);  // one ^A at the end
  CHECK(read("user=u\x01"
             "auth=Bearer t") == errc::invalid_argument);
  CHECK(read("user=u\x01"
             "auth=Bearer t\x01\x01\x01") == errc::invalid_argument);
  CHECK(read("user=u\x01"
             "auth=Bearer t\x01\x01x") == errc::invalid_argument);  // bytes after the end
  CHECK(read("user=u\x01"
             "auth=Bearer t\x01x\x01") == errc::invalid_argument);
  CHECK(read("user=u\x01"
             "auth=Bearert\x01\x01") == errc::invalid_argument);  // no SP
  CHECK(read("user=u\x01"
             "auth=Bearer  t\x01\x01") == errc::invalid_argument);  // two SP
  CHECK(read("user=u\x01"
             "auth=Bearer\tt\x01\x01") == errc::invalid_argument);
  CHECK(read("user=u\x01\x01"
             "auth=Bearer t\x01\x01") == errc::invalid_argument);
  CHECK(read("user=u\x01"
             "host=x\x01"
             "auth=Bearer t\x01\x01") == errc::invalid_argument);  // other keys
  CHECK(read("user=u\x01\x01") == errc::invalid_argument);
  CHECK(read("user=") == errc::invalid_argument);
  CHECK(read("\x01\x01") == errc::invalid_argument);
}

TEST_CASE("read_xoauth2: the user holds no ^A, CR, LF or other control (docs/security.md §3)",
          "[sasl-server][xoauth2]") {
  const auto read = [](std::string_view user) {
    return xoauth2(encode(xoauth2_message(user, "Bearer", "token"))).error;
  };
  CHECK(read("") == errc::invalid_argument);
  CHECK(read("a@b\r\n") == errc::invalid_argument);
  CHECK(read("a@b\n") == errc::invalid_argument);
  CHECK(read("a\rb") == errc::invalid_argument);
  CHECK(read("a\0b"s) == errc::invalid_argument);
  CHECK(read("a\tb") == errc::invalid_argument);
  CHECK(read("a\x7f") == errc::invalid_argument);
  CHECK(read("a\x1f") == errc::invalid_argument);
  CHECK(read("j\xc3\xb6rg@example.org") == errc{});
  CHECK(read("user=x") == errc{});  // "=" in the value is data
  CHECK(read("a b") == errc{});
}

TEST_CASE("read_xoauth2: RFC 6750 §2.1 the token is a b64token", "[sasl-server][xoauth2]") {
  const auto read = [](std::string_view token) {
    return xoauth2(encode(xoauth2_message("u", "Bearer", token))).error;
  };
  CHECK(read("") == errc::invalid_argument);
  CHECK(read("=") == errc::invalid_argument);
  CHECK(read("ab c") == errc::invalid_argument);
  CHECK(read("ab=c") == errc::invalid_argument);  // "=" only at the end
  CHECK(read("a\"b") == errc::invalid_argument);
  CHECK(read("abc\r\n") == errc::invalid_argument);
  CHECK(read("abc\n") == errc::invalid_argument);
  CHECK(read("ab\0c"s) == errc::invalid_argument);
  CHECK(read("AZaz09-._~+/") == errc{});
  CHECK(read("eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl==") == errc{});
}

TEST_CASE("read_xoauth2: a short buffer, bad base64 and decoding in place",
          "[sasl-server][xoauth2]") {
  const std::string response = encode(xoauth2_message("me@example.com", "Bearer", "tok"));
  check_capacities(response, xoauth2_message("me@example.com", "Bearer", "tok").size(), [](std::string_view text, char* buffer, std::size_t cap) {
    return sasl::read_xoauth2(text, buffer, cap).error;
  });
  CHECK(xoauth2(response + "=").error == errc::invalid_base64);
  CHECK(xoauth2(response.substr(1)).error == errc::invalid_base64);
  CHECK(xoauth2("").error == errc::invalid_argument);
  std::string line = response;
  const sasl::xoauth2_response r = sasl::read_xoauth2(line, line.data(), line.size());
  REQUIRE(r.ok());
  CHECK(r.user == "me@example.com");
  CHECK(r.token == "tok");
}

TEST_CASE("read_xoauth2: what write_xoauth2 writes reads back (random fields)",
          "[sasl-server][xoauth2][roundtrip]") {
  std::mt19937 rng(6750);
  constexpr std::string_view token_chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  for (int round = 0; round < 500; ++round) {
    std::string user(std::uniform_int_distribution<std::size_t>(1, 100)(rng), '\0');
    for (auto& c : user)  // no controls; anything else, UTF-8 or not
      c = static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7E)(rng) |
                            (std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 0x80 : 0));
    std::string token(std::uniform_int_distribution<std::size_t>(1, 1500)(rng), '\0');
    for (auto& c : token)
      c = token_chars[std::uniform_int_distribution<std::size_t>(0, token_chars.size() - 1)(rng)];
    token.append(std::uniform_int_distribution<std::size_t>(0, 2)(rng), '=');
    std::string out;
    appendable_sink<std::string> sink(out);
    INFO("user " << user << " token " << token);
    REQUIRE(sasl::write_xoauth2(sink, user, token) == errc{});
    const two_fields back = xoauth2(out);
    REQUIRE(back.error == errc{});
    CHECK(back.first == user);
    CHECK(back.second == token);
  }
}

// ---------------------------------------------------------------- CRAM-MD5

TEST_CASE("read_cram_md5: RFC 2195 §2 example, at compile time too", "[sasl-server][cram-md5]") {
  static_assert(cram_at_compile_time());
  const two_fields r = cram(rfc2195_response);
  REQUIRE(r.error == errc{});
  CHECK(r.first == "tim");
  CHECK(r.second == rfc2195_digest);
}

TEST_CASE("read_cram_md5: RFC 2195 §2 user name, SP, 32 lower-case hex digits",
          "[sasl-server][cram-md5]") {
  const std::string digest(rfc2195_digest);
  const auto read = [](const std::string& message) { return cram(encode(message)); };
  // The digest has a fixed length at the end: spaces in the name are the name's.
  const two_fields spaced = read("tim smith " + digest);
  REQUIRE(spaced.error == errc{});
  CHECK(spaced.first == "tim smith");
  CHECK(spaced.second == digest);
  CHECK(read("tim  " + digest).first == "tim ");
  CHECK(read("j\xc3\xb6rg " + digest).first == "j\xc3\xb6rg");
  CHECK(read("u " + digest).error == errc{});

  CHECK(read("tim B913A602C7EDA7A495B4E6E7334D3890").error == errc::invalid_argument);
  CHECK(read("tim b913a602c7eda7a495b4e6e7334d389F").error == errc::invalid_argument);
  CHECK(read("tim b913a602c7eda7a495b4e6e7334d389g").error == errc::invalid_argument);
  CHECK(read("tim " + digest.substr(1)).error == errc::invalid_argument);  // 31 digits
  CHECK(read("tim " + digest + "0").error == errc::invalid_argument);      // 33 digits
  CHECK(read("tim" + digest).error == errc::invalid_argument);             // no SP
  CHECK(read("tim\t" + digest).error == errc::invalid_argument);
  CHECK(read(" " + digest).error == errc::invalid_argument);  // empty name
  CHECK(read(digest).error == errc::invalid_argument);
  CHECK(read("tim " + digest + " ").error == errc::invalid_argument);
  CHECK(read("tim " + digest + "\r\n").error == errc::invalid_argument);
}

TEST_CASE("read_cram_md5: the user name holds no control (docs/security.md §3)",
          "[sasl-server][cram-md5]") {
  const std::string digest(rfc2195_digest);
  for (const std::string& name : {"t\rim"s, "tim\n"s, "t\0im"s, "\x01tim"s, "tim\x7f"s, "a\tb"s})
    CHECK(cram(encode(name + " " + digest)).error == errc::invalid_argument);
}

TEST_CASE("read_cram_md5: empty and bad base64, a short buffer, decoding in place",
          "[sasl-server][cram-md5]") {
  CHECK(cram("").error == errc::invalid_argument);
  CHECK(cram("=").error == errc::invalid_base64);
  CHECK(cram(std::string(rfc2195_response) + "\r\n").error == errc::invalid_base64);
  check_capacities(rfc2195_response, 36, [](std::string_view text, char* buffer, std::size_t cap) {
    return sasl::read_cram_md5(text, buffer, cap).error;
  });
  std::string line(rfc2195_response);
  const sasl::cram_md5_response r = sasl::read_cram_md5(line, line.data(), line.size());
  REQUIRE(r.ok());
  CHECK(r.username == "tim");
  CHECK(r.digest_hex == rfc2195_digest);
  CHECK(r.username.data() == line.data());
}

TEST_CASE("verify_cram_md5: RFC 2195 §2 example", "[sasl-server][cram-md5]") {
  static_assert(sasl::verify_cram_md5(rfc2195_challenge, "tanstaaftanstaaf", rfc2195_digest));
  CHECK(sasl::verify_cram_md5(rfc2195_challenge, "tanstaaftanstaaf", rfc2195_digest));
  // The challenge the RFC sends is the base64 of this one.
  CHECK(encode(rfc2195_challenge) == rfc2195_challenge_b64);
}

TEST_CASE("verify_cram_md5: RFC 2195 §2 a wrong secret, challenge or digest fails",
          "[sasl-server][cram-md5]") {
  const std::string_view secret = "tanstaaftanstaaf";
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, "tanstaaftanstaaF", rfc2195_digest));
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, "", rfc2195_digest));
  CHECK_FALSE(sasl::verify_cram_md5("<1896.697170953@postoffice.reston.mci.net>", secret,
                                    rfc2195_digest));
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge_b64, secret, rfc2195_digest));  // raw only
  // Every digit counts, wherever the difference is.
  for (std::size_t i = 0; i < rfc2195_digest.size(); ++i) {
    std::string wrong(rfc2195_digest);
    wrong[i] = wrong[i] == '0' ? '1' : '0';
    INFO("digit " << i);
    CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, secret, wrong));
  }
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, secret, rfc2195_digest.substr(0, 31)));
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, secret, std::string(rfc2195_digest) + "0"));
  CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, secret, ""));
  // Values compare; read_cram_md5 is what refuses upper case.
  CHECK(sasl::verify_cram_md5(rfc2195_challenge, secret, "B913A602C7EDA7A495B4E6E7334D3890"));
}

TEST_CASE("verify_cram_md5: RFC 2195 §2 an empty challenge never verifies",
          "[sasl-server][cram-md5]") {
  char hex[md5::hex_size];
  const std::string_view digest = md5::to_hex(md5::hmac("secret", ""), hex);
  CHECK_FALSE(sasl::verify_cram_md5("", "secret", digest));
}

TEST_CASE("verify_cram_md5: RFC 2104 §2 secrets of any length and octets",
          "[sasl-server][cram-md5]") {
  for (const std::string& secret :
       {"\0\r\n"s, std::string(64, 'k'), std::string(65, 'k'), std::string(1000, 'k'), "\xff"s}) {
    char hex[md5::hex_size];
    const std::string_view digest = md5::to_hex(md5::hmac(secret, rfc2195_challenge), hex);
    CHECK(sasl::verify_cram_md5(rfc2195_challenge, secret, digest));
    CHECK_FALSE(sasl::verify_cram_md5(rfc2195_challenge, secret + "x", digest));
  }
}

TEST_CASE("read_cram_md5 and verify_cram_md5: what write_cram_md5 writes verifies (random)",
          "[sasl-server][cram-md5][roundtrip]") {
  std::mt19937 rng(2195);
  for (int round = 0; round < 300; ++round) {
    std::string challenge(std::uniform_int_distribution<std::size_t>(1, 400)(rng), '\0');
    for (auto& c : challenge)
      c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    std::string secret(std::uniform_int_distribution<std::size_t>(0, 100)(rng), '\0');
    for (auto& c : secret) c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    std::string user(std::uniform_int_distribution<std::size_t>(1, 60)(rng), '\0');
    for (auto& c : user)
      c = static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7E)(rng) |
                            (std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? 0x80 : 0));
    std::string out;
    appendable_sink<std::string> sink(out);
    REQUIRE(sasl::write_cram_md5(sink, encode(challenge), user, secret) == errc{});
    std::vector<char> buffer = buffer_for(out);
    const sasl::cram_md5_response r = sasl::read_cram_md5(out, buffer.data(), buffer.size());
    REQUIRE(r.ok());
    CHECK(r.username == user);
    CHECK(sasl::verify_cram_md5(challenge, secret, r.digest_hex));
    CHECK_FALSE(sasl::verify_cram_md5(challenge, secret + "!", r.digest_hex));
  }
}

// ---------------------------------------------------------------- all readers

TEST_CASE("sasl readers: random messages read back only as their writers write them",
          "[sasl-server][roundtrip]") {
  // Messages from octets the rules single out, read by every reader; what
  // one accepts must be exactly what its writer sends for those fields, so
  // every accepted response has one reading and one encoding.
  std::mt19937 rng(4954);
  const std::string alphabet = "\0\x01\r\n\t =aeruBhs:\xc3\xa9\xff"s + "user=auth=Bearer ";
  std::size_t accepted[3] = {};
  for (int round = 0; round < 20000; ++round) {
    std::string message;
    const int shape = std::uniform_int_distribution<int>(0, 3)(rng);
    if (shape == 1) message = "user=";
    if (shape == 2) message = "\0"s;
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 24)(rng);
    for (std::size_t i = 0; i < n; ++i)
      message += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    if (shape == 1) message += "\x01"s + "auth=Bearer x\x01\x01";
    if (shape == 2) message += "\0p"s;
    const std::string response = encode(message);
    INFO("message " << message);

    const plain_fields p = plain(response);
    if (p.error == errc{}) {
      ++accepted[0];
      CHECK(written_plain(p.authzid, p.authcid, p.password) == response);
    }
    const one_field l = login(response);
    if (l.error == errc{}) {
      ++accepted[1];
      std::string out;
      appendable_sink<std::string> sink(out);
      CHECK(sasl::write_login_username(sink, l.value) == errc{});
      CHECK(out == response);
    }
    const two_fields x = xoauth2(response);
    if (x.error == errc{}) {
      ++accepted[2];
      std::string out;
      appendable_sink<std::string> sink(out);
      CHECK(sasl::write_xoauth2(sink, x.first, x.second) == errc{});
      CHECK(out == response);  // the alphabet spells "Bearer" one way only
    }
  }
  CHECK(accepted[0] > 100);
  CHECK(accepted[1] > 100);
  CHECK(accepted[2] > 100);
}

TEST_CASE("sasl readers: noexcept and constexpr", "[sasl-server]") {
  char buffer[8];
  static_assert(noexcept(sasl::read_plain("", buffer, sizeof buffer)));
  static_assert(noexcept(sasl::read_login_field("", buffer, sizeof buffer)));
  static_assert(noexcept(sasl::read_xoauth2("", buffer, sizeof buffer)));
  static_assert(noexcept(sasl::read_cram_md5("", buffer, sizeof buffer)));
  static_assert(noexcept(sasl::verify_cram_md5("", "", "")));
  static_assert(sasl::read_plain("", nullptr, 0).error == errc::invalid_argument);
  static_assert(sasl::read_login_field("!!!!", nullptr, 0).error == errc::invalid_base64);
  static_assert(sasl::read_xoauth2("dGlt", nullptr, 0).error == errc::buffer_too_small);
  CHECK(sasl::read_plain(rfc4616_tim, buffer, sizeof buffer).error == errc::buffer_too_small);
}
