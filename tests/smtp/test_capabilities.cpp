// The EHLO capabilities value (RFC 5321 §4.1.1.1 and the ESMTP extensions,
// each with its RFC): flags, parameters, unknown keywords, the lines it
// stands for, and equality; on the client side, EHLO and LHLO reply lines
// folded back into it (add_line, ehlo_folder), and the round trip through
// write_ehlo_reply and client_parser.
#include <mailwire/smtp/capabilities.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <mailwire/core/output.hpp>
#include <mailwire/smtp/client_parser.hpp>
#include <mailwire/smtp/reply_writer.hpp>

#include "catch.hpp"
#include "support/split_feed.hpp"

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

TEST_CASE("capabilities: every extension has its EHLO keyword",
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
        "2030-1-01T00:00:00Z", "2030-01-01T00:00:00Z\r\n", "2030-02-30T00:00:00Z",
        "2031-02-29T00:00:00Z",                          // days the month lacks
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

TEST_CASE("capabilities: the legacy AUTH= form is recorded, never written",
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

// --- Client side: folding EHLO reply lines (RFC 5321 §4.1.1.1) ---------------

namespace {

using mailwire::smtp::ehlo_folder;

/// `line` must be refused with `expected` and leave `base` exactly as it was.
void check_refused(const capabilities& base, std::string_view line, errc expected) {
  INFO("line: \"" << mailwire::test::escape(line) << "\"");
  capabilities c = base;
  CHECK(c.add_line(line) == expected);
  CHECK(c == base);
}

/// Refused the same way from an empty value and from one with everything set.
void check_refused(std::string_view line, errc expected) {
  check_refused(capabilities{}, line, expected);
  check_refused(everything(), line, expected);
}

capabilities folded(std::initializer_list<std::string_view> lines) {
  capabilities c;
  for (const std::string_view line : lines) {
    INFO("line: \"" << mailwire::test::escape(line) << "\"");
    REQUIRE(c.add_line(line) == errc{});
  }
  return c;
}

/// What a client learnt from one reply: the folder's state when the reply
/// event came, and the errors of the lines it refused.
struct ehlo_outcome {
  capabilities caps;
  std::uint16_t code = 0;
  std::size_t lines = 0;
  int replies = 0;
  errc first_error = errc{};
  std::vector<std::pair<std::string, errc>> refused;
  std::vector<errc> parser_errors;
};

/// Runs `wire` through client_parser (in pieces cut at random when `rng` is
/// given) and an ehlo_folder, the pipeline a client uses.
ehlo_outcome run_ehlo(std::string_view wire, std::mt19937* rng = nullptr) {
  ehlo_outcome out;
  mailwire::smtp::client_parser<> parser;
  ehlo_folder folder;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::size_t n = wire.size() - pos;
    if (rng != nullptr) n = 1 + std::uniform_int_distribution<std::size_t>(0, n - 1)(*rng) % 40;
    // Each piece in its own string that dies after need_more, so a view kept
    // too long would read freed memory under ASan.
    const std::string piece(wire.substr(pos, n));
    pos += n;
    parser.feed(piece);
    for (;;) {
      const auto ev = parser.next();
      if (ev.kind == mailwire::smtp::client_event_kind::need_more) break;
      switch (ev.kind) {
        case mailwire::smtp::client_event_kind::need_more: break;
        case mailwire::smtp::client_event_kind::line:
          if (const errc e = folder.add(ev.text); e != errc{})
            out.refused.emplace_back(std::string(ev.text), e);
          break;
        case mailwire::smtp::client_event_kind::reply:
          out.caps = folder.result();
          out.code = ev.code;
          out.lines = folder.lines();
          out.first_error = folder.first_error();
          ++out.replies;
          folder.reset();
          break;
        case mailwire::smtp::client_event_kind::error:
          out.parser_errors.push_back(ev.error);
          folder.reset();
          break;
      }
    }
  }
  return out;
}

constexpr bool constexpr_folding() {
  ehlo_folder f;
  if (f.add("mx.example.org hello") != errc{}) return false;
  if (f.add("SIZE 1000") != errc{}) return false;
  if (f.add("auth  plain x-one") != errc{}) return false;
  if (f.add("LIMITS RCPTMAX=5") != errc{}) return false;
  if (f.add("X-FOO a") != errc{}) return false;
  if (f.add("SIZE x") != errc::invalid_parameter_value) return false;
  const capabilities& c = f.result();
  return f.lines() == 6 && f.first_error() == errc::invalid_parameter_value &&
         c.size_limit() == 1000 && c.has_mechanism(sasl_mechanism::plain) &&
         c.has_mechanism("X-ONE") && c.limit(ehlo_limit::rcptmax) == 5 &&
         c.find_keyword("x-foo") == std::string_view("a");
}

}  // namespace

static_assert(constexpr_folding(), "EHLO lines fold in constant expressions");

TEST_CASE("add_line: keywords name their extension case-insensitively (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo]") {
  for (const auto e : all_extensions) {
    const std::string upper(mailwire::smtp::keyword(e));
    std::string lower = upper, mixed = upper;
    for (std::size_t i = 0; i < upper.size(); ++i) {
      const char c = upper[i];
      const char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      lower[i] = l;
      mixed[i] = i % 2 == 0 ? l : c;
    }
    for (const std::string& kw : {upper, lower, mixed}) {
      INFO(kw);
      // Three extensions need a parameter; the others take the bare keyword.
      std::string line = kw;
      if (e == extension::auth) line += " PLAIN";
      if (e == extension::futurerelease) line += " 60 2030-01-01T00:00:00Z";
      if (e == extension::limits) line += " RCPTMAX=1";
      capabilities c;
      CHECK(c.add_line(line) == errc{});
      for (const auto other : all_extensions) CHECK(c.has(other) == (other == e));
      CHECK(c.keywords().empty());
    }
  }
}

TEST_CASE("add_line: flag extensions ignore their parameters (RFC 6531 §3.1)",
          "[smtp][capabilities][ehlo]") {
  const capabilities c = folded({"SMTPUTF8 foo", "PIPELINING a b c", "8BITMIME ~", "HELP =x"});
  capabilities expected;
  expected.set(extension::smtputf8);
  expected.set(extension::pipelining);
  expected.set(extension::eightbitmime);
  expected.set(extension::help);
  CHECK(c == expected);
  CHECK(c.keywords().empty());
}

TEST_CASE("add_line: SIZE with and without a limit; 0 is no fixed limit (RFC 1870 §4)",
          "[smtp][capabilities][ehlo][size]") {
  capabilities c;
  CHECK(c.add_line("SIZE 10240000") == errc{});
  CHECK(c.has(extension::size));
  CHECK(c.size_limit() == 10240000);
  CHECK(c.add_line("SIZE") == errc{});  // a later line replaces the limit
  CHECK(c.has(extension::size));
  CHECK(c.size_limit() == 0);
  CHECK(c.add_line("size 0") == errc{});
  CHECK(c.size_limit() == 0);
  CHECK(c.add_line("SIZE 18446744073709551615") == errc{});  // 2^64-1: the largest
  CHECK(c.size_limit() == UINT64_MAX);
  CHECK(c.add_line("SIZE 0000000000000000000000001") == errc{});  // 1*DIGIT: leading zeros
  CHECK(c.size_limit() == 1);
  CHECK(c.add_line("SIZE 1") == errc{});
  CHECK(lines_of(c) == std::vector<std::string>{"SIZE 1"});
}

TEST_CASE("add_line: SIZE refuses overflow, non-digits and extra parameters (RFC 1870 §4)",
          "[smtp][capabilities][ehlo][size]") {
  check_refused("SIZE 18446744073709551616", errc::invalid_parameter_value);  // 2^64
  check_refused("SIZE 99999999999999999999", errc::invalid_parameter_value);
  check_refused("SIZE 100000000000000000000000", errc::invalid_parameter_value);
  check_refused("SIZE -1", errc::invalid_parameter_value);
  check_refused("SIZE +1", errc::invalid_parameter_value);
  check_refused("SIZE 10MB", errc::invalid_parameter_value);
  check_refused("SIZE 1e6", errc::invalid_parameter_value);
  check_refused("SIZE =1000", errc::invalid_parameter_value);
  check_refused("SIZE 1000 2000", errc::unexpected_argument);
  check_refused("SIZE 1000 x", errc::unexpected_argument);
}

TEST_CASE("add_line: AUTH mechanisms, well-known and other, in line order (RFC 4954 §3)",
          "[smtp][capabilities][ehlo][auth]") {
  capabilities c;
  CHECK(c.add_line("AUTH LOGIN X-ONE plain CRAM-MD5 ntlm Scram-Sha-256-Plus") == errc{});
  CHECK(c.has(extension::auth));
  CHECK_FALSE(c.legacy_auth_equals());
  CHECK(c.has_mechanism(sasl_mechanism::login));
  CHECK(c.has_mechanism(sasl_mechanism::plain));
  CHECK(c.has_mechanism(sasl_mechanism::cram_md5));
  CHECK(c.has_mechanism(sasl_mechanism::scram_sha_256_plus));
  CHECK_FALSE(c.has_mechanism(sasl_mechanism::xoauth2));
  CHECK(texts(c.other_mechanisms()) == std::vector<std::string>{"X-ONE", "NTLM"});
  // A second AUTH line adds; names already there are not repeated.
  CHECK(c.add_line("AUTH XOAUTH2 X-ONE X-TWO") == errc{});
  CHECK(c.has_mechanism(sasl_mechanism::xoauth2));
  CHECK(texts(c.other_mechanisms()) == std::vector<std::string>{"X-ONE", "NTLM", "X-TWO"});
  // 20 characters: the longest sasl-mech (RFC 4422 §3.1).
  CHECK(c.add_line("AUTH ABCDEFGHIJKLMNOPQRST") == errc{});
  CHECK(c.has_mechanism("ABCDEFGHIJKLMNOPQRST"));
}

TEST_CASE("add_line: a bad AUTH line adds none of its mechanisms (RFC 4422 §3.1)",
          "[smtp][capabilities][ehlo][auth]") {
  check_refused("AUTH", errc::missing_argument);
  check_refused("AUTH   ", errc::missing_argument);
  check_refused("AUTH PLAIN X-NEW B@D", errc::invalid_mechanism);
  check_refused("AUTH PLAIN ABCDEFGHIJKLMNOPQRSTU", errc::invalid_mechanism);  // 21
  check_refused("AUTH LOGIN PLAIN=", errc::invalid_mechanism);
  check_refused("AUTH *", errc::invalid_mechanism);
  check_refused("AUTH X-NEW PL.AIN", errc::invalid_mechanism);
  capabilities c;
  CHECK(c.add_line("AUTH PLAIN X-NEW B@D") == errc::invalid_mechanism);
  CHECK_FALSE(c.has(extension::auth));
  CHECK_FALSE(c.has_mechanism("PLAIN"));
  CHECK_FALSE(c.has_mechanism("X-NEW"));
}

TEST_CASE("add_line: the legacy AUTH= line is read as AUTH and recorded",
          "[smtp][capabilities][ehlo][auth]") {
  capabilities c;
  CHECK(c.add_line("AUTH=LOGIN PLAIN") == errc{});
  CHECK(c.legacy_auth_equals());
  CHECK(c.has(extension::auth));
  CHECK(c.has_mechanism(sasl_mechanism::login));
  CHECK(c.has_mechanism(sasl_mechanism::plain));
  // Written back without the legacy form.
  CHECK(lines_of(c) == std::vector<std::string>{"AUTH PLAIN LOGIN"});

  // Both forms, as servers that still serve old clients send them: one set.
  const capabilities both = folded({"AUTH LOGIN PLAIN CRAM-MD5", "auth=login  x-legacy"});
  CHECK(both.legacy_auth_equals());
  CHECK(mechanisms_of(both) == std::vector<std::string>{"PLAIN", "LOGIN", "CRAM-MD5", "X-LEGACY"});

  // "AUTH= LOGIN": the first name after the separator.
  const capabilities spaced = folded({"AUTH= LOGIN"});
  CHECK(spaced.legacy_auth_equals());
  CHECK(spaced.has_mechanism(sasl_mechanism::login));

  check_refused("AUTH=", errc::missing_argument);
  check_refused("AUTH=*", errc::invalid_mechanism);
  check_refused("AUTH=LOGIN B@D", errc::invalid_mechanism);
  check_refused("AUTH==LOGIN", errc::invalid_mechanism);
  capabilities bad;
  CHECK(bad.add_line("AUTH=LOGIN B@D") == errc::invalid_mechanism);
  CHECK_FALSE(bad.legacy_auth_equals());
}

TEST_CASE("add_line: a full mechanism arena is reported and the line left out",
          "[smtp][capabilities][ehlo][auth]") {
  capabilities c;
  // Nine 20-character names take 189 of the 192 bytes.
  std::string line = "AUTH";
  for (char i = 'A'; i < 'A' + 9; ++i) line += std::string(" X-") + i + std::string(17, 'M');
  REQUIRE(c.add_line(line) == errc{});
  REQUIRE(c.other_mechanisms().size() == 9);
  // 3 bytes left: "XA" and its NUL fit exactly, "X-A" does not; PLAIN has a bit.
  check_refused(c, "AUTH PLAIN X-A", errc::buffer_too_small);
  check_refused(c, "AUTH PLAIN XA XB", errc::buffer_too_small);
  CHECK(c.add_line("AUTH PLAIN XA") == errc{});
  CHECK(c.has_mechanism("XA"));
  check_refused(c, "AUTH XB", errc::buffer_too_small);
  CHECK(c.add_line("AUTH xa GSSAPI") == errc{});  // nothing new to store as text
  CHECK(c.has_mechanism(sasl_mechanism::gssapi));
}

TEST_CASE("add_line: MT-PRIORITY with an optional profile of 1-20 characters (RFC 6710 §3)",
          "[smtp][capabilities][ehlo][mt-priority]") {
  capabilities c;
  CHECK(c.add_line("MT-PRIORITY") == errc{});
  CHECK(c.has(extension::mt_priority));
  CHECK(c.mt_priority_profile().empty());
  CHECK(c.add_line("mt-priority STANAG4406") == errc{});
  CHECK(c.mt_priority_profile() == "STANAG4406");
  CHECK(c.add_line("MT-PRIORITY a-b_c.D9ABCDEFGHIJKL") == errc{});  // 20
  CHECK(c.mt_priority_profile() == "a-b_c.D9ABCDEFGHIJKL");
  CHECK(c.add_line("MT-PRIORITY") == errc{});  // a later line replaces the profile
  CHECK(c.mt_priority_profile().empty());

  check_refused("MT-PRIORITY a-b_c.D9ABCDEFGHIJKLM", errc::invalid_parameter_value);  // 21
  check_refused("MT-PRIORITY MIX+ER", errc::invalid_parameter_value);
  check_refused("MT-PRIORITY MIXER=", errc::invalid_parameter_value);
  check_refused("MT-PRIORITY MIXER NSEP", errc::unexpected_argument);
}

TEST_CASE("add_line: DELIVERBY with an optional min-by-time list (RFC 2852 §4)",
          "[smtp][capabilities][ehlo][deliverby]") {
  capabilities c;
  CHECK(c.add_line("DELIVERBY") == errc{});
  CHECK(c.has(extension::deliverby));
  CHECK_FALSE(c.deliverby_min_by_time());
  CHECK(c.add_line("DELIVERBY 240") == errc{});
  CHECK(c.deliverby_min_by_time() == 240u);
  CHECK(c.add_line("deliverby 999999999") == errc{});  // nine digits: the most
  CHECK(c.deliverby_min_by_time() == 999999999u);
  // Options after the min-by-time are for later RFCs.
  CHECK(c.add_line("DELIVERBY 60,X-OPTION,Y") == errc{});
  CHECK(c.deliverby_min_by_time() == 60u);
  CHECK(c.add_line("DELIVERBY 0") == errc{});
  CHECK(c.deliverby_min_by_time() == 0u);
  CHECK(c.add_line("DELIVERBY") == errc{});  // a later line replaces the min-by-time
  CHECK_FALSE(c.deliverby_min_by_time());
  CHECK(c.add_line("DELIVERBY 300") == errc{});
  CHECK(c.add_line("DELIVERBY ,X-OPTION") == errc{});  // an empty min-by-time
  CHECK_FALSE(c.deliverby_min_by_time());

  check_refused("DELIVERBY 1000000000", errc::invalid_parameter_value);
  check_refused("DELIVERBY -240", errc::invalid_parameter_value);
  check_refused("DELIVERBY 4m", errc::invalid_parameter_value);
  check_refused("DELIVERBY 240;X", errc::invalid_parameter_value);
  check_refused("DELIVERBY 240 X", errc::unexpected_argument);
}

TEST_CASE("add_line: FUTURERELEASE needs its interval and RFC 3339 date-time (RFC 4865 §3)",
          "[smtp][capabilities][ehlo][futurerelease]") {
  capabilities c;
  CHECK(c.add_line("FUTURERELEASE 604800 2030-01-01T00:00:00Z") == errc{});
  CHECK(c.has(extension::futurerelease));
  CHECK(c.future_release_max_interval() == 604800);
  CHECK(c.future_release_max_date_time() == "2030-01-01T00:00:00Z");
  CHECK(c.add_line("futurerelease 999999999 2030-01-01T00:00:00.1234567890123456789Z") ==
        errc{});  // nine digits and 40 octets: the most
  CHECK(c.future_release_max_interval() == 999999999);
  CHECK(c.add_line("FUTURERELEASE 1 2031-06-30t12:00:00+02:00") == errc{});
  CHECK(c.future_release_max_date_time() == "2031-06-30t12:00:00+02:00");

  check_refused("FUTURERELEASE", errc::missing_argument);
  check_refused("FUTURERELEASE 604800", errc::missing_argument);
  check_refused("FUTURERELEASE 604800 2030-01-01T00:00:00Z x", errc::unexpected_argument);
  check_refused("FUTURERELEASE 1000000000 2030-01-01T00:00:00Z", errc::invalid_parameter_value);
  check_refused("FUTURERELEASE -1 2030-01-01T00:00:00Z", errc::invalid_parameter_value);
  check_refused("FUTURERELEASE 2030-01-01T00:00:00Z 604800", errc::invalid_parameter_value);
  check_refused("FUTURERELEASE 604800 2030-02-30T00:00:00Z", errc::invalid_parameter_value);
  check_refused("FUTURERELEASE 604800 2030-01-01", errc::invalid_parameter_value);
  check_refused("FUTURERELEASE 604800 2030-01-01T00:00:00.12345678901234567890Z",
                errc::invalid_parameter_value);  // 41 octets
}

TEST_CASE("add_line: LIMITS keeps RCPTMAX, MAILMAX and RCPTDOMAINMAX, ignores others (RFC 9422)",
          "[smtp][capabilities][ehlo][limits]") {
  capabilities c;
  CHECK(c.add_line("LIMITS RCPTMAX=100 MAILMAX=10 RCPTDOMAINMAX=5") == errc{});
  CHECK(c.has(extension::limits));
  CHECK(c.limit(ehlo_limit::rcptmax) == 100);
  CHECK(c.limit(ehlo_limit::mailmax) == 10);
  CHECK(c.limit(ehlo_limit::rcptdomainmax) == 5);
  // A later line replaces the values it names and keeps the others.
  CHECK(c.add_line("limits rcptmax=999999 X-FUTURE=a:b FLAG") == errc{});
  CHECK(c.limit(ehlo_limit::rcptmax) == 999999);
  CHECK(c.limit(ehlo_limit::mailmax) == 10);
  CHECK(c.limit(ehlo_limit::rcptdomainmax) == 5);
  CHECK(c.keywords().empty());

  // Only names this header does not know: LIMITS, with no value.
  const capabilities unknown_only = folded({"LIMITS X-SOMETHING=7 OTHER"});
  CHECK(unknown_only.has(extension::limits));
  CHECK(unknown_only.limit(ehlo_limit::rcptmax) == 0);
  CHECK(unknown_only.limit(ehlo_limit::mailmax) == 0);
  CHECK(unknown_only.limit(ehlo_limit::rcptdomainmax) == 0);
  const capabilities leading_zeros = folded({"LIMITS MAILMAX=000001"});
  CHECK(leading_zeros.limit(ehlo_limit::mailmax) == 1);
}

TEST_CASE("add_line: a malformed LIMITS line sets no limit (RFC 9422)",
          "[smtp][capabilities][ehlo][limits]") {
  check_refused("LIMITS", errc::missing_argument);
  check_refused("LIMITS RCPTMAX=1000000", errc::invalid_parameter_value);  // 7 digits
  check_refused("LIMITS RCPTMAX=0", errc::invalid_parameter_value);
  check_refused("LIMITS MAILMAX=0000000", errc::invalid_parameter_value);
  check_refused("LIMITS RCPTMAX", errc::invalid_parameter_value);
  check_refused("LIMITS RCPTMAX=", errc::invalid_parameter_value);
  check_refused("LIMITS RCPTMAX=1x", errc::invalid_parameter_value);
  check_refused("LIMITS MAILMAX=5 RCPTMAX=-1", errc::invalid_parameter_value);
  check_refused("LIMITS =5", errc::invalid_parameter_value);
  check_refused("LIMITS X.Y=5", errc::invalid_parameter_value);              // limit-name
  check_refused("LIMITS MAILMAX=5 X-A=b;c", errc::invalid_parameter_value);  // no ";"
  check_refused("LIMITS X-A=", errc::invalid_parameter_value);
  check_refused("LIMITS RCPTMAX=5 rcptmax=6", errc::duplicate_parameter);
  capabilities c;
  CHECK(c.add_line("LIMITS MAILMAX=5 RCPTMAX=0") == errc::invalid_parameter_value);
  CHECK_FALSE(c.has(extension::limits));
  CHECK(c.limit(ehlo_limit::mailmax) == 0);
}

TEST_CASE("add_line: unknown keywords are kept in order with their parameters (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo][keywords]") {
  capabilities c;
  CHECK(c.add_line("X-FOO a b") == errc{});
  CHECK(c.add_line("XCLIENT NAME ADDR PROTO") == errc{});
  CHECK(c.add_line("SIZE 1000") == errc{});
  CHECK(c.add_line("x-bar") == errc{});
  CHECK(c.add_line("PRDR") == errc{});
  CHECK(texts(c.keywords()) ==
        std::vector<std::string>{"X-FOO a b", "XCLIENT NAME ADDR PROTO", "x-bar", "PRDR"});
  CHECK(c.find_keyword("X-BAR") == std::string_view(""));
  CHECK(c.find_keyword("xclient") == std::string_view("NAME ADDR PROTO"));
  // A keyword with "_": outside ehlo-keyword, yet advertised (Exim).
  CHECK(c.add_line("X_PIPE_CONNECT") == errc{});
  CHECK(c.find_keyword("x_pipe_connect") == std::string_view(""));
  // A line repeated, in any case, is kept once; other parameters are refused.
  CHECK(c.add_line("x-foo a b") == errc{});
  CHECK(c.add_line("X-FOO   a\tb ") == errc{});
  check_refused(c, "X-FOO a c", errc::duplicate_parameter);
  check_refused(c, "X-FOO", errc::duplicate_parameter);
  check_refused(c, "X-BAR x", errc::duplicate_parameter);
  CHECK(c.keywords().size() == 5);
}

TEST_CASE("add_line: lines outside ehlo-line are refused, injections included (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo]") {
  using mailwire::test::bytes;
  const std::string bad[] = {
      "",
      " ",
      "\t \t",
      "-X",
      "_X",
      "X.FOO",
      "SIZE=1000",
      "X-FOO=1",
      "X@FOO a",
      "X-FOO \xc3\xa9",  // UTF-8 in a parameter
      "\xc3\x89TRN",     // and in the keyword
      "X-FOO a\x7f",     // DEL
      "PIPELINING\r\nMAIL FROM:<a@b>",
      "SIZE 1000\n",
      "STARTTLS\r",
      bytes("X-FOO a\0b"),
      bytes("PIPELINING\0"),
      "X-FOO \x01",
      "8BITMIME \xff",  // even where parameters are ignored
  };
  for (const std::string& line : bad) check_refused(line, errc::invalid_syntax);
}

TEST_CASE("add_line: runs of SP and HT separate items; padding is ignored",
          "[smtp][capabilities][ehlo]") {
  const capabilities sloppy =
      folded({"  SIZE   35882577  ", "AUTH\tPLAIN  \t LOGIN ", "LIMITS  RCPTMAX=10   MAILMAX=2",
              "X-FOO  a   b\t", "FUTURERELEASE\t604800  2030-01-01T00:00:00Z", "PIPELINING "});
  const capabilities tidy =
      folded({"SIZE 35882577", "AUTH PLAIN LOGIN", "LIMITS RCPTMAX=10 MAILMAX=2", "X-FOO a b",
              "FUTURERELEASE 604800 2030-01-01T00:00:00Z", "PIPELINING"});
  CHECK(sloppy == tidy);
  CHECK(texts(sloppy.keywords()) == std::vector<std::string>{"X-FOO a b"});
}

TEST_CASE("add_line: repeated lines of known keywords are no error (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo]") {
  const capabilities twice = folded({"PIPELINING", "SIZE 1000", "pipelining", "SIZE 1000",
                                     "AUTH PLAIN", "AUTH PLAIN", "STARTTLS", "STARTTLS"});
  const capabilities once = folded({"PIPELINING", "SIZE 1000", "AUTH PLAIN", "STARTTLS"});
  CHECK(twice == once);
  CHECK(lines_of(twice) ==
        std::vector<std::string>{"SIZE 1000", "PIPELINING", "STARTTLS", "AUTH PLAIN"});
}

TEST_CASE("add_line: a full keyword arena is reported, and later known lines still fold",
          "[smtp][capabilities][ehlo][keywords]") {
  capabilities c;
  // Lines of 127 octets take 128 bytes each: four fill the 512 exactly.
  for (int i = 0; i < 4; ++i) {
    const std::string line = "X-" + std::string(1, static_cast<char>('A' + i)) + " " +
                             std::string(123, static_cast<char>('a' + i));
    REQUIRE(c.add_line(line) == errc{});
  }
  check_refused(c, "X", errc::buffer_too_small);
  check_refused(c, "X-MORE a b", errc::buffer_too_small);
  CHECK(c.add_line("X-A " + std::string(123, 'a')) == errc{});  // already kept: no new bytes
  CHECK(c.add_line("CHUNKING") == errc{});
  CHECK(c.has(extension::chunking));
  CHECK(c.keywords().size() == 4);
}

TEST_CASE(
    "add_line: unknown keyword lines up to 506 octets once spaces are single (RFC 5321 "
    "§4.5.3.1.5)",
    "[smtp][capabilities][ehlo][keywords]") {
  const std::string at_limit = "X-LONG " + std::string(506 - 7, 'a');
  REQUIRE(at_limit.size() == capabilities::max_keyword_line);
  capabilities c;
  CHECK(c.add_line(at_limit) == errc{});
  CHECK(texts(c.keywords()) == std::vector<std::string>{at_limit});
  check_refused(at_limit + "a", errc::line_too_long);
  check_refused(std::string(507, 'X'), errc::line_too_long);
  check_refused("X " + std::string(300, 'a') + " " + std::string(300, 'b'), errc::line_too_long);
  // Padding does not count: 3 + 1 + 502 octets once the run of spaces is one.
  capabilities padded;
  CHECK(padded.add_line("X-L" + std::string(40, ' ') + std::string(502, 'b')) == errc{});
  const std::string params(502, 'b');
  CHECK(padded.find_keyword("X-L") == std::string_view(params));
}

TEST_CASE("ehlo_folder: the first line is the domain, not a keyword (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo][folder]") {
  ehlo_folder f;
  CHECK(f.lines() == 0);
  // Looks like keywords, but the first line is the server's name and greeting.
  CHECK(f.add("SIZE hello there") == errc{});
  CHECK(f.result() == capabilities{});
  CHECK(f.lines() == 1);
  CHECK(f.add("SIZE 1000") == errc{});
  CHECK(f.add("SIZE x") == errc::invalid_parameter_value);
  CHECK(f.add("") == errc::invalid_syntax);
  CHECK(f.add("PIPELINING") == errc{});
  CHECK(f.lines() == 5);
  CHECK(f.first_error() == errc::invalid_parameter_value);
  CHECK(f.result() == folded({"SIZE 1000", "PIPELINING"}));
  f.reset();
  CHECK(f.lines() == 0);
  CHECK(f.first_error() == errc{});
  CHECK(f.result() == capabilities{});
  CHECK(f.add("mx.example.org") == errc{});
  CHECK(f.add("STARTTLS") == errc{});
  CHECK(f.result() == folded({"STARTTLS"}));
}

TEST_CASE("ehlo_folder: \"250 host\" alone advertises nothing (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo][folder]") {
  const ehlo_outcome r = run_ehlo("250 mx.example.org at your service\r\n");
  CHECK(r.replies == 1);
  CHECK(r.code == 250);
  CHECK(r.lines == 1);
  CHECK(r.caps == capabilities{});
  CHECK(r.first_error == errc{});
}

TEST_CASE("ehlo_folder: a Postfix-like EHLO reply (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-mail.example.net\r\n"
      "250-PIPELINING\r\n"
      "250-SIZE 10240000\r\n"
      "250-VRFY\r\n"
      "250-ETRN\r\n"
      "250-STARTTLS\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-8BITMIME\r\n"
      "250-DSN\r\n"
      "250-SMTPUTF8\r\n"
      "250 CHUNKING\r\n");
  REQUIRE(r.replies == 1);
  CHECK(r.refused.empty());
  capabilities expected;
  for (const auto e : {extension::pipelining, extension::vrfy, extension::etrn, extension::starttls,
                       extension::enhancedstatuscodes, extension::eightbitmime, extension::dsn,
                       extension::smtputf8, extension::chunking})
    expected.set(e);
  expected.set_size_limit(10240000);
  CHECK(r.caps == expected);
  CHECK(r.caps.validate() == errc{});
  CHECK(r.lines == 11);
}

