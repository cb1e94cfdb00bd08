// Fuzz target: pop3::server_parser driven by a permissive POP3 server, every
// event checked against the parser's contract (server_parser.hpp) and against
// an independent model of the command grammar (fuzz::pop3_model::command in
// pop3_support.hpp, written from RFC 1939, 2449, 5034, 6856 and command.hpp's
// documented choices).
//
// Input: byte 0 picks the parser options (fuzz::pop3_server_config_from:
// Capacity 255 or 1024, max_line_length, max_auth_line_length,
// allow_extra_spaces, allow_bare_lf), byte 1 the session, byte 2 the split;
// the rest is the client's byte stream.
//   byte 1  bit 0  no SASL (never expect_sasl_response() after AUTH)
//           bit 1  SASL exchanges go on after every response until "*" (else:
//                  LOGIN two responses, others one, an initial response
//                  counting as one)
//           bit 2  keep the STLS barrier (else: reset() and go on with the
//                  bytes after the STLS line, as after a TLS handshake)
//           bit 3  probe: after every event that allows no SASL line,
//                  expect_sasl_response() must refuse (and change nothing)
//           bit 4  feed_eof() before draining the last piece
//           bit 5  afterwards reset() the parser and run the whole stream
//                  again in one piece (the parser is reusable)
//   byte 2         the split (fuzz::split_plan: bits 0-1 kind, 2-4 random
//                  piece size, bit 7 empty feeds; cuts around CR, LF and SP)
// Every piece lives in its own exact-size heap block, scribbled over and freed
// once the parser says need_more (fuzz::for_each_piece): a view kept too long
// is a use-after-free under ASan.
//
// Checked on every event (a violation is __builtin_trap):
// - offsets: p.offset() never goes back and never passes the bytes fed; every
//   event's offset is within what was fed; each line starts exactly where the
//   previous one ended and ends at the first line end after its start (CRLF,
//   or LF with allow_bare_lf), so no line is ever read from the tail of an
//   overlong line; need_more has consumed everything (rest() empty), and
//   buffered() then says whether a partial command line waits;
// - framing model: a line is a command or a grammar error exactly when it has
//   no CR, LF or NUL in it and fits min(max_line_length, Capacity); otherwise
//   it is one framing error whose cause is in the line, with the line's first
//   octets as detail;
// - grammar model: for a well-framed line the model's verdict (valid, or the
//   errc and detail) is the parser's, and for a command every typed field
//   (verb, verb_text, argument, name, password, digest, message/has_message,
//   lines, mechanism, initial response, language) equals the model's value
//   re-derived from the raw text, at the same position in the line; the views
//   lie in the fed piece when the line began in it, otherwise in the parser;
// - SASL: only after the server asked (AUTH with a mechanism, or a sasl_end
//   not cancelled; expect_sasl_response() refuses otherwise, checked with the
//   probe); sasl_data views lie in the piece, contiguous from the line start,
//   base64 characters only; sasl_end holds exactly when the line is base64
//   (RFC 4648, zero pad bits) or "*", within max_auth_line_length, with no
//   CR, LF or NUL, and the pieces join to the line; a bad line is one error
//   whose cause is in it;
// - STLS: with the barrier kept, no command or SASL event ever comes from the
//   bytes after the STLS line, they give exactly one data_after_starttls at
//   the line end; with the handshake the parser, once reset(), reads the rest
//   as a new stream from offset 0;
// - after feed_eof() an unfinished line is exactly one unexpected_eof, the
//   session ends in need_more, stays there and ignores further feed().

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/core/line_reader.hpp"
#include "mailwire/pop3/command.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "pop3_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using pop3::server_event;
using pop3::server_event_kind;
using pop3::verb;
namespace model = fuzz::pop3_model;

struct session_policy {
  bool sasl = true;
  bool sasl_forever = false;
  bool keep_barrier = false;
  bool probe = false;
  bool eof_early = false;
};

enum class mode { command, sasl, barrier };

