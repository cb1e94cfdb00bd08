// ASCII classes and case folding, checked over every octet against definitions
// written out here by enumeration (not <cctype>, not the header's ranges).
#include <mailwire/core/ascii.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "catch.hpp"

namespace ascii = mailwire::ascii;

namespace {

// The 95 printable ASCII characters, SP first, spelled out.
constexpr std::string_view printable =
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~";
constexpr std::string_view upper_letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view lower_letters = "abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view digits = "0123456789";
constexpr std::string_view upper_hex = "0123456789ABCDEF";
constexpr std::string_view lower_hex = "0123456789abcdef";

static_assert(printable.size() == 95, "");

bool in(std::string_view set, unsigned v) {
  return v < 0x80 && set.find(static_cast<char>(v)) != std::string_view::npos;
}

struct reference {
  static bool digit(unsigned v) { return in(digits, v); }
  static bool upper(unsigned v) { return in(upper_letters, v); }
  static bool lower(unsigned v) { return in(lower_letters, v); }
  static bool alpha(unsigned v) { return upper(v) || lower(v); }
  static bool alnum(unsigned v) { return alpha(v) || digit(v); }
  static bool hex(unsigned v) { return in(upper_hex, v) || in(lower_hex, v); }
  static bool vchar(unsigned v) { return in(printable, v) && v != 0x20; }
  static bool ascii7(unsigned v) { return (v & 0x80u) == 0; }
  static bool ctl(unsigned v) { return ascii7(v) && !in(printable, v); }
  static bool wsp(unsigned v) { return v == 0x20 || v == 0x09; }
  static int hex_value(unsigned v) {
    for (std::size_t i = 0; i < 16; ++i)
      if (in(upper_hex.substr(i, 1), v) || in(lower_hex.substr(i, 1), v))
        return static_cast<int>(i);
    return -1;
  }
  static unsigned to_upper(unsigned v) {
    const auto i = lower(v) ? lower_letters.find(static_cast<char>(v)) : std::string_view::npos;
    return i == std::string_view::npos ? v : static_cast<unsigned char>(upper_letters[i]);
  }
  static unsigned to_lower(unsigned v) {
    const auto i = upper(v) ? upper_letters.find(static_cast<char>(v)) : std::string_view::npos;
    return i == std::string_view::npos ? v : static_cast<unsigned char>(lower_letters[i]);
  }
};

char as_char(unsigned v) { return static_cast<char>(static_cast<unsigned char>(v)); }
unsigned as_byte(char c) { return static_cast<unsigned char>(c); }

std::string bytes(std::initializer_list<unsigned> values) {
  std::string s;
  for (unsigned v : values) s += as_char(v);
  return s;
}

constexpr int count_alpha() {
  int n = 0;
  for (unsigned v = 0; v < 256; ++v)
    if (ascii::is_alpha(static_cast<unsigned char>(v))) ++n;
  return n;
}

}  // namespace

TEST_CASE("ascii: every class function agrees with the reference over all 256 octets", "[ascii]") {
  int counts[10] = {};
  for (unsigned v = 0; v < 256; ++v) {
    const auto c = static_cast<unsigned char>(v);
    INFO("octet " << v);
    CHECK(ascii::is_digit(c) == reference::digit(v));
    CHECK(ascii::is_upper(c) == reference::upper(v));
    CHECK(ascii::is_lower(c) == reference::lower(v));
    CHECK(ascii::is_alpha(c) == reference::alpha(v));
    CHECK(ascii::is_alnum(c) == reference::alnum(v));
    CHECK(ascii::is_hex_digit(c) == reference::hex(v));
    CHECK(ascii::is_vchar(c) == reference::vchar(v));
    CHECK(ascii::is_ctl(c) == reference::ctl(v));
    CHECK(ascii::is_ascii(c) == reference::ascii7(v));
    CHECK(ascii::is_wsp(c) == reference::wsp(v));
    counts[0] += ascii::is_digit(c);
    counts[1] += ascii::is_upper(c);
    counts[2] += ascii::is_lower(c);
    counts[3] += ascii::is_alpha(c);
    counts[4] += ascii::is_alnum(c);
    counts[5] += ascii::is_hex_digit(c);
    counts[6] += ascii::is_vchar(c);
    counts[7] += ascii::is_ctl(c);
    counts[8] += ascii::is_ascii(c);
    counts[9] += ascii::is_wsp(c);
  }
  // Sizes of the classes, so a reference that is wrong in the same way shows.
  CHECK(counts[0] == 10);
  CHECK(counts[1] == 26);
  CHECK(counts[2] == 26);
  CHECK(counts[3] == 52);
  CHECK(counts[4] == 62);
  CHECK(counts[5] == 22);
  CHECK(counts[6] == 94);
  CHECK(counts[7] == 33);
  CHECK(counts[8] == 128);
  CHECK(counts[9] == 2);
  // Boundaries called out by the grammars.
  CHECK(ascii::is_ctl(0x7F));
  CHECK_FALSE(ascii::is_vchar(0x7F));
  CHECK_FALSE(ascii::is_vchar(' '));
  CHECK(ascii::is_vchar('~'));
  CHECK_FALSE(ascii::is_ctl(0x80));
  CHECK_FALSE(ascii::is_ctl(0xFF));
}