TEST_CASE("ehlo_folder: an Exim-like EHLO reply with LIMITS and an underscore keyword (RFC 9422)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-mx.example.org Hello client.example.com [192.0.2.10]\r\n"
      "250-SIZE 52428800\r\n"
      "250-LIMITS MAILMAX=1000 RCPTMAX=50000\r\n"
      "250-8BITMIME\r\n"
      "250-PIPELINING\r\n"
      "250-X_PIPE_CONNECT\r\n"
      "250-AUTH PLAIN LOGIN\r\n"
      "250-CHUNKING\r\n"
      "250-PRDR\r\n"
      "250-STARTTLS\r\n"
      "250 HELP\r\n");
  REQUIRE(r.replies == 1);
  CHECK(r.refused.empty());
  const capabilities& c = r.caps;
  CHECK(c.size_limit() == 52428800);
  CHECK(c.limit(ehlo_limit::mailmax) == 1000);
  CHECK(c.limit(ehlo_limit::rcptmax) == 50000);
  CHECK(c.limit(ehlo_limit::rcptdomainmax) == 0);
  CHECK(mechanisms_of(c) == std::vector<std::string>{"PLAIN", "LOGIN"});
  for (const auto e : {extension::eightbitmime, extension::pipelining, extension::chunking,
                       extension::starttls, extension::help})
    CHECK(c.has(e));
  CHECK_FALSE(c.has(extension::dsn));
  CHECK(texts(c.keywords()) == std::vector<std::string>{"X_PIPE_CONNECT", "PRDR"});
  CHECK(c.line_count() == 10);
}

