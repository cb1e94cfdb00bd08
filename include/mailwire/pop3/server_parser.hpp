#pragma once
// pop3::server_parser: the bytes a POP3 client sends, turned into commands
// and SASL responses (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856).
//
//   mailwire::pop3::server_parser<> p;       // options in the constructor
//   p.feed(bytes);                           // borrowed until next() says need_more
//   for (;;) {
//     const auto& ev = p.next();
//     if (ev.kind == server_event_kind::need_more) break;  // read, feed() or feed_eof()
//     switch (ev.kind) {
//       case server_event_kind::command:
//         if (!allowed_in(ev.command.verb, state)) { send("-ERR ..."); break; }
//         if (ev.command.verb == verb::auth && known(ev.command.mechanism)) {
//           send("+ ...");  p.expect_sasl_response();   // the next line is SASL
//         } ...
//         break;
//       case server_event_kind::sasl_data: append(ev.bytes); break;
//       case server_event_kind::sasl_end:  /* ev.cancelled ? -ERR : check */ break;
//       case server_event_kind::error:
//         // Not for data_after_starttls (the +OK is sent: start the handshake
//         // or close) nor unexpected_eof (the client is gone).
//         send("-ERR ", ev.reply()); break;
//     }
//   }
//
// Grammar (RFC 2449 §3): command = keyword *(SP param) CRLF, at most 255
// octets with the CRLF (RFC 2449 §4). Keywords are matched case-insensitively.
// Arguments are separated by exactly one SP; a doubled or trailing SP is a
// syntax error unless `allow_extra_spaces`. PASS is the exception: its
// argument is the rest of the line verbatim, spaces included (RFC 1939 §7).
//
// The parser does not know the session state (AUTHORIZATION, TRANSACTION):
// it reports every well-formed command, and the server checks
// allowed_in(verb, state) from command.hpp before acting on it.
//
// Modes. The parser reads command lines until the caller says otherwise:
// - SASL: after AUTH with a mechanism (or after a `sasl_end` that was not
//   cancelled) the caller sends "+ challenge" and calls
//   expect_sasl_response(); the next line is a SASL response, streamed as
//   `sasl_data` pieces (lines may be longer than the command limit, RFC 5034
//   §4) and closed by `sasl_end` (`cancelled` for "*", answered -ERR). Join
//   the pieces in a buffer of your own and decode it with
//   smtp/sasl_server.hpp (the same base64 responses). An error event in SASL
//   mode voids the pieces already delivered for that line and ends the
//   exchange: the next bytes are commands again, so answer -ERR and forget
//   it. Without the call (the server refused AUTH or finished it) the next
//   bytes are commands again too.
// - STLS is a barrier (docs/security.md §2, RFC 2595 §4): after an STLS command
//   event no byte is parsed until reset(). Bytes already buffered or fed later
//   give one errc::data_after_starttls error and are dropped. Call reset()
//   once the handshake is done. A server that answers -ERR to STLS calls
//   refuse_stls() instead, before reading on: the session stays in plaintext
//   and the bytes behind the STLS line are commands.
//
// Errors. A bad command line gives one `error` event at its real line end and
// the parser carries on with the next line (RFC 1939 §3: -ERR, state kept).
// An overlong line is one error, discarded whole: its tail is never read as a
// command (docs/security.md §4). Bare CR, bare LF and NUL in a line are errors
// unless allow_bare_lf lets LF end lines. `reply()` on the event gives the
// text for "-ERR".
//
// Split invariance: any split of the stream into feed() calls gives the same
// events, except that sasl_data may come in more, smaller pieces with the
// same concatenation.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/core/sasl_line.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/pop3/command.hpp"

