#pragma once
// dot::decoder: turns a dot-stuffed body (SMTP DATA after 354, POP3 RETR/TOP
// after +OK) back into message content, and finds its end.
//
//   mailwire::dot::decoder d;            // options in the constructor
//   d.feed(bytes);                       // borrowed until next() says need_more
//   for (;;) {
//     auto ev = d.next();
//     if (ev.kind == dot::event_kind::data)      store(ev.bytes);
//     else if (ev.kind == dot::event_kind::end)  { finish(ev); break; }
//     else if (ev.kind == dot::event_kind::error) { abort(ev.error); break; }
//     else /* need_more */                        { read more; d.feed(...); }
//   }
//   d.rest();                            // bytes after the terminator (pipelining)
//
// The rules (RFC 5321 §4.5.2, §4.1.1.4; RFC 1939 §3):
// - The body ends exactly at CR LF "." CR LF. The CRLF that ended the command
//   counts as the first line start, so a body of ".\r\n" is empty. Nothing else
//   ends it: not LF.LF, LF.CRLF, CRLF.LF, CR.CR, nor any of those with other
//   bytes mixed in (SMTP smuggling, CVE-2023-51764/51765/51766).
// - A line that starts with "." after a CRLF loses that dot: "..x" -> ".x",
//   ".x" -> "x". Only CRLF starts a line; a bare CR or LF never does, under
//   any policy, so no policy can create a terminator or an unstuffing point.
// - Bare CR, bare LF and NUL in content are handled by `line_end_policy`:
//   reject (default) passes them through unchanged and flags them in the end
//   event; normalize turns bare CR/LF into CRLF (NUL is still flagged: it
//   cannot be normalized and is never dropped); allow passes them silently.
//   Under normalize and allow the content may contain CRLF "." CRLF (from
//   LF "." CRLF, say): it is content, so re-stuff it (dot::encoder) before
//   relaying it anywhere.
//   Decoding always runs on to the real terminator, so the caller stays in sync
//   with the stream and can reject the message after it (550 5.5.2).
//
// Zero copy: data events are views into the fed bytes, except the few bytes
// the decoder itself supplies (a CRLF inserted by normalize, or a CR that
// followed a line-start dot and was held back across a feed boundary), which
// are views of static storage. Whatever the split of the input into feeds,
// the concatenated data and the end event are identical.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/error.hpp"
#include "mailwire/core/scan.hpp"

namespace mailwire::dot {

/// What to do with CR or LF that is not part of a CRLF pair, and with NUL.
enum class line_end_policy : std::uint8_t {
  reject,     ///< pass through, flag in the end event (default)
  normalize,  ///< bare CR / bare LF become CRLF; NUL is flagged
  allow,      ///< pass through silently
};

/// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF.
inline constexpr std::size_t rfc5321_max_line_length = 1000;

struct decoder_options {
  line_end_policy policy = line_end_policy::reject;
  /// Flag the body (errc::message_too_large) once the decoded content exceeds
  /// this many octets; 0 means no limit. Decoding and framing go on.
  std::uint64_t max_size = 0;
  /// Flag lines longer than this (octets on the wire including CRLF, not
  /// counting a stuffing dot); 0 turns the check off (the default).
  /// rfc5321_max_line_length is the RFC's value.
  std::size_t max_line_length = 0;
};

/// The set of problems found in a body (each one an errc::body_* value or
/// errc::message_too_large).
class body_flags {
 public:
  constexpr bool any() const noexcept { return bits_ != 0; }
  constexpr bool has(errc e) const noexcept { return (bits_ & bit(e)) != 0; }
  /// Adds a body flag; other errc values are ignored.
  constexpr void set(errc e) noexcept { bits_ = static_cast<std::uint8_t>(bits_ | bit(e)); }

