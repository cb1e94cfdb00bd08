// Fuzz target: smtp::server_parser driven by a server session, every event
// checked against the parser's contract (server_parser.hpp).
//
// Input: bytes 0-2 pick the parser options (fuzz::smtp_config_from in
// smtp_support.hpp: Capacity 512 or 2048, the line/address/auth/chunk/
// parameter limits, the lenient switches, the DATA decoder), byte 3 the
// session, byte 4 the split; the rest is the client's byte stream.
//   byte 2 bit 6  afterwards reset() the parser and run the whole stream again
//                 in one piece (the parser is reusable)
//   byte 3 bit 0  refuse DATA (never accept_data(): the body is read as commands)
//          bit 1  no SASL (never expect_sasl_response() after AUTH)
//          bit 2  keep the STARTTLS barrier (else: reset() and go on with the
//                 bytes after the STARTTLS line, as after a TLS handshake)
//          bits 3-4  set_smtputf8(): 0 as the trace tool (MAIL decides; RSET,
//                 HELO/EHLO/LHLO and the end of a message clear), 1 never,
//                 2 always on, 3 toggled after every MAIL
//          bit 5  probe: after every other event accept_data() and
//                 expect_sasl_response() must refuse (and change nothing)
//          bit 6  SASL exchanges go on after every response until "*" (else as
//                 the trace tool: LOGIN two responses, others one, an initial
//                 response counting as one)
//          bit 7  feed_eof() before draining the last piece
//   byte 4        the split (fuzz::split_plan: bits 0-1 kind, 2-4 random piece
//                 size, bit 7 empty feeds; cuts around CR, LF and '.')
// Every piece lives in its own exact-size heap block, scribbled over and freed
// once the parser says need_more (fuzz::for_each_piece): a view kept too long
// is a use-after-free under ASan.
//
// Checked on every event (a violation is __builtin_trap):
// - offsets: p.offset() never goes back and never passes the bytes fed; every
//   event's offset is within what was fed; each element starts exactly where
//   the previous one ended (a skipped BDAT chunk excepted, by its size);
//   need_more has consumed everything (rest() empty), and buffered() then
//   says whether a partial command line waits;
// - the event fits the mode the session put the parser in (commands, DATA
//   body, BDAT chunk, SASL line, STARTTLS barrier, failed after a fatal error);
// - command lines (and rejected lines that were parsed): the line in the
//   stream ends in CRLF (or LF with allow_bare_lf), holds no CR, LF or NUL, is
//   within the limits (MAIL/RCPT: max_address_line_length, others
//   max_line_length, all: Capacity); the verb_text view points at the line,
//   into the fed piece when the line began in it, otherwise into the piece or
//   the parser's own buffer, and holds exactly the line; every other view
//   (argument, path fields, parameters, mechanism, initial response, detail)
//   lies inside it; the verb is verb_from(verb_text) and its arguments obey
//   its grammar; after a command buffered() == !rest().empty();
// - MAIL/RCPT: write_mailbox() of the path succeeds and "<" + it + ">" parses
//   again (with utf8 when the path had UTF-8) to the same path, and writes
//   back to the same text; UTF-8 only under SMTPUTF8; the parameters iterate
//   to exactly count() (<= max_parameters) items and pass
//   check_mail/rcpt_parameters;
// - DATA: the data views lie in the piece in stream order or are the
//   decoder's literals (fuzz::data_view_checker); data_end is just past a
//   CRLF.CRLF (or a lone ".\r\n") and agrees with a dot::decoder run over the
//   same body (content, size, flags, first flag and where);
// - BDAT: the chunk is exactly the next chunk_size octets, as views into the
//   piece; data_end repeats size and LAST; a size over max_chunk_size or
//   unparseable is fatal, and after a fatal error nothing but need_more comes;
// - SASL: sasl_data views lie in the piece, contiguous from the line start,
//   base64 characters only; sasl_end: the line is exactly the joined pieces
//   plus its line end (or "*" for cancelled), base64 in 4-groups, within
//   max_auth_line_length; expect_sasl_response() works after it unless
//   cancelled;
// - errors: fuzz::check_error_event (a named errc, a 4xx/5xx reply, fatal only
//   for invalid_chunk_size), and the error is one the mode can produce, with
//   its cause visible in the line (bare CR, bare LF, NUL, length);
// - after feed_eof() the session ends in need_more within a bounded number of
//   next() calls, stays there, and ignores further feed().

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using smtp::server_event;
using smtp::server_event_kind;
using smtp::verb;

