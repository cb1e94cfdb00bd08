#pragma once
// POP3 commands as values (RFC 1939 §4-7 and §9, RFC 2449 §5, RFC 2595 §4,
// RFC 5034 §4, RFC 6856 §2-3): the keyword, its typed arguments, the session
// states it is allowed in, and the -ERR texts a server gives when it rejects
// one.
//
// A `command` is made of views into the line the parser returned it from; it
// stays valid exactly as long as that event (see server_parser.hpp).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/sasl_mechanism.hpp"
#include "mailwire/core/utf8.hpp"

namespace mailwire::pop3 {

/// Every keyword the parser knows. `unknown` is a keyword it does not
/// recognise (the server answers -ERR and goes on, RFC 1939 §3).
enum class verb : std::uint8_t {
  unknown,
  user,  ///< USER name (RFC 1939 §7)
  pass,  ///< PASS string (RFC 1939 §7)
  apop,  ///< APOP name digest (RFC 1939 §7)
  auth,  ///< AUTH [mechanism [initial-response]] (RFC 5034 §4)
  stls,  ///< STLS (RFC 2595 §4)
  capa,  ///< CAPA (RFC 2449 §5)
  utf8,  ///< UTF8 (RFC 6856 §2)
  lang,  ///< LANG [lang-range] (RFC 6856 §3)
  stat,  ///< STAT (RFC 1939 §5)
  list,  ///< LIST [msg] (RFC 1939 §5)
  retr,  ///< RETR msg (RFC 1939 §5)
  dele,  ///< DELE msg (RFC 1939 §5)
  noop,  ///< NOOP (RFC 1939 §5)
  rset,  ///< RSET (RFC 1939 §5)
  top,   ///< TOP msg n (RFC 1939 §7)
  uidl,  ///< UIDL [msg] (RFC 1939 §7)
  quit,  ///< QUIT (RFC 1939 §4 and §6)
};

/// The POP3 session states (RFC 1939 §3). UPDATE takes no commands: the
/// server enters it on QUIT in TRANSACTION, finishes and closes.
enum class session_state : std::uint8_t {
  authorization = 1,  ///< after the greeting, until USER/PASS, APOP or AUTH succeeds
  transaction = 2,    ///< the maildrop is locked and open
  update = 4,         ///< after QUIT in TRANSACTION; no command is valid
};

/// A set of session states, one bit per session_state value.
using state_set = std::uint8_t;

constexpr state_set states(session_state s) noexcept { return static_cast<state_set>(s); }

namespace detail::command_impl {
struct verb_info {
  std::string_view name;  // as written on the wire (upper case)
  state_set allowed;      // states in which a server accepts the command
};
}  // namespace detail::command_impl

/// The state sets of the table below.
inline constexpr state_set authorization_only = states(session_state::authorization);
inline constexpr state_set transaction_only = states(session_state::transaction);
inline constexpr state_set authorization_or_transaction = authorization_only | transaction_only;

/// The POP3 state table (RFC 1939 §4-7; RFC 2449 §5, RFC 2595 §4, RFC 5034
/// §4, RFC 6856 §2-3 for the extensions), one row per verb, in enumerator
/// order. The parser does not enforce it (it cannot know whether a USER or an
/// AUTH succeeded); a session checks `allowed_in()` and answers -ERR to a
/// command in the wrong state (RFC 1939 §3).
inline constexpr detail::command_impl::verb_info verb_table[] = {
    {"", 0},                                 // unknown
    {"USER", authorization_only},            // RFC 1939 §7
    {"PASS", authorization_only},            // right after USER got +OK
    {"APOP", authorization_only},            // RFC 1939 §7
    {"AUTH", authorization_only},            // RFC 5034 §4
    {"STLS", authorization_only},            // RFC 2595 §4
    {"CAPA", authorization_or_transaction},  // RFC 2449 §5
    {"UTF8", authorization_only},            // RFC 6856 §2
    {"LANG", authorization_or_transaction},  // RFC 6856 §3
    {"STAT", transaction_only},              // RFC 1939 §5
    {"LIST", transaction_only},
    {"RETR", transaction_only},
    {"DELE", transaction_only},
    {"NOOP", transaction_only},  // TRANSACTION only, unlike SMTP's NOOP
    {"RSET", transaction_only},
    {"TOP", transaction_only},               // RFC 1939 §7 (optional command)
    {"UIDL", transaction_only},              // RFC 1939 §7 (optional command)
    {"QUIT", authorization_or_transaction},  // in TRANSACTION it leads to UPDATE
};

static_assert(sizeof(verb_table) / sizeof(verb_table[0]) ==
                  static_cast<std::size_t>(verb::quit) + 1,
              "verb_table needs exactly one row per verb, in enumerator order");

/// The keyword as it is written on the wire (upper case); "" for unknown.
constexpr std::string_view name(verb v) noexcept {
  const auto i = static_cast<std::size_t>(v);
  return i < sizeof(verb_table) / sizeof(verb_table[0]) ? verb_table[i].name : std::string_view{};
}

/// The states in which a server accepts `v` (empty for unknown).
constexpr state_set allowed_states(verb v) noexcept {
  const auto i = static_cast<std::size_t>(v);
  return i < sizeof(verb_table) / sizeof(verb_table[0]) ? verb_table[i].allowed : state_set{0};
}

/// Whether a server accepts `v` in state `s` (the table above). PASS is
/// further limited to right after a USER that got +OK; that is the session's
/// to track.
constexpr bool allowed_in(verb v, session_state s) noexcept {
  return (allowed_states(v) & states(s)) != 0;
}

/// Recognises a keyword, case-insensitively (RFC 1939 §3: keywords are three
/// or four characters).
constexpr verb verb_from(std::string_view token) noexcept {
  if (token.size() != 3 && token.size() != 4) return verb::unknown;
  // Letters fold to lower case; every other octet stays itself, so only
  // "8" matches UTF8's digit (OR-ing 0x20 into every octet would also turn
  // the control octet 0x18 into "8").
  std::uint32_t k = 0;
  for (const char ch : token) k = (k << 8) | static_cast<unsigned char>(ascii::to_lower(ch));
  constexpr auto key = [](std::string_view s) {
    std::uint32_t r = 0;
    for (const char ch : s) r = (r << 8) | static_cast<unsigned char>(ch);
    return r;
  };
  // Three- and four-letter keys cannot collide: a four-letter key has a
  // letter in its top octet, a three-letter one has zero there.
  switch (k) {
    case key("user"): return verb::user;
    case key("pass"): return verb::pass;
    case key("apop"): return verb::apop;
    case key("auth"): return verb::auth;
    case key("stls"): return verb::stls;
    case key("capa"): return verb::capa;
    case key("utf8"): return verb::utf8;
    case key("lang"): return verb::lang;
    case key("stat"): return verb::stat;
    case key("list"): return verb::list;
    case key("retr"): return verb::retr;
    case key("dele"): return verb::dele;
    case key("noop"): return verb::noop;
    case key("rset"): return verb::rset;
    case key("top"): return verb::top;
    case key("uidl"): return verb::uidl;
    case key("quit"): return verb::quit;
    default: return verb::unknown;
  }
}

/// One command line, parsed. Which members are set depends on `verb`:
/// - USER: `name`. APOP: `name` and `digest` (32 hex digits; RFC 1939 §7
///   says lower case, upper case is accepted too: compare case-insensitively).
///   A name is printable ASCII and well-formed UTF-8 (RFC 6856 §2: only under
///   the UTF8 USER capability; the server decides, `name` is as received).
/// - PASS: `password`, everything after "PASS " verbatim, spaces included
///   (RFC 1939 §7); never empty.
/// - LIST, UIDL: `message` when `has_message`. RETR, DELE: `message`.
///   TOP: `message` and `lines`. Message numbers are 1..4294967295, line
///   counts 0..4294967295 (RFC 1939 §5: 1*DIGIT, so leading zeros are taken).
/// - AUTH: `mechanism` (empty for a bare "AUTH", which asks for the list of
///   mechanisms in many servers), and `initial_response` when
///   `has_initial_response` (base64 checked; "=" is an empty response,
///   RFC 5034 §4).
/// - LANG: `language` (a language range or "*"; empty: list languages).
/// - STAT, NOOP, RSET, QUIT, CAPA, STLS, UTF8: nothing.
/// `argument` is everything after the keyword and its SP, as received.
struct command {
  pop3::verb verb = verb::unknown;
  /// The keyword as received (any case).
  std::string_view verb_text;
  std::string_view argument;
  std::string_view name;
  std::string_view password;
  std::string_view digest;
  std::uint32_t message = 0;
  bool has_message = false;
  std::uint32_t lines = 0;
  bool has_initial_response = false;
  std::string_view mechanism;
  std::string_view initial_response;
  std::string_view language;
};

// ---------------------------------------------------------------------------
// Argument grammar. Each rule is a constexpr function the parser uses and a
// server may reuse (say, on a stored user name).

/// A number parsed by parse_number(): `ok` false for anything but 1*DIGIT
/// whose value fits in 32 bits.
struct number_result {
  std::uint32_t value = 0;
  bool ok = false;
};

/// msg / n = 1*DIGIT (RFC 1939 §5, §7) read into 32 bits with overflow
/// detection: no sign, no space, nothing but digits; leading zeros are
/// allowed ("01" is 1). Whether 0 is valid is the caller's rule (a message
/// number is not, TOP's line count is).
constexpr number_result parse_number(std::string_view s) noexcept {
  if (s.empty()) return {};
  std::uint32_t v = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_digit(c)) return {};
    const auto d = static_cast<std::uint32_t>(c - '0');
    if (v > (UINT32_MAX - d) / 10) return {};
    v = v * 10 + d;
  }
  return {v, true};
}

