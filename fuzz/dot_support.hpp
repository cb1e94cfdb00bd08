// Helpers shared by the dot::decoder fuzz targets (dot_decode.cpp,
// dot_split.cpp) and by the session targets that read bodies through one
// (smtp_server.cpp, pop3_client.cpp): the options byte, comparison of end
// events, the contract of a data event's view, and a body decoded whole.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailwire/dot/decoder.hpp"
#include "support.hpp"

namespace fuzz {

/// Every body flag (errc::body_bare_cr .. errc::message_too_large).
inline constexpr mailwire::errc kBodyFlags[] = {
    mailwire::errc::body_bare_cr, mailwire::errc::body_bare_lf, mailwire::errc::body_nul,
    mailwire::errc::body_line_too_long, mailwire::errc::message_too_large};

/// The decoder options from a target's options byte:
///   bits 0-1  policy: 0 and 3 reject (the default), 1 normalize, 2 allow
///   bits 2-3  max_size:        0 (off), 1, 7, 100
///   bits 4-5  max_line_length: 0 (off), 1, 8, 1000
/// Bits 6-7 are left to the target.
inline mailwire::dot::decoder_options decoder_options_from(std::uint8_t cfg) {
  using mailwire::dot::line_end_policy;
  static constexpr std::uint64_t kMaxSize[] = {0, 1, 7, 100};
  static constexpr std::size_t kMaxLine[] = {0, 1, 8, 1000};
  static constexpr line_end_policy kPolicy[] = {line_end_policy::reject, line_end_policy::normalize,
                                                line_end_policy::allow, line_end_policy::reject};
  mailwire::dot::decoder_options opt;
  opt.policy = kPolicy[cfg & 3];
  opt.max_size = kMaxSize[(cfg >> 2) & 3];
  opt.max_line_length = kMaxLine[(cfg >> 4) & 3];
  return opt;
}

/// The body flags of `f` (anything with has(errc)) as a bit set, bit i for
/// kBodyFlags[i]: two sets are equal exactly when they agree on every flag.
template <class Flags>
unsigned flag_bits(const Flags& f) {
  unsigned bits = 0;
  for (std::size_t i = 0; i < sizeof kBodyFlags / sizeof kBodyFlags[0]; ++i)
    if (f.has(kBodyFlags[i])) bits |= 1u << i;
  return bits;
}

/// Two end (or error) events are the same: kind, offset, size, flags, first
/// flag and its offset.
inline bool same_event(const mailwire::dot::decoder_event& a,
                       const mailwire::dot::decoder_event& b) {
  return a.kind == b.kind && a.offset == b.offset && a.size == b.size && a.error == b.error &&
         a.error_offset == b.error_offset && flag_bits(a.flags) == flag_bits(b.flags);
}

/// Checks the data events of one decoder run over `body` (the whole stream,
/// however it is fed), in the order they come:
/// - a view is non-empty, and data offsets never decrease;
/// - a view into the current feed `piece` (at stream offset piece_start) has
///   its position as offset and starts after the previous such view ended (in
///   stream order, no input byte twice);
/// - any other view is one of the decoder's own literals, standing for the
///   input byte at its offset: under normalize "\n" completing a bare CR, or
///   "\r\n" replacing a bare CR or LF; under reject and allow only "\r", a CR
///   withheld after a line-start dot.
class data_view_checker {
 public:
  data_view_checker(std::string_view body, mailwire::dot::line_end_policy policy)
      : body_(body), policy_(policy) {}

  void check(const mailwire::dot::decoder_event& ev, std::string_view piece,
             std::uint64_t piece_start) {
    FUZZ_CHECK(ev.kind == mailwire::dot::event_kind::data);
    const std::string_view v = ev.bytes;
    FUZZ_CHECK(!v.empty());
    FUZZ_CHECK(ev.offset >= last_offset_);  // data comes in stream order
    last_offset_ = ev.offset;
    if (inside(v, piece.data(), piece.size())) {
      const std::uint64_t at = piece_start + static_cast<std::uint64_t>(v.data() - piece.data());
      FUZZ_CHECK(ev.offset == at);
      FUZZ_CHECK(at >= input_end_);  // stream order, no byte twice
      input_end_ = at + v.size();
      return;
    }
    FUZZ_CHECK(ev.offset < body_.size());
    const auto i = static_cast<std::size_t>(ev.offset);
    const char at = body_[i];
    if (policy_ == mailwire::dot::line_end_policy::normalize)
      FUZZ_CHECK((v == "\n" && at == '\r') || (v == "\r\n" && (at == '\r' || at == '\n')));
    else
      FUZZ_CHECK(v == "\r" && at == '\r' && i != 0 && body_[i - 1] == '.');
  }

  /// Stream offset just past the last view into the input (0 before any).
  std::uint64_t input_end() const { return input_end_; }

 private:
  std::string_view body_;
  mailwire::dot::line_end_policy policy_;
  std::uint64_t last_offset_ = 0;
  std::uint64_t input_end_ = 0;
};

/// views.check() for a body inside a session's stream (a DATA or RETR/TOP
/// body; `views` was made for the stream from `body_start` on): `bytes`, a
/// data event's view for stream index `at`, while the current feed `piece`
/// starts at stream index `piece_start`, maybe before the body (then only its
/// part from body_start on is the body's).
inline void check_body_data(data_view_checker& views, std::uint64_t body_start, std::uint64_t at,
                            std::string_view bytes, std::string_view piece,
                            std::uint64_t piece_start) {
  mailwire::dot::decoder_event de;
  de.kind = mailwire::dot::event_kind::data;
  de.offset = at - body_start;
  de.bytes = bytes;
  if (piece_start >= body_start)
    views.check(de, piece, piece_start - body_start);
  else
    views.check(de, piece.substr(static_cast<std::size_t>(body_start - piece_start)), 0);
}

/// A body decoded whole by a dot::decoder of its own.
struct whole_decode {
  std::string content;               ///< the data joined
  mailwire::dot::decoder_event end;  ///< the end event
};

/// `wire` (a body with its terminator, the whole of it) fed at once to a
/// dot::decoder with options `o`: it ends, within a bounded number of
/// next() calls, just past the terminator.
inline whole_decode decode_whole(std::string_view wire, const mailwire::dot::decoder_options& o) {
  mailwire::dot::decoder d(o);
  d.feed(wire);
  whole_decode r;
  for (std::size_t n = 0;; ++n) {
    FUZZ_CHECK(n <= 4 * wire.size() + 8);
    const mailwire::dot::decoder_event de = d.next();
    if (de.kind == mailwire::dot::event_kind::data) {
      r.content.append(de.bytes.data(), de.bytes.size());
      continue;
    }
    FUZZ_CHECK(de.kind == mailwire::dot::event_kind::end);
    FUZZ_CHECK(de.consumed() == wire.size());
    r.end = de;
    return r;
  }
}

}  // namespace fuzz