namespace mailwire::pop3 {

struct server_parser_options {
  /// Longest command line, CRLF included (RFC 2449 §4: 255 octets). Capped
  /// by the parser's Capacity.
  std::size_t max_line_length = 255;
  /// Longest SASL response line, CRLF included. RFC 5034 §4 lets it exceed
  /// the command limit; 12288 is what RFC 4954 §4 deems enough for every
  /// mechanism. Streamed, so it may exceed Capacity.
  std::size_t max_auth_line_length = 12288;
  /// Lenient: runs of SP between arguments and SP at the end of the line
  /// are taken as one separator (RFC 2449 §3 says a single SP). Never
  /// applied to PASS, whose argument is verbatim.
  bool allow_extra_spaces = false;
  /// Lenient: a lone LF ends a command or SASL line. Risky: a proxy that
  /// frames differently sees other commands.
  bool allow_bare_lf = false;
};

enum class server_event_kind : std::uint8_t {
  need_more,  ///< every fed byte is used: feed() more, or feed_eof()
  command,    ///< `command` is one valid command line
  sasl_data,  ///< `bytes`: the next piece of a SASL response line (base64 text)
  sasl_end,   ///< the SASL response line is complete; `cancelled` for "*"
  error,      ///< a line was rejected; see error, detail, reply()
};

/// One parser event. Views stay valid until the next next(), feed() or
/// reset(), and no longer than the bytes fed.
struct server_event {
  server_event_kind kind = server_event_kind::need_more;
  /// Stream offset (octets since construction or reset()): command, error,
  /// sasl_end: the line's first octet (for data_after_starttls: the first
  /// octet behind the barrier); sasl_data: the first octet of `bytes`;
  /// need_more: octets consumed so far.
  std::uint64_t offset = 0;
  /// command: the command. error: verb, verb_text and argument of the
  /// rejected line when they could be read (verb is unknown otherwise; a
  /// refused PASS keeps no argument, and `detail` of a PASS line the reader
  /// refused is "PASS" alone; a refused AUTH keeps its argument's first word
  /// only, and the reader's `detail` of an AUTH line ends after the
  /// mechanism: passwords and initial responses stay out of logs);
  /// verb::auth for errors in a SASL response line, verb::stls for
  /// data_after_starttls. Typed fields parsed before the fault may be set;
  /// they are not a command and must not be acted on.
  pop3::command command;
  /// sasl_data: the octets.
  std::string_view bytes;
  /// error: the rule broken (never errc{} then).
  errc error = errc{};
  /// error: the offending part of the line when known (an argument, an
  /// unknown keyword, or the first octets of a line that could not be read).
  std::string_view detail;
  /// error: a short reason for "-ERR <reason>", specific to the argument
  /// that failed where the errc is shared (a bad message number, a bad APOP
  /// digest); static storage, valid forever.
  std::string_view reason;
  /// sasl_end: the client sent "*" (RFC 5034 §4: answer -ERR).
  bool cancelled = false;

  /// error: the text to send after "-ERR ".
  constexpr std::string_view reply() const noexcept {
    return reason.empty() ? reply_text(error) : reason;
  }
};

namespace detail::server_impl {

// What an unknown_command error echoes of the first word: the word if it has
// a keyword's shape (3*4VCHAR, RFC 2449 §3), else nothing: a longer word may
// be anything, a password included ("PASS\thunter2" is one word).
constexpr std::string_view echoable_keyword(std::string_view word) noexcept {
  if (word.size() < 3 || word.size() > 4) return {};
  for (const char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7E) return {};
  }
  return word;
}

}  // namespace detail::server_impl

/// Parses the client side of a POP3 session. Capacity bounds the longest
/// command line and is the parser's only buffer.
template <std::size_t Capacity = 512>
class server_parser {
 public:
  using options_type = server_parser_options;

  server_parser() noexcept : server_parser(server_parser_options{}) {}
  explicit server_parser(const server_parser_options& o) noexcept
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

  /// The client closed: an unfinished command or SASL line becomes one
  /// errc::unexpected_eof error; then need_more forever.
  void feed_eof() noexcept {
    eof_ = true;
    sub_fed_ = false;
  }

  /// The next event: a reference to the parser's own event object, valid
  /// (like the views in it) until the next next(), feed() or reset().
  const server_event& next() noexcept;

  /// After an AUTH command event with a mechanism, or a sasl_end that was not
  /// cancelled, before the next next(): the server sent a "+ " continuation,
  /// so the next line is a SASL response. False (and nothing changes)
  /// otherwise.
  bool expect_sasl_response() noexcept {
    if (!pending_sasl_) return false;
    pending_sasl_ = false;
    leave_command_mode(mode::sasl);
    sasl_.start(options_.max_auth_line_length, options_.allow_bare_lf);
    sasl_start_ = offset();
    return true;
  }

  /// True if bytes wait behind the last event: unconsumed input or a partial
  /// line. With PIPELINING (RFC 2449 §6.6) that is normal; a server may use
  /// it to flush replies only when nothing is pending.
  bool buffered() const noexcept { return pos_ < in_.size() || lines_.mid_line(); }

  /// The fed bytes not consumed yet (borrowed like the feed).
  std::string_view rest() const noexcept { return {in_.data() + pos_, in_.size() - pos_}; }

