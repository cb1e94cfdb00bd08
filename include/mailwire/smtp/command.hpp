#pragma once
// SMTP, ESMTP and LMTP commands as values (RFC 5321 §4.1.1, RFC 2033 §4):
// the verb, its typed arguments and the replies a server gives when it
// rejects one.
//
// A `command` is made of views into the line the parser returned it from; it
// stays valid exactly as long as that event (see server_parser.hpp).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"

namespace mailwire::smtp {

/// Every verb the parser knows. `unknown` is a verb it does not recognise (the
/// server answers 500 and goes on, RFC 5321 §4.2.4).
enum class verb : std::uint8_t {
  unknown,
  helo,      ///< RFC 5321 §4.1.1.1
  ehlo,      ///< RFC 5321 §4.1.1.1
  lhlo,      ///< RFC 2033 §4.1 (LMTP)
  mail,      ///< RFC 5321 §4.1.1.2
  rcpt,      ///< RFC 5321 §4.1.1.3
  data,      ///< RFC 5321 §4.1.1.4
  bdat,      ///< RFC 3030 §2 (CHUNKING)
  rset,      ///< RFC 5321 §4.1.1.5
  vrfy,      ///< RFC 5321 §4.1.1.6
  expn,      ///< RFC 5321 §4.1.1.7
  help,      ///< RFC 5321 §4.1.1.8
  noop,      ///< RFC 5321 §4.1.1.9
  quit,      ///< RFC 5321 §4.1.1.10
  starttls,  ///< RFC 3207 §4
  auth,      ///< RFC 4954 §4
  etrn,      ///< RFC 1985
};

/// The verb as it is written on the wire (upper case); "" for unknown.
constexpr std::string_view name(verb v) noexcept {
  switch (v) {
    case verb::unknown: return "";
    case verb::helo: return "HELO";
    case verb::ehlo: return "EHLO";
    case verb::lhlo: return "LHLO";
    case verb::mail: return "MAIL";
    case verb::rcpt: return "RCPT";
    case verb::data: return "DATA";
    case verb::bdat: return "BDAT";
    case verb::rset: return "RSET";
    case verb::vrfy: return "VRFY";
    case verb::expn: return "EXPN";
    case verb::help: return "HELP";
    case verb::noop: return "NOOP";
    case verb::quit: return "QUIT";
    case verb::starttls: return "STARTTLS";
    case verb::auth: return "AUTH";
    case verb::etrn: return "ETRN";
  }
  return "";
}

namespace detail {
/// The four-letter verbs by a perfect hash of their case-folded octets: one
/// multiplication and one compare instead of a chain of compares (whose
/// branches mispredict on a real mix of verbs).
struct verb_table_t {
  std::uint32_t key[16];  // the verb's octets | 0x20, little-endian; 0: empty
  verb value[16];
  bool unique;
};

/// p[0..3] with 0x20 OR-ed into each octet: the upper- and lower-case form of
/// a letter fold onto the lower-case letter, and no other octet becomes a
/// letter.
constexpr std::uint32_t folded_verb_key(const char* p) noexcept {
  return (std::uint32_t{static_cast<unsigned char>(p[0])} |
          std::uint32_t{static_cast<unsigned char>(p[1])} << 8 |
          std::uint32_t{static_cast<unsigned char>(p[2])} << 16 |
          std::uint32_t{static_cast<unsigned char>(p[3])} << 24) |
         0x20202020u;
}

/// The multiplier was searched for to give the fifteen verbs fifteen slots
/// (make_verb_table checks it).
constexpr unsigned verb_slot(std::uint32_t key) noexcept { return (key * 0x4f106cd9u) >> 28; }

constexpr verb_table_t make_verb_table() noexcept {
  verb_table_t t{};
  t.unique = true;
  for (unsigned i = 1; i <= static_cast<unsigned>(verb::etrn); ++i) {
    const auto v = static_cast<verb>(i);
    const std::string_view n = name(v);
    if (n.size() != 4) continue;
    const std::uint32_t key = folded_verb_key(n.data());
    const unsigned slot = verb_slot(key);
    if (t.key[slot] != 0) t.unique = false;
    t.key[slot] = key;
    t.value[slot] = v;
  }
  return t;
}

inline constexpr verb_table_t verb_table = make_verb_table();
static_assert(verb_table.unique, "verb_slot must give every four-letter verb its own slot");
}  // namespace detail

/// Recognises a verb, case-insensitively (RFC 5321 §2.4).
constexpr verb verb_from(std::string_view token) noexcept {
  if (token.size() == 4) {
    const std::uint32_t key = detail::folded_verb_key(token.data());
    const unsigned slot = detail::verb_slot(key);
    return detail::verb_table.key[slot] == key ? detail::verb_table.value[slot] : verb::unknown;
  }
  return ascii::iequals(token, "STARTTLS") ? verb::starttls : verb::unknown;
}

/// One command line, parsed. Which members are set depends on `verb`:
/// - HELO, EHLO, LHLO: `argument` is the domain or address literal (checked).
/// - MAIL, RCPT: `path` and `parameters` (both checked: the path against RFC
///   5321 §4.1.2-4.1.3, the known parameters against their RFCs); `argument`
///   is everything after "FROM:" / "TO:".
/// - BDAT: `chunk_size` and `last`; the chunk's octets follow as data events.
/// - AUTH: `mechanism`, and `initial_response` when `has_initial_response`
///   (base64 checked; "=" gives an empty initial response, RFC 4954 §4).
/// - VRFY, EXPN, HELP, NOOP, ETRN: `argument` as sent (may be empty for HELP
///   and NOOP; RFC 5321 §4.1.1.9 says NOOP's SHOULD be ignored).
/// - DATA, RSET, QUIT, STARTTLS: nothing (an argument is an error).
/// Trailing SP and HT are never part of `argument` (RFC 5321 §4.1.1).
struct command {
  smtp::verb verb = verb::unknown;
  /// The verb as received (any case).
  std::string_view verb_text;
  std::string_view argument;
  smtp::path path;
  parameter_list parameters;
  std::uint64_t chunk_size = 0;
  bool last = false;
  bool has_initial_response = false;
  std::string_view mechanism;
  std::string_view initial_response;
};

/// The reply a server should give when it rejects `v` for `e`: the general
/// suggested_reply(e), made precise where RFC 3463 has a code for the
/// situation: a bad reverse path (MAIL) is X.1.7 rather than the forward-path
/// codes X.1.2/X.1.3, a non-ASCII sender without SMTPUTF8 is 550 rather than
/// 553 (RFC 6531 §3.6), and a bad HELO/EHLO/LHLO argument is 501 5.5.4.
constexpr reply_hint reply_for(errc e, verb v) noexcept {
  reply_hint r = suggested_reply(e);
  const bool address_error = r.enhanced == "5.1.2" || r.enhanced == "5.1.3";
  if (v == verb::mail) {
    if (address_error) r.enhanced = "5.1.7";
    if (e == errc::smtputf8_required) r.code = 550;
  } else if ((v == verb::helo || v == verb::ehlo || v == verb::lhlo) && address_error) {
    r.enhanced = "5.5.4";
  }
  return r;
}

}  // namespace mailwire::smtp