TEST_CASE("ehlo_folder: an Exchange-like EHLO reply with the legacy AUTH= line (RFC 4954 §3)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-EXCH01.corp.example.com Hello [198.51.100.7]\r\n"
      "250-SIZE 37748736\r\n"
      "250-PIPELINING\r\n"
      "250-DSN\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-STARTTLS\r\n"
      "250-X-ANONYMOUSTLS\r\n"
      "250-AUTH NTLM LOGIN\r\n"
      "250-AUTH=LOGIN\r\n"
      "250-X-EXPS GSSAPI NTLM\r\n"
      "250-8BITMIME\r\n"
      "250-BINARYMIME\r\n"
      "250-CHUNKING\r\n"
      "250-XRDST\r\n"
      "250 SMTPUTF8\r\n");
  REQUIRE(r.replies == 1);
  CHECK(r.refused.empty());
  const capabilities& c = r.caps;
  CHECK(c.size_limit() == 37748736);
  CHECK(c.legacy_auth_equals());
  CHECK(c.has_mechanism(sasl_mechanism::login));
  CHECK(c.has_mechanism("ntlm"));
  CHECK(mechanisms_of(c) == std::vector<std::string>{"LOGIN", "NTLM"});
  CHECK(c.has(extension::binarymime));
  CHECK(c.has(extension::chunking));
  CHECK(c.has(extension::smtputf8));
  CHECK(texts(c.keywords()) ==
        std::vector<std::string>{"X-ANONYMOUSTLS", "X-EXPS GSSAPI NTLM", "XRDST"});
  CHECK(c.find_keyword("x-exps") == std::string_view("GSSAPI NTLM"));
  // Written back, the legacy AUTH= line is gone.
  const auto lines = lines_of(c);
  CHECK(std::find(lines.begin(), lines.end(), "AUTH LOGIN NTLM") != lines.end());
  CHECK(std::none_of(lines.begin(), lines.end(),
                     [](const std::string& l) { return l.rfind("AUTH=", 0) == 0; }));
}

