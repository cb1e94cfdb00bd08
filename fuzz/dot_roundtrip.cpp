// Fuzz target: dot::encoder, then dot::decoder on its output.
//
// Input: three header bytes, the rest is message content m.
//   byte 0  copy form: bits 0-2 output buffer size {1, 1, 2, 3, 7, 16, 100, all};
//           bits 3-5 input chunk size {1, 2, 3, 5, 16, 64, 1000, all};
//           bit 6 chunk sizes vary at random in [1, size]
//   byte 1  gather form: bits 0-2 segments per call {1, 2, 3, 4, 8, 64, 1024, all};
//           bits 3-5 and bit 6 its chunking, as above
//   byte 2  seeds the random chunk sizes
// Each chunk is handed to the encoder in an exact-size heap block of its own,
// scribbled over and freed once the chunk is consumed (fuzz::for_each_piece).
//
// Checked (a violation is __builtin_trap):
// - copy form, gather form and a run that alternates the two forms chunk by
//   chunk all produce the same bytes, and those are stuff(normalise(m)) plus
//   the terminator, computed here independently:
//     normalise: bare CR and bare LF become CRLF (a CR ending the message is
//       bare), and a final CRLF is added when m is non-empty and does not end
//       in a line end;
//     stuff: a '.' at the start of a line is doubled;
//     terminator: ".\r\n" (the content is empty or ends in CRLF);
// - every call makes progress with a 1-byte buffer / 1 segment, never writes
//   past its buffer (exact-size heap blocks), and never reports an error;
// - gather segments are non-empty; the segments that point into the chunk
//   are, in order, exactly the input octets the call consumed, never two in a
//   row (adjacent slices are merged); all others are the encoder's literals;
// - decode(encode(m)) == normalise(m): the strict decoder ends exactly at the
//   end of the encoding (end.consumed == encoded size, nothing left over), its
//   size is normalise(m).size(), and the only flag is body_nul, raised exactly
//   when m contains NUL (the encoder passes NUL through, as it should: NUL is
//   not a line end and cannot split the stream; the strict decoder flags it);
// - refuse_bare_line_ends: with no bare CR/LF in m the output is the same as
//   above; otherwise the encoder stops with body_bare_lf at the first bare LF
//   (consuming none of it) or body_bare_cr just after the first bare CR, having
//   written exactly the stuffed content before that point, keeps failing on
//   later calls, and finish() fails too. A CR that ends the message is bare.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/dot/decoder.hpp"
#include "mailwire/dot/encoder.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

constexpr std::size_t kAll = static_cast<std::size_t>(-1);

/// Chunk lengths covering n octets: all of size `base` (the last shorter), or
/// random in [1, base].
std::vector<std::size_t> chunk_plan(std::size_t n, std::size_t base, bool random,
                                    std::uint64_t& rng) {
  std::vector<std::size_t> plan;
  if (base == kAll || base >= n) {
    plan.push_back(n);
    return plan;
  }
  for (std::size_t left = n; left != 0;) {
    std::size_t len = random ? 1 + static_cast<std::size_t>(fuzz::splitmix64(rng) % base) : base;
    if (len > left) len = left;
    plan.push_back(len);
    left -= len;
  }
  return plan;
}

