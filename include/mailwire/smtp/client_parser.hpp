#pragma once
// smtp::client_parser: the bytes an SMTP, ESMTP or LMTP server sends, turned
// into reply lines and replies (RFC 5321 §4.2).
//
//   mailwire::smtp::client_parser<> p;       // options in the constructor
//   p.feed(bytes);                           // borrowed until next() says need_more
//   for (;;) {
//     const auto& ev = p.next();              // the parser's own event, until next()
//     switch (ev.kind) {
//       case client_event_kind::need_more: /* read, feed() or feed_eof() */ break;
//       case client_event_kind::line:  collect(ev.text); break;  // e.g. EHLO keywords
//       case client_event_kind::reply: handle(ev.code, ev.enhanced, ev.text); break;  // last line
//       case client_event_kind::error: log(name(ev.error)); close(); break;
//     }
//   }
//
// Grammar (RFC 5321 §4.2, §4.2.1):
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
//   Reply-code = %x32-35 %x30-35 %x30-39
// - A line is a code, then "-" (more lines follow), SP or the line end (the
//   last line). "250\r\n" is a complete reply with empty text; "250-\r\n" is
//   a continuation with empty text. Only the fourth octet decides:
//   "250-234 x" is a continuation.
// - Every line of a reply carries the first line's code. A line with another
//   valid code does not end the reply (its separator still says where the
//   reply ends), but the reply is errc::reply_code_mismatch: see Events.
// - The text is HT and any octet but the other controls (%x00-1F, %x7F):
//   octets >= 0x80 pass unchecked (RFC 6531 allows UTF-8 in some replies;
//   validate with utf8.hpp before showing them). A control octet is
//   errc::control_in_reply unless `allow_control`. NUL, bare CR and bare LF
//   are framing errors from line_reader and are never accepted (except a
//   lone LF ending a line with `allow_bare_lf`).
// - Enhanced status codes (RFC 3463 §2, RFC 2034 §4): on a 2xx, 4xx or 5xx
//   line whose text starts with class "." subject "." detail (class 2, 4 or
//   5; subject and detail 1-3 digits without leading zeros) followed by SP or
//   the line end, the code is taken out of the text (with the spaces after
//   it) into `enhanced`. Its class must be the reply's first digit
//   (errc::enhanced_code_mismatch otherwise). Anything else that merely looks
//   similar ("2.01.0", "8.1.2", "1.2.3.4") is left in the text, and 3xx text
//   is never read for one (RFC 2034 §4 puts codes on 2xx, 4xx and 5xx only).
// - Limits: max_line_length per line (line_reader; errc::line_too_long),
//   max_reply_lines and max_reply_length per reply (too_many_reply_lines,
//   reply_too_long), so a server cannot make a reply endless.
//
// Events. Each reply line is a `line` event as soon as it is read (so memory
// stays bounded whatever the reply's size); the line that ends a reply is
// followed, on the next next() call, by one `reply` event for the whole
// reply. A bad line is one `error` event at its real line end; an overlong
// line is discarded up to its real end, and its tail is never read as a
// reply (docs/security.md §4).
//
// Code mismatch (RFC 5321 §4.2.1, docs/security.md §7). Lines whose code
// differs from the first line's are well-framed, so the reply's extent is
// still known: they are `line` events like the others (each with its own
// code), and the reply is read to its last line. In place of its `reply`
// event comes ONE `error` event, errc::reply_code_mismatch, with `code` the
// last line's code, `lines` the reply's line count, `text` and `offset` its
// last line. So a pipelining client still gets exactly one outcome (a reply
// or this error) per reply and stays in step with its commands.
//
// Recovery. After any other error event the reply in progress is abandoned
// (its extent is unknown): the `line` events already delivered for it
// (their number is the error event's `lines`) are void, no `reply` event
// comes for it, and the next line is read as the first line of a new reply.
// The `line` events of a mismatched reply are void too. A client usually
// gives up the connection on any error; the parser just never lets a bad line
// become part of a reply. If the peer closes in the middle of a reply
// (feed_eof()), that is one errc::unexpected_eof error.
//
// STARTTLS (RFC 3207 §4, docs/security.md §2): after sending STARTTLS the
// client calls expect_starttls_reply(). If the next complete reply is 2xx,
// every byte after its final line end, already buffered or fed later, is
// dropped: the first such byte gives ONE errc::data_after_starttls error, and
// nothing more is parsed until reset() (which the client calls after the TLS
// handshake). Any other reply (454, 501, ...) lifts the expectation and
// parsing goes on. A reply with mismatched codes is the answer too (it is
// the one outcome of STARTTLS): its last line's code decides, so bytes behind
// a "250-x / 220 go" are never read as replies either. A line error is no
// answer: the expectation stays for the next complete reply.
//
// Split invariance: any split of the stream into feed() calls gives the same
// events.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/bytes16.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"

