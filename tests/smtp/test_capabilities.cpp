// The EHLO capabilities value (RFC 5321 §4.1.1.1 and the extensions of
// PROTOCOLS.md §2.0): flags, parameters, unknown keywords, the lines it
// stands for, and equality.
#include <mailwire/smtp/capabilities.hpp>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "catch.hpp"

using mailwire::errc;
using mailwire::smtp::capabilities;
using mailwire::smtp::ehlo_limit;
using mailwire::smtp::extension;
using mailwire::smtp::sasl_mechanism;

namespace {

constexpr extension all_extensions[] = {
    extension::size,      extension::eightbitmime,  extension::pipelining,
    extension::chunking,  extension::binarymime,    extension::starttls,
    extension::auth,      extension::dsn,           extension::enhancedstatuscodes,
    extension::smtputf8,  extension::requiretls,    extension::mt_priority,
    extension::deliverby, extension::futurerelease, extension::rrvs,
    extension::etrn,      extension::vrfy,          extension::expn,
    extension::help,      extension::limits,
};

constexpr sasl_mechanism all_mechanisms[] = {
    sasl_mechanism::plain,
    sasl_mechanism::login,
    sasl_mechanism::cram_md5,
    sasl_mechanism::xoauth2,
    sasl_mechanism::oauthbearer,
    sasl_mechanism::scram_sha_1,
    sasl_mechanism::scram_sha_1_plus,
    sasl_mechanism::scram_sha_256,
    sasl_mechanism::scram_sha_256_plus,
    sasl_mechanism::gssapi,
    sasl_mechanism::external,
    sasl_mechanism::anonymous,
};

std::vector<std::string> lines_of(const capabilities& c) {
  std::vector<std::string> out;
  c.for_each_line([&](std::string_view line) { out.emplace_back(line); });
  return out;
}

std::vector<std::string> texts(capabilities::text_range r) {
  std::vector<std::string> out;
  for (const std::string_view s : r) out.emplace_back(s);
  return out;
}

std::vector<std::string> mechanisms_of(const capabilities& c) {
  std::vector<std::string> out;
  c.for_each_mechanism([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

// ehlo-line = ehlo-keyword *(SP ehlo-param), written out independently of the
// header so that the check can disagree with it.
bool is_ehlo_line(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s[0])) return false;
  while (i < s.size() && (alnum(s[i]) || s[i] == '-')) ++i;
  while (i < s.size()) {
    if (s[i] != ' ') return false;
    const std::size_t start = ++i;
    while (i < s.size() && s[i] >= 33 && s[i] <= 126) ++i;
    if (i == start) return false;
  }
  return true;
}

capabilities everything() {
  capabilities c;
  c.set_size_limit(35882577);
  for (const auto e : all_extensions) c.set(e);
  for (const auto m : all_mechanisms) c.add_mechanism(m);
  REQUIRE(c.add_mechanism("x-custom") == errc{});
  REQUIRE(c.set_mt_priority("MIXER") == errc{});
  REQUIRE(c.set_deliverby_min_by_time(240) == errc{});
  REQUIRE(c.set_future_release(604800, "2030-01-01T00:00:00Z") == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptmax, 100) == errc{});
  REQUIRE(c.set_limit(ehlo_limit::mailmax, 10) == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptdomainmax, 5) == errc{});
  REQUIRE(c.add_keyword("X-FOO a b") == errc{});
  REQUIRE(c.add_keyword("XCLIENT NAME ADDR") == errc{});
  c.set_legacy_auth_equals(true);
  return c;
}

constexpr bool constexpr_capabilities() {
  capabilities c;
  c.set_size_limit(1000);
  c.add_mechanism(sasl_mechanism::plain);
  if (c.add_mechanism("X-ONE") != errc{}) return false;
  if (c.add_keyword("X-FOO bar") != errc{}) return false;
  std::size_t n = 0;
  c.for_each_line([&n](std::string_view) { ++n; });
  capabilities d = c;
  return n == 3 && c.line_count() == 3 && c == d && c.has(extension::auth) &&
         c.find_keyword("x-foo") == std::string_view("bar");
}

}  // namespace

static_assert(constexpr_capabilities(), "capabilities is usable in constant expressions");
static_assert(std::is_trivially_copyable_v<capabilities>, "a plain value, no heap");

