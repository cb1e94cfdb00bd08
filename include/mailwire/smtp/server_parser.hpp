#pragma once
// smtp::server_parser: the bytes an SMTP, ESMTP or LMTP client sends, turned
// into commands, message data and SASL responses.
//
//   mailwire::smtp::server_parser<> p;       // options in the constructor
//   p.feed(bytes);                           // borrowed until next() says need_more
//   for (;;) {
//     const auto& ev = p.next();               // valid until the next next()
//     if (ev.kind == server_event_kind::need_more) break;  // read, feed() or feed_eof()
//     switch (ev.kind) {
//       case server_event_kind::command:
//         if (ev.command.verb == verb::data && ok_to_receive) {
//           send("354 ...");  p.accept_data();     // the body follows as data events
//         } ...
//         break;
//       case server_event_kind::data:      store(ev.bytes); break;
//       case server_event_kind::data_end:  finish(ev.error, ev.size); break;
//       case server_event_kind::sasl_data: append(ev.bytes); break;  // smtp/sasl_server.hpp reads it
//       case server_event_kind::sasl_end:  /* ev.cancelled ? 501 : check */ break;
//       case server_event_kind::error:
//         if (ev.error == errc::data_after_starttls) break;  // never answered in plaintext
//         send(ev.reply()); if (ev.fatal) close(); break;
//       default: break;
//     }
//   }
//
// Modes. The parser reads command lines until the caller says otherwise:
// - DATA: after a DATA command event the caller sends 354 and calls
//   accept_data() before the next next(); the body then comes as `data` slices
//   through dot::decoder (strict CRLF.CRLF end, docs/security.md §1), closed by a
//   `data_end` event carrying the body's flags. Without accept_data() (the
//   server refused DATA) the next bytes are commands again.
// - BDAT: a BDAT command whose size parsed is always followed by exactly that
//   many raw octets as `data` events and a `data_end`, whatever the caller
//   answers (RFC 3030 §2 requires reading a rejected chunk). A BDAT line whose
//   size parsed but whose rest is bad gives an error and its chunk is skipped
//   silently. A size that does not parse or overflows is fatal
//   (errc::invalid_chunk_size): the byte count is unknown, the connection
//   must close.
// - SASL: after AUTH (or after a `sasl_end`) the caller sends 334 and calls
//   expect_sasl_response(); the next line is a SASL response, streamed as
//   `sasl_data` pieces (so a 12288-octet line needs no 12 KiB buffer) and
//   closed by `sasl_end` (`cancelled` for "*"; RFC 4954 §4 answers it with
//   501, e.g. "501 5.7.0 Authentication cancelled"). Join the pieces in a
//   buffer of sasl::max_response_line - 2 octets (the longest line's text;
//   a fixed_sink, which refuses what does not fit) and decode it with
//   smtp/sasl_server.hpp. An error event in SASL mode (a line too long, a
//   NUL, bare CR or LF in it) voids the pieces already delivered and ends the
//   exchange: the parser reads commands again (expect_sasl_response() is not
//   pending), so answer ev.reply() and forget the exchange.
// - STARTTLS is a barrier (docs/security.md §2): after a STARTTLS command event no
//   byte is parsed as a command again until reset(). Bytes already buffered
//   or fed later give one errc::data_after_starttls error and are dropped.
//   Call reset() once the handshake is done. A server that refuses STARTTLS
//   (454) calls refuse_starttls() instead, before reading on: the session
//   stays in plaintext and the bytes behind the STARTTLS line are commands.
//
// Errors. A bad command line gives one `error` event at its real line end and
// the parser carries on with the next line (RFC 5321 §4.1.4: reply and keep
// the state). An overlong line is one error, discarded whole: its tail is
// never read as a command (docs/security.md §4). Bare CR, bare LF and NUL in a
// command line are errors unless allow_bare_lf lets LF end lines. `reply()`
// on the event gives the reply to send.
//
// Split invariance: any split of the stream into feed() calls gives the same
// events, except that data and sasl_data may come in more, smaller pieces with
// the same concatenation.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/bytes16.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/core/sasl_line.hpp"
#include "mailwire/core/scan.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/mail_rcpt_fast_path.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"