namespace mailwire::smtp {

/// An RFC 3463 enhanced status code (`class.subject.detail`) as numbers, so
/// that it owns its value and can be kept after the event is gone.
/// status_class 0 means "no enhanced code".
struct enhanced_code {
  std::uint8_t status_class = 0;  ///< 2, 4 or 5; 0 when there is none
  std::uint16_t subject = 0;      ///< 0-999
  std::uint16_t detail = 0;       ///< 0-999

  /// Longest text form: "5.999.999".
  static constexpr std::size_t max_size = 9;

  constexpr bool present() const noexcept { return status_class != 0; }

  /// Writes the text form ("5.7.1") to out[0, max_size) and returns its
  /// length; 0 (nothing written) when there is no code.
  constexpr std::size_t to_chars(char* out) const noexcept {
    if (!present()) return 0;
    std::size_t n = 0;
    out[n++] = static_cast<char>('0' + status_class % 10);
    for (const std::uint16_t part : {subject, detail}) {
      out[n++] = '.';
      const auto v = static_cast<unsigned>(part % 1000);
      if (v >= 100) out[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) out[n++] = static_cast<char>('0' + v / 10 % 10);
      out[n++] = static_cast<char>('0' + v % 10);
    }
    return n;
  }

  friend constexpr bool operator==(const enhanced_code& a, const enhanced_code& b) noexcept {
    return a.status_class == b.status_class && a.subject == b.subject && a.detail == b.detail;
  }
  friend constexpr bool operator!=(const enhanced_code& a, const enhanced_code& b) noexcept {
    return !(a == b);
  }
};

struct client_parser_options {
  /// Longest reply line, CRLF included (RFC 5321 §4.5.3.1.5). Values above
  /// the parser's Capacity are treated as Capacity.
  std::size_t max_line_length = 512;
  /// Most lines in one reply. The RFC sets no limit; EHLO replies run to
  /// about 30 lines and banner greetings to a few dozen, so 128 leaves room
  /// while stopping a server that never ends a reply.
  std::size_t max_reply_lines = 128;
  /// Most octets in one reply, line ends included: 32 full-length lines, or
  /// 128 lines of 128 octets.
  std::size_t max_reply_length = 16384;
  /// Lenient: a lone LF ends a line (a CR not followed by LF stays an error).
  bool allow_bare_lf = false;
  /// Lenient: control octets other than HT (not NUL, CR or LF) in reply text.
  bool allow_control = false;
  /// Take RFC 3463 enhanced status codes out of the text (see the top of this
  /// header). Off: the text is everything after the separator and
  /// `enhanced` is always empty.
  bool parse_enhanced_codes = true;
};

enum class client_event_kind : std::uint8_t {
  need_more,  ///< every fed byte is used: feed() more, or feed_eof()
  line,       ///< one valid line of the reply in progress; see code, text, last
  reply,      ///< the reply whose last line was the previous event is complete
  /// a line was rejected and the reply in progress abandoned, or (for
  /// reply_code_mismatch) a complete reply rejected in place of its reply event
  error,
};

/// One parser event, as next() returns it: a reference to the parser's own
/// event, valid (with `text`) until the next next(), feed() or reset(), and
/// no longer than the bytes fed. Cheap to copy.
struct client_event {
  client_event_kind kind = client_event_kind::need_more;
  /// error: the rule broken (never errc{} then); errc{} otherwise.
  errc error = errc{};
  /// line: this line ends its reply (separator SP or none).
  bool last = false;
  /// line: the line's code (200-599; a reply's lines differ only in a
  /// mismatched reply). reply: the reply code. error: the bad line's code
  /// when its first three octets are one, else 0 (reply_code_mismatch: the
  /// last line's code).
  std::uint16_t code = 0;
  /// line: the line's enhanced code. reply: the last line's (lines of a
  /// reply normally carry the same one, but that is not checked).
  enhanced_code enhanced;
  /// Stream offset (octets since construction or reset()): line, error: the
  /// line's first octet (reply_code_mismatch: the reply's last line; for an
  /// EOF without a partial line or for data_after_starttls, the first octet
  /// not read); reply: the first octet of its first line; need_more:
  /// offset().
  std::uint64_t offset = 0;
  /// line: its number in the reply, from 1. reply: the number of lines.
  /// error: how many line events of the abandoned or rejected reply came
  /// before it (those are void); for reply_code_mismatch, all its lines.
  std::size_t lines = 0;
  /// line: the text after the code, separator and enhanced code (and the
  /// spaces after the enhanced code). reply: the last line's text. error:
  /// the rejected line as received (reply_code_mismatch: the reply's last
  /// line; only its first error_prefix octets for a framing error: too long,
  /// bare CR or LF, NUL); empty for unexpected_eof and data_after_starttls.
  std::string_view text;
};

namespace detail {

/// One reply line taken apart, or the first rule it breaks.
struct reply_line {
  errc error = errc{};
  std::uint16_t code = 0;  ///< 0 unless the first three octets are a valid code
  bool last = false;
  enhanced_code enhanced;
  std::string_view text;
};

/// The code at the start of `line`, or 0 (RFC 5321 §4.2: 2-5, 0-5, 0-9).
constexpr std::uint16_t leading_reply_code(std::string_view line) noexcept {
  if (line.size() < 3) return 0;
  const auto d0 = static_cast<unsigned char>(line[0]);
  const auto d1 = static_cast<unsigned char>(line[1]);
  const auto d2 = static_cast<unsigned char>(line[2]);
  if (d0 < '2' || d0 > '5' || d1 < '0' || d1 > '5' || !ascii::is_digit(d2)) return 0;
  return static_cast<std::uint16_t>((d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0'));
}

/// Parses one reply line without its line end. Checks, first fault wins:
/// code, separator, control octets, enhanced code class.
[[gnu::always_inline]] constexpr reply_line parse_reply_line(std::string_view line, bool enhanced,
                                                             bool allow_control) noexcept {
  reply_line r;
  r.code = leading_reply_code(line);
  if (r.code == 0) {
    r.error = errc::invalid_reply_code;
    return r;
  }
  if (line.size() == 3) {
    r.last = true;
    return r;
  }
  if (line[3] != ' ' && line[3] != '-') {
    r.error = errc::invalid_reply_separator;
    return r;
  }
  r.last = line[3] == ' ';
  std::string_view text = line.substr(4);
  if (!allow_control) {
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c != '\t' && ascii::is_ctl(c)) {
        r.error = errc::control_in_reply;
        return r;
      }
    }
  }
  const unsigned reply_class = r.code / 100u;
  // "c.s.d" (RFC 3463 §2): class 2, 4 or 5, then two numbers of 1-3 digits
  // without leading zeros, then SP or the end; read in one pass.
  if (enhanced && reply_class != 3 && text.size() >= 5 && text[1] == '.' &&
      (text[0] == '2' || text[0] == '4' || text[0] == '5')) {
    std::uint16_t part[2] = {0, 0};
    std::size_t i = 2;
    bool well_formed = true;
    for (int k = 0; k < 2 && well_formed; ++k) {
      const std::size_t start = i;
      while (i < text.size() && i - start < 4 &&
             ascii::is_digit(static_cast<unsigned char>(text[i]))) {
        part[k] = static_cast<std::uint16_t>(part[k] * 10 + (text[i] - '0'));
        ++i;
      }
      const std::size_t digits = i - start;
      well_formed = digits >= 1 && digits <= 3 && (digits == 1 || text[start] != '0');
      if (k == 0) well_formed = well_formed && i < text.size() && text[i++] == '.';
    }
    if (well_formed && (i == text.size() || text[i] == ' ')) {
      const auto cls = static_cast<unsigned>(text[0] - '0');
      if (cls != reply_class) {
        r.error = errc::enhanced_code_mismatch;
        return r;
      }
      r.enhanced.status_class = static_cast<std::uint8_t>(cls);
      r.enhanced.subject = part[0];
      r.enhanced.detail = part[1];
      while (i < text.size() && text[i] == ' ') ++i;
      text.remove_prefix(i);
    }
  }
  r.text = text;
  return r;
}

}  // namespace detail

/// Parses the server side of an SMTP/ESMTP/LMTP session into replies.
/// Capacity bounds the longest line that can be carried across feeds and is
/// the parser's only buffer; the default leaves room to raise
/// max_line_length to 1024 for servers that send longer lines than the RFC.
template <std::size_t Capacity = 1024>
class client_parser {
  static_assert(Capacity >= 512, "client_parser: Capacity below the RFC 5321 reply line");

