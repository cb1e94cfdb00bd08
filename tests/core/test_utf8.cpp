// Strict UTF-8 validation (RFC 3629 §3-4, §10), checked against the RFC's
// examples, the classic boundary cases, and a reference decoder written here
// a different way (decode the code point, then judge it) over every 1-, 2-
// and 3-octet string and a large slice of the 4-octet ones.
#include <mailwire/core/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"

namespace utf8 = mailwire::utf8;

namespace {

std::string bytes(std::initializer_list<unsigned> octets) {
  std::string s;
  for (const unsigned o : octets) s.push_back(static_cast<char>(static_cast<unsigned char>(o)));
  return s;
}

// Runs valid_prefix on an exact-size heap copy, so that a read past the end
// shows up under AddressSanitizer.
std::size_t prefix_exact(std::string_view s) {
  const std::unique_ptr<char[]> copy(new char[s.size()]);
  for (std::size_t i = 0; i < s.size(); ++i) copy[i] = s[i];
  return utf8::valid_prefix(std::string_view(copy.get(), s.size()));
}

// Reference: read the lead's length from its high bits, decode the scalar
// value, then refuse overlongs (below the length's minimum), surrogates and
// values above U+10FFFF.
std::size_t reference_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<std::uint32_t>(static_cast<unsigned char>(s[i]));
    std::size_t len = 0;
    std::uint32_t cp = 0, min = 0;
    if (lead < 0x80) {
      len = 1;
      cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      len = 2;
      cp = lead & 0x1F;
      min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      len = 3;
      cp = lead & 0x0F;
      min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      len = 4;
      cp = lead & 0x07;
      min = 0x10000;
    } else {
      return i;
    }
    if (s.size() - i < len) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k]));
      if ((c & 0xC0) != 0x80) return i;
      cp = cp << 6 | (c & 0x3F);
    }
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += len;
  }
  return s.size();
}

// Encodes a scalar value (no surrogates, at most U+10FFFF) as UTF-8.
std::string encode(std::uint32_t cp) {
  if (cp < 0x80) return bytes({cp});
  if (cp < 0x800) return bytes({0xC0 | cp >> 6, 0x80 | (cp & 0x3F)});
  if (cp < 0x10000) return bytes({0xE0 | cp >> 12, 0x80 | (cp >> 6 & 0x3F), 0x80 | (cp & 0x3F)});
  return bytes(
      {0xF0 | cp >> 18, 0x80 | (cp >> 12 & 0x3F), 0x80 | (cp >> 6 & 0x3F), 0x80 | (cp & 0x3F)});
}

}  // namespace

static_assert(utf8::is_valid(""), "");
static_assert(utf8::is_valid("plain ASCII, longer than one 8-octet block"), "");
static_assert(utf8::is_valid("\xE2\x82\xAC"), "U+20AC");
static_assert(!utf8::is_valid("\xC0\x80"), "overlong NUL");
static_assert(utf8::valid_prefix("abcdefghij\xED\xA0\x80") == 10, "surrogate after two blocks");

TEST_CASE("utf8: RFC 3629 §10 examples are valid", "[utf8]") {
  // "A<NOT IDENTICAL TO><ALPHA>." / Korean "hangugeo" / Japanese "nihongo" /
  // BOM + U+233B4 (a CJK character outside the BMP).
  const std::string examples[] = {
      bytes({0x41, 0xE2, 0x89, 0xA2, 0xCE, 0x91, 0x2E}),
      bytes({0xED, 0x95, 0x9C, 0xEA, 0xB5, 0xAD, 0xEC, 0x96, 0xB4}),
      bytes({0xE6, 0x97, 0xA5, 0xE6, 0x9C, 0xAC, 0xE8, 0xAA, 0x9E}),
      bytes({0xEF, 0xBB, 0xBF, 0xF0, 0xA3, 0x8E, 0xB4}),
  };
  for (const auto& e : examples) {
    CHECK(utf8::is_valid(e));
    CHECK(prefix_exact(e) == e.size());
  }
}