TEST_CASE("ehlo_folder: a Gmail-like EHLO reply with OAuth mechanisms (RFC 7628)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-smtp.example.com at your service, [203.0.113.5]\r\n"
      "250-SIZE 35882577\r\n"
      "250-8BITMIME\r\n"
      "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-PIPELINING\r\n"
      "250-CHUNKING\r\n"
      "250 SMTPUTF8\r\n");
  REQUIRE(r.replies == 1);
  CHECK(r.refused.empty());
  const capabilities& c = r.caps;
  CHECK(c.size_limit() == 35882577);
  CHECK(mechanisms_of(c) == std::vector<std::string>{"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER",
                                                     "PLAIN-CLIENTTOKEN", "XOAUTH"});
  CHECK_FALSE(c.has(extension::starttls));
  CHECK(c.keywords().empty());
  CHECK(c.validate() == errc{});
}

TEST_CASE("ehlo_folder: a sloppy server's reply folds like a tidy one (RFC 5321 §4.1.1.1)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome sloppy = run_ehlo(
      "250-mx.example.org\r\n"
      "250-size  20000000 \r\n"
      "250-Pipelining\r\n"
      "250-auth login   plain\r\n"
      "250-AUTH=LOGIN PLAIN\r\n"
      "250-8bitmime\r\n"
      "250-PIPELINING\r\n"
      "250-x-foo\ta\r\n"
      "250 X-FOO a\r\n");
  REQUIRE(sloppy.replies == 1);
  CHECK(sloppy.refused.empty());
  capabilities expected =
      folded({"SIZE 20000000", "PIPELINING", "AUTH LOGIN PLAIN", "8BITMIME", "x-foo a"});
  expected.set_legacy_auth_equals(true);
  CHECK(sloppy.caps == expected);
}

