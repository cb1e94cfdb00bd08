// Base64 as SASL uses it (RFC 4648 §4, applied by RFC 4954 §4 and RFC 5034 §4):
// canonical encoding, strict decoding.
#include <mailwire/core/base64.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace b64 = mailwire::base64;
using mailwire::errc;

namespace {

struct vector_pair {
  std::string_view plain;
  std::string_view encoded;
};

// RFC 4648 §10.
constexpr vector_pair rfc4648_vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

std::string encode_str(std::string_view in) {
  std::string out(b64::encoded_size(in.size()), '\0');
  const auto r = b64::encode(in, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

b64::result decode_to(std::string_view in, std::string& out, b64::decode_options opts = {}) {
  out.assign(b64::max_decoded_size(in.size()), '\0');
  const auto r = b64::decode(in, out.data(), out.size(), opts);
  out.resize(r.size);
  return r;
}

errc decode_error(std::string_view in, b64::decode_options opts = {}) {
  std::string out;
  const auto r = decode_to(in, out, opts);
  if (!r.ok()) CHECK(r.size == 0);
  return r.error;
}

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr bool constexpr_round_trip() {
  char enc[8] = {};
  const auto e = b64::encode("foob", enc, sizeof enc);
  if (!e.ok() || std::string_view(enc, e.size) != "Zm9vYg==") return false;
  char dec[6] = {};
  const auto d = b64::decode(std::string_view(enc, e.size), dec, sizeof dec);
  return d.ok() && std::string_view(dec, d.size) == "foob" &&
         b64::validate("QR==") == errc::invalid_base64;
}

}  // namespace

static_assert(constexpr_round_trip(), "encode/decode are usable in constant expressions");

TEST_CASE("base64: RFC 4648 §10 test vectors encode", "[base64]") {
  for (const auto& v : rfc4648_vectors) {
    INFO(v.plain);
    CHECK(encode_str(v.plain) == v.encoded);
  }
}

TEST_CASE("base64: RFC 4648 §10 test vectors decode", "[base64]") {
  for (const auto& v : rfc4648_vectors) {
    INFO(v.encoded);
    std::string out;
    const auto r = decode_to(v.encoded, out);
    CHECK(r.error == errc{});
    CHECK(r.size == v.plain.size());
    CHECK(out == v.plain);
    CHECK(b64::validate(v.encoded) == errc{});
  }
}

TEST_CASE("base64: RFC 4648 §4 alphabet maps to values 0..63", "[base64]") {
  // 64 symbols = 48 bytes; each symbol's 6 bits are its index in the alphabet.
  std::string out;
  REQUIRE(decode_to(alphabet, out).ok());
  REQUIRE(out.size() == 48);
  for (std::size_t i = 0; i < 64; ++i) {
    const std::size_t bit = i * 6;
    unsigned value = 0;
    for (std::size_t k = 0; k < 6; ++k) {
      const auto byte = static_cast<unsigned char>(out[(bit + k) / 8]);
      value = value << 1 | ((byte >> (7 - (bit + k) % 8)) & 1u);
    }
    CHECK(value == i);
  }
  CHECK(encode_str(out) == alphabet);
  CHECK(encode_str(std::string("\0\0\0", 3)) == "AAAA");
  CHECK(encode_str("\xff\xff\xff") == "////");
  CHECK(encode_str("\xfb\xff") == "+/8=");
}

TEST_CASE("base64: RFC 4954 §4 SASL examples", "[base64]") {
  std::string out;
  // LOGIN challenges ("Username:", "Password:"), the PLAIN example of RFC 4954 §4 and
  // the PLAIN example of RFC 4616 §4.
  REQUIRE(decode_to("VXNlcm5hbWU6", out).ok());
  CHECK(out == "Username:");
  REQUIRE(decode_to("UGFzc3dvcmQ6", out).ok());
  CHECK(out == "Password:");
  REQUIRE(decode_to("dGVzdAB0ZXN0ADEyMzQ=", out).ok());
  CHECK(out == std::string("test") + '\0' + "test" + '\0' + "1234");
  CHECK(encode_str(std::string("\0tim\0tanstaaftanen", 18)) == "AHRpbQB0YW5zdGFhZnRhbmVu");
}

TEST_CASE("base64: RFC 4648 §4 encoded_size and max_decoded_size", "[base64]") {
  static_assert(b64::encoded_size(0) == 0);
  static_assert(b64::encoded_size(1) == 4);
  static_assert(b64::encoded_size(2) == 4);
  static_assert(b64::encoded_size(3) == 4);
  static_assert(b64::encoded_size(4) == 8);
  static_assert(b64::encoded_size(9) == 12);
  static_assert(b64::max_decoded_size(0) == 0);
  static_assert(b64::max_decoded_size(4) == 3);
  static_assert(b64::max_decoded_size(12) == 9);
  constexpr std::size_t max = static_cast<std::size_t>(-1);
  static_assert(b64::encoded_size(max) == max, "saturates");
  static_assert(b64::encoded_size(max / 4 * 3) == max / 4 * 4, "largest exact size");
  for (std::size_t n = 0; n < 100; ++n) {
    const std::string in(n, 'x');
    CHECK(encode_str(in).size() == b64::encoded_size(n));
    CHECK(b64::max_decoded_size(b64::encoded_size(n)) >= n);
    CHECK(b64::max_decoded_size(b64::encoded_size(n)) < n + 3);
  }
}

TEST_CASE("base64: RFC 4648 §3.3 empty input decodes to empty", "[base64]") {
  const auto r = b64::decode("", nullptr, 0);
  CHECK(r.error == errc{});
  CHECK(r.size == 0);
  const auto e = b64::encode("", nullptr, 0);
  CHECK(e.error == errc{});
  CHECK(e.size == 0);
  CHECK(b64::validate("") == errc{});
}

TEST_CASE("base64: RFC 4648 §3.3 characters outside the alphabet are rejected", "[base64]") {
  // Every octet that is neither a symbol nor '=', in each position of the
  // first and of the final group. Covers '-' and '_' (base64url, §5), NUL,
  // controls and 8-bit octets.
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (alphabet.find(ch) != std::string_view::npos || ch == '=') continue;
    for (std::size_t pos = 0; pos < 8; ++pos) {
      std::string in = "Zm9vYmFy";
      in[pos] = ch;
      INFO("octet " << c << " at " << pos);
      CHECK(decode_error(in) == errc::invalid_base64);
      CHECK(b64::validate(in) == errc::invalid_base64);
    }
  }
  CHECK(decode_error("Zm9-") == errc::invalid_base64);
  CHECK(decode_error("Zm9_") == errc::invalid_base64);
}

TEST_CASE("base64: RFC 4954 §4 spaces, CR and LF are rejected", "[base64]") {
  const std::string_view bad[] = {
      " Zm9v",        "Zm9v ",     "Zm 9v", "Zm9\n",    "Zm9\r",    "Zm9vYg==\r\n",
      "Zm9v\r\nYmFy", "Zm9v\t   ", "    ",  "\r\n\r\n", "Zm8=    ", "Zm9vYg== ",
  };
  for (auto in : bad) {
    INFO(in);
    CHECK(decode_error(in) == errc::invalid_base64);
  }
}

TEST_CASE("base64: RFC 4648 §3.3 '=' only as the final one or two characters", "[base64]") {
  const std::string_view bad[] = {
      "=AAA",     "A=AA",     "AA=A",     "A===", "====", "AAA=BBBB", "Zg==Zg==",     "Zm8=Zm9v",
      "Zm9v=AAA", "Zm9vYg=A", "Zm9vY===", "=",    "==",   "Zm9vYg=",  "Zm9vYmFy====",
  };
  for (auto in : bad) {
    INFO(in);
    CHECK(decode_error(in) == errc::invalid_base64);
  }
}

TEST_CASE("base64: RFC 4648 §4 length must be a multiple of 4 (missing padding)", "[base64]") {
  const std::string_view bad[] = {"Z", "Zg", "Zm8", "Zm9vY", "Zm9vYg", "Zm9vYmE", "Zg="};
  for (auto in : bad) {
    INFO(in);
    CHECK(decode_error(in) == errc::invalid_base64);
    CHECK(b64::validate(in) == errc::invalid_base64);
  }
}

TEST_CASE("base64: RFC 4648 §3.5 non-zero pad bits are rejected by default", "[base64]") {
  // "QQ==" is the canonical encoding of "A"; "QR==" .. "QP==" carry non-zero
  // bits in the 4 unused low bits of the second symbol.
  CHECK(decode_error("QQ==") == errc{});
  CHECK(decode_error("QR==") == errc::invalid_base64);
  CHECK(decode_error("QZ==") == errc::invalid_base64);
  CHECK(decode_error("Zh==") == errc::invalid_base64);
  // "Zm8=" is "fo"; "Zm9=" sets one of the 2 unused bits of the third symbol.
  CHECK(decode_error("Zm8=") == errc{});
  CHECK(decode_error("Zm9=") == errc::invalid_base64);
  CHECK(decode_error("Zm9vZm9=") == errc::invalid_base64);
  // Exhaustively: exactly 4 of 64 second symbols are canonical in "x?==",
  // exactly 16 of 64 third symbols in "xx?=".
  int canonical_one = 0, canonical_two = 0;
  for (char c : alphabet) {
    canonical_one += decode_error(std::string("Q") + c + "==") == errc{};
    canonical_two += decode_error(std::string("Zm") + c + "=") == errc{};
  }
  CHECK(canonical_one == 4);
  CHECK(canonical_two == 16);
}

TEST_CASE("base64: RFC 4648 §3.5 non-zero pad bits are accepted when allowed", "[base64]") {
  const b64::decode_options lenient{true};
  std::string out;
  REQUIRE(decode_to("QR==", out, lenient).ok());
  CHECK(out == "A");
  REQUIRE(decode_to("Zm9=", out, lenient).ok());
  CHECK(out == "fo");
  CHECK(b64::validate("QR==", lenient) == errc{});
  // Leniency covers pad bits only.
  CHECK(decode_error("QR=A", lenient) == errc::invalid_base64);
  CHECK(decode_error("Q R=", lenient) == errc::invalid_base64);
  CHECK(decode_error("Zg", lenient) == errc::invalid_base64);
}

TEST_CASE("base64: RFC 4648 §4 exact-capacity and one-short buffers", "[base64]") {
  for (const auto& v : rfc4648_vectors) {
    if (v.plain.empty()) continue;
    INFO(v.plain);
    std::vector<char> buf(16, '#');

    auto r = b64::encode(v.plain, buf.data(), v.encoded.size());
    CHECK(r.error == errc{});
    CHECK(std::string_view(buf.data(), r.size) == v.encoded);
    CHECK(buf[v.encoded.size()] == '#');

    buf.assign(16, '#');
    r = b64::encode(v.plain, buf.data(), v.encoded.size() - 1);
    CHECK(r.error == errc::buffer_too_small);
    CHECK(r.size == 0);
    CHECK(std::string_view(buf.data(), buf.size()) == std::string(16, '#'));

    buf.assign(16, '#');
    r = b64::decode(v.encoded, buf.data(), v.plain.size());
    CHECK(r.error == errc{});
    CHECK(std::string_view(buf.data(), r.size) == v.plain);
    CHECK(buf[v.plain.size()] == '#');

    buf.assign(16, '#');
    r = b64::decode(v.encoded, buf.data(), v.plain.size() - 1);
    CHECK(r.error == errc::buffer_too_small);
    CHECK(r.size == 0);
    CHECK(std::string_view(buf.data(), buf.size()) == std::string(16, '#'));
  }
}

TEST_CASE("base64: RFC 4648 §3.3 invalid input is reported before a short buffer", "[base64]") {
  CHECK(b64::decode("=AAA", nullptr, 0).error == errc::invalid_base64);
  CHECK(b64::decode("Zm9vYmFyQR==", nullptr, 0).error == errc::invalid_base64);
  char buf[2];
  CHECK(b64::decode("Zm9v Zm9", buf, sizeof buf).error == errc::invalid_base64);
  CHECK(b64::decode("Zm9vZm9v", buf, sizeof buf).error == errc::buffer_too_small);
}

TEST_CASE("base64: RFC 4648 §4 decoding in place", "[base64]") {
  std::string buf = "dGVzdAB0ZXN0ADEyMzQ=";
  const auto r = b64::decode(buf, buf.data(), buf.size());
  REQUIRE(r.ok());
  CHECK(std::string_view(buf.data(), r.size) ==
        std::string("test") + '\0' + "test" + '\0' + "1234");

  std::string text(999, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7);
  std::string enc = encode_str(text);
  const auto big = b64::decode(enc, enc.data(), enc.size());
  REQUIRE(big.ok());
  CHECK(std::string_view(enc.data(), big.size) == text);
}

TEST_CASE("base64: RFC 4648 §4 round trip over random byte strings", "[base64]") {
  std::mt19937 rng(4648);
  for (int round = 0; round < 2000; ++round) {
    std::string plain(rng() % 700, '\0');
    for (auto& c : plain) c = static_cast<char>(rng() & 0xFF);
    INFO("round " << round << " length " << plain.size());

    const std::string enc = encode_str(plain);
    CHECK(enc.size() == b64::encoded_size(plain.size()));
    std::string dec;
    REQUIRE(decode_to(enc, dec).ok());
    CHECK(dec == plain);

    // The sink overloads agree with the raw ones.
    std::string via_sink = "prefix";
    mailwire::appendable_sink s(via_sink);
    const auto er = b64::encode(plain, s);
    REQUIRE(er.ok());
    CHECK(er.size == enc.size());
    CHECK(via_sink == "prefix" + enc);
    std::vector<char> bytes;
    mailwire::appendable_sink v(bytes);
    const auto dr = b64::decode(enc, v);
    REQUIRE(dr.ok());
    CHECK(std::string(bytes.begin(), bytes.end()) == plain);
  }
}

TEST_CASE("base64: sink overloads write all or nothing", "[base64]") {
  std::mt19937 rng(5034);
  std::string plain(1000, '\0');  // longer than one internal chunk
  for (auto& c : plain) c = static_cast<char>(rng() & 0xFF);
  const std::string enc = encode_str(plain);

  SECTION("encode: exact capacity fits") {
    std::vector<char> buf(enc.size() + 3);
    mailwire::fixed_sink s(buf.data(), buf.size());
    REQUIRE(s.append("ab "));
    const auto r = b64::encode(plain, s);
    CHECK(r.error == errc{});
    CHECK(r.size == enc.size());
    CHECK(s.view() == "ab " + enc);
  }
  SECTION("encode: one short leaves the sink as it was") {
    std::vector<char> buf(enc.size() + 2);
    mailwire::fixed_sink s(buf.data(), buf.size());
    REQUIRE(s.append("ab "));
    const auto r = b64::encode(plain, s);
    CHECK(r.error == errc::buffer_too_small);
    CHECK(r.size == 0);
    CHECK(s.view() == "ab ");
    CHECK_FALSE(s.failed());
  }
  SECTION("decode: exact capacity fits") {
    std::vector<char> buf(plain.size());
    mailwire::fixed_sink s(buf.data(), buf.size());
    const auto r = b64::decode(enc, s);
    CHECK(r.error == errc{});
    CHECK(s.view() == plain);
  }
  SECTION("decode: one short leaves the sink as it was") {
    std::vector<char> buf(plain.size());  // "x" takes one byte of it
    mailwire::fixed_sink s(buf.data(), buf.size());
    REQUIRE(s.append("x"));
    const auto r = b64::decode(enc, s);
    CHECK(r.error == errc::buffer_too_small);
    CHECK(s.view() == "x");
  }
  SECTION("decode: invalid input late in a long string leaves the sink as it was") {
    std::string bad = enc;
    bad[bad.size() - 5] = '*';
    std::string out = "keep";
    mailwire::appendable_sink s(out);
    const auto r = b64::decode(bad, s);
    CHECK(r.error == errc::invalid_base64);
    CHECK(r.size == 0);
    CHECK(out == "keep");
    CHECK_FALSE(s.failed());
  }
  SECTION("decode: invalid input wins over a full sink") {
    std::string bad = enc;
    bad[bad.size() - 1] = 'Q';
    bad[bad.size() - 2] = '=';  // "...=Q": misplaced '='
    char tiny[4];
    mailwire::fixed_sink s(tiny);
    CHECK(b64::decode(bad, s).error == errc::invalid_base64);
    CHECK(s.size() == 0);
  }
  SECTION("decode: non-zero pad bits follow the options") {
    std::string out;
    mailwire::appendable_sink s(out);
    CHECK(b64::decode("Zm9vQR==", s).error == errc::invalid_base64);
    CHECK(out.empty());
    const auto r = b64::decode("Zm9vQR==", s, b64::decode_options{true});
    CHECK(r.ok());
    CHECK(out == "fooA");
  }
  SECTION("empty input appends nothing") {
    std::string out = "z";
    mailwire::appendable_sink s(out);
    CHECK(b64::decode("", s).ok());
    CHECK(b64::encode("", s).ok());
    CHECK(out == "z");
    CHECK(b64::decode("Zg=", s).error == errc::invalid_base64);
  }
}