TEST_CASE("capabilities: every extension has its EHLO keyword (PROTOCOLS.md §2.0)",
          "[smtp][capabilities]") {
  using mailwire::smtp::keyword;
  const std::string_view expected[] = {"SIZE",      "8BITMIME",      "PIPELINING",
                                       "CHUNKING",  "BINARYMIME",    "STARTTLS",
                                       "AUTH",      "DSN",           "ENHANCEDSTATUSCODES",
                                       "SMTPUTF8",  "REQUIRETLS",    "MT-PRIORITY",
                                       "DELIVERBY", "FUTURERELEASE", "RRVS",
                                       "ETRN",      "VRFY",          "EXPN",
                                       "HELP",      "LIMITS"};
  static_assert(sizeof expected / sizeof expected[0] ==
                sizeof all_extensions / sizeof all_extensions[0]);
  for (std::size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
    INFO(i);
    CHECK(keyword(all_extensions[i]) == expected[i]);
    CHECK(mailwire::smtp::extension_from_keyword(expected[i]) == all_extensions[i]);
  }
  CHECK(keyword(static_cast<extension>(200)).empty());
}

TEST_CASE("capabilities: EHLO keywords compare case-insensitively (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities]") {
  using mailwire::smtp::extension_from_keyword;
  CHECK(extension_from_keyword("8bitmime") == extension::eightbitmime);
  CHECK(extension_from_keyword("Mt-Priority") == extension::mt_priority);
  CHECK(extension_from_keyword("starttls") == extension::starttls);
  CHECK_FALSE(extension_from_keyword("X-FOO"));
  CHECK_FALSE(extension_from_keyword("SIZ"));
  CHECK_FALSE(extension_from_keyword("SIZE "));
  CHECK_FALSE(extension_from_keyword(""));
  CHECK_FALSE(extension_from_keyword("AUTH=LOGIN"));
}

TEST_CASE("capabilities: SASL mechanism names map both ways, case-insensitively (RFC 4422 §3.1)",
          "[smtp][capabilities][auth]") {
  using mailwire::smtp::mechanism_from_name;
  using mailwire::smtp::name;
  const std::string_view expected[] = {"PLAIN",
                                       "LOGIN",
                                       "CRAM-MD5",
                                       "XOAUTH2",
                                       "OAUTHBEARER",
                                       "SCRAM-SHA-1",
                                       "SCRAM-SHA-1-PLUS",
                                       "SCRAM-SHA-256",
                                       "SCRAM-SHA-256-PLUS",
                                       "GSSAPI",
                                       "EXTERNAL",
                                       "ANONYMOUS"};
  for (std::size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
    INFO(expected[i]);
    CHECK(name(all_mechanisms[i]) == expected[i]);
    CHECK(mechanism_from_name(expected[i]) == all_mechanisms[i]);
    std::string lower(expected[i]);
    for (auto& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    CHECK(mechanism_from_name(lower) == all_mechanisms[i]);
  }
  CHECK(mechanism_from_name("scram-sha-256-plus") == sasl_mechanism::scram_sha_256_plus);
  CHECK_FALSE(mechanism_from_name("SCRAM-SHA-512"));
  CHECK_FALSE(mechanism_from_name("PLAIN "));
  CHECK_FALSE(mechanism_from_name(""));
  CHECK(name(static_cast<sasl_mechanism>(99)).empty());
  CHECK(name(ehlo_limit::rcptmax) == "RCPTMAX");
  CHECK(name(ehlo_limit::mailmax) == "MAILMAX");
  CHECK(name(ehlo_limit::rcptdomainmax) == "RCPTDOMAINMAX");
  CHECK(name(static_cast<ehlo_limit>(7)).empty());
}

TEST_CASE("capabilities: a default value advertises nothing", "[smtp][capabilities]") {
  const capabilities c;
  for (const auto e : all_extensions) CHECK_FALSE(c.has(e));
  CHECK(c.line_count() == 0);
  CHECK(lines_of(c).empty());
  CHECK(c.keywords().empty());
  CHECK(c.other_mechanisms().empty());
  CHECK(c.size_limit() == 0);
  CHECK(c.mt_priority_profile().empty());
  CHECK_FALSE(c.deliverby_min_by_time());
  CHECK(c.future_release_max_date_time().empty());
  CHECK_FALSE(c.legacy_auth_equals());
  CHECK(c.validate() == errc{});
}

TEST_CASE("capabilities: set, has and clear for every extension, one at a time",
          "[smtp][capabilities]") {
  for (const auto e : all_extensions) {
    INFO(mailwire::smtp::keyword(e));
    capabilities c;
    c.set(e);
    for (const auto other : all_extensions) CHECK(c.has(other) == (other == e));
    CHECK(c.line_count() == 1);
    const auto lines = lines_of(c);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == mailwire::smtp::keyword(e));
    c.set(e);  // idempotent
    CHECK(c.line_count() == 1);
    c.clear(e);
    CHECK_FALSE(c.has(e));
    CHECK(c == capabilities{});
  }
  capabilities c;
  c.set(static_cast<extension>(40));  // no enumerator: ignored
  CHECK(c == capabilities{});
  CHECK_FALSE(c.has(static_cast<extension>(40)));
}

