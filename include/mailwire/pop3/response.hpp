#pragma once
// The pieces of a POP3 server response (RFC 1939 §3, §5, §7; RFC 2449 §3,
// §5, §6, §8), each as a pure function or value that client_parser.hpp
// builds on and a client may call on its own:
//
//   parse_status_line()     "+OK" / "-ERR", optional response code, text
//   response_code           "[SYS/TEMP]" and friends (RFC 2449 §8, RFC 3206)
//   find_apop_timestamp()   the greeting's "<...@...>" (RFC 1939 §7)
//   parse_drop_listing()    STAT's "+OK nn mm" (RFC 1939 §5)
//   parse_scan_listing()    a LIST line "msg size" (RFC 1939 §5)
//   parse_unique_id_listing() a UIDL line "msg uid" (RFC 1939 §7)
//   capabilities            a CAPA response folded line by line (RFC 2449 §5-6)
//
// Every function takes a line without its CRLF and, for listings, without a
// stuffing dot (client_parser removes both). Views in results point into the
// argument: valid as long as it is.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/sasl_mechanism.hpp"
#include "mailwire/core/text_arena.hpp"

namespace mailwire::pop3 {

// ---------------------------------------------------------------------------
// Status line (RFC 1939 §3, RFC 2449 §3 and §8)

enum class response_status : std::uint8_t {
  ok,   ///< "+OK"
  err,  ///< "-ERR"
};

/// The RFC 2449 §8 codes with a meaning of their own, and RFC 3206's.
enum class response_code_kind : std::uint8_t {
  none,         ///< no response code in the text
  in_use,       ///< [IN-USE]: credentials fine, maildrop locked (RFC 2449 §8.1.1)
  login_delay,  ///< [LOGIN-DELAY]: logged in too recently (RFC 2449 §8.1.2)
  sys_temp,     ///< [SYS/TEMP]: temporary system fault (RFC 3206 §4)
  sys_perm,     ///< [SYS/PERM]: permanent system fault (RFC 3206 §4)
  auth,         ///< [AUTH]: the credentials are at fault (RFC 3206 §5)
  utf8,         ///< [UTF8]: UTF-8 mode is needed (RFC 6856 §5)
  other,        ///< a well-formed code mailwire does not know (see `text`)
};

/// A response code: `resp-code = "[" resp-level *("/" resp-level) "]"`,
/// `resp-level = 1*rchar`, rchar = %x21-2E / %x30-5C / %x5E-7F (RFC 2449
/// §8). Known codes are matched case-insensitively on their leading levels;
/// deeper levels nobody defined are ignored ("[SYS/TEMP/DB]" is sys_temp),
/// as RFC 2449 §8 tells clients to do.
struct response_code {
  response_code_kind kind = response_code_kind::none;
  /// The levels between the brackets, e.g. "SYS/TEMP" (empty when none).
  std::string_view text;

  constexpr bool present() const noexcept { return kind != response_code_kind::none; }

  /// Number of levels: 2 for "SYS/TEMP", 0 when there is no code.
  constexpr std::size_t levels() const noexcept {
    if (text.empty()) return 0;
    std::size_t n = 1;
    for (const char c : text) n += c == '/';
    return n;
  }
  /// Level i (from 0); empty when there are fewer levels.
  constexpr std::string_view level(std::size_t i) const noexcept {
    std::size_t start = 0;
    for (;;) {
      const std::size_t slash = text.find('/', start);
      if (i == 0) return text.empty() ? text : text.substr(start, slash - start);
      if (slash == std::string_view::npos) return {};
      start = slash + 1;
      --i;
    }
  }
};

/// A status line taken apart, or the first rule it breaks.
struct status_line {
  /// errc{} when valid; errc::invalid_status when the line does not start
  /// with exactly "+OK" or "-ERR" followed by SP or its end.
  errc error = errc{};
  response_status status = response_status::ok;
  response_code code;
  /// The text after the status and SP, without the response code and the
  /// spaces after it. The whole text when it has no valid code ("[" without
  /// "]" is plain text; RFC 2449 §8).
  std::string_view text;
};

namespace detail::response_impl {

constexpr bool is_rchar(unsigned char c) noexcept {
  return c >= 0x21 && c <= 0x7F && c != '/' && c != ']';
}

/// True if `s` is 1*rchar *("/" 1*rchar).
constexpr bool response_levels_valid(std::string_view s) noexcept {
  bool empty_level = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/') {
      if (empty_level) return false;
      empty_level = true;
    } else if (is_rchar(c)) {
      empty_level = false;
    } else {
      return false;
    }
  }
  return !empty_level;
}

