// Fuzz target: split invariance of dot::decoder.
//
// Input: byte 0 picks the options (as in dot_decode.cpp: bits 0-1 policy,
// 2-3 max_size, 4-5 max_line_length), byte 1 picks the split, the rest is the
// body. The body is decoded whole, then again fed in pieces:
//   byte 1 bits 0-1  0: one byte at a time
//                    1: random piece lengths in [1, 2^(bits 2-4)]
//                    2: a cut just before and just after every CR, LF and '.'
//                    3: one cut at a point derived from the input
//   byte 1 bit 7     an empty feed before every piece
// Every piece lives in its own exact-size heap block, scribbled over and freed
// as soon as the decoder returns need_more, so a view kept past its contract
// is a use-after-free under ASan (and wrong data without it).
//
// Checked (a violation is __builtin_trap): the joined data is identical; the
// end event is identical (offset, size, flags, first flag and its offset); the
// bytes after the terminator (rest() of the last piece plus the pieces not
// fed) are identical; without a terminator both end in the same eof error and
// the same flags; every data view lies in the current piece (its offset
// matching its position) or is a literal whose offset is the CR or LF it
// stands for; data offsets never decrease.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/dot/decoder.hpp"

namespace {

using namespace mailwire;

#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "dot_split: check failed: %s (line %d)\n", #cond, __LINE__); \
      __builtin_trap();                                                                 \
    }                                                                                   \
  } while (0)

constexpr errc kBodyFlags[] = {errc::body_bare_cr, errc::body_bare_lf, errc::body_nul,
                               errc::body_line_too_long, errc::message_too_large};

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

bool inside(const char* p, std::size_t len, const char* base, std::size_t n) {
  const auto lo = reinterpret_cast<std::uintptr_t>(base);
  const auto x = reinterpret_cast<std::uintptr_t>(p);
  return x >= lo && x <= lo + n && len <= lo + n - x;
}

/// What one decoding run produced.
struct outcome {
  std::string data;
  bool ended = false;
  dot::decoder_event last;  // the end event, or the eof error
  std::string rest;         // after the terminator
  bool flags[5] = {};       // decoder::flags() at the end
};

