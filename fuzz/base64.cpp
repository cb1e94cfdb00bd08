// Fuzz target: base64 decode strictness, canonical round trips, sinks.
//
// Input: byte 0 picks the options, byte 1 a buffer capacity, the rest is the
// payload, used both as base64 text to decode and as bytes to encode.
//   byte 0  bit 0     decode_options::allow_nonzero_pad_bits
//           bits 1-3  bytes already in the sink before the call (0..7)
//           bit 4     the fixed_sink has failed (latched) before the call
//   byte 1  capacity of the fixed buffers and sinks, per call, relative to
//           the size the call needs (need: the decoded size of valid input,
//           else max_decoded_size; or encoded_size):
//             bit 7 set    the low 7 bits, as is (0..127)
//             bit 6 set    need - (bits 0-5), at least 0
//             otherwise    need + (bits 0-5)
//           plus the sink's prefix bytes for the sinks.
//
// Checked (a violation is __builtin_trap), against a reference decoder and
// strictness check written out here (RFC 4648 §4 alphabet, length a multiple
// of 4, '=' only as the last one or two characters, zero pad bits unless
// allowed):
// - validate() and decode() succeed exactly when the reference accepts the
//   text, with the reference's bytes; decode() into an exact-size heap block
//   of max_decoded_size, into a block of the chosen capacity
//   (buffer_too_small exactly when valid and too big, nothing written then),
//   and in place all agree;
// - canonical: when decode() succeeds, encode() of its bytes is the text
//   again, exactly (with allow_nonzero_pad_bits, when the strict rules accept
//   the text too; otherwise encode() gives strict text of the same bytes);
// - encode() of the payload is encoded_size() long, accepted by the strict
//   reference and decodes back to the payload; into a block of the chosen
//   capacity it is all or nothing;
// - the sink overloads (fixed_sink over a block of the chosen capacity, and
//   appendable_sink<std::string>) agree with the raw-buffer functions: same
//   error, same bytes after the prefix; buffer_too_small exactly when the
//   bytes do not fit or the sink had failed before, invalid_base64 winning
//   over it; on any error the sink is exactly as it was: its prefix, and
//   failed() as before the call (write_all_or_nothing in output.hpp).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "mailwire/core/base64.hpp"
#include "mailwire/core/output.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

/// Value of a base64 symbol, or -1 (written without the library's table).
int symbol_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/// Reference decoder: true and the bytes in `out` iff `in` is strict base64.
bool reference_decode(std::string_view in, bool allow_nonzero_pad_bits, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < in.size() && in[in.size() - 1 - pad] == '=') ++pad;
  if (pad > 2) return false;
  const std::size_t symbols = in.size() - pad;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < symbols; ++i) {
    const int v = symbol_value(in[i]);  // a '=' before the padding fails here
    if (v < 0) return false;
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // With no padding the symbols make whole bytes (bits == 0); one '=' leaves
  // 2 unused bits, two leave 4.
  FUZZ_CHECK(bits == static_cast<int>(2 * pad));
  const std::uint32_t unused = acc & ((1u << bits) - 1);
  if (unused != 0 && !allow_nonzero_pad_bits) return false;
  return true;
}

/// Capacity for a call that needs `need` bytes (see the header comment).
std::size_t pick_capacity(std::uint8_t how, std::size_t need) {
  if ((how & 0x80) != 0) return how & 0x7F;
  const std::size_t d = how & 0x3F;
  if ((how & 0x40) != 0) return need > d ? need - d : 0;
  return need + d;
}

struct sink_setup {
  std::size_t prefix_len;  // bytes in the sink before the call
  bool prefailed;          // the sink's latch is set before the call
};