constexpr response_code_kind classify(const response_code& code) noexcept {
  const std::string_view top = code.level(0);
  if (ascii::iequals(top, "IN-USE")) return response_code_kind::in_use;
  if (ascii::iequals(top, "LOGIN-DELAY")) return response_code_kind::login_delay;
  if (ascii::iequals(top, "AUTH")) return response_code_kind::auth;
  if (ascii::iequals(top, "UTF8")) return response_code_kind::utf8;
  if (ascii::iequals(top, "SYS")) {
    const std::string_view sub = code.level(1);
    if (ascii::iequals(sub, "TEMP")) return response_code_kind::sys_temp;
    if (ascii::iequals(sub, "PERM")) return response_code_kind::sys_perm;
  }
  return response_code_kind::other;
}

/// `s` as a decimal number no larger than `limit`: 1*DIGIT (leading zeros
/// allowed; the RFCs do not forbid them), overflow-checked.
constexpr bool parse_decimal(std::string_view s, std::uint64_t limit, std::uint64_t& out) noexcept {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_digit(c)) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace detail::response_impl

/// The response code at the start of `text`, if it is one: "[" levels "]"
/// followed by SP or the end of the text. `rest` gets the text after it and
/// the spaces that follow (or all of `text` when there is no code).
constexpr response_code parse_response_code(std::string_view text,
                                            std::string_view* rest = nullptr) noexcept {
  if (rest != nullptr) *rest = text;
  if (text.empty() || text[0] != '[') return {};
  const std::size_t close = text.find(']');
  if (close == std::string_view::npos) return {};
  const std::string_view levels = text.substr(1, close - 1);
  if (!detail::response_impl::response_levels_valid(levels)) return {};
  if (close + 1 < text.size() && text[close + 1] != ' ') return {};
  response_code code;
  code.text = levels;
  code.kind = detail::response_impl::classify(code);
  if (rest != nullptr) {
    std::size_t i = close + 1;
    while (i < text.size() && text[i] == ' ') ++i;
    *rest = text.substr(i);
  }
  return code;
}

/// Parses a single-line response, or the first line of a multi-line one:
/// `status [SP text]` (RFC 1939 §3). The status is case-sensitive ("+OK",
/// "-ERR" as servers MUST send them) unless `any_case`.
constexpr status_line parse_status_line(std::string_view line, bool any_case = false) noexcept {
  status_line r;
  std::size_t n = 0;
  const auto same = [any_case](std::string_view a, std::string_view b) {
    return any_case ? ascii::iequals(a, b) : a == b;
  };
  if (line.size() >= 3 && same(line.substr(0, 3), "+OK")) {
    n = 3;
  } else if (line.size() >= 4 && same(line.substr(0, 4), "-ERR")) {
    n = 4;
    r.status = response_status::err;
  } else {
    r.error = errc::invalid_status;
    return r;
  }
  if (line.size() > n && line[n] != ' ') {
    r.error = errc::invalid_status;  // "+OKAY"
    return r;
  }
  const std::string_view text = line.size() > n ? line.substr(n + 1) : std::string_view{};
  r.code = parse_response_code(text, &r.text);
  return r;
}