struct session_policy {
  bool accept_data = true;
  bool sasl = true;
  bool keep_barrier = false;
  int utf8 = 0;  // 0 as the trace tool, 1 never, 2 always, 3 toggled after MAIL
  bool probe = false;
  bool sasl_forever = false;
  bool eof_early = false;
};

/// What the session expects the parser to read next.
enum class mode { command, skip, data, chunk, sasl, barrier, failed };

bool has_byte(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

/// The line [start, end) of the stream without its line end: CRLF, or LF when
/// allowed. Checks that it has one.
std::string_view line_content(std::string_view line, bool allow_bare_lf) {
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
  if (!allow_bare_lf) FUZZ_CHECK(crlf);
  return line.substr(0, line.size() - (crlf ? 2 : 1));
}

/// Leading decimal digits of s as a number; false on overflow.
bool leading_number(std::string_view s, std::uint64_t& value, std::size_t& digits) {
  value = 0;
  digits = 0;
  bool ok = true;
  while (digits < s.size() && ascii::is_digit(static_cast<unsigned char>(s[digits]))) {
    const auto d = static_cast<std::uint64_t>(s[digits] - '0');
    if (value > (UINT64_MAX - d) / 10) ok = false;
    value = value * 10 + d;
    ++digits;
  }
  return ok;
}

bool base64_text(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '+' && c != '/' && c != '=') return false;
  }
  return true;
}

std::string unquoted(std::string_view local_part) {
  std::string out(local_part.size(), '\0');
  const smtp::copy_result r = smtp::unquote_local_part(local_part, out.data(), out.size());
  FUZZ_CHECK(r.ok());
  out.resize(r.size);
  return out;
}

std::string mailbox_of(const smtp::path& p) {
  std::string mb;
  appendable_sink<std::string> sink(mb);
  FUZZ_CHECK(smtp::write_mailbox(sink, p) == errc{});
  return mb;
}

/// The session over the stream; fuzz::stream_session (support.hpp) keeps
/// where it stands.
template <class Parser>
class session : fuzz::stream_session {
 public:
  session(Parser& p, std::string_view input, const fuzz::smtp_config& cfg,
          const session_policy& pol)
      : fuzz::stream_session(input), p_(p), cfg_(cfg), o_(cfg.options), pol_(pol) {}

  void run(const std::vector<std::size_t>& plan) {
    FUZZ_CHECK(p_.offset() == 0 && !p_.failed() && !p_.buffered());
    set_utf8_initial();
    feed(p_, plan, pol_.eof_early, [&](std::size_t len) { drain(len); });
    check_end_stays(p_, "NOOP\r\n");
    FUZZ_CHECK(mode_ != mode::data && mode_ != mode::chunk);
    if (mode_ == mode::skip) FUZZ_CHECK(input_.size() - elem_end_ == skip_);  // skipped to the end
    if (mode_ == mode::command) FUZZ_CHECK(!p_.buffered());
  }

