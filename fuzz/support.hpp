// Helpers shared by the fuzz targets (fuzz/<target>.cpp), for the libFuzzer
// and the replay builds alike. They only set the stage (checks that trap,
// exact-size heap blocks, splits of the input, a deterministic RNG); what a
// target checks is said in the comment at the top of that target.
//
//   FUZZ_CHECK(cond)          a violated invariant: prints it, then traps
//   fuzz::inside(v, base, n)  is the view v within [base, base + n)?
//   fuzz::splitmix64, fnv1a   RNG step and input hash for derived choices
//   fuzz::exact_copy, scribbled_block, untouched
//                             exact-size heap blocks: an over-read (or an
//                             over-write) is an ASan report
//   fuzz::split_plan          piece lengths from a "split" byte
//   fuzz::for_each_piece      feeds a body piece by piece, each piece in its own
//                             heap block that is scribbled over once the piece
//                             is done (use after free: ASan; else wrong data)

#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

/// A violated invariant: prints the condition, its file and line ("check
/// failed" is what fuzz/run.sh looks for in the log), then traps. libFuzzer
/// and replay_main.cpp both report the trap with the input that caused it.
/// Never compiled out (no NDEBUG dependence).
#define FUZZ_CHECK(cond)                                          \
  do {                                                            \
    if (!(cond)) ::fuzz::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace fuzz {

[[noreturn]] inline void check_failed(const char* cond, const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  std::fprintf(stderr, "%s:%d: check failed: %s\n", base != nullptr ? base + 1 : file, line, cond);
  __builtin_trap();
}

/// True when the view [v.data(), v.data() + v.size()) lies within the n bytes
/// at base (an empty view just past the end counts as within).
inline bool inside(std::string_view v, const void* base, std::size_t n) {
  const auto lo = reinterpret_cast<std::uintptr_t>(base);
  const auto x = reinterpret_cast<std::uintptr_t>(v.data());
  return x >= lo && x <= lo + n && v.size() <= lo + n - x;
}

/// One step of splitmix64: a small, well-mixed deterministic RNG.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// FNV-1a over the whole input: a seed that changes with every input byte.
inline std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/// What scribbled_block() fills with, and for_each_piece() writes over a piece
/// once it is done.
constexpr char kScribble = static_cast<char>(0xA5);

/// The n bytes at p in an exact-size heap block of their own.
inline std::unique_ptr<char[]> exact_copy(const char* p, std::size_t n) {
  std::unique_ptr<char[]> b(new char[n]);
  if (n != 0) std::memcpy(b.get(), p, n);
  return b;
}

/// An exact-size heap block of n bytes, all kScribble.
inline std::unique_ptr<char[]> scribbled_block(std::size_t n) {
  std::unique_ptr<char[]> b(new char[n]);
  if (n != 0) std::memset(b.get(), kScribble, n);
  return b;
}

/// True when the n bytes at p are all still kScribble.
inline bool untouched(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != kScribble) return false;
  return true;
}

/// Piece lengths covering body.size() octets, as a target's "split" byte `how`
/// asks (`seed` drives the random choices):
///   bits 0-1  0: one byte at a time
///             1: random piece lengths in [1, 2^(bits 2-4)]
///             2: a cut just before and just after every byte for which
///                cut_around(byte) is true
///             3: one cut at a point derived from the seed
///   bit 7     an empty piece (length 0) before every piece
/// Bits 5-6 are left to the target.
template <class CutAround>
std::vector<std::size_t> split_plan(std::string_view body, std::uint8_t how, std::uint64_t seed,
                                    CutAround cut_around) {
  const std::size_t n = body.size();
  std::vector<std::size_t> cuts;  // offsets in (0, n), increasing
  switch (how & 3) {
    case 0:
      for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
      break;
    case 1: {
      const std::uint64_t max = std::uint64_t{1} << ((how >> 2) & 7);
      for (std::size_t at = 0;;) {
        at += 1 + static_cast<std::size_t>(splitmix64(seed) % max);
        if (at >= n) break;
        cuts.push_back(at);
      }
      break;
    }
    case 2:
      for (std::size_t i = 0; i < n; ++i) {
        if (!cut_around(body[i])) continue;
        if (i != 0 && (cuts.empty() || cuts.back() != i)) cuts.push_back(i);
        if (i + 1 < n) cuts.push_back(i + 1);
      }
      break;
    default:
      if (n > 1) cuts.push_back(1 + static_cast<std::size_t>(seed % (n - 1)));
      break;
  }
  std::vector<std::size_t> plan;
  const bool empties = (how & 0x80) != 0;
  std::size_t prev = 0;
  for (std::size_t c : cuts) {
    if (empties) plan.push_back(0);
    plan.push_back(c - prev);
    prev = c;
  }
  if (empties) plan.push_back(0);
  plan.push_back(n - prev);
  return plan;
}

/// Hands `body` to f piece by piece, as `plan` (lengths summing to
/// body.size()) cuts it: f(piece, stream offset of the piece, is it the last
/// piece of the plan) returns whether to go on. Each piece is a copy in an
/// exact-size heap block of its own, scribbled over (kScribble) and freed as
/// soon as f returns: a view of it kept past that is a use-after-free under
/// ASan, and wrong data without it. When f never stops, checks that the plan
/// covered the body exactly.
template <class F>
void for_each_piece(std::string_view body, const std::vector<std::size_t>& plan, F&& f) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::size_t len = plan[i];
    FUZZ_CHECK(len <= body.size() - at);
    const std::unique_ptr<char[]> piece = exact_copy(body.data() + at, len);
    const bool go_on = f(std::string_view(piece.get(), len), at, i + 1 == plan.size());
    if (len != 0) std::memset(piece.get(), kScribble, len);
    at += len;
    if (!go_on) return;
  }
  FUZZ_CHECK(at == body.size());
}

}  // namespace fuzz
