// Fuzz target: pop3::client_parser driven by a POP3 client with a queue of
// commands in flight, every event checked against the parser's contract
// (client_parser.hpp) and against independent models of the response grammar
// (fuzz::pop3_model in pop3_support.hpp: status lines, response codes, APOP
// timestamps, listings, dot-unstuffing), written from RFC 1939, 2449, 5034.
//
// Input: bytes 0-1 pick the parser options (fuzz::pop3_client_config_from:
// Capacity 512 or 2048, max_status_length, max_item_line_length,
// any_case_status, allow_control, the RETR/TOP decoder), byte 2 the split
// and max_challenge_length,
// byte 3 the command queue header, then that many command bytes
// (fuzz::pop3_queue_from, fuzz::pop3_expected_from: verb, has_argument,
// greeting); the rest is the server's byte stream.
//   byte 0  bit 7     keep the STLS barrier (else, after +OK to STLS: reset()
//                     and go on with the bytes behind it, as after a TLS
//                     handshake, writing the commands left)
//   byte 1  bit 6     feed_eof() before draining the last piece
//           bit 7     afterwards reset() the parser and run the whole stream
//                     again in one piece (the parser is reusable)
//   byte 2            the split (fuzz::split_plan: bits 0-1 kind, 2-4 random
//                     piece size, bit 7 empty feeds; cuts around CR, LF, '.');
//                     bits 5-6 max_challenge_length: 12288, 8, 64, 600
//   byte 3  bits 0-5  number of command bytes that follow
//           bits 6-7  commands kept in flight: 1, 3, 32, or all at once (the
//                     33rd must get errc::queue_full and is not written)
// The client writes (expect()s) commands up to the window before the first
// byte and after every outcome. Every piece lives in its own exact-size heap
// block, scribbled over and freed once the parser says need_more
// (fuzz::for_each_piece): a view kept too long is a use-after-free under ASan.
//
// Checked on every event (a violation is __builtin_trap):
// - offsets: p.offset() never goes back and never passes the bytes fed; every
//   event's offset is within what was fed; each line starts exactly where the
//   previous element ended and ends at its first CRLF (an overlong line's tail
//   is never a line of its own); need_more has consumed everything, and
//   buffered() then says whether a partial line waits; pending() is the
//   model's queue length after every event;
// - status lines: a line with a CR, LF or NUL, or over the reader's limit, is
//   one framing error with its cause in it (text: its first octets); any other
//   line gets exactly the model's outcome: unexpected_response with nothing
//   queued; line_too_long over max_status_length; an AUTH challenge ("+" or
//   "+ " base64, entry kept; line_too_long over max_challenge_length) or
//   invalid_base64; invalid_status;
//   control_in_reply; a listing error for a bad STAT / LIST n / UIDL n
//   answer; else a response whose status, response code (kind and levels),
//   text, number, size, uid and greeting timestamp are the model's, and whose
//   multi_line is "+OK to a multi-line command". Every outcome but a
//   challenge removes exactly the oldest entry (one outcome per command), and
//   the event names that entry's verb (greeting flag included);
// - bodies come only after +OK to a multi-line command. LIST/UIDL/CAPA/LANG
//   and bare AUTH lines: framing as above; "." ends the body (end: the line
//   count, just past the terminator); other lines lose a stuffing dot; over
//   max_item_line_length is line_too_long; LIST and UIDL items are what
//   parse_scan_listing / parse_unique_id_listing give for the line and what
//   the model gives; CAPA lines agree with a capabilities value folded here
//   (tag and trimmed parameters; at the end capabilities() equals it); other
//   lines are `line` events with the unstuffed text;
// - RETR/TOP: data views lie in the piece in stream order or are the
//   decoder's literals (fuzz::data_view_checker); their concatenation equals
//   the model's dot-unstuffing of the body bytes, the end event comes just
//   past the model's terminator with the model's size, and its flags agree
//   with a dot::decoder run over the same bytes;
// - STLS: after +OK to STLS nothing is ever parsed: the bytes behind it give
//   exactly one data_after_starttls (at most one per barrier); with the
//   handshake, reset() empties the queue and the rest is a new stream;
// - EOF: unexpected_eof exactly when a partial line, a body, or a queued
//   entry is left (and not behind the barrier), once; then need_more forever,
//   and feed() is ignored.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/response.hpp"
#include "pop3_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using pop3::client_event;
using pop3::client_event_kind;
using pop3::expected;
using pop3::verb;
namespace model = fuzz::pop3_model;

