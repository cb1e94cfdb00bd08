// Helpers shared by the fuzz targets (fuzz/<target>.cpp), for the libFuzzer
// and the replay builds alike. They set the stage (checks that trap,
// exact-size heap blocks, splits of the input, a deterministic RNG, feeding a
// parser) and make the few checks that targets of one kind make alike (a
// session parser's position in its stream, the logs of the split targets);
// what a target checks is said in the comment at the top of that target.
//
//   FUZZ_CHECK(cond)          a violated invariant: prints it, then traps
//   fuzz::inside(v, base, n)  is the view v within [base, base + n)?
//   fuzz::splitmix64, fnv1a   RNG step and input hash for derived choices
//   fuzz::exact_copy, scribbled_block, untouched
//                             exact-size heap blocks: an over-read (or an
//                             over-write) is an ASan report
//   fuzz::field_reader        numbers and slices read from the input in order,
//                             each slice in an exact-size heap block
//   fuzz::split_plan          piece lengths from a "split" byte
//   fuzz::two_pieces          the stream whole or cut once, from a "cut" byte
//   fuzz::for_each_piece      feeds a body piece by piece, each piece in its own
//                             heap block that is scribbled over once the piece
//                             is done (use after free: ASan; else wrong data)
//   fuzz::feed_stream, restart
//                             feeds a parser its stream as a plan cuts it, then
//                             feed_eof(), early or late, as the session targets
//                             do; reset() and go on, as after a TLS handshake
//   fuzz::stream_session      where a session target stands in its stream, and
//                             the checks of a parser's position that follow
//   fuzz::field, check_same_log
//                             the event logs of the split targets, and their
//                             comparison

#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// A violated invariant: prints the condition, its file and line ("check
/// failed" is what fuzz/run.sh looks for in the log), then traps. libFuzzer
/// and replay_main.cpp both report the trap with the input that caused it.
/// Never compiled out (no NDEBUG dependence).
#define FUZZ_CHECK(cond)                                          \
  do {                                                            \
    if (!(cond)) ::fuzz::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)

namespace fuzz {

[[noreturn]] inline void check_failed(const char* cond, const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  std::fprintf(stderr, "%s:%d: check failed: %s\n", base != nullptr ? base + 1 : file, line, cond);
  __builtin_trap();
}

/// True when the view [v.data(), v.data() + v.size()) lies within the n bytes
/// at base (an empty view just past the end counts as within).
inline bool inside(std::string_view v, const void* base, std::size_t n) {
  const auto lo = reinterpret_cast<std::uintptr_t>(base);
  const auto x = reinterpret_cast<std::uintptr_t>(v.data());
  return x >= lo && x <= lo + n && v.size() <= lo + n - x;
}

/// One step of splitmix64: a small, well-mixed deterministic RNG.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// FNV-1a over the whole input: a seed that changes with every input byte.
inline std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/// What scribbled_block() fills with, and for_each_piece() writes over a piece
/// once it is done.
constexpr char kScribble = static_cast<char>(0xA5);

/// The n bytes at p in an exact-size heap block of their own.
inline std::unique_ptr<char[]> exact_copy(const char* p, std::size_t n) {
  std::unique_ptr<char[]> b(new char[n]);
  if (n != 0) std::memcpy(b.get(), p, n);
  return b;
}

/// An exact-size heap block of n bytes, all kScribble.
inline std::unique_ptr<char[]> scribbled_block(std::size_t n) {
  std::unique_ptr<char[]> b(new char[n]);
  if (n != 0) std::memset(b.get(), kScribble, n);
  return b;
}

/// True when the n bytes at p are all still kScribble.
inline bool untouched(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i] != kScribble) return false;
  return true;
}