 private:
  void set_utf8_initial() {
    utf8_ = pol_.utf8 == 2;
    if (utf8_) p_.set_smtputf8(true);
  }
  void set_utf8(bool on) {
    utf8_ = on;
    p_.set_smtputf8(on);
  }

  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      const server_event& ev = next_event(p_, n, 4 * len + 16);
      switch (ev.kind) {
        case server_event_kind::need_more:
          FUZZ_CHECK(index(ev.offset) == now_);
          FUZZ_CHECK(now_ == fed_end_);  // everything fed is used
          FUZZ_CHECK(p_.rest().empty());
          FUZZ_CHECK(p_.buffered() == partial_line());
          probe(false, false);
          return;
        case server_event_kind::command: on_command(ev); break;
        case server_event_kind::error: on_error(ev); break;
        case server_event_kind::data: on_data(ev); break;
        case server_event_kind::data_end: on_data_end(ev); break;
        case server_event_kind::sasl_data: on_sasl_data(ev); break;
        case server_event_kind::sasl_end: on_sasl_end(ev); break;
      }
      FUZZ_CHECK(p_.failed() == (mode_ == mode::failed));
      FUZZ_CHECK(p_.smtputf8() == utf8_);
    }
  }

  /// After need_more: does a partial command line wait in the parser?
  bool partial_line() const {
    if (mode_ == mode::command) return now_ > elem_end_;
    if (mode_ == mode::skip) return now_ - elem_end_ > skip_;  // (a size may be near 2^64)
    return false;  // a body, chunk or SASL line is not held back
  }

  /// With the probe policy: the calls the last event does not allow must be
  /// refused.
  void probe(bool data_allowed, bool sasl_allowed) {
    if (!pol_.probe) return;
    if (!data_allowed) FUZZ_CHECK(!p_.accept_data());
    if (!sasl_allowed) FUZZ_CHECK(!p_.expect_sasl_response());
  }

  /// Checks a parsed line (command, or error from the command grammar) that
  /// starts at ev.offset and returns its content; sets line_ to the line view.
  /// The parser has consumed it (a fatal error consumes everything fed).
  std::string_view check_line(const server_event& ev) {
    const std::uint64_t start = index(ev.offset);
    // The line's content holds no LF (checked below), so its end is the first.
    const std::size_t lf = input_.find('\n', static_cast<std::size_t>(start));
    FUZZ_CHECK(lf != std::string_view::npos);
    const std::uint64_t end = lf + 1;
    FUZZ_CHECK(ev.fatal ? now_ == fed_end_ : now_ == end);
    const std::string_view content =
        line_content(input_.substr(start, end - start), o_.allow_bare_lf);
    FUZZ_CHECK(!has_byte(content, '\r') && !has_byte(content, '\n') && !has_byte(content, '\0'));
    FUZZ_CHECK(end - start <= cfg_.reader_max);
    const char* const base = ev.command.verb_text.data();
    FUZZ_CHECK(base != nullptr);
    const std::string_view line(base, content.size());
    if (start >= piece_idx_) {
      FUZZ_CHECK(base == piece_.data() + (start - piece_idx_));
    } else {  // begun in an earlier piece: carried in the parser (or only the CRLF was earlier)
      FUZZ_CHECK(fuzz::inside(line, piece_.data(), piece_.size()) ||
                 fuzz::inside(line, &p_, sizeof p_));
    }
    FUZZ_CHECK(line == content);
    line_ = line;
    return content;
  }

  /// A non-empty view lies inside the current line.
  void in_line(std::string_view v) const {
    if (!v.empty()) FUZZ_CHECK(fuzz::inside(v, line_.data(), line_.size()));
  }

  void command_views(const smtp::command& c) const {
    FUZZ_CHECK(c.verb_text.data() == line_.data());
    in_line(c.verb_text);
    in_line(c.argument);
    in_line(c.path.local_part);
    in_line(c.path.domain);
    in_line(c.path.address);
    in_line(c.path.tag);
    in_line(c.parameters.text());
    in_line(c.mechanism);
    in_line(c.initial_response);
  }

  void element_start(const server_event& ev) {
    const std::uint64_t start = index(ev.offset);
    if (mode_ == mode::skip) {
      FUZZ_CHECK(start >= elem_end_ && start - elem_end_ == skip_);
      mode_ = mode::command;
      skip_ = 0;
    } else {
      FUZZ_CHECK(start == elem_end_);
    }
  }

  void on_command(const server_event& ev) {
    FUZZ_CHECK(mode_ == mode::command || mode_ == mode::skip);
    element_start(ev);
    const smtp::command& c = ev.command;
    const std::string_view content = check_line(ev);
    command_views(c);
    FUZZ_CHECK(c.verb != verb::unknown);
    FUZZ_CHECK(smtp::verb_from(c.verb_text) == c.verb);
    const bool address = c.verb == verb::mail || c.verb == verb::rcpt;
    FUZZ_CHECK(content.size() + 2 <= (address ? o_.max_address_line_length : o_.max_line_length));
    // RFC 2920: what follows the command in this feed is what is buffered.
    FUZZ_CHECK(p_.buffered() == !p_.rest().empty());
    FUZZ_CHECK(now_ + p_.rest().size() == fed_end_);
    elem_end_ = now_;

    switch (c.verb) {
      case verb::helo:
      case verb::ehlo:
      case verb::lhlo:
        FUZZ_CHECK(!c.argument.empty());
        if (o_.check_hello_domain) FUZZ_CHECK(smtp::check_domain_or_literal(c.argument) == errc{});
        FUZZ_CHECK(smtp::detail::plain_argument(c.argument));
        probe(false, false);
        if (pol_.utf8 == 0) set_utf8(false);
        return;
      case verb::mail:
      case verb::rcpt:
        check_address(c);
        probe(false, false);
        if (c.verb == verb::mail) {
          if (pol_.utf8 == 0) set_utf8(c.parameters.contains("SMTPUTF8"));
          if (pol_.utf8 == 3) set_utf8(!utf8_);
        }
        return;
      case verb::data:
        FUZZ_CHECK(c.argument.empty());
        probe(true, false);
        if (pol_.accept_data) {
          FUZZ_CHECK(p_.accept_data());
          FUZZ_CHECK(!p_.accept_data());  // once
          mode_ = mode::data;
          body_start_ = now_;
          body_.clear();
          views_ = fuzz::data_view_checker(input_.substr(now_), o_.data.policy);
        }
        return;
      case verb::bdat: {
        std::uint64_t size = 0;
        std::size_t digits = 0;
        FUZZ_CHECK(leading_number(c.argument, size, digits) && digits > 0);
        FUZZ_CHECK(size == c.chunk_size && size <= o_.max_chunk_size);
        const std::string_view tail = c.argument.substr(digits);
        FUZZ_CHECK(c.last ? ascii::iequals(tail, " LAST") : tail.empty());
        probe(false, false);
        mode_ = mode::chunk;
        chunk_start_ = now_;
        chunk_size_ = size;
        chunk_last_ = c.last;
        chunk_got_ = 0;
        return;
      }
      case verb::auth: {
        FUZZ_CHECK(smtp::is_sasl_mechanism_name(c.mechanism));
        FUZZ_CHECK(c.mechanism.data() == c.argument.data());
        if (c.has_initial_response) {
          if (c.initial_response.empty())
            FUZZ_CHECK(c.argument.substr(c.mechanism.size()) == " =");
          else
            FUZZ_CHECK(base64::validate(c.initial_response) == errc{});
        } else {
          FUZZ_CHECK(c.argument == c.mechanism);
        }
        probe(false, true);
        if (pol_.sasl) {
          sasl_left_ = pol_.sasl_forever ? -1 : ascii::iequals(c.mechanism, "LOGIN") ? 2 : 1;
          if (c.has_initial_response && sasl_left_ > 0) --sasl_left_;
          if (sasl_left_ != 0) start_sasl();
        }
        return;
      }
      case verb::rset:
      case verb::quit:
        FUZZ_CHECK(c.argument.empty());
        probe(false, false);
        if (c.verb == verb::rset && pol_.utf8 == 0) set_utf8(false);
        return;
      case verb::starttls:
        FUZZ_CHECK(c.argument.empty());
        probe(false, false);
        if (pol_.keep_barrier) {
          mode_ = mode::barrier;
        } else {
          after_handshake();
        }
        return;
      case verb::vrfy:
      case verb::expn:
      case verb::etrn: FUZZ_CHECK(!c.argument.empty()); [[fallthrough]];
      case verb::help:
      case verb::noop:
        FUZZ_CHECK(smtp::detail::plain_argument(c.argument));
        probe(false, false);
        return;
      case verb::unknown: break;
    }
    FUZZ_CHECK(false);
  }

  void check_address(const smtp::command& c) {
    const bool mail = c.verb == verb::mail;
    const smtp::path& path = c.path;
    FUZZ_CHECK(path.kind != (mail ? smtp::path_kind::postmaster : smtp::path_kind::null));
    if (path.utf8) FUZZ_CHECK(p_.smtputf8() || (mail && c.parameters.contains("SMTPUTF8")));

    // Written with the least quoting, the mailbox parses again to the same path.
    const std::string mb = mailbox_of(path);
    smtp::path_options po;
    po.allow_null = mail;
    po.allow_postmaster = !mail;
    po.utf8 = path.utf8;
    po.enforce_length_limits = o_.enforce_path_limits;
    const std::string text = "<" + mb + ">";
    const smtp::path_result r = smtp::parse_path(text, po);
    FUZZ_CHECK(r.ok());
    FUZZ_CHECK(r.consumed == text.size());
    const smtp::path& q = r.path;
    FUZZ_CHECK(q.kind == path.kind && q.domain_type == path.domain_type);
    FUZZ_CHECK(q.domain == path.domain && q.address == path.address && q.tag == path.tag);
    // path.utf8 also covers a dropped source route, which the mailbox lacks.
    FUZZ_CHECK((q.utf8 == path.utf8 || (path.source_route && !q.utf8)) && !q.source_route);
    FUZZ_CHECK(unquoted(q.local_part) == unquoted(path.local_part));
    if (path.kind == smtp::path_kind::null) FUZZ_CHECK(mb.empty());
    FUZZ_CHECK(mailbox_of(q) == mb);

    // The parameters.
    std::size_t n = 0;
    for (const smtp::parameter& prm : c.parameters) {
      ++n;
      FUZZ_CHECK(!prm.keyword.empty());
      in_line(prm.keyword);
      in_line(prm.value);
      FUZZ_CHECK(prm.has_value == !prm.value.empty());
      FUZZ_CHECK(fuzz::inside(prm.keyword, c.parameters.text().data(), c.parameters.text().size()));
      const auto found = c.parameters.find(prm.keyword);
      FUZZ_CHECK(found.has_value() && found->keyword.data() == prm.keyword.data());
    }
    FUZZ_CHECK(n == c.parameters.count());
    FUZZ_CHECK(n <= o_.max_parameters);
    FUZZ_CHECK(n == 0 || !c.parameters.text().empty());
    FUZZ_CHECK(mail ? smtp::check_mail_parameters(c.parameters).ok()
                    : smtp::check_rcpt_parameters(c.parameters).ok());
    if (!p_.smtputf8() && !(mail && c.parameters.contains("SMTPUTF8")))
      for (const char ch : c.parameters.text())
        FUZZ_CHECK(ascii::is_ascii(static_cast<unsigned char>(ch)));
  }

  void after_handshake() {
    restart(p_, p_.rest(), [&] {
      FUZZ_CHECK(p_.offset() == 0 && !p_.failed() && !p_.smtputf8() && !p_.buffered());
    });
    mode_ = mode::command;
    set_utf8_initial();
  }

  void start_sasl() {
    FUZZ_CHECK(p_.expect_sasl_response());
    FUZZ_CHECK(!p_.expect_sasl_response());  // once
    mode_ = mode::sasl;
    sasl_start_ = now_;
    sasl_.clear();
  }

  void on_error(const server_event& ev) {
    fuzz::check_error_event(ev);
    const smtp::command& c = ev.command;
    const std::uint64_t start = index(ev.offset);
    probe(false, false);
    switch (mode_) {
      case mode::command:
      case mode::skip:
        if (mode_ == mode::skip && ev.error == errc::unexpected_eof && start == now_ &&
            now_ - elem_end_ < skip_) {
          FUZZ_CHECK(eof_ && now_ == fed_end_ && c.verb == verb::bdat);
          mode_ = mode::command;  // not fatal: the stream simply ended
          skip_ = 0;
          elem_end_ = now_;
          return;
        }
        element_start(ev);
        if (c.verb_text.data() != nullptr) {
          on_line_error(ev);
        } else {
          on_framing_error(ev);
        }
        elem_end_ = now_;
        return;
      case mode::data:
        FUZZ_CHECK(ev.error == errc::unexpected_eof && eof_);
        FUZZ_CHECK(start == fed_end_ && now_ == fed_end_);
        FUZZ_CHECK(c.verb == verb::data);
        mode_ = mode::command;
        elem_end_ = now_;
        return;
      case mode::chunk:
        FUZZ_CHECK(ev.error == errc::unexpected_eof && eof_);
        FUZZ_CHECK(start == fed_end_ && now_ == fed_end_);
        FUZZ_CHECK(chunk_start_ + chunk_got_ == fed_end_ && chunk_got_ < chunk_size_);
        FUZZ_CHECK(c.verb == verb::bdat);
        mode_ = mode::command;  // not fatal: the stream simply ended
        elem_end_ = now_;
        return;
      case mode::sasl: {
        FUZZ_CHECK(start == sasl_start_);
        FUZZ_CHECK(c.verb == verb::auth);
        const std::string_view line = input_.substr(start, now_ - start);
        if (!ends_line(line)) {
          // feed_eof(): an unfinished SASL response is unexpected_eof.
          FUZZ_CHECK(eof_ && now_ == fed_end_ && now_ > sasl_start_);
          FUZZ_CHECK(ev.error == errc::unexpected_eof);
        } else {
          FUZZ_CHECK(ev.error != errc::unexpected_eof);
          const std::string_view content = line_content(line, o_.allow_bare_lf);
          const std::size_t limit = o_.max_auth_line_length > 2 ? o_.max_auth_line_length - 2 : 0;
          if (ev.error == errc::invalid_base64) {
            FUZZ_CHECK(content != "*");
            FUZZ_CHECK(base64::validate(content) != errc{});
          } else if (ev.error == errc::auth_line_too_long) {
            FUZZ_CHECK(content.size() > limit);
          } else {
            framing_cause(ev.error, content);
          }
        }
        mode_ = mode::command;
        elem_end_ = now_;
        return;
      }
      case mode::barrier:
        FUZZ_CHECK(ev.error == errc::data_after_starttls);
        FUZZ_CHECK(!barrier_reported_);
        barrier_reported_ = true;
        FUZZ_CHECK(start == elem_end_ && start < now_ && now_ == fed_end_);
        return;
      case mode::failed: FUZZ_CHECK(false); return;
    }
  }

  /// Does the line [start, now_) end as a line does (CRLF, or LF when allowed)?
  bool ends_line(std::string_view line) const {
    if (line.empty() || line.back() != '\n') return false;
    return o_.allow_bare_lf || (line.size() >= 2 && line[line.size() - 2] == '\r');
  }

  /// An error for a line the command grammar rejected.
  void on_line_error(const server_event& ev) {
    const smtp::command& c = ev.command;
    const std::string_view content = check_line(ev);
    command_views(c);
    in_line(ev.detail);
    FUZZ_CHECK(smtp::verb_from(c.verb_text) == c.verb);
    FUZZ_CHECK((c.verb == verb::unknown) == (ev.error == errc::unknown_command));
    if (ev.error == errc::unknown_command) {
      // The verb is echoed only if it looks like one (1-8 letters, digits or
      // "-"); otherwise nothing of the line is kept (it may be credentials).
      FUZZ_CHECK(ev.detail == c.verb_text && ev.detail.size() <= 8);
      for (const char ch : ev.detail)
        FUZZ_CHECK(ascii::is_alnum(static_cast<unsigned char>(ch)) || ch == '-');
      if (c.verb_text.empty()) FUZZ_CHECK(c.argument.empty());
    }
    if (ev.error == errc::line_too_long) {
      const bool address = c.verb == verb::mail || c.verb == verb::rcpt;
      FUZZ_CHECK(content.size() + 2 > (address ? o_.max_address_line_length : o_.max_line_length));
    }
    if (ev.error == errc::invalid_chunk_size) {
      FUZZ_CHECK(c.verb == verb::bdat);
      std::uint64_t size = 0;
      std::size_t digits = 0;
      const bool fits = leading_number(c.argument, size, digits);
      FUZZ_CHECK(digits == 0 || !fits || size > o_.max_chunk_size);
      mode_ = mode::failed;
    }
    if (c.verb == verb::bdat &&
        (ev.error == errc::invalid_syntax || ev.error == errc::line_too_long)) {
      // The size parsed: its octets are skipped without events.
      std::uint64_t size = 0;
      std::size_t digits = 0;
      FUZZ_CHECK(leading_number(c.argument, size, digits) && digits > 0);
      FUZZ_CHECK(size <= o_.max_chunk_size);
      if (size > 0) {
        mode_ = mode::skip;
        skip_ = size;
        elem_end_ = now_;
      }
    }
  }

  /// An error of the line framing: the line is not readable as a command.
  void on_framing_error(const server_event& ev) {
    const smtp::command& c = ev.command;
    const std::uint64_t start = index(ev.offset);
    if (ev.error == errc::unexpected_eof) {
      FUZZ_CHECK(c.verb == verb::unknown && c.argument.empty() && ev.detail.empty());
      FUZZ_CHECK(eof_ && now_ == fed_end_ && start < now_);
      return;
    }
    const std::string_view line = input_.substr(start, now_ - start);
    // An unreadable BDAT line: its chunk's extent is unknown, the stream lost.
    const bool bdat = line.size() >= 5 && ascii::iequals(line.substr(0, 5), "BDAT ");
    if (bdat) {
      FUZZ_CHECK(ev.error == errc::invalid_chunk_size && ev.fatal && c.verb == verb::bdat);
      // The parser gave up and consumed everything: the line is the first one.
      std::size_t end = o_.allow_bare_lf ? line.find('\n') : line.find("\r\n");
      FUZZ_CHECK(end != std::string_view::npos);
      if (o_.allow_bare_lf && end > 0 && line[end - 1] == '\r') --end;
      // Its first octets, up to a control octet (a bare CR or LF may join the
      // next line, an AUTH say).
      std::string_view first = line.substr(0, std::min(end, error_prefix));
      for (std::size_t i = 0; i < first.size(); ++i) {
        const auto o = static_cast<unsigned char>(first[i]);
        if (o < 0x20 || o == 0x7F) {
          first = first.substr(0, i);
          break;
        }
      }
      FUZZ_CHECK(ev.detail == first);
      mode_ = mode::failed;
      return;
    }
    FUZZ_CHECK(c.verb == verb::unknown && c.argument.empty() && ev.detail.empty());
    const std::string_view content = line_content(line, o_.allow_bare_lf);
    if (ev.error == errc::line_too_long)
      FUZZ_CHECK(line.size() > cfg_.reader_max);
    else
      framing_cause(ev.error, content);
  }

  /// A bare CR, bare LF or NUL error has its cause in the line's content.
  void framing_cause(errc e, std::string_view content) const {
    if (e == errc::bare_cr)
      FUZZ_CHECK(has_byte(content, '\r'));
    else if (e == errc::bare_lf)
      FUZZ_CHECK(has_byte(content, '\n') && !o_.allow_bare_lf);
    else if (e == errc::nul_in_line)
      FUZZ_CHECK(has_byte(content, '\0'));
    else
      FUZZ_CHECK(false);
  }

  void on_data(const server_event& ev) {
    FUZZ_CHECK(!ev.bytes.empty());
    probe(false, false);
    const std::uint64_t at = index(ev.offset);
    if (mode_ == mode::data) {
      FUZZ_CHECK(at >= body_start_);
      fuzz::check_body_data(views_, body_start_, at, ev.bytes, piece_, piece_idx_);
      body_.append(ev.bytes.data(), ev.bytes.size());
      return;
    }
    FUZZ_CHECK(mode_ == mode::chunk);
    check_raw(ev.bytes, at, chunk_start_ + chunk_got_);
    chunk_got_ += ev.bytes.size();
    FUZZ_CHECK(chunk_got_ <= chunk_size_);
  }

  void on_data_end(const server_event& ev) {
    probe(false, false);
    const std::uint64_t end = index(ev.offset);
    FUZZ_CHECK(end == now_);
    if (mode_ == mode::chunk) {
      FUZZ_CHECK(chunk_got_ == chunk_size_ && end == chunk_start_ + chunk_size_);
      FUZZ_CHECK(ev.size == chunk_size_ && ev.last == chunk_last_ && ev.chunk);
      FUZZ_CHECK(ev.error == errc{} && !ev.flags.any());
    } else {
      FUZZ_CHECK(mode_ == mode::data);
      check_body(ev, end);
    }
    mode_ = mode::command;
    elem_end_ = end;
    if (ev.last && pol_.utf8 == 0) set_utf8(false);
  }

  void check_body(const server_event& ev, std::uint64_t end) {
    FUZZ_CHECK(ev.last && !ev.chunk);
    FUZZ_CHECK(ev.size == body_.size());
    const std::string_view wire = input_.substr(body_start_, end - body_start_);
    FUZZ_CHECK(wire == ".\r\n" ||
               (wire.size() >= 5 && wire.substr(wire.size() - 5) == "\r\n.\r\n"));
    FUZZ_CHECK(views_.input_end() <= wire.size());
    if (ev.error != errc{}) {
      FUZZ_CHECK(ev.flags.has(ev.error));
      FUZZ_CHECK(index(ev.error_offset) >= body_start_ && index(ev.error_offset) < end);
      FUZZ_CHECK(detail::error_reply_valid(ev.reply()));
    } else {
      FUZZ_CHECK(!ev.flags.any());
    }
    // The same body through a decoder of its own, fed whole.
    const fuzz::whole_decode d = fuzz::decode_whole(wire, o_.data);
    const dot::decoder_event& de = d.end;
    FUZZ_CHECK(de.size == ev.size);
    FUZZ_CHECK(fuzz::flag_bits(de.flags) == fuzz::flag_bits(ev.flags));
    FUZZ_CHECK(de.error == ev.error);
    if (de.error != errc{}) FUZZ_CHECK(body_start_ + de.error_offset == index(ev.error_offset));
    FUZZ_CHECK(d.content == body_);
  }

  void on_sasl_data(const server_event& ev) {
    probe(false, false);
    FUZZ_CHECK(mode_ == mode::sasl);
    const std::uint64_t at = index(ev.offset);
    FUZZ_CHECK(!ev.bytes.empty());
    check_raw(ev.bytes, at, sasl_start_ + sasl_.size());
    FUZZ_CHECK(base64_text(ev.bytes));
    sasl_.append(ev.bytes.data(), ev.bytes.size());
  }

  void on_sasl_end(const server_event& ev) {
    FUZZ_CHECK(mode_ == mode::sasl);
    const std::uint64_t start = index(ev.offset);
    FUZZ_CHECK(start == sasl_start_);
    FUZZ_CHECK(ev.command.verb == verb::auth);
    const std::string_view content =
        line_content(input_.substr(start, now_ - start), o_.allow_bare_lf);
    if (ev.cancelled) {
      FUZZ_CHECK(sasl_.empty() && content == "*");
    } else {
      FUZZ_CHECK(content == sasl_);
      FUZZ_CHECK(base64::validate(sasl_) == errc{});
    }
    const std::size_t limit = o_.max_auth_line_length > 2 ? o_.max_auth_line_length - 2 : 0;
    FUZZ_CHECK(content.size() <= limit);
    elem_end_ = now_;
    mode_ = mode::command;
    probe(false, !ev.cancelled);
    if (ev.cancelled) {
      FUZZ_CHECK(!p_.expect_sasl_response());
      return;
    }
    if (sasl_left_ > 0) --sasl_left_;
    if (sasl_left_ != 0) start_sasl();
  }

  Parser& p_;
  const fuzz::smtp_config& cfg_;
  const smtp::server_parser_options& o_;
  const session_policy pol_;

  std::uint64_t skip_ = 0;  // chunk octets skipped after a rejected BDAT
  mode mode_ = mode::command;
  bool utf8_ = false;      // what the session set with set_smtputf8()
  std::string_view line_;  // the current line, as the parser's views see it

  // DATA
  std::uint64_t body_start_ = 0;
  std::string body_;
  fuzz::data_view_checker views_{{}, dot::line_end_policy::reject};
  // BDAT
  std::uint64_t chunk_start_ = 0, chunk_size_ = 0, chunk_got_ = 0;
  bool chunk_last_ = false;
  // SASL
  std::uint64_t sasl_start_ = 0;
  std::string sasl_;
  int sasl_left_ = 0;  // responses still to ask for; -1: no end
  // STARTTLS
  bool barrier_reported_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = fuzz::kSmtpConfigBytes + 2;
  if (size < header) return 0;
  const fuzz::smtp_config cfg = fuzz::smtp_config_from(data);
  const std::uint8_t s = data[3];
  session_policy pol;
  pol.accept_data = (s & 0x01) == 0;
  pol.sasl = (s & 0x02) == 0;
  pol.keep_barrier = (s & 0x04) != 0;
  pol.utf8 = (s >> 3) & 3;
  pol.probe = (s & 0x20) != 0;
  pol.sasl_forever = (s & 0x40) != 0;
  pol.eof_early = (s & 0x80) != 0;
  const bool again = (data[2] & 0x40) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[4], fuzz::fnv1a(data, size), cut_around);
  fuzz::with_parser(cfg, [&](auto& p) {
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run(plan);
    if (!again) return;
    p.reset();
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run({input.size()});
  });
  return 0;
}
