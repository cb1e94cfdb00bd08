#pragma once
// CRLF framing for command and reply lines (RFC 5321 §2.3.8, RFC 1939 §3),
// shared by the SMTP and POP3 parsers.
//
// Sans-IO and allocation-free. The caller feeds bytes and pulls one event per
// next() call. A line that lies wholly inside one feed() is returned as a view
// of the caller's bytes; only a line split across feeds is copied, into a
// carry buffer of Capacity bytes owned by the reader. Nothing else is held.
//
// Framing rules (strict by default, see docs/security.md §4 and §5):
// - The only line end is CR LF. With `allow_bare_lf` a lone LF ends a line too.
// - A CR not followed by LF (bare_cr), a lone LF in strict mode (bare_lf) or a
//   NUL (nul_in_line, unless `allow_nul`) makes the line it is in bad. A bad
//   line still ends only at a real line end: "A\nB\r\n" is ONE bad line.
// - A line longer than `max_length` octets (line end included) is bad
//   (line_too_long). Its bytes are discarded, not buffered, up to its real line
//   end (only its first error_prefix octets are kept, for the error event); its
//   tail is never returned as a line.
// - Each bad line yields exactly one error event, at its line end, carrying the
//   first fault found in it. Good and bad lines come out in stream order.
// - After feed_eof(), a pending partial line (good or bad so far) yields one
//   unexpected_eof error instead.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "mailwire/core/error.hpp"
#include "mailwire/core/scan.hpp"

namespace mailwire {

/// What a line_reader::next() call produced.
enum class line_event_kind : std::uint8_t {
  need_more,  ///< all fed bytes are consumed: feed() more, or feed_eof()
  line,       ///< `line` is one complete, valid line
  error,      ///< one bad line (or a partial line at EOF) was consumed; see `error`
};

/// One event of a line_reader. Cheap to copy.
struct line_event {
  line_event_kind kind = line_event_kind::need_more;
  /// kind == error: why the line was rejected (never errc{} then); otherwise errc{}.
  errc error = errc{};
  /// Stream offset of the line's first byte (line, error); for need_more, the
  /// reader's offset().
  std::uint64_t offset = 0;
  /// kind == line: the line without its line end, pointing into the bytes
  /// passed to feed() (line within one feed) or into the reader's carry buffer
  /// (line split across feeds). Valid until the next next(), feed() or reset()
  /// on the reader, and no longer than the fed bytes live.
  /// kind == error (a bad line, not EOF): its first octets as received, at
  /// most error_prefix of them, so a protocol parser can tell which command
  /// it was (a BDAT line's chunk must not be read as commands). Empty
  /// otherwise.
  std::string_view line;
};

/// Octets of a bad line that line_event::line keeps.
inline constexpr std::size_t error_prefix = 32;

/// Splits a byte stream into lines. Capacity bounds the longest line that can
/// be returned across feeds; it is the whole memory cost besides a few words.
template <std::size_t Capacity = 512>
class line_reader {
  static_assert(Capacity >= 2, "line_reader: Capacity must hold at least a CRLF");

 public:
  struct options {
    /// Longest valid line in octets, line end included (RFC 5321 §4.5.3.1.4:
    /// 512 for commands). Values above Capacity are treated as Capacity.
    std::size_t max_length = Capacity;
    /// Accept a lone LF as a line end (a CR not followed by LF stays bad).
    bool allow_bare_lf = false;
    /// Accept NUL octets inside lines.
    bool allow_nul = false;
  };

  line_reader() noexcept : line_reader(options{}) {}
  explicit line_reader(const options& o) noexcept : opt_(o) {
    if (opt_.max_length > Capacity) opt_.max_length = Capacity;
  }

  /// Makes `bytes` the input. The reader borrows them until next() returns
  /// need_more (or until feed()/reset()): they must stay alive and unchanged.
  /// Call it after need_more; bytes of a previous feed that were not consumed
  /// yet (rest()) are dropped and not counted in offset(). A partial line
  /// carried from earlier feeds continues. Ignored after feed_eof() until reset().
  void feed(std::string_view bytes) noexcept {
    if (eof_) return;
    base_ += pos_;
    in_ = bytes;
    pos_ = seg_ = 0;
  }

  /// The peer closed: once the fed bytes are consumed, a partial line becomes
  /// one unexpected_eof error; then next() returns need_more forever.
  void feed_eof() noexcept { eof_ = true; }

  /// Consumes input up to the end of the next line and reports it, or returns
  /// need_more once every fed byte is consumed (a partial line then waits in
  /// the carry buffer).
  line_event next() noexcept {
    const char* const b = in_.data();
    const std::size_t n = in_.size();
    while (pos_ < n) {
      if (cr_) {  // the previous feed ended with a CR
        cr_ = false;
        if (b[pos_] == '\n') return end_line(pos_, pos_ + 1, 2);
        fault(errc::bare_cr);  // the CR was content; b[pos_] is still to scan
        grow(1);
        if (len_ < prefix_limit) buf_[len_++] = '\r';
      }
      const char* const q = find(b + pos_, b + n);
      const auto i = static_cast<std::size_t>(q - b);
      grow(i - pos_);
      pos_ = i;
      if (i == n) {
        stash(n);
        break;
      }
      if (*q == '\r') {
        if (i + 1 == n) {  // CR LF or bare CR: the next feed decides
          stash(i);
          cr_ = true;
          pos_ = n;
          break;
        }
        if (q[1] == '\n') return end_line(i, i + 2, 2);
        fault(errc::bare_cr);
      } else if (*q == '\n') {
        if (opt_.allow_bare_lf) return end_line(i, i + 1, 1);
        fault(errc::bare_lf);
      } else {
        fault(errc::nul_in_line);
      }
      grow(1);
      pos_ = i + 1;
    }
    if (seg_ < n) stash(n);  // the feed ended right after a fault octet
    if (eof_ && offset() > line_start_) {
      const std::uint64_t start = line_start_;
      clear_line();
      line_start_ = offset();
      return {line_event_kind::error, errc::unexpected_eof, start, {}};
    }
    return {line_event_kind::need_more, errc{}, offset(), {}};
  }