TEST_CASE("capabilities: SIZE keeps its limit; 0 is no fixed limit, written bare (RFC 1870 §4)",
          "[smtp][capabilities][size]") {
  capabilities c;
  c.set_size_limit(10240000);
  CHECK(c.has(extension::size));
  CHECK(c.size_limit() == 10240000);
  CHECK(lines_of(c) == std::vector<std::string>{"SIZE 10240000"});
  c.set_size_limit(0);
  CHECK(c.has(extension::size));
  CHECK(lines_of(c) == std::vector<std::string>{"SIZE"});
  c.set_size_limit(UINT64_MAX);  // 1*20DIGIT
  CHECK(lines_of(c) == std::vector<std::string>{"SIZE 18446744073709551615"});
  c.set_size_limit(1);
  CHECK(lines_of(c) == std::vector<std::string>{"SIZE 1"});
  c.clear(extension::size);
  CHECK(c.size_limit() == 0);
  CHECK(c == capabilities{});
}

TEST_CASE("capabilities: AUTH mechanisms imply AUTH and list in a fixed order (RFC 4954 §3)",
          "[smtp][capabilities][auth]") {
  capabilities c;
  c.add_mechanism(sasl_mechanism::login);
  CHECK(c.has(extension::auth));
  c.add_mechanism(sasl_mechanism::plain);
  c.add_mechanism(sasl_mechanism::plain);  // once only
  CHECK(c.has_mechanism(sasl_mechanism::plain));
  CHECK(c.has_mechanism(sasl_mechanism::login));
  CHECK_FALSE(c.has_mechanism(sasl_mechanism::gssapi));
  CHECK(lines_of(c) == std::vector<std::string>{"AUTH PLAIN LOGIN"});

  capabilities all;
  for (const auto m : all_mechanisms) all.add_mechanism(m);
  CHECK(lines_of(all) ==
        std::vector<std::string>{"AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER SCRAM-SHA-1 "
                                 "SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS GSSAPI "
                                 "EXTERNAL ANONYMOUS"});
  all.add_mechanism(static_cast<sasl_mechanism>(50));  // no enumerator: ignored
  CHECK_FALSE(all.has_mechanism(static_cast<sasl_mechanism>(50)));
  all.clear(extension::auth);
  CHECK(all == capabilities{});
}

TEST_CASE("capabilities: AUTH mechanisms by name; well-known names map to the enum (RFC 4422 §3.1)",
          "[smtp][capabilities][auth]") {
  capabilities c;
  CHECK(c.add_mechanism("cram-md5") == errc{});
  CHECK(c.has_mechanism(sasl_mechanism::cram_md5));
  CHECK(c.other_mechanisms().empty());
  CHECK(c.add_mechanism("x-Custom_1") == errc{});
  CHECK(c.add_mechanism("NTLM") == errc{});
  CHECK(c.add_mechanism("ntlm") == errc{});  // already there: no second copy
  CHECK(texts(c.other_mechanisms()) == std::vector<std::string>{"X-CUSTOM_1", "NTLM"});
  CHECK(c.other_mechanisms().size() == 2);
  CHECK(c.has_mechanism("X-CUSTOM_1"));
  CHECK(c.has_mechanism("ntlm"));
  CHECK(c.has_mechanism("Cram-MD5"));
  CHECK_FALSE(c.has_mechanism("PLAIN"));
  CHECK_FALSE(c.has_mechanism("NTL"));
  CHECK(mechanisms_of(c) == std::vector<std::string>{"CRAM-MD5", "X-CUSTOM_1", "NTLM"});
  CHECK(lines_of(c) == std::vector<std::string>{"AUTH CRAM-MD5 X-CUSTOM_1 NTLM"});
}

