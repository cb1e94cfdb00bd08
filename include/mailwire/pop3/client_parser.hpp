#pragma once
// pop3::client_parser: the bytes a POP3 server sends, turned into responses,
// SASL challenges, typed listings, capabilities and message content
// (RFC 1939, RFC 2449, RFC 2595, RFC 5034).
//
//   mailwire::pop3::client_parser<> p;         // options in the constructor
//   p.expect_greeting();                       // before the first byte
//   ...write "LIST\r\n"; p.expect(pop3::verb::list, false);  // or write_expecting()
//   p.feed(bytes);                             // borrowed until need_more
//   for (;;) {
//     const auto& ev = p.next();               // valid until next()/feed()/reset()
//     switch (ev.kind) {
//       case client_event_kind::need_more: /* read, feed() or feed_eof() */ break;
//       case client_event_kind::response:  ...  // ev.status, ev.code, ev.text
//       case client_event_kind::list_item: ...  // ev.number, ev.size
//       case client_event_kind::end:       ...  // the multi-line body is over
//       ...
//     }
//   }
//
// What the parser is reading comes from a queue of expected responses. The
// client calls expect() as it writes each command (the greeting first), so
// pipelined commands (RFC 2449 §6.6) simply queue up; a response is matched
// to the oldest entry. Whether a +OK is followed by a body depends on the
// command and whether it had an argument (RFC 1939 §5, §7; RFC 2449 §5;
// RFC 6856 §3): LIST, UIDL, LANG and AUTH without one, RETR, TOP and CAPA
// are multi-line; -ERR never is.
//
// Status lines (RFC 1939 §3, RFC 2449 §3, §8): exactly "+OK" or "-ERR"
// (any case with `any_case_status`), then SP text or the line end; at most
// max_status_length octets with CRLF (512, RFC 2449 §4). A response code
// "[A/B]" at the start of the text is parsed (response.hpp); a greeting's
// "<...@...>" becomes `timestamp`. The text may hold HT and octets >= 0x80
// (UTF-8 after LANG or UTF8); other controls are errc::control_in_reply
// unless `allow_control`. STAT, LIST n and UIDL n answers are parsed into
// number/size/uid; a malformed one is an error event in place of the
// response (its extent, one line, is known, so the stream stays in step).
//
// AUTH (RFC 5034 §4): while the oldest entry is AUTH, a line "+ base64" (or
// a bare "+", read leniently as an empty one) is a `challenge` event and the
// entry stays: the client answers with a line and the next line is again a
// response to the same AUTH. A challenge that is not strict base64 is
// errc::invalid_base64 (the entry stays too; the client answers "*").
// Challenges may be longer than status lines (max_challenge_length).
//
// Bodies. Lines of LIST, UIDL, CAPA, LANG and bare AUTH bodies are read with the
// stuffing dot removed (RFC 1939 §3), each at most max_item_line_length
// octets: LIST and UIDL lines become `list_item` / `uidl_item` events
// (overflow-checked numbers, UIDs of 1-70 octets in %x21-7E), CAPA lines
// `capability` events that are also folded into capabilities(), LANG and
// AUTH lines `line` events. A bad item line is an `error` event and the body goes on to
// its end, so the stream stays in sync. RETR and TOP content goes through
// dot::decoder: `data` events are zero-copy slices of the fed bytes, and the
// `end` event carries the decoder's size and flags (bare CR/LF, NUL, limits).
// Every body ends with one `end` event after its "." line. A body ends only
// at CRLF "." CRLF; a lone LF never ends a line here.
//
// Errors and recovery. A framing error (line too long, bare CR or LF, NUL)
// is one `error` event at the bad line's real end; an overlong line's tail is
// never read as a response (docs/security.md §4). A bad status line still
// answers the oldest entry (which is removed): one outcome per command. If it
// belonged to a multi-line command, the server's body (if it sent one) will
// be read as responses to later commands and fail; a client closes the
// connection on any status-line error. A line with no entry waiting is
// errc::unexpected_response. EOF in the middle
// of a line or body, or with entries waiting, is one errc::unexpected_eof.
//
// STLS (RFC 2595 §4, docs/security.md §2): when the +OK answering an STLS
// entry (expect_stls()) is read, every byte behind its line end, buffered now
// or fed later, is one errc::data_after_starttls error and is never parsed,
// until reset() (called after the TLS handshake). -ERR lifts nothing and
// parsing goes on.
//
// Split invariance: any split of the stream into feed() calls gives the same
// events (data events joined).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/response.hpp"

