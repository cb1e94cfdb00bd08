#pragma once
// Byte scanning kernels used by line framing and the dot codec.
//
// One question, asked at memory speed: "where is the first byte in [first,
// last) that matches any of the conditions in Mode?". The conditions are
// chosen so that the codecs only stop where something must happen (a line
// end, a line-start dot, a bare CR/LF, a NUL) and skip everything else.
//
// Every kernel exists once per instruction set, each callable by name so that
// tests and fuzzers can compare them against the scalar reference:
//   scan::scalar::find<Mode>   always
//   scan::sse2::find<Mode>     x86-64 (baseline)
//   scan::avx2::find<Mode>     x86-64, usable when the CPU supports AVX2
//   scan::neon::find<Mode>     aarch64 (baseline)
// scan::find<Mode> picks the best one: at compile time when the build targets
// AVX2 already, otherwise with the compiler's CPU-feature builtin (a read of an
// immutable flag the runtime initialises once; mailwire keeps no state).

#include <cstddef>
#include <cstdint>
#include <cstring>

// GCC and Clang (their vector extensions, target attributes and builtins).
#if defined(__x86_64__)
#define MAILWIRE_DETAIL_SCAN_X86 1
#include <immintrin.h>
#elif defined(__aarch64__)
#define MAILWIRE_DETAIL_SCAN_NEON 1
#include <arm_neon.h>
#endif

namespace mailwire::scan {

/// Conditions a kernel stops at; combine with `|`. For a position q:
enum : unsigned {
  cr = 1u << 0,            ///< q[0] == CR
  lf = 1u << 1,            ///< q[0] == LF
  nul = 1u << 2,           ///< q[0] == NUL
  bare_cr = 1u << 3,       ///< q[0] == CR and q[1] != LF (or q+1 == last: unknown)
  bare_lf = 1u << 4,       ///< q[0] == LF and q[-1] != CR
  dot_after_lf = 1u << 5,  ///< q[0] == '.' and q[-1] == LF
};

/// Modes that look at q[-1] require first[-1] to be readable (it belongs to
/// the same buffer). Kernels never read before first-1 or at/after last.
constexpr bool needs_previous_byte(unsigned mode) noexcept {
  return (mode & (bare_lf | dot_after_lf)) != 0;
}

/// Kernel identities, for tests, fuzzers and benchmarks.
enum class kernel : std::uint8_t { scalar, sse2, avx2, neon };

/// Every kernel, whether or not this build or CPU can run it (see available()).
inline constexpr kernel all_kernels[] = {kernel::scalar, kernel::sse2, kernel::avx2, kernel::neon};

constexpr const char* name(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return "scalar";
    case kernel::sse2: return "sse2";
    case kernel::avx2: return "avx2";
    case kernel::neon: return "neon";
  }
  return "?";
}

