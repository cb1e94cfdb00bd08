#pragma once
// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), only because two legacy mechanisms
// are defined with them: POP3 APOP (RFC 1939 §7, lower-case hex of
// MD5(timestamp || secret)) and SASL CRAM-MD5 (RFC 2195, lower-case hex of
// HMAC-MD5(password, challenge)).
//
// MD5 is broken: collisions cost seconds and HMAC-MD5 is only tolerated
// for old protocols (RFC 6151). Never use anything here to decide a security
// question (integrity of data, password storage, tokens, fingerprints); it
// exists to speak APOP and CRAM-MD5 to servers that still require them.
//
// Everything is constexpr (no reinterpret_cast: octets are read one at a time
// through static_cast<unsigned char>), noexcept and allocation-free. Contexts
// are plain values: copying one forks the hash, and finish() does not change
// the context, so a prefix's digest can be taken and hashing continued.
// Nothing wipes key material from the stack or the contexts afterwards; a
// caller that cares must overwrite the objects itself.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"

namespace mailwire::md5 {

/// Octets in an MD5 digest.
inline constexpr std::size_t digest_size = 16;
/// Octets in an MD5 block; also the HMAC key block length B (RFC 2104 §2).
inline constexpr std::size_t block_size = 64;
/// Characters in the hex form of a digest (to_hex()).
inline constexpr std::size_t hex_size = 2 * digest_size;

/// A digest, octets in RFC 1321 output order (A's low octet first).
using digest_bytes = std::array<unsigned char, digest_size>;

namespace detail {
// T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 §3.4).
inline constexpr std::uint32_t sine_table[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u,
    0xfd469501u, 0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u,
    0xa679438eu, 0x49b40821u, 0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du,
    0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u, 0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu,
    0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au, 0xfffa3942u, 0x8771f681u, 0x6d9d6122u,
    0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u, 0x289b7ec6u, 0xeaa127fau,
    0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u, 0xf4292244u,
    0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu,
    0xeb86d391u,
};

// Left-rotation amounts, four per round (RFC 1321 §3.4).
inline constexpr unsigned rotations[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

constexpr std::uint32_t rotate_left(std::uint32_t x, unsigned n) noexcept {
  return (x << n) | (x >> (32 - n));
}

/// The little-endian 32-bit word at p[0..4); Octet is char or unsigned char.
template <class Octet>
constexpr std::uint32_t load_le32(const Octet* p) noexcept {
  return std::uint32_t{static_cast<unsigned char>(p[0])} |
         std::uint32_t{static_cast<unsigned char>(p[1])} << 8 |
         std::uint32_t{static_cast<unsigned char>(p[2])} << 16 |
         std::uint32_t{static_cast<unsigned char>(p[3])} << 24;
}

/// Applies the four rounds to one 64-octet block at `p` (RFC 1321 §3.4).
template <class Octet>
constexpr void compress(std::uint32_t (&state)[4], const Octet* p) noexcept {
  std::uint32_t m[16] = {};
  for (std::size_t i = 0; i < 16; ++i) m[i] = load_le32(p + 4 * i);
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (std::size_t i = 0; i < 64; ++i) {
    std::uint32_t f = 0;
    std::size_t word = 0;
    switch (i / 16) {
      case 0:
        f = (b & c) | (~b & d);
        word = i;
        break;
      case 1:
        f = (d & b) | (~d & c);
        word = (5 * i + 1) % 16;
        break;
      case 2:
        f = b ^ c ^ d;
        word = (3 * i + 5) % 16;
        break;
      default:
        f = c ^ (b | ~d);
        word = (7 * i) % 16;
        break;
    }
    const std::uint32_t rotated =
        rotate_left(a + f + sine_table[i] + m[word], rotations[i / 16][i % 4]);
    a = d;
    d = c;
    c = b;
    b += rotated;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

/// What a context carries between updates.
struct hash_state {
  std::uint32_t words[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
  unsigned char pending[block_size] = {};  // the first length % 64 octets are live
  std::uint64_t length = 0;                // octets fed, mod 2^64
};

/// Feeds p[0..n) (chars or unsigned chars) into `h`. A free function, not a
/// member template of context: clang 14 cannot evaluate a member template
/// in a constant expression when the class uses it before its definition.
template <class Octet>
constexpr void absorb(hash_state& h, const Octet* p, std::size_t n) noexcept {
  std::size_t used = static_cast<std::size_t>(h.length % block_size);
  h.length += n;
  if (used != 0) {
    const std::size_t take = n < block_size - used ? n : block_size - used;
    for (std::size_t i = 0; i < take; ++i) h.pending[used + i] = static_cast<unsigned char>(p[i]);
    p += take;
    n -= take;
    used += take;
    if (used < block_size) return;
    compress(h.words, h.pending);
  }
  for (; n >= block_size; p += block_size, n -= block_size) compress(h.words, p);
  for (std::size_t i = 0; i < n; ++i) h.pending[i] = static_cast<unsigned char>(p[i]);
}
}  // namespace detail

class hmac_context;

/// An incremental MD5 computation (RFC 1321). Feed the message with update()
/// in pieces of any size; finish() gives the digest of everything fed so far.
class context {
 public:
  constexpr context() noexcept = default;

  /// Appends `bytes` to the message. They are only read during the call.
  constexpr void update(std::string_view bytes) noexcept {
    detail::absorb(state_, bytes.data(), bytes.size());
  }

  /// The digest of the message fed so far. The context is unchanged: more
  /// update() calls continue the same message.
  constexpr digest_bytes finish() const noexcept {
    detail::hash_state padded = state_;
    // RFC 1321 §3.1-3.2: 0x80, zeros up to 56 mod 64, then the bit length
    // mod 2^64, least significant octet first.
    const std::uint64_t bits = padded.length * 8;
    const std::size_t used = static_cast<std::size_t>(padded.length % block_size);
    const std::size_t zeros = (used < 56 ? 55 : 119) - used;
    unsigned char tail[block_size + 8] = {};
    tail[0] = 0x80;
    for (std::size_t i = 0; i < 8; ++i)
      tail[1 + zeros + i] = static_cast<unsigned char>(bits >> (8 * i) & 0xFF);
    detail::absorb(padded, tail, 1 + zeros + 8);

    digest_bytes out{};
    for (std::size_t i = 0; i < digest_size; ++i)
      out[i] = static_cast<unsigned char>(padded.words[i / 4] >> (8 * (i % 4)) & 0xFF);
    return out;
  }

 private:
  friend class hmac_context;

  detail::hash_state state_;
};

/// The MD5 digest of `message` (read only during the call).
constexpr digest_bytes digest(std::string_view message) noexcept {
  context c;
  c.update(message);
  return c.finish();
}

/// An incremental HMAC-MD5 computation (RFC 2104 §2, B = 64, L = 16).
class hmac_context {
 public:
  /// Starts an HMAC keyed with `key` (any octets, any length; a key longer
  /// than 64 octets is replaced by its MD5 digest, RFC 2104 §2). The key is
  /// only read during the call; the context keeps the two keyed hash states,
  /// not the key.
  constexpr explicit hmac_context(std::string_view key) noexcept : inner_(), outer_() {
    unsigned char block[block_size] = {};
    if (key.size() > block_size) {
      const digest_bytes hashed = digest(key);
      for (std::size_t i = 0; i < digest_size; ++i) block[i] = hashed[i];
    } else {
      for (std::size_t i = 0; i < key.size(); ++i) block[i] = static_cast<unsigned char>(key[i]);
    }
    unsigned char padded[block_size] = {};
    for (std::size_t i = 0; i < block_size; ++i)
      padded[i] = static_cast<unsigned char>(block[i] ^ 0x36);
    detail::absorb(inner_.state_, padded, block_size);
    for (std::size_t i = 0; i < block_size; ++i)
      padded[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
    detail::absorb(outer_.state_, padded, block_size);
  }

  /// Appends `bytes` to the message. They are only read during the call.
  constexpr void update(std::string_view bytes) noexcept { inner_.update(bytes); }

  /// HMAC-MD5 of the message fed so far; the context is unchanged.
  constexpr digest_bytes finish() const noexcept {
    const digest_bytes inner = inner_.finish();
    context outer = outer_;
    detail::absorb(outer.state_, inner.data(), inner.size());
    return outer.finish();
  }

 private:
  context inner_;  // after K ^ ipad
  context outer_;  // after K ^ opad
};

/// HMAC-MD5 of `message` under `key` (RFC 2104); both are read only during
/// the call. See hmac_context for how keys are used.
constexpr digest_bytes hmac(std::string_view key, std::string_view message) noexcept {
  hmac_context c(key);
  c.update(message);
  return c.finish();
}

/// Writes the 32 lower-case hex digits of `d` (the form APOP and CRAM-MD5
/// send) to out[0..32), no terminating NUL, and returns a view of them.
/// `out` must have room for hex_size characters; the view is valid as long
/// as those characters are.
constexpr std::string_view to_hex(const digest_bytes& d, char* out) noexcept {
  constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < digest_size; ++i) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 0xF];
  }
  return {out, hex_size};
}

namespace detail {
/// True when `given` is the hex digest `expected` (hex_size lower-case
/// digits, as to_hex() writes them), `given`'s letters in either case. The
/// server-side check of APOP (pop3/apop.hpp) and CRAM-MD5
/// (smtp/sasl_server.hpp): every digit is compared whatever the first
/// difference, so the time taken does not tell a client how much of a guess
/// was right. Only the length, which is public, ends it early.
constexpr bool hex_digest_equal(std::string_view expected, std::string_view given) noexcept {
  if (expected.size() != hex_size || given.size() != hex_size) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < hex_size; ++i)
    diff |= static_cast<unsigned>(static_cast<unsigned char>(ascii::to_lower(given[i])) ^
                                  static_cast<unsigned char>(expected[i]));
  return diff == 0;
}
}  // namespace detail

}  // namespace mailwire::md5