TEST_CASE("capabilities: invalid mechanism names are refused and change nothing (RFC 4422 §3.1)",
          "[smtp][capabilities][auth]") {
  const std::string_view bad[] = {"",
                                  "ABCDEFGHIJKLMNOPQRSTU",  // 21
                                  "PL AIN",
                                  "PLAIN\r\n",
                                  "PLAIN\nAUTH LOGIN",
                                  std::string_view("PL\0IN", 5),
                                  "PL.AIN",
                                  "PLAIN=",
                                  "*",
                                  "\xc3\x84PLAIN"};
  for (const auto name : bad) {
    INFO(std::string(name));
    capabilities c;
    CHECK(c.add_mechanism(name) == errc::invalid_mechanism);
    CHECK(c == capabilities{});
    CHECK_FALSE(c.has(extension::auth));
  }
  capabilities c;
  CHECK(c.add_mechanism("ABCDEFGHIJKLMNOPQRST") == errc{});  // 20: the longest
  CHECK(c.has_mechanism("abcdefghijklmnopqrst"));
}

TEST_CASE("capabilities: the mechanism arena refuses names beyond its capacity",
          "[smtp][capabilities][auth]") {
  capabilities c;
  // Each 20-character name takes 21 bytes of the 192.
  std::size_t added = 0;
  for (char i = 'A'; i <= 'Z'; ++i) {
    const std::string name = std::string("X-") + i + std::string(17, 'M');
    REQUIRE(name.size() == 20);
    const errc e = c.add_mechanism(name);
    if (e == errc::buffer_too_small) {
      CHECK(added == capabilities::other_mechanism_capacity / 21);
      const capabilities before = c;
      CHECK(c.add_mechanism(std::string("X-") + i + "Z") == errc::buffer_too_small);
      CHECK(c == before);
      // Known names have bits and still fit; a name already there is no error.
      CHECK(c.add_mechanism("PLAIN") == errc{});
      CHECK(c.add_mechanism("X-AMMMMMMMMMMMMMMMMM") == errc{});
      return;
    }
    REQUIRE(e == errc{});
    ++added;
  }
  FAIL("the arena never filled");
}

TEST_CASE("capabilities: MT-PRIORITY with and without a profile (RFC 6710 §3)",
          "[smtp][capabilities][mt-priority]") {
  capabilities c;
  CHECK(c.set_mt_priority() == errc{});
  CHECK(c.has(extension::mt_priority));
  CHECK(lines_of(c) == std::vector<std::string>{"MT-PRIORITY"});
  CHECK(c.set_mt_priority("STANAG4406") == errc{});
  CHECK(c.mt_priority_profile() == "STANAG4406");
  CHECK(lines_of(c) == std::vector<std::string>{"MT-PRIORITY STANAG4406"});
  CHECK(c.set_mt_priority("a-b_c.D9ABCDEFGHIJKL") == errc{});  // 20, every class
  CHECK(c.mt_priority_profile() == "a-b_c.D9ABCDEFGHIJKL");
  const capabilities before = c;
  for (const std::string_view bad :
       {std::string_view("a-b_c.D9ABCDEFGHIJKLM"), std::string_view("MIX ER"),
        std::string_view("MIXER\r\n"), std::string_view("MIX+ER"), std::string_view("MIX=")}) {
    INFO(std::string(bad));
    CHECK(c.set_mt_priority(bad) == errc::invalid_argument);
    CHECK(c == before);
  }
  c.clear(extension::mt_priority);
  CHECK(c.mt_priority_profile().empty());
  CHECK(c == capabilities{});
}

TEST_CASE("capabilities: DELIVERBY with an optional min-by-time of 1-9 digits (RFC 2852 §4)",
          "[smtp][capabilities][deliverby]") {
  capabilities c;
  c.set(extension::deliverby);
  CHECK_FALSE(c.deliverby_min_by_time());
  CHECK(lines_of(c) == std::vector<std::string>{"DELIVERBY"});
  CHECK(c.set_deliverby_min_by_time(0) == errc{});
  CHECK(lines_of(c) == std::vector<std::string>{"DELIVERBY 0"});
  CHECK(c.set_deliverby_min_by_time(999999999) == errc{});
  CHECK(c.deliverby_min_by_time() == 999999999u);
  CHECK(lines_of(c) == std::vector<std::string>{"DELIVERBY 999999999"});
  const capabilities before = c;
  CHECK(c.set_deliverby_min_by_time(1000000000) == errc::invalid_argument);
  CHECK(c == before);
  c.clear(extension::deliverby);
  CHECK_FALSE(c.deliverby_min_by_time());
  CHECK(c == capabilities{});
}

