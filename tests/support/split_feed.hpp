#pragma once
// Split-invariance harness shared by every parser test.
//
// A parser is driven through a small adapter ("session") that feeds one piece
// and drains events into an event_log. The harness replays the same input
// whole, one byte at a time, at every single split offset and at random split
// points, and the logs must be identical (body data joined).
//
// Each piece lives in its own exact-size heap block that is scribbled over and
// freed as soon as the parser asks for more, so a view that outlives its
// contract shows up as a wrong log here and as a use-after-free under ASan.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"

namespace mailwire::test {

/// A string literal whole, embedded NULs included.
template <std::size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

/// Escape bytes for readable logs: \r \n \t \0 \\ and \xHH for the rest.
inline std::string escape(std::string_view s) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

/// The events a parser produced, one line each. Consecutive body data is
/// joined, because only its concatenation is split-invariant.
struct event_log {
  std::vector<std::string> lines;
  bool last_was_data = false;

  void data(std::string_view bytes) {
    if (!last_was_data) lines.emplace_back("data ");
    lines.back() += escape(bytes);
    last_was_data = true;
  }
  void add(std::string line) {
    lines.push_back(std::move(line));
    last_was_data = false;
  }
  std::string str() const {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

/// Cut points (offsets in (0, n)) describing how to split an input of n bytes.
using split_plan = std::vector<std::size_t>;

inline split_plan every_byte(std::size_t n) {
  split_plan p;
  for (std::size_t i = 1; i < n; ++i) p.push_back(i);
  return p;
}

inline split_plan random_plan(std::size_t n, std::mt19937& rng) {
  split_plan p;
  if (n < 2) return p;
  std::uniform_int_distribution<std::size_t> pieces(1, 8);
  std::uniform_int_distribution<std::size_t> at(1, n - 1);
  for (std::size_t k = pieces(rng); k > 0; --k) p.push_back(at(rng));
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

/// Replays `input` through a fresh session split per `plan`. Session must
/// provide `void feed(std::string_view piece, event_log&)` (feed, then drain
/// until the parser needs more) and `void finish(event_log&)` (end of input).
template <class MakeSession>
std::string replay(MakeSession&& make, std::string_view input, const split_plan& plan) {
  auto session = make();
  event_log log;
  std::size_t from = 0;
  auto feed_piece = [&](std::size_t to) {
    const std::size_t n = to - from;
    std::unique_ptr<char[]> block(new char[n == 0 ? 1 : n]);
    std::copy(input.begin() + static_cast<std::ptrdiff_t>(from),
              input.begin() + static_cast<std::ptrdiff_t>(to), block.get());
    session.feed(std::string_view(block.get(), n), log);
    std::fill(block.get(), block.get() + n, '#');  // stale views read garbage
    from = to;
  };
  for (std::size_t cut : plan) feed_piece(cut);
  feed_piece(input.size());
  session.finish(log);
  return log.str();
}

/// Requires identical logs for: whole, byte by byte, every two-piece split
/// (inputs up to `exhaustive_limit` bytes) and `random_rounds` random splits.
/// Returns the whole-input log so the caller can check its content too.
template <class MakeSession>
std::string check_split_invariance(MakeSession&& make, std::string_view input,
                                   int random_rounds = 64, std::size_t exhaustive_limit = 2048) {
  const std::string whole = replay(make, input, {});
  INFO("input: " << escape(input));
  CHECK(replay(make, input, every_byte(input.size())) == whole);
  if (input.size() <= exhaustive_limit) {
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
      const std::string got = replay(make, input, {cut});
      if (got != whole) {
        INFO("split at " << cut);
        CHECK(got == whole);
        break;
      }
    }
  }
  std::mt19937 rng(static_cast<std::uint32_t>(input.size() * 2654435761u + 17));
  for (int r = 0; r < random_rounds; ++r) {
    const split_plan plan = random_plan(input.size(), rng);
    const std::string got = replay(make, input, plan);
    if (got != whole) {
      INFO("random split round " << r);
      CHECK(got == whole);
      break;
    }
  }
  return whole;
}

}  // namespace mailwire::test