  /// After an STLS command event the server answered -ERR: the session stays
  /// in plaintext, so the barrier is lifted and the bytes behind the STLS line
  /// are read as commands. Call it before next() drops anything: false (and
  /// nothing changes) unless the parser is at the barrier and has reported no
  /// data_after_starttls. (reset() is not a refusal: it forgets the feed, so
  /// what survived would depend on how the bytes were split.)
  bool refuse_stls() noexcept {
    if (mode_ != mode::barrier || barrier_reported_) return false;
    mode_ = mode::command;
    return true;
  }

  /// Octets consumed since construction or reset().
  std::uint64_t offset() const noexcept { return base_ + pos_; }

  /// Back to the initial state (after a TLS handshake, or to reuse the
  /// parser for another connection); keeps the options.
  void reset() noexcept {
    lines_.reset();
    in_ = {};
    pos_ = 0;
    base_ = 0;
    lines_skew_ = 0;
    mode_ = mode::command;
    pending_sasl_ = false;
    sasl_ = sasl_line{};
    sasl_start_ = 0;
    sub_fed_ = false;
    eof_ = false;
    barrier_reported_ = false;
  }

  const server_parser_options& options() const noexcept { return options_; }

 private:
  static_assert(Capacity >= 255, "server_parser: Capacity below the RFC 2449 command line");

  enum class mode : std::uint8_t { command, sasl, barrier };

  using reader = line_reader<Capacity>;

  static typename reader::options line_options(const server_parser_options& o) noexcept {
    typename reader::options r;
    r.max_length = o.max_line_length;  // the reader caps it at Capacity
    r.allow_bare_lf = o.allow_bare_lf;
    return r;
  }

  // Modes change only at line ends, where the reader holds no partial line.
  // reset(), not feed({}): a reader that saw feed_eof() ignores feeds until
  // reset, and would otherwise resume at its old position.
  void leave_command_mode(mode next) noexcept {
    lines_.reset();
    mode_ = next;
    sub_fed_ = false;
  }

  const server_event& next_command() noexcept;
  const server_event& next_sasl() noexcept;
  void parse_line(std::string_view line, server_event& ev) noexcept;
  void parse_arguments(server_event& ev, std::string_view arg, bool has_sp) noexcept;

  // The first octets of a line the reader refused, for the error's detail,
  // without anything that may be a secret: only up to its first control
  // octet (a bare CR or LF may join the next line to it), of a PASS or APOP
  // line only the keyword, of an AUTH line the keyword and the mechanism, of
  // a line with no known keyword at most that word (echoable_keyword()).
  static std::string_view without_secrets(std::string_view prefix) noexcept {
    const std::string_view line = ascii::up_to_ctl(prefix);
    const std::string_view word = line.substr(0, line.find(' '));
    const verb v = verb_from(word);
    if (v == verb::unknown) return detail::server_impl::echoable_keyword(word);
    if (v == verb::pass || v == verb::apop) return word;
    if (v == verb::auth) {
      const std::string_view rest = line.substr(word.size() + (word.size() < line.size()));
      const std::string_view mechanism = rest.substr(0, rest.find(' '));
      return is_mechanism_name(mechanism) ? line.substr(0, word.size() + 1 + mechanism.size())
                                          : word;
    }
    return line;
  }

  static void fail(server_event& ev, errc e, std::string_view detail = {},
                   std::string_view reason = {}) noexcept {
    ev.kind = server_event_kind::error;
    ev.error = e;
    ev.detail = detail;
    ev.reason = reason;
  }

  server_event& begin_event() noexcept {
    ev_ = server_event{};
    return ev_;
  }

  const server_event& need_more() noexcept {
    server_event& ev = begin_event();
    ev.offset = offset();
    return ev;
  }

  server_parser_options options_;
  server_event ev_;
  reader lines_;
  std::string_view in_;           // current feed (borrowed)
  std::size_t pos_ = 0;           // next octet of in_ to consume
  std::uint64_t base_ = 0;        // stream offset of in_[0]
  std::uint64_t lines_skew_ = 0;  // stream offset minus lines_ offset
  mode mode_ = mode::command;
  bool pending_sasl_ = false;  // the last event allows expect_sasl_response()
  sasl_line sasl_;
  std::uint64_t sasl_start_ = 0;  // stream offset of the SASL line
  bool sub_fed_ = false;          // lines_ has been given in_[pos_..]
  bool eof_ = false;
  bool barrier_reported_ = false;
};

// ---------------------------------------------------------------------------
// Implementation