/// The APOP timestamp in a greeting's text (RFC 1939 §7): the first span
/// "<" ... ">" that holds an "@" and only ASCII VCHAR (a msg-id), brackets
/// included (what the APOP digest is computed over); empty when there is
/// none, which means the server offers no APOP (RFC 1939 §7).
/// One pass over `text`, so a hostile greeting of "<<<<..." costs linear time.
constexpr std::string_view find_apop_timestamp(std::string_view text) noexcept {
  std::size_t open = std::string_view::npos;
  bool at = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '<') {
      open = i;  // a later "<" starts the span afresh: spans never nest
      at = false;
    } else if (open == std::string_view::npos) {
      continue;
    } else if (c == '>') {
      if (at) return text.substr(open, i - open + 1);
      open = std::string_view::npos;
    } else if (c == '@') {
      at = true;
    } else if (c <= ' ' || c >= 0x7F) {
      open = std::string_view::npos;
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Listings (RFC 1939 §5, §7)

/// Longest unique-id (RFC 1939 §7).
inline constexpr std::size_t max_uid_length = 70;

/// unique-id = 1*70 %x21-7E (RFC 1939 §7).
constexpr bool is_unique_id(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_uid_length) return false;
  for (const char c : s)
    if (!ascii::is_vchar(static_cast<unsigned char>(c))) return false;
  return true;
}

/// STAT's answer, LIST's and UIDL's single-line answers and their
/// multi-line items, as values. Which fields mean something depends on the
/// parser used.
struct listing {
  /// errc{} when valid. errc::invalid_listing when the fields are not
  /// separated by one SP as the grammar says (a field missing or empty);
  /// errc::invalid_message_number for a message number (count, for STAT) that is not 1*DIGIT
  /// in 1..2^32-1 (0..2^32-1); errc::invalid_message_size for a size not 1*DIGIT up to 2^64-1;
  /// errc::invalid_uid for a unique-id that is not 1-70 octets of %x21-7E.
  errc error = errc{};
  /// Message number (LIST, UIDL) or message count (STAT).
  std::uint32_t number = 0;
  /// Size in octets (LIST, STAT).
  std::uint64_t size = 0;
  /// Unique-id (UIDL); a view into the parsed text.
  std::string_view uid;
};

namespace detail::response_impl {

constexpr listing bad_listing(errc e) noexcept {
  listing l;
  l.error = e;
  return l;
}

/// number SP size [SP anything]: RFC 1939 §5 lets servers add information
/// after the size in drop and scan listings.
constexpr listing parse_number_size(std::string_view s, std::uint64_t min_number) noexcept {
  const std::size_t sp = s.find(' ');
  const std::string_view rest =
      sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
  const std::size_t sp2 = rest.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp2 == 0 || rest.empty())
    return bad_listing(errc::invalid_listing);
  std::uint64_t number = 0;
  std::uint64_t size = 0;
  if (!parse_decimal(s.substr(0, sp), std::numeric_limits<std::uint32_t>::max(), number) ||
      number < min_number)
    return bad_listing(errc::invalid_message_number);
  if (!parse_decimal(rest.substr(0, sp2), std::numeric_limits<std::uint64_t>::max(), size))
    return bad_listing(errc::invalid_message_size);
  listing l;
  l.number = static_cast<std::uint32_t>(number);
  l.size = size;
  return l;
}

}  // namespace detail::response_impl

/// STAT's positive text "nn mm" (count, then size; more text may follow
/// after an SP, RFC 1939 §5). `number` is the message count (0 allowed).
constexpr listing parse_drop_listing(std::string_view text) noexcept {
  return detail::response_impl::parse_number_size(text, 0);
}

/// A scan listing "msg size" (LIST n's text, or a line of LIST's body);
/// msg >= 1; more text may follow after an SP (RFC 1939 §5).
constexpr listing parse_scan_listing(std::string_view text) noexcept {
  return detail::response_impl::parse_number_size(text, 1);
}