TEST_CASE("capabilities: FUTURERELEASE needs its interval and RFC 3339 date-time (RFC 4865 §3)",
          "[smtp][capabilities][futurerelease]") {
  capabilities c;
  CHECK(c.set_future_release(604800, "2030-01-01T00:00:00Z") == errc{});
  CHECK(c.has(extension::futurerelease));
  CHECK(c.future_release_max_interval() == 604800);
  CHECK(c.future_release_max_date_time() == "2030-01-01T00:00:00Z");
  CHECK(lines_of(c) == std::vector<std::string>{"FUTURERELEASE 604800 2030-01-01T00:00:00Z"});
  for (const std::string_view good :
       {"2030-12-31T23:59:60z", "2030-01-01t09:30:00.123+01:00", "0000-01-01T00:00:00-23:59",
        "2030-01-01T00:00:00.1234567890123456789Z"}) {  // exactly 40 octets
    INFO(std::string(good));
    CHECK(c.set_future_release(1, good) == errc{});
    CHECK(c.future_release_max_date_time() == good);
  }
  CHECK(c.set_future_release(999999999, "2030-01-01T00:00:00Z") == errc{});
  const capabilities before = c;
  for (const std::string_view bad :
       {"", "2030-01-01", "2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2030-13-01T00:00:00Z",
        "2030-00-01T00:00:00Z", "2030-01-32T00:00:00Z", "2030-01-01T24:00:00Z",
        "2030-01-01T00:60:00Z", "2030-01-01T00:00:61Z", "2030-01-01T00:00:00.Z",
        "2030-01-01T00:00:00+0100", "2030-01-01T00:00:00+01:00x", "2030-01-01T00:00:00ZZ",
        "2030-1-01T00:00:00Z", "2030-01-01T00:00:00Z\r\n",
        "2030-02-30T00:00:00Z", "2031-02-29T00:00:00Z",  // days the month lacks
        "2030-01-01T00:00:00.12345678901234567890Z"}) {  // 41 octets
    INFO(std::string(bad));
    CHECK(c.set_future_release(1, bad) == errc::invalid_argument);
    CHECK(c == before);
  }
  CHECK(c.set_future_release(1000000000, "2030-01-01T00:00:00Z") == errc::invalid_argument);
  CHECK(c == before);
  c.clear(extension::futurerelease);
  CHECK(c.future_release_max_interval() == 0);
  CHECK(c.future_release_max_date_time().empty());
  CHECK(c == capabilities{});
}

TEST_CASE("capabilities: LIMITS values are 1-6 digits and non-zero (RFC 9422)",
          "[smtp][capabilities][limits]") {
  capabilities c;
  CHECK(c.set_limit(ehlo_limit::mailmax, 1) == errc{});
  CHECK(c.has(extension::limits));
  CHECK(lines_of(c) == std::vector<std::string>{"LIMITS MAILMAX=1"});
  CHECK(c.set_limit(ehlo_limit::rcptdomainmax, 999999) == errc{});
  CHECK(c.set_limit(ehlo_limit::rcptmax, 50) == errc{});
  CHECK(c.limit(ehlo_limit::rcptmax) == 50);
  CHECK(lines_of(c) ==
        std::vector<std::string>{"LIMITS RCPTMAX=50 MAILMAX=1 RCPTDOMAINMAX=999999"});
  const capabilities before = c;
  CHECK(c.set_limit(ehlo_limit::rcptmax, 0) == errc::invalid_argument);
  CHECK(c.set_limit(ehlo_limit::rcptmax, 1000000) == errc::invalid_argument);
  CHECK(c.set_limit(static_cast<ehlo_limit>(9), 5) == errc::invalid_argument);
  CHECK(c.limit(static_cast<ehlo_limit>(9)) == 0);
  CHECK(c == before);
  c.clear_limit(ehlo_limit::mailmax);
  CHECK(c.limit(ehlo_limit::mailmax) == 0);
  CHECK(lines_of(c) == std::vector<std::string>{"LIMITS RCPTMAX=50 RCPTDOMAINMAX=999999"});
  c.clear(extension::limits);
  CHECK(c.limit(ehlo_limit::rcptmax) == 0);
  CHECK(c == capabilities{});
}