 public:
  using options_type = client_parser_options;

  client_parser() noexcept : client_parser(client_parser_options{}) {}
  explicit client_parser(const client_parser_options& o) noexcept
      : options_(o), lines_(line_options(o)) {}

  /// Makes `bytes` the input; borrowed until next() returns need_more (they
  /// must stay alive and unchanged until then). Call it after need_more; input
  /// not consumed yet is dropped. Ignored after feed_eof() until reset().
  void feed(std::string_view bytes) noexcept {
    if (eof_) return;
    base_ += pos_;
    in_ = bytes;
    pos_ = 0;
    sub_fed_ = false;
  }

  /// The server closed: an unfinished line or reply becomes one
  /// errc::unexpected_eof error; then need_more forever.
  void feed_eof() noexcept {
    eof_ = true;
    sub_fed_ = false;
  }

  /// The next event (a reference to the parser's own; see client_event).
  const client_event& next() noexcept;

  /// Call after sending STARTTLS, once the replies to every earlier command
  /// have been read (STARTTLS ends a pipelined group, RFC 2920 §3.1): the
  /// next complete reply is its answer. A 2xx answer raises the barrier
  /// described at the top of this header; any other lifts the expectation.
  /// A reply with mismatched codes counts, by its last line's code.
  void expect_starttls_reply() noexcept { expect_starttls_ = true; }