namespace detail {
constexpr unsigned char kCR = '\r', kLF = '\n', kDot = '.';

inline unsigned ctz32(std::uint32_t v) noexcept { return static_cast<unsigned>(__builtin_ctz(v)); }
inline unsigned ctz64(std::uint64_t v) noexcept {
  return static_cast<unsigned>(__builtin_ctzll(v));
}

/// Does position q (first <= q < last) match Mode? The one definition every
/// vector kernel must agree with.
template <unsigned Mode>
inline bool matches(const unsigned char* q, const unsigned char* last) noexcept {
  const unsigned char c = q[0];
  if ((Mode & cr) && c == kCR) return true;
  if ((Mode & lf) && c == kLF) return true;
  if ((Mode & nul) && c == 0) return true;
  if ((Mode & bare_cr) && c == kCR && (q + 1 == last || q[1] != kLF)) return true;
  if ((Mode & bare_lf) && c == kLF && q[-1] != kCR) return true;
  if ((Mode & dot_after_lf) && c == kDot && q[-1] == kLF) return true;
  return false;
}

template <unsigned Mode>
inline bool matches(const char* q, const char* last) noexcept {
  return matches<Mode>(reinterpret_cast<const unsigned char*>(q),
                       reinterpret_cast<const unsigned char*>(last));
}

// The vector kernels judge pairs: lane i of a block at p looks at b = p[i] and
// n = p[i+1]. Conditions on one byte (cr, lf, nul) and bare_cr concern p+i;
// bare_lf and dot_after_lf concern p+i+1, whose previous byte is p[i]. So the
// block never loads p[-1], and one XOR covers both bare cases:
// (b == CR) != (n == LF) is a CR without its LF at p+i or an LF without its CR
// at p+i+1. A lane therefore points at p+i or p+i+1: the first lane set gives
// p+i if that position matches, else p+i+1. The one position no lane judges
// with its previous byte is `first` itself, checked before the loop.
constexpr bool judges_pairs(unsigned mode) noexcept {
  return (mode & (bare_cr | bare_lf | dot_after_lf)) != 0;
}

template <unsigned Mode>
inline const char* resolve(const char* q, const char* last) noexcept {
  return matches<Mode>(q, last) ? q : q + 1;
}
}  // namespace detail

namespace scalar {
/// Reference kernel: one byte at a time.
template <unsigned Mode>
inline const char* find(const char* first, const char* last) noexcept {
  for (const char* p = first; p < last; ++p)
    if (detail::matches<Mode>(p, last)) return p;
  return last;
}
}  // namespace scalar

#if defined(MAILWIRE_DETAIL_SCAN_X86)
namespace sse2 {
/// 16 bytes per step; SSE2 is part of the x86-64 baseline.
template <unsigned Mode>
inline const char* find(const char* first, const char* last) noexcept {
  constexpr bool pairs = detail::judges_pairs(Mode);
  if constexpr (needs_previous_byte(Mode))
    if (first != last && detail::matches<Mode>(first, last)) return first;
  const __m128i vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
  const char* p = first;
  // The pair load reads p[16]: keep one byte of slack for it.
  while (last - p >= 16 + (pairs ? 1 : 0)) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i is_cr = _mm_cmpeq_epi8(b, vcr), is_lf = _mm_cmpeq_epi8(b, vlf);
    __m128i m = _mm_setzero_si128();
    if constexpr ((Mode & cr) != 0) m = _mm_or_si128(m, is_cr);
    if constexpr ((Mode & lf) != 0) m = _mm_or_si128(m, is_lf);
    if constexpr ((Mode & nul) != 0) m = _mm_or_si128(m, _mm_cmpeq_epi8(b, _mm_setzero_si128()));
    if constexpr (pairs) {
      const __m128i n = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
      const __m128i n_lf = _mm_cmpeq_epi8(n, vlf);
      if constexpr ((Mode & bare_cr) != 0 && (Mode & bare_lf) != 0)
        m = _mm_or_si128(m, _mm_xor_si128(is_cr, n_lf));
      else if constexpr ((Mode & bare_cr) != 0)
        m = _mm_or_si128(m, _mm_andnot_si128(n_lf, is_cr));
      else if constexpr ((Mode & bare_lf) != 0)
        m = _mm_or_si128(m, _mm_andnot_si128(is_cr, n_lf));
      if constexpr ((Mode & dot_after_lf) != 0)
        m = _mm_or_si128(m, _mm_and_si128(is_lf, _mm_cmpeq_epi8(n, _mm_set1_epi8('.'))));
    }
    const auto bits = static_cast<std::uint32_t>(_mm_movemask_epi8(m));
    if (bits != 0) return detail::resolve<Mode>(p + detail::ctz32(bits), last);
    p += 16;
  }
  return scalar::find<Mode>(p, last);
}
}  // namespace sse2