/// A unique-id listing "msg uid" (UIDL n's text, or a line of UIDL's body);
/// nothing may follow the uid (RFC 1939 §7).
constexpr listing parse_unique_id_listing(std::string_view text) noexcept {
  using detail::response_impl::bad_listing;
  const std::size_t sp = text.find(' ');
  if (sp == std::string_view::npos || sp == 0) return bad_listing(errc::invalid_listing);
  std::uint64_t number = 0;
  if (!detail::response_impl::parse_decimal(text.substr(0, sp),
                                            std::numeric_limits<std::uint32_t>::max(), number) ||
      number == 0)
    return bad_listing(errc::invalid_message_number);
  const std::string_view uid = text.substr(sp + 1);
  if (!is_unique_id(uid)) return bad_listing(errc::invalid_uid);
  listing l;
  l.number = static_cast<std::uint32_t>(number);
  l.uid = uid;
  return l;
}

// ---------------------------------------------------------------------------
// CAPA (RFC 2449 §5-6; RFC 2595 §4; RFC 3206 §6; RFC 5034 §3; RFC 6856 §2-3)

/// SASL mechanisms with a bit of their own; the same set as SMTP's AUTH
/// (core/sasl_mechanism.hpp).
using mailwire::sasl_mechanism;

/// The capability tags mailwire knows.
enum class capability : std::uint8_t {
  top,             ///< TOP (RFC 2449 §6.1)
  user,            ///< USER (RFC 2449 §6.2)
  sasl,            ///< SASL mech... (RFC 2449 §6.3, RFC 5034 §3)
  resp_codes,      ///< RESP-CODES (RFC 2449 §6.4)
  login_delay,     ///< LOGIN-DELAY secs [USER] (RFC 2449 §6.5)
  pipelining,      ///< PIPELINING (RFC 2449 §6.6)
  expire,          ///< EXPIRE days|NEVER [USER] (RFC 2449 §6.7)
  uidl,            ///< UIDL (RFC 2449 §6.8)
  implementation,  ///< IMPLEMENTATION text (RFC 2449 §6.9)
  stls,            ///< STLS (RFC 2595 §4)
  auth_resp_code,  ///< AUTH-RESP-CODE (RFC 3206 §6)
  utf8,            ///< UTF8 [USER] (RFC 6856 §2)
  lang,            ///< LANG (RFC 6856 §3)
};

namespace detail::response_impl {

inline constexpr std::string_view capability_tags[] = {
    "TOP",  "USER",           "SASL", "RESP-CODES",     "LOGIN-DELAY", "PIPELINING", "EXPIRE",
    "UIDL", "IMPLEMENTATION", "STLS", "AUTH-RESP-CODE", "UTF8",        "LANG",
};
inline constexpr std::size_t capability_count =
    sizeof(capability_tags) / sizeof(capability_tags[0]);
static_assert(capability_count == static_cast<std::size_t>(capability::lang) + 1,
              "one tag per capability, in enumerator order");

/// capa-tag = 1*cchar, cchar = %x21-2D / %x2F-7F (RFC 2449 §9); 0x7F is a
/// control and is refused too.
constexpr bool capa_tag_valid(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_vchar(c) || c == '.') return false;
  }
  return true;
}

}  // namespace detail::response_impl

/// The capability tag, upper case ("LOGIN-DELAY"); "" for a value that is no
/// enumerator.
constexpr std::string_view tag(capability c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  return i < detail::response_impl::capability_count ? detail::response_impl::capability_tags[i]
                                                     : std::string_view{};
}

/// The capability named `t`, compared case-insensitively (RFC 2449 §5);
/// nullopt for unknown tags.
constexpr std::optional<capability> capability_from_tag(std::string_view t) noexcept {
  for (std::size_t i = 0; i < detail::response_impl::capability_count; ++i)
    if (ascii::iequals(t, detail::response_impl::capability_tags[i]))
      return static_cast<capability>(i);
  return std::nullopt;
}

