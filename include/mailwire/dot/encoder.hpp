#pragma once
// dot::encoder: turns arbitrary message bytes into a correct dot-stuffed
// payload for SMTP DATA (after 354) or a POP3 RETR/TOP response.
//
// - Bare CR and bare LF become CRLF (or are refused, by option), so what the
//   encoder sends can never be split differently by another implementation
//   (SMTP smuggling). A CR ending one chunk and an LF starting the next are
//   one line end.
// - Every line that starts with "." gets a second one (RFC 5321 §4.5.2).
// - finish() appends the terminator so the payload ends in CRLF "." CRLF,
//   adding the final CRLF when the content lacks it; an empty message becomes
//   just ".\r\n".
//
// Errors are sticky: after a refused bare line end (refuse_bare_line_ends) every
// call returns the same error and finished() stays false until reset(). A
// refused bare CR has already been written and consumed (its successor showed
// it bare); a refused bare LF has not been consumed. Once finish() or
// finish_gather() has been called, encode() and encode_gather() refuse more
// content (errc::invalid_argument, nothing consumed).
//
// Two output forms over one state machine; an encoder may switch between them:
// - copy:   encode(in, out, capacity) copies into a caller buffer. It stops
//           when the buffer is full and reports how much input it used; call
//           again with the rest. No byte is ever lost or repeated, whatever
//           the buffer sizes (one byte is enough to make progress).
// - gather: encode_gather(in, segments, count) describes the output as views:
//           slices of `in` and static literals, ready for writev(). No copy.
//           Adjacent slices of `in` are merged into one segment.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "mailwire/core/error.hpp"
#include "mailwire/core/scan.hpp"

namespace mailwire::dot {

struct encoder_options {
  /// Refuse bare CR / bare LF (errc::body_bare_cr / body_bare_lf) instead of
  /// normalizing them to CRLF.
  bool refuse_bare_line_ends = false;
};

/// Result of a copy-form call.
struct encode_result {
  std::size_t consumed = 0;  ///< input octets used (encode) / 0 (finish)
  std::size_t written = 0;   ///< octets written to the output buffer
  /// errc::body_bare_cr / body_bare_lf when refused; errc::invalid_argument
  /// for content after finish().
  errc error{};
};

/// Result of a gather-form call.
struct gather_result {
  std::size_t consumed = 0;  ///< input octets used (encode_gather) / 0 (finish)
  std::size_t count = 0;     ///< segments filled
  errc error{};
};

/// Upper bound of the encoded size of n content octets, terminator included
/// (every octet can at most double; the terminator adds at most 5). Saturates
/// at SIZE_MAX.
constexpr std::size_t max_encoded_size(std::size_t n) noexcept {
  constexpr std::size_t max = static_cast<std::size_t>(-1);
  return n <= (max - 5) / 2 ? 2 * n + 5 : max;
}

/// The size of `content` once encoded and decoded again: every line end
/// (CRLF, bare CR, bare LF) counted as CRLF, and a CRLF added when non-empty
/// content does not end with one; stuffing dots are not content. This is the
/// "exact size" of a message that POP3's STAT, LIST and scan listings report
/// for what RETR sends (RFC 1939 §11) when the content goes through an
/// encoder with default options. Linear, no allocation.
constexpr std::uint64_t content_size(std::string_view content) noexcept {
  std::uint64_t size = 0;
  bool at_line_start = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '\r') {
      if (i + 1 < content.size() && content[i + 1] == '\n') ++i;
      size += 2;
      at_line_start = true;
    } else if (c == '\n') {
      size += 2;
      at_line_start = true;
    } else {
      ++size;
      at_line_start = false;
    }
  }
  return at_line_start ? size : size + 2;
}

class encoder {
 public:
  explicit encoder(const encoder_options& options = {}) noexcept : options_(options) {}

  /// Copy form: encode as much of `in` as fits into out[0, capacity).
  encode_result encode(std::string_view in, char* out, std::size_t capacity) noexcept {
    copy_sink sink{out, capacity, 0};
    encode_result r;
    r.consumed = run(in, sink, r.error);
    r.written = sink.size;
    return r;
  }

  /// Copy form: write (the rest of) the terminator. Call until finished() or
  /// an error.
  encode_result finish(char* out, std::size_t capacity) noexcept {
    encode_result r;
    if (!start_finish()) {
      r.error = failed_;
      return r;
    }
    const std::string_view t = terminator().substr(finish_progress_);
    const std::size_t n = t.size() < capacity ? t.size() : capacity;
    if (n != 0) std::memcpy(out, t.data(), n);
    finish_progress_ += n;
    r.written = n;
    return r;
  }

  /// Gather form: describe the encoding of a prefix of `in` as at most
  /// `max_segments` views (into `in` or static storage).
  gather_result encode_gather(std::string_view in, std::string_view* segments,
                              std::size_t max_segments) noexcept {
    gather_sink sink{segments, max_segments, 0};
    gather_result r;
    r.consumed = run(in, sink, r.error);
    r.count = sink.count;
    return r;
  }

  /// Gather form: the terminator as one static segment (needs max_segments >= 1).
  gather_result finish_gather(std::string_view* segments, std::size_t max_segments) noexcept {
    gather_result r;
    if (!start_finish()) {
      r.error = failed_;
      return r;
    }
    const std::string_view t = terminator().substr(finish_progress_);
    if (!t.empty() && max_segments != 0) {
      segments[0] = t;
      finish_progress_ += t.size();
      r.count = 1;
    }
    return r;
  }