namespace avx2 {
/// Lane mask of one 32-byte block (see detail::judges_pairs).
template <unsigned Mode>
__attribute__((target("avx2"))) inline std::uint32_t mask32(const char* p) noexcept {
  const __m256i vcr = _mm256_set1_epi8('\r'), vlf = _mm256_set1_epi8('\n');
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i is_cr = _mm256_cmpeq_epi8(b, vcr), is_lf = _mm256_cmpeq_epi8(b, vlf);
  __m256i m = _mm256_setzero_si256();
  if constexpr ((Mode & cr) != 0) m = _mm256_or_si256(m, is_cr);
  if constexpr ((Mode & lf) != 0) m = _mm256_or_si256(m, is_lf);
  if constexpr ((Mode & nul) != 0)
    m = _mm256_or_si256(m, _mm256_cmpeq_epi8(b, _mm256_setzero_si256()));
  if constexpr (detail::judges_pairs(Mode)) {
    const __m256i n = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 1));
    const __m256i n_lf = _mm256_cmpeq_epi8(n, vlf);
    if constexpr ((Mode & bare_cr) != 0 && (Mode & bare_lf) != 0)
      m = _mm256_or_si256(m, _mm256_xor_si256(is_cr, n_lf));
    else if constexpr ((Mode & bare_cr) != 0)
      m = _mm256_or_si256(m, _mm256_andnot_si256(n_lf, is_cr));
    else if constexpr ((Mode & bare_lf) != 0)
      m = _mm256_or_si256(m, _mm256_andnot_si256(is_cr, n_lf));
    if constexpr ((Mode & dot_after_lf) != 0)
      m = _mm256_or_si256(m, _mm256_and_si256(is_lf, _mm256_cmpeq_epi8(n, _mm256_set1_epi8('.'))));
  }
  return static_cast<std::uint32_t>(_mm256_movemask_epi8(m));
}

/// 64 bytes per step as two 32-byte halves; call only when the CPU has AVX2.
template <unsigned Mode>
__attribute__((target("avx2"))) inline const char* find(const char* first,
                                                        const char* last) noexcept {
  if constexpr (needs_previous_byte(Mode))
    if (first != last && detail::matches<Mode>(first, last)) return first;
  constexpr std::ptrdiff_t slack = detail::judges_pairs(Mode) ? 1 : 0;
  const char* p = first;
  while (last - p >= 64 + slack) {
    const std::uint64_t lo = mask32<Mode>(p);
    const std::uint64_t hi = mask32<Mode>(p + 32);
    const std::uint64_t bits = lo | (hi << 32);
    if (bits != 0) return detail::resolve<Mode>(p + detail::ctz64(bits), last);
    p += 64;
  }
  return sse2::find<Mode>(p, last);
}
}  // namespace avx2
#endif  // MAILWIRE_DETAIL_SCAN_X86