namespace mailwire::smtp {

struct server_parser_options {
  /// Longest command line, CRLF included, for every verb but MAIL and RCPT
  /// (RFC 5321 §4.5.3.1.4).
  std::size_t max_line_length = 512;
  /// Longest MAIL or RCPT line: extensions add to the 512 octets (SIZE, BODY,
  /// AUTH=, SMTPUTF8, ...: RFC 5321 §4.5.3.1.4, RFC 1870 §3); 2048 covers all
  /// of them. Capped by the parser's Capacity.
  std::size_t max_address_line_length = 2048;
  /// Longest SASL response line, CRLF included (RFC 4954 §4: 12288 octets is
  /// enough for every mechanism). Streamed, so it may exceed Capacity.
  std::size_t max_auth_line_length = 12288;
  /// Largest BDAT chunk accepted. A bigger size is fatal like an unparseable
  /// one (the parser would otherwise swallow that many octets).
  std::uint64_t max_chunk_size = UINT64_MAX;
  /// Most ESMTP parameters on one MAIL or RCPT line.
  std::size_t max_parameters = 32;
  /// Enforce the local-part (64), domain (255) and path (256) limits
  /// (RFC 5321 §4.5.3.1.1-3).
  bool enforce_path_limits = true;
  /// Check HELO/EHLO/LHLO arguments against the Domain / address-literal
  /// grammar (errc::invalid_domain). Off: any argument is taken.
  bool check_hello_domain = true;
  /// Lenient: a lone LF ends a command line (never inside DATA: the body's
  /// end stays CRLF.CRLF whatever this says). Risky: a relay that treats LF
  /// differently can be made to see other commands.
  bool allow_bare_lf = false;
  /// Lenient: "MAIL FROM: <a@b>" (RFC 5321 §3.3 forbids the space).
  bool allow_space_after_colon = false;
  /// Lenient: "MAIL FROM:a@b" without angle brackets.
  bool allow_missing_brackets = false;
  /// Options for DATA bodies (policy for bare CR/LF, size and line limits).
  dot::decoder_options data{};
};

enum class server_event_kind : std::uint8_t {
  need_more,  ///< every fed byte is used: feed() more, or feed_eof()
  command,    ///< `command` is one valid command line
  data,       ///< `bytes`: the next piece of a DATA body (unstuffed) or a BDAT chunk
  data_end,   ///< the body or chunk is complete; see size, last, error, flags
  sasl_data,  ///< `bytes`: the next piece of a SASL response line (base64 text)
  sasl_end,   ///< the SASL response line is complete; `cancelled` for "*"
  error,      ///< a line or element was rejected; see error, reply(), fatal
};

/// One parser event. Views stay valid until the next next(), feed() or
/// reset(), and no longer than the bytes fed.
struct server_event {
  server_event_kind kind = server_event_kind::need_more;
  /// Stream offset (octets since construction or reset()): command, error,
  /// sasl_end: the line's first octet; data, sasl_data: the first input octet
  /// of `bytes`; data_end: just past the body's last octet (terminator
  /// included); need_more: octets consumed so far.
  std::uint64_t offset = 0;
  /// command: the command. error: verb, verb_text and argument of the
  /// rejected line when they could be read (verb is unknown otherwise); of a
  /// refused AUTH line the argument is the mechanism alone, and `detail` names
  /// nothing past it: initial responses stay out of logs.
  smtp::command command;
  /// data, sasl_data: the octets.
  std::string_view bytes;
  /// error: the rule broken. data_end of DATA: the first flag raised in the
  /// body (errc{} if clean), which suggested_reply() maps to the answer.
  errc error = errc{};
  /// error: the offending part of the line (a parameter, the path) if known.
  std::string_view detail;
  /// error: the stream cannot be followed any more (errc::invalid_chunk_size):
  /// reply (421) and close. The parser ignores all further input.
  bool fatal = false;
  /// data_end: octets of the body (decoded size for DATA, chunk size for BDAT).
  std::uint64_t size = 0;
  /// data_end: BDAT with LAST, or a DATA body (which is always the last).
  bool last = false;
  /// data_end of a BDAT chunk (false for DATA).
  bool chunk = false;
  /// data_end of DATA: everything flagged in the body.
  dot::body_flags flags;
  /// data_end of DATA: stream offset of `error`.
  std::uint64_t error_offset = 0;
  /// sasl_end: the client sent "*" (RFC 4954 §4: answer 501).
  bool cancelled = false;

  /// error (and data_end with an error): the reply to send.
  constexpr reply_hint reply() const noexcept { return reply_for(error, command.verb); }
};

/// Parses the client side of an SMTP/ESMTP/LMTP session. Capacity bounds the
/// longest command line (MAIL/RCPT included) and is the parser's only buffer.
template <std::size_t Capacity = 2048>
class server_parser {
 public:
  using options_type = server_parser_options;

