#pragma once
// Eight octets at a time in a plain 64-bit word ("SIMD within a register"):
// portable, constexpr, no intrinsics. The grammar scanners of paths and ESMTP
// parameters use it for the common runs of ordinary octets.
//
// The tests built on these leave the high bit of each octet that matches and
// no other bit, exact at least for the lowest match (borrows and carries only
// spread upwards from a match), so the lowest bit set is the first match.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailwire::swar {

inline constexpr std::uint64_t ones = 0x0101010101010101u;
inline constexpr std::uint64_t highs = 0x8080808080808080u;
inline constexpr std::uint64_t lows = ~highs;

/// p[0..7] as a little-endian word; written out so that compilers merge it
/// into one load while it stays usable in constant expressions.
constexpr std::uint64_t load_le64(const char* p) noexcept {
  const auto b = [p](unsigned k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
  return b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24 | b(4) << 32 | b(5) << 40 | b(6) << 48 |
         b(7) << 56;
}

/// text[i..i+8) as a word, with zero octets past the end (read from no octet
/// outside `text`). Requires i <= text.size().
constexpr std::uint64_t word_at(std::string_view text, std::size_t i) noexcept {
  const std::size_t n = text.size();
  const std::size_t left = n - i;
  if (left >= 8) return load_le64(text.data() + i);
  if (left == 0) return 0;
  if (n >= 8) return load_le64(text.data() + n - 8) >> (8 * (8 - left));
  std::uint64_t w = 0;
  for (std::size_t k = 0; k < left; ++k)
    w |= std::uint64_t{static_cast<unsigned char>(text[i + k])} << (8 * k);
  return w;
}

/// Index (0-7) of the lowest octet whose high bit is set in `m` (m != 0, only
/// octet high bits set).
constexpr std::size_t first(std::uint64_t m) noexcept {
  const std::uint64_t lowest = m & (~m + 1);
  // lowest >> 7 is 1 << 8k; the multiplication moves byte 7-k of the
  // constant, which holds k, to the top.
  return static_cast<std::size_t>(((lowest >> 7) * 0x0001020304050607u) >> 56);
}

/// The high bit of each octet of `w` equal to c.
constexpr std::uint64_t octets_equal(std::uint64_t w, char c) noexcept {
  const std::uint64_t x = w ^ (ones * static_cast<unsigned char>(c));
  return (x - ones) & ~x & highs;
}

/// The high bit of each octet whose low seven bits (`low7`) are at least k;
/// the other bits are noise.
constexpr std::uint64_t at_least(std::uint64_t low7, unsigned k) noexcept {
  return low7 + ones * (0x80u - k);
}

}  // namespace mailwire::swar