#if defined(MAILWIRE_DETAIL_SCAN_NEON)
namespace neon {
/// 16 bytes per step; NEON is part of the aarch64 baseline.
template <unsigned Mode>
inline const char* find(const char* first, const char* last) noexcept {
  constexpr bool pairs = detail::judges_pairs(Mode);
  if constexpr (needs_previous_byte(Mode))
    if (first != last && detail::matches<Mode>(first, last)) return first;
  const uint8x16_t vcr = vdupq_n_u8('\r'), vlf = vdupq_n_u8('\n'), vzero = vdupq_n_u8(0);
  const char* p = first;
  while (last - p >= 16 + (pairs ? 1 : 0)) {
    const uint8x16_t b = vld1q_u8(reinterpret_cast<const std::uint8_t*>(p));
    const uint8x16_t is_cr = vceqq_u8(b, vcr), is_lf = vceqq_u8(b, vlf);
    uint8x16_t m = vzero;
    if constexpr ((Mode & cr) != 0) m = vorrq_u8(m, is_cr);
    if constexpr ((Mode & lf) != 0) m = vorrq_u8(m, is_lf);
    if constexpr ((Mode & nul) != 0) m = vorrq_u8(m, vceqq_u8(b, vzero));
    if constexpr (pairs) {
      const uint8x16_t n = vld1q_u8(reinterpret_cast<const std::uint8_t*>(p + 1));
      const uint8x16_t n_lf = vceqq_u8(n, vlf);
      if constexpr ((Mode & bare_cr) != 0 && (Mode & bare_lf) != 0)
        m = vorrq_u8(m, veorq_u8(is_cr, n_lf));
      else if constexpr ((Mode & bare_cr) != 0)
        m = vorrq_u8(m, vbicq_u8(is_cr, n_lf));
      else if constexpr ((Mode & bare_lf) != 0)
        m = vorrq_u8(m, vbicq_u8(n_lf, is_cr));
      if constexpr ((Mode & dot_after_lf) != 0)
        m = vorrq_u8(m, vandq_u8(is_lf, vceqq_u8(n, vdupq_n_u8('.'))));
    }
    // Narrow each byte to 4 bits: a 64-bit mask with 4 bits per input byte.
    const std::uint64_t bits =
        vget_lane_u64(vreinterpret_u64_u8(vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
    if (bits != 0) return detail::resolve<Mode>(p + (detail::ctz64(bits) >> 2), last);
    p += 16;
  }
  return scalar::find<Mode>(p, last);
}
}  // namespace neon
#endif  // MAILWIRE_DETAIL_SCAN_NEON

/// Is this kernel usable on the running CPU?
inline bool available(kernel k) noexcept {
  switch (k) {
    case kernel::scalar: return true;
#if defined(MAILWIRE_DETAIL_SCAN_X86)
    case kernel::sse2: return true;
    case kernel::avx2:
#if defined(__AVX2__)
      return true;
#else
      return __builtin_cpu_supports("avx2") != 0;
#endif
#else
    case kernel::sse2:
    case kernel::avx2: return false;
#endif
    case kernel::neon:
#if defined(MAILWIRE_DETAIL_SCAN_NEON)
      return true;
#else
      return false;
#endif
  }
  return false;
}

/// The kernel scan::find uses on this CPU.
inline kernel best_kernel() noexcept {
#if defined(MAILWIRE_DETAIL_SCAN_X86)
  return available(kernel::avx2) ? kernel::avx2 : kernel::sse2;
#elif defined(MAILWIRE_DETAIL_SCAN_NEON)
  return kernel::neon;
#else
  return kernel::scalar;
#endif
}

/// Run a named kernel; an unavailable one falls back to the scalar reference.
template <unsigned Mode>
inline const char* find_with(kernel k, const char* first, const char* last) noexcept {
  if (!available(k)) k = kernel::scalar;
#if defined(MAILWIRE_DETAIL_SCAN_X86)
  if (k == kernel::sse2) return sse2::find<Mode>(first, last);
  if (k == kernel::avx2) return avx2::find<Mode>(first, last);
#endif
#if defined(MAILWIRE_DETAIL_SCAN_NEON)
  if (k == kernel::neon) return neon::find<Mode>(first, last);
#endif
  return scalar::find<Mode>(first, last);
}

/// First position in [first, last) matching Mode, or last; best kernel.
template <unsigned Mode>
inline const char* find(const char* first, const char* last) noexcept {
#if defined(MAILWIRE_DETAIL_SCAN_X86)
#if defined(__AVX2__)
  return avx2::find<Mode>(first, last);
#else
  return __builtin_cpu_supports("avx2") ? avx2::find<Mode>(first, last)
                                        : sse2::find<Mode>(first, last);
#endif
#elif defined(MAILWIRE_DETAIL_SCAN_NEON)
  return neon::find<Mode>(first, last);
#else
  return scalar::find<Mode>(first, last);
#endif
}

}  // namespace mailwire::scan

#undef MAILWIRE_DETAIL_SCAN_X86
#undef MAILWIRE_DETAIL_SCAN_NEON
