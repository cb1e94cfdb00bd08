// ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2) and the rule of every
// known parameter (SIZE, BODY, SMTPUTF8, REQUIRETLS, AUTH, DSN, MT-PRIORITY,
// DELIVERBY, FUTURERELEASE, RRVS).
#include <mailwire/smtp/parameters.hpp>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace smtp = mailwire::smtp;
using mailwire::errc;
using smtp::parameter_kind;

namespace {

// The text must outlive the list: tests pass literals or strings that live
// for the whole check.
smtp::parameter_list parse_ok(std::string_view text, smtp::parameter_options options = {}) {
  const auto r = smtp::parse_parameters(text, options);
  INFO(text);
  REQUIRE(r.error == errc{});
  CHECK(r.offending.empty());
  return r.list;
}

errc parse_error(std::string_view text, smtp::parameter_options options = {}) {
  const auto r = smtp::parse_parameters(text, options);
  if (!r.ok()) {
    CHECK(r.list.empty());
    CHECK(r.list.count() == 0);
    // offending is a view into the input
    CHECK(r.offending.data() >= text.data());
    CHECK(r.offending.data() + r.offending.size() <= text.data() + text.size());
  }
  return r.error;
}

std::string_view parse_offending(std::string_view text, smtp::parameter_options options = {}) {
  return smtp::parse_parameters(text, options).offending;
}

// Parse, then the MAIL (or RCPT) value check: the first error of the two.
errc mail_error(std::string_view text) {
  INFO(text);
  const auto r = smtp::parse_parameters(text);
  if (!r.ok()) return r.error;
  return smtp::check_mail_parameters(r.list).error;
}

errc rcpt_error(std::string_view text) {
  INFO(text);
  const auto r = smtp::parse_parameters(text);
  if (!r.ok()) return r.error;
  return smtp::check_rcpt_parameters(r.list).error;
}

constexpr bool constexpr_parse() {
  const auto r = smtp::parse_parameters("SIZE=1000 body=8bitmime NOTIFY=SUCCESS,DELAY X-Y");
  if (!r.ok() || r.list.count() != 4 || !r.list.has_unknown()) return false;
  if (r.list.declared_size().value != 1000) return false;
  if (r.list.body().value != smtp::body_type::eight_bit_mime) return false;
  if (!r.list.notify().value.delay || r.list.notify().value.failure) return false;
  std::size_t n = 0;
  for (const auto& p : r.list) n += p.keyword.size();
  return n == 4 + 4 + 6 + 3 && smtp::check_mail_parameters(r.list).ok() &&
         smtp::check_rcpt_parameters(r.list).ok() &&
         smtp::parse_parameters("SIZE=1 size=2").error == errc::duplicate_parameter;
}

}  // namespace

static_assert(constexpr_parse(), "parameters parse and check in constant expressions");

// ---------------------------------------------------------------------------
// Generic grammar

TEST_CASE("parameters: esmtp-param grammar accepts keywords and values (RFC 5321 §4.1.2)",
          "[smtp][parameters]") {
  CHECK(parse_ok("").empty());
  CHECK(parse_ok("SIZE=1").count() == 1);
  CHECK(parse_ok("SMTPUTF8").count() == 1);
  CHECK(parse_ok("X").count() == 1);
  CHECK(parse_ok("9").count() == 1);
  CHECK(parse_ok("X-").count() == 1);  // a trailing "-" is allowed in esmtp-keyword
  CHECK(parse_ok("A-B-C9=v").count() == 1);
  CHECK(parse_ok("SIZE=10 RET=HDRS").count() == 2);  // RFC 1870 §6, RFC 3461 §4.3
  CHECK(parse_ok("X-VALUE=!\"#$%&'()*+,-./0123456789:;<>?@[\\]^_`{|}~").count() == 1);
  CHECK(parse_ok("A=1 B=2 C D=4 E").count() == 5);
}

TEST_CASE("parameters: esmtp-keyword is (ALPHA / DIGIT) *(ALPHA / DIGIT / \"-\") (RFC 5321 §4.1.2)",
          "[smtp][parameters]") {
  const std::string_view bad[] = {"-X",    "=1",      "_X=1",       "X_Y=1",  "X.Y",
                                  "X:Y=1", "X/Y",     "\xc3\xa9=1", "X\x80",  "X\tY",
                                  "(X)",   "\"X\"=1", "SIZE =1",    "SIZE= 1"};
  for (auto in : bad) {
    INFO(in);
    CHECK(parse_error(in) == errc::invalid_parameter);
  }
  // Each character outside the keyword set, in the middle of a keyword.
  for (int c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '-' ||
        u == '=' || u == ' ')
      continue;
    const std::string in = std::string("AB") + static_cast<char>(c) + "CD";
    INFO("octet " << c);
    CHECK(parse_error(in) == errc::invalid_parameter);
  }
}

TEST_CASE("parameters: esmtp-value is 1*(%d33-60 / %d62-126) (RFC 5321 §4.1.2)",
          "[smtp][parameters]") {
  for (int c = 0; c < 256; ++c) {
    const std::string in = std::string("X=a") + static_cast<char>(c) + "b";
    const bool valid = c >= 33 && c <= 126 && c != '=';
    INFO("octet " << c);
    if (c == ' ') continue;  // splits into "X=a" and "b"
    CHECK(parse_error(in) == (valid ? errc{} : errc::invalid_parameter));
  }
  // RFC 5321 §4.1.2: no empty values and no "=" inside a value (RFC 3461 §4:
  // xtext writes it "+3D").
  CHECK(parse_error("SIZE=") == errc::invalid_parameter);
  CHECK(parse_error("X=") == errc::invalid_parameter);
  CHECK(parse_error("X= Y") == errc::invalid_parameter);
  CHECK(parse_error("X==") == errc::invalid_parameter);
  CHECK(parse_error("X=a=b") == errc::invalid_parameter);
  CHECK(parse_error("AUTH=a=b@c") == errc::invalid_parameter);
  CHECK(parse_error(std::string_view("X=a\0b", 5)) == errc::invalid_parameter);
  CHECK(parse_error("X=a\r\nRCPT") == errc::invalid_parameter);
}

TEST_CASE("parameters: parameters are separated by exactly one SP (RFC 5321 §4.1.2)",
          "[smtp][parameters]") {
  CHECK(parse_error("SIZE=1  BODY=7BIT") == errc::invalid_parameter);
  CHECK(parse_error(" SIZE=1") == errc::invalid_parameter);
  CHECK(parse_error("SIZE=1 ") == errc::invalid_parameter);
  CHECK(parse_error(" ") == errc::invalid_parameter);
  CHECK(parse_error("SIZE=1\tBODY=7BIT") == errc::invalid_parameter);
  // offending is the bad parameter's text: empty, at the place a parameter
  // was expected, when there is none.
  const std::string_view two = "SIZE=1  BODY=7BIT";
  const auto r = smtp::parse_parameters(two);
  CHECK(r.offending.empty());
  CHECK(r.offending.data() == two.data() + 7);
  const std::string_view trailing = "SIZE=1 ";
  CHECK(smtp::parse_parameters(trailing).offending.data() == trailing.data() + 7);
}

