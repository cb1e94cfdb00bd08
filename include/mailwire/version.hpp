#pragma once
// mailwire version. CMake reads the three numbers below; keep their format.
// version_string must match them (a static_assert below checks it).

#include <cstddef>

#define MAILWIRE_VERSION_MAJOR 0
#define MAILWIRE_VERSION_MINOR 1
#define MAILWIRE_VERSION_PATCH 0

#define MAILWIRE_VERSION \
  (MAILWIRE_VERSION_MAJOR * 10000 + MAILWIRE_VERSION_MINOR * 100 + MAILWIRE_VERSION_PATCH)

namespace mailwire {
inline constexpr int version_major = MAILWIRE_VERSION_MAJOR;
inline constexpr int version_minor = MAILWIRE_VERSION_MINOR;
inline constexpr int version_patch = MAILWIRE_VERSION_PATCH;
inline constexpr const char version_string[] = "0.1.0";

namespace detail {
/// Reads one decimal number at s[i] (no sign, no leading zero) and advances i;
/// -1 when there is none.
constexpr int parse_version_number(const char* s, std::size_t& i) noexcept {
  if (s[i] < '0' || s[i] > '9') return -1;
  if (s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9') return -1;
  int value = 0;
  for (; s[i] >= '0' && s[i] <= '9'; ++i) {
    if (value > 100000) return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

/// True when the `length` characters of s read exactly "major.minor.patch".
constexpr bool version_string_is(const char* s, std::size_t length, int major, int minor,
                                 int patch) noexcept {
  std::size_t i = 0;
  if (parse_version_number(s, i) != major || s[i++] != '.') return false;
  if (parse_version_number(s, i) != minor || s[i++] != '.') return false;
  if (parse_version_number(s, i) != patch) return false;
  return i == length;
}
}  // namespace detail

// The string is spelled out for readers and packagers; this keeps it honest.
static_assert(detail::version_string_is(version_string, sizeof(version_string) - 1, version_major,
                                        version_minor, version_patch),
              "version_string must equal MAILWIRE_VERSION_MAJOR.MINOR.PATCH");
}  // namespace mailwire