std::string normalise(std::string_view m) {
  std::string out;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const char c = m[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < m.size() && m[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

/// Dot-stuffs content whose line ends are all CRLF (no terminator).
std::string stuff(std::string_view s) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (line_start && s[i] == '.') out += '.';
    out += s[i];
    line_start = s[i] == '\n' && i != 0 && s[i - 1] == '\r';
  }
  return out;
}

/// One copy-form call sequence over `in` until all of it is consumed.
void copy_chunk(dot::encoder& e, std::string_view in, std::size_t cap, std::string& out) {
  std::unique_ptr<char[]> buf(new char[cap]);
  const std::size_t max_calls = 3 * in.size() + 8;  // <= 2 output octets per input octet
  for (std::size_t calls = 0; !in.empty(); ++calls) {
    FUZZ_CHECK(calls <= max_calls);
    const dot::encode_result r = e.encode(in, buf.get(), cap);
    FUZZ_CHECK(r.error == errc{});
    FUZZ_CHECK(r.consumed <= in.size());
    FUZZ_CHECK(r.written <= cap);
    FUZZ_CHECK(r.consumed != 0 || r.written != 0);  // progress, even with one byte
    out.append(buf.get(), r.written);
    in.remove_prefix(r.consumed);
  }
}

void copy_finish(dot::encoder& e, std::size_t cap, std::string& out) {
  std::unique_ptr<char[]> buf(new char[cap]);
  FUZZ_CHECK(!e.finished());
  for (std::size_t calls = 0; !e.finished(); ++calls) {
    FUZZ_CHECK(calls < 6);
    const dot::encode_result r = e.finish(buf.get(), cap);
    FUZZ_CHECK(r.error == errc{});
    FUZZ_CHECK(r.consumed == 0);
    FUZZ_CHECK(r.written != 0 && r.written <= cap);
    out.append(buf.get(), r.written);
  }
  FUZZ_CHECK(e.finish(buf.get(), cap).written == 0);  // nothing more
}

bool is_encode_literal(std::string_view s) { return s == "." || s == "\r" || s == "\n"; }

/// One gather-form call sequence over `in` until all of it is consumed.
void gather_chunk(dot::encoder& e, std::string_view in, std::size_t max_segments,
                  std::string& out) {
  std::vector<std::string_view> seg(max_segments);
  const std::size_t max_calls = 3 * in.size() + 8;
  for (std::size_t calls = 0; !in.empty(); ++calls) {
    FUZZ_CHECK(calls <= max_calls);
    const dot::gather_result r = e.encode_gather(in, seg.data(), max_segments);
    FUZZ_CHECK(r.error == errc{});
    FUZZ_CHECK(r.consumed <= in.size());
    FUZZ_CHECK(r.count <= max_segments);
    FUZZ_CHECK(r.consumed != 0 || r.count != 0);
    const char* next = in.data();  // the next input octet a slice must start at
    bool prev_was_slice = false;
    for (std::size_t i = 0; i < r.count; ++i) {
      const std::string_view s = seg[i];
      FUZZ_CHECK(!s.empty());
      if (fuzz::inside(s, in.data(), in.size())) {
        FUZZ_CHECK(s.data() == next);
        FUZZ_CHECK(!prev_was_slice);  // adjacent slices are merged
        next += s.size();
        prev_was_slice = true;
      } else {
        FUZZ_CHECK(is_encode_literal(s));
        prev_was_slice = false;
      }
      out.append(s.data(), s.size());
    }
    FUZZ_CHECK(next == in.data() + r.consumed);  // input leaves only as slices
    in.remove_prefix(r.consumed);
  }
}

void gather_finish(dot::encoder& e, std::string& out) {
  FUZZ_CHECK(!e.finished());
  std::string_view seg[2];
  FUZZ_CHECK(e.finish_gather(seg, 0).count == 0);
  const dot::gather_result r = e.finish_gather(seg, 2);
  FUZZ_CHECK(r.error == errc{});
  FUZZ_CHECK(r.count == 1);
  FUZZ_CHECK(seg[0] == ".\r\n" || seg[0] == "\n.\r\n" || seg[0] == "\r\n.\r\n");
  out.append(seg[0].data(), seg[0].size());
  FUZZ_CHECK(e.finished());
  FUZZ_CHECK(e.finish_gather(seg, 2).count == 0);
}

struct config {
  std::size_t cap, copy_chunk, segments, gather_chunk;
  bool copy_random, gather_random;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t n = size - 3;
  const std::unique_ptr<char[]> block =
      fuzz::exact_copy(reinterpret_cast<const char*>(data) + 3, n);
  const std::string_view m(block.get(), n);

  static constexpr std::size_t kCap[] = {1, 1, 2, 3, 7, 16, 100, kAll};
  static constexpr std::size_t kChunk[] = {1, 2, 3, 5, 16, 64, 1000, kAll};
  static constexpr std::size_t kSegments[] = {1, 2, 3, 4, 8, 64, 1024, kAll};
  config c{};
  c.cap = kCap[data[0] & 7];
  if (c.cap == kAll) c.cap = dot::max_encoded_size(n);
  c.copy_chunk = kChunk[(data[0] >> 3) & 7];
  c.copy_random = (data[0] & 0x40) != 0;
  c.segments = kSegments[data[1] & 7];
  if (c.segments == kAll) c.segments = n + 8;
  c.gather_chunk = kChunk[(data[1] >> 3) & 7];
  c.gather_random = (data[1] & 0x40) != 0;
  std::uint64_t rng = 0x6d61696c77697265ull ^ (static_cast<std::uint64_t>(data[2]) << 32) ^ n;

  const std::string normal = normalise(m);
  const std::string expected = stuff(normal) + ".\r\n";
  FUZZ_CHECK(expected.size() <= dot::max_encoded_size(n));

  // Copy form.
  std::string copied;
  {
    dot::encoder e;
    fuzz::for_each_piece(m, chunk_plan(n, c.copy_chunk, c.copy_random, rng),
                         [&](std::string_view in, std::size_t, bool) {
                           copy_chunk(e, in, c.cap, copied);
                           return true;
                         });
    char probe = 0;  // an empty input is a no-op
    const dot::encode_result r = e.encode(std::string_view(), &probe, 1);
    FUZZ_CHECK(r.consumed == 0 && r.written == 0 && r.error == errc{});
    copy_finish(e, c.cap, copied);
  }
  FUZZ_CHECK(copied == expected);

  // Gather form.
  std::string gathered;
  {
    dot::encoder e;
    fuzz::for_each_piece(m, chunk_plan(n, c.gather_chunk, c.gather_random, rng),
                         [&](std::string_view in, std::size_t, bool) {
                           gather_chunk(e, in, c.segments, gathered);
                           return true;
                         });
    gather_finish(e, gathered);
  }
  FUZZ_CHECK(gathered == copied);

  // Both forms on one encoder, switching at every chunk.
  std::string mixed;
  {
    dot::encoder e;
    std::size_t i = 0;
    fuzz::for_each_piece(m, chunk_plan(n, c.copy_chunk, c.copy_random, rng),
                         [&](std::string_view in, std::size_t, bool) {
                           if (i++ % 2 == 0)
                             copy_chunk(e, in, c.cap, mixed);
                           else
                             gather_chunk(e, in, c.segments, mixed);
                           return true;
                         });
    if (i % 2 == 0)
      copy_finish(e, c.cap, mixed);
    else
      gather_finish(e, mixed);
  }
  FUZZ_CHECK(mixed == copied);

  // decode(encode(m)) == normalise(m), with the strict default decoder.
  {
    const auto wire = fuzz::exact_copy(copied.data(), copied.size());
    dot::decoder d;
    d.feed(std::string_view(wire.get(), copied.size()));
    d.feed_eof();
    std::string decoded;
    dot::decoder_event end;
    for (std::size_t events = 0;; ++events) {
      FUZZ_CHECK(events <= 4 * copied.size() + 8);
      const dot::decoder_event ev = d.next();
      if (ev.kind == dot::event_kind::data) {
        decoded.append(ev.bytes.data(), ev.bytes.size());
        continue;
      }
      FUZZ_CHECK(ev.kind == dot::event_kind::end);  // never need_more or error
      end = ev;
      break;
    }
    FUZZ_CHECK(decoded == normal);
    FUZZ_CHECK(end.consumed() == copied.size());
    FUZZ_CHECK(end.size == normal.size());
    FUZZ_CHECK(d.rest().empty());
    const bool has_nul = m.find('\0') != std::string_view::npos;
    FUZZ_CHECK(end.flags.has(errc::body_nul) == has_nul);
    FUZZ_CHECK(!end.flags.has(errc::body_bare_cr));
    FUZZ_CHECK(!end.flags.has(errc::body_bare_lf));
    FUZZ_CHECK(!end.flags.has(errc::body_line_too_long));
    FUZZ_CHECK(!end.flags.has(errc::message_too_large));
    FUZZ_CHECK(end.error == (has_nul ? errc::body_nul : errc{}));
  }

  // refuse_bare_line_ends, copy form with the same chunking and buffer size.
  {
    std::size_t bad = n;  // index of the first bare CR / LF
    errc bad_kind{};
    for (std::size_t i = 0; i < n; ++i) {
      if (m[i] == '\r' && (i + 1 == n || m[i + 1] != '\n')) {
        bad = i;
        bad_kind = errc::body_bare_cr;
        break;
      }
      if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) {
        bad = i;
        bad_kind = errc::body_bare_lf;
        break;
      }
    }
    dot::encoder e(dot::encoder_options{true});
    std::unique_ptr<char[]> buf(new char[c.cap]);
    std::string out;
    std::size_t used = 0;
    errc got{};
    fuzz::for_each_piece(
        m, chunk_plan(n, c.copy_chunk, c.copy_random, rng),
        [&](std::string_view in, std::size_t, bool) {
          const std::size_t len = in.size();
          for (std::size_t calls = 0; !in.empty(); ++calls) {
            FUZZ_CHECK(calls <= 3 * len + 8);
            const dot::encode_result r = e.encode(in, buf.get(), c.cap);
            FUZZ_CHECK(r.consumed <= in.size() && r.written <= c.cap);
            out.append(buf.get(), r.written);
            used += r.consumed;
            in.remove_prefix(r.consumed);
            if (got != errc{}) {  // after a failure every call fails and does nothing
              FUZZ_CHECK(r.error == got && r.consumed == 0 && r.written == 0);
              break;
            }
            if (r.error != errc{}) {
              got = r.error;
              break;
            }
            FUZZ_CHECK(r.consumed != 0 || r.written != 0);
          }
          return true;  // every chunk, also after a failure
        });
    if (got == errc{}) {
      for (std::size_t calls = 0; !e.finished(); ++calls) {
        FUZZ_CHECK(calls < 6);
        const dot::encode_result r = e.finish(buf.get(), c.cap);
        if (r.error != errc{}) {
          got = r.error;
          break;
        }
        FUZZ_CHECK(r.written != 0);
        out.append(buf.get(), r.written);
      }
    }
    if (bad_kind == errc{}) {
      FUZZ_CHECK(got == errc{});
      FUZZ_CHECK(out == expected);
    } else {
      FUZZ_CHECK(got == bad_kind);
      const std::size_t stop = bad_kind == errc::body_bare_cr ? bad + 1 : bad;
      FUZZ_CHECK(used == stop);
      FUZZ_CHECK(out == stuff(m.substr(0, stop)));
      FUZZ_CHECK(!e.finished());
      FUZZ_CHECK(e.finish(buf.get(), c.cap).error == got);
    }
  }
  return 0;
}