 private:
  static constexpr std::uint8_t bit(errc e) noexcept {
    return e >= errc::body_bare_cr && e <= errc::message_too_large
               ? static_cast<std::uint8_t>(
                     1u << (static_cast<int>(e) - static_cast<int>(errc::body_bare_cr)))
               : 0;
  }
  std::uint8_t bits_ = 0;
};

enum class event_kind : std::uint8_t {
  need_more,  ///< all fed bytes are used; feed more (or feed_eof)
  data,       ///< `bytes`: the next piece of decoded content
  end,        ///< the terminator was found; see consumed/size/flags
  error,      ///< the input ended before the terminator (errc::unexpected_eof)
};

/// One decoder event. Views stay valid until the next call to next() or feed().
struct decoder_event {
  event_kind kind = event_kind::need_more;
  /// data: the decoded bytes.
  std::string_view bytes;
  /// Stream offset, counted from the first byte of the body. data: the input
  /// byte the data starts at (for bytes the decoder supplies: the bare CR or
  /// LF they complete or replace, or the withheld CR); end: just past the
  /// terminator (== consumed()); error: where the input ended; need_more:
  /// consumed().
  std::uint64_t offset = 0;
  /// end: decoded content size in octets.
  std::uint64_t size = 0;
  /// end: everything flagged in the body.
  body_flags flags;
  /// end: the flag found earliest in the stream, the smaller errc on a tie
  /// (errc{} when the body is clean): what suggested_reply() maps to the
  /// server's answer; error: the error.
  errc error{};
  /// end: where `error` was found: the bare CR, bare LF or NUL itself, or the
  /// first octet over the size or line-length limit (for decoder-supplied
  /// bytes, the input byte they stand for).
  std::uint64_t error_offset = 0;

  /// end: number of input octets the body used, terminator included.
  constexpr std::uint64_t consumed() const noexcept { return offset; }
};

class decoder {
 public:
  explicit decoder(const decoder_options& options = {}) noexcept : options_(options) {}

  /// Borrow the next bytes of the stream. Call only when next() returned
  /// need_more (or before the first next()); the view must stay valid until
  /// next() returns need_more again. Fed bytes not consumed yet (rest()) are
  /// dropped by the next feed(): never feed after `end` (the rest belongs to
  /// the command parser) or before need_more.
  void feed(std::string_view bytes) noexcept {
    base_ += static_cast<std::uint64_t>(pos_ - begin_);
    begin_ = pos_ = slice_ = bytes.data();
    end_ = begin_ + bytes.size();
  }

  /// The peer closed: a body without terminator becomes an error event.
  void feed_eof() noexcept { eof_ = true; }

  /// Start a new body with the same options.
  void reset() noexcept { *this = decoder(options_); }

  /// The next event; see event_kind. After `end`, next() keeps returning the
  /// same end event; after `error`, need_more.
  decoder_event next() noexcept;

  /// Fed bytes not consumed yet: after `end`, what follows the terminator
  /// (pipelined commands), to hand back to the command parser.
  std::string_view rest() const noexcept { return {pos_, static_cast<std::size_t>(end_ - pos_)}; }

  bool done() const noexcept { return state_ == state::done; }
  /// Input octets consumed so far.
  std::uint64_t consumed() const noexcept { return offset_of(pos_); }
  /// Flags raised so far (a server may give up early on a flagged body).
  body_flags flags() const noexcept { return flags_; }
  const decoder_options& options() const noexcept { return options_; }

 private:
  enum class state : std::uint8_t {
    line_start,  // after CRLF (or at the start of the body)
    mid,         // inside a line
    cr,          // a content CR was just passed; its LF decides
    dot,         // a line-start dot was read and withheld
    dot_cr,      // line-start dot then CR, both withheld: LF ends the body
    done,
    failed,
  };

  std::uint64_t offset_of(const char* p) const noexcept {
    return base_ + static_cast<std::uint64_t>(p - begin_);
  }

  /// Records a flag; the first is the earliest in the stream, ties going to
  /// the smaller errc, so the choice never depends on how input was split.
  void flag(errc e, std::uint64_t at) noexcept {
    if (!flags_.any() || at < first_flag_offset_ || (at == first_flag_offset_ && e < first_flag_)) {
      first_flag_ = e;
      first_flag_offset_ = at;
    }
    flags_.set(e);
  }

  /// Content from the input at stream offset `at`.
  decoder_event data_event(std::string_view bytes, std::uint64_t at) noexcept {
    return content(bytes, at, options_.max_size - size_);
  }