/// The APOP digest: exactly 32 hex digits (RFC 1939 §7). The RFC writes them
/// in lower case; upper case is accepted too, so compare case-insensitively.
constexpr bool is_apop_digest(std::string_view s) noexcept {
  if (s.size() != 32) return false;
  for (const char ch : s)
    if (!ascii::is_hex_digit(static_cast<unsigned char>(ch))) return false;
  return true;
}

/// sasl-mech (RFC 5034 §4, RFC 4422 §3.1): the name rule SMTP's AUTH uses
/// too (core/sasl_mechanism.hpp).
constexpr bool is_mechanism_name(std::string_view s) noexcept { return is_sasl_mechanism_name(s); }

/// LANG's argument (RFC 6856 §3): a basic language range, RFC 4647 §2.1:
/// 1*8ALPHA *("-" 1*8alphanum), or "*" for the server's default. Whether the
/// server has that language is its own business.
constexpr bool is_language_range(std::string_view s) noexcept {
  if (s == "*") return true;
  std::size_t run = 0;
  bool first = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '-') {
      if (run == 0) return false;
      run = 0;
      first = false;
    } else if (first ? ascii::is_alpha(c) : ascii::is_alnum(c)) {
      if (++run > 8) return false;
    } else {
      return false;
    }
  }
  return run > 0;
}