namespace mailwire::pop3 {

/// One entry of the queue of expected responses: the command written (as
/// the server parser names it, command.hpp) and whether it carried an
/// argument, which decides LIST, UIDL and LANG. `verb::unknown` stands for a
/// command mailwire does not know, answered on one line.
struct expected {
  pop3::verb verb = pop3::verb::unknown;
  bool has_argument = false;
  /// The server's greeting rather than a command's response (verb is
  /// unknown); its +OK may carry an APOP timestamp.
  bool greeting = false;

  /// True if a +OK to this command is followed by a body (RFC 1939 §5, §7;
  /// RFC 2449 §5; RFC 6856 §3). A bare AUTH asks for the server's
  /// mechanisms, one per line (the form before CAPA SASL, still answered
  /// by common servers); AUTH with a mechanism gets one status line.
  constexpr bool multi_line() const noexcept {
    switch (verb) {
      case pop3::verb::capa:
      case pop3::verb::retr:
      case pop3::verb::top: return true;
      case pop3::verb::list:
      case pop3::verb::uidl:
      case pop3::verb::lang:
      case pop3::verb::auth: return !has_argument;
      case pop3::verb::user:
      case pop3::verb::pass:
      case pop3::verb::apop:
      case pop3::verb::stls:
      case pop3::verb::stat:
      case pop3::verb::dele:
      case pop3::verb::noop:
      case pop3::verb::rset:
      case pop3::verb::quit:
      case pop3::verb::utf8:
      case pop3::verb::unknown: return false;
    }
    return false;
  }
};

struct client_parser_options {
  /// Longest status line (greeting, single-line response, first line of a
  /// multi-line one), CRLF included: 512 (RFC 2449 §4).
  std::size_t max_status_length = 512;
  /// Longest LIST, UIDL, CAPA, LANG or AUTH body line, CRLF and stuffing dot
  /// included. CAPA lines are at most 512 (RFC 2449 §5).
  std::size_t max_item_line_length = 512;
  /// Longest "+ " challenge line, CRLF included. RFC 5034 §4 puts no limit
  /// on challenges and makes clients take the largest their mechanisms
  /// produce; 12288 is the SASL line limit of RFC 4954 §4. The line buffer
  /// bounds every limit: lines are read up to min(Capacity, the largest of
  /// the three), so the default client_parser<> takes challenges up to 1024
  /// octets (PLAIN, LOGIN, CRAM-MD5, SCRAM); GSSAPI needs a larger Capacity.
  std::size_t max_challenge_length = 12288;
  /// Lenient: "+ok", "-Err" and other cases of the status. Servers MUST send
  /// upper case (RFC 1939 §3).
  bool any_case_status = false;
  /// Lenient: control octets other than HT (never NUL, CR or LF) in status
  /// text.
  bool allow_control = false;
  /// How RETR and TOP content is decoded: line-end policy, size and line
  /// limits (flags in the end event).
  dot::decoder_options body;
};

enum class client_event_kind : std::uint8_t {
  need_more,   ///< every fed byte is used: feed() more, or feed_eof()
  response,    ///< a status line answered the oldest entry; see multi_line
  challenge,   ///< an AUTH "+ " line; `text` is the base64 challenge
  list_item,   ///< a LIST body line: number, size
  uidl_item,   ///< a UIDL body line: number, uid
  capability,  ///< a CAPA body line: tag, text (also folded into capabilities())
  line,        ///< a LANG (or other) body line, stuffing dot removed
  data,        ///< RETR/TOP content: `text` is the next slice
  end,         ///< the multi-line body is over
  error,       ///< see `error`
};

/// One parser event. Views are valid until the next next(), feed() or
/// reset(), and no longer than the bytes fed. (client_parser::clear_event()
/// empties it field by field: a new field must be added there too.)
struct client_event {
  client_event_kind kind = client_event_kind::need_more;
  /// error: the rule broken (never errc{}). end of a RETR/TOP body: the
  /// earliest body flag (errc{} when the body is clean). errc{} otherwise.
  errc error = errc{};
  /// The command this event belongs to: `unknown` for the greeting (see
  /// `greeting`), a command mailwire does not know, need_more, and errors
  /// with no entry waiting.
  pop3::verb verb = pop3::verb::unknown;
  /// The event belongs to the server's greeting.
  bool greeting = false;
  /// response: +OK or -ERR.
  response_status status = response_status::ok;
  /// response: a body follows (+OK to a multi-line command).
  bool multi_line = false;
  /// response: the response code at the start of the text, if any.
  response_code code;
  /// response: the text after the status and code. challenge: the base64
  /// text. capability: the parameters after the tag. line: the line. data:
  /// the content slice. error: the offending line as received (framing
  /// errors: its first error_prefix octets; empty for unexpected_eof and
  /// data_after_starttls).
  std::string_view text;
  /// response to the greeting: the APOP timestamp with its brackets, empty
  /// if none (find_apop_timestamp()). capability: the tag.
  std::string_view timestamp;
  /// list_item, uidl_item, and the responses to LIST n, UIDL n: the message
  /// number; response to STAT: the message count.
  std::uint32_t number = 0;
  /// list_item, response to LIST n: the message size; response to STAT: the
  /// maildrop size. end of RETR/TOP: the decoded content size.
  std::uint64_t size = 0;
  /// uidl_item, response to UIDL n: the unique-id.
  std::string_view uid;
  /// end: body lines before the "." (items, including bad ones); for
  /// RETR/TOP 0. error inside a body: the line's number in it, from 1.
  std::size_t lines = 0;
  /// end of RETR/TOP: every flag the decoder raised, and (error_offset)
  /// where the earliest one is, as a stream offset.
  dot::body_flags flags;
  std::uint64_t error_offset = 0;
  /// Stream offset (octets since construction or reset()): the first octet
  /// of the line (response, challenge, items, line, error), of the slice
  /// (data), just past the terminator (end); for unexpected_eof and
  /// data_after_starttls, the first octet not read; need_more: offset().
  std::uint64_t offset = 0;