TEST_CASE("parameters: offending names the bad parameter (RFC 5321 §4.1.2)", "[smtp][parameters]") {
  const std::string_view text = "SIZE=1 X_Y=2 BODY=7BIT";
  const auto r = smtp::parse_parameters(text);
  CHECK(r.error == errc::invalid_parameter);
  CHECK(r.offending == "X_Y=2");
  CHECK(r.offending.data() == text.data() + 7);
  CHECK(parse_offending("A=1 B=x=y C") == "B=x=y");
  CHECK(parse_offending("A=1 B= C") == "B=");
  CHECK(parse_offending("A B=\x01z") == "B=\x01z");
}

TEST_CASE("parameters: UTF-8 values only under SMTPUTF8 (RFC 6531 §3.3)", "[smtp][parameters]") {
  smtp::parameter_options utf8;
  utf8.utf8 = true;
  const std::string_view good[] = {"X=\xc3\xa9",     "X=a\xe2\x82\xac",    "X=\xf0\x9f\x98\x80z",
                                   "X=\xed\x9f\xbf", "X=\xf4\x8f\xbf\xbf", "X=\xc2\x80"};
  for (auto in : good) {
    INFO(in);
    CHECK(parse_error(in) == errc::invalid_parameter);  // not without SMTPUTF8
    CHECK(parse_error(in, utf8) == errc{});
  }
  const std::string_view malformed[] = {
      "X=\xc0\x80",          // overlong NUL
      "X=\xc1\xbf",          // overlong
      "X=\xe0\x80\xaf",      // overlong "/"
      "X=\xed\xa0\x80",      // surrogate
      "X=\xf4\x90\x80\x80",  // above U+10FFFF
      "X=\xf5\x80\x80\x80",  // never valid
      "X=\xff",              //
      "X=\x80",              // lone continuation
      "X=\xc3",              // truncated at the end
      "X=\xe2\x82",          //
      "X=\xc3 Y",            // truncated by SP
      "X=\xe2\x82z",         //
  };
  for (auto in : malformed) {
    INFO(in);
    CHECK(parse_error(in, utf8) == errc::invalid_utf8);
  }
  // Keywords stay ASCII, and UTF-8 does not open the door to "=" or controls.
  CHECK(parse_error("\xc3\xa9=1", utf8) == errc::invalid_parameter);
  CHECK(parse_error("X=\xc3\xa9=", utf8) == errc::invalid_parameter);
  CHECK(parse_error("X=\xc3\xa9\x01", utf8) == errc::invalid_parameter);
  CHECK(parse_error("X=", utf8) == errc::invalid_parameter);
}

TEST_CASE(
    "parameters: a keyword given twice is a duplicate, case-insensitively (RFC 1870 §6, "
    "RFC 3461 §5)",
    "[smtp][parameters]") {
  // A repeated parameter is an error (RFC 1870 §6, RFC 3461 §5).
  const std::string_view dup[] = {
      "SIZE=1 SIZE=1",
      "SIZE=1 size=2",
      "BODY=7BIT body=8BITMIME",
      "RET=FULL RET=HDRS",
      "ENVID=a EnViD=b",
      "NOTIFY=NEVER NOTIFY=NEVER",
      "ORCPT=rfc822;a ORCPT=rfc822;b",
      "MT-PRIORITY=1 mt-priority=1",
      "SMTPUTF8 SMTPUTF8",
      "SMTPUTF8 smtputf8=x",
      "X-FOO=1 x-foo=2",
      "X-FOO X-FOO",
      "A B C D A",
      "X-A=1 Y=2 x-a",
  };
  for (auto in : dup) {
    INFO(in);
    CHECK(parse_error(in) == errc::duplicate_parameter);
  }
  const std::string_view text = "X-FOO=1 SIZE=2 x-Foo=3";
  const auto r = smtp::parse_parameters(text);
  CHECK(r.offending == "x-Foo=3");
  CHECK(r.offending.data() == text.data() + 15);
  // Not duplicates: different keywords, even when one is a prefix of the other.
  CHECK(parse_error("X-A X-AB X-ABC XA") == errc{});
  CHECK(parse_error("SIZE=1 SIZES=1 SIZ=1") == errc{});
  CHECK(parse_error("HOLDFOR=1 HOLDUNTIL=2026-11-27T10:00:00Z") == errc{});
}

TEST_CASE("parameters: duplicate detection matches a naive model on random keyword lists",
          "[smtp][parameters][property]") {
  // Many unknown keywords overflow the 64-bit Bloom filter, so this exercises
  // both the fast path and the confirming re-split.
  std::mt19937 rng(0xD0Bu);
  const char alphabet[] = "aAbB01-";
  std::uniform_int_distribution<int> len(1, 4);
  std::uniform_int_distribution<int> ch(0, 6);
  std::uniform_int_distribution<int> count(1, 60);
  smtp::parameter_options many;
  many.max_parameters = 100;
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::string> keywords;
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      std::string k(1, "aB1X"[i % 4]);
      const int l = len(rng);
      for (int j = 1; j < l; ++j) k += alphabet[ch(rng)];
      keywords.push_back(k);
    }
    std::string text;
    std::set<std::string> seen;
    std::size_t first_dup = std::string::npos;
    for (std::size_t i = 0; i < keywords.size(); ++i) {
      if (i) text += ' ';
      std::string folded = keywords[i];
      for (auto& c : folded) c = mailwire::ascii::to_upper(c);
      if (!seen.insert(folded).second && first_dup == std::string::npos) first_dup = text.size();
      text += keywords[i];
      if (i % 3 == 0) text += "=v";
    }
    INFO(text);
    const auto r = smtp::parse_parameters(text, many);
    if (first_dup == std::string::npos) {
      CHECK(r.ok());
      CHECK(r.list.count() == keywords.size());
    } else {
      CHECK(r.error == errc::duplicate_parameter);
      CHECK(r.offending.data() == text.data() + first_dup);
    }
  }
}

TEST_CASE("parameters: max_parameters bounds the list (RFC 5321 §4.1.2)", "[smtp][parameters]") {
  auto make = [](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += (i ? " X" : "X") + std::to_string(i);
    return s;
  };
  const std::string at = make(32), over = make(33);
  CHECK(parse_error(at) == errc{});
  CHECK(parse_ok(at).count() == 32);
  CHECK(parse_error(over) == errc::too_many_parameters);
  CHECK(parse_offending(over) == "X32");
  smtp::parameter_options two;
  two.max_parameters = 2;
  CHECK(parse_error("A B", two) == errc{});
  CHECK(parse_error("A B C", two) == errc::too_many_parameters);
  CHECK(parse_offending("A B C=1", two) == "C=1");
  smtp::parameter_options none;
  none.max_parameters = 0;
  CHECK(parse_error("", none) == errc{});
  CHECK(parse_error("A", none) == errc::too_many_parameters);
  // A syntax error in the parameter over the limit is reported as such.
  CHECK(parse_error("A B C=", two) == errc::invalid_parameter);
}