/// A USER or APOP name: param = 1*VCHAR (RFC 2449 §3), where octets >= 0x80
/// must form well-formed UTF-8 (RFC 6856 §2: invalid UTF-8 MUST be
/// rejected). Returns errc{}, errc::invalid_syntax (empty, a control octet or
/// SP) or errc::invalid_utf8. Whether UTF-8 is allowed at all (the UTF8 USER
/// capability) is the server's decision.
constexpr errc check_name(std::string_view s) noexcept {
  if (s.empty()) return errc::invalid_syntax;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 && !ascii::is_vchar(c)) return errc::invalid_syntax;
  }
  return utf8::is_valid(s) ? errc{} : errc::invalid_utf8;
}

namespace detail::command_impl {
struct reply_row {
  errc error;
  std::string_view text;
};
inline constexpr reply_row reply_rows[] = {
    {errc::line_too_long, "Line too long"},
    {errc::bare_cr, "Bare CR not allowed"},
    {errc::bare_lf, "Bare LF not allowed"},
    {errc::nul_in_line, "NUL octet not allowed"},
    {errc::unexpected_eof, "Connection closed unexpectedly"},
    {errc::invalid_base64, "Invalid base64 data"},
    {errc::data_after_starttls, "Data after STLS discarded"},
    {errc::unknown_command, "Unknown command"},
    {errc::invalid_syntax, "Syntax error"},
    {errc::missing_argument, "Missing argument"},
    {errc::unexpected_argument, "Too many arguments"},
    {errc::invalid_utf8, "Invalid UTF-8"},
    {errc::invalid_mechanism, "Invalid mechanism name"},
    {errc::auth_line_too_long, "Authentication line too long"},
    {errc::invalid_message_number, "Invalid message number"},
    {errc::invalid_line_count, "Invalid line count"},
    {errc::invalid_digest, "Invalid APOP digest"},
    {errc::invalid_language_range, "Invalid language range"},
    // What smtp/sasl_server.hpp's readers return for a malformed AUTH
    // response, and for one too big for the server's buffer.
    {errc::invalid_argument, "Invalid argument"},
    {errc::buffer_too_small, "Local error: buffer too small"},
};
}  // namespace detail::command_impl

/// A short reason for "-ERR <text>" when a command is rejected for `e`
/// (RFC 1939 §3 leaves the text free). Errors outside POP3's use get their
/// describe() text.
constexpr std::string_view reply_text(errc e) noexcept {
  for (const detail::command_impl::reply_row& r : detail::command_impl::reply_rows)
    if (r.error == e) return r.text;
  return describe(e);
}

}  // namespace mailwire::pop3