namespace detail::server_impl {

// The parameters of a command line, split on SP (RFC 2449 §3). Only the first
// three are kept: no command takes more than two, a third means "too many".
struct parameters {
  std::string_view items[3];
  std::size_t count = 0;
  std::string_view empty_item;  // strict: where an empty parameter (extra SP) was
  bool has_empty = false;
};

constexpr parameters split_parameters(std::string_view arg, bool lenient) noexcept {
  parameters p;
  std::size_t i = 0;
  const std::size_t n = arg.size();
  while (i <= n) {
    std::size_t j = i;
    while (j < n && arg[j] != ' ') ++j;
    if (j == i) {
      if (!lenient) {
        p.has_empty = true;
        p.empty_item = arg.substr(i, 0);
        return p;
      }
    } else {
      if (p.count < 3) p.items[p.count] = arg.substr(i, j - i);
      ++p.count;
    }
    i = j + 1;
  }
  return p;
}

// Reasons for errors whose errc is shared by several argument kinds.
inline constexpr std::string_view bad_name = "Invalid user name";
inline constexpr std::string_view bad_password = "Invalid password";
inline constexpr std::string_view extra_space = "Syntax error: one SP between arguments";
inline constexpr std::string_view no_argument_allowed = "No argument allowed";

}  // namespace detail::server_impl

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next() noexcept {
  pending_sasl_ = false;
  switch (mode_) {
    case mode::command: return next_command();
    case mode::sasl: return next_sasl();
    case mode::barrier:
      if (pos_ < in_.size()) {
        const std::uint64_t at = offset();
        pos_ = in_.size();
        if (!barrier_reported_) {
          barrier_reported_ = true;
          server_event& ev = begin_event();
          ev.offset = at;
          ev.command.verb = verb::stls;
          fail(ev, errc::data_after_starttls);
          return ev;
        }
      }
      return need_more();
  }
  return need_more();
}

template <std::size_t Capacity>
const server_event& server_parser<Capacity>::next_command() noexcept {
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
    case line_event_kind::error: fail(ev, le.error, without_secrets(le.line)); break;
    case line_event_kind::line: parse_line(le.line, ev); break;
  }
  return ev;
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_line(std::string_view line, server_event& ev) noexcept {
  namespace impl = detail::server_impl;
  ev.kind = server_event_kind::command;
  command& c = ev.command;

  // keyword = 3*4VCHAR, then SP and the parameters (RFC 2449 §3).
  const std::size_t sp = line.find(' ');
  const bool has_sp = sp != std::string_view::npos;
  c.verb_text = line.substr(0, sp);
  c.verb = verb_from(c.verb_text);
  const std::string_view arg = has_sp ? line.substr(sp + 1) : std::string_view{};
  if (c.verb == verb::unknown) {
    // A first word that is no keyword ("PASS\thunter2") may hold anything:
    // nothing of it is kept.
    const std::string_view echoed = impl::echoable_keyword(c.verb_text);
    if (echoed.empty()) c.verb_text = c.verb_text.substr(0, 0);  // empty, where the line starts
    return fail(ev, errc::unknown_command, echoed);
  }
  c.argument = arg;
  parse_arguments(ev, arg, has_sp);
  // APOP's digest is derived from the shared secret: a refused APOP keeps
  // neither the argument, the name (the digest may come first) nor a detail.
  if (c.verb == verb::apop && ev.kind == server_event_kind::error) {
    c.argument = c.name = {};
    ev.detail = {};
  }
}