  /// Tag of a `capability` event (same as `timestamp`, named for reading).
  constexpr std::string_view capability_tag() const noexcept { return timestamp; }
};

/// Parses the server side of a POP3 session. Capacity bounds the longest
/// line carried across feeds (the only line buffer); QueueCapacity bounds
/// the commands in flight.
template <std::size_t Capacity = 1024, std::size_t QueueCapacity = 32>
class client_parser {
  static_assert(Capacity >= 512, "client_parser: Capacity below the RFC 2449 status line");
  static_assert(QueueCapacity >= 1 && QueueCapacity <= 0xFFFF, "client_parser: queue size");

 public:
  using options_type = client_parser_options;
  static constexpr std::size_t queue_capacity = QueueCapacity;

  client_parser() noexcept : client_parser(client_parser_options{}) {}
  explicit client_parser(const client_parser_options& o) noexcept
      : options_(o), lines_(line_options(o)), decoder_(o.body) {}

  /// Queues the response to a command just written (or the greeting).
  /// errc::queue_full when QueueCapacity entries are waiting; nothing is
  /// queued then.
  errc expect(expected e) noexcept {
    if (queued_ == QueueCapacity) return errc::queue_full;
    queue_[(head_ + queued_) % QueueCapacity] = e;
    ++queued_;
    return errc{};
  }
  /// `has_argument` has no default: "LIST" and "LIST 1" are answered in
  /// different shapes, and a wrong guess puts every later response out of
  /// step. command_writer.hpp's write_expecting() queues the right entry.
  errc expect(pop3::verb v, bool has_argument) noexcept {
    return expect(expected{v, has_argument});
  }
  /// The server's greeting, queued before the first byte of a connection
  /// (not after reset() for STLS: no greeting follows the handshake).
  errc expect_greeting() noexcept { return expect(expected{pop3::verb::unknown, false, true}); }
  /// expect(verb::stls): its +OK raises the barrier (see the top).
  errc expect_stls() noexcept { return expect(pop3::verb::stls, false); }

