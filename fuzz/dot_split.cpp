// Fuzz target: split invariance of dot::decoder.
//
// Input: byte 0 picks the options (as in dot_decode.cpp: bits 0-1 policy,
// 2-3 max_size, 4-5 max_line_length; fuzz::decoder_options_from), byte 1
// picks the split (fuzz::split_plan), the rest is the body. The body is
// decoded whole, then again fed in pieces:
//   byte 1 bits 0-1  0: one byte at a time
//                    1: random piece lengths in [1, 2^(bits 2-4)]
//                    2: a cut just before and just after every CR, LF and '.'
//                    3: one cut at a point derived from the input
//   byte 1 bit 7     an empty feed before every piece
// Every piece lives in its own exact-size heap block, scribbled over and freed
// as soon as the decoder returns need_more (fuzz::for_each_piece), so a view
// kept past its contract is a use-after-free under ASan (and wrong data
// without it).
//
// Checked (a violation is __builtin_trap): the joined data is identical; the
// end event is identical (offset, size, flags, first flag and its offset); the
// bytes after the terminator (rest() of the last piece plus the pieces not
// fed) are identical; without a terminator both end in the same eof error and
// the same flags; in both runs every data view lies in the current piece (its
// offset matching its position, after the previous view into the input) or is
// one of the decoder's literals allowed by the policy, whose offset is the CR
// or LF it stands for (fuzz::data_view_checker in dot_support.hpp); data
// offsets never decrease; rest() after the end is the tail of the last piece.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/dot/decoder.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

/// What one decoding run produced.
struct outcome {
  std::string data;
  bool ended = false;
  dot::decoder_event last;  // the end event, or the eof error
  std::string rest;         // after the terminator
  unsigned flags = 0;       // decoder::flags() at the end (fuzz::flag_bits)
};

outcome decode_pieces(std::string_view body, const std::vector<std::size_t>& plan,
                      const dot::decoder_options& opt) {
  outcome out;
  dot::decoder d(opt);
  fuzz::data_view_checker views(body, opt.policy);
  fuzz::for_each_piece(body, plan, [&](std::string_view piece, std::size_t piece_start, bool) {
    d.feed(piece);
    for (std::size_t events = 0;; ++events) {
      FUZZ_CHECK(events <= 4 * piece.size() + 8);
      const dot::decoder_event ev = d.next();
      if (ev.kind == dot::event_kind::data) {
        views.check(ev, piece, piece_start);  // in this piece, in order, or a literal
        out.data.append(ev.bytes.data(), ev.bytes.size());
        continue;
      }
      if (ev.kind == dot::event_kind::end) {
        out.ended = true;
        out.last = ev;
        const std::string_view r = d.rest();
        FUZZ_CHECK(r.empty() || fuzz::inside(r, piece.data(), piece.size()));
        FUZZ_CHECK(r.data() + r.size() == piece.data() + piece.size());
        out.rest.assign(r.data(), r.size());
        out.rest.append(body.substr(piece_start + piece.size()));
        out.flags = fuzz::flag_bits(d.flags());
        return false;  // the rest of the pieces is not fed
      }
      FUZZ_CHECK(ev.kind == dot::event_kind::need_more);  // no eof yet: no error
      return true;  // need_more: the piece is no longer borrowed
    }
  });
  if (out.ended) return out;
  d.feed_eof();
  const dot::decoder_event ev = d.next();
  FUZZ_CHECK(ev.kind == dot::event_kind::error);
  out.last = ev;
  out.flags = fuzz::flag_bits(d.flags());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const dot::decoder_options opt = fuzz::decoder_options_from(data[0]);
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };

  const outcome whole = decode_pieces(body, {body.size()}, opt);
  const outcome split = decode_pieces(
      body, fuzz::split_plan(body, data[1], fuzz::fnv1a(data, size), cut_around), opt);

  if (whole.data != split.data) {
    std::fprintf(stderr, "dot_split: data differs (whole %zu octets, split %zu)\n",
                 whole.data.size(), split.data.size());
    FUZZ_CHECK(whole.data == split.data);
  }
  FUZZ_CHECK(whole.ended == split.ended);
  if (!fuzz::same_event(whole.last, split.last)) {
    std::fprintf(stderr,
                 "dot_split: %s differs: whole error=%d at %llu offset %llu, split error=%d "
                 "at %llu offset %llu\n",
                 whole.ended ? "end event" : "eof error", static_cast<int>(whole.last.error),
                 static_cast<unsigned long long>(whole.last.error_offset),
                 static_cast<unsigned long long>(whole.last.offset),
                 static_cast<int>(split.last.error),
                 static_cast<unsigned long long>(split.last.error_offset),
                 static_cast<unsigned long long>(split.last.offset));
    FUZZ_CHECK(fuzz::same_event(whole.last, split.last));
  }
  FUZZ_CHECK(whole.rest == split.rest);
  FUZZ_CHECK(whole.flags == split.flags);
  return 0;
}