/// Piece lengths (possibly 0 when empty feeds are asked for) covering n octets.
std::vector<std::size_t> split_plan(std::string_view body, std::uint8_t how, std::uint64_t seed) {
  const std::size_t n = body.size();
  std::vector<std::size_t> cuts;  // offsets in (0, n)
  switch (how & 3) {
    case 0:
      for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
      break;
    case 1: {
      const std::uint64_t max = std::uint64_t{1} << ((how >> 2) & 7);
      for (std::size_t at = 0;;) {
        at += 1 + static_cast<std::size_t>(splitmix(seed) % max);
        if (at >= n) break;
        cuts.push_back(at);
      }
      break;
    }
    case 2:
      for (std::size_t i = 0; i < n; ++i) {
        const char c = body[i];
        if (c != '\r' && c != '\n' && c != '.') continue;
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

void record_flags(const dot::decoder& d, outcome& out) {
  for (std::size_t i = 0; i < 5; ++i) out.flags[i] = d.flags().has(kBodyFlags[i]);
}

outcome decode_pieces(std::string_view body, const std::vector<std::size_t>& plan,
                      const dot::decoder_options& opt) {
  outcome out;
  dot::decoder d(opt);
  std::size_t at = 0;
  std::uint64_t last_offset = 0;
  for (std::size_t p = 0; p < plan.size(); ++p) {
    const std::size_t len = plan[p];
    char* piece = new char[len];
    if (len != 0) std::memcpy(piece, body.data() + at, len);
    at += len;
    d.feed(std::string_view(piece, len));
    for (std::size_t events = 0;; ++events) {
      FUZZ_CHECK(events <= 4 * len + 8);
      const dot::decoder_event ev = d.next();
      if (ev.kind == dot::event_kind::data) {
        const std::string_view v = ev.bytes;
        FUZZ_CHECK(!v.empty());
        FUZZ_CHECK(ev.offset >= last_offset);  // stream order
        last_offset = ev.offset;
        if (inside(v.data(), v.size(), piece, len)) {
          // Offsets are stream offsets: the piece starts at `at - len`.
          FUZZ_CHECK(ev.offset == at - len + static_cast<std::size_t>(v.data() - piece));
        } else {
          // A literal, standing for the input byte at its offset (a CR it
          // repeats or completes, or a bare LF it normalises).
          FUZZ_CHECK(v == "\r" || v == "\n" || v == "\r\n");
          FUZZ_CHECK(ev.offset < body.size());
          const char c = body[static_cast<std::size_t>(ev.offset)];
          FUZZ_CHECK(c == '\r' || (v == "\r\n" && c == '\n'));
        }
        out.data.append(v.data(), v.size());
        continue;
      }
      if (ev.kind == dot::event_kind::end) {
        out.ended = true;
        out.last = ev;
        const std::string_view r = d.rest();
        FUZZ_CHECK(r.empty() || inside(r.data(), r.size(), piece, len));
        FUZZ_CHECK(r.data() + r.size() == piece + len);
        out.rest.assign(r.data(), r.size());
        out.rest.append(body.substr(at));
        record_flags(d, out);
        delete[] piece;
        return out;
      }
      FUZZ_CHECK(ev.kind == dot::event_kind::need_more);  // no eof yet: no error
      break;
    }
    // need_more: the piece is no longer borrowed. Scribble and free it.
    if (len != 0) std::memset(piece, 0xA5, len);
    delete[] piece;
  }
  d.feed_eof();
  const dot::decoder_event ev = d.next();
  FUZZ_CHECK(ev.kind == dot::event_kind::error);
  out.last = ev;
  record_flags(d, out);
  return out;
}

bool same_event(const dot::decoder_event& a, const dot::decoder_event& b) {
  if (a.kind != b.kind || a.offset != b.offset || a.size != b.size || a.error != b.error ||
      a.error_offset != b.error_offset)
    return false;
  for (errc e : kBodyFlags)
    if (a.flags.has(e) != b.flags.has(e)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr std::uint64_t kMaxSize[] = {0, 1, 7, 100};
  static constexpr std::size_t kMaxLine[] = {0, 1, 8, 1000};
  static constexpr dot::line_end_policy kPolicy[] = {
      dot::line_end_policy::reject, dot::line_end_policy::normalize, dot::line_end_policy::allow,
      dot::line_end_policy::reject};
  dot::decoder_options opt;
  opt.policy = kPolicy[data[0] & 3];
  opt.max_size = kMaxSize[(data[0] >> 2) & 3];
  opt.max_line_length = kMaxLine[(data[0] >> 4) & 3];
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);

  const outcome whole = decode_pieces(body, {body.size()}, opt);
  const outcome split = decode_pieces(body, split_plan(body, data[1], fnv1a(data, size)), opt);

  if (whole.data != split.data) {
    std::fprintf(stderr, "dot_split: data differs (whole %zu octets, split %zu)\n",
                 whole.data.size(), split.data.size());
    FUZZ_CHECK(whole.data == split.data);
  }
  FUZZ_CHECK(whole.ended == split.ended);
  if (!same_event(whole.last, split.last)) {
    std::fprintf(stderr,
                 "dot_split: %s differs: whole error=%d at %llu offset %llu, split error=%d "
                 "at %llu offset %llu\n",
                 whole.ended ? "end event" : "eof error", static_cast<int>(whole.last.error),
                 static_cast<unsigned long long>(whole.last.error_offset),
                 static_cast<unsigned long long>(whole.last.offset),
                 static_cast<int>(split.last.error),
                 static_cast<unsigned long long>(split.last.error_offset),
                 static_cast<unsigned long long>(split.last.offset));
    FUZZ_CHECK(same_event(whole.last, split.last));
  }
  FUZZ_CHECK(whole.rest == split.rest);
  for (std::size_t i = 0; i < 5; ++i) FUZZ_CHECK(whole.flags[i] == split.flags[i]);
  return 0;
}