TEST_CASE("utf8: boundary code points are valid (RFC 3629 §4)", "[utf8]") {
  const std::string valid[] = {
      bytes({0x00}),                    // U+0000 (NUL is well-formed UTF-8)
      bytes({0x7F}),                    // U+007F, last 1-octet
      bytes({0xC2, 0x80}),              // U+0080, first 2-octet
      bytes({0xDF, 0xBF}),              // U+07FF, last 2-octet
      bytes({0xE0, 0xA0, 0x80}),        // U+0800, first 3-octet
      bytes({0xED, 0x9F, 0xBF}),        // U+D7FF, just below the surrogates
      bytes({0xEE, 0x80, 0x80}),        // U+E000, just above them
      bytes({0xEF, 0xBF, 0xBF}),        // U+FFFF, last 3-octet
      bytes({0xF0, 0x90, 0x80, 0x80}),  // U+10000, first 4-octet
      bytes({0xF4, 0x8F, 0xBF, 0xBF}),  // U+10FFFF, the last code point
  };
  for (const auto& v : valid) {
    INFO("length " << v.size() << " lead "
                   << static_cast<unsigned>(static_cast<unsigned char>(v[0])));
    CHECK(utf8::is_valid(v));
    CHECK(prefix_exact("ab" + v + "cd") == v.size() + 4);
  }
}

TEST_CASE("utf8: overlongs, surrogates, values above U+10FFFF are invalid (RFC 3629 §3, §10)",
          "[utf8]") {
  const std::string invalid[] = {
      bytes({0xC0, 0x80}),                          // overlong U+0000
      bytes({0xC1, 0xBF}),                          // overlong U+007F
      bytes({0xE0, 0x80, 0x80}),                    // overlong U+0000
      bytes({0xE0, 0x9F, 0xBF}),                    // overlong U+07FF
      bytes({0xF0, 0x80, 0x80, 0x80}),              // overlong U+0000
      bytes({0xF0, 0x8F, 0xBF, 0xBF}),              // overlong U+FFFF
      bytes({0xED, 0xA0, 0x80}),                    // U+D800, first surrogate
      bytes({0xED, 0xBF, 0xBF}),                    // U+DFFF, last surrogate
      bytes({0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80}),  // a CESU-8 surrogate pair
      bytes({0xF4, 0x90, 0x80, 0x80}),              // U+110000
      bytes({0xF7, 0xBF, 0xBF, 0xBF}),              // U+1FFFFF
  };
  for (const auto& v : invalid) {
    INFO("length " << v.size() << " lead "
                   << static_cast<unsigned>(static_cast<unsigned char>(v[0])));
    CHECK_FALSE(utf8::is_valid(v));
    // The index names the lead octet of the bad sequence.
    CHECK(prefix_exact("abc" + v + "d") == 3);
  }
}

TEST_CASE("utf8: lone continuations, F5-FF, truncated sequences are invalid (RFC 3629 §3)",
          "[utf8]") {
  for (unsigned c = 0x80; c <= 0xBF; ++c) {
    INFO(c);
    CHECK(prefix_exact("x" + bytes({c})) == 1);
  }
  for (unsigned c = 0xF5; c <= 0xFF; ++c) {
    INFO(c);
    CHECK(prefix_exact("x" + bytes({c, 0x80, 0x80, 0x80})) == 1);
  }
  // Cut short at the end of the text, or by an ASCII octet, or by a new lead.
  const std::string truncated[] = {
      bytes({0xC2}),       bytes({0xE0, 0xA0}),       bytes({0xE2}),
      bytes({0xF0, 0x90}), bytes({0xF0, 0x90, 0x80}), bytes({0xF4, 0x8F, 0xBF}),
  };
  for (const auto& t : truncated) {
    INFO("length " << t.size());
    CHECK(prefix_exact("ab" + t) == 2);
    CHECK(prefix_exact("ab" + t + "c") == 2);
    CHECK(prefix_exact("ab" + t + bytes({0xC3, 0xA9})) == 2);
  }
  CHECK(prefix_exact(bytes({0xE2, 0x82, 0x41})) == 0);  // "E2 82" then "A"
}

TEST_CASE("utf8: valid_prefix finds the first bad octet at every position of an ASCII run",
          "[utf8]") {
  // The 8-octet ASCII skip must neither jump over a bad octet nor read past
  // the end, whatever the alignment.
  for (std::size_t len = 0; len <= 40; ++len) {
    std::string s(len, 'a');
    CHECK(prefix_exact(s) == len);
    for (std::size_t p = 0; p < len; ++p) {
      std::string bad = s;
      bad[p] = '\xFF';
      INFO("len " << len << " bad at " << p);
      CHECK(prefix_exact(bad) == p);
      // A valid 2-octet sequence in place of two ASCII octets changes nothing.
      if (p + 1 < len) {
        std::string good = s;
        good[p] = '\xC3';
        good[p + 1] = '\xA9';
        CHECK(prefix_exact(good) == len);
      }
    }
  }
}