/// Runs `op(sink)` on a fixed_sink over an exact-size block of `cap` octets
/// (prefix included) and on an appendable_sink<std::string>, and checks them
/// against the expected outcome: `expect_error` (errc{} for success) and, on
/// success, `expect_bytes` after the prefix.
template <class Op>
void check_sinks(const sink_setup& s, std::size_t cap, errc expect_error,
                 std::string_view expect_bytes, Op op) {
  static constexpr char kPrefix[] = "prefix!";
  const std::string_view prefix(kPrefix, s.prefix_len);

  // fixed_sink. A prefix that does not fit latches the sink, as a prefailed one.
  const std::unique_ptr<char[]> buf = fuzz::scribbled_block(cap);
  fixed_sink fs(buf.get(), cap);
  const bool fits = fs.append(prefix);
  if (s.prefailed) {
    // Set the latch: ask for one byte more than is left.
    const std::string big(fs.remaining() + 1, 'x');
    FUZZ_CHECK(!fs.append(big));
  }
  const std::size_t mark = fs.size();
  const std::string before(fs.view());
  const bool failed_before = fs.failed();
  FUZZ_CHECK(failed_before == (!fits || s.prefailed));

  errc expected = expect_error;
  if (expected == errc{} && (failed_before || expect_bytes.size() > cap - mark))
    expected = errc::buffer_too_small;
  const base64::result fr = op(fs);
  if (fr.error != expected) {
    std::fprintf(stderr,
                 "base64: fixed_sink: got %s, expected %s (cap %zu, mark %zu, need %zu, "
                 "failed before %d)\n",
                 std::string(name(fr.error)).c_str(), std::string(name(expected)).c_str(), cap,
                 mark, expect_bytes.size(), failed_before);
    FUZZ_CHECK(fr.error == expected);
  }
  if (fr.ok()) {
    FUZZ_CHECK(fr.size == expect_bytes.size());
    FUZZ_CHECK(fs.size() == mark + expect_bytes.size());
    FUZZ_CHECK(fs.view().substr(0, mark) == before);
    FUZZ_CHECK(fs.view().substr(mark) == expect_bytes);
    FUZZ_CHECK(!fs.failed());
  } else {
    // All or nothing: the sink is exactly as it was, bytes and latch.
    FUZZ_CHECK(fr.size == 0);
    FUZZ_CHECK(fs.size() == mark);
    FUZZ_CHECK(fs.view() == before);
    FUZZ_CHECK(fs.failed() == failed_before);
  }

  // appendable_sink<std::string> (its latch cannot be set without max_size()
  // bytes): never too small.
  std::string str(prefix);
  appendable_sink<std::string> as(str);
  const base64::result ar = op(as);
  FUZZ_CHECK(ar.error == expect_error);
  if (ar.ok()) {
    FUZZ_CHECK(ar.size == expect_bytes.size());
    FUZZ_CHECK(str.size() == prefix.size() + expect_bytes.size());
    FUZZ_CHECK(std::string_view(str).substr(0, prefix.size()) == prefix);
    FUZZ_CHECK(std::string_view(str).substr(prefix.size()) == expect_bytes);
  } else {
    FUZZ_CHECK(ar.size == 0);
    FUZZ_CHECK(str == prefix);
    FUZZ_CHECK(!as.failed());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  base64::decode_options opts;
  opts.allow_nonzero_pad_bits = (data[0] & 1) != 0;
  const sink_setup sinks{static_cast<std::size_t>((data[0] >> 1) & 7), (data[0] & 0x10) != 0};
  const std::uint8_t cap_how = data[1];
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t n = in.size();

  // ---- decode(in) against the reference.
  std::string expect;
  const bool valid = reference_decode(in, opts.allow_nonzero_pad_bits, expect);
  std::string strict_bytes;
  const bool strict_valid = reference_decode(in, false, strict_bytes);
  FUZZ_CHECK(!strict_valid || valid);
  FUZZ_CHECK(base64::validate(in, opts) == (valid ? errc{} : errc::invalid_base64));
  FUZZ_CHECK(base64::validate(in) == (strict_valid ? errc{} : errc::invalid_base64));
  const errc expect_error = valid ? errc{} : errc::invalid_base64;
  if (valid) {
    FUZZ_CHECK(expect.size() <= base64::max_decoded_size(n));
    FUZZ_CHECK(base64::max_decoded_size(n) - expect.size() <= 2);
  }

  std::string decoded;
  {
    // Exact-size block of the documented upper bound.
    const std::size_t cap = base64::max_decoded_size(n);
    const std::unique_ptr<char[]> out = fuzz::scribbled_block(cap);
    const base64::result r = base64::decode(in, out.get(), cap, opts);
    if (r.ok() != valid) {
      std::fprintf(stderr, "base64: decode says %s, the reference says %s\n",
                   std::string(name(r.error)).c_str(), valid ? "valid" : "invalid");
      FUZZ_CHECK(r.ok() == valid);
    }
    FUZZ_CHECK(r.error == expect_error);
    if (valid) {
      FUZZ_CHECK(r.size == expect.size());
      decoded.assign(out.get(), r.size);
      FUZZ_CHECK(decoded == expect);
    } else {
      FUZZ_CHECK(r.size == 0);
    }
  }
  {
    // A capacity from the input: too small is all or nothing.
    const std::size_t need = valid ? expect.size() : base64::max_decoded_size(n);
    const std::size_t cap = pick_capacity(cap_how, need);
    const std::unique_ptr<char[]> out = fuzz::scribbled_block(cap);
    const base64::result r = base64::decode(in, out.get(), cap, opts);
    if (!valid) {
      FUZZ_CHECK(r.error == errc::invalid_base64);  // whatever the capacity
      FUZZ_CHECK(r.size == 0);
    } else if (expect.size() > cap) {
      FUZZ_CHECK(r.error == errc::buffer_too_small);
      FUZZ_CHECK(r.size == 0);
      FUZZ_CHECK(fuzz::untouched(out.get(), cap));
    } else {
      FUZZ_CHECK(r.ok());
      FUZZ_CHECK(std::string_view(out.get(), r.size) == expect);
    }
  }
  {
    // In place.
    const std::unique_ptr<char[]> io = fuzz::exact_copy(in.data(), n);
    const base64::result r = base64::decode(std::string_view(io.get(), n), io.get(), n, opts);
    FUZZ_CHECK(r.error == expect_error);
    if (valid) FUZZ_CHECK(std::string_view(io.get(), r.size) == expect);
  }

  // ---- canonical: encode(decode(in)) == in.
  if (valid) {
    const std::size_t cap = base64::encoded_size(decoded.size());
    FUZZ_CHECK(cap == n);
    const std::unique_ptr<char[]> out = fuzz::scribbled_block(cap);
    const base64::result r = base64::encode(decoded, out.get(), cap);
    FUZZ_CHECK(r.ok());
    FUZZ_CHECK(r.size == n);
    const std::string_view again(out.get(), r.size);
    if (strict_valid) {
      if (again != in) {
        std::fprintf(stderr, "base64: encode(decode(x)) != x for %zu characters\n", n);
        FUZZ_CHECK(again == in);
      }
    } else {
      // Non-zero pad bits, allowed: the canonical form of the same bytes.
      std::string back;
      FUZZ_CHECK(again != in);
      FUZZ_CHECK(reference_decode(again, false, back));
      FUZZ_CHECK(back == decoded);
    }
  }

  // ---- encode(payload) decodes back.
  std::string encoded;
  {
    const std::size_t cap = base64::encoded_size(n);
    FUZZ_CHECK(cap == (n + 2) / 3 * 4);
    const std::unique_ptr<char[]> out = fuzz::scribbled_block(cap);
    const base64::result r = base64::encode(in, out.get(), cap);
    FUZZ_CHECK(r.ok());
    FUZZ_CHECK(r.size == cap);
    encoded.assign(out.get(), r.size);
    std::string back;
    FUZZ_CHECK(reference_decode(encoded, false, back));
    FUZZ_CHECK(back == in);
    FUZZ_CHECK(base64::validate(encoded) == errc{});
    const std::unique_ptr<char[]> dec = fuzz::scribbled_block(n);
    const base64::result d = base64::decode(encoded, dec.get(), n);
    FUZZ_CHECK(d.ok());
    FUZZ_CHECK(std::string_view(dec.get(), d.size) == in);
  }
  {
    const std::size_t cap = pick_capacity(cap_how, encoded.size());
    const std::unique_ptr<char[]> out = fuzz::scribbled_block(cap);
    const base64::result r = base64::encode(in, out.get(), cap);
    if (encoded.size() > cap) {
      FUZZ_CHECK(r.error == errc::buffer_too_small);
      FUZZ_CHECK(r.size == 0);
      FUZZ_CHECK(fuzz::untouched(out.get(), cap));
    } else {
      FUZZ_CHECK(r.ok());
      FUZZ_CHECK(std::string_view(out.get(), r.size) == encoded);
    }
  }

  // ---- the sink overloads agree with the raw-buffer functions.
  {
    const std::size_t need = valid ? expect.size() : base64::max_decoded_size(n);
    check_sinks(sinks, sinks.prefix_len + pick_capacity(cap_how, need), expect_error, expect,
                [&](auto& sink) { return base64::decode(in, sink, opts); });
  }
  check_sinks(sinks, sinks.prefix_len + pick_capacity(cap_how, encoded.size()), errc{}, encoded,
              [&](auto& sink) { return base64::encode(in, sink); });
  return 0;
}
