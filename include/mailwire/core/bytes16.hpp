#pragma once
// Sixteen octets judged at once, as bit masks: the classification step of the
// grammar fast paths (smtp/mail_rcpt_fast_path.hpp).
//
// The comparisons are written once with the GCC/Clang vector extension, which
// compiles to SSE2 on x86-64 and NEON on aarch64; only turning a comparison
// result into a 16-bit mask (one bit per octet) needs the instruction set.
// Compilers without the extension get MAILWIRE_HAS_BYTES16 0, and the fast
// paths built on it step aside.

#include <cstdint>
#include <cstring>

#if defined(__GNUC__) || defined(__clang__)
#define MAILWIRE_HAS_BYTES16 1
#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif
#else
#define MAILWIRE_HAS_BYTES16 0
#endif

#if MAILWIRE_HAS_BYTES16
namespace mailwire::bytes16 {

/// Sixteen unsigned octets; a comparison gives 0xFF where true, 0 where false.
typedef unsigned char vec __attribute__((vector_size(16)));

/// p[0..15] (no alignment needed).
inline vec load(const char* p) noexcept {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/// 0xFF in each lane equal to c.
inline vec equal(vec v, unsigned char c) noexcept { return static_cast<vec>(v == c); }

/// 0xFF in each lane within [lo, hi] (unsigned).
inline vec in_range(vec v, unsigned char lo, unsigned char hi) noexcept {
  const vec offset = v - lo;
  return static_cast<vec>(offset <= static_cast<unsigned char>(hi - lo));
}

/// Bit k set when lane k is 0xFF (lanes must be 0x00 or 0xFF).
inline std::uint32_t mask(vec m) noexcept {
#if defined(__SSE2__)
  return static_cast<std::uint32_t>(_mm_movemask_epi8(reinterpret_cast<__m128i>(m)));
#elif defined(__aarch64__)
  // Keep one distinct bit per lane, then add the lanes of each half.
  const uint8x16_t weights = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t bits = vandq_u8(reinterpret_cast<uint8x16_t>(m), weights);
  return static_cast<std::uint32_t>(vaddv_u8(vget_low_u8(bits))) |
         static_cast<std::uint32_t>(vaddv_u8(vget_high_u8(bits))) << 8;
#else
  std::uint32_t r = 0;
  for (unsigned k = 0; k < 16; ++k) r |= static_cast<std::uint32_t>(m[k] >> 7) << k;
  return r;
#endif
}

}  // namespace mailwire::bytes16
#endif
