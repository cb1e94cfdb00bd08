// Fuzz target: line_reader<64> split invariance and a reference model.
//
// Input: byte 0 picks the options, byte 1 picks the split, the rest is the
// stream.
//   byte 0  bits 0-5  max_length: 0..62 as is, 63 is 1000 (above the
//                     capacity of 64, so treated as 64)
//           bit 6     allow_bare_lf
//           bit 7     allow_nul
//   byte 1  bits 0-1  0: one byte at a time
//                     1: random piece lengths in [1, 2^(bits 2-4)]
//                     2: a cut just before and just after every CR, LF and NUL
//                     3: one cut at a point derived from the input
//           bit 6     feed_eof() right after the last feed(), before its next()
//           bit 7     an empty feed before every piece
// The stream is read whole (one feed), then in pieces (fuzz::split_plan).
// Every piece lives in its own exact-size heap block, scribbled over and freed
// as soon as the reader returns need_more (fuzz::for_each_piece), so a line
// view kept past its contract is a use-after-free under ASan (and wrong data
// without it). After the split run (and its EOF) the same reader is reset()
// and reads the stream whole again.
//
// Checked (a violation is __builtin_trap):
// - the events (kind, errc, offset, line bytes, and where the next event
//   starts) are the same whole, split, after reset(), and in a plain
//   byte-at-a-time reference model of the rules documented in
//   line_reader.hpp, written out here;
// - every event starts where the previous one ended (offset 0 for the first)
//   and consumes at least one byte, and the last one ends at the end of the
//   stream: each input byte belongs to exactly one event;
// - a line has no CR or LF (no NUL unless allow_nul), is the stream's bytes at
//   its offset, is followed in the stream by CR LF (or LF with allow_bare_lf),
//   and its length plus that line end is at most max_length; a line that
//   starts in the current piece is a view of it, one from an earlier piece
//   lives in the reader's carry buffer;
// - error events carry an errc and no line; unexpected_eof only after
//   feed_eof(), and then it ends at the end of the stream;
// - need_more carries the offset of the bytes fed so far, equal to offset();
//   rest() is the unread tail of the current piece (empty after need_more);
//   buffered() is true exactly when unread input or a partial line waits;
// - after EOF, next() stays need_more, feed() is ignored, buffered() is false.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/line_reader.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;

constexpr std::size_t kCapacity = 64;
using reader = line_reader<kCapacity>;

/// One line or error event, with where the next event starts.
struct event {
  line_event_kind kind;
  errc error;
  std::uint64_t offset;
  std::uint64_t end;
  std::string line;

  bool operator==(const event& o) const {
    return kind == o.kind && error == o.error && offset == o.offset && end == o.end &&
           line == o.line;
  }
};

struct config {
  std::size_t max_length;  // as given to the reader
  std::size_t limit;       // what it acts as: min(max_length, kCapacity)
  bool allow_bare_lf;
  bool allow_nul;
};