TEST_CASE("ascii: to_upper and to_lower fold ASCII letters only", "[ascii]") {
  for (unsigned v = 0; v < 256; ++v) {
    INFO("octet " << v);
    CHECK(as_byte(ascii::to_upper(as_char(v))) == reference::to_upper(v));
    CHECK(as_byte(ascii::to_lower(as_char(v))) == reference::to_lower(v));
  }
  CHECK(ascii::to_upper('m') == 'M');
  CHECK(ascii::to_lower('M') == 'm');
  // Latin-1 and UTF-8 octets are not letters here.
  CHECK(as_byte(ascii::to_upper(as_char(0xE9))) == 0xE9u);
  CHECK(as_byte(ascii::to_lower(as_char(0xC9))) == 0xC9u);
  CHECK(ascii::to_upper('{') == '{');
  CHECK(ascii::to_lower('@') == '@');
}

TEST_CASE("ascii: hex_value", "[ascii]") {
  for (unsigned v = 0; v < 256; ++v) {
    INFO("octet " << v);
    CHECK(ascii::hex_value(static_cast<unsigned char>(v)) == reference::hex_value(v));
  }
  CHECK(ascii::hex_value('0') == 0);
  CHECK(ascii::hex_value('9') == 9);
  CHECK(ascii::hex_value('a') == 10);
  CHECK(ascii::hex_value('F') == 15);
  CHECK(ascii::hex_value('g') == -1);
  CHECK(ascii::hex_value('G') == -1);
  CHECK(ascii::hex_value('/') == -1);
  CHECK(ascii::hex_value(':') == -1);
}

TEST_CASE("ascii: iequals folds ASCII case and compares other octets exactly", "[ascii]") {
  CHECK(ascii::iequals("MAIL FROM", "mail from"));
  CHECK(ascii::iequals("eHlO", "EhLo"));
  CHECK(ascii::iequals("", ""));
  CHECK(ascii::iequals("250-8BITMIME", "250-8bitmime"));
  CHECK_FALSE(ascii::iequals("MAIL", "MAIL "));
  CHECK_FALSE(ascii::iequals("MAIL", "MAI"));
  CHECK_FALSE(ascii::iequals("", "a"));
  CHECK_FALSE(ascii::iequals("RCPT", "RCPU"));
  // Embedded NUL is an ordinary octet.
  CHECK(ascii::iequals(std::string_view("a\0B", 3), std::string_view("A\0b", 3)));
  CHECK_FALSE(ascii::iequals(std::string_view("a\0", 2), std::string_view("a", 1)));
  // Non-ASCII: UTF-8 é / É and Latin-1 é / É (0xE9 / 0xC9 differ by 0x20, like
  // ASCII case) are different octets, not case variants.
  CHECK_FALSE(ascii::iequals(bytes({0xC3, 0xA9}), bytes({0xC3, 0x89})));
  CHECK_FALSE(ascii::iequals(bytes({0xE9}), bytes({0xC9})));
  CHECK(ascii::iequals(bytes({'X', 0xE9}), bytes({'x', 0xE9})));

  // Every pair of single octets: equal exactly when the octets are equal or
  // they are the two cases of one ASCII letter.
  for (unsigned a = 0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b) {
      const bool expected =
          a == b || (reference::alpha(a) && reference::to_lower(a) == reference::to_lower(b));
      const std::string sa(1, as_char(a));
      const std::string sb(1, as_char(b));
      if (ascii::iequals(sa, sb) != expected) {
        INFO("octets " << a << " and " << b);
        CHECK(ascii::iequals(sa, sb) == expected);
      }
    }
}

TEST_CASE("ascii: istarts_with", "[ascii]") {
  CHECK(ascii::istarts_with("MAIL FROM:<a@b>", "mail from:"));
  CHECK(ascii::istarts_with("data", "DATA"));
  CHECK(ascii::istarts_with("anything", ""));
  CHECK(ascii::istarts_with("", ""));
  CHECK_FALSE(ascii::istarts_with("", "a"));
  CHECK_FALSE(ascii::istarts_with("MAI", "MAIL"));  // prefix longer than the string
  CHECK_FALSE(ascii::istarts_with("RCPT TO:", "MAIL"));
  CHECK_FALSE(ascii::istarts_with(" MAIL", "MAIL"));
  CHECK_FALSE(ascii::istarts_with(bytes({0xE9, 'a', 'b'}), bytes({0xC9})));
  CHECK(ascii::istarts_with(bytes({0xE9, 'A', 'b'}), bytes({0xE9, 'a'})));
  CHECK_FALSE(ascii::istarts_with(bytes({0xC3, 0xA9, 'x'}), bytes({0xC3, 0x89})));
}

TEST_CASE("ascii: usable in constant expressions", "[ascii]") {
  static_assert(ascii::is_digit('7') && !ascii::is_digit('a'), "");
  static_assert(ascii::is_alpha('q') && !ascii::is_alpha(0xE9), "");
  static_assert(ascii::is_ctl(0x00) && ascii::is_ctl(0x7F) && !ascii::is_ctl(' '), "");
  static_assert(ascii::is_wsp('\t') && !ascii::is_wsp('\n'), "");
  static_assert(ascii::to_upper('z') == 'Z' && ascii::to_lower('Z') == 'z', "");
  static_assert(ascii::hex_value('c') == 12 && ascii::hex_value('x') == -1, "");
  static_assert(ascii::iequals("StartTLS", "STARTTLS"), "");
  static_assert(!ascii::iequals("STLS", "STARTTLS"), "");
  static_assert(ascii::istarts_with("AUTH PLAIN", "auth "), "");
  static_assert(count_alpha() == 52, "");
  static_assert(noexcept(ascii::iequals("a", "b")), "");
  static_assert(noexcept(ascii::istarts_with("a", "b")), "");
  static_assert(noexcept(ascii::hex_value('a')), "");
  static_assert(noexcept(ascii::to_upper('a')), "");
  constexpr bool folded = ascii::iequals("QUIT", "quit");
  CHECK(folded);
}