TEST_CASE(
    "parameters: iteration yields parameters in order as views into the input "
    "(RFC 5321 §4.1.2)",
    "[smtp][parameters]") {
  const std::string text = "size=1000 X-Custom=a+2Bb SMTPUTF8 NOTIFY=SUCCESS,DELAY Z";
  const auto list = parse_ok(text);
  REQUIRE(list.count() == 5);
  CHECK(list.text().data() == text.data());
  struct expected_param {
    std::string_view keyword, value;
    bool has_value;
    parameter_kind kind;
  };
  const expected_param expected[] = {
      {"size", "1000", true, parameter_kind::size},
      {"X-Custom", "a+2Bb", true, parameter_kind::unknown},
      {"SMTPUTF8", "", false, parameter_kind::smtputf8},
      {"NOTIFY", "SUCCESS,DELAY", true, parameter_kind::notify},
      {"Z", "", false, parameter_kind::unknown},
  };
  std::size_t i = 0;
  for (const smtp::parameter& p : list) {
    REQUIRE(i < 5);
    INFO(i);
    CHECK(p.keyword == expected[i].keyword);
    CHECK(p.value == expected[i].value);
    CHECK(p.has_value == expected[i].has_value);
    CHECK(p.kind == expected[i].kind);
    CHECK(p.keyword.data() >= text.data());
    CHECK(p.keyword.data() < text.data() + text.size());
    CHECK(p.keyword.data() == text.data() + text.find(expected[i].keyword));
    if (p.has_value) CHECK(p.value.data() == p.keyword.data() + p.keyword.size() + 1);
    ++i;
  }
  CHECK(i == 5);
  // Forward-iterator basics.
  auto it = list.begin();
  auto copy = it;
  CHECK(it == copy);
  CHECK((it++)->keyword == "size");
  CHECK(it != copy);
  CHECK(it->keyword == "X-Custom");
  ++copy;
  CHECK(it == copy);
  CHECK(std::distance(list.begin(), list.end()) == 5);
  const smtp::parameter_list empty;
  CHECK(empty.begin() == empty.end());
  CHECK(parse_ok("").begin() == parse_ok("").end());
}

TEST_CASE("parameters: find and contains are case-insensitive (RFC 5321 §2.4)",
          "[smtp][parameters]") {
  const std::string_view text = "Size=10 x-Trace=on BY=120;R";
  const auto list = parse_ok(text);
  REQUIRE(list.find("SIZE"));
  CHECK(list.find("SIZE")->value == "10");
  CHECK(list.find("size")->keyword == "Size");
  CHECK(list.find(parameter_kind::size)->value == "10");
  CHECK(list.find("X-TRACE")->value == "on");
  CHECK(list.find("by")->kind == parameter_kind::by);
  CHECK(!list.find("BODY"));
  CHECK(!list.find("X-TRAC"));
  CHECK(!list.find(""));
  CHECK(!list.find(parameter_kind::unknown));
  CHECK(list.contains("x-trace"));
  CHECK(list.contains(parameter_kind::by));
  CHECK(!list.contains(parameter_kind::body));
  CHECK(!list.contains("SIZ"));
  CHECK(list.has_unknown());
  CHECK(!parse_ok("SIZE=1 BODY=7BIT").has_unknown());
  CHECK(list.position(parameter_kind::by) == 19);
  CHECK(list.position(parameter_kind::body) == std::string_view::npos);
  // Absent parameters: not present, no error.
  const auto body = list.body();
  CHECK(!body.present);
  CHECK(body.ok());
}

TEST_CASE(
    "parameters: a run stops at the first octet outside esmtp-value at every offset "
    "(RFC 5321 §4.1.2)",
    "[smtp][parameters]") {
  // The scanner tests eight octets at a time and the text's last word
  // shifted; put each kind of stop octet at every offset of keywords and
  // values of many lengths, with the text ending right after or later.
  const char stops[] = {'\0', '\x01', '\x1f', '=', '\x7f', '\x80', '\xff'};
  for (std::size_t len = 1; len <= 20; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (const char stop : stops) {
        for (const char* tail : {"", " Z=1", " ZZZZZZZZZZZZZZZZ"}) {
          std::string value(len, 'v');
          value[at] = stop;
          const std::string in = "X=" + value + tail;
          INFO("len " << len << " at " << at << " octet " << int(static_cast<unsigned char>(stop))
                      << " tail '" << tail << "'");
          CHECK(parse_error(in) == errc::invalid_parameter);
          std::string keyword = "K" + std::string(len, 'k');
          keyword[at + 1] = stop;
          CHECK(parse_error(keyword + "=1" + tail) == errc::invalid_parameter);
        }
      }
      // SP ends the value early: what follows must be a parameter.
      std::string value(len, 'v');
      value[at] = ' ';
      const std::string in = "X=" + value;
      const bool leaves_empty = at == 0 || at + 1 == len;
      INFO(in);
      CHECK(parse_error(in) == (leaves_empty ? errc::invalid_parameter : errc{}));
    }
    // Clean values of every length, at the end of the text or not.
    for (const char* tail : {"", " Z", " ZZZZZZZZZZZZZZZZ=1"}) {
      const std::string value(len, '~');
      const std::string in = "X-" + std::string(len, 'k') + "=" + value + tail;
      INFO(in);
      const auto list = parse_ok(in);
      REQUIRE(list.begin() != list.end());
      CHECK(list.begin()->keyword.size() == len + 2);
      CHECK(list.begin()->value == value);
    }
  }
}

TEST_CASE("parameters: known parameters are found at any position and length (RFC 5321 §4.1.2)",
          "[smtp][parameters]") {
  // Values of every length, followed by text or not, so that the SP search
  // behind find() and the typed accessors sees every alignment.
  for (std::size_t len = 1; len <= 40; ++len) {
    const std::string envid(len, 'e');
    for (const std::string& text :
         {"ENVID=" + envid, "ENVID=" + envid + " X", "A ENVID=" + envid + " RET=FULL",
          "X-AAAAAAAAAAAAAAAA=1 envid=" + envid}) {
      INFO(text);
      const auto list = parse_ok(text);
      REQUIRE(list.find(parameter_kind::envid));
      CHECK(list.find(parameter_kind::envid)->value == envid);
      CHECK(list.envid().value == envid);
      CHECK(list.find("Envid")->value == envid);
    }
  }
  // Lengths around the 16-bit length the list records (longer ones are
  // searched for).
  for (const std::size_t whole : {65534u, 65535u, 65536u, 70000u}) {
    const std::string value(whole - 6, 'e');  // "ENVID=" + value is `whole` long
    for (const std::string& text : {"ENVID=" + value, "ENVID=" + value + " SIZE=1"}) {
      INFO(whole << " " << text.size());
      const auto list = parse_ok(text);
      REQUIRE(list.find(parameter_kind::envid));
      CHECK(list.find(parameter_kind::envid)->value.size() == value.size());
      CHECK(list.envid().error == errc::invalid_parameter_value);  // over 100
      CHECK(list.begin()->value.size() == value.size());
      if (text.size() > whole) CHECK(list.declared_size().value == 1);
    }
  }
  // Every known keyword where whole words can and cannot be read after it.
  for (const auto& rule : smtp::parameter_rules) {
    std::string lower(rule.keyword);
    for (auto& c : lower) c = mailwire::ascii::to_lower(c);
    for (const std::string& text :
         {std::string(rule.keyword), lower, std::string(rule.keyword) + " X-PADDING-PADDING",
          "X " + lower, "X " + lower + "=1", lower + "=12345678901234567890"}) {
      INFO(text);
      const auto list = parse_ok(text);
      CHECK(list.contains(rule.kind));
      bool seen = false;
      for (const auto& p : list)
        if (p.kind == rule.kind) seen = true;
      CHECK(seen);
    }
    // One octet changed: unknown (or, for a non-keyword octet, invalid).
    for (std::size_t i = 1; i < rule.keyword.size(); ++i) {
      std::string near(rule.keyword);
      near[i] = near[i] == 'X' ? 'Y' : 'X';
      for (const std::string& text : {near, near + " X-PADDING-PADDING"}) {
        INFO(text);
        const auto list = parse_ok(text);
        CHECK(!list.contains(rule.kind));
        CHECK(list.has_unknown());
      }
      // Octets that fold onto keyword characters when bit 5 is cleared.
      for (const char c : {'@', '`', '[', '{', '_', '^', '~', ':'}) {
        std::string odd(rule.keyword);
        odd[i] = c;
        INFO(odd);
        CHECK(parse_error(odd + " X-PADDING-PADDING") == errc::invalid_parameter);
        CHECK(parse_error(odd) == errc::invalid_parameter);
      }
    }
  }
}