  /// Bytes the decoder supplies, standing for the input byte at `at`: a flag
  /// anywhere inside them points at that byte.
  decoder_event supplied(std::string_view bytes, std::uint64_t at) noexcept {
    return content(bytes, at, 0);
  }

  decoder_event content(std::string_view bytes, std::uint64_t at,
                        std::uint64_t flag_delta) noexcept {
    if (options_.max_size != 0 && !flags_.has(errc::message_too_large) &&
        bytes.size() > options_.max_size - size_) {
      flag(errc::message_too_large, at + flag_delta);
    }
    size_ += bytes.size();
    decoder_event ev;
    ev.kind = event_kind::data;
    ev.bytes = bytes;
    ev.offset = at;
    return ev;
  }

  /// Ends the pending slice at pos_; true (and `out` set) if it was non-empty.
  bool cut(decoder_event& out) noexcept {
    if (slice_ == pos_) return false;
    out = data_event({slice_, static_cast<std::size_t>(pos_ - slice_)}, offset_of(slice_));
    slice_ = pos_;
    return true;
  }

  /// First stream offset past the longest allowed current line: its LF must
  /// come before this (RFC 5321 counts the CRLF, not the stuffing dot).
  std::uint64_t line_deadline() const noexcept {
    const std::uint64_t start = line_start_ + (line_dot_ ? 1u : 0u);
    const std::uint64_t limit = options_.max_line_length;
    return limit > UINT64_MAX - start ? UINT64_MAX : start + limit;  // saturate
  }

  /// A line ended with the LF just before `next`: check it, start the next.
  void line_ended_at(const char* next) noexcept {
    const std::uint64_t here = offset_of(next);
    if (options_.max_line_length != 0 && here > line_deadline())
      flag(errc::body_line_too_long, line_deadline());
    line_start_ = here;
    line_dot_ = false;
  }

  /// Checks the lines that end inside a run [p, to) the scan skipped (every LF
  /// there follows a CR, except bare ones under the allow policy; runs start
  /// after the first byte of a feed, so p[-1] is readable). Instead of
  /// visiting each line end, look for the last line end before the current
  /// line's deadline: every line up to it is short enough. Linear, and fast
  /// because that line end is usually a few dozen bytes from the window end.
  void check_run_lines(const char* p, const char* to) noexcept {
    while (p != to) {
      const std::uint64_t deadline = line_deadline();
      const std::uint64_t here = offset_of(p);
      const char* window_end = to;
      if (deadline > here) {
        if (deadline - here < static_cast<std::uint64_t>(to - p))
          window_end = p + (deadline - here);
        const char* y = window_end;
        while (y != p && !(y[-1] == '\n' && y[-2] == '\r')) --y;
        if (y != p) {  // y: just past the last line end in the window
          line_start_ = offset_of(y);
          line_dot_ = false;
          p = y;
          continue;
        }
        if (window_end == to) return;  // the line goes on past this run
        p = window_end;
      }
      // The current line is too long. It is flagged where it ends, as on the
      // scalar path, so the result does not depend on how input was split.
      while (p != to && !(*p == '\n' && p[-1] == '\r')) ++p;
      if (p == to) return;
      line_ended_at(++p);
    }
  }

  /// State implied by the two bytes before q, when every byte in the run
  /// before q was unremarkable (no candidate for the scan).
  static state after_run(const char* q) noexcept {
    if (q[-1] == '\r') return state::cr;
    if (q[-1] == '\n' && q[-2] == '\r') return state::line_start;
    return state::mid;
  }

  const char* find_candidate(const char* first, const char* last) const noexcept {
    constexpr unsigned strict = scan::bare_cr | scan::bare_lf | scan::nul | scan::dot_after_lf;
    if (options_.policy == line_end_policy::allow)
      return scan::find<scan::dot_after_lf>(first, last);
    return scan::find<strict>(first, last);
  }

  decoder_event end_event() const noexcept {
    decoder_event ev;
    ev.kind = event_kind::end;
    ev.offset = end_offset_;
    ev.size = size_;
    ev.flags = flags_;
    ev.error = first_flag_;
    ev.error_offset = first_flag_offset_;
    return ev;
  }