TEST_CASE("capabilities: the legacy AUTH= form is recorded, never written (PROTOCOLS.md §6.20)",
          "[smtp][capabilities][auth]") {
  capabilities c;
  c.set_legacy_auth_equals(true);
  CHECK(c.legacy_auth_equals());
  CHECK_FALSE(c.has(extension::auth));
  CHECK(c.line_count() == 0);
  CHECK(c != capabilities{});
  c.add_mechanism(sasl_mechanism::login);
  CHECK(lines_of(c) == std::vector<std::string>{"AUTH LOGIN"});
  c.set_legacy_auth_equals(false);
  CHECK_FALSE(c.legacy_auth_equals());
}

TEST_CASE("capabilities: unknown keywords keep their parameters, in order (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][keywords]") {
  capabilities c;
  CHECK(c.add_keyword("X-FOO a b") == errc{});
  CHECK(c.add_keyword("XCLIENT") == errc{});
  CHECK(c.add_keyword("8X-9 ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}") == errc{});
  CHECK(texts(c.keywords()) == std::vector<std::string>{"X-FOO a b", "XCLIENT",
                                                        "8X-9 ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"});
  CHECK(c.keywords().size() == 3);
  CHECK(c.find_keyword("x-foo") == std::string_view("a b"));
  CHECK(c.find_keyword("XCLIENT") == std::string_view(""));
  CHECK_FALSE(c.find_keyword("X-FO"));
  CHECK_FALSE(c.find_keyword("X-BAR"));
  CHECK(c.line_count() == 3);
  c.set(extension::pipelining);
  CHECK(lines_of(c) == std::vector<std::string>{"PIPELINING", "X-FOO a b", "XCLIENT",
                                                "8X-9 ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"});
  c.clear_keywords();
  CHECK(c.keywords().empty());
  CHECK(c.line_count() == 1);
}

TEST_CASE("capabilities: keyword lines outside ehlo-line are refused, injections included",
          "[smtp][capabilities][keywords]") {
  const std::string_view bad[] = {"",
                                  " X-FOO",
                                  "X-FOO ",
                                  "X-FOO  a",
                                  "-X",
                                  "X_FOO",
                                  "X.FOO a",
                                  "X-FOO\n",
                                  "X-FOO\r\n250 X",
                                  "X-FOO a\nRCPT TO:<x@y>",
                                  "X-FOO\ta",
                                  std::string_view("X-FOO a\0b", 9),
                                  "X-FOO a\x7f",
                                  "X-FOO \xc3\xa9",
                                  "AUTH=LOGIN PLAIN",
                                  "=",
                                  "X-FOO a  b"};
  for (const auto line : bad) {
    INFO(std::string(line));
    capabilities c;
    CHECK(c.add_keyword(line) == errc::invalid_argument);
    CHECK(c == capabilities{});
  }
}

TEST_CASE("capabilities: known and repeated keywords are refused as unknown keywords",
          "[smtp][capabilities][keywords]") {
  capabilities c;
  CHECK(c.add_keyword("size 1000") == errc::invalid_argument);
  CHECK(c.add_keyword("STARTTLS") == errc::invalid_argument);
  CHECK(c.add_keyword("Mt-Priority MIXER") == errc::invalid_argument);
  CHECK(c == capabilities{});
  CHECK(c.add_keyword("X-FOO a") == errc{});
  CHECK(c.add_keyword("x-foo b") == errc::invalid_argument);
  CHECK(texts(c.keywords()) == std::vector<std::string>{"X-FOO a"});
}

TEST_CASE(
    "capabilities: keyword lines up to 506 octets fit a 512-octet reply line "
    "(RFC 5321 §4.5.3.1.5)",
    "[smtp][capabilities][keywords]") {
  capabilities c;
  const std::string at_limit = "X-LONG " + std::string(506 - 7, 'a');
  REQUIRE(at_limit.size() == capabilities::max_keyword_line);
  CHECK(c.add_keyword(at_limit) == errc{});
  capabilities d;
  CHECK(d.add_keyword(at_limit + "a") == errc::line_too_long);
  CHECK(d == capabilities{});
}