/// Reads `body` fed as `plan` through `r` (fresh or reset), then feed_eof().
std::vector<event> read_pieces(reader& r, std::string_view body,
                               const std::vector<std::size_t>& plan, bool eof_with_last,
                               const config& cfg) {
  std::vector<event> out;
  std::uint64_t fed = 0;       // stream bytes fed so far
  std::uint64_t last_end = 0;  // where the last event ended
  bool eof = false;

  // Drains r; `piece` (length len, at stream offset piece_start) is the
  // current feed, alive until need_more. Returns when need_more comes.
  const auto drain = [&](const char* piece, std::size_t len, std::uint64_t piece_start) {
    for (std::size_t events = 0;; ++events) {
      FUZZ_CHECK(events <= len + 2);
      const line_event ev = r.next();
      if (ev.kind == line_event_kind::need_more) {
        FUZZ_CHECK(ev.error == errc{});
        FUZZ_CHECK(ev.line.empty());
        FUZZ_CHECK(ev.offset == fed);
        FUZZ_CHECK(r.offset() == fed);
        FUZZ_CHECK(r.rest().empty());
        // A partial line waits exactly when bytes after the last event were fed.
        FUZZ_CHECK(r.buffered() == (fed > last_end));
        if (eof) FUZZ_CHECK(fed == last_end);
        return;
      }
      // An event consumes [ev.offset, end): it starts where the last one
      // ended, and takes at least one byte.
      const std::uint64_t end = r.offset();
      FUZZ_CHECK(ev.offset == last_end);
      FUZZ_CHECK(end > ev.offset);
      FUZZ_CHECK(end <= fed);
      // The event ends in the current feed; rest() is its unread tail, a view of it.
      FUZZ_CHECK(end >= piece_start && end - piece_start <= len);
      const std::string_view rest = r.rest();
      const auto at = static_cast<std::size_t>(end - piece_start);
      FUZZ_CHECK(rest.size() == len - at);
      FUZZ_CHECK(rest.empty() || rest.data() == piece + at);
      FUZZ_CHECK(r.buffered() == (end < fed));
      event e{ev.kind, ev.error, ev.offset, end, std::string()};
      if (ev.kind == line_event_kind::line) {
        FUZZ_CHECK(ev.error == errc{});
        const std::string_view v = ev.line;
        // Where the view lives: the current feed when the line started in it,
        // else the reader's carry buffer.
        if (ev.offset >= piece_start) {
          FUZZ_CHECK(v.data() == piece + (ev.offset - piece_start));
        } else if (!v.empty()) {
          FUZZ_CHECK(fuzz::inside(v, &r, sizeof r));
        }
        e.line.assign(v.data(), v.size());  // reads it: ASan sees a stale view
        const std::uint64_t end_len = end - ev.offset - v.size();
        FUZZ_CHECK(end_len == 2 || (end_len == 1 && cfg.allow_bare_lf));
        FUZZ_CHECK(v.size() + end_len <= cfg.limit);
        FUZZ_CHECK(e.line == body.substr(static_cast<std::size_t>(ev.offset), v.size()));
        FUZZ_CHECK(body.substr(static_cast<std::size_t>(end - end_len),
                               static_cast<std::size_t>(end_len)) ==
                   (end_len == 2 ? std::string_view("\r\n") : std::string_view("\n")));
        for (const char c : e.line) {
          FUZZ_CHECK(c != '\r' && c != '\n');
          FUZZ_CHECK(c != '\0' || cfg.allow_nul);
        }
      } else {
        FUZZ_CHECK(ev.kind == line_event_kind::error);
        FUZZ_CHECK(ev.error != errc{});
        // A bad line's first octets as received (none at EOF), whatever the split.
        const std::string prefix(ev.line.data(), ev.line.size());  // ASan sees a stale view
        FUZZ_CHECK(prefix.size() <= error_prefix);
        FUZZ_CHECK(prefix == body.substr(static_cast<std::size_t>(ev.offset), prefix.size()));
        if (ev.error != errc::unexpected_eof) {
          const std::size_t line_len = static_cast<std::size_t>(end - ev.offset);
          FUZZ_CHECK(prefix.size() == (line_len - 2 < error_prefix ? line_len - 2 : error_prefix) ||
                     (cfg.allow_bare_lf && prefix.size() == (line_len - 1 < error_prefix ? line_len - 1 : error_prefix)));
        } else {
          FUZZ_CHECK(prefix.empty());
        }
        if (ev.error == errc::unexpected_eof) {
          FUZZ_CHECK(eof);
          FUZZ_CHECK(end == body.size());
        } else {
          FUZZ_CHECK(body[static_cast<std::size_t>(end - 1)] == '\n');  // a real line end
        }
      }
      out.push_back(std::move(e));
      last_end = end;
    }
  };

  fuzz::for_each_piece(body, plan, [&](std::string_view piece, std::size_t piece_start, bool last) {
    FUZZ_CHECK(piece_start == fed);
    fed += piece.size();
    r.feed(piece);
    if (eof_with_last && last) {
      // Bytes fed before feed_eof() are still framed first.
      r.feed_eof();
      eof = true;
    }
    FUZZ_CHECK(r.offset() == piece_start);
    drain(piece.data(), piece.size(), piece_start);
    return true;  // need_more: the piece is no longer borrowed
  });
  FUZZ_CHECK(fed == body.size());
  if (!eof) {
    r.feed_eof();
    eof = true;
    drain(nullptr, 0, fed);
  }
  FUZZ_CHECK(last_end == body.size());
  FUZZ_CHECK(!r.buffered());
  for (int k = 0; k < 3; ++k) FUZZ_CHECK(r.next().kind == line_event_kind::need_more);
  r.feed("QUIT\r\n");  // ignored after EOF
  const line_event after = r.next();
  FUZZ_CHECK(after.kind == line_event_kind::need_more);
  FUZZ_CHECK(after.offset == body.size());
  FUZZ_CHECK(r.offset() == body.size());
  FUZZ_CHECK(!r.buffered());
  return out;
}