  server_parser() noexcept : server_parser(server_parser_options{}) {}
  explicit server_parser(const server_parser_options& o) noexcept
      : options_(o), lines_(line_options(o)), body_(o.data) {
    const std::size_t longest = line_options(o).max_length;
    line_limit_ = longest < Capacity ? longest : Capacity;
  }

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

  /// The client closed: an unfinished line, body, chunk or SASL response
  /// becomes one errc::unexpected_eof error; then need_more forever.
  void feed_eof() noexcept {
    eof_ = true;
    sub_fed_ = false;
  }

  /// The next event: a reference to the parser's own event object, valid
  /// (like the views in it) until the next next(), feed() or reset().
  const server_event& next() noexcept;

  /// After a DATA command event, before the next next(): the server sent 354,
  /// so the bytes after the DATA line are the message. False (and nothing
  /// changes) if the last event was not a DATA command.
  bool accept_data() noexcept {
    if (pending_ != pending::data) return false;
    pending_ = pending::none;
    leave_command_mode(mode::data);
    body_.reset();
    body_base_ = offset();
    return true;
  }

  /// After an AUTH command event or a sasl_end (not cancelled), before the
  /// next next(): the server sent 334, so the next line is a SASL response.
  /// False (and nothing changes) otherwise.
  bool expect_sasl_response() noexcept {
    if (pending_ != pending::sasl) return false;
    pending_ = pending::none;
    leave_command_mode(mode::sasl);
    sasl_.start(options_.max_auth_line_length, options_.allow_bare_lf);
    sasl_start_ = offset();
    return true;
  }

  /// After a STARTTLS command event the server refused (454, or 501 to a bad
  /// line that was no STARTTLS event): the session stays in plaintext, so the
  /// barrier is lifted and the bytes behind the STARTTLS line are read as
  /// commands, as if it had been any other refused command. Call it before
  /// next() drops anything: false (and nothing changes) unless the parser is
  /// at the barrier and has reported no data_after_starttls. (reset() is not
  /// a refusal: it forgets the feed, so what survived would depend on how the
  /// bytes were split.)
  bool refuse_starttls() noexcept {
    if (mode_ != mode::barrier || barrier_reported_) return false;
    mode_ = mode::command;
    return true;
  }

  /// Whether SMTPUTF8 is in force for the current transaction (the server
  /// accepted a MAIL with the SMTPUTF8 parameter, RFC 6531 §3.4): RCPT paths
  /// may then hold UTF-8. MAIL decides by its own parameter. The caller sets
  /// it after accepting such a MAIL and clears it when the transaction ends.
  void set_smtputf8(bool in_force) noexcept { smtputf8_ = in_force; }
  bool smtputf8() const noexcept { return smtputf8_; }

  /// True if bytes wait behind the last event: unconsumed input or a partial
  /// line. A session uses it for RFC 2920 group rules (a command that must
  /// end a group, such as EHLO, DATA or QUIT, with bytes behind it).
  bool buffered() const noexcept { return pos_ < in_.size() || lines_.mid_line(); }

  /// The fed bytes not consumed yet (borrowed like the feed).
  std::string_view rest() const noexcept { return {in_.data() + pos_, in_.size() - pos_}; }

  /// Octets consumed since construction or reset().
  std::uint64_t offset() const noexcept { return base_ + pos_; }

  /// The parser stopped for good after a fatal error.
  bool failed() const noexcept { return mode_ == mode::failed; }

  /// Back to the initial state (after a TLS handshake, or to reuse the
  /// parser for another connection); keeps the options.
  void reset() noexcept {
    lines_.reset();
    body_.reset();
    in_ = {};
    pos_ = 0;
    base_ = 0;
    body_base_ = 0;
    lines_skew_ = 0;
    chunk_left_ = 0;
    chunk_size_ = 0;
    chunk_last_ = false;
    mode_ = mode::command;
    pending_ = pending::none;
    sasl_ = sasl_line{};
    sasl_start_ = 0;
    sub_fed_ = false;
    eof_ = false;
    barrier_reported_ = false;
    smtputf8_ = false;
  }

  const server_parser_options& options() const noexcept { return options_; }

 private:
  static_assert(Capacity >= 512, "server_parser: Capacity below the RFC 5321 command line");

  enum class mode : std::uint8_t { command, data, chunk, skip_chunk, sasl, barrier, failed };
  enum class pending : std::uint8_t { none, data, sasl };

  using reader = line_reader<Capacity>;

  static typename reader::options line_options(const server_parser_options& o) noexcept {
    typename reader::options r;
    const std::size_t longest = o.max_line_length > o.max_address_line_length
                                    ? o.max_line_length
                                    : o.max_address_line_length;
    r.max_length = longest;
    r.allow_bare_lf = o.allow_bare_lf;
    return r;
  }