TEST_CASE("ehlo_folder: bad lines are reported one by one and the rest folds",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-mx.example.org\r\n"
      "250-SIZE 99999999999999999999999\r\n"
      "250-PIPELINING\r\n"
      "250-AUTH PLAIN B@D\r\n"
      "250-\r\n"
      "250-X.BAD\r\n"
      "250 DSN\r\n");
  REQUIRE(r.replies == 1);
  const std::vector<std::pair<std::string, errc>> expected_refused = {
      {"SIZE 99999999999999999999999", errc::invalid_parameter_value},
      {"AUTH PLAIN B@D", errc::invalid_mechanism},
      {"", errc::invalid_syntax},
      {"X.BAD", errc::invalid_syntax},
  };
  CHECK(r.refused == expected_refused);
  CHECK(r.first_error == errc::invalid_parameter_value);
  CHECK(r.caps == folded({"PIPELINING", "DSN"}));
}

TEST_CASE("ehlo_folder: an LHLO reply folds like an EHLO reply (RFC 2033 §4.1)",
          "[smtp][capabilities][ehlo][servers]") {
  const ehlo_outcome r = run_ehlo(
      "250-lmtp.example.org\r\n"
      "250-8BITMIME\r\n"
      "250-CHUNKING\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-PIPELINING\r\n"
      "250-STARTTLS\r\n"
      "250 VRFY\r\n");
  REQUIRE(r.replies == 1);
  CHECK(r.refused.empty());
  CHECK(r.caps ==
        folded({"8BITMIME", "CHUNKING", "ENHANCEDSTATUSCODES", "PIPELINING", "STARTTLS", "VRFY"}));
}