/// Piece lengths covering body.size() octets, as a target's "split" byte `how`
/// asks (`seed` drives the random choices):
///   bits 0-1  0: one byte at a time
///             1: random piece lengths in [1, 2^(bits 2-4)]
///             2: a cut just before and just after every byte for which
///                cut_around(byte) is true
///             3: one cut at a point derived from the seed
///   bit 7     an empty piece (length 0) before every piece
/// Bits 5-6 are left to the target.
template <class CutAround>
std::vector<std::size_t> split_plan(std::string_view body, std::uint8_t how, std::uint64_t seed,
                                    CutAround cut_around) {
  const std::size_t n = body.size();
  std::vector<std::size_t> cuts;  // offsets in (0, n), increasing
  switch (how & 3) {
    case 0:
      for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
      break;
    case 1: {
      const std::uint64_t max = std::uint64_t{1} << ((how >> 2) & 7);
      for (std::size_t at = 0;;) {
        at += 1 + static_cast<std::size_t>(splitmix64(seed) % max);
        if (at >= n) break;
        cuts.push_back(at);
      }
      break;
    }
    case 2:
      for (std::size_t i = 0; i < n; ++i) {
        if (!cut_around(body[i])) continue;
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

/// Hands `body` to f piece by piece, as `plan` (lengths summing to
/// body.size()) cuts it: f(piece, stream offset of the piece, is it the last
/// piece of the plan) returns whether to go on. Each piece is a copy in an
/// exact-size heap block of its own, scribbled over (kScribble) and freed as
/// soon as f returns: a view of it kept past that is a use-after-free under
/// ASan, and wrong data without it. When f never stops, checks that the plan
/// covered the body exactly.
template <class F>
void for_each_piece(std::string_view body, const std::vector<std::size_t>& plan, F&& f) {
  std::size_t at = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const std::size_t len = plan[i];
    FUZZ_CHECK(len <= body.size() - at);
    const std::unique_ptr<char[]> piece = exact_copy(body.data() + at, len);
    const bool go_on = f(std::string_view(piece.get(), len), at, i + 1 == plan.size());
    if (len != 0) std::memset(piece.get(), kScribble, len);
    at += len;
    if (!go_on) return;
  }
  FUZZ_CHECK(at == body.size());
}

/// The pieces of an n-octet stream fed whole, or (`split`) cut once at 1 +
/// cut % (n - 1), so that both pieces hold an octet; whole when n < 2.
inline std::vector<std::size_t> two_pieces(std::size_t n, bool split, std::uint8_t cut) {
  if (!split || n < 2) return {n};
  const std::size_t at = 1 + cut % (n - 1);
  return {at, n - at};
}

// ---------------------------------------------------------------------------
// Fields taken from the input

/// Reads the input front to back, as the writer targets take their fields: a
/// missing octet reads as 0, a missing slice as empty. A slice lives in an
/// exact-size heap block of its own (a read past it is an ASan report) for as
/// long as the reader.
class field_reader {
 public:
  field_reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}

  std::uint8_t byte() { return at_ < n_ ? p_[at_++] : 0; }

  /// `octets` octets, little-endian.
  std::uint64_t number(int octets) {
    std::uint64_t v = 0;
    for (int i = 0; i < octets; ++i) v |= std::uint64_t{byte()} << (8 * i);
    return v;
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(number(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(number(4)); }
  std::uint64_t u64() { return number(8); }

  /// A message number, count or size, biased towards the edges: a mode octet,
  /// then (mode % 4) 0: one octet, 1: four octets, 2: eight octets, 3: one
  /// octet indexing {0, 1, 2^32-1, 2^32, 2^64-1, 10^10}.
  std::uint64_t count() {
    static constexpr std::uint64_t kEdges[] = {
        0, 1, 0xFFFFFFFFull, 0x100000000ull, ~0ull, 10000000000ull};
    const std::uint8_t mode = byte();
    switch (mode % 4) {
      case 0: return byte();
      case 1: return number(4);
      case 2: return number(8);
      default: return kEdges[byte() % (sizeof kEdges / sizeof kEdges[0])];
    }
  }

  /// A text field of any octets (CR, LF, NUL, SP, 8-bit): a length octet b <
  /// 0xE0 and b raw octets; 0xE0-0xEF and one more octet: a 12-bit length and
  /// that many raw octets; 0xF0-0xFF: a 16-bit length, then a unit (a length
  /// octet 0-15 and its octets) repeated to that length.
  std::string_view slice() {
    const std::uint8_t b = byte();
    std::string bytes;
    if (b < 0xE0) {
      bytes = raw(b);
    } else if (b < 0xF0) {
      bytes = raw(static_cast<std::size_t>(b - 0xE0) << 8 | byte());
    } else {
      const std::size_t length = u16();
      const std::string unit = raw(byte() & 15);
      while (!unit.empty() && bytes.size() < length) bytes += unit;
      bytes.resize(unit.empty() ? 0 : length);
    }
    return keep(bytes);
  }

  /// A text field in the short form: a length octet and that many octets.
  std::string_view short_slice() { return keep(raw(byte())); }

  /// `bytes` in an exact-size heap block that lives as long as the reader.
  std::string_view keep(const std::string& bytes) {
    blocks_.push_back(exact_copy(bytes.data(), bytes.size()));
    return {blocks_.back().get(), bytes.size()};
  }

  /// Whatever has not been read yet (a view of the input itself).
  std::string_view rest() const { return {reinterpret_cast<const char*>(p_) + at_, n_ - at_}; }

 private:
  std::string raw(std::size_t n) {
    const std::size_t take = n < n_ - at_ ? n : n_ - at_;
    std::string s(reinterpret_cast<const char*>(p_) + at_, take);
    at_ += take;
    return s;
  }

  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t at_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

// ---------------------------------------------------------------------------
// Sessions: a parser fed its stream

/// Feeds `input` to parser p as a session target does: piece by piece as
/// `plan` cuts it (fuzz::for_each_piece), calling fed(piece, stream offset of
/// the piece) right after each feed() and then drain(piece size) to read the
/// events; then feed_eof() and drain(0). With `eof_early`, feed_eof() comes
/// instead right after the last piece, before its events are drained. `eof` is
/// set as soon as feed_eof() is called, for the event handlers to see.
template <class Parser, class Fed, class Drain>
void feed_stream(Parser& p, std::string_view input, const std::vector<std::size_t>& plan,
                 bool eof_early, bool& eof, Fed&& fed, Drain&& drain) {
  for_each_piece(input, plan, [&](std::string_view piece, std::size_t at, bool last) {
    p.feed(piece);
    fed(piece, at);
    if (last && eof_early) {
      p.feed_eof();
      eof = true;
    }
    drain(piece.size());
    return true;
  });
  if (!eof) {
    p.feed_eof();
    eof = true;
    drain(0);
  }
}

/// The TLS handshake of a split target's session: the parser is reset() where
/// it stands and fed `rest`, the bytes behind the STARTTLS/STLS exchange, as a
/// new stream (a model of what the trace tools do); `reset_base`, the stream
/// offset of the parser's offset 0, moves on to where it stood.
template <class Parser>
void restart(Parser& p, std::string_view rest, std::uint64_t& reset_base, bool eof) {
  reset_base += p.offset();
  p.reset();
  p.feed(rest);
  if (eof) p.feed_eof();
}

/// Where a session target (smtp_server, smtp_client, pop3_server, pop3_client)
/// stands in its stream, for the checks of its parser's position that every
/// such target makes. A base of the target's session class, which reads and
/// updates these members as its events come. Stream indices count from the
/// start of the whole stream; the parser's offsets start again at 0 after a
/// reset() (a TLS handshake), hence index().
class stream_session {
 protected:
  explicit stream_session(std::string_view input) : input_(input) {}

  /// The stream index of a parser offset.
  std::uint64_t index(std::uint64_t parser_offset) const { return reset_base_ + parser_offset; }

  /// fuzz::feed_stream over the whole stream, keeping the current piece.
  template <class Parser, class Drain>
  void feed(Parser& p, const std::vector<std::size_t>& plan, bool eof_early, Drain&& drain) {
    feed_stream(
        p, input_, plan, eof_early, eof_,
        [&](std::string_view piece, std::size_t at) {
          piece_ = piece;
          piece_idx_ = at;
          fed_end_ = at + piece.size();
        },
        drain);
    FUZZ_CHECK(fed_end_ == input_.size());
  }

  /// The n-th next() of a drain loop that may call it `limit` times: every
  /// event makes progress; the parser's position never goes back nor past the
  /// bytes fed, and neither does the event's offset. Sets before_ and now_.
  template <class Parser>
  decltype(auto) next_event(Parser& p, std::size_t n, std::size_t limit) {
    FUZZ_CHECK(n <= limit);
    before_ = index(p.offset());
    decltype(auto) ev = p.next();
    now_ = index(p.offset());
    FUZZ_CHECK(now_ >= before_ && now_ <= fed_end_);
    FUZZ_CHECK(index(ev.offset) <= fed_end_);
    return ev;
  }

  /// Octets the parser hands out raw (a BDAT chunk, a SASL line) at stream
  /// index `at`, where the session expects the next ones (`expected_at`): views
  /// into the current piece at their place, the parser just past them.
  void check_raw(std::string_view bytes, std::uint64_t at, std::uint64_t expected_at) const {
    FUZZ_CHECK(at == expected_at && at >= piece_idx_);
    FUZZ_CHECK(bytes.data() == piece_.data() + (at - piece_idx_));
    FUZZ_CHECK(inside(bytes, piece_.data(), piece_.size()));
    FUZZ_CHECK(now_ == at + bytes.size());
  }

  /// After the whole stream and feed_eof(): the end stays the end (need_more
  /// at the stream's end, twice), and feed() is ignored (`more`, a line the
  /// parser would otherwise read).
  template <class Parser>
  void check_end_stays(Parser& p, std::string_view more) const {
    for (int i = 0; i < 2; ++i) {
      const auto& ev = p.next();
      FUZZ_CHECK(ev.kind == decltype(ev.kind)::need_more);
      FUZZ_CHECK(index(ev.offset) == input_.size());
    }
    p.feed(more);
    const auto& ev = p.next();
    FUZZ_CHECK(ev.kind == decltype(ev.kind)::need_more);
    FUZZ_CHECK(index(p.offset()) == input_.size());
  }

  /// The client or server did the TLS handshake: the parser is reset() where
  /// it stands and fed `rest`, the bytes behind the STARTTLS/STLS exchange, as
  /// a new stream (a model of what the trace tools do). check_fresh() runs
  /// between the reset() and the feed().
  template <class Parser, class CheckFresh>
  void restart(Parser& p, std::string_view rest, CheckFresh&& check_fresh) {
    reset_base_ = now_;
    p.reset();
    check_fresh();
    p.feed(rest);
    if (eof_) p.feed_eof();
    piece_ = rest;
    piece_idx_ = now_;
    elem_end_ = now_;
  }

  const std::string_view input_;  // the whole stream
  std::uint64_t reset_base_ = 0;  // stream index of the parser's offset 0
  std::string_view piece_;        // the current feed
  std::uint64_t piece_idx_ = 0;   // its stream index
  std::uint64_t fed_end_ = 0;     // stream index just past the bytes fed
  std::uint64_t before_ = 0;      // stream index of p.offset() before the last next()
  std::uint64_t now_ = 0;         // stream index of p.offset() after the last next()
  std::uint64_t elem_end_ = 0;    // where the next element starts
  bool eof_ = false;              // feed_eof() was called
};

// ---------------------------------------------------------------------------
// The event logs of the split targets

/// Appends a view to a log as "<size>:<bytes> ", so that no two field lists
/// read alike.
inline void field(std::string& out, std::string_view v) {
  out += std::to_string(v.size());
  out += ':';
  out.append(v.data(), v.size());
  out += ' ';
}

/// Appends a number to a log as "<decimal> ".
inline void field(std::string& out, std::uint64_t v) {
  out += std::to_string(v);
  out += ' ';
}

/// The log of a whole run and that of another run (`what`: how it was fed)
/// must be the same; if not, prints the first line that differs in each, for
/// `target`, then traps.
inline void check_same_log(const char* target, const char* what, const std::string& whole,
                           const std::string& other) {
  if (whole == other) return;
  std::size_t line = 0, i = 0;
  while (i < whole.size() && i < other.size() && whole[i] == other[i]) {
    if (whole[i] == '\n') ++line;
    ++i;
  }
  const auto show = [&](const char* side, const std::string& log) {
    const std::size_t from = log.rfind('\n', i == 0 ? 0 : i - 1);
    const std::size_t b = from == std::string::npos || i == 0 ? 0 : from + 1;
    const std::size_t e = log.find('\n', b);
    const std::string text = log.substr(b, e == std::string::npos ? std::string::npos : e - b);
    std::fprintf(stderr, "  %s: %.300s\n", side, text.c_str());
  };
  std::fprintf(stderr, "%s: %s: the log differs at line %zu\n", target, what, line);
  show("whole", whole);
  show("split", other);
  FUZZ_CHECK(whole == other);
}

}  // namespace fuzz