  /// Entries waiting for their response (the one being read included until
  /// its status line is read).
  std::size_t pending() const noexcept { return queued_; }

  /// Makes `bytes` the input; borrowed until next() returns need_more. Call
  /// it after need_more; input not consumed yet is dropped. Ignored after
  /// feed_eof() until reset().
  void feed(std::string_view bytes) noexcept {
    if (eof_) return;
    base_ += pos_;
    in_ = bytes;
    pos_ = 0;
    sub_fed_ = false;
  }

  /// The server closed: an unfinished line or body, or entries still
  /// waiting, become one errc::unexpected_eof error; then need_more forever.
  void feed_eof() noexcept { eof_ = true; }

  /// The next event; a reference to the parser's own event, valid (with the
  /// views in it) until the next next(), feed() or reset().
  const client_event& next() noexcept;

  /// The capabilities folded from the last CAPA body (complete after its
  /// `end` event; cleared when a +OK to CAPA starts a new one).
  const pop3::capabilities& capabilities() const noexcept { return caps_; }

  /// True if bytes wait behind the last event: unconsumed input or a
  /// partial line. After the +OK to STLS it means bytes that must not be used.
  bool buffered() const noexcept {
    return pos_ < in_.size() || (mode_ == mode::status && lines_.mid_line()) ||
           (mode_ == mode::items && lines_.mid_line());
  }

  /// Octets consumed since construction or reset().
  std::uint64_t offset() const noexcept { return base_ + pos_; }

  /// Back to the initial state with an empty queue (after the TLS handshake:
  /// queue CAPA again, RFC 2595 §4); keeps the options.
  void reset() noexcept {
    lines_.reset();
    decoder_.reset();
    in_ = {};
    pos_ = 0;
    base_ = skew_ = body_start_ = 0;
    head_ = queued_ = 0;
    body_lines_ = 0;
    mode_ = mode::status;
    body_ = expected{};
    sub_fed_ = eof_ = eof_reported_ = barrier_reported_ = false;
    caps_.clear();
  }

  const client_parser_options& options() const noexcept { return options_; }

 private:
  enum class mode : std::uint8_t { status, items, content, barrier };
  using reader = line_reader<Capacity>;

  static typename reader::options line_options(const client_parser_options& o) noexcept {
    typename reader::options r;
    std::size_t most = o.max_status_length;
    if (o.max_item_line_length > most) most = o.max_item_line_length;
    if (o.max_challenge_length > most) most = o.max_challenge_length;
    r.max_length = most;  // line_reader caps it at Capacity
    return r;
  }

  const client_event& next_status() noexcept;
  const client_event& next_item() noexcept;
  const client_event& next_content() noexcept;
  const client_event& take_status(std::string_view line, std::uint64_t start,
                                  std::uint64_t octets) noexcept;
  const client_event& take_item(std::string_view line, std::uint64_t start,
                                std::uint64_t octets) noexcept;

  // Hands the unconsumed input to the line reader after a feed() or a body.
  void feed_lines() noexcept {
    if (sub_fed_) return;
    skew_ = offset() - lines_.offset();
    lines_.feed(rest());
    sub_fed_ = true;
  }

  std::string_view rest() const noexcept { return {in_.data() + pos_, in_.size() - pos_}; }

  const expected& front() const noexcept { return queue_[head_]; }
  void pop() noexcept {
    head_ = (head_ + 1) % QueueCapacity;
    --queued_;
  }