TEST_CASE("parameters: the table names every known keyword once (STYLE: one table)",
          "[smtp][parameters]") {
  std::size_t mail = 0, rcpt = 0;
  for (const auto& rule : smtp::parameter_rules) {
    INFO(rule.keyword);
    CHECK(smtp::detail::kind_of(rule.keyword) == rule.kind);
    std::string lower(rule.keyword);
    for (auto& c : lower) c = mailwire::ascii::to_lower(c);
    CHECK(smtp::detail::kind_of(lower) == rule.kind);
    CHECK(!rule.reference.empty());
    (rule.verb == smtp::parameter_verb::mail ? mail : rcpt)++;
    // A keyword one character longer or shorter is unknown.
    CHECK(smtp::detail::kind_of(std::string(rule.keyword) + "X") == parameter_kind::unknown);
    CHECK(smtp::detail::kind_of(rule.keyword.substr(1)) == parameter_kind::unknown);
  }
  CHECK(mail == 11);
  CHECK(rcpt == 3);
  CHECK(smtp::detail::kind_of("SIZF") == parameter_kind::unknown);
  CHECK(smtp::detail::kind_of("4IZE") == parameter_kind::unknown);
  CHECK(smtp::detail::kind_of("MT_PRIORITY") == parameter_kind::unknown);
}

// ---------------------------------------------------------------------------
// One TEST_CASE per parameter rule