TEST_CASE("ehlo_folder: a reply abandoned by client_parser leaves nothing behind (RFC 5321 §4.2.1)",
          "[smtp][capabilities][ehlo][folder]") {
  // The third line carries another code: the reply is void, the folder reset,
  // and the next reply starts from nothing.
  const ehlo_outcome r = run_ehlo(
      "250-mx.example.org\r\n"
      "250-SIZE 1000\r\n"
      "251 PIPELINING\r\n"
      "250-mx.example.org\r\n"
      "250 DSN\r\n");
  CHECK(r.parser_errors == std::vector<errc>{errc::reply_code_mismatch});
  REQUIRE(r.replies == 1);
  CHECK(r.caps == folded({"DSN"}));
}

namespace {

/// A random capabilities value that validate() accepts, so that
/// write_ehlo_reply() writes it.
capabilities random_capabilities(std::mt19937& rng) {
  auto pick = [&rng](std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng);
  };
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + pick(10));
    return s;
  };
  capabilities c;
  for (const auto e : all_extensions)
    if (pick(2) == 0) c.set(e);
  if (c.has(extension::size) || pick(4) == 0) {
    switch (pick(3)) {
      case 0: c.set_size_limit(0); break;
      case 1: c.set_size_limit(pick(100000000)); break;
      default: c.set_size_limit(std::uniform_int_distribution<std::uint64_t>()(rng)); break;
    }
  }
  for (const auto m : all_mechanisms)
    if (pick(4) == 0) c.add_mechanism(m);
  for (std::uint32_t n = pick(5); n > 0; --n) {
    std::string mech = pick(2) == 0 ? "X" : "x";
    for (std::uint32_t k = pick(19); k > 0; --k) mech += "ABZabz09-_"[pick(10)];
    const errc e = c.add_mechanism(mech);
    REQUIRE((e == errc{} || e == errc::buffer_too_small));
  }
  if (c.has(extension::auth) && mechanisms_of(c).empty()) c.add_mechanism(sasl_mechanism::plain);
  if (c.has(extension::mt_priority) && pick(2) == 0) {
    std::string profile;
    for (std::uint32_t k = 1 + pick(20); k > 0; --k) profile += "AZaz09-_."[pick(9)];
    REQUIRE(c.set_mt_priority(profile) == errc{});
  }
  if (c.has(extension::deliverby) && pick(2) == 0)
    REQUIRE(c.set_deliverby_min_by_time(pick(1000000000)) == errc{});
  if (c.has(extension::futurerelease)) {
    // One pick per statement: the order in which operands of + are evaluated
    // is unspecified, and the sequence must not depend on the compiler.
    std::string date = digits(4);
    date += "-0" + std::to_string(1 + pick(9));
    date += "-" + std::to_string(10 + pick(19));
    date += pick(2) == 0 ? "T" : "t";
    date += std::to_string(10 + pick(14));
    date += ":" + std::to_string(10 + pick(50));
    date += ":" + std::to_string(10 + pick(51));
    if (pick(2) == 0) date += "." + digits(1 + static_cast<int>(pick(9)));
    if (pick(2) == 0) {
      date += "Z";
    } else {
      date += "+0" + digits(1);
      date += ":" + std::to_string(10 + pick(50));
    }
    INFO(date);
    REQUIRE(c.set_future_release(pick(1000000000), date) == errc{});
  }
  if (c.has(extension::limits)) {
    for (const auto l : {ehlo_limit::rcptmax, ehlo_limit::mailmax, ehlo_limit::rcptdomainmax})
      if (pick(2) == 0) REQUIRE(c.set_limit(l, 1 + pick(999999)) == errc{});
    if (c.validate() != errc{})
      REQUIRE(c.set_limit(ehlo_limit::mailmax, 1 + pick(999999)) == errc{});
  }
  if (c.has(extension::binarymime)) c.set(extension::chunking);
  if (c.has(extension::smtputf8)) c.set(extension::eightbitmime);
  for (std::uint32_t n = pick(7); n > 0; --n) {
    std::string line = pick(2) == 0 ? "X-K" : "x";
    line += std::to_string(pick(1000));
    for (std::uint32_t k = pick(4); k > 0; --k) {
      line += ' ';
      for (std::uint32_t len = 1 + pick(12); len > 0; --len)
        line += static_cast<char>(33 + pick(94));
    }
    const errc e = c.add_keyword(line);
    REQUIRE((e == errc{} || e == errc::invalid_argument || e == errc::buffer_too_small));
  }
  REQUIRE(c.validate() == errc{});
  return c;
}

}  // namespace

