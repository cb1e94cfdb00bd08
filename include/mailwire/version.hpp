#pragma once
// mailwire version. CMake reads the three numbers below; keep their format.

#define MAILWIRE_VERSION_MAJOR 0
#define MAILWIRE_VERSION_MINOR 1
#define MAILWIRE_VERSION_PATCH 0

#define MAILWIRE_VERSION                                                     \
  (MAILWIRE_VERSION_MAJOR * 10000 + MAILWIRE_VERSION_MINOR * 100 +            \
   MAILWIRE_VERSION_PATCH)

namespace mailwire {
inline constexpr int version_major = MAILWIRE_VERSION_MAJOR;
inline constexpr int version_minor = MAILWIRE_VERSION_MINOR;
inline constexpr int version_patch = MAILWIRE_VERSION_PATCH;
inline constexpr const char version_string[] = "0.1.0";
}  // namespace mailwire
