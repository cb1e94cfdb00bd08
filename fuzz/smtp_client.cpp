// Fuzz target: smtp::client_parser driven by a client session, every event
// checked against the parser's contract (client_parser.hpp) and against a
// model of the reply grammar written here from RFC 5321 §4.2 and RFC 3463 §2
// (enhanced codes: fuzz::smtp_model in smtp_support.hpp).
//
// Input: bytes 0-1 pick the parser options (fuzz::smtp_client_config_from in
// smtp_support.hpp), byte 2 when the client sends STARTTLS, byte 3 the split;
// the rest is the server's byte stream.
//   byte 0  bit 0     Capacity 512 instead of 1024
//           bits 1-2  max_line_length:  512, 8, 64, 4096
//           bits 3-4  max_reply_lines:  128, 1, 3, 0
//           bits 5-6  max_reply_length: 16384, 12, 100, 1000
//           bit 7     allow_bare_lf
//   byte 1  bit 0     allow_control
//           bit 1     parse_enhanced_codes off
//           bit 2     keep the STARTTLS barrier (else, after a 2xx answer:
//                     reset() and go on with the bytes behind it, as after a
//                     TLS handshake)
//           bit 3     feed_eof() before draining the last piece
//           bit 4     afterwards reset() the parser and run the whole stream
//                     again (the parser is reusable)
//           bit 5     feed in pieces as byte 3 says (else the stream whole)
//   byte 2  bits 0-6  call expect_starttls_reply() after that many events (0:
//                     before the first feed), wherever that is, even inside
//                     a reply; bit 7: never
//   byte 3            the split (fuzz::split_plan: bits 0-1 kind, 2-4 random
//                     piece size, bit 7 empty feeds; cuts around CR, LF, SP,
//                     '-' and '.')
// Every piece lives in its own exact-size heap block, scribbled over and freed
// once the parser says need_more (fuzz::for_each_piece): a view kept too long
// is a use-after-free under ASan.
//
// Checked on every event (a violation is __builtin_trap):
// - offsets: p.offset() never goes back and never passes the bytes fed; every
//   event's offset is within what was fed; each line or line error starts
//   exactly where the previous one ended; need_more has consumed everything
//   (rest() empty), and buffered() then says whether a partial line waits;
//   every call to next() but the outcome after a last line consumes octets
//   (a bound on the events per feed);
// - line events: the line in the stream (up to the first CRLF, or LF with
//   allow_bare_lf) has no framing fault (CR, LF, NUL, over min(max_line_length,
//   Capacity)) and breaks no rule of the model (code digits 2-5 0-5 0-9,
//   separator SP, '-' or none, control octets, enhanced class, the reply's
//   line and octet limits); code, last, enhanced code and text are what the
//   model reads; the text view points into the piece where the line began in
//   it, else into the piece or the parser's own buffer;
// - a last line is followed at once by the reply's one outcome: a reply event
//   (the first line's code, the count, the last line's text and enhanced code,
//   the reply's start; enhanced class == the code's first digit) when every
//   line carried the first line's code, else one reply_code_mismatch error
//   (the last line's code, the count, the last line as received and its
//   offset);
// - line errors: exactly the error the model expects for a well-framed line
//   (the first rule broken), or for a badly framed one a framing errc whose
//   cause is in the line (text: its first error_prefix octets); lines = the
//   abandoned reply's line events, and the next line starts a new reply;
// - EOF: unexpected_eof exactly when a partial line or an unfinished reply is
//   left; afterwards need_more forever, and feed() is ignored;
// - STARTTLS: the reply (or mismatched reply) that completes after the call
//   is its answer; on a 2xx answer nothing behind it is ever a line, and its
//   bytes give exactly one data_after_starttls error at the barrier's offset
//   (at most one per barrier); with the handshake the parser, once reset(),
//   reads the rest as a new stream from offset 0.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using smtp::client_event;
using smtp::client_event_kind;

constexpr std::size_t kHeader = 4;

