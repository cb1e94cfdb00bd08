#pragma once
// One SASL response line (base64 or "*"), read as it arrives: the streaming
// part of the SMTP (RFC 4954 §4) and POP3 (RFC 5034 §4) server parsers.
//
// Runs of valid base64 are handed out as soon as they arrive, so a line much
// longer than a parser's buffer needs no buffer at all. The first fault stops
// the hand-out; the line is then consumed to its real end and reported once,
// so what was handed out is the same for every split of the input. The pad
// rules are base64::validate()'s: "=" only after 2 or 3 symbols of a group
// whose unused bits are zero (RFC 4648 §3.5), at most two, and the line must
// hold whole 4-character groups.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"

namespace mailwire {

enum class sasl_step_kind : std::uint8_t {
  need_more,  ///< every octet given is used; the line goes on
  data,       ///< `bytes`: the next run of valid base64 (a view of the input)
  end,        ///< the line ended well; `cancelled` for "*"
  error,      ///< the line ended (or the input did) with the first fault `error`
};

struct sasl_step {
  sasl_step_kind kind = sasl_step_kind::need_more;
  std::string_view bytes;
  errc error = errc{};
  bool cancelled = false;
};

class sasl_line {
 public:
  /// Starts a line. `max_length` counts the line end (CRLF) too; a lone LF
  /// ends the line when `allow_bare_lf`.
  void start(std::size_t max_length, bool allow_bare_lf) noexcept {
    *this = sasl_line{};
    limit_ = max_length > 2 ? max_length - 2 : 0;
    allow_bare_lf_ = allow_bare_lf;
  }

  /// Reads `in` from `pos` (advanced past what was used). `eof`: no more
  /// input will come, so a partial line is errc::unexpected_eof (an empty one
  /// stays need_more, as in line_reader).
  sasl_step next(std::string_view in, std::size_t& pos, bool eof) noexcept {
    const char* const b = in.data();
    const std::size_t n = in.size();
    sasl_step step;
    if (error_ == errc{} && !cr_ && !star_) {
      std::size_t i = pos;
      for (; i < n && length_ < limit_; ++i) {
        const auto c = static_cast<unsigned char>(b[i]);
        if (c == '=') {
          if (pads_ == 0) {
            const std::uint64_t in_group = length_ % 4;
            const std::uint32_t unused = in_group == 2 ? 0x0F : 0x03;
            if (in_group < 2 || (last_ & unused) != 0) break;
          } else if (pads_ == 2) {
            break;
          }
          ++pads_;
        } else {
          const std::uint32_t v = base64::detail::symbol(static_cast<char>(c));
          if (pads_ > 0 || v > 63) break;
          last_ = static_cast<std::uint8_t>(v);
        }
        ++length_;
      }
      if (i > pos) {
        step.kind = sasl_step_kind::data;
        step.bytes = std::string_view(b + pos, i - pos);
        pos = i;
        return step;
      }
    }

    bool ended = false;
    while (pos < n && !ended) {
      const auto c = static_cast<unsigned char>(b[pos++]);
      if (cr_) {
        cr_ = false;
        if (c == '\n') {
          ended = true;
          break;
        }
        fault(errc::bare_cr);
        content('\r');
      }
      if (c == '\r') {
        cr_ = true;
      } else if (c == '\n' && allow_bare_lf_) {
        ended = true;
      } else {
        if (c == '\n') fault(errc::bare_lf);
        if (c == 0) fault(errc::nul_in_line);
        content(c);
      }
    }
    if (!ended) {
      if (!eof || pos < n || (length_ == 0 && !cr_)) return step;
      error_ = errc::unexpected_eof;  // like line_reader: a partial line at EOF
    }
    // base64 = 0 or more 4-character groups (RFC 4648 §4); "*" cancels.
    if (error_ == errc{} && !star_ && length_ % 4 != 0) error_ = errc::invalid_base64;
    if (error_ != errc{}) {
      step.kind = sasl_step_kind::error;
      step.error = error_;
    } else {
      step.kind = sasl_step_kind::end;
      step.cancelled = star_;
    }
    return step;
  }

 private:
  void fault(errc e) noexcept {
    if (error_ == errc{}) error_ = e;
  }
  // One octet that is not valid base64 here (or any octet after a fault).
  void content(unsigned char c) noexcept {
    if (++length_ > limit_) fault(errc::auth_line_too_long);
    if (error_ != errc{}) return;
    if (c == '*' && length_ == 1)
      star_ = true;  // a cancel if the line ends here
    else
      fault(errc::invalid_base64);
  }

  std::uint64_t length_ = 0;  // octets of the line so far (content)
  std::size_t limit_ = 0;     // longest content
  std::uint8_t pads_ = 0;     // '=' seen at the end so far
  std::uint8_t last_ = 0;     // value of the last base64 symbol
  errc error_ = errc{};       // first fault in the line
  bool cr_ = false;           // the last octet was a CR (maybe half of CRLF)
  bool star_ = false;         // the line so far is "*"
  bool allow_bare_lf_ = false;
};

namespace detail {

/// A server parser's event for one step of its SASL line (SMTP's and POP3's
/// events name these fields alike; `ev` has been emptied): need_more at
/// `now`, a sasl_data piece that starts at `at`, or, once the line has ended,
/// sasl_end (`cancelled` for "*") or the step's error, at `line_start`.
/// Returns whether the line ended, so that the parser reads commands again.
template <class Event>
constexpr bool sasl_event(const sasl_step& step, Event& ev, std::uint64_t at, std::uint64_t now,
                          std::uint64_t line_start) noexcept {
  using kind = decltype(ev.kind);
  switch (step.kind) {
    case sasl_step_kind::need_more: ev.offset = now; return false;
    case sasl_step_kind::data:
      ev.kind = kind::sasl_data;
      ev.offset = at;
      ev.bytes = step.bytes;
      return false;
    case sasl_step_kind::end:
      ev.kind = kind::sasl_end;
      ev.cancelled = step.cancelled;
      break;
    case sasl_step_kind::error:
      ev.kind = kind::error;
      ev.error = step.error;
      break;
  }
  ev.offset = line_start;
  return true;
}

}  // namespace detail

}  // namespace mailwire