  // The line reader gives up the rest of the feed (the parser hands it to
  // the next reader), so its buffered() means "a partial line" only.
  void leave_command_mode(mode next) noexcept {
    // It holds no partial line here (modes change at line ends). reset(),
    // not feed({}): a reader that saw feed_eof() ignores feeds until reset,
    // and would otherwise resume at its old position.
    lines_.reset();
    mode_ = next;
    sub_fed_ = false;
  }

  const server_event& next_command() noexcept;
  bool next_short_line(std::string_view& line) noexcept;
  const server_event& next_data() noexcept;
  const server_event& next_chunk() noexcept;
  const server_event& next_sasl() noexcept;
  // Each fills ev_, the one event next() returns.
  void parse_line(std::string_view line, server_event& ev) noexcept;
  void parse_mail_or_rcpt(server_event& ev, std::string_view arg) noexcept;
  void parse_bdat(server_event& ev, std::string_view arg) noexcept;
  void parse_auth(server_event& ev, std::string_view arg) noexcept;

  static void fail(server_event& ev, errc e, std::string_view detail = {}) noexcept {
    ev.kind = server_event_kind::error;
    ev.error = e;
    ev.detail = detail;
  }

  static void clear_path(path& pa) noexcept {
    pa.kind = path_kind::null;
    pa.local_part = {};
    pa.domain = {};
    pa.domain_type = domain_kind::name;
    pa.address = {};
    pa.tag = {};
    pa.quoted = false;
    pa.utf8 = false;
    pa.source_route = false;
  }

  // ev_ emptied field by field: assigning a whole server_event{} compiles
  // to a slow-starting rep stos (it is 352 octets), several ns per event.
  server_event& begin_event() noexcept {
    server_event& e = ev_;
    e.kind = server_event_kind::need_more;
    e.offset = 0;
    command& c = e.command;
    c.verb = verb::unknown;
    c.verb_text = {};
    c.argument = {};
    clear_path(c.path);
    detail::parameter_list_builder::clear(c.parameters);
    c.chunk_size = 0;
    c.last = false;
    c.has_initial_response = false;
    c.mechanism = {};
    c.initial_response = {};
    e.bytes = {};
    e.error = errc{};
    e.detail = {};
    e.fatal = false;
    e.size = 0;
    e.last = false;
    e.chunk = false;
    e.flags = dot::body_flags{};
    e.error_offset = 0;
    e.cancelled = false;
    full_clear_ = true;  // the caller may set any field
    return e;
  }

  // A command line's event: every field a line can set was cleared by
  // begin_event() or set by the last line, and parse_line() sets kind, verb,
  // verb_text and argument itself, so only what the last line left is
  // emptied: the path and the parameter list, which a MAIL or RCPT sets
  // (emptied whether or not the last line was one: plain stores cost less
  // than a branch that mispredicts on the mix of commands).
  server_event& begin_line_event() noexcept {
    if (full_clear_) return begin_event();
    clear_path(ev_.command.path);
    detail::parameter_list_builder::clear(ev_.command.parameters);
    return ev_;
  }

  // What parse_line() left in ev_ beyond kind, verb, verb_text, argument
  // and offset: nothing for most commands, the path and parameters of a
  // MAIL or RCPT, possibly anything for an error, BDAT or AUTH.
  void note_line_event(const server_event& ev) noexcept {
    const verb v = ev.command.verb;
    full_clear_ = ev.kind != server_event_kind::command || v == verb::bdat || v == verb::auth;
  }

  const server_event& need_more() noexcept {
    server_event& ev = begin_event();
    ev.offset = offset();
    return ev;
  }

