// Scanning kernels: every kernel agrees with the scalar reference.
#include <mailwire/core/scan.hpp>

#include <random>
#include <string>

#include "catch.hpp"

namespace scan = mailwire::scan;

namespace {

template <unsigned Mode>
void check_all_kernels(const std::string& buf, std::size_t from) {
  const char* first = buf.data() + from;
  const char* last = buf.data() + buf.size();
  const char* expected = scan::scalar::find<Mode>(first, last);
  for (auto k : scan::all_kernels) {
    INFO("kernel " << scan::name(k) << " mode " << Mode);
    REQUIRE(scan::find_with<Mode>(k, first, last) == expected);
  }
  REQUIRE(scan::find<Mode>(first, last) == expected);
}

template <unsigned Mode>
void random_agreement(std::uint32_t seed) {
  std::mt19937 rng(seed);
  const char alphabet[] = {'a', '.', '\r', '\n', '\0', 'z'};
  for (int round = 0; round < 3000; ++round) {
    std::string buf(1 + rng() % 300, 'x');
    // Mostly plain text with sparse specials, so long vector runs are covered.
    const unsigned density = 1 + rng() % 40;
    for (auto& c : buf) c = (rng() % density == 0) ? alphabet[rng() % sizeof alphabet] : 'q';
    check_all_kernels<Mode>(buf, 1);
  }
}

}  // namespace

TEST_CASE("scan: scalar reference defines each condition", "[scan]") {
  const std::string s = "x.a\r\nb\nc\rd\r\n.e\0f";
  const char* b = s.data();
  const char* e = b + s.size();
  CHECK(scan::scalar::find<scan::cr>(b, e) - b == 3);
  CHECK(scan::scalar::find<scan::lf>(b, e) - b == 4);
  CHECK(scan::scalar::find<scan::bare_lf>(b + 1, e) - b == 6);
  CHECK(scan::scalar::find<scan::bare_cr>(b, e) - b == 8);
  CHECK(scan::scalar::find<scan::dot_after_lf>(b + 1, e) - b == 12);
  const std::string z("ab\0", 3);
  CHECK(scan::scalar::find<scan::nul>(z.data(), z.data() + 3) - z.data() == 2);
  CHECK(scan::scalar::find<scan::cr>(b, b) == b);
}

TEST_CASE("scan: CR as the last byte counts as bare (its LF is not known yet)", "[scan]") {
  const std::string s = std::string(100, 'a') + "\r";
  for (auto k : scan::all_kernels)
    CHECK(scan::find_with<scan::bare_cr>(k, s.data(), s.data() + s.size()) == s.data() + 100);
}

TEST_CASE("scan: every kernel agrees with the scalar reference", "[scan]") {
  random_agreement<scan::cr | scan::lf | scan::nul>(1);
  random_agreement<scan::bare_cr | scan::bare_lf | scan::nul | scan::dot_after_lf>(2);
  random_agreement<scan::bare_cr | scan::bare_lf | scan::dot_after_lf>(3);
  random_agreement<scan::dot_after_lf>(4);
  random_agreement<scan::lf | scan::dot_after_lf>(5);
}

TEST_CASE("scan: a match at every offset of a long run is found", "[scan]") {
  for (std::size_t at = 1; at < 200; ++at) {
    std::string buf(200, 'a');
    buf[at] = '\0';
    check_all_kernels<scan::nul>(buf, 0);
    buf[at] = '.';
    buf[at - 1] = '\n';
    check_all_kernels<scan::dot_after_lf>(buf, 1);
  }
}
