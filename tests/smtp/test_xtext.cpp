// xtext (RFC 3461 §4) as ENVID=, ORCPT= and AUTH= use it.
#include <mailwire/core/output.hpp>
#include <mailwire/smtp/xtext.hpp>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"

namespace xtext = mailwire::smtp::xtext;
using mailwire::errc;

namespace {

std::string decode_str(std::string_view in, errc expected = errc{}) {
  std::string out(in.size(), '\0');
  const auto r = xtext::decode(in, out.data(), out.size());
  CHECK(r.error == expected);
  if (!r.ok()) CHECK(r.size == 0);
  out.resize(r.size);
  return out;
}

std::string encode_str(std::string_view raw) {
  std::string out(xtext::encoded_size(raw), '\0');
  const auto r = xtext::encode(raw, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

constexpr bool constexpr_round_trip() {
  char enc[16] = {};
  const auto e = xtext::encode("a=b c+", enc, sizeof enc);
  if (!e.ok() || std::string_view(enc, e.size) != "a+3Db+20c+2B") return false;
  char dec[16] = {};
  const auto d = xtext::decode(std::string_view(enc, e.size), dec, sizeof dec);
  return d.ok() && std::string_view(dec, d.size) == "a=b c+" &&
         xtext::validate("+3") == errc::invalid_xtext && xtext::decoded_size("e+3Dmc2") == 5 &&
         xtext::encoded_size("e=mc2") == 7;
}

}  // namespace

static_assert(constexpr_round_trip(), "xtext is usable in constant expressions");

TEST_CASE("xtext: xchar is %d33-126 except '+' and '=' (RFC 3461 §4)", "[smtp][xtext]") {
  for (int c = 0; c < 256; ++c) {
    const bool expected = c >= 33 && c <= 126 && c != '+' && c != '=';
    INFO("octet " << c);
    CHECK(xtext::is_xchar(static_cast<unsigned char>(c)) == expected);
    const std::string one(1, static_cast<char>(c));
    CHECK(xtext::validate(one) == (expected ? errc{} : errc::invalid_xtext));
    CHECK(xtext::validate("ab" + one + "xy") == (expected ? errc{} : errc::invalid_xtext));
  }
  CHECK(xtext::validate("") == errc{});
  CHECK(xtext::validate("<>") == errc{});
  CHECK(xtext::validate("rfc822;joe@example.com") == errc{});
  CHECK(xtext::validate("a b") == errc::invalid_xtext);
  CHECK(xtext::validate("a=b") == errc::invalid_xtext);
  CHECK(xtext::validate(std::string_view("a\0b", 3)) == errc::invalid_xtext);
}

TEST_CASE("xtext: hexchar is '+' and exactly two hex digits (RFC 3461 §4)", "[smtp][xtext]") {
  CHECK(xtext::validate("+3D") == errc{});
  CHECK(xtext::validate("+00") == errc{});
  CHECK(xtext::validate("+FF") == errc{});
  CHECK(xtext::validate("a+2Bb") == errc{});
  CHECK(xtext::validate("+2B+2B") == errc{});
  // Broken escapes, in every position: where careless decoders read past the
  // value (Exim "21Nails").
  const std::string_view bad[] = {"+",   "+3",    "+G0",  "+0G",  "+GG",  "a+",   "a+3",
                                  "+3+", "+ 3D",  "+3 D", "+-1",  "++3D", "+3D+", "+3D+4",
                                  "+.0", "+\x80", "+3g",  "+x41", "a+3\n"};
  for (auto in : bad) {
    INFO(in);
    CHECK(xtext::validate(in) == errc::invalid_xtext);
    decode_str(in, errc::invalid_xtext);
  }
}

TEST_CASE("xtext: lower-case hex is accepted when decoding (RFC 4954 §5 uses HEXDIG)",
          "[smtp][xtext]") {
  CHECK(xtext::validate("+3d") == errc{});
  CHECK(xtext::validate("+3D") == errc{});
  CHECK(xtext::validate("+aB") == errc{});
  CHECK(decode_str("+3d") == "=");
  CHECK(decode_str("+3D") == "=");
  CHECK(decode_str("+ff+Ff+fF+FF") == "\xff\xff\xff\xff");
  // The encoder writes upper case only.
  CHECK(encode_str("=") == "+3D");
  CHECK(encode_str("\xab") == "+AB");
}

TEST_CASE("xtext: decode (RFC 3461 §4, RFC 4954 §5 example)", "[smtp][xtext]") {
  CHECK(decode_str("e+3Dmc2@example.com") == "e=mc2@example.com");
  CHECK(decode_str("<>") == "<>");
  CHECK(decode_str("") == "");
  CHECK(decode_str("a+2Bb@c") == "a+b@c");
  CHECK(decode_str("+20") == " ");
  CHECK(decode_str("+41") == "A");  // an xchar escaped needlessly is still valid
  CHECK(decode_str("+00+0D+0A") == std::string("\0\r\n", 3));
  CHECK(decode_str("x+7Fy") == "x\x7fy");
}

TEST_CASE("xtext: decode writes nothing on error and checks the buffer (RFC 3461 §4)",
          "[smtp][xtext]") {
  char out[8] = {'#', '#', '#', '#', '#', '#', '#', '#'};
  auto r = xtext::decode("abc+3D", out, 3);
  CHECK(r.error == errc::buffer_too_small);
  CHECK(r.size == 0);
  CHECK(std::string_view(out, 8) == "########");
  r = xtext::decode("abc+3D", out, 4);
  CHECK(r.ok());
  CHECK(std::string_view(out, r.size) == "abc=");
  // Invalid input wins over a small buffer.
  r = xtext::decode("abcdef+3", out, 2);
  CHECK(r.error == errc::invalid_xtext);
  r = xtext::decode("ab+3Dx+", out, sizeof out);
  CHECK(r.error == errc::invalid_xtext);
  CHECK(out[4] == '#');
  CHECK(xtext::decode("", nullptr, 0).ok());
}

TEST_CASE("xtext: decode in place (RFC 3461 §4)", "[smtp][xtext]") {
  char buf[] = "a+2Bb+3Dc+20d";
  const auto r = xtext::decode(std::string_view(buf, sizeof buf - 1), buf, sizeof buf - 1);
  REQUIRE(r.ok());
  CHECK(std::string_view(buf, r.size) == "a+b=c d");
}

TEST_CASE("xtext: encode escapes every octet outside xchar in upper-case hex (RFC 3461 §4)",
          "[smtp][xtext]") {
  constexpr char hex[] = "0123456789ABCDEF";
  for (int c = 0; c < 256; ++c) {
    const std::string raw(1, static_cast<char>(c));
    const std::string expected = xtext::is_xchar(static_cast<unsigned char>(c))
                                     ? raw
                                     : std::string{'+', hex[c >> 4], hex[c & 15]};
    INFO("octet " << c);
    CHECK(encode_str(raw) == expected);
    CHECK(xtext::encoded_size(raw) == expected.size());
  }
  CHECK(encode_str("") == "");
  CHECK(encode_str("a+b@c") == "a+2Bb@c");
  CHECK(encode_str("e=mc2@example.com") == "e+3Dmc2@example.com");
  CHECK(encode_str("\r\n.\r\n") == "+0D+0A.+0D+0A");
  CHECK(xtext::decoded_size("a+2Bb") == 3);
  CHECK(xtext::decoded_size("") == 0);
}

TEST_CASE("xtext: raw-buffer encode is all or nothing (RFC 3461 §4)", "[smtp][xtext]") {
  char out[6] = {'#', '#', '#', '#', '#', '#'};
  auto r = xtext::encode("ab=", out, 4);  // needs 5
  CHECK(r.error == errc::buffer_too_small);
  CHECK(r.size == 0);
  CHECK(std::string_view(out, 6) == "######");
  r = xtext::encode("ab=", out, 5);
  CHECK(r.ok());
  CHECK(std::string_view(out, r.size) == "ab+3D");
  CHECK(xtext::encode("", nullptr, 0).ok());
}

TEST_CASE("xtext: encode to a sink is all or nothing (RFC 3461 §4)", "[smtp][xtext]") {
  char buf[8];
  mailwire::fixed_sink sink(buf);
  REQUIRE(sink.append("X:"));
  CHECK(xtext::encode(sink, "a b=c") == errc::buffer_too_small);  // 9 bytes, 6 left
  CHECK(sink.view() == "X:");
  CHECK(!sink.failed());
  CHECK(xtext::encode(sink, "a b") == errc{});
  CHECK(sink.view() == "X:a+20b");

  // Longer than one internal chunk.
  std::string raw;
  for (int i = 0; i < 1000; ++i) raw += static_cast<char>(i % 256);
  std::string out;
  mailwire::appendable_sink<std::string> grow(out);
  CHECK(xtext::encode(grow, raw) == errc{});
  CHECK(out == encode_str(raw));
  CHECK(out.size() == xtext::encoded_size(raw));

  char small[100];
  mailwire::fixed_sink tight(small);
  CHECK(xtext::encode(tight, raw) == errc::buffer_too_small);
  CHECK(tight.size() == 0);
  CHECK(!tight.failed());
}

TEST_CASE("xtext: random octet strings survive encode, validate and decode (RFC 3461 §4)",
          "[smtp][xtext][property]") {
  std::mt19937 rng(0x5854u);
  std::uniform_int_distribution<int> length(0, 64);
  std::uniform_int_distribution<int> octet(0, 255);
  std::uniform_int_distribution<int> printable(32, 126);
  for (int round = 0; round < 5000; ++round) {
    std::string raw(static_cast<std::size_t>(length(rng)), '\0');
    const bool mostly_printable = round % 2 == 0;
    for (auto& c : raw) c = static_cast<char>(mostly_printable ? printable(rng) : octet(rng));
    const std::string enc = encode_str(raw);
    INFO("round " << round);
    REQUIRE(xtext::validate(enc) == errc{});
    CHECK(xtext::decoded_size(enc) == raw.size());
    // Only xchars and "+" with two upper-case hex digits go on the wire.
    for (std::size_t i = 0; i < enc.size(); ++i) {
      if (enc[i] != '+') {
        CHECK(xtext::is_xchar(static_cast<unsigned char>(enc[i])));
        continue;
      }
      REQUIRE(i + 2 < enc.size());
      CHECK(std::string_view("0123456789ABCDEF").find(enc[i + 1]) != std::string_view::npos);
      CHECK(std::string_view("0123456789ABCDEF").find(enc[i + 2]) != std::string_view::npos);
      i += 2;
    }
    std::string dec(raw.size(), '\0');
    const auto r = xtext::decode(enc, dec.data(), dec.size());
    REQUIRE(r.ok());
    CHECK(r.size == raw.size());
    CHECK(dec == raw);
    // Lower-casing the hex digits decodes to the same octets.
    std::string lower = enc;
    for (std::size_t i = 0; i < lower.size(); ++i)
      if (lower[i] == '+')
        for (std::size_t k = i + 1; k <= i + 2; ++k)
          if (lower[k] >= 'A' && lower[k] <= 'F') lower[k] = static_cast<char>(lower[k] + 32);
    CHECK(decode_str(lower) == raw);
  }
}