  /// True if bytes wait behind the last event: unconsumed input or a partial
  /// line. After the reply to STARTTLS it means the server (or someone in
  /// between) sent bytes that must not be used.
  bool buffered() const noexcept {
    return pos_ < in_.size() || (mode_ == mode::lines && lines_.mid_line());
  }

  /// The fed bytes not consumed yet (borrowed like the feed).
  std::string_view rest() const noexcept { return {in_.data() + pos_, in_.size() - pos_}; }

  /// Octets consumed since construction or reset().
  std::uint64_t offset() const noexcept { return base_ + pos_; }

  /// Back to the initial state (after the TLS handshake, or to reuse the
  /// parser for another connection); keeps the options.
  void reset() noexcept {
    lines_.reset();
    in_ = {};
    pos_ = 0;
    base_ = 0;
    skew_ = 0;
    mode_ = mode::lines;
    clear_reply();
    reply_ready_ = false;
    last_text_ = {};
    last_line_ = {};
    last_start_ = 0;
    last_code_ = 0;
    last_enhanced_ = enhanced_code{};
    expect_starttls_ = false;
    barrier_reported_ = false;
    sub_fed_ = false;
    eof_ = false;
  }

  const client_parser_options& options() const noexcept { return options_; }

 private:
  enum class mode : std::uint8_t { lines, barrier };
  using reader = line_reader<Capacity>;

  static typename reader::options line_options(const client_parser_options& o) noexcept {
    typename reader::options r;
    r.max_length = o.max_line_length;
    r.allow_bare_lf = o.allow_bare_lf;
    return r;
  }

  const client_event& next_line() noexcept;
  bool next_short_line(std::string_view& line) noexcept;
  const client_event& take_line(std::string_view line, std::uint64_t start, std::uint64_t octets,
                                bool checked_controls) noexcept;
  const client_event& complete_reply() noexcept;