/// What a POP3 server lists in its CAPA response, as one fixed-size value
/// that owns its storage (no heap, no views into anything else): copy it,
/// compare it, keep it for the session. Forget it (clear()) after STLS or
/// after AUTH with a security layer, and ask again (RFC 2449 §5).
///
/// Stored parameters: SASL mechanisms as bits (sasl_mechanism) plus other
/// names as upper-case text; LOGIN-DELAY seconds and EXPIRE days (or NEVER),
/// each with its "USER" flag (the value is the pre-login worst case, RFC
/// 2449 §6.5, §6.7); the IMPLEMENTATION text; UTF8's "USER" flag; and lines
/// with unknown tags, whole, so they stay reachable (find_unknown()).
class capabilities {
 public:
  /// Bytes for unknown capability lines; each takes its length + 1.
  static constexpr std::size_t unknown_capacity = 512;
  /// Bytes for mechanism names kept as text; each takes its length + 1.
  static constexpr std::size_t other_mechanism_capacity = 192;
  /// Longest IMPLEMENTATION text kept.
  static constexpr std::size_t max_implementation_length = 255;

  /// A forward range of stored text entries (mechanism names, unknown
  /// lines). It borrows the capabilities it came from: valid until that
  /// object changes or is destroyed.
  using text_range = mailwire::text_range;

  constexpr capabilities() noexcept = default;

  /// Advertise `c` (with whatever parameters are already set for it).
  constexpr void set(capability c) noexcept { flags_ |= bit(c); }
  constexpr bool has(capability c) const noexcept { return (flags_ & bit(c)) != 0; }
  /// Forgets everything.
  constexpr void clear() noexcept { *this = capabilities{}; }

  // --- SASL ----------------------------------------------------------------

  /// Adds a mechanism by name and sets SASL. Well-known names set their bit;
  /// other valid names are kept upper-cased, once. errc::invalid_mechanism
  /// unless 1*20(ALPHA / DIGIT / "-" / "_") (RFC 4422 §3.1);
  /// errc::buffer_too_small when the arena is full; nothing changes on error.
  constexpr errc add_mechanism(std::string_view name) noexcept {
    const errc e = mechanisms_.add(name);
    if (e == errc{}) set(capability::sasl);
    return e;
  }
  /// Adds a well-known mechanism and sets SASL.
  constexpr void add_mechanism(sasl_mechanism m) noexcept {
    if (mailwire::name(m).empty()) return;
    mechanisms_.add(m);
    set(capability::sasl);
  }
  constexpr bool has_mechanism(sasl_mechanism m) const noexcept { return mechanisms_.contains(m); }
  /// Any mechanism, well-known or kept as text, case-insensitively.
  constexpr bool has_mechanism(std::string_view name) const noexcept {
    return mechanisms_.contains(name);
  }
  /// The mechanisms kept as text, upper case, in the order added.
  constexpr text_range other_mechanisms() const noexcept { return mechanisms_.others(); }
  /// Calls f(std::string_view name) for every mechanism in the order of the
  /// SASL line: well-known ones in enumerator order, then the others.
  template <class F>
  constexpr void for_each_mechanism(F&& f) const {
    mechanisms_.for_each(f);
  }

  // --- LOGIN-DELAY, EXPIRE -------------------------------------------------

  /// Sets LOGIN-DELAY: `seconds` between logins; `per_user` when the server
  /// said "USER" (the value may change after login).
  constexpr void set_login_delay(std::uint32_t seconds, bool per_user = false) noexcept {
    login_delay_ = seconds;
    login_delay_per_user_ = per_user;
    set(capability::login_delay);
  }
  constexpr std::uint32_t login_delay() const noexcept { return login_delay_; }
  constexpr bool login_delay_per_user() const noexcept { return login_delay_per_user_; }

