#pragma once
// Command-line helpers shared by the example tools.

#include <cstdint>

namespace mailwire::cli {

/// Decimal digits only (no sign, no space), at most `max`.
inline bool parse_number(const char* s, std::uint64_t max, std::uint64_t& out) {
  if (*s == '\0') return false;
  std::uint64_t v = 0;
  for (; *s != '\0'; ++s) {
    if (*s < '0' || *s > '9') return false;
    const auto digit = static_cast<std::uint64_t>(*s - '0');
    if (v > (max - digit) / 10) return false;
    v = v * 10 + digit;
  }
  out = v;
  return true;
}

}  // namespace mailwire::cli