template <std::size_t Capacity>
void server_parser<Capacity>::parse_arguments(server_event& ev, std::string_view arg,
                                              bool has_sp) noexcept {
  namespace impl = detail::server_impl;
  command& c = ev.command;

  // PASS string: the rest of the line, spaces included (RFC 1939 §7), but
  // like every param no control octet (RFC 2449 §3: 1*VCHAR) and well-formed
  // UTF-8 where it is not ASCII (RFC 6856 §2). The error carries no detail:
  // servers log details, and this one is a password.
  if (c.verb == verb::pass) {
    if (arg.empty()) return fail(ev, errc::missing_argument);
    c.argument = {};  // until it passes
    for (const char ch : arg) {
      const auto o = static_cast<unsigned char>(ch);
      if (o != ' ' && o < 0x80 && !ascii::is_vchar(o))
        return fail(ev, errc::invalid_syntax, {}, impl::bad_password);
    }
    if (!utf8::is_valid(arg)) return fail(ev, errc::invalid_utf8, {}, impl::bad_password);
    c.argument = arg;
    c.password = arg;
    return;
  }

  // "STAT " is an empty parameter in strict mode, and no parameter leniently.
  const impl::parameters p =
      has_sp ? impl::split_parameters(arg, options_.allow_extra_spaces) : impl::parameters{};
  // Past an AUTH line's mechanism are credentials, refused or not: its
  // errors keep only the mechanism, in `argument` (servers log errors), and
  // nothing when the first word is no mechanism name.
  const auto auth_word = [arg] {
    const std::string_view word = arg.substr(0, arg.find(' '));
    return is_mechanism_name(word) ? word : std::string_view{};
  };
  if (p.has_empty) {
    if (c.verb == verb::auth) c.argument = auth_word();
    return fail(ev, errc::invalid_syntax, p.empty_item, impl::extra_space);
  }
  const std::string_view first = p.items[0];
  const std::string_view second = p.items[1];
  // Parameter counts: too few is missing_argument, too many
  // unexpected_argument, naming the first parameter too many.
  const auto count_ok = [&](std::size_t least, std::size_t most) {
    if (p.count < least) {
      fail(ev, errc::missing_argument);
      return false;
    }
    if (p.count > most) {
      const std::string_view extra = p.items[most];
      fail(ev, errc::unexpected_argument, extra,
           most == 0 ? impl::no_argument_allowed : std::string_view{});
      return false;
    }
    return true;
  };
  // msg = 1*DIGIT, 1..2^32-1 (RFC 1939 §5: messages are numbered from 1).
  const auto message_number = [&](std::string_view s) {
    const number_result r = parse_number(s);
    if (!r.ok || r.value == 0) {
      fail(ev, errc::invalid_message_number, s);
      return false;
    }
    c.message = r.value;
    c.has_message = true;
    return true;
  };

  switch (c.verb) {
    case verb::user:
    case verb::apop: {
      if (!count_ok(c.verb == verb::user ? 1 : 2, c.verb == verb::user ? 1 : 2)) return;
      if (const errc e = check_name(first); e != errc{})
        return fail(ev, e, first, e == errc::invalid_syntax ? impl::bad_name : std::string_view{});
      c.name = first;
      if (c.verb == verb::apop) {
        if (!is_apop_digest(second)) return fail(ev, errc::invalid_digest);
        c.digest = second;
      }
      return;
    }
    case verb::auth:
      // auth-command = "AUTH" SP sasl-mech [SP initial-response] (RFC 5034
      // §4). A bare "AUTH" is the older way to ask for the mechanisms.
      {
        const auto refuse = [&ev, &c, auth_word](errc e, std::string_view detail = {}) {
          c.argument = auth_word();
          fail(ev, e, detail);
        };
        if (p.count > 2) return refuse(errc::unexpected_argument);
        if (p.count == 0) return;
        // Not echoed: no mechanism name, so it may be anything (credentials).
        if (!is_mechanism_name(first)) return refuse(errc::invalid_mechanism);
        c.mechanism = first;
        if (p.count == 2) {
          // initial-response = base64 / "=" (an empty response).
          if (second != "=") {
            if (base64::validate(second) != errc{}) return refuse(errc::invalid_base64);
            c.initial_response = second;
          }
          c.has_initial_response = true;
        }
        pending_sasl_ = true;
        return;
      }
    case verb::stls:
    case verb::capa:
    case verb::utf8:
    case verb::stat:
    case verb::noop:
    case verb::rset:
    case verb::quit:
      if (!count_ok(0, 0)) return;
      if (c.verb == verb::stls) {
        leave_command_mode(mode::barrier);
        barrier_reported_ = false;
      }
      return;
    case verb::lang:
      if (!count_ok(0, 1)) return;
      if (p.count == 1) {
        if (!is_language_range(first)) return fail(ev, errc::invalid_language_range, first);
        c.language = first;
      }
      return;
    case verb::list:
    case verb::uidl:
      if (!count_ok(0, 1)) return;
      if (p.count == 1) message_number(first);
      return;
    case verb::retr:
    case verb::dele:
      if (count_ok(1, 1)) message_number(first);
      return;
    case verb::top: {
      if (!count_ok(2, 2) || !message_number(first)) return;
      // n = 1*DIGIT, 0 allowed: the headers only (RFC 1939 §7).
      const number_result n = parse_number(second);
      if (!n.ok) return fail(ev, errc::invalid_line_count, second);
      c.lines = n.value;
      return;
    }
    case verb::pass:
    case verb::unknown: return;
  }
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
  if (ev.kind == server_event_kind::sasl_end && !ev.cancelled) pending_sasl_ = true;
  return ev;
}

}  // namespace mailwire::pop3