/// Reference: the documented framing rules, one byte at a time on the whole
/// stream. The line end is CR LF (or LF with allow_bare_lf); a CR not
/// followed by LF, a lone LF (strict) and a NUL (unless allowed) are content
/// that makes the line bad; so does the content octet that leaves no room for
/// the shortest line end within max_length, and a line end that does not fit.
/// The first fault of a line is its error, reported at the line end with the
/// line's start offset; a partial line at EOF is one unexpected_eof.
std::vector<event> reference(std::string_view in, const config& cfg) {
  std::vector<event> out;
  const std::size_t end_min = cfg.allow_bare_lf ? 1 : 2;
  std::uint64_t start = 0;  // current line's first byte
  std::size_t count = 0;    // its content octets while it is good
  errc err{};               // its first fault
  bool pending_cr = false;  // its last octet is a CR that may start CR LF
  std::string text;

  const auto content = [&](char c) {
    if (err != errc{}) return;
    errc fault{};
    if (c == '\r')
      fault = errc::bare_cr;
    else if (c == '\n')
      fault = errc::bare_lf;
    else if (c == '\0' && !cfg.allow_nul)
      fault = errc::nul_in_line;
    if (fault != errc{}) {
      err = fault;
    } else if (count + 1 + end_min > cfg.limit) {
      err = errc::line_too_long;
    } else {
      ++count;
      text += c;
    }
  };
  const auto finish = [&](std::uint64_t end, std::size_t end_len) {
    if (err == errc{} && count + end_len > cfg.limit) err = errc::line_too_long;
    if (err == errc{})
      out.push_back({line_event_kind::line, errc{}, start, end, text});
    else
      out.push_back({line_event_kind::error, err, start, end, std::string()});
    start = end;
    count = 0;
    err = errc{};
    text.clear();
  };

  for (std::size_t o = 0; o < in.size(); ++o) {
    const char c = in[o];
    if (pending_cr) {
      pending_cr = false;
      if (c == '\n') {
        finish(o + 1, 2);
        continue;
      }
      content('\r');  // it was a bare CR; c is still to judge
    }
    if (c == '\r') {
      pending_cr = true;
    } else if (c == '\n' && cfg.allow_bare_lf) {
      finish(o + 1, 1);
    } else {
      content(c);
    }
  }
  if (start < in.size())
    out.push_back({line_event_kind::error, errc::unexpected_eof, start, in.size(), std::string()});
  return out;
}

void report_difference(const char* what, const std::vector<event>& a, const std::vector<event>& b) {
  std::fprintf(stderr, "line_reader: %s: %zu vs %zu events\n", what, a.size(), b.size());
  for (std::size_t i = 0; i < a.size() || i < b.size(); ++i) {
    if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
    const auto show = [](const char* side, const std::vector<event>& v, std::size_t k) {
      if (k >= v.size()) {
        std::fprintf(stderr, "  %s: (none)\n", side);
        return;
      }
      const event& e = v[k];
      std::fprintf(stderr, "  %s: %s %s @%llu..%llu (%zu octets)\n", side,
                   e.kind == line_event_kind::line ? "line" : "error",
                   std::string(name(e.error)).c_str(), static_cast<unsigned long long>(e.offset),
                   static_cast<unsigned long long>(e.end), e.line.size());
    };
    std::fprintf(stderr, " first difference at event %zu\n", i);
    show("expected", a, i);
    show("got     ", b, i);
    break;
  }
}

void check_same(const char* what, const std::vector<event>& expected,
                const std::vector<event>& got) {
  if (expected != got) {
    report_difference(what, expected, got);
    FUZZ_CHECK(expected == got);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  config cfg;
  const std::size_t code = data[0] & 63;
  cfg.max_length = code == 63 ? 1000 : code;
  cfg.limit = cfg.max_length < kCapacity ? cfg.max_length : kCapacity;
  cfg.allow_bare_lf = (data[0] & 0x40) != 0;
  cfg.allow_nul = (data[0] & 0x80) != 0;
  reader::options opt;
  opt.max_length = cfg.max_length;
  opt.allow_bare_lf = cfg.allow_bare_lf;
  opt.allow_nul = cfg.allow_nul;
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);

  const std::vector<event> model = reference(body, cfg);

  // Heap-allocated so that an overrun of the carry buffer is an ASan report.
  auto whole_reader = std::make_unique<reader>(opt);
  const std::vector<event> whole = read_pieces(*whole_reader, body, {body.size()}, false, cfg);
  check_same("whole read differs from the reference", model, whole);

  auto r = std::make_unique<reader>(opt);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
  const std::vector<event> split =
      read_pieces(*r, body, fuzz::split_plan(body, data[1], fuzz::fnv1a(data, size), cut_around),
                  (data[1] & 0x40) != 0, cfg);
  check_same("split read differs from the whole read", whole, split);

  r->reset();
  FUZZ_CHECK(r->offset() == 0);
  FUZZ_CHECK(!r->buffered());
  const std::vector<event> again = read_pieces(*r, body, {body.size()}, false, cfg);
  check_same("read after reset() differs from the whole read", whole, again);
  return 0;
}