TEST_CASE("parameters: SIZE=1*20DIGIT fits in 64 bits (RFC 1870 §3)", "[smtp][parameters]") {
  CHECK(parse_ok("SIZE=0").declared_size().value == 0);
  CHECK(parse_ok("size=1000").declared_size().value == 1000);
  const auto max = parse_ok("SIZE=18446744073709551615").declared_size();
  CHECK(max.present);
  CHECK(max.ok());
  CHECK(max.value == 18446744073709551615u);
  CHECK(parse_ok("SIZE=00000000000000000001").declared_size().value == 1);  // 20 digits
  CHECK(mail_error("SIZE=18446744073709551615") == errc{});
  const std::string_view bad[] = {
      "SIZE=18446744073709551616",   // overflow by one
      "SIZE=99999999999999999999",   // 20 digits, overflow
      "SIZE=000000000000000000001",  // 21 digits
      "SIZE=100000000000000000000",  // 21 digits
      "SIZE",                        // RFC 1870 §6: value required
      "SIZE=-1",
      "SIZE=+1",
      "SIZE=1k",
      "SIZE=0x10",
      "SIZE=1.0",
      "SIZE=1,000",
  };
  for (auto in : bad) {
    INFO(in);
    const auto size = parse_ok(in).declared_size();
    CHECK(size.present);
    CHECK(size.error == errc::invalid_parameter_value);
    CHECK(size.value == 0);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
  CHECK(mail_error("SIZE=") == errc::invalid_parameter);  // grammar: empty value
}

TEST_CASE(
    "parameters: BODY=7BIT / 8BITMIME / BINARYMIME, case-insensitive (RFC 6152 §2, "
    "RFC 3030 §3)",
    "[smtp][parameters]") {
  CHECK(parse_ok("BODY=7BIT").body().value == smtp::body_type::seven_bit);
  CHECK(parse_ok("body=7bit").body().value == smtp::body_type::seven_bit);
  CHECK(parse_ok("BODY=8BITMIME").body().value == smtp::body_type::eight_bit_mime);
  CHECK(parse_ok("Body=8bitMime").body().value == smtp::body_type::eight_bit_mime);
  CHECK(parse_ok("BODY=BINARYMIME").body().value == smtp::body_type::binary_mime);
  CHECK(parse_ok("BODY=binarymime").body().ok());
  for (auto in : {"BODY", "BODY=8BIT", "BODY=7BITS", "BODY=BINARY", "BODY=8BITMIME,7BIT",
                  "BODY=\"7BIT\"", "BODY=7BIT;"}) {
    INFO(in);
    CHECK(parse_ok(in).body().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: SMTPUTF8 and REQUIRETLS take no value (RFC 6531 §3.4, RFC 8689 §2)",
          "[smtp][parameters]") {
  const auto list = parse_ok("SMTPUTF8 requiretls");
  CHECK(list.smtputf8().present);
  CHECK(list.smtputf8().value);
  CHECK(list.requiretls().present);
  CHECK(list.requiretls().value);
  CHECK(mail_error("SMTPUTF8 REQUIRETLS") == errc{});
  CHECK(!parse_ok("SIZE=1").smtputf8().present);
  // Valueless parameters take no "=" (RFC 6531 §3.4, RFC 8689 §2).
  for (auto in : {"SMTPUTF8=1", "SMTPUTF8=yes", "REQUIRETLS=1", "requiretls=NO"}) {
    INFO(in);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
  CHECK(parse_ok("SMTPUTF8=x").smtputf8().error == errc::invalid_parameter_value);
  CHECK(!parse_ok("SMTPUTF8=x").smtputf8().value);
}

TEST_CASE("parameters: AUTH=xtext decoding to a mailbox or <> (RFC 4954 §5)",
          "[smtp][parameters]") {
  CHECK(parse_ok("AUTH=<>").auth().value == "<>");
  CHECK(parse_ok("AUTH=e+3Dmc2@example.com").auth().value == "e+3Dmc2@example.com");
  CHECK(parse_ok("auth=joe@example.com").auth().ok());
  CHECK(parse_ok("AUTH=a+2bb@c").auth().ok());  // lower-case hex accepted
  CHECK(parse_ok("AUTH=\"a+20b\"@c").auth().ok());
  CHECK(parse_ok("AUTH=+C3+A9@c").auth().ok());  // 8-bit (UTF-8) mailbox
  for (auto in : {"AUTH=a+3", "AUTH=a+", "AUTH=+GG@x", "AUTH=a+4g@b"}) {
    INFO(in);
    CHECK(parse_ok(in).auth().error == errc::invalid_xtext);
    CHECK(mail_error(in) == errc::invalid_xtext);
  }
  // Controls decoded from xtext never belong in a mailbox (spool/header
  // injection, Exim 21Nails).
  for (auto in :
       {"AUTH", "AUTH=a+0Ab@c", "AUTH=a+0D+0Ab@c", "AUTH=+00", "AUTH=a+7F", "AUTH=a+1Fb"}) {
    INFO(in);
    CHECK(parse_ok(in).auth().error == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: RET=FULL / HDRS, case-insensitive (RFC 3461 §4.3)", "[smtp][parameters]") {
  CHECK(parse_ok("RET=FULL").ret().value == smtp::ret_type::full);
  CHECK(parse_ok("ret=hdrs").ret().value == smtp::ret_type::hdrs);
  CHECK(parse_ok("RET=Hdrs").ret().ok());
  for (auto in : {"RET", "RET=HEADERS", "RET=FULL,HDRS", "RET=NONE", "RET=HDR"}) {
    INFO(in);
    CHECK(parse_ok(in).ret().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: ENVID=xtext, at most 100 characters, printable ASCII (RFC 3461 §4.4)",
          "[smtp][parameters]") {
  CHECK(parse_ok("ENVID=QQ314159").envid().value == "QQ314159");
  CHECK(parse_ok("envid=a+20b+2Bc").envid().ok());  // SP and "+" are printable
  CHECK(parse_ok("ENVID=+7E").envid().ok());
  const std::string at(100, 'e'), over(101, 'e');
  const std::string envid_at = "ENVID=" + at, envid_over = "ENVID=" + over;
  CHECK(parse_ok(envid_at).envid().ok());
  CHECK(parse_ok(envid_over).envid().error == errc::invalid_parameter_value);
  const std::string escaped_at = "ENVID=" + std::string(97, 'e') + "+20";  // 100 as sent
  CHECK(parse_ok(escaped_at).envid().ok());
  const std::string escaped_over = "ENVID=" + std::string(98, 'e') + "+20";
  CHECK(parse_ok(escaped_over).envid().error == errc::invalid_parameter_value);
  // Broken xtext.
  for (auto in : {"ENVID=+", "ENVID=+3", "ENVID=+GG", "ENVID=a+z1"}) {
    INFO(in);
    CHECK(parse_ok(in).envid().error == errc::invalid_xtext);
    CHECK(mail_error(in) == errc::invalid_xtext);
  }
  // Valid xtext that decodes to control or 8-bit octets (Exim 21Nails).
  for (auto in : {"ENVID=a+0Ab", "ENVID=+0D+0A", "ENVID=+00", "ENVID=+1F", "ENVID=+7F", "ENVID=+80",
                  "ENVID=+C3+A9", "ENVID=+09", "ENVID"}) {
    INFO(in);
    CHECK(parse_ok(in).envid().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: NOTIFY=NEVER or a list of SUCCESS/FAILURE/DELAY (RFC 3461 §4.1)",
          "[smtp][parameters]") {
  auto notify = [](std::string_view in) { return parse_ok(in).notify(); };
  const auto never = notify("NOTIFY=NEVER");
  CHECK(never.value.never);
  CHECK(!never.value.success);
  CHECK(notify("notify=never").value.never);
  // NEVER stands alone; the others combine, in any case (RFC 3461 §4.1).
  const auto sd = notify("notify=success,delay");
  REQUIRE(sd.ok());
  CHECK(sd.value.success);
  CHECK(sd.value.delay);
  CHECK(!sd.value.failure);
  CHECK(!sd.value.never);
  const auto all = notify("NOTIFY=DELAY,Failure,SUCCESS");
  CHECK((all.value.success && all.value.failure && all.value.delay && !all.value.never));
  CHECK(notify("NOTIFY=FAILURE").value.failure);
  CHECK(rcpt_error("NOTIFY=SUCCESS,FAILURE") == errc{});
  for (auto in : {"NOTIFY", "NOTIFY=NEVER,SUCCESS", "NOTIFY=SUCCESS,NEVER", "NOTIFY=NEVER,NEVER",
                  "NOTIFY=SUCCESS,SUCCESS", "NOTIFY=success,Success", "NOTIFY=SUCCESS,",
                  "NOTIFY=,SUCCESS", "NOTIFY=SUCCESS,,DELAY", "NOTIFY=,", "NOTIFY=ALWAYS",
                  "NOTIFY=SUCCESS;DELAY", "NOTIFY=DELAYED"}) {
    INFO(in);
    CHECK(notify(in).error == errc::invalid_parameter_value);
    CHECK(rcpt_error(in) == errc::invalid_parameter_value);
  }
  // SP splits: "NOTIFY=SUCCESS," and an unknown keyword "DELAY".
  CHECK(rcpt_error("NOTIFY=SUCCESS, DELAY") == errc::invalid_parameter_value);
}

TEST_CASE("parameters: ORCPT=addr-type \";\" xtext, at most 500 characters (RFC 3461 §4.2)",
          "[smtp][parameters]") {
  const auto o = parse_ok("ORCPT=rfc822;a+2Bb@c").orcpt();
  REQUIRE(o.ok());
  CHECK(o.value.addr_type == "rfc822");
  CHECK(o.value.address == "a+2Bb@c");
  CHECK(parse_ok("orcpt=RFC822;joe@example.com").orcpt().value.addr_type == "RFC822");
  CHECK(parse_ok("ORCPT=x-local;a;b").orcpt().value.address == "a;b");
  CHECK(parse_ok("ORCPT=a+b;x").orcpt().value.addr_type == "a+b");  // "+" is atext
  // The whole parameter, "ORCPT=" included, is at most 500 characters.
  const std::string at = "ORCPT=rfc822;" + std::string(500 - 13, 'a');
  const std::string over = "ORCPT=rfc822;" + std::string(501 - 13, 'a');
  REQUIRE(at.size() == 500);
  CHECK(parse_ok(at).orcpt().ok());
  CHECK(parse_ok(over).orcpt().error == errc::invalid_parameter_value);
  for (auto in :
       {"ORCPT", "ORCPT=rfc822", "ORCPT=;a@b", "ORCPT=rfc822;", "ORCPT=rf(c);a@b",
        "ORCPT=rfc.822;a@b", "ORCPT=rfc822;a+0Ab@c", "ORCPT=rfc822;+00", "ORCPT=rfc822;+C3+A9@c"}) {
    INFO(in);
    CHECK(parse_ok(in).orcpt().error == errc::invalid_parameter_value);
    CHECK(rcpt_error(in) == errc::invalid_parameter_value);
  }
  // RFC 6533: the utf-8 addr-type, as utf-8-addr-xtext (plain xchars) or,
  // under SMTPUTF8, utf-8-addr-unitext (raw UTF-8).
  CHECK(rcpt_error("ORCPT=utf-8;j\\x{E9}r\\x{F4}me@example.com") == errc{});
  smtp::parameter_options utf8;
  utf8.utf8 = true;
  const auto unitext = smtp::parse_parameters("ORCPT=UTF-8;j\xc3\xa9r\xc3\xb4me@example.com", utf8);
  REQUIRE(unitext.ok());
  CHECK(unitext.list.orcpt().ok());
  CHECK(unitext.list.orcpt().value.address == "j\xc3\xa9r\xc3\xb4me@example.com");
  const auto rfc822 = smtp::parse_parameters("ORCPT=rfc822;j\xc3\xa9r\xc3\xb4me@example.com", utf8);
  REQUIRE(rfc822.ok());
  CHECK(rfc822.list.orcpt().error == errc::invalid_xtext);
  const auto control = smtp::parse_parameters("ORCPT=utf-8;\xc3\xa9+0A@example.com", utf8);
  REQUIRE(control.ok());
  CHECK(control.list.orcpt().error == errc::invalid_parameter_value);
  for (auto in : {"ORCPT=rfc822;a+", "ORCPT=rfc822;a+3", "ORCPT=rfc822;a+GGb"}) {
    INFO(in);
    CHECK(parse_ok(in).orcpt().error == errc::invalid_xtext);
    CHECK(rcpt_error(in) == errc::invalid_xtext);
  }
}

TEST_CASE("parameters: MT-PRIORITY is \"0\" or [\"-\"] NZDIGIT (RFC 6710 §3)",
          "[smtp][parameters]") {
  for (int v = -9; v <= 9; ++v) {
    const std::string in = "MT-PRIORITY=" + std::to_string(v);
    INFO(in);
    const auto pr = parse_ok(in).mt_priority();
    CHECK(pr.ok());
    CHECK(pr.value == v);
    CHECK(mail_error(in) == errc{});
  }
  CHECK(parse_ok("mt-priority=3").mt_priority().value == 3);
  // RFC 6710 §3: priority-value = (["-"] NZDIGIT) / "0".
  for (auto in : {"MT-PRIORITY", "MT-PRIORITY=+1", "MT-PRIORITY=-0", "MT-PRIORITY=05",
                  "MT-PRIORITY=00", "MT-PRIORITY=10", "MT-PRIORITY=-10", "MT-PRIORITY=--1",
                  "MT-PRIORITY=a", "MT-PRIORITY=1.5", "MT-PRIORITY=-"}) {
    INFO(in);
    CHECK(parse_ok(in).mt_priority().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: BY=by-time \";\" by-mode [by-trace] (RFC 2852 §4)", "[smtp][parameters]") {
  auto by = [](std::string_view in) { return parse_ok(in).by(); };
  auto r = by("BY=120;R");
  REQUIRE(r.ok());
  CHECK(r.value.seconds == 120);
  CHECK(r.value.mode == smtp::by_mode::return_message);
  CHECK(!r.value.trace);
  r = by("BY=-10;N");
  REQUIRE(r.ok());
  CHECK(r.value.seconds == -10);
  CHECK(r.value.mode == smtp::by_mode::notify);
  r = by("BY=+5;NT");
  REQUIRE(r.ok());
  CHECK(r.value.seconds == 5);
  CHECK(r.value.trace);
  CHECK(by("BY=0;N").ok());
  CHECK(by("by=1;rt").value.trace);  // ABNF literals are case-insensitive
  CHECK(by("BY=999999999;R").value.seconds == 999999999);
  CHECK(by("BY=-999999999;N").value.seconds == -999999999);
  CHECK(by("BY=000000001;R").value.seconds == 1);
  CHECK(by("BY=-0;N").ok());
  for (auto in :
       {"BY",        "BY=120",     "BY=120;",  "BY=;R",           "BY=120;X",         "BY=120;RX",
        "BY=120;TR", "BY=120;RTT", "BY=120;T", "BY=1000000000;R", "BY=-1000000000;N",
        "BY=0;R",    // mode R needs a positive time
        "BY=-10;R",  //
        "BY=-0;R",   //
        "BY=+-5;N",  "BY=-+5;N",   "BY=5 ;N",  "BY=1.5;N",        "BY=12;N;T",        "BY=+;N"}) {
    INFO(in);
    const auto res = mail_error(in);
    if (res == errc::invalid_parameter) continue;  // "BY=5 ;N" fails the generic grammar
    CHECK(parse_ok(in).by().error == errc::invalid_parameter_value);
    CHECK(res == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: HOLDFOR=1*DIGIT seconds, overflow-checked (RFC 4865 §3)",
          "[smtp][parameters]") {
  CHECK(parse_ok("HOLDFOR=0").holdfor().value == 0);
  CHECK(parse_ok("holdfor=86400").holdfor().value == 86400);
  CHECK(parse_ok("HOLDFOR=4294967295").holdfor().value == 4294967295u);
  CHECK(parse_ok("HOLDFOR=00000000000000000300").holdfor().value == 300);
  for (auto in : {"HOLDFOR", "HOLDFOR=4294967296", "HOLDFOR=99999999999999999999999", "HOLDFOR=-1",
                  "HOLDFOR=+1", "HOLDFOR=1h", "HOLDFOR=1.5"}) {
    INFO(in);
    CHECK(parse_ok(in).holdfor().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: HOLDUNTIL=date-time (RFC 4865 §3, erratum 2040; RFC 3339 §5.6)",
          "[smtp][parameters]") {
  const std::string_view good[] = {
      "HOLDUNTIL=2026-11-27T10:00:00Z",      "holduntil=2026-11-27t10:00:00z",
      "HOLDUNTIL=2026-11-27T10:00:00.5Z",    "HOLDUNTIL=2026-11-27T10:00:00.123456789Z",
      "HOLDUNTIL=2026-11-27T10:00:00+01:00", "HOLDUNTIL=2026-11-27T10:00:00-05:30",
      "HOLDUNTIL=2026-11-27T23:59:60Z",      "HOLDUNTIL=2024-02-29T00:00:00Z",
      "HOLDUNTIL=2000-02-29T00:00:00Z",      "HOLDUNTIL=2026-01-31T00:00:00Z",
      "HOLDUNTIL=2026-04-30T00:00:00Z",      "HOLDUNTIL=2026-12-31T23:59:59+23:59",
      "HOLDUNTIL=0000-01-01T00:00:00Z",      "HOLDUNTIL=1996-12-19T16:39:57-08:00",
  };
  for (auto in : good) {
    INFO(in);
    const auto r = parse_ok(in).holduntil();
    CHECK(r.ok());
    CHECK(r.value == in.substr(10));
    CHECK(mail_error(in) == errc{});
  }
  const std::string_view bad[] = {
      "HOLDUNTIL",
      "HOLDUNTIL=2026-13-01T00:00:00Z",   // month 13
      "HOLDUNTIL=2026-00-01T00:00:00Z",   // month 0
      "HOLDUNTIL=2026-01-00T00:00:00Z",   // day 0
      "HOLDUNTIL=2026-01-32T00:00:00Z",   // day 32
      "HOLDUNTIL=2026-04-31T00:00:00Z",   // April has 30
      "HOLDUNTIL=2026-02-29T00:00:00Z",   // not a leap year
      "HOLDUNTIL=1900-02-29T00:00:00Z",   // century, not a leap year
      "HOLDUNTIL=2026-11-27T24:00:00Z",   // hour 24
      "HOLDUNTIL=2026-11-27T10:60:00Z",   // minute 60
      "HOLDUNTIL=2026-11-27T10:00:61Z",   // second 61
      "HOLDUNTIL=2026-11-27T10:00:00",    // no offset
      "HOLDUNTIL=2026-11-27T10:00:00.Z",  // empty fraction
      "HOLDUNTIL=2026-11-27T10:00:00+24:00",
      "HOLDUNTIL=2026-11-27T10:00:00+01:60",
      "HOLDUNTIL=2026-11-27T10:00:00+0100",
      "HOLDUNTIL=2026-11-27T10:00:00+01",
      "HOLDUNTIL=2026-11-27T10:00:00ZZ",
      "HOLDUNTIL=2026-11-27T10:00:00Z+01:00",
      "HOLDUNTIL=2026-11-27 10:00:00Z",
      "HOLDUNTIL=2026-11-27_10:00:00Z",
      "HOLDUNTIL=26-11-27T10:00:00Z",
      "HOLDUNTIL=2026-1-27T10:00:00Z",
      "HOLDUNTIL=2026-11-27T10:00Z",
      "HOLDUNTIL=2026/11/27T10:00:00Z",
      "HOLDUNTIL=2026-11-27T1a:00:00Z",
      "HOLDUNTIL=+026-11-27T10:00:00Z",
      "HOLDUNTIL=2026-11-27",
      "HOLDUNTIL=2026-11-27T10:00:00+01:00:00",
  };
  for (auto in : bad) {
    INFO(in);
    const auto gen = parse_error(in);
    if (gen != errc{}) {
      CHECK(gen == errc::invalid_parameter);  // the SP one fails the generic grammar
      continue;
    }
    CHECK(parse_ok(in).holduntil().error == errc::invalid_parameter_value);
    CHECK(mail_error(in) == errc::invalid_parameter_value);
  }
}

TEST_CASE("parameters: HOLDFOR and HOLDUNTIL exclude each other (RFC 4865 §3)",
          "[smtp][parameters]") {
  const std::string_view text = "HOLDFOR=60 SIZE=1 HOLDUNTIL=2026-11-27T10:00:00Z";
  const auto c = smtp::check_mail_parameters(parse_ok(text));
  CHECK(c.error == errc::conflicting_parameters);
  CHECK(c.offending == "HOLDUNTIL=2026-11-27T10:00:00Z");
  CHECK(c.offending.data() == text.data() + 18);
  const auto c2 = smtp::check_mail_parameters(parse_ok("holduntil=2026-11-27T10:00:00Z HOLDFOR=1"));
  CHECK(c2.error == errc::conflicting_parameters);
  CHECK(c2.offending == "HOLDFOR=1");
  // A bad value is reported before the conflict.
  CHECK(mail_error("HOLDFOR=x HOLDUNTIL=2026-11-27T10:00:00Z") == errc::invalid_parameter_value);
  CHECK(mail_error("HOLDFOR=60") == errc{});
  CHECK(mail_error("HOLDUNTIL=2026-11-27T10:00:00Z") == errc{});
}

TEST_CASE("parameters: RRVS=date-time [\";\" (\"C\" / \"R\")] (RFC 7293 §3)",
          "[smtp][parameters]") {
  auto r = parse_ok("RRVS=2014-04-03T23:01:00Z;C").rrvs();
  REQUIRE(r.ok());
  CHECK(r.value.date_time == "2014-04-03T23:01:00Z");
  CHECK(r.value.mode == smtp::rrvs_mode::continue_delivery);
  r = parse_ok("RRVS=2014-04-03T23:01:00Z").rrvs();
  REQUIRE(r.ok());
  CHECK(r.value.mode == smtp::rrvs_mode::reject);  // R is the default
  CHECK(parse_ok("rrvs=2014-04-03T23:01:00-07:00;R").rrvs().value.mode == smtp::rrvs_mode::reject);
  CHECK(parse_ok("RRVS=2014-04-03T23:01:00Z;c").rrvs().value.mode ==
        smtp::rrvs_mode::continue_delivery);
  CHECK(rcpt_error("RRVS=2014-04-03T23:01:00Z;C") == errc{});
  for (auto in : {"RRVS", "RRVS=2014-04-03T23:01:00Z;", "RRVS=2014-04-03T23:01:00Z;X",
                  "RRVS=2014-04-03T23:01:00Z;CR", "RRVS=2014-04-03;C", "RRVS=;C",
                  "RRVS=2014-02-30T23:01:00Z", "RRVS=2014-04-03T23:01:00Z;C;R"}) {
    INFO(in);
    CHECK(parse_ok(in).rrvs().error == errc::invalid_parameter_value);
    CHECK(rcpt_error(in) == errc::invalid_parameter_value);
  }
}

// ---------------------------------------------------------------------------
// The checks per verb

TEST_CASE(
    "parameters: check_mail_parameters checks MAIL's known parameters only "
    "(RFC 5321 §4.1.1.11)",
    "[smtp][parameters]") {
  // Unknown keywords and RCPT parameters pass: supporting them is the
  // server's call (555).
  CHECK(mail_error("SIZE=1 X-ANYTHING=%% NOTIFY=bogus ORCPT=bad RRVS=bad") == errc{});
  CHECK(rcpt_error("NOTIFY=NEVER SIZE=bogus BODY=x ENVID=+ AUTH=+ SMTPUTF8=1") == errc{});
  // MAIL FROM:<> SIZE=10 RET=HDRS is valid (RFC 1870 §6, RFC 3461 §4.3).
  CHECK(mail_error("SIZE=10 RET=HDRS") == errc{});
  CHECK(mail_error("SIZE=10 BODY=8BITMIME SMTPUTF8 REQUIRETLS AUTH=<> RET=FULL ENVID=QQ314159 "
                   "MT-PRIORITY=-3 BY=120;RT HOLDFOR=60") == errc{});
  CHECK(rcpt_error("NOTIFY=FAILURE,DELAY ORCPT=rfc822;joe@example.com "
                   "RRVS=2014-04-03T23:01:00Z") == errc{});
  CHECK(smtp::check_mail_parameters(smtp::parameter_list{}).ok());
  CHECK(smtp::check_rcpt_parameters(smtp::parameter_list{}).ok());
}

TEST_CASE("parameters: the first bad parameter in text order is reported (RFC 3461 §5.1)",
          "[smtp][parameters]") {
  // RET comes after BODY in the table, but first in the text.
  const std::string_view text = "RET=X SIZE=1 BODY=Y ENVID=+";
  const auto c = smtp::check_mail_parameters(parse_ok(text));
  CHECK(c.error == errc::invalid_parameter_value);
  CHECK(c.offending == "RET=X");
  CHECK(c.offending.data() == text.data());
  const std::string_view text2 = "SIZE=1 ENVID=+ BODY=Y";
  const auto c2 = smtp::check_mail_parameters(parse_ok(text2));
  CHECK(c2.error == errc::invalid_xtext);
  CHECK(c2.offending == "ENVID=+");
  CHECK(c2.offending.data() == text2.data() + 7);
  const auto c3 = smtp::check_rcpt_parameters(parse_ok("ORCPT=rfc822;a NOTIFY=NEVER,DELAY"));
  CHECK(c3.offending == "NOTIFY=NEVER,DELAY");
}

TEST_CASE("parameters: random lines match a naive model of the grammar (RFC 5321 §4.1.2)",
          "[smtp][parameters][property]") {
  // Builds lines from a few pieces, good and bad, and compares the parser
  // with a straightforward re-implementation.
  const std::vector<std::string> pieces = {"SIZE=1",       "size=20",    "BODY=8BITMIME",  "X-A",
                                           "x-a=1",        "Y=\xc3\xa9", "Z=a=b",          "Q=",
                                           "=v",           "-K",         "K-=v",           "",
                                           "NOTIFY=NEVER", "A\tB",       "ORCPT=rfc822;x", "K=\x01",
                                           "W=~",          "E=\xff"};
  std::mt19937 rng(0x5321u);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(0, 6);
  auto model = [](const std::string& text, bool utf8, std::size_t max) {
    if (text.empty()) return errc{};
    std::set<std::string> seen;
    std::size_t n = 0, pos = 0;
    for (;;) {
      const std::size_t end = std::min(text.find(' ', pos), text.size());
      const std::string p = text.substr(pos, end - pos);
      const std::size_t eq = p.find('=');
      const std::string k = p.substr(0, eq);
      if (k.empty() || !mailwire::ascii::is_alnum(static_cast<unsigned char>(k[0])))
        return errc::invalid_parameter;
      for (char c : k)
        if (!mailwire::ascii::is_alnum(static_cast<unsigned char>(c)) && c != '-')
          return errc::invalid_parameter;
      if (eq != std::string::npos) {
        const std::string v = p.substr(eq + 1);
        if (v.empty()) return errc::invalid_parameter;
        for (char c : v) {
          const auto u = static_cast<unsigned char>(c);
          if (u >= 0x80 && utf8) {
            if (v != "\xc3\xa9") return errc::invalid_utf8;  // the only 8-bit pieces
            continue;
          }
          if (u < 33 || u > 126 || u == '=') return errc::invalid_parameter;
        }
      }
      if (++n > max) return errc::too_many_parameters;
      std::string folded = k;
      for (auto& c : folded) c = mailwire::ascii::to_upper(c);
      if (!seen.insert(folded).second) return errc::duplicate_parameter;
      if (end == text.size()) return errc{};
      pos = end + 1;
    }
  };
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int n = count(rng);
    for (int i = 0; i < n; ++i) {
      if (i) text += ' ';
      text += pieces[pick(rng)];
    }
    smtp::parameter_options options;
    options.utf8 = round % 2 == 1;
    options.max_parameters = static_cast<std::size_t>(round % 7);
    INFO(text << " utf8=" << options.utf8 << " max=" << options.max_parameters);
    const auto r = smtp::parse_parameters(text, options);
    REQUIRE(r.error == model(text, options.utf8, options.max_parameters));
    if (r.ok()) {
      std::string rebuilt;
      for (const auto& p : r.list) {
        if (!rebuilt.empty()) rebuilt += ' ';
        rebuilt += std::string(p.keyword) + (p.has_value ? "=" + std::string(p.value) : "");
      }
      CHECK(rebuilt == text);
    }
  }
}

TEST_CASE(
    "parameters: known parameters far into the text or longer than 254 octets are found exactly "
    "(RFC 5321 §4.1.2)",
    "[smtp][parameters]") {
  // The list records a known parameter's offset in 24 bits and its length in
  // 8; past those it finds the parameter again. Every accessor must give the
  // same views either way.
  const std::string address(300, 'x');
  const std::string tail = "SIZE=5 NOTIFY=DELAY,FAILURE ORCPT=rfc822;" + address + " BODY=7BIT";
  for (const std::size_t pad : {std::size_t{0}, std::size_t{100}, (std::size_t{1} << 24) - 9,
                                (std::size_t{1} << 24) - 7, std::size_t{1} << 24}) {
    const std::string prefix = pad == 0 ? std::string() : "X-PAD=" + std::string(pad, 'a') + " ";
    const std::string text = prefix + tail;
    INFO("pad " << pad);
    smtp::parameter_options options;
    options.max_parameters = 8;
    const auto r = smtp::parse_parameters(text, options);
    REQUIRE(r.ok());
    const smtp::parameter_list& list = r.list;
    const std::size_t base = prefix.size();
    CHECK(list.position(parameter_kind::size) == base);
    CHECK(list.position(parameter_kind::notify) == base + 7);
    CHECK(list.position(parameter_kind::orcpt) == base + 28);
    CHECK(list.position(parameter_kind::body) == text.size() - 9);
    CHECK(list.declared_size().value == 5);
    CHECK(list.body().value == smtp::body_type::seven_bit);
    CHECK(list.notify().value.delay);
    CHECK(list.notify().value.failure);
    const auto orcpt = list.orcpt();
    REQUIRE(orcpt.ok());
    CHECK(orcpt.value.address == address);
    CHECK(orcpt.value.address.data() == text.data() + base + 41);
    CHECK(list.find("orcpt")->value.size() == 7 + address.size());
    CHECK(smtp::check_mail_parameters(list).ok());
    CHECK(smtp::check_rcpt_parameters(list).ok());
  }
  // A bad value past the limits is still reported at its own text.
  const std::string bad = "X-PAD=" + std::string(std::size_t{1} << 24, 'a') + " ORCPT=rfc822;+GG" +
                          address + " NOTIFY=NEVER,DELAY";
  smtp::parameter_options options;
  const auto r = smtp::parse_parameters(bad, options);
  REQUIRE(r.ok());
  const auto check = smtp::check_rcpt_parameters(r.list);
  CHECK(check.error == errc::invalid_xtext);
  CHECK(check.offending.data() == bad.data() + (std::size_t{1} << 24) + 7);
  CHECK(check.offending.size() == 16 + address.size());
}

TEST_CASE(
    "parameters: all_known_for() is false for unknown and other-verb keywords "
    "(RFC 5321 §4.1.1.11)",
    "[smtp][parameters]") {
  using smtp::parameter_verb;
  CHECK(parse_ok("SIZE=1 BODY=8BITMIME SMTPUTF8").all_known_for(parameter_verb::mail));
  CHECK(parse_ok("NOTIFY=NEVER ORCPT=rfc822;a@b.example").all_known_for(parameter_verb::rcpt));
  CHECK(parse_ok("").all_known_for(parameter_verb::mail));
  // Known, but of the other verb: check_*_parameters let them pass, a server answers 555.
  CHECK_FALSE(parse_ok("NOTIFY=NEVER").all_known_for(parameter_verb::mail));
  CHECK_FALSE(parse_ok("SIZE=5").all_known_for(parameter_verb::rcpt));
  CHECK_FALSE(parse_ok("NOTIFY=NEVER").has_unknown());
  // Unknown keywords.
  CHECK_FALSE(parse_ok("SIZE=1 X-TRACE=on").all_known_for(parameter_verb::mail));
}