  const client_event& fail(errc e, std::uint64_t at, const expected& x,
                           std::string_view text) noexcept {
    ev_.kind = client_event_kind::error;
    ev_.error = e;
    ev_.offset = at;
    answers(x);
    ev_.text = text;
    return ev_;
  }

  void answers(const expected& x) noexcept {
    ev_.verb = x.verb;
    ev_.greeting = x.greeting;
  }

  // EOF with something unfinished: one error, then silence.
  const client_event& eof_error(const expected& v) noexcept {
    eof_reported_ = true;
    return fail(errc::unexpected_eof, offset(), v, {});
  }

  const client_event& need_more() noexcept {
    ev_.offset = offset();
    return ev_;
  }

  // A control octet other than HT in `line`. No early exit, so the compiler
  // makes it vector compares; the early-exit byte loop cost about 200
  // instructions and a mispredicted branch per status line.
  static constexpr bool has_control(std::string_view line) noexcept {
    unsigned bad = 0;
    for (const char ch : line) {
      const auto c = static_cast<unsigned char>(ch);
      bad |= static_cast<unsigned>(ascii::is_ctl(c)) & static_cast<unsigned>(c != '\t');
    }
    return bad != 0;
  }

  // ev_ emptied field by field: assigning a whole client_event{} compiles to
  // a rep stos (it is 128 octets), which is slow to start, on every event.
  void clear_event() noexcept {
    client_event& e = ev_;
    e.kind = client_event_kind::need_more;
    e.error = errc{};
    e.verb = pop3::verb::unknown;
    e.greeting = false;
    e.status = response_status::ok;
    e.multi_line = false;
    e.code = response_code{};
    e.text = {};
    e.timestamp = {};
    e.number = 0;
    e.size = 0;
    e.uid = {};
    e.lines = 0;
    e.flags = dot::body_flags{};
    e.error_offset = 0;
    e.offset = 0;
  }