TEST_CASE("capabilities: the keyword arena refuses lines beyond 512 bytes",
          "[smtp][capabilities][keywords]") {
  capabilities c;
  // Lines of 127 octets take 128 bytes each: four fill the arena exactly.
  for (int i = 0; i < 4; ++i) {
    const std::string line = "X-" + std::string(1, static_cast<char>('A' + i)) + " " +
                             std::string(123, static_cast<char>('a' + i));
    REQUIRE(line.size() == 127);
    CHECK(c.add_keyword(line) == errc{});
  }
  const capabilities full = c;
  CHECK(c.add_keyword("X") == errc::buffer_too_small);
  CHECK(c == full);
  CHECK(c.keywords().size() == 4);
  c.clear_keywords();
  CHECK(c.add_keyword("X") == errc{});

  // One byte short of the last line.
  capabilities d;
  CHECK(d.add_keyword("X-A " + std::string(508 - 4, 'a')) == errc::line_too_long);
  CHECK(d.add_keyword("X-A " + std::string(500, 'a')) == errc{});                // 505 bytes
  CHECK(d.add_keyword("X-B " + std::string(3, 'b')) == errc::buffer_too_small);  // needs 8 of 7
  CHECK(d.add_keyword("X-B " + std::string(2, 'b')) == errc{});                  // 7 of 7
  CHECK(d.add_keyword("X") == errc::buffer_too_small);
}

TEST_CASE("capabilities: validate() enforces the dependencies between extensions",
          "[smtp][capabilities]") {
  capabilities c;
  c.set(extension::auth);
  CHECK(c.validate() == errc::invalid_argument);  // RFC 4954 §3: at least one mechanism
  CHECK(c.add_mechanism("X-ONE") == errc{});
  CHECK(c.validate() == errc{});

  capabilities f;
  f.set(extension::futurerelease);
  CHECK(f.validate() == errc::invalid_argument);  // RFC 4865 §3: both parameters required
  CHECK(f.set_future_release(60, "2030-01-01T00:00:00Z") == errc{});
  CHECK(f.validate() == errc{});

  capabilities l;
  l.set(extension::limits);
  CHECK(l.validate() == errc::invalid_argument);  // RFC 9422: some limit
  CHECK(l.set_limit(ehlo_limit::rcptmax, 10) == errc{});
  CHECK(l.validate() == errc{});

  capabilities b;
  b.set(extension::binarymime);
  CHECK(b.validate() == errc::invalid_argument);  // RFC 3030 §3: needs CHUNKING
  b.set(extension::chunking);
  CHECK(b.validate() == errc{});

  capabilities u;
  u.set(extension::smtputf8);
  CHECK(u.validate() == errc::invalid_argument);  // RFC 6531 §3.1: needs 8BITMIME
  u.set(extension::eightbitmime);
  CHECK(u.validate() == errc{});

  CHECK(everything().validate() == errc{});
}

TEST_CASE("capabilities: for_each_line lists everything in canonical order",
          "[smtp][capabilities]") {
  const capabilities c = everything();
  const std::vector<std::string> expected = {
      "SIZE 35882577",
      "8BITMIME",
      "PIPELINING",
      "CHUNKING",
      "BINARYMIME",
      "STARTTLS",
      "AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER SCRAM-SHA-1 SCRAM-SHA-1-PLUS "
      "SCRAM-SHA-256 SCRAM-SHA-256-PLUS GSSAPI EXTERNAL ANONYMOUS X-CUSTOM",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "SMTPUTF8",
      "REQUIRETLS",
      "MT-PRIORITY MIXER",
      "DELIVERBY 240",
      "FUTURERELEASE 604800 2030-01-01T00:00:00Z",
      "RRVS",
      "ETRN",
      "VRFY",
      "EXPN",
      "HELP",
      "LIMITS RCPTMAX=100 MAILMAX=10 RCPTDOMAINMAX=5",
      "X-FOO a b",
      "XCLIENT NAME ADDR",
  };
  CHECK(lines_of(c) == expected);
  CHECK(c.line_count() == expected.size());
  for (const auto& line : expected) CHECK(is_ehlo_line(line));
}

TEST_CASE("capabilities: the longest AUTH line still fits a reply line", "[smtp][capabilities]") {
  capabilities c;
  for (const auto m : all_mechanisms) c.add_mechanism(m);
  for (char i = 'A'; i <= 'Z'; ++i) {
    if (c.add_mechanism(std::string("X-") + i + std::string(17, 'Q')) != errc{}) break;
  }
  const auto lines = lines_of(c);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() <= capabilities::max_keyword_line);
  CHECK(is_ehlo_line(lines[0]));
}

