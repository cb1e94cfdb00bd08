// The SASL mechanism set that SMTP's EHLO AUTH line and POP3's CAPA SASL
// line are stored in (names: RFC 4422 §3.1, tested with POP3's commands).
#include <mailwire/core/sasl_mechanism.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

using mailwire::errc;
using mailwire::sasl_mechanism;
using mailwire::detail::sasl_mechanism_set;

namespace {

std::vector<std::string> listed(const sasl_mechanism_set<64>& set) {
  std::vector<std::string> names;
  set.for_each([&names](std::string_view m) { names.emplace_back(m); });
  return names;
}

}  // namespace

TEST_CASE("sasl mechanism set: well-known names are bits, found in any case (RFC 4422 §3.1)",
          "[core][sasl]") {
  sasl_mechanism_set<64> set;
  CHECK(set.empty());
  REQUIRE(set.add("plain") == errc{});
  set.add(sasl_mechanism::xoauth2);
  CHECK(set.contains(sasl_mechanism::plain));
  CHECK(set.contains("PLAIN"));
  CHECK(set.contains("XOAuth2"));
  CHECK_FALSE(set.contains(sasl_mechanism::login));
  CHECK(set.others().empty());  // nothing was kept as text
  CHECK_FALSE(set.empty());
}

TEST_CASE("sasl mechanism set: other names kept once, upper-cased, in order", "[core][sasl]") {
  sasl_mechanism_set<64> set;
  REQUIRE(set.add("x-second") == errc{});
  REQUIRE(set.add("X-FIRST") == errc{});
  REQUIRE(set.add("X-SECOND") == errc{});  // already there: no second copy
  REQUIRE(set.add("LOGIN") == errc{});
  CHECK(set.contains("x-first"));
  CHECK_FALSE(set.contains("X-THIRD"));
  // Well-known ones first, in enumerator order, then the others as added:
  // the order an AUTH or SASL line is written in.
  CHECK(listed(set) == std::vector<std::string>{"LOGIN", "X-SECOND", "X-FIRST"});
}

TEST_CASE("sasl mechanism set: a bad or unfitting name changes nothing", "[core][sasl]") {
  sasl_mechanism_set<64> set;
  REQUIRE(set.add("PLAIN") == errc{});
  const sasl_mechanism_set<64> before = set;
  CHECK(set.add("BAD!MECH") == errc::invalid_mechanism);
  CHECK(set.add("") == errc::invalid_mechanism);
  CHECK(set == before);
  // 64 octets hold three 20-octet names (21 each with the terminator).
  for (const char c : {'A', 'B', 'C'}) REQUIRE(set.add(std::string(20, c)) == errc{});
  const sasl_mechanism_set<64> full = set;
  CHECK(set.add(std::string(20, 'D')) == errc::buffer_too_small);
  CHECK(set == full);
  CHECK(set.add("cram-md5") == errc{});  // a bit: no text needed
  CHECK(set != full);
}

TEST_CASE("sasl mechanism set: equality is bits and names in order; clear() empties",
          "[core][sasl]") {
  sasl_mechanism_set<64> a, b;
  REQUIRE(a.add("X-ONE") == errc{});
  REQUIRE(a.add("X-TWO") == errc{});
  REQUIRE(b.add("X-TWO") == errc{});
  REQUIRE(b.add("X-ONE") == errc{});
  CHECK(a != b);  // written in a different order
  a.clear();
  CHECK(a.empty());
  CHECK(a == sasl_mechanism_set<64>{});
}