  server_parser_options options_;
  server_event ev_;
  reader lines_;
  dot::decoder body_;
  std::string_view in_;           // current feed (borrowed)
  std::size_t pos_ = 0;           // next octet of in_ to consume
  std::uint64_t base_ = 0;        // stream offset of in_[0]
  std::uint64_t body_base_ = 0;   // stream offset of the DATA body's first octet
  std::uint64_t lines_skew_ = 0;  // stream offset minus lines_ offset
  std::size_t line_limit_ = 0;    // the longest line lines_ takes, line end included
  std::uint64_t chunk_left_ = 0;  // BDAT octets still to consume
  std::uint64_t chunk_size_ = 0;
  bool chunk_last_ = false;
  mode mode_ = mode::command;
  pending pending_ = pending::none;
  sasl_line sasl_;
  std::uint64_t sasl_start_ = 0;  // stream offset of the SASL line
  bool sub_fed_ = false;          // the active reader has been given in_[pos_..]
  bool eof_ = false;
  bool barrier_reported_ = false;
  bool smtputf8_ = false;
  // ev_ may hold fields beyond a command line's (begin_line_event).
  bool full_clear_ = false;
};

// ---------------------------------------------------------------------------
// Implementation

namespace detail {

constexpr std::string_view trim_trailing_wsp(std::string_view s) noexcept {
  std::size_t n = s.size();
  while (n > 0 && ascii::is_wsp(static_cast<unsigned char>(s[n - 1]))) --n;
  return {s.data(), n};
}

/// An argument may hold HT and printable octets, and octets >= 0x80 (UTF-8
/// under SMTPUTF8 for VRFY/EXPN; the caller decides); never other controls.
constexpr bool plain_argument(std::string_view s) noexcept {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

/// What an unknown_command error echoes of the verb: the word if it looks
/// like one (1-8 letters, digits or "-", as every SMTP verb does), else
/// nothing: a longer or stranger word may be anything, credentials included
/// ("AUTH\tPLAIN\t<base64>" is one word up to its first SP).
constexpr std::string_view echoable_verb(std::string_view word) noexcept {
  if (word.empty() || word.size() > 8) return {};
  for (const char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-') return {};
  }
  return word;
}

/// No octet >= 0x80, eight at a time.
inline bool all_ascii(std::string_view s) noexcept {
  std::size_t i = 0;
  std::uint64_t any = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    any |= w;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080u) == 0;
}

}  // namespace detail

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next() noexcept {
  pending_ = pending::none;
  switch (mode_) {
    case mode::command: return next_command();
    case mode::data: return next_data();
    case mode::chunk:
    case mode::skip_chunk: return next_chunk();
    case mode::sasl: return next_sasl();
    case mode::barrier:
      if (pos_ < in_.size()) {
        const std::uint64_t at = offset();
        pos_ = in_.size();
        if (!barrier_reported_) {
          barrier_reported_ = true;
          server_event& ev = begin_event();
          ev.offset = at;
          fail(ev, errc::data_after_starttls);
          return ev;
        }
      }
      return need_more();
    case mode::failed: pos_ = in_.size(); return need_more();
  }
  return need_more();
}

// Most command lines are short and arrive whole: such a line, when lines_
// holds no partial line, is framed here, sixteen octets at a time, without
// the line reader's bookkeeping. Only a CRLF-ended line of plain octets within
// the first short_line is taken; anything else (a bare CR or LF, a NUL, a longer line,
// a line end beyond the feed, end of input) is left to lines_, which alone
// reports framing errors.
template <std::size_t Capacity>
bool server_parser<Capacity>::next_short_line(std::string_view& line) noexcept {
#if MAILWIRE_HAS_BYTES16
  if (eof_ || lines_.mid_line()) return false;
  constexpr std::size_t short_line = 256;
  const char* const b = in_.data();
  const std::size_t n = in_.size();
  for (std::size_t i = pos_; i < pos_ + short_line && n - i >= 16; i += 16) {
    const bytes16::vec v = bytes16::load(b + i);
    const std::uint32_t stops =
        bytes16::mask(bytes16::equal(v, '\r') | bytes16::equal(v, '\n') | bytes16::equal(v, 0));
    if (stops == 0) continue;
    const std::size_t end = i + static_cast<std::size_t>(__builtin_ctz(stops));
    if (b[end] != '\r' || end + 1 == n || b[end + 1] != '\n' || end + 2 - pos_ > line_limit_)
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
const server_event& server_parser<Capacity>::next_command() noexcept {
  if (std::string_view line; next_short_line(line)) {
    server_event& ev = begin_line_event();
    ev.offset = offset() - line.size() - 2;
    parse_line(line, ev);
    note_line_event(ev);
    return ev;
  }
  if (!sub_fed_) {
    lines_skew_ = offset() - lines_.offset();
    lines_.feed(rest());
    if (eof_) lines_.feed_eof();
    sub_fed_ = true;
  }
  const line_event le = lines_.next();
  pos_ = in_.size() - lines_.rest().size();
  server_event& ev = begin_event();
  ev.offset = le.offset + lines_skew_;
  switch (le.kind) {
    case line_event_kind::need_more: ev.offset = offset(); break;
    case line_event_kind::error:
      // A BDAT line that cannot be read leaves its chunk's extent unknown:
      // the chunk must never be read as commands, so the stream is lost.
      if (ascii::istarts_with(le.line, "BDAT ")) {
        ev.command.verb = verb::bdat;
        leave_command_mode(mode::failed);
        pos_ = in_.size();
        ev.fatal = true;
        // Up to its first control octet: a bare CR or LF may join the next
        // line (an AUTH, say) to it.
        fail(ev, errc::invalid_chunk_size, ascii::up_to_ctl(le.line));
      } else {
        fail(ev, le.error);
      }
      break;
    case line_event_kind::line: parse_line(le.line, ev); break;
  }
  return ev;
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_line(std::string_view line, server_event& ev) noexcept {
  ev.kind = server_event_kind::command;
  command& c = ev.command;

  // RFC 5321 §4.1.1: trailing white space SHOULD be tolerated; it is never
  // part of an argument.
  const std::string_view text = detail::trim_trailing_wsp(line);
  // Most verbs have four letters: look there before searching.
  const std::size_t sp = text.size() > 4 && text[4] == ' ' ? 4
                         : text.size() == 4                ? std::string_view::npos
                                                           : text.find(' ');
  const bool has_arg = sp != std::string_view::npos;
  c.verb_text = std::string_view(text.data(), has_arg ? sp : text.size());
  c.verb = verb_from(c.verb_text);
  const std::string_view arg =
      has_arg ? std::string_view(text.data() + sp + 1, text.size() - sp - 1) : std::string_view{};
  c.argument = arg;
  if (c.verb == verb::unknown) {
    // A verb mailwire does not know keeps its argument (a server may
    // implement it); a first word that is no verb ("AUTH\tPLAIN\t<base64>")
    // may hold anything, and nothing of the line is kept.
    const std::string_view echoed = detail::echoable_verb(c.verb_text);
    if (echoed.empty()) {
      c.verb_text = c.verb_text.substr(0, 0);  // empty, where the line starts
      c.argument = {};
    }
    return fail(ev, errc::unknown_command, echoed);
  }

  // MAIL and RCPT may use the extensions' extra length; every other verb
  // keeps to the base line (RFC 5321 §4.5.3.1.4).
  const std::size_t limit = c.verb == verb::mail || c.verb == verb::rcpt
                                ? options_.max_address_line_length
                                : options_.max_line_length;
  if (line.size() + 2 > limit) {
    // An AUTH line's initial response is credentials: not in the error.
    if (c.verb == verb::auth) c.argument = {};
    // Even a refused BDAT line must have its chunk consumed (RFC 3030 §2).
    if (c.verb == verb::bdat) {
      parse_bdat(ev, arg);
      if (ev.fatal) return;
      mode_ = mode::skip_chunk;  // refused: read and dropped
    }
    return fail(ev, errc::line_too_long);
  }

  switch (c.verb) {
    case verb::helo:
    case verb::ehlo:
    case verb::lhlo:
      if (arg.empty()) return fail(ev, errc::missing_argument);
      if (options_.check_hello_domain) {
        const errc e = check_domain_or_literal(arg);
        if (e != errc{}) return fail(ev, e, arg);
      } else if (!detail::plain_argument(arg)) {
        return fail(ev, errc::invalid_syntax, arg);
      }
      return;
    case verb::mail:
    case verb::rcpt: return parse_mail_or_rcpt(ev, arg);
    case verb::bdat: return parse_bdat(ev, arg);
    case verb::auth: return parse_auth(ev, arg);
    case verb::data:
    case verb::rset:
    case verb::quit:
    case verb::starttls:
      // RFC 5321 §4.1.1: no arguments (501); RFC 3207 §4 likewise.
      if (has_arg) return fail(ev, errc::unexpected_argument, arg);
      if (c.verb == verb::data) pending_ = pending::data;
      if (c.verb == verb::starttls) {
        leave_command_mode(mode::barrier);
        barrier_reported_ = false;
      }
      return;
    case verb::vrfy:
    case verb::expn:
    case verb::etrn:
      if (arg.empty()) return fail(ev, errc::missing_argument);
      [[fallthrough]];
    case verb::help:
    case verb::noop:
      if (!detail::plain_argument(arg)) return fail(ev, errc::invalid_syntax, arg);
      return;
    case verb::unknown: break;
  }
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_mail_or_rcpt(server_event& ev, std::string_view arg) noexcept {
  command& c = ev.command;
  const bool mail = c.verb == verb::mail;
  // "MAIL FROM:" / "RCPT TO:" with no space around the colon (RFC 5321 §3.3),
  // the letters in either case: OR-ing 0x20 folds only a letter's two forms
  // together.
  const std::size_t keyword = mail ? 5 : 3;
  const char* const a = arg.data();
  const bool introduced =
      mail ? arg.size() >= 5 && detail::folded_verb_key(a) == detail::folded_verb_key("from") &&
                 a[4] == ':'
           : arg.size() >= 3 && (a[0] | 0x20) == 't' && (a[1] | 0x20) == 'o' && a[2] == ':';
  if (!introduced) return fail(ev, errc::invalid_syntax, arg);
  std::string_view rest(a + keyword, arg.size() - keyword);
  c.argument = rest;
  if (!rest.empty() && rest.front() == ' ') {
    if (!options_.allow_space_after_colon) return fail(ev, errc::invalid_syntax, rest);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  if (rest.empty()) return fail(ev, errc::missing_argument);
  // The common line is judged whole by the fast path; the exact parsers
  // decide the rest (and give every error).
  std::size_t consumed = detail::mail_rcpt_fast_path(rest, mail, options_.max_parameters, c);
  const bool ascii_params = consumed != 0;  // the fast path takes ASCII parameters only
  std::string_view params = c.parameters.text();
  if (consumed == 0) {
    path_options po;
    po.allow_null = mail;
    po.allow_postmaster = !mail;
    po.utf8 = true;  // decided below, once the parameters are known
    po.enforce_length_limits = options_.enforce_path_limits;
    po.allow_missing_brackets = options_.allow_missing_brackets;
    const path_result pr = parse_path(rest, po);
    if (!pr.ok()) return fail(ev, pr.error, rest);
    c.path = pr.path;
    consumed = pr.consumed;

    params = rest.substr(consumed);
    if (!params.empty()) {
      if (params.front() != ' ') return fail(ev, errc::invalid_syntax, params);
      params.remove_prefix(1);
      parameter_options pao;
      pao.utf8 = true;  // see below
      pao.max_parameters = options_.max_parameters;
      // Straight into the event: no result object to clear and copy.
      std::size_t bad = 0;
      if (const errc e = detail::parse_into(params, pao, c.parameters, bad); e != errc{}) {
        c.parameters = parameter_list{};
        return fail(ev, e, detail::parameter_text_at(params, bad));
      }
      const parameter_check pc =
          mail ? check_mail_parameters(c.parameters) : check_rcpt_parameters(c.parameters);
      if (!pc.ok()) return fail(ev, pc.error, pc.offending);
      detail::parameter_list_builder::mark_checked(c.parameters,
                                                   mail ? detail::mail_rows : detail::rcpt_rows);
    }
  }

  // RFC 6531 §3.4: UTF-8 in the path or in parameter values only when
  // SMTPUTF8 is in force: by this MAIL's own parameter, or for RCPT by the
  // transaction (set_smtputf8).
  const bool utf8_allowed = smtputf8_ || (mail && c.parameters.contains(parameter_kind::smtputf8));
  if (!utf8_allowed) {
    if (c.path.utf8) return fail(ev, errc::smtputf8_required, rest.substr(0, consumed));
    if (!ascii_params && !detail::all_ascii(params))
      return fail(ev, errc::invalid_parameter, params);
  }
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_bdat(server_event& ev, std::string_view arg) noexcept {
  command& c = ev.command;
  // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF (RFC 3030 §2). If
  // the size is not a number the chunk's extent is unknown: fatal.
  std::size_t i = 0;
  std::uint64_t size = 0;
  bool overflow = false;
  while (i < arg.size() && ascii::is_digit(static_cast<unsigned char>(arg[i]))) {
    const auto d = static_cast<std::uint64_t>(arg[i] - '0');
    if (size > (UINT64_MAX - d) / 10) overflow = true;
    size = size * 10 + d;
    ++i;
  }
  if (i == 0 || overflow || size > options_.max_chunk_size) {
    leave_command_mode(mode::failed);
    pos_ = in_.size();
    ev.fatal = true;
    return fail(ev, errc::invalid_chunk_size, arg.substr(0, i == 0 ? arg.find(' ') : i));
  }
  const std::string_view tail = arg.substr(i);
  bool last = false;
  errc e = errc{};
  if (tail.size() == 5 && tail[0] == ' ' && ascii::iequals(tail.substr(1), "LAST")) {
    last = true;
  } else if (!tail.empty()) {
    e = errc::invalid_syntax;
  }
  chunk_left_ = size;
  chunk_size_ = size;
  chunk_last_ = last;
  if (e != errc{}) {
    // The size parsed, so its octets are read and thrown away (RFC 3030 §2).
    leave_command_mode(mode::skip_chunk);
    return fail(ev, e, tail[0] == ' ' ? tail.substr(1) : tail);
  }
  leave_command_mode(mode::chunk);
  c.chunk_size = size;
  c.last = last;
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_auth(server_event& ev, std::string_view arg) noexcept {
  command& c = ev.command;
  // auth-command = "AUTH" SP sasl-mech [SP initial-response] (RFC 4954 §4).
  if (arg.empty()) return fail(ev, errc::missing_argument);
  const std::size_t sp = arg.find(' ');
  c.mechanism = arg.substr(0, sp);
  // Past the mechanism the line holds credentials, refused or not: an error
  // keeps only the mechanism, in `argument` (servers log errors), and
  // nothing when that is no mechanism name: the first word of
  // "AUTH PLAIN\t<base64>" runs to the end.
  c.argument = c.mechanism;
  if (!is_sasl_mechanism_name(c.mechanism)) {
    c.argument = c.mechanism = {};
    return fail(ev, errc::invalid_mechanism);
  }
  if (sp != std::string_view::npos) {
    const std::string_view ir = arg.substr(sp + 1);
    if (ir != "=") {
      if (ir.empty() || ir.find(' ') != std::string_view::npos)
        return fail(ev, errc::invalid_syntax);
      if (base64::validate(ir) != errc{}) return fail(ev, errc::invalid_base64);
      c.initial_response = ir;
    }
    c.has_initial_response = true;
  }
  c.argument = arg;
  pending_ = pending::sasl;
}

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next_data() noexcept {
  if (!sub_fed_) {
    body_.feed(rest());
    if (eof_) body_.feed_eof();
    sub_fed_ = true;
  }
  const dot::decoder_event de = body_.next();
  pos_ = in_.size() - body_.rest().size();
  server_event& ev = begin_event();
  switch (de.kind) {
    case dot::event_kind::need_more: {
      ev.offset = offset();
      return ev;
    }
    case dot::event_kind::data:
      ev.kind = server_event_kind::data;
      ev.offset = body_base_ + de.offset;
      ev.bytes = de.bytes;
      return ev;
    case dot::event_kind::end:
      ev.kind = server_event_kind::data_end;
      ev.offset = body_base_ + de.offset;
      ev.size = de.size;
      ev.last = true;
      ev.flags = de.flags;
      ev.error = de.error;
      ev.error_offset = de.error != errc{} ? body_base_ + de.error_offset : 0;
      ev.command.verb = verb::data;
      mode_ = mode::command;
      sub_fed_ = false;
      return ev;
    case dot::event_kind::error:
      ev.offset = body_base_ + de.offset;
      ev.command.verb = verb::data;
      mode_ = mode::command;
      sub_fed_ = false;
      fail(ev, de.error);
      return ev;
  }
  {
    ev.offset = offset();
    return ev;
  }
}

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next_chunk() noexcept {
  const std::size_t avail = in_.size() - pos_;
  const std::size_t take = chunk_left_ < avail ? static_cast<std::size_t>(chunk_left_) : avail;
  server_event& ev = begin_event();
  ev.command.verb = verb::bdat;
  if (mode_ == mode::chunk && take > 0) {
    ev.kind = server_event_kind::data;
    ev.offset = offset();
    ev.bytes = std::string_view(in_.data() + pos_, take);
    pos_ += take;
    chunk_left_ -= take;
    return ev;
  }
  pos_ += take;
  chunk_left_ -= take;
  if (chunk_left_ > 0) {
    if (!eof_) {
      ev.offset = offset();
      return ev;
    }
    mode_ = mode::command;
    sub_fed_ = false;
    ev.offset = offset();
    fail(ev, errc::unexpected_eof);
    return ev;
  }
  const bool skipped = mode_ == mode::skip_chunk;
  mode_ = mode::command;
  sub_fed_ = false;
  if (skipped) return next();
  ev.kind = server_event_kind::data_end;
  ev.offset = offset();
  ev.size = chunk_size_;
  ev.last = chunk_last_;
  ev.chunk = true;
  return ev;
}

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next_sasl() noexcept {
  // Streamed (core/sasl_line.hpp), so a line longer than Capacity needs no
  // buffer.
  server_event& ev = begin_event();
  ev.command.verb = verb::auth;
  const std::uint64_t at = offset();
  const sasl_step step = sasl_.next(in_, pos_, eof_);
  if (!mailwire::detail::sasl_event(step, ev, at, offset(), sasl_start_)) return ev;
  mode_ = mode::command;
  sub_fed_ = false;
  if (ev.kind == server_event_kind::sasl_end && !ev.cancelled) pending_ = pending::sasl;
  return ev;
}

}  // namespace mailwire::smtp