  /// The fed bytes next() has not consumed yet: after a line event, what
  /// follows its line end in the current feed (e.g. message data after DATA,
  /// for a body decoder). Borrowed like the fed bytes; empty after need_more.
  std::string_view rest() const noexcept {
    return std::string_view(in_.data() + pos_, in_.size() - pos_);
  }

  /// True if bytes beyond the last reported line wait: unconsumed input or a
  /// partial line (RFC 2920 pipelining checks, STARTTLS barrier).
  bool buffered() const noexcept { return pos_ < in_.size() || mid_line(); }

  /// True while a line has begun but not ended: octets of it were consumed
  /// (kept in the carry buffer, or counted for a bad line).
  bool mid_line() const noexcept { return offset() > line_start_; }

  /// Stream offset of the next byte next() will consume: the count of bytes
  /// consumed since construction or reset().
  std::uint64_t offset() const noexcept { return base_ + pos_; }

  /// Forgets everything (input, partial line, EOF, offset); keeps the options.
  void reset() noexcept {
    clear_line();
    in_ = {};
    pos_ = seg_ = 0;
    base_ = line_start_ = 0;
    eof_ = false;
  }

 private:
  const char* find(const char* first, const char* last) const noexcept {
    if (err_ != errc{} || opt_.allow_nul) return scan::find<scan::cr | scan::lf>(first, last);
    return scan::find<scan::cr | scan::lf | scan::nul>(first, last);
  }

  std::size_t content_limit() const noexcept {
    const std::size_t end_len = opt_.allow_bare_lf ? 1 : 2;
    return opt_.max_length > end_len ? opt_.max_length - end_len : 0;
  }

  void fault(errc e) noexcept {
    if (err_ == errc{}) err_ = e;
  }

  // k more content bytes in the current line.
  void grow(std::size_t k) noexcept {
    if (err_ != errc{}) return;
    count_ += k;
    if (count_ > content_limit()) err_ = errc::line_too_long;
  }

  // Keeps in_[seg_, end) of a valid line in the carry buffer.
  // Of a bad line only the first prefix_limit octets are kept.
  void stash(std::size_t end) noexcept {
    std::size_t k = end > seg_ ? end - seg_ : 0;
    if (err_ != errc{}) {
      const std::size_t room = len_ < prefix_limit ? prefix_limit - len_ : 0;
      if (k > room) k = room;
    }
    if (k > 0) {
      std::memcpy(buf_ + len_, in_.data() + seg_, k);
      len_ += k;
    }
    seg_ = in_.size();
  }

  static constexpr std::size_t prefix_limit = error_prefix < Capacity ? error_prefix : Capacity;

  // The current line's content ends at in_[end]; the next line starts at in_[after].
  line_event end_line(std::size_t end, std::size_t after, std::size_t end_len) noexcept {
    const std::uint64_t start = line_start_;
    errc e = err_;
    if (e == errc{} && count_ + end_len > opt_.max_length) e = errc::line_too_long;
    std::string_view text;
    const std::size_t k = end - seg_;
    if (e == errc{}) {
      if (len_ == 0) {
        text = std::string_view(in_.data() + seg_, k);
      } else {
        if (k > 0) std::memcpy(buf_ + len_, in_.data() + seg_, k);
        text = std::string_view(buf_, len_ + k);
      }
    } else {  // the first octets as received: carried ones, then this feed's
      const std::size_t have = len_ < prefix_limit ? len_ : prefix_limit;
      const std::size_t more = k < prefix_limit - have ? k : prefix_limit - have;
      if (have == 0) {
        text = std::string_view(in_.data() + seg_, more);
      } else {
        if (more > 0) std::memcpy(buf_ + have, in_.data() + seg_, more);
        text = std::string_view(buf_, have + more);
      }
    }
    pos_ = seg_ = after;
    clear_line();
    line_start_ = offset();
    if (e != errc{}) return {line_event_kind::error, e, start, text};
    return {line_event_kind::line, errc{}, start, text};
  }

  void clear_line() noexcept {
    len_ = count_ = 0;
    err_ = errc{};
    cr_ = false;
  }

  options opt_;
  std::string_view in_;           // current feed (borrowed)
  std::size_t pos_ = 0;           // next byte of in_ to scan
  std::size_t seg_ = 0;           // current line's bytes in in_ start here
  std::size_t len_ = 0;           // bytes of the current line in buf_
  std::size_t count_ = 0;         // content bytes of the current line (while valid)
  std::uint64_t base_ = 0;        // stream offset of in_[0]
  std::uint64_t line_start_ = 0;  // stream offset of the current line
  errc err_ = errc{};             // first fault of the current line
  bool cr_ = false;               // the current line's last byte was a CR ending a feed
  bool eof_ = false;
  char buf_[Capacity];  // carry: a valid line split across feeds
};

}  // namespace mailwire