TEST_CASE(
    "ehlo_folder: write_ehlo_reply, client_parser and the folder round-trip any value "
    "(RFC 5321 §4.1.1.1)",
    "[smtp][capabilities][ehlo][property]") {
  std::mt19937 rng(20240613);
  auto check_round_trip = [&rng](const capabilities& original, std::string_view greeting) {
    std::string wire;
    mailwire::appendable_sink<std::string> sink(wire);
    REQUIRE(mailwire::smtp::write_ehlo_reply(sink, "mx.example.org", greeting, original) == errc{});
    INFO(mailwire::test::escape(wire));
    for (int split = 0; split < 2; ++split) {
      const ehlo_outcome r = run_ehlo(wire, split == 0 ? nullptr : &rng);
      REQUIRE(r.replies == 1);
      CHECK(r.parser_errors.empty());
      CHECK(r.refused.empty());
      CHECK(r.code == 250);
      CHECK(r.lines == original.line_count() + 1);
      CHECK(r.caps == original);
    }
  };

  capabilities all = everything();
  all.set_legacy_auth_equals(false);  // never written, so never read back
  check_round_trip(all, "Hello client.example.com [192.0.2.1]");
  check_round_trip(capabilities{}, "");

  for (int round = 0; round < 400; ++round) {
    INFO("round " << round);
    check_round_trip(random_capabilities(rng), round % 3 == 0 ? "" : "at your service");
  }
}