bool has_byte(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

bool framing_errc(errc e) {
  return e == errc::line_too_long || e == errc::bare_cr || e == errc::bare_lf ||
         e == errc::nul_in_line || e == errc::unexpected_eof;
}

/// The session over the stream; fuzz::stream_session (support.hpp) keeps
/// where it stands.
template <class Parser>
class session : fuzz::stream_session {
 public:
  session(Parser& p, std::string_view input, const fuzz::pop3_server_config& cfg,
          const session_policy& pol)
      : fuzz::stream_session(input), p_(p), cfg_(cfg), o_(cfg.options), pol_(pol) {}

  void run(const std::vector<std::size_t>& plan) {
    FUZZ_CHECK(p_.offset() == 0 && !p_.buffered() && p_.rest().empty());
    feed(p_, plan, pol_.eof_early, [&](std::size_t len) { drain(len); });
    check_end_stays(p_, "QUIT\r\n");
    // Every line was accounted for: nothing partial is left behind.
    if (mode_ == mode::command) FUZZ_CHECK(!p_.buffered() && elem_end_ == input_.size());
  }

 private:
  void drain(std::size_t len) {
    for (std::size_t n = 0;; ++n) {
      const server_event& ev = next_event(p_, n, 4 * len + 16);
      switch (ev.kind) {
        case server_event_kind::need_more:
          FUZZ_CHECK(index(ev.offset) == now_);
          FUZZ_CHECK(now_ == fed_end_);  // everything fed is used
          FUZZ_CHECK(p_.rest().empty());
          FUZZ_CHECK(p_.buffered() == (mode_ == mode::command && now_ > elem_end_));
          probe(false);
          return;
        case server_event_kind::command: on_command(ev); break;
        case server_event_kind::error: on_error(ev); break;
        case server_event_kind::sasl_data: on_sasl_data(ev); break;
        case server_event_kind::sasl_end: on_sasl_end(ev); break;
      }
    }
  }

  /// With the probe policy: a call the last event does not allow is refused.
  void probe(bool sasl_allowed) {
    if (pol_.probe && !sasl_allowed) FUZZ_CHECK(!p_.expect_sasl_response());
  }

  /// Does `line` end at its first line end (CRLF, or LF when allowed)?
  bool ends_line(std::string_view line) const {
    if (line.empty() || line.back() != '\n') return false;
    if (o_.allow_bare_lf) return line.find('\n') == line.size() - 1;
    return line.size() >= 2 && line.find("\r\n") == line.size() - 2;
  }

  static std::string_view content_of(std::string_view line) {
    const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
    return line.substr(0, line.size() - (crlf ? 2 : 1));
  }

  /// The framing model: can the line reader hand this line out?
  bool well_framed(std::string_view line, std::string_view content) const {
    return !has_byte(content, '\r') && !has_byte(content, '\n') && !has_byte(content, '\0') &&
           line.size() <= cfg_.reader_max;
  }

  /// A line (command or error) that starts at `start` and was consumed by
  /// the event: it follows the previous element and ends at its first line
  /// end. Returns the whole line.
  std::string_view element_line(std::uint64_t start) {
    FUZZ_CHECK(start == elem_end_);
    FUZZ_CHECK(now_ > start);
    const std::string_view line = input_.substr(start, now_ - start);
    FUZZ_CHECK(ends_line(line));
    return line;
  }

  /// A view of the parser's (or the piece's) line text lies within the line.
  void in_line(std::string_view v) const {
    if (v.empty() && v.data() == nullptr) return;
    FUZZ_CHECK(fuzz::inside(v, line_.data(), line_.size()));
  }

  /// The parser's view `v` is the model's `m` (a view of the same content in
  /// input_): the same bytes at the same place in the line.
  void same_view(std::string_view v, std::string_view m, std::string_view content) const {
    FUZZ_CHECK(v == m);
    if (m.empty()) return;
    in_line(v);
    FUZZ_CHECK(v.data() - line_.data() == m.data() - content.data());
  }

  /// Sets line_: where the parser's views of this line must point.
  void locate_line(const pop3::command& c, std::uint64_t start, std::size_t size) {
    const char* at = c.verb_text.data();
    line_ = std::string_view(at, size);
    if (size == 0) return;  // an empty line's view may point anywhere
    FUZZ_CHECK(at != nullptr);
    if (start >= piece_idx_) {
      // The line began in this piece: its views are into the piece.
      FUZZ_CHECK(at == piece_.data() + (start - piece_idx_));
    } else {
      FUZZ_CHECK(fuzz::inside(line_, &p_, sizeof(Parser)));
    }
  }

  void on_command(const server_event& ev) {
    FUZZ_CHECK(mode_ == mode::command);
    FUZZ_CHECK(ev.error == errc{} && ev.detail.empty() && ev.bytes.empty() && !ev.cancelled);
    const std::uint64_t start = index(ev.offset);
    const std::string_view line = element_line(start);
    const std::string_view content = content_of(line);
    FUZZ_CHECK(well_framed(line, content));
    const pop3::command& c = ev.command;
    locate_line(c, start, content.size());
    const model::command_verdict m = model::command(content, o_.allow_extra_spaces);
    FUZZ_CHECK(m.error == errc{});
    FUZZ_CHECK(c.verb == m.v && c.verb != verb::unknown);
    same_view(c.verb_text, m.verb_text, content);
    same_view(c.argument, m.argument, content);
    same_view(c.name, m.name, content);
    same_view(c.password, m.password, content);
    same_view(c.digest, m.digest, content);
    same_view(c.mechanism, m.mechanism, content);
    same_view(c.initial_response, m.initial_response, content);
    same_view(c.language, m.language, content);
    FUZZ_CHECK(c.message == m.message && c.has_message == m.has_message);
    FUZZ_CHECK(c.lines == m.lines && c.has_initial_response == m.has_initial_response);
    // The library's own rules agree with the model on what it accepted.
    FUZZ_CHECK(pop3::verb_from(c.verb_text) == c.verb);
    FUZZ_CHECK(p_.buffered() == !p_.rest().empty());
    elem_end_ = now_;

    if (c.verb == verb::auth && m.sasl) {
      if (pol_.sasl) {
        sasl_left_ = pol_.sasl_forever ? -1 : model::iequal(c.mechanism, "LOGIN") ? 2 : 1;
        if (c.has_initial_response && sasl_left_ > 0) --sasl_left_;
        if (sasl_left_ != 0) start_sasl();
      }
      return;
    }
    probe(false);
    if (c.verb == verb::stls) {
      if (pol_.keep_barrier) {
        mode_ = mode::barrier;
        barrier_reported_ = false;
      } else {
        after_handshake();
      }
    }
  }

  void after_handshake() {
    const std::string_view rest = p_.rest();
    FUZZ_CHECK(index(p_.offset()) + rest.size() == fed_end_);
    restart(p_, rest, [&] { FUZZ_CHECK(p_.offset() == 0 && !p_.buffered() && p_.rest().empty()); });
    mode_ = mode::command;
  }

  void start_sasl() {
    FUZZ_CHECK(p_.expect_sasl_response());
    FUZZ_CHECK(!p_.expect_sasl_response());  // once
    mode_ = mode::sasl;
    sasl_start_ = now_;
    sasl_.clear();
  }

  void on_error(const server_event& ev) {
    FUZZ_CHECK(ev.error != errc{});
    FUZZ_CHECK(name(ev.error) != "unknown" && name(ev.error) != "none");
    FUZZ_CHECK(!ev.reply().empty());
    FUZZ_CHECK(ev.bytes.empty() && !ev.cancelled);
    const pop3::command& c = ev.command;
    const std::uint64_t start = index(ev.offset);
    probe(false);
    switch (mode_) {
      case mode::command: {
        if (ev.error == errc::unexpected_eof) {
          FUZZ_CHECK(eof_ && now_ == fed_end_ && start == elem_end_ && start < now_);
          FUZZ_CHECK(c.verb == verb::unknown && c.verb_text.empty() && ev.detail.empty());
          // The partial line has no line end.
          const std::string_view partial = input_.substr(start, now_ - start);
          FUZZ_CHECK(o_.allow_bare_lf ? !has_byte(partial, '\n')
                                      : partial.find("\r\n") == std::string_view::npos);
          elem_end_ = now_;
          return;
        }
        const std::string_view line = element_line(start);
        const std::string_view content = content_of(line);
        if (framing_errc(ev.error)) {
          FUZZ_CHECK(!well_framed(line, content));
          FUZZ_CHECK(c.verb == verb::unknown && c.verb_text.empty() && c.argument.empty());
          framing_cause(ev.error, line, content);
          // detail: the line's first octets.
          FUZZ_CHECK(ev.detail.size() <= error_prefix);
          FUZZ_CHECK(ev.detail == content.substr(0, ev.detail.size()));
          // Up to the first control octet (a bare CR or LF may join the next
          // line); of a PASS or APOP line only the keyword, of an AUTH line
          // the keyword and the mechanism, of a line with no known keyword at
          // most that word if it has a keyword's shape: no password, digest
          // or initial response in logs.
          std::string_view prefix = content.substr(0, std::min(content.size(), error_prefix));
          for (std::size_t i = 0; i < prefix.size(); ++i) {
            const auto o = static_cast<unsigned char>(prefix[i]);
            if (o < 0x20 || o == 0x7F) {
              prefix = prefix.substr(0, i);
              break;
            }
          }
          const std::string_view word = prefix.substr(0, prefix.find(' '));
          const verb v = fuzz::pop3_model::verb_of(word);
          std::size_t expected = prefix.size();
          if (v == verb::unknown) expected = fuzz::pop3_model::keyword_shaped(word).size();
          if (v == verb::pass || v == verb::apop) expected = word.size();
          if (v == verb::auth) {
            const std::string_view rest =
                word.size() < prefix.size() ? prefix.substr(word.size() + 1) : "";
            const std::string_view mechanism = rest.substr(0, rest.find(' '));
            expected = fuzz::pop3_model::mechanism_name(mechanism)
                           ? word.size() + 1 + mechanism.size()
                           : word.size();
          }
          FUZZ_CHECK(ev.detail.size() == expected);
        } else {
          FUZZ_CHECK(well_framed(line, content));
          locate_line(c, start, content.size());
          const model::command_verdict m = model::command(content, o_.allow_extra_spaces);
          FUZZ_CHECK(m.error == ev.error);
          FUZZ_CHECK(c.verb == m.v);
          same_view(c.verb_text, m.verb_text, content);
          // A refused password is not kept in the event.
          if (c.verb == verb::pass && m.error != errc::missing_argument)
            FUZZ_CHECK(c.argument.empty());
          else if (c.verb != verb::unknown)
            same_view(c.argument, m.argument, content);
          FUZZ_CHECK(ev.detail == m.detail);
          if (!ev.detail.empty()) same_view(ev.detail, m.detail, content);
          FUZZ_CHECK(ev.reply() == (ev.reason.empty() ? pop3::reply_text(ev.error) : ev.reason));
        }
        FUZZ_CHECK(p_.buffered() == !p_.rest().empty());
        elem_end_ = now_;
        return;
      }
      case mode::sasl: {
        FUZZ_CHECK(start == sasl_start_);
        FUZZ_CHECK(c.verb == verb::auth);
        const std::string_view line = input_.substr(start, now_ - start);
        if (!ends_line(line)) {
          FUZZ_CHECK(eof_ && now_ == fed_end_ && now_ > sasl_start_);
          FUZZ_CHECK(ev.error == errc::unexpected_eof);
          FUZZ_CHECK(line.find('\n') == std::string_view::npos || !o_.allow_bare_lf);
        } else {
          FUZZ_CHECK(ev.error != errc::unexpected_eof);
          const std::string_view content = content_of(line);
          FUZZ_CHECK(!sasl_line_valid(content));
          // What was handed out is a prefix of the line.
          FUZZ_CHECK(content.substr(0, sasl_.size()) == sasl_);
          if (ev.error == errc::invalid_base64) {
            FUZZ_CHECK(content != "*" && !model::base64(content));
          } else if (ev.error == errc::auth_line_too_long) {
            FUZZ_CHECK(content.size() > sasl_limit());
          } else {
            framing_cause(ev.error, line, content);
          }
        }
        mode_ = mode::command;
        elem_end_ = now_;
        return;
      }
      case mode::barrier:
        FUZZ_CHECK(ev.error == errc::data_after_starttls);
        FUZZ_CHECK(c.verb == verb::stls);
        FUZZ_CHECK(!barrier_reported_);
        barrier_reported_ = true;
        FUZZ_CHECK(start == elem_end_ && start < now_ && now_ == fed_end_);
        return;
    }
  }

  std::size_t sasl_limit() const {
    return o_.max_auth_line_length > 2 ? o_.max_auth_line_length - 2 : 0;
  }

  /// The SASL line model: "*" or strict base64, within the limit, clean.
  bool sasl_line_valid(std::string_view content) const {
    if (has_byte(content, '\r') || has_byte(content, '\n') || has_byte(content, '\0')) return false;
    if (content.size() > sasl_limit()) return false;
    return content == "*" || model::base64(content);
  }

  /// A framing error has its cause in the line.
  void framing_cause(errc e, std::string_view line, std::string_view content) const {
    if (e == errc::line_too_long)
      FUZZ_CHECK(line.size() > cfg_.reader_max && mode_ == mode::command);
    else if (e == errc::bare_cr)
      FUZZ_CHECK(has_byte(content, '\r'));
    else if (e == errc::bare_lf)
      FUZZ_CHECK(has_byte(content, '\n') && !o_.allow_bare_lf);
    else if (e == errc::nul_in_line)
      FUZZ_CHECK(has_byte(content, '\0'));
    else
      FUZZ_CHECK(false);
  }

  void on_sasl_data(const server_event& ev) {
    probe(false);
    FUZZ_CHECK(mode_ == mode::sasl);
    const std::uint64_t at = index(ev.offset);
    FUZZ_CHECK(!ev.bytes.empty());
    check_raw(ev.bytes, at, sasl_start_ + sasl_.size());
    for (const char ch : ev.bytes) {
      const auto u = static_cast<unsigned char>(ch);
      FUZZ_CHECK(model::alnum(u) || u == '+' || u == '/' || u == '=');
    }
    FUZZ_CHECK(ev.command.verb == verb::auth);
    sasl_.append(ev.bytes.data(), ev.bytes.size());
  }

  void on_sasl_end(const server_event& ev) {
    FUZZ_CHECK(mode_ == mode::sasl);
    const std::uint64_t start = index(ev.offset);
    FUZZ_CHECK(start == sasl_start_);
    FUZZ_CHECK(ev.command.verb == verb::auth && ev.error == errc{});
    const std::string_view line = input_.substr(start, now_ - start);
    FUZZ_CHECK(ends_line(line));
    const std::string_view content = content_of(line);
    FUZZ_CHECK(sasl_line_valid(content));
    if (ev.cancelled) {
      FUZZ_CHECK(sasl_.empty() && content == "*");
    } else {
      FUZZ_CHECK(content == sasl_);
    }
    elem_end_ = now_;
    mode_ = mode::command;
    if (ev.cancelled) {
      FUZZ_CHECK(!p_.expect_sasl_response());
      return;
    }
    if (sasl_left_ > 0) --sasl_left_;
    if (sasl_left_ != 0) start_sasl();
  }

  Parser& p_;
  const fuzz::pop3_server_config& cfg_;
  const pop3::server_parser_options& o_;
  const session_policy pol_;

  mode mode_ = mode::command;
  std::string_view line_;  // the current line, as the parser's views see it
  // SASL
  std::uint64_t sasl_start_ = 0;
  std::string sasl_;
  int sasl_left_ = 0;  // responses still to ask for; -1: no end
  // STLS
  bool barrier_reported_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = 3;
  if (size < header) return 0;
  const fuzz::pop3_server_config cfg = fuzz::pop3_server_config_from(data[0]);
  const std::uint8_t s = data[1];
  session_policy pol;
  pol.sasl = (s & 0x01) == 0;
  pol.sasl_forever = (s & 0x02) != 0;
  pol.keep_barrier = (s & 0x04) != 0;
  pol.probe = (s & 0x08) != 0;
  pol.eof_early = (s & 0x10) != 0;
  const bool again = (s & 0x20) != 0;

  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == ' '; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[2], fuzz::fnv1a(data, size), cut_around);
  fuzz::with_pop3_server(cfg, [&](auto& p) {
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run(plan);
    if (!again) return;
    p.reset();
    session<std::remove_reference_t<decltype(p)>>(p, input, cfg, pol).run({input.size()});
  });
  return 0;
}
