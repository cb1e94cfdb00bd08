#pragma once
// Checks every writer test makes: what a writer appends to a growing sink,
// and that it writes all or nothing into a fixed one.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"

namespace mailwire::test {

/// A writer's result and what it appended.
struct written {
  errc error;
  std::string bytes;
};

/// Runs `write` on a growing sink that starts with a prefix, and checks that
/// the prefix is untouched and that nothing is added on error.
template <class F>
written run(F&& write) {
  std::string out = "prefix";
  appendable_sink<std::string> sink(out);
  const errc e = write(sink);
  CHECK(out.substr(0, 6) == "prefix");
  if (e != errc{}) CHECK(out == "prefix");
  CHECK_FALSE(sink.failed());
  return {e, out.substr(6)};
}

/// The writer must produce `expected` into a fixed_sink of exactly that size,
/// and refuse every smaller size with buffer_too_small, leaving the sink as it
/// was and writing nothing past its capacity. Also with bytes already in it.
template <class F>
void check_all_or_nothing(F&& write, std::string_view expected) {
  for (const std::size_t pre : {std::size_t{0}, std::size_t{3}}) {
    std::vector<char> buf(pre + expected.size() + 8);
    for (std::size_t cap = pre; cap <= pre + expected.size(); ++cap) {
      std::fill(buf.begin(), buf.end(), '#');
      fixed_sink sink(buf.data(), cap);
      REQUIRE(sink.append(std::string(pre, 'p')));
      const errc e = write(sink);
      if (cap < pre + expected.size()) {
        INFO("capacity " << cap << " of " << pre + expected.size());
        REQUIRE(e == errc::buffer_too_small);
        REQUIRE(sink.size() == pre);
        REQUIRE_FALSE(sink.failed());
        REQUIRE(sink.view() == std::string(pre, 'p'));
        // Bytes past size() are the caller's scratch (a rolled-back write may
        // have used them), but nothing past the capacity is ever touched.
        REQUIRE(std::string(buf.begin() + static_cast<std::ptrdiff_t>(cap), buf.end()) ==
                std::string(buf.size() - cap, '#'));
      } else {
        REQUIRE(e == errc{});
        CHECK(sink.view().substr(pre) == expected);
        CHECK(buf[cap] == '#');
      }
    }
  }
}

}  // namespace mailwire::test