TEST_CASE("utf8: every 1-, 2- and 3-octet string agrees with the reference decoder (RFC 3629 §4)",
          "[utf8]") {
  std::size_t valid = 0;
  char buf[3];
  for (unsigned a = 0; a < 256; ++a) {
    buf[0] = static_cast<char>(a);
    const std::string_view one(buf, 1);
    if (utf8::valid_prefix(one) != reference_prefix(one)) FAIL("1-octet " << a);
    for (unsigned b = 0; b < 256; ++b) {
      buf[1] = static_cast<char>(b);
      const std::string_view two(buf, 2);
      if (utf8::valid_prefix(two) != reference_prefix(two)) FAIL("2-octet " << a << " " << b);
      for (unsigned c = 0; c < 256; ++c) {
        buf[2] = static_cast<char>(c);
        const std::string_view three(buf, 3);
        const std::size_t got = utf8::valid_prefix(three);
        if (got != reference_prefix(three)) FAIL("3-octet " << a << " " << b << " " << c);
        if (got == 3 && a >= 0xE0) ++valid;
      }
    }
  }
  // U+0800..U+FFFF minus the 2048 surrogates, each one 3-octet sequence.
  CHECK(valid == 0x10000 - 0x800 - 0x800);
}

TEST_CASE("utf8: 4-octet strings around the F0-F4 leads agree with the reference decoder",
          "[utf8]") {
  // Leads F0-FF, continuations and their neighbours (0x78-0xC3): every
  // boundary of the 4-octet table, about 7 million strings.
  char buf[4];
  std::size_t valid = 0;
  for (unsigned a = 0xF0; a <= 0xFF; ++a) {
    buf[0] = static_cast<char>(a);
    for (unsigned b = 0x78; b <= 0xC3; ++b) {
      buf[1] = static_cast<char>(b);
      for (unsigned c = 0x78; c <= 0xC3; ++c) {
        buf[2] = static_cast<char>(c);
        for (unsigned d = 0x78; d <= 0xC3; ++d) {
          buf[3] = static_cast<char>(d);
          const std::string_view four(buf, 4);
          const std::size_t got = utf8::valid_prefix(four);
          if (got != reference_prefix(four))
            FAIL("4-octet " << a << " " << b << " " << c << " " << d);
          if (got == 4) ++valid;
        }
      }
    }
  }
  // U+10000..U+10FFFF: 16 planes of 64 * 64 * 64 / 4 sequences each.
  CHECK(valid == 0x100000);
}

TEST_CASE("utf8: random mixed strings agree with the reference decoder", "[utf8]") {
  std::mt19937 rng(3629);
  // Strings of valid code points (all lengths), some with one octet
  // replaced by an interesting one, so long valid runs are exercised too.
  const unsigned pool[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                           0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                           0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof pool / sizeof pool[0] - 1);
  std::uniform_int_distribution<int> chars(0, 30), kind(0, 3), coin(0, 1);
  std::uniform_int_distribution<std::uint32_t> cp1(0, 0x7F), cp2(0x80, 0x7FF), cp3(0x800, 0xFFFF),
      cp4(0x10000, 0x10FFFF);
  std::size_t mutated_valid = 0, mutated_invalid = 0;
  for (int round = 0; round < 100000; ++round) {
    std::string s;
    for (int n = chars(rng); n > 0; --n) {
      std::uint32_t cp = 0;
      switch (kind(rng)) {
        case 0: cp = cp1(rng); break;
        case 1: cp = cp2(rng); break;
        case 2:
          cp = cp3(rng);
          if (cp >= 0xD800 && cp <= 0xDFFF) cp -= 0x800;
          break;
        default: cp = cp4(rng); break;
      }
      s += encode(cp);
    }
    REQUIRE(prefix_exact(s) == s.size());
    if (s.empty() || coin(rng) == 0) continue;
    std::uniform_int_distribution<std::size_t> at(0, s.size() - 1);
    s[at(rng)] = static_cast<char>(pool[pick(rng)]);
    const std::size_t expected = reference_prefix(s);
    if (prefix_exact(s) != expected) FAIL("mismatch on round " << round);
    ++(expected == s.size() ? mutated_valid : mutated_invalid);
  }
  // Both outcomes were exercised.
  CHECK(mutated_valid > 1000);
  CHECK(mutated_invalid > 1000);
}