  client_parser_options options_;
  reader lines_;
  dot::decoder decoder_;
  client_event ev_;
  pop3::capabilities caps_;
  expected queue_[QueueCapacity] = {};
  std::size_t head_ = 0;
  std::size_t queued_ = 0;
  std::string_view in_;           // current feed (borrowed)
  std::size_t pos_ = 0;           // next octet of in_ to consume
  std::uint64_t base_ = 0;        // stream offset of in_[0]
  std::uint64_t skew_ = 0;        // stream offset minus lines_ offset
  std::uint64_t body_start_ = 0;  // stream offset where decoder_ began
  std::size_t body_lines_ = 0;    // lines of the item body so far
  mode mode_ = mode::status;
  expected body_;         // whose body is read
  bool sub_fed_ = false;  // the reader of the current mode has been given rest()
  bool eof_ = false;
  bool eof_reported_ = false;
  bool barrier_reported_ = false;
};

// ---------------------------------------------------------------------------
// Implementation

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::next() noexcept {
  clear_event();
  switch (mode_) {
    case mode::status: return next_status();
    case mode::items: return next_item();
    case mode::content: return next_content();
    case mode::barrier:
      if (pos_ < in_.size()) {
        const std::uint64_t at = offset();
        pos_ = in_.size();
        if (!barrier_reported_) {
          barrier_reported_ = true;
          return fail(errc::data_after_starttls, at, expected{pop3::verb::stls}, {});
        }
      }
      return need_more();
  }
  return need_more();
}

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::next_status() noexcept {
  feed_lines();
  const line_event le = lines_.next();
  pos_ = in_.size() - lines_.rest().size();
  const expected v = queued_ > 0 ? front() : expected{};
  switch (le.kind) {
    case line_event_kind::need_more:
      if (eof_ && !eof_reported_ && (lines_.mid_line() || queued_ > 0)) return eof_error(v);
      return need_more();
    case line_event_kind::error:
      // The bad line answers the oldest entry: one outcome per command. An
      // AUTH entry stays if the line may have been a challenge.
      if (queued_ > 0 && !(v.verb == pop3::verb::auth && !le.line.empty() && le.line[0] == '+' &&
                           (le.line.size() == 1 || le.line[1] == ' ')))
        pop();
      return fail(le.error, le.offset + skew_, v, le.line);
    case line_event_kind::line: break;
  }
  const std::uint64_t start = le.offset + skew_;
  return take_status(le.line, start, offset() - start);
}

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::take_status(
    std::string_view line, std::uint64_t start, std::uint64_t octets) noexcept {
  if (queued_ == 0) return fail(errc::unexpected_response, start, expected{}, line);
  const expected e = front();
  const bool challenge = e.verb == pop3::verb::auth && !line.empty() && line[0] == '+' &&
                         (line.size() == 1 || line[1] == ' ');
  if (octets > (challenge ? options_.max_challenge_length : options_.max_status_length)) {
    if (!challenge) pop();
    // Reported like a line the reader refused: its first octets only, the
    // same whatever the buffer size.
    return fail(errc::line_too_long, start, e, line.substr(0, error_prefix));
  }
  if (challenge) {
    // RFC 5034 §4: "+" SP [base64]; the entry stays for the next line.
    const std::string_view b64 = line.size() > 2 ? line.substr(2) : std::string_view{};
    if (base64::validate(b64) != errc{}) return fail(errc::invalid_base64, start, e, line);
    ev_.kind = client_event_kind::challenge;
    answers(e);
    ev_.text = b64;
    ev_.offset = start;
    return ev_;
  }
  pop();
  const status_line s = parse_status_line(line, options_.any_case_status);
  if (s.error != errc{}) return fail(s.error, start, e, line);
  if (!options_.allow_control && has_control(line))
    return fail(errc::control_in_reply, start, e, line);
  ev_.kind = client_event_kind::response;
  answers(e);
  ev_.status = s.status;
  ev_.code = s.code;
  ev_.text = s.text;
  ev_.offset = start;
  if (s.status == response_status::err) return ev_;

  // The positive answers that carry data (RFC 1939 §5, §7).
  listing item;
  if (e.verb == pop3::verb::stat)
    item = parse_drop_listing(s.text);
  else if (e.verb == pop3::verb::list && e.has_argument)
    item = parse_scan_listing(s.text);
  else if (e.verb == pop3::verb::uidl && e.has_argument)
    item = parse_unique_id_listing(s.text);
  if (item.error != errc{}) {
    clear_event();
    return fail(item.error, start, e, line);
  }
  ev_.number = item.number;
  ev_.size = item.size;
  ev_.uid = item.uid;
  if (e.greeting) ev_.timestamp = find_apop_timestamp(s.text);

  if (e.verb == pop3::verb::stls) {
    // The line ended at CRLF, so lines_ holds no partial line: whatever
    // follows in in_ (or later feeds) is behind the barrier.
    lines_.reset();
    mode_ = mode::barrier;
    barrier_reported_ = false;
    sub_fed_ = false;
    return ev_;
  }
  if (e.multi_line()) {
    ev_.multi_line = true;
    body_ = e;
    body_lines_ = 0;
    if (e.verb == pop3::verb::retr || e.verb == pop3::verb::top) {
      // The body starts after the CRLF, which counts as its first line start.
      decoder_.reset();
      body_start_ = offset();
      mode_ = mode::content;
      sub_fed_ = false;
    } else {
      if (e.verb == pop3::verb::capa) caps_.clear();
      mode_ = mode::items;
    }
  }
  return ev_;
}

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::next_item() noexcept {
  feed_lines();
  const line_event le = lines_.next();
  pos_ = in_.size() - lines_.rest().size();
  switch (le.kind) {
    case line_event_kind::need_more:
      if (eof_ && !eof_reported_) return eof_error(body_);
      return need_more();
    case line_event_kind::error: {
      ++body_lines_;
      const client_event& ev = fail(le.error, le.offset + skew_, body_, le.line);
      ev_.lines = body_lines_;
      return ev;
    }
    case line_event_kind::line: break;
  }
  const std::uint64_t start = le.offset + skew_;
  return take_item(le.line, start, offset() - start);
}

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::take_item(
    std::string_view line, std::uint64_t start, std::uint64_t octets) noexcept {
  answers(body_);
  ev_.offset = start;
  if (line.size() == 1 && line[0] == '.') {
    ev_.kind = client_event_kind::end;
    ev_.offset = start + octets;
    ev_.lines = body_lines_;
    mode_ = mode::status;
    return ev_;
  }
  ev_.lines = ++body_lines_;
  if (octets > options_.max_item_line_length) {
    fail(errc::line_too_long, start, body_, line.substr(0, error_prefix));
    return ev_;
  }
  std::string_view text = line;
  if (!text.empty() && text[0] == '.') text.remove_prefix(1);  // RFC 1939 §3
  switch (body_.verb) {
    case pop3::verb::list:
    case pop3::verb::uidl: {
      const bool list = body_.verb == pop3::verb::list;
      const listing item = list ? parse_scan_listing(text) : parse_unique_id_listing(text);
      if (item.error != errc{}) return fail(item.error, start, body_, line);
      ev_.kind = list ? client_event_kind::list_item : client_event_kind::uidl_item;
      ev_.number = item.number;
      ev_.size = item.size;
      ev_.uid = item.uid;
      return ev_;
    }
    case pop3::verb::capa: {
      if (const errc e = caps_.add_line(text); e != errc{}) return fail(e, start, body_, line);
      mailwire::detail::item_reader items(text);
      const std::string_view t = items.next();
      std::size_t from = static_cast<std::size_t>(t.data() - text.data()) + t.size();
      std::size_t to = text.size();
      while (from < to && ascii::is_wsp(static_cast<unsigned char>(text[from]))) ++from;
      while (to > from && ascii::is_wsp(static_cast<unsigned char>(text[to - 1]))) --to;
      ev_.kind = client_event_kind::capability;
      ev_.timestamp = t;
      ev_.text = text.substr(from, to - from);
      return ev_;
    }
    case pop3::verb::user:
    case pop3::verb::pass:
    case pop3::verb::apop:
    case pop3::verb::auth:
    case pop3::verb::stls:
    case pop3::verb::stat:
    case pop3::verb::retr:
    case pop3::verb::dele:
    case pop3::verb::noop:
    case pop3::verb::rset:
    case pop3::verb::top:
    case pop3::verb::quit:
    case pop3::verb::utf8:
    case pop3::verb::lang:
    case pop3::verb::unknown: break;
  }
  ev_.kind = client_event_kind::line;
  ev_.text = text;
  return ev_;
}

template <std::size_t Capacity, std::size_t QueueCapacity>
const client_event& client_parser<Capacity, QueueCapacity>::next_content() noexcept {
  if (!sub_fed_) {
    decoder_.feed(rest());
    sub_fed_ = true;
  }
  const dot::decoder_event de = decoder_.next();
  pos_ = in_.size() - decoder_.rest().size();
  answers(body_);
  switch (de.kind) {
    case dot::event_kind::data:
      ev_.kind = client_event_kind::data;
      ev_.text = de.bytes;
      ev_.offset = body_start_ + de.offset;
      return ev_;
    case dot::event_kind::end:
      ev_.kind = client_event_kind::end;
      ev_.offset = body_start_ + de.offset;
      ev_.size = de.size;
      ev_.flags = de.flags;
      ev_.error = de.error;
      ev_.error_offset = de.flags.any() ? body_start_ + de.error_offset : 0;
      mode_ = mode::status;
      sub_fed_ = false;  // the line reader takes the rest
      return ev_;
    case dot::event_kind::error:  // not reached: the decoder is never told EOF
    case dot::event_kind::need_more: break;
  }
  answers(expected{});
  if (eof_ && !eof_reported_) return eof_error(body_);
  return need_more();
}

}  // namespace mailwire::pop3