  /// Sets EXPIRE: days a message is kept after retrieval, nullopt for
  /// NEVER; 0 means the server keeps no mail (RFC 2449 §6.7).
  constexpr void set_expire(std::optional<std::uint32_t> days, bool per_user = false) noexcept {
    expire_days_ = days.value_or(0);
    expire_never_ = !days.has_value();
    expire_per_user_ = per_user;
    set(capability::expire);
  }
  /// Days, or nullopt for NEVER (also when EXPIRE is not set: check has()).
  constexpr std::optional<std::uint32_t> expire_days() const noexcept {
    if (expire_never_ || !has(capability::expire)) return std::nullopt;
    return expire_days_;
  }
  constexpr bool expire_never() const noexcept { return expire_never_; }
  constexpr bool expire_per_user() const noexcept { return expire_per_user_; }

  // --- IMPLEMENTATION, UTF8 ------------------------------------------------

  /// Sets IMPLEMENTATION with its text (copied). errc::line_too_long over
  /// max_implementation_length, errc::invalid_argument for an empty text, a
  /// control octet, or SP at either end (a CAPA reader trims it, so the
  /// value could not be read back); nothing changes on error.
  constexpr errc set_implementation(std::string_view text) noexcept {
    if (text.empty() || text.front() == ' ' || text.back() == ' ') return errc::invalid_argument;
    if (text.size() > max_implementation_length) return errc::line_too_long;
    for (const char c : text)
      if (ascii::is_ctl(static_cast<unsigned char>(c))) return errc::invalid_argument;
    for (std::size_t i = 0; i < text.size(); ++i) implementation_[i] = text[i];
    implementation_size_ = static_cast<std::uint8_t>(text.size());
    set(capability::implementation);
    return errc{};
  }
  constexpr std::string_view implementation() const noexcept {
    return {implementation_, implementation_size_};
  }

  /// Sets UTF8; `user` when the server said "UTF8 USER" (UTF-8 user names
  /// and passwords are allowed, RFC 6856 §2).
  constexpr void set_utf8(bool user) noexcept {
    utf8_user_ = user;
    set(capability::utf8);
  }
  constexpr bool utf8_user() const noexcept { return utf8_user_; }

  // --- Unknown tags --------------------------------------------------------

  /// The lines with unknown tags, items joined by one SP, in the order added.
  constexpr text_range unknown() const noexcept { return unknown_.range(); }
  /// The parameters of unknown tag `t` (case-insensitive): "a b" for
  /// "X-FOO a b", "" for "X-BAR"; nullopt when not listed. The view borrows
  /// this object (valid until it changes).
  constexpr std::optional<std::string_view> find_unknown(std::string_view t) const noexcept {
    for (const std::string_view line : unknown()) {
      const std::size_t sp = line.find(' ');
      if (ascii::iequals(line.substr(0, sp), t))
        return sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    }
    return std::nullopt;
  }

  // --- Reading a CAPA response ----------------------------------------------