  client_event& begin_event() noexcept {
    ev_ = client_event{};
    return ev_;
  }

  // The error event for a line; the reply in progress is abandoned.
  const client_event& fail(errc e, std::uint64_t at, std::uint16_t code,
                           std::string_view text) noexcept {
    client_event& ev = begin_event();
    ev.kind = client_event_kind::error;
    ev.error = e;
    ev.offset = at;
    ev.code = code;
    ev.lines = reply_lines_;
    ev.text = text;
    clear_reply();
    return ev;
  }

  void clear_reply() noexcept {
    reply_code_ = 0;
    reply_lines_ = 0;
    reply_length_ = 0;
    reply_start_ = 0;
    mismatch_ = false;
  }

  const client_event& need_more() noexcept {
    client_event& ev = begin_event();
    ev.offset = offset();
    return ev;
  }

  client_parser_options options_;
  client_event ev_;
  reader lines_;
  std::string_view in_;             // current feed (borrowed)
  std::size_t pos_ = 0;             // next octet of in_ to consume
  std::uint64_t base_ = 0;          // stream offset of in_[0]
  std::uint64_t skew_ = 0;          // stream offset minus lines_ offset
  std::uint64_t reply_start_ = 0;   // stream offset of the reply in progress
  std::uint64_t reply_length_ = 0;  // its octets so far, line ends included
  std::size_t reply_lines_ = 0;     // its lines so far (0: no reply in progress)
  std::uint16_t reply_code_ = 0;    // its first line's code
  bool mismatch_ = false;           // a later line of it carried another code
  // The finished reply's last line, for the event that ends it (reply, or
  // the reply_code_mismatch error).
  std::string_view last_text_;
  std::string_view last_line_;  // as received
  std::uint64_t last_start_ = 0;
  std::uint16_t last_code_ = 0;
  enhanced_code last_enhanced_;
  mode mode_ = mode::lines;
  bool reply_ready_ = false;  // a line ended the reply: the reply event is next
  bool expect_starttls_ = false;
  bool barrier_reported_ = false;
  bool sub_fed_ = false;  // lines_ has been given in_[pos_..]
  bool eof_ = false;
};

// ---------------------------------------------------------------------------
// Implementation

template <std::size_t Capacity>
const client_event& client_parser<Capacity>::next() noexcept {
  if (reply_ready_) return complete_reply();
  switch (mode_) {
    case mode::lines: return next_line();
    case mode::barrier:
      if (pos_ < in_.size()) {
        const std::uint64_t at = offset();
        pos_ = in_.size();
        if (!barrier_reported_) {
          barrier_reported_ = true;
          return fail(errc::data_after_starttls, at, 0, {});
        }
      }
      return need_more();
  }
  return need_more();
}

// Most reply lines are short and arrive whole: such a line, when lines_
// holds no partial line, is framed here, sixteen octets at a time, and its
// control octets are looked for in the same vectors. Only a CRLF-ended line of
// plain octets within the first short_line is taken; anything else (a bare CR
// or LF, NUL, another control octet, a longer line, a line end beyond the
// feed, end of input) is left to lines_ and the exact checks, which alone
// report errors.
template <std::size_t Capacity>
bool client_parser<Capacity>::next_short_line(std::string_view& line) noexcept {
#if MAILWIRE_HAS_BYTES16
  if (eof_ || lines_.mid_line()) return false;
  constexpr std::size_t short_line = 256;
  const std::size_t limit =
      options_.max_line_length < Capacity ? options_.max_line_length : Capacity;
  const char* const b = in_.data();
  const std::size_t n = in_.size();
  for (std::size_t i = pos_; i < pos_ + short_line && n - i >= 16; i += 16) {
    const bytes16::vec v = bytes16::load(b + i);
    // Controls but HT, and DEL; CR, LF and NUL among them end the scan.
    const std::uint32_t controls = bytes16::mask(
        (bytes16::in_range(v, 0, 0x1F) & ~bytes16::equal(v, '\t')) | bytes16::equal(v, 0x7F));
    if (controls == 0) continue;
    const std::size_t end = i + static_cast<std::size_t>(__builtin_ctz(controls));
    if (b[end] != '\r' || end + 1 == n || b[end + 1] != '\n' || end + 2 - pos_ > limit)
      return false;
    line = std::string_view(b + pos_, end - pos_);
    pos_ = end + 2;
    sub_fed_ = false;  // lines_ is fed the rest again when it is next needed
    return true;
  }
#else
  (void)line;
#endif
  return false;
}

template <std::size_t Capacity>
const client_event& client_parser<Capacity>::next_line() noexcept {
  if (std::string_view line; next_short_line(line)) {
    const std::uint64_t start = offset() - line.size() - 2;
    return take_line(line, start, line.size() + 2, true);
  }
  if (!sub_fed_) {
    skew_ = offset() - lines_.offset();
    lines_.feed(rest());
    if (eof_) lines_.feed_eof();
    sub_fed_ = true;
  }
  const line_event le = lines_.next();
  pos_ = in_.size() - lines_.rest().size();
  switch (le.kind) {
    case line_event_kind::need_more:
      // Every line read so far ended cleanly, but the reply did not.
      if (eof_ && reply_lines_ > 0) return fail(errc::unexpected_eof, offset(), 0, {});
      return need_more();
    case line_event_kind::error:
      return fail(le.error, le.offset + skew_, detail::leading_reply_code(le.line), le.line);
    case line_event_kind::line: break;
  }
  const std::uint64_t start = le.offset + skew_;
  return take_line(le.line, start, offset() - start, false);
}

// checked_controls: the line is known to hold no control octet.
template <std::size_t Capacity>
const client_event& client_parser<Capacity>::take_line(std::string_view line, std::uint64_t start,
                                                       std::uint64_t octets,
                                                       bool checked_controls) noexcept {
  const detail::reply_line r = detail::parse_reply_line(line, options_.parse_enhanced_codes,
                                                        options_.allow_control || checked_controls);
  errc e = r.error;
  if (e == errc{}) {
    if (reply_lines_ >= options_.max_reply_lines)
      e = errc::too_many_reply_lines;
    else if (reply_length_ + octets > options_.max_reply_length)
      e = errc::reply_too_long;
  }
  if (e != errc{}) return fail(e, start, r.code, line);

  if (reply_lines_ == 0) {
    reply_start_ = start;
    reply_code_ = r.code;
  } else if (r.code != reply_code_) {
    // RFC 5321 §4.2.1. Reported when the reply ends, so that a broken reply
    // still has exactly one outcome.
    mismatch_ = true;
  }
  ++reply_lines_;
  reply_length_ += octets;

  client_event& ev = begin_event();
  ev.kind = client_event_kind::line;
  ev.offset = start;
  ev.code = r.code;
  ev.last = r.last;
  ev.enhanced = r.enhanced;
  ev.lines = reply_lines_;
  ev.text = r.text;
  if (r.last) {
    // The line's view stays valid for the reply event: nothing is read from
    // lines_ (or fed) before it.
    reply_ready_ = true;
    last_text_ = r.text;
    last_line_ = line;
    last_start_ = start;
    last_code_ = r.code;
    last_enhanced_ = r.enhanced;
  }
  return ev;
}

template <std::size_t Capacity>
const client_event& client_parser<Capacity>::complete_reply() noexcept {
  client_event& ev = begin_event();
  ev.lines = reply_lines_;
  ev.code = last_code_;
  if (mismatch_) {
    ev.kind = client_event_kind::error;
    ev.error = errc::reply_code_mismatch;
    ev.offset = last_start_;
    ev.text = last_line_;
  } else {
    ev.kind = client_event_kind::reply;
    ev.offset = reply_start_;
    ev.enhanced = last_enhanced_;
    ev.text = last_text_;
  }
  reply_ready_ = false;
  clear_reply();
  if (expect_starttls_) {
    expect_starttls_ = false;
    if (ev.code / 100 == 2) {
      // The reply ended at a line end, so lines_ holds no partial line;
      // whatever follows in in_ (or later feeds) is never read as a reply.
      lines_.reset();
      mode_ = mode::barrier;
      barrier_reported_ = false;
      sub_fed_ = false;
    }
  }
  return ev;
}

}  // namespace mailwire::smtp