struct session_policy {
  bool keep_barrier = false;
  bool eof_early = false;
  int starttls_at = -1;  // events before expect_starttls_reply(); -1: never
};

// --- the model -----------------------------------------------------------------

/// The code at the start of a line (RFC 5321 §4.2: %x32-35 %x30-35 %x30-39), or 0.
std::uint16_t model_code(std::string_view line) {
  if (line.size() < 3) return 0;
  const char a = line[0], b = line[1], c = line[2];
  if (a < '2' || a > '5' || b < '0' || b > '5' || c < '0' || c > '9') return 0;
  return static_cast<std::uint16_t>((a - '0') * 100 + (b - '0') * 10 + (c - '0'));
}

bool has_byte(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

/// The line that starts at `start` in the stream, as the framing rules cut it.
struct framed_line {
  bool complete = false;  ///< it has a line end in the stream
  std::uint64_t end = 0;  ///< just past its line end
  std::string_view content;
  bool too_long = false, cr = false, lf = false, nul = false;
  bool faulty() const { return too_long || cr || lf || nul; }
};

framed_line frame_at(std::string_view input, std::uint64_t start,
                     const fuzz::smtp_client_config& cfg) {
  framed_line f;
  const std::string_view s = input.substr(static_cast<std::size_t>(start));
  std::size_t content_end = 0, next = 0;
  if (cfg.options.allow_bare_lf) {
    const std::size_t lf = s.find('\n');
    if (lf == std::string_view::npos) return f;
    content_end = lf > 0 && s[lf - 1] == '\r' ? lf - 1 : lf;
    next = lf + 1;
  } else {
    const std::size_t crlf = s.find("\r\n");
    if (crlf == std::string_view::npos) return f;
    content_end = crlf;
    next = crlf + 2;
  }
  f.complete = true;
  f.end = start + next;
  f.content = s.substr(0, content_end);
  f.too_long = next > cfg.reader_max;
  f.cr = has_byte(f.content, '\r');
  f.lf = has_byte(f.content, '\n');
  f.nul = has_byte(f.content, '\0');
  return f;
}

bool framing_errc(errc e) {
  return e == errc::line_too_long || e == errc::bare_cr || e == errc::bare_lf ||
         e == errc::nul_in_line;
}

// --- the session ---------------------------------------------------------------

/// The session over the stream; fuzz::stream_session (support.hpp) keeps
/// where it stands.
template <class Parser>
class session : fuzz::stream_session {
 public:
  session(Parser& p, std::string_view input, const fuzz::smtp_client_config& cfg,
          const session_policy& pol)
      : fuzz::stream_session(input), p_(p), cfg_(cfg), o_(cfg.options), pol_(pol) {}

  void run(const std::vector<std::size_t>& plan) {
    FUZZ_CHECK(p_.offset() == 0 && !p_.buffered() && p_.rest().empty());
    if (pol_.starttls_at == 0) expect_starttls();
    feed(p_, plan, pol_.eof_early, [&](std::size_t len) { drain(len); });
    // Nothing is left half-read: every line and reply had its outcome.
    FUZZ_CHECK(!outcome_due_ && reply_lines_ == 0);
    if (barrier_) {
      FUZZ_CHECK(barrier_reported_ == (input_.size() > barrier_at_));
    } else {
      FUZZ_CHECK(elem_end_ == input_.size());
    }
    check_end_stays(p_, "250 more\r\n");
    FUZZ_CHECK(!p_.buffered());
  }

 private:
  void expect_starttls() {
    p_.expect_starttls_reply();
    expecting_ = true;
  }

  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      // Every event but an outcome consumes octets.
      const client_event ev = next_event(p_, n, 2 * len + 8);
      FUZZ_CHECK((ev.kind == client_event_kind::error) == (ev.error != errc{}));
      if (outcome_due_) {
        FUZZ_CHECK(ev.kind == client_event_kind::reply ||
                   (ev.kind == client_event_kind::error && ev.error == errc::reply_code_mismatch));
        FUZZ_CHECK(now_ == before_);
      }
      switch (ev.kind) {
        case client_event_kind::need_more:
          FUZZ_CHECK(index(ev.offset) == now_);
          FUZZ_CHECK(now_ == fed_end_);  // everything fed is used
          FUZZ_CHECK(p_.rest().empty());
          FUZZ_CHECK(p_.buffered() == (!barrier_ && now_ > elem_end_));
          return;
        case client_event_kind::line: on_line(ev); break;
        case client_event_kind::reply: on_outcome(ev); break;
        case client_event_kind::error: on_error(ev); break;
      }
      if (++events_ == pol_.starttls_at) expect_starttls();
    }
  }

  /// A view the parser hands out for a line that starts at `line_start`,
  /// `at` octets into it: in the piece where the line began in it, else in
  /// the piece or in the parser (its carry buffer).
  void check_view(std::string_view v, std::uint64_t line_start, std::size_t at) const {
    if (v.empty()) return;
    if (line_start >= piece_idx_) {
      FUZZ_CHECK(v.data() == piece_.data() + (line_start - piece_idx_) + at);
    } else {
      FUZZ_CHECK(fuzz::inside(v, piece_.data(), piece_.size()) || fuzz::inside(v, &p_, sizeof p_));
    }
  }

  /// The first rule of the reply grammar a well-framed line breaks, or errc{}.
  errc expected_error(std::string_view content, std::uint64_t octets) const {
    const std::uint16_t code = model_code(content);
    if (code == 0) return errc::invalid_reply_code;
    if (content.size() > 3 && content[3] != ' ' && content[3] != '-')
      return errc::invalid_reply_separator;
    const std::string_view text = content.substr(content.size() > 3 ? 4 : 3);
    if (!o_.allow_control)
      for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c != '\t' && (c < 0x20 || c == 0x7f)) return errc::control_in_reply;
      }
    if (o_.parse_enhanced_codes && code / 100 != 3) {
      const std::string_view token = text.substr(0, text.find(' '));
      if (fuzz::smtp_model::enhanced(token) && static_cast<unsigned>(token[0] - '0') != code / 100u)
        return errc::enhanced_code_mismatch;
    }
    if (reply_lines_ >= o_.max_reply_lines) return errc::too_many_reply_lines;
    if (reply_length_ + octets > o_.max_reply_length) return errc::reply_too_long;
    return errc{};
  }

  void on_line(const client_event& ev) {
    FUZZ_CHECK(!barrier_);
    const std::uint64_t start = index(ev.offset);
    FUZZ_CHECK(start == elem_end_);
    const framed_line f = frame_at(input_, start, cfg_);
    FUZZ_CHECK(f.complete && now_ == f.end && !f.faulty());
    const std::string_view content = f.content;
    FUZZ_CHECK(expected_error(content, f.end - start) == errc{});

    const std::uint16_t code = model_code(content);
    FUZZ_CHECK(ev.code == code && code >= 200 && code <= 559);
    FUZZ_CHECK(ev.last == (content.size() == 3 || content[3] == ' '));
    const std::string_view rest = content.substr(content.size() > 3 ? 4 : 3);
    if (ev.enhanced.present()) {
      FUZZ_CHECK(o_.parse_enhanced_codes && code / 100 != 3);
      FUZZ_CHECK(ev.enhanced.status_class == code / 100);
      char buf[smtp::enhanced_code::max_size];
      const std::string_view text_form(buf, ev.enhanced.to_chars(buf));
      FUZZ_CHECK(fuzz::smtp_model::enhanced(text_form));
      FUZZ_CHECK(rest.substr(0, text_form.size()) == text_form);
      std::string_view tail = rest.substr(text_form.size());
      FUZZ_CHECK(tail.empty() || tail[0] == ' ');
      while (!tail.empty() && tail[0] == ' ') tail.remove_prefix(1);
      FUZZ_CHECK(ev.text == tail);
    } else {
      FUZZ_CHECK(ev.text == rest);
      if (o_.parse_enhanced_codes && code / 100 != 3)
        FUZZ_CHECK(!fuzz::smtp_model::enhanced(rest.substr(0, rest.find(' '))));
    }
    check_view(ev.text, start, content.size() - ev.text.size());

    FUZZ_CHECK(ev.lines == reply_lines_ + 1);
    if (reply_lines_ == 0) {
      reply_start_ = start;
      reply_code_ = code;
    } else if (code != reply_code_) {
      mismatch_ = true;
    }
    ++reply_lines_;
    reply_length_ += f.end - start;
    FUZZ_CHECK(reply_lines_ <= o_.max_reply_lines && reply_length_ <= o_.max_reply_length);
    elem_end_ = f.end;
    if (ev.last) {
      outcome_due_ = true;
      last_start_ = start;
      last_code_ = code;
      last_enhanced_ = ev.enhanced;
      last_text_.assign(ev.text.data(), ev.text.size());
      last_line_.assign(content.data(), content.size());
    }
  }

  /// The reply event, or the reply_code_mismatch error in its place.
  void on_outcome(const client_event& ev) {
    FUZZ_CHECK(outcome_due_ && !barrier_);
    FUZZ_CHECK(ev.lines == reply_lines_ && ev.lines >= 1 && !ev.last);
    if (ev.kind == client_event_kind::reply) {
      FUZZ_CHECK(!mismatch_);
      FUZZ_CHECK(ev.code == reply_code_ && ev.code == last_code_);
      FUZZ_CHECK(model_code(std::to_string(ev.code)) == ev.code);
      FUZZ_CHECK(index(ev.offset) == reply_start_);
      FUZZ_CHECK(ev.enhanced == last_enhanced_);
      if (ev.enhanced.present()) FUZZ_CHECK(ev.enhanced.status_class == ev.code / 100);
      FUZZ_CHECK(ev.text == last_text_);
      check_view(ev.text, last_start_, last_line_.size() - ev.text.size());
    } else {
      FUZZ_CHECK(mismatch_);
      FUZZ_CHECK(ev.code == last_code_ && index(ev.offset) == last_start_);
      FUZZ_CHECK(!ev.enhanced.present());
      FUZZ_CHECK(ev.text == last_line_);
      check_view(ev.text, last_start_, 0);
    }
    const std::uint16_t code = ev.code;
    outcome_due_ = false;
    clear_reply();
    if (!expecting_) return;
    expecting_ = false;
    if (code / 100 != 2) return;
    // The answer to STARTTLS: a barrier right behind its last line.
    barrier_ = true;
    barrier_at_ = now_;
    barrier_reported_ = false;
    FUZZ_CHECK(p_.buffered() == !p_.rest().empty());
    FUZZ_CHECK(now_ + p_.rest().size() == fed_end_);
    if (!pol_.keep_barrier) after_handshake();
  }

  /// The client did the TLS handshake: the parser starts again on the bytes
  /// behind the answer (a model of what the trace tools do).
  void after_handshake() {
    restart(p_, p_.rest(),
            [&] { FUZZ_CHECK(p_.offset() == 0 && !p_.buffered() && p_.rest().empty()); });
    barrier_ = false;
  }

  void on_error(const client_event& ev) {
    FUZZ_CHECK(name(ev.error) != "unknown" && name(ev.error) != "none");
    FUZZ_CHECK(!ev.last && !ev.enhanced.present());
    const std::uint64_t start = index(ev.offset);
    if (ev.error == errc::reply_code_mismatch) {
      on_outcome(ev);
      return;
    }
    if (ev.error == errc::data_after_starttls) {
      FUZZ_CHECK(barrier_ && !barrier_reported_);
      barrier_reported_ = true;
      FUZZ_CHECK(start == barrier_at_ && start < now_ && now_ == fed_end_);
      FUZZ_CHECK(ev.code == 0 && ev.lines == 0 && ev.text.empty());
      FUZZ_CHECK(!p_.buffered() && p_.rest().empty());
      return;
    }
    FUZZ_CHECK(!barrier_);
    FUZZ_CHECK(start == elem_end_);
    FUZZ_CHECK(ev.lines == reply_lines_);
    if (ev.error == errc::unexpected_eof) {
      FUZZ_CHECK(eof_ && now_ == fed_end_);
      FUZZ_CHECK(now_ > elem_end_ || reply_lines_ > 0);
      FUZZ_CHECK(!frame_at(input_, start, cfg_).complete);  // a partial line, if any
      FUZZ_CHECK(ev.code == 0 && ev.text.empty());
    } else {
      const framed_line f = frame_at(input_, start, cfg_);
      FUZZ_CHECK(f.complete && now_ == f.end);
      const std::string_view content = f.content;
      if (framing_errc(ev.error)) {
        FUZZ_CHECK(f.faulty());
        if (ev.error == errc::line_too_long) FUZZ_CHECK(f.too_long);
        if (ev.error == errc::bare_cr) FUZZ_CHECK(f.cr);
        if (ev.error == errc::bare_lf) FUZZ_CHECK(f.lf && !o_.allow_bare_lf);
        if (ev.error == errc::nul_in_line) FUZZ_CHECK(f.nul);
        const std::size_t keep = content.size() < error_prefix ? content.size() : error_prefix;
        FUZZ_CHECK(ev.text == content.substr(0, keep));
      } else {
        FUZZ_CHECK(!f.faulty());
        FUZZ_CHECK(ev.error == expected_error(content, f.end - start));
        FUZZ_CHECK(ev.text == content);
        check_view(ev.text, start, 0);
      }
      FUZZ_CHECK(ev.code == model_code(content));
    }
    if (!ev.text.empty())
      FUZZ_CHECK(fuzz::inside(ev.text, piece_.data(), piece_.size()) ||
                 fuzz::inside(ev.text, &p_, sizeof p_));
    clear_reply();
    elem_end_ = now_;
  }

  void clear_reply() {
    reply_lines_ = 0;
    reply_length_ = 0;
    reply_code_ = 0;
    mismatch_ = false;
  }

  Parser& p_;
  const fuzz::smtp_client_config& cfg_;
  const smtp::client_parser_options& o_;
  const session_policy pol_;

  int events_ = 0;

  // The reply in progress.
  std::size_t reply_lines_ = 0;
  std::uint64_t reply_length_ = 0;
  std::uint64_t reply_start_ = 0;
  std::uint16_t reply_code_ = 0;
  bool mismatch_ = false;
  // Its last line, once read: the outcome is the next event.
  bool outcome_due_ = false;
  std::uint64_t last_start_ = 0;
  std::uint16_t last_code_ = 0;
  smtp::enhanced_code last_enhanced_;
  std::string last_text_, last_line_;

  // STARTTLS
  bool expecting_ = false;
  bool barrier_ = false;
  std::uint64_t barrier_at_ = 0;
  bool barrier_reported_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeader) return 0;
  const fuzz::smtp_client_config cfg = fuzz::smtp_client_config_from(data);
  session_policy pol;
  pol.keep_barrier = (data[1] & 0x04) != 0;
  pol.eof_early = (data[1] & 0x08) != 0;
  const bool again = (data[1] & 0x10) != 0;
  const bool pieces = (data[1] & 0x20) != 0;
  pol.starttls_at = (data[2] & 0x80) != 0 ? -1 : data[2];

  const std::string input(reinterpret_cast<const char*>(data) + kHeader, size - kHeader);
  const auto cut_around = [](char c) {
    return c == '\r' || c == '\n' || c == ' ' || c == '-' || c == '.';
  };
  const std::vector<std::size_t> plan =
      pieces ? fuzz::split_plan(input, data[3], fuzz::fnv1a(data, size), cut_around)
             : std::vector<std::size_t>{input.size()};
  fuzz::with_smtp_client(cfg, [&](auto& p) {
    using parser = std::remove_reference_t<decltype(p)>;
    session<parser>(p, input, cfg, pol).run(plan);
    if (!again) return;
    p.reset();
    session<parser>(p, input, cfg, pol).run({input.size()});
  });
  return 0;
}