  /// Folds one capability line (a whole line of the CAPA body, tag
  /// included, stuffing dot removed) into this value. client_parser does
  /// this itself (its capabilities()); its `capability` event splits the
  /// line into capability_tag() and `text`, the parameters.
  /// `line` is only read during the call. Tags compare case-insensitively;
  /// runs of SP or HT separate items (servers pad lines).
  ///
  ///   TOP USER RESP-CODES PIPELINING UIDL STLS AUTH-RESP-CODE LANG
  ///                         set(); parameters are ignored
  ///   SASL mech...          add_mechanism() for each
  ///   LOGIN-DELAY n [USER]  set_login_delay(n, USER given)
  ///   EXPIRE n|NEVER [USER] set_expire(n or nullopt, USER given)
  ///   IMPLEMENTATION text   set_implementation(rest of the line, trimmed)
  ///   UTF8 [USER]           set_utf8(USER given)
  ///   anything else         kept whole (see unknown())
  /// A repeated line replaces the earlier one's parameters; SASL lines add up.
  ///
  /// Errors, each leaving the value as it was:
  ///   errc::invalid_syntax           empty line, a tag that is no capa-tag,
  ///                                  or an octet that is not SP, HT or VCHAR
  ///                                  (IMPLEMENTATION's text may also hold
  ///                                  octets >= 0x80)
  ///   errc::missing_argument         SASL, LOGIN-DELAY, EXPIRE or
  ///                                  IMPLEMENTATION without a parameter
  ///   errc::unexpected_argument      LOGIN-DELAY or EXPIRE with more than
  ///                                  two parameters, UTF8 with more than one
  ///   errc::invalid_parameter_value  a number that is not 1*DIGIT up to
  ///                                  2^32-1, EXPIRE neither that nor NEVER,
  ///                                  a second item that is not USER
  ///   errc::invalid_mechanism        a SASL item that is no sasl-mech
  ///   errc::line_too_long            IMPLEMENTATION text over the limit, or
  ///                                  an unknown line over 510 octets
  ///   errc::duplicate_parameter      an unknown tag listed before with other
  ///                                  parameters
  ///   errc::buffer_too_small         an arena is full
  constexpr errc add_line(std::string_view line) noexcept;

  friend constexpr bool operator==(const capabilities& a, const capabilities& b) noexcept {
    return a.flags_ == b.flags_ && a.mechanisms_ == b.mechanisms_ &&
           a.login_delay_ == b.login_delay_ && a.login_delay_per_user_ == b.login_delay_per_user_ &&
           a.expire_days_ == b.expire_days_ && a.expire_never_ == b.expire_never_ &&
           a.expire_per_user_ == b.expire_per_user_ && a.implementation() == b.implementation() &&
           a.utf8_user_ == b.utf8_user_ && a.unknown_ == b.unknown_;
  }
  friend constexpr bool operator!=(const capabilities& a, const capabilities& b) noexcept {
    return !(a == b);
  }

 private:
  static constexpr std::uint16_t bit(capability c) noexcept {
    const auto i = static_cast<unsigned>(c);
    return i < detail::response_impl::capability_count ? static_cast<std::uint16_t>(1u << i) : 0;
  }

  constexpr errc add_unknown(std::string_view line_tag,
                             mailwire::detail::item_reader items) noexcept;

  std::uint16_t flags_ = 0;
  mailwire::detail::sasl_mechanism_set<other_mechanism_capacity> mechanisms_;
  std::uint32_t login_delay_ = 0;
  std::uint32_t expire_days_ = 0;
  bool login_delay_per_user_ = false;
  bool expire_never_ = false;
  bool expire_per_user_ = false;
  bool utf8_user_ = false;
  std::uint8_t implementation_size_ = 0;
  char implementation_[max_implementation_length] = {};
  mailwire::detail::text_arena<unknown_capacity> unknown_;
};

// ---------------------------------------------------------------------------
// Implementation

namespace detail::response_impl {

/// SP, HT and VCHAR only; `high` also lets octets >= 0x80 through.
constexpr bool capa_octets_valid(std::string_view s, bool high) noexcept {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_wsp(c) && !ascii::is_vchar(c) && !(high && c >= 0x80)) return false;
  }
  return true;
}

/// "USER" after LOGIN-DELAY, EXPIRE or UTF8: true if present, errc when the
/// item is something else.
constexpr errc user_item(std::string_view item, bool& user) noexcept {
  user = false;
  if (item.empty()) return errc{};
  if (!ascii::iequals(item, "USER")) return errc::invalid_parameter_value;
  user = true;
  return errc{};
}

}  // namespace detail::response_impl