struct session_policy {
  bool keep_barrier = false;
  bool eof_early = false;
  fuzz::pop3_queue_plan queue;  ///< the commands the client writes
};

enum class mode { status, items, content, barrier };

bool has_byte(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

bool framing_errc(errc e) {
  return e == errc::line_too_long || e == errc::bare_cr || e == errc::bare_lf ||
         e == errc::nul_in_line;
}

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

/// The session over the stream; fuzz::stream_session (support.hpp) keeps
/// where it stands.
template <class Parser>
class session : fuzz::stream_session {
 public:
  session(Parser& p, std::string_view input, const fuzz::pop3_client_config& cfg,
          const session_policy& pol)
      : fuzz::stream_session(input), p_(p), cfg_(cfg), o_(cfg.options), pol_(pol) {}

  void run(const std::vector<std::size_t>& plan) {
    FUZZ_CHECK(p_.offset() == 0 && p_.pending() == 0 && !p_.buffered());
    top_up();
    feed(p_, plan, pol_.eof_early, [&](std::size_t len) { drain(len); });
    check_end_stays(p_, "+OK\r\n");
    FUZZ_CHECK(p_.pending() == queue_.size());
  }

 private:
  /// The client writes commands up to its window.
  void top_up() {
    const fuzz::pop3_queue_plan& q = pol_.queue;
    while (next_ < q.commands.size() && queue_.size() < q.window) {
      const expected e = q.commands[next_++];
      if (queue_.size() == fuzz::kPop3QueueCapacity) {
        FUZZ_CHECK(p_.expect(e) == errc::queue_full);
        continue;  // not written
      }
      FUZZ_CHECK(p_.expect(e) == errc{});
      queue_.push_back(e);
    }
    FUZZ_CHECK(p_.pending() == queue_.size());
  }

  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      // Every event but EOF's consumes octets.
      const client_event& ev = next_event(p_, n, 2 * len + 8);
      if (ev.kind == client_event_kind::need_more) {
        FUZZ_CHECK(index(ev.offset) == now_ && now_ == fed_end_);
        const bool line_modes = mode_ == mode::status || mode_ == mode::items;
        FUZZ_CHECK(p_.buffered() == (line_modes && now_ > elem_end_));
        FUZZ_CHECK(p_.pending() == queue_.size());
        if (eof_ && !eof_reported_) {
          // Nothing unfinished may be left without its unexpected_eof.
          FUZZ_CHECK(mode_ == mode::barrier ||
                     (mode_ == mode::status && queue_.empty() && now_ == elem_end_));
        }
        return;
      }
      if (ev.kind == client_event_kind::error && ev.error == errc::unexpected_eof) {
        on_eof(ev);
      } else {
        switch (mode_) {
          case mode::status: on_status(ev); break;
          case mode::items: on_item(ev); break;
          case mode::content: on_content(ev); break;
          case mode::barrier: on_barrier(ev); break;
        }
      }
      FUZZ_CHECK(p_.pending() == queue_.size());
    }
  }

  void answers(const client_event& ev, const expected& e) const {
    FUZZ_CHECK(ev.verb == e.verb && ev.greeting == e.greeting);
  }

  expected front() const { return queue_.empty() ? expected{} : queue_.front(); }

  /// The outcome for the oldest entry was given.
  void pop() {
    FUZZ_CHECK(!queue_.empty());
    queue_.pop_front();
    outcome_ = true;
  }

  void on_eof(const client_event& ev) {
    FUZZ_CHECK(eof_ && !eof_reported_ && now_ == fed_end_ && index(ev.offset) == now_);
    FUZZ_CHECK(ev.text.empty());
    eof_reported_ = true;
    switch (mode_) {
      case mode::status:
        FUZZ_CHECK(now_ > elem_end_ || !queue_.empty());
        FUZZ_CHECK(input_.substr(elem_end_, now_ - elem_end_).find("\r\n") ==
                   std::string_view::npos);
        answers(ev, front());
        return;
      case mode::items: answers(ev, body_); return;
      case mode::content: {
        answers(ev, body_);
        std::string content;
        std::size_t end = 0;
        FUZZ_CHECK(!model::unstuff(input_.substr(body_start_, fed_end_ - body_start_), false,
                                   content, end));
        return;
      }
      case mode::barrier: FUZZ_CHECK(false); return;
    }
  }

  /// The line [start, now_): it follows the previous element and ends at its
  /// first CRLF.
  std::string_view element_line(std::uint64_t start) const {
    FUZZ_CHECK(start == elem_end_ && now_ > start);
    const std::string_view line = input_.substr(start, now_ - start);
    FUZZ_CHECK(line.size() >= 2 && line.find("\r\n") == line.size() - 2);
    return line;
  }

  bool well_framed(std::string_view line, std::string_view content) const {
    return !has_byte(content, '\r') && !has_byte(content, '\n') && !has_byte(content, '\0') &&
           line.size() <= cfg_.reader_max;
  }

  /// A framing error: its cause is in the line, and its text is the line's
  /// first octets.
  void framing_error(const client_event& ev, std::string_view line, std::string_view content) {
    FUZZ_CHECK(ev.kind == client_event_kind::error && framing_errc(ev.error));
    FUZZ_CHECK(!well_framed(line, content));
    if (ev.error == errc::line_too_long)
      FUZZ_CHECK(line.size() > cfg_.reader_max);
    else if (ev.error == errc::bare_cr)
      FUZZ_CHECK(has_byte(content, '\r'));
    else if (ev.error == errc::bare_lf)
      FUZZ_CHECK(has_byte(content, '\n'));
    else
      FUZZ_CHECK(has_byte(content, '\0'));
    FUZZ_CHECK(ev.text.size() == std::min(content.size(), error_prefix));
    FUZZ_CHECK(ev.text == content.substr(0, ev.text.size()));
  }

  /// A view of a line's text: into the piece when the line began in it,
  /// otherwise into the piece or the parser's own buffer.
  void text_home(std::string_view v, std::uint64_t start) const {
    if (v.empty()) return;
    if (start >= piece_idx_) {
      FUZZ_CHECK(fuzz::inside(v, piece_.data(), piece_.size()));
    } else {
      FUZZ_CHECK(fuzz::inside(v, piece_.data(), piece_.size()) ||
                 fuzz::inside(v, &p_, sizeof(Parser)));
    }
  }

  void on_status(const client_event& ev) {
    FUZZ_CHECK(ev.error != errc::data_after_starttls);
    const std::uint64_t start = index(ev.offset);
    const std::string_view line = element_line(start);
    const std::string_view content = line.substr(0, line.size() - 2);
    elem_end_ = now_;
    outcome_ = false;
    const expected e = front();
    if (!well_framed(line, content)) {
      framing_error(ev, line, content);
      answers(ev, e);
      const std::string_view prefix = content.substr(0, std::min(content.size(), error_prefix));
      const bool maybe_challenge = e.verb == verb::auth && !prefix.empty() && prefix[0] == '+' &&
                                   (prefix.size() == 1 || prefix[1] == ' ');
      if (!queue_.empty() && !maybe_challenge) pop();
      return after_outcome();
    }
    text_home(ev.text, start);
    if (queue_.empty()) {
      expect_error(ev, errc::unexpected_response, content);
      answers(ev, expected{});
      return;
    }
    answers(ev, e);
    const bool challenge = e.verb == verb::auth && !content.empty() && content[0] == '+' &&
                           (content.size() == 1 || content[1] == ' ');
    if (line.size() > (challenge ? o_.max_challenge_length : o_.max_status_length)) {
      // Reported like a line the reader refused: its first octets.
      expect_error(ev, errc::line_too_long,
                   content.substr(0, std::min(content.size(), error_prefix)));
      if (!challenge) pop();
      return after_outcome();
    }
    if (challenge) {
      const std::string_view b64 = content.size() > 2 ? content.substr(2) : std::string_view{};
      if (model::base64(b64)) {
        FUZZ_CHECK(ev.kind == client_event_kind::challenge && ev.error == errc{});
        FUZZ_CHECK(ev.text == b64 && index(ev.offset) == start);
      } else {
        expect_error(ev, errc::invalid_base64, content);
      }
      return;
    }
    pop();
    const model::status_verdict s = model::status(content, o_.any_case_status);
    if (s.error != errc{}) {
      expect_error(ev, s.error, content);
      return after_outcome();
    }
    if (!o_.allow_control) {
      for (const char ch : content) {
        if (ch != '\t' && model::ctl(static_cast<unsigned char>(ch))) {
          expect_error(ev, errc::control_in_reply, content);
          return after_outcome();
        }
      }
    }
    model::listing_verdict item;
    if (s.ok) {
      if (e.verb == verb::stat)
        item = model::number_size(s.text, 0);
      else if (e.verb == verb::list && e.has_argument)
        item = model::number_size(s.text, 1);
      else if (e.verb == verb::uidl && e.has_argument)
        item = model::unique_id(s.text);
      if (item.error != errc{}) {
        expect_error(ev, item.error, content);
        return after_outcome();
      }
    }
    FUZZ_CHECK(ev.kind == client_event_kind::response && ev.error == errc{});
    FUZZ_CHECK((ev.status == pop3::response_status::ok) == s.ok);
    FUZZ_CHECK(ev.code.present() == s.has_code && ev.code.kind == s.kind);
    FUZZ_CHECK(ev.code.text == s.code_text);
    FUZZ_CHECK(ev.text == s.text);
    FUZZ_CHECK(ev.number == item.number && ev.size == item.size && ev.uid == item.uid);
    FUZZ_CHECK(ev.timestamp == (e.greeting && s.ok ? model::apop_timestamp(s.text) : ""));
    FUZZ_CHECK(ev.lines == 0 && !ev.flags.any());
    const bool body = s.ok && model::multi_line(e);
    FUZZ_CHECK(ev.multi_line == body);
    if (s.ok && e.verb == verb::stls && !e.greeting) {
      if (pol_.keep_barrier) {
        mode_ = mode::barrier;
        barrier_reported_ = false;
      } else {
        after_handshake();
      }
      return after_outcome();
    }
    if (body) {
      body_ = e;
      count_ = 0;
      if (e.verb == verb::retr || e.verb == verb::top) {
        mode_ = mode::content;
        body_start_ = now_;
        data_.clear();
        views_ = fuzz::data_view_checker(input_.substr(now_), o_.body.policy);
      } else {
        mode_ = mode::items;
        if (e.verb == verb::capa) {
          caps_.clear();
          FUZZ_CHECK(p_.capabilities() == caps_);
        }
      }
    }
    after_outcome();
  }

  void expect_error(const client_event& ev, errc e, std::string_view content) const {
    FUZZ_CHECK(ev.kind == client_event_kind::error);
    FUZZ_CHECK(ev.error == e);
    FUZZ_CHECK(ev.text == content);
  }

  void after_outcome() {
    if (outcome_) top_up();
    outcome_ = false;
  }

  void after_handshake() {
    FUZZ_CHECK(now_ >= piece_idx_);
    restart(p_, piece_.substr(static_cast<std::size_t>(now_ - piece_idx_)), [&] {
      FUZZ_CHECK(p_.offset() == 0 && p_.pending() == 0 && !p_.buffered());
      caps_.clear();
      FUZZ_CHECK(p_.capabilities() == caps_);
      queue_.clear();
    });
    eof_reported_ = false;
    mode_ = mode::status;
  }

  void on_item(const client_event& ev) {
    const std::uint64_t start = index(ev.offset);
    FUZZ_CHECK(ev.kind != client_event_kind::end || start == now_);
    const std::uint64_t line_start = ev.kind == client_event_kind::end ? elem_end_ : start;
    const std::string_view line = element_line(line_start);
    const std::string_view content = line.substr(0, line.size() - 2);
    elem_end_ = now_;
    answers(ev, body_);
    if (!well_framed(line, content)) {
      framing_error(ev, line, content);
      FUZZ_CHECK(ev.lines == ++count_);
      return;
    }
    if (content == ".") {
      FUZZ_CHECK(ev.kind == client_event_kind::end && ev.error == errc{});
      FUZZ_CHECK(ev.lines == count_);
      if (body_.verb == verb::capa) FUZZ_CHECK(p_.capabilities() == caps_);
      mode_ = mode::status;
      return;
    }
    FUZZ_CHECK(ev.lines == ++count_);
    text_home(ev.text, start);
    if (line.size() > o_.max_item_line_length) {
      expect_error(ev, errc::line_too_long,
                   content.substr(0, std::min(content.size(), error_prefix)));
      return;
    }
    const std::string_view text = content[0] == '.' ? content.substr(1) : content;
    switch (body_.verb) {
      case verb::list:
      case verb::uidl: {
        const bool list = body_.verb == verb::list;
        const model::listing_verdict m =
            list ? model::number_size(text, 1) : model::unique_id(text);
        const pop3::listing l =
            list ? pop3::parse_scan_listing(text) : pop3::parse_unique_id_listing(text);
        FUZZ_CHECK(l.error == m.error);
        if (m.error != errc{}) {
          expect_error(ev, m.error, content);
          return;
        }
        FUZZ_CHECK(l.number == m.number && l.size == m.size && l.uid == m.uid);
        FUZZ_CHECK(ev.kind == (list ? client_event_kind::list_item : client_event_kind::uidl_item));
        FUZZ_CHECK(ev.number == m.number && ev.size == m.size && ev.uid == m.uid);
        FUZZ_CHECK(ev.error == errc{});
        if (!list) text_home(ev.uid, start);
        return;
      }
      case verb::capa: {
        const errc e = caps_.add_line(text);
        if (e != errc{}) {
          expect_error(ev, e, content);
          return;
        }
        FUZZ_CHECK(ev.kind == client_event_kind::capability && ev.error == errc{});
        std::size_t b = 0;
        while (b < text.size() && is_wsp(text[b])) ++b;
        std::size_t t = b;
        while (t < text.size() && !is_wsp(text[t])) ++t;
        std::size_t from = t, to = text.size();
        while (from < to && is_wsp(text[from])) ++from;
        while (to > from && is_wsp(text[to - 1])) --to;
        FUZZ_CHECK(ev.capability_tag() == text.substr(b, t - b));
        FUZZ_CHECK(ev.text == text.substr(from, to - from));
        text_home(ev.capability_tag(), start);
        return;
      }
      case verb::user:
      case verb::pass:
      case verb::apop:
      case verb::auth:
      case verb::stls:
      case verb::utf8:
      case verb::stat:
      case verb::retr:
      case verb::dele:
      case verb::noop:
      case verb::rset:
      case verb::top:
      case verb::quit:
      case verb::lang:
      case verb::unknown: break;
    }
    FUZZ_CHECK(body_.verb == verb::lang || body_.verb == verb::auth);
    FUZZ_CHECK(ev.kind == client_event_kind::line && ev.error == errc{});
    FUZZ_CHECK(ev.text == text);
  }

  void on_content(const client_event& ev) {
    answers(ev, body_);
    const std::uint64_t at = index(ev.offset);
    if (ev.kind == client_event_kind::data) {
      FUZZ_CHECK(at >= body_start_ && !ev.text.empty());
      fuzz::check_body_data(views_, body_start_, at, ev.text, piece_, piece_idx_);
      data_.append(ev.text.data(), ev.text.size());
      return;
    }
    FUZZ_CHECK(ev.kind == client_event_kind::end);
    FUZZ_CHECK(at == now_);
    const std::string_view wire = input_.substr(body_start_, now_ - body_start_);
    std::string content;
    std::size_t end = 0;
    FUZZ_CHECK(model::unstuff(input_.substr(body_start_),
                              o_.body.policy == dot::line_end_policy::normalize, content, end));
    FUZZ_CHECK(end == wire.size());
    FUZZ_CHECK(data_ == content);
    FUZZ_CHECK(ev.size == content.size() && ev.lines == 0);
    FUZZ_CHECK(views_.input_end() <= wire.size());
    // The same body through a decoder of its own, fed whole.
    const dot::decoder_event de = fuzz::decode_whole(wire, o_.body).end;
    FUZZ_CHECK(de.size == ev.size);
    FUZZ_CHECK(fuzz::flag_bits(de.flags) == fuzz::flag_bits(ev.flags));
    FUZZ_CHECK(de.error == ev.error);
    if (de.error != errc{}) {
      FUZZ_CHECK(ev.flags.has(ev.error));
      FUZZ_CHECK(body_start_ + de.error_offset == index(ev.error_offset));
    } else {
      FUZZ_CHECK(!ev.flags.any() && ev.error_offset == 0);
    }
    elem_end_ = now_;
    mode_ = mode::status;
  }

  void on_barrier(const client_event& ev) {
    FUZZ_CHECK(ev.kind == client_event_kind::error && ev.error == errc::data_after_starttls);
    FUZZ_CHECK(ev.verb == verb::stls && !ev.greeting && ev.text.empty());
    FUZZ_CHECK(!barrier_reported_);
    barrier_reported_ = true;
    const std::uint64_t start = index(ev.offset);
    FUZZ_CHECK(start == elem_end_ && start < now_ && now_ == fed_end_);
  }

  Parser& p_;
  const fuzz::pop3_client_config& cfg_;
  const pop3::client_parser_options& o_;
  const session_policy& pol_;

  bool eof_reported_ = false;
  mode mode_ = mode::status;
  // The queue model.
  std::deque<expected> queue_;
  std::size_t next_ = 0;  // next command of the policy to write
  bool outcome_ = false;  // the last event answered an entry
  // Bodies.
  expected body_;
  std::size_t count_ = 0;  // item lines so far
  std::uint64_t body_start_ = 0;
  std::string data_;
  fuzz::data_view_checker views_{{}, dot::line_end_policy::reject};
  pop3::capabilities caps_;
  // STLS.
  bool barrier_reported_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  session_policy pol;
  const std::size_t header = fuzz::pop3_queue_from(data, size, pol.queue);
  if (header == 0) return 0;
  const fuzz::pop3_client_config cfg = fuzz::pop3_client_config_from(data);
  pol.keep_barrier = (data[0] & 0x80) != 0;
  pol.eof_early = (data[1] & 0x40) != 0;
  const bool again = (data[1] & 0x80) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[2], fuzz::fnv1a(data, size), cut_around);
  fuzz::with_pop3_client(cfg, [&](auto& p) {
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run(plan);
    if (!again) return;
    p.reset();
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run({input.size()});
  });
  return 0;
}