TEST_CASE("capabilities: equality compares every flag and parameter", "[smtp][capabilities]") {
  const capabilities base = everything();
  CHECK(base == everything());
  CHECK_FALSE(base != everything());
  const capabilities copy = base;
  CHECK(copy == base);

  using mutation = void (*)(capabilities&);
  const mutation mutations[] = {
      [](capabilities& c) { c.clear(extension::help); },
      [](capabilities& c) { c.set_size_limit(35882578); },
      [](capabilities& c) { c.clear(extension::auth); },
      [](capabilities& c) { c.set_legacy_auth_equals(false); },
      [](capabilities& c) { REQUIRE(c.add_mechanism("X-OTHER") == errc{}); },
      [](capabilities& c) { REQUIRE(c.set_mt_priority("NSEP") == errc{}); },
      [](capabilities& c) { REQUIRE(c.set_mt_priority() == errc{}); },
      [](capabilities& c) { REQUIRE(c.set_deliverby_min_by_time(241) == errc{}); },
      [](capabilities& c) {
        REQUIRE(c.set_future_release(604801, "2030-01-01T00:00:00Z") == errc{});
      },
      [](capabilities& c) {
        REQUIRE(c.set_future_release(604800, "2030-01-01T00:00:01Z") == errc{});
      },
      [](capabilities& c) { REQUIRE(c.set_limit(ehlo_limit::rcptdomainmax, 6) == errc{}); },
      [](capabilities& c) { c.clear_limit(ehlo_limit::mailmax); },
      [](capabilities& c) { REQUIRE(c.add_keyword("X-MORE") == errc{}); },
      [](capabilities& c) { c.clear_keywords(); },
  };
  for (std::size_t i = 0; i < sizeof mutations / sizeof mutations[0]; ++i) {
    INFO(i);
    capabilities c = everything();
    mutations[i](c);
    CHECK(c != base);
    CHECK_FALSE(c == base);
  }

  // Order is part of the value: equal values list identical lines.
  capabilities ab, ba;
  REQUIRE(ab.add_keyword("X-A") == errc{});
  REQUIRE(ab.add_keyword("X-B") == errc{});
  REQUIRE(ba.add_keyword("X-B") == errc{});
  REQUIRE(ba.add_keyword("X-A") == errc{});
  CHECK(ab != ba);

  // A shorter profile over a longer one compares by what is set, not by leftovers.
  capabilities p, q;
  REQUIRE(p.set_mt_priority("LONGER") == errc{});
  REQUIRE(p.set_mt_priority("AB") == errc{});
  REQUIRE(q.set_mt_priority("AB") == errc{});
  CHECK(p == q);
}

TEST_CASE("capabilities: random values list only valid ehlo-lines, as many as line_count()",
          "[smtp][capabilities][property]") {
  std::mt19937 rng(20240521);
  auto pick = [&rng](std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
  };
  for (int round = 0; round < 500; ++round) {
    capabilities c;
    for (const auto e : all_extensions)
      if (pick(2) == 0) c.set(e);
    if (pick(2) == 0) c.set_size_limit(std::uniform_int_distribution<std::uint64_t>()(rng));
    for (const auto m : all_mechanisms)
      if (pick(3) == 0) c.add_mechanism(m);
    for (std::uint32_t n = pick(6); n > 0; --n) {
      std::string mech = "X";
      for (std::uint32_t k = pick(19); k > 0; --k) mech += "ABZ09-_"[pick(7)];
      REQUIRE(c.add_mechanism(mech) != errc::invalid_mechanism);
    }
    if (pick(2) == 0) REQUIRE(c.set_deliverby_min_by_time(pick(1000000000)) == errc{});
    if (pick(2) == 0) REQUIRE(c.set_limit(ehlo_limit::mailmax, 1 + pick(999999)) == errc{});
    for (std::uint32_t n = pick(5); n > 0; --n) {
      std::string line = "X-K" + std::to_string(pick(1000));
      for (std::uint32_t k = pick(4); k > 0; --k) {
        line += ' ';
        for (std::uint32_t len = 1 + pick(10); len > 0; --len)
          line += static_cast<char>(33 + pick(94));
      }
      const errc e = c.add_keyword(line);
      REQUIRE((e == errc{} || e == errc::invalid_argument || e == errc::buffer_too_small));
    }
    std::size_t n = 0;
    c.for_each_line([&](std::string_view line) {
      ++n;
      INFO(std::string(line));
      CHECK(is_ehlo_line(line));
      CHECK(line.size() <= capabilities::max_keyword_line);
    });
    CHECK(n == c.line_count());
    const capabilities copy = c;
    CHECK(copy == c);
  }
}