constexpr errc capabilities::add_line(std::string_view line) noexcept {
  namespace impl = detail::response_impl;
  mailwire::detail::item_reader items(line);
  const std::string_view t = items.next();
  const std::optional<capability> known = capability_from_tag(t);
  const bool free_text = known && *known == capability::implementation;
  if (!impl::capa_octets_valid(line, free_text)) return errc::invalid_syntax;
  if (!impl::capa_tag_valid(t)) return errc::invalid_syntax;
  if (!known) return add_unknown(t, items);
  switch (*known) {
    case capability::sasl: {
      // All or nothing: check every name before adding any, and add them to
      // a copy, which a full arena leaves behind.
      mailwire::detail::item_reader check = items;
      if (items.next().empty()) return errc::missing_argument;
      items = check;
      for (std::string_view m = check.next(); !m.empty(); m = check.next())
        if (!is_sasl_mechanism_name(m)) return errc::invalid_mechanism;
      capabilities next = *this;
      for (std::string_view m = items.next(); !m.empty(); m = items.next())
        if (const errc e = next.add_mechanism(m); e != errc{}) return e;
      *this = next;
      return errc{};
    }
    case capability::login_delay:
    case capability::expire: {
      const std::string_view value = items.next();
      const std::string_view user_word = items.next();
      if (value.empty()) return errc::missing_argument;
      if (!items.next().empty()) return errc::unexpected_argument;
      bool user = false;
      if (const errc e = impl::user_item(user_word, user); e != errc{}) return e;
      std::uint64_t n = 0;
      const bool never = *known == capability::expire && ascii::iequals(value, "NEVER");
      if (!never && !impl::parse_decimal(value, std::numeric_limits<std::uint32_t>::max(), n))
        return errc::invalid_parameter_value;
      if (*known == capability::login_delay)
        set_login_delay(static_cast<std::uint32_t>(n), user);
      else
        set_expire(
            never ? std::nullopt : std::optional<std::uint32_t>(static_cast<std::uint32_t>(n)),
            user);
      return errc{};
    }
    case capability::implementation: {
      // The rest of the line, as the server wrote it, without the padding.
      std::size_t from = static_cast<std::size_t>(t.data() - line.data()) + t.size();
      std::size_t to = line.size();
      while (from < to && ascii::is_wsp(static_cast<unsigned char>(line[from]))) ++from;
      while (to > from && ascii::is_wsp(static_cast<unsigned char>(line[to - 1]))) --to;
      if (from == to) return errc::missing_argument;
      return set_implementation(line.substr(from, to - from));
    }
    case capability::utf8: {
      const std::string_view user_word = items.next();
      if (!items.next().empty()) return errc::unexpected_argument;
      bool user = false;
      if (const errc e = impl::user_item(user_word, user); e != errc{}) return e;
      set_utf8(user);
      return errc{};
    }
    case capability::top:
    case capability::user:
    case capability::resp_codes:
    case capability::pipelining:
    case capability::uidl:
    case capability::stls:
    case capability::auth_resp_code:
    case capability::lang: set(*known); return errc{};
  }
  return errc::invalid_syntax;
}

constexpr errc capabilities::add_unknown(std::string_view line_tag,
                                         mailwire::detail::item_reader items) noexcept {
  mailwire::detail::line_builder b;
  b.append(line_tag);
  for (std::string_view item = items.next(); !item.empty(); item = items.next()) {
    if (b.size + 1 + item.size() > b.capacity - 2) return errc::line_too_long;
    b.append(" ");
    b.append(item);
  }
  const std::string_view normal = b.view();
  const std::string_view params =
      normal.size() > line_tag.size() ? normal.substr(line_tag.size() + 1) : std::string_view{};
  if (const auto kept = find_unknown(line_tag))
    return *kept == params ? errc{} : errc::duplicate_parameter;
  return unknown_.push(normal) ? errc{} : errc::buffer_too_small;
}

}  // namespace mailwire::pop3