  decoder_options options_;
  const char* begin_ = nullptr;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  const char* slice_ = nullptr;   // start of content not yet returned
  std::uint64_t base_ = 0;        // stream offset of begin_
  std::uint64_t size_ = 0;        // decoded octets returned so far
  std::uint64_t line_start_ = 0;  // stream offset of the current line
  std::uint64_t end_offset_ = 0;
  std::uint64_t first_flag_offset_ = 0;
  errc first_flag_{};
  body_flags flags_;
  state state_ = state::line_start;
  bool line_dot_ = false;  // the current line had a stuffing dot
  bool eof_ = false;
};

inline decoder_event decoder::next() noexcept {
  static constexpr std::string_view kCR = "\r", kCRLF = "\r\n", kLF = "\n";
  const bool strict = options_.policy == line_end_policy::reject;
  const bool normalize = options_.policy == line_end_policy::normalize;
  decoder_event ev;
  for (;;) {
    if (state_ == state::done) return end_event();
    if (pos_ == end_) {
      if (cut(ev)) return ev;
      if (eof_ && state_ != state::failed) {
        state_ = state::failed;
        ev.kind = event_kind::error;
        ev.error = errc::unexpected_eof;
        ev.offset = ev.error_offset = offset_of(pos_);
        return ev;
      }
      ev.offset = consumed();
      return ev;  // need_more
    }
    const char c = *pos_;
    switch (state_) {
      case state::mid: {
        // Skip to the next byte that needs attention. The first byte of a feed
        // is looked at alone: the scan needs the byte before it in the buffer.
        if (pos_ != begin_) {
          const char* q = find_candidate(pos_, end_);
          if (q != pos_) {
            if (options_.max_line_length != 0) check_run_lines(pos_, q);
            pos_ = q;
            state_ = after_run(q);
            continue;
          }
        }
        // An LF here is bare: after a CR we would be in state cr.
        if (c == '\n' && normalize) {
          if (cut(ev)) return ev;  // the content before the LF first
          slice_ = ++pos_;
          return supplied(kCRLF, offset_of(pos_ - 1));
        }
        ++pos_;
        if (c == '\r') {
          state_ = state::cr;
        } else if (c == '\n') {
          if (strict) flag(errc::body_bare_lf, offset_of(pos_ - 1));
        } else if (c == '\0' && options_.policy != line_end_policy::allow) {
          flag(errc::body_nul, offset_of(pos_ - 1));
        }
        break;
      }
      case state::cr:
        if (c == '\n') {
          ++pos_;
          state_ = state::line_start;
          line_ended_at(pos_);
          break;
        }
        // The CR before pos_ was bare.
        state_ = state::mid;
        if (normalize) {
          if (cut(ev)) {
            state_ = state::cr;  // come back here to add the LF
            return ev;
          }
          return supplied(kLF, offset_of(pos_) - 1);
        }
        if (strict) flag(errc::body_bare_cr, offset_of(pos_) - 1);
        break;
      case state::line_start:
        if (c != '.') {
          state_ = state::mid;
          break;
        }
        if (cut(ev)) return ev;
        ++pos_;
        slice_ = pos_;
        line_dot_ = true;
        state_ = state::dot;
        break;
      case state::dot:
        if (c == '\r') {
          ++pos_;
          slice_ = pos_;
          state_ = state::dot_cr;
        } else {
          state_ = state::mid;  // it was a stuffing dot: dropped
        }
        break;
      case state::dot_cr:
        if (c == '\n') {
          ++pos_;
          slice_ = pos_;
          end_offset_ = offset_of(pos_);
          state_ = state::done;
          return end_event();
        }
        // ".\r" then not LF: the dot was stuffing, the withheld CR is bare.
        state_ = state::mid;
        if (strict) flag(errc::body_bare_cr, offset_of(pos_) - 1);
        return supplied(normalize ? kCRLF : kCR, offset_of(pos_) - 1);
      case state::done:
      case state::failed: return decoder_event{};
    }
  }
}

}  // namespace mailwire::dot