  /// The whole terminator has been produced.
  bool finished() const noexcept {
    return finishing_ && failed_ == errc{} && finish_progress_ == terminator().size();
  }

  /// Start a new message with the same options.
  void reset() noexcept { *this = encoder(options_); }

  /// The options the encoder was made with.
  const encoder_options& options() const noexcept { return options_; }

 private:
  enum class state : std::uint8_t {
    line_start,  // at the start of a line: a '.' here gets stuffed
    mid,         // inside a line
    cr,          // a CR was output; an LF must follow
  };

  struct copy_sink {
    char* out;
    std::size_t capacity;
    std::size_t size;
    std::size_t take(const char* p, std::size_t n) noexcept {
      const std::size_t room = capacity - size;
      if (n > room) n = room;
      if (n != 0) std::memcpy(out + size, p, n);
      size += n;
      return n;
    }
    bool insert(std::string_view lit) noexcept {
      if (capacity - size < lit.size()) return false;
      return take(lit.data(), lit.size()) == lit.size();
    }
  };

  struct gather_sink {
    std::string_view* segments;
    std::size_t max;
    std::size_t count;
    std::size_t take(const char* p, std::size_t n) noexcept {
      if (count != 0) {
        std::string_view& last = segments[count - 1];
        if (last.data() + last.size() == p) {  // contiguous with the previous slice
          last = std::string_view(last.data(), last.size() + n);
          return n;
        }
      }
      if (count == max) return 0;
      segments[count++] = std::string_view(p, n);
      return n;
    }
    bool insert(std::string_view lit) noexcept {
      if (count == max) return false;
      segments[count++] = lit;
      return true;
    }
  };

  /// Enters the finishing phase; false if the encoder has failed. A content
  /// CR at the very end is bare too: refused, if so configured.
  bool start_finish() noexcept {
    if (failed_ == errc{} && state_ == state::cr && options_.refuse_bare_line_ends)
      failed_ = errc::body_bare_cr;
    finishing_ = true;
    return failed_ == errc{};
  }

  std::string_view terminator() const noexcept {
    switch (state_) {
      case state::line_start: return ".\r\n";
      case state::cr: return "\n.\r\n";
      case state::mid: break;
    }
    return "\r\n.\r\n";
  }

  /// Runs the state machine over `in` into `sink`; returns input octets used.
  /// Input octets always leave through take(); insert() only adds octets.
  template <class Sink>
  std::size_t run(std::string_view in, Sink& sink, errc& error) noexcept {
    static constexpr std::string_view kCR = "\r", kLF = "\n", kDot = ".";
    if (failed_ != errc{} || finishing_) {
      error = finishing_ && failed_ == errc{} ? errc::invalid_argument : failed_;
      return 0;
    }
    const char* const begin = in.data();
    const char* const end = begin + in.size();
    const char* p = begin;
    while (p != end) {
      switch (state_) {
        case state::line_start:
          if (*p == '.' && !sink.insert(kDot)) return used(p, begin);
          state_ = state::mid;
          break;
        case state::cr:
          if (*p == '\n') {
            if (sink.take(p, 1) == 0) return used(p, begin);
            ++p;
          } else if (options_.refuse_bare_line_ends) {
            return fail(errc::body_bare_cr, p, begin, error);
          } else if (!sink.insert(kLF)) {
            return used(p, begin);
          }
          state_ = state::line_start;
          break;
        case state::mid: {
          // Copy the run up to the next byte that needs attention. The first
          // byte of a chunk is handled alone: the scan needs the byte before.
          const char* q =
              p == begin ? p
                         : scan::find<scan::bare_cr | scan::bare_lf | scan::dot_after_lf>(p, end);
          if (q != p) {
            const std::size_t n = sink.take(p, static_cast<std::size_t>(q - p));
            p += n;
            if (n == 0) return used(p, begin);
            // Inside the run every LF follows a CR and every CR precedes an LF.
            state_ = p[-1] == '\n' ? state::line_start : p[-1] == '\r' ? state::cr : state::mid;
            if (p != q) return used(p, begin);  // sink full
            break;
          }
          if (*p == '\n') {  // bare LF: a CR would have put us in state cr
            if (options_.refuse_bare_line_ends) return fail(errc::body_bare_lf, p, begin, error);
            if (!sink.insert(kCR)) return used(p, begin);
            state_ = state::cr;
            break;
          }
          if (sink.take(p, 1) == 0) return used(p, begin);
          if (*p == '\r') state_ = state::cr;
          ++p;
          break;
        }
      }
    }
    return used(p, begin);
  }

  static std::size_t used(const char* p, const char* begin) noexcept {
    return static_cast<std::size_t>(p - begin);
  }

  std::size_t fail(errc e, const char* p, const char* begin, errc& error) noexcept {
    failed_ = error = e;
    return used(p, begin);
  }

  encoder_options options_;
  std::size_t finish_progress_ = 0;
  errc failed_{};
  bool finishing_ = false;  // finish() was called: no more content
  state state_ = state::line_start;
};

}  // namespace mailwire::dot
