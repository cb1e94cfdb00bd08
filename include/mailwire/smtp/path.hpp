#pragma once
// RFC 5321 paths and domains: the argument of MAIL FROM / RCPT TO, the
// HELO/EHLO/LHLO argument, address literals, and the writer that emits a
// local part with the least quoting. The whole path grammar lives here.
//
// Grammar (RFC 5321 §4.1.2, §4.1.3; "=/" lines are RFC 6531 §3.3, SMTPUTF8):
//
//   Reverse-path    = Path / "<>"
//   Forward-path    = Path            ; RCPT also takes "<Postmaster>"
//   Path            = "<" [ A-d-l ":" ] Mailbox ">"
//   A-d-l           = At-domain *( "," At-domain )   ; accepted, then dropped
//   At-domain       = "@" Domain
//   Mailbox         = Local-part "@" ( Domain / address-literal )
//   Local-part      = Dot-string / Quoted-string
//   Dot-string      = Atom *("." Atom)
//   Atom            = 1*atext
//   atext           = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
//                     "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
//   atext           =/ UTF8-non-ascii
//   Quoted-string   = DQUOTE *QcontentSMTP DQUOTE
//   QcontentSMTP    = qtextSMTP / quoted-pairSMTP
//   qtextSMTP       = %d32-33 / %d35-91 / %d93-126   ; =/ UTF8-non-ascii
//   quoted-pairSMTP = %d92 %d32-126
//   Domain          = sub-domain *("." sub-domain)
//   sub-domain      = Let-dig [Ldh-str]              ; =/ U-label
//   Let-dig         = ALPHA / DIGIT
//   Ldh-str         = *( ALPHA / DIGIT / "-" ) Let-dig
//   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                           General-address-literal ) "]"
//   (the literal forms are spelled out above parse_address_literal)
//
// Length limits (§4.5.3.1.1-3), counted in octets: local part 64 (quotes and
// backslashes included, as received), domain 255 (a literal with its
// brackets), path 256 ("<", ">", "@", the source route and its "," ":").
// A DNS label is at most 63 octets (RFC 1035 §2.3.4); that is domain syntax
// and always enforced.
//
// Errors name the first problem in reading order; error_offset points at
// the octet where it shows (an empty atom or label: where it should have
// started; a label ending in "-": that hyphen; a length limit: the first
// octet over it; text that ends too early: text.size()). The errc for each:
//   invalid_path           no "<" (unless allow_missing_brackets); a stray or
//                          nested "<" or ">"; no "@" before ">" or the end; a
//                          domain followed by SP or the end instead of ">"; a
//                          literal followed by anything but ">"; any fault in
//                          a source route (UTF-8 faults keep their own errc)
//   null_path_not_allowed  "<>" without allow_null
//   invalid_local_part     empty atom (leading, trailing or double dot), an
//                          octet neither atext nor "." in a dot-string, a bad
//                          quoted-pair or qtext, an unterminated quoted string
//   invalid_domain         empty domain or label, hyphen at either end of a
//                          label, label over 63 octets, an octet no Domain
//                          holds ("_", ",", ...)
//   invalid_address_literal  anything wrong inside "[...]", or no "]"
//   invalid_utf8           a non-ASCII octet that starts no well-formed UTF-8
//                          sequence (RFC 3629), with or without SMTPUTF8
//   smtputf8_required      well-formed UTF-8 while options.utf8 is off
//   local_part_too_long, path_too_long (enforce_length_limits). A 255-octet
//                          domain never fits in a 256-octet path, so
//                          parse_path reports path_too_long first;
//                          domain_too_long comes from check_domain() and
//                          check_domain_or_literal().
//
// Views returned here point into the caller's text and are valid as long as
// that text is. Nothing allocates; nothing throws.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/swar.hpp"
#include "mailwire/core/utf8.hpp"

namespace mailwire::smtp {

/// What a path holds: "<>" (null), "<Postmaster>" (postmaster, no domain), or
/// a mailbox.
enum class path_kind : std::uint8_t { null, mailbox, postmaster };

/// What follows the "@": a domain name, or an address literal.
enum class domain_kind : std::uint8_t { name, ipv4, ipv6, general };

/// The octet limits of RFC 5321 §4.5.3.1.1-3 and RFC 1035 §2.3.4.
namespace path_limit {
inline constexpr std::size_t local_part = 64;
inline constexpr std::size_t domain = 255;
inline constexpr std::size_t path = 256;  ///< including "<" and ">"
inline constexpr std::size_t label = 63;
}  // namespace path_limit

/// A parsed Reverse-path or Forward-path. Every view points into the text
/// given to parse_path() and lives as long as that text.
struct path {
  path_kind kind = path_kind::null;
  /// As received: a dot-string, or a quoted string including its DQUOTEs and
  /// backslashes (unquote_local_part() gives the content); "Postmaster" as
  /// received for kind postmaster; empty for null.
  std::string_view local_part;
  /// The domain name, or the whole address literal including "[" "]"; empty
  /// for null and postmaster.
  std::string_view domain;
  domain_kind domain_type = domain_kind::name;
  /// Literals: the address inside the brackets without "IPv6:" or "tag:"
  /// (e.g. "192.0.2.1", "::1"); empty for names.
  std::string_view address;
  /// General literal: the Standardized-tag; "IPv6" as received for IPv6;
  /// empty otherwise.
  std::string_view tag;
  bool quoted = false;  ///< the local part is a Quoted-string
  /// Non-ASCII octets in the path: local part, domain, or the dropped source
  /// route (so a caller that parsed with utf8 on can still tell that the
  /// path as received needs SMTPUTF8).
  bool utf8 = false;
  bool source_route = false;  ///< an A-d-l was present; it was checked, then dropped
};

struct path_options {
  /// Accept "<>" (MAIL FROM); otherwise it gives errc::null_path_not_allowed.
  bool allow_null = false;
  /// Accept "<Postmaster>" in any case as kind postmaster (RCPT TO, §4.5.1).
  /// Without it "<Postmaster>" lacks its "@" (invalid_path). "<Postmaster@x>"
  /// is an ordinary mailbox either way.
  bool allow_postmaster = false;
  /// SMTPUTF8 is in force (RFC 6531): UTF-8 is allowed in atext, qtextSMTP
  /// and domain labels (U-labels, checked for UTF-8 only, not for IDNA) and
  /// must be well formed (errc::invalid_utf8). Without it any octet >= 0x80
  /// gives errc::smtputf8_required if a well-formed sequence starts there,
  /// else errc::invalid_utf8.
  bool utf8 = false;
  /// Local part 64, domain 255, path 256 octets (see the top of this header).
  bool enforce_length_limits = true;
  /// Lenient (RFC 5321 §4.1.2 has no such form): a bare Mailbox without "<"
  /// ">", ending at SP or at the end of the text. A text that starts with "<"
  /// is parsed as a normal path. The path limit counts the brackets the
  /// mailbox should have had, so a mailbox passes or fails the same with and
  /// without them. Never generate such paths.
  bool allow_missing_brackets = false;
};

struct path_result {
  smtp::path path;  ///< meaningful on success only
  errc error = errc{};
  /// Success: octets of the text used, through the closing ">" (for a bare
  /// mailbox: up to, not including, the SP or the end).
  std::size_t consumed = 0;
  /// Failure: where the first problem is (see the top of this header); may
  /// equal text.size() when the text ends too early.
  std::size_t error_offset = 0;
  constexpr bool ok() const noexcept { return error == errc{}; }
};

/// The parts of an address literal; see parse_address_literal().
struct address_literal {
  domain_kind kind;          ///< ipv4, ipv6 or general (never name)
  std::string_view address;  ///< inside the brackets, without "IPv6:" / "tag:"
  std::string_view tag;      ///< Standardized-tag; "IPv6" as received; empty for IPv4
  errc error;                ///< errc{} or errc::invalid_address_literal
};

struct copy_result {
  std::size_t size = 0;  ///< octets written on success, 0 on error
  errc error = errc{};
  constexpr bool ok() const noexcept { return error == errc{}; }
};

// ---------------------------------------------------------------------------
// Implementation details

namespace detail::path_impl {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

/// text.substr() without its range check (and its throw): callers pass
/// positions inside `text`.
constexpr std::string_view slice(std::string_view text, std::size_t pos,
                                 std::size_t count) noexcept {
  return {text.data() + pos, count};
}

// Character classes, one bit each, in one 256-entry table.
inline constexpr unsigned atext = 1u << 0;      // atext (ASCII part)
inline constexpr unsigned qtext = 1u << 1;      // qtextSMTP (ASCII part)
inline constexpr unsigned ldh = 1u << 2;        // ALPHA / DIGIT / "-"
inline constexpr unsigned dcontent = 1u << 3;   // %d33-90 / %d94-126
inline constexpr unsigned hex = 1u << 4;        // HEXDIG, either case
inline constexpr unsigned non_ascii = 1u << 5;  // %x80-FF
inline constexpr unsigned printable = 1u << 6;  // %d32-126 (quoted-pair's second octet)

struct class_table {
  std::uint8_t bits[256];
};

constexpr class_table make_class_table() noexcept {
  class_table t{};
  for (unsigned c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    unsigned b = 0;
    if (ascii::is_alnum(u)) b |= atext | ldh;
    if (c == '-') b |= ldh;
    if (c >= 32 && c <= 126) b |= printable;
    if (c >= 32 && c <= 126 && c != '"' && c != '\\') b |= qtext;
    if (c >= 33 && c <= 126 && c != '[' && c != '\\' && c != ']') b |= dcontent;
    if (ascii::is_hex_digit(u)) b |= hex;
    if (c >= 0x80) b |= non_ascii;
    t.bits[c] = static_cast<std::uint8_t>(b);
  }
  constexpr std::string_view atext_specials = "!#$%&'*+-/=?^_`{|}~";
  for (const char c : atext_specials) t.bits[static_cast<unsigned char>(c)] |= atext;
  return t;
}

inline constexpr class_table classes = make_class_table();

constexpr unsigned class_of(char c) noexcept { return classes.bits[static_cast<unsigned char>(c)]; }
constexpr bool has(char c, unsigned cls) noexcept { return (class_of(c) & cls) != 0; }

/// The first index from i on whose octet is not in class `cls`, or
/// text.size(). (Unrolling this loop measured slower: runs are short.)
constexpr std::size_t skip(std::string_view text, std::size_t i, unsigned cls) noexcept {
  const std::size_t n = text.size();
  while (i < n && has(text[i], cls)) ++i;
  return i;
}

/// What a domain scan does with an octet >= 0x80.
enum class non_ascii_policy : std::uint8_t {
  utf8,      ///< U-label octets: must be well-formed UTF-8
  diagnose,  ///< refused: smtputf8_required, or invalid_utf8 if malformed
  reject,    ///< refused: ends the scan like any other foreign octet
};

/// The error for a non-ASCII octet at text[i] under `policy` (not reject);
/// `len` gets the length of the well-formed sequence there (0 if none).
constexpr errc check_non_ascii(std::string_view text, std::size_t i, non_ascii_policy policy,
                               std::size_t& len) noexcept {
  len = utf8::detail::sequence_length(text, i);
  if (len == 0) return errc::invalid_utf8;
  return policy == non_ascii_policy::utf8 ? errc{} : errc::smtputf8_required;
}

struct domain_scan {
  std::size_t end;           ///< the octet that stopped the scan (text.size() at the end)
  errc error;                ///< a label rule broken before `end`, or errc{}
  std::size_t error_offset;  ///< where, when error is set
  bool non_ascii;            ///< a U-label octet was seen
};

/// Scans `sub-domain *("." sub-domain)` from text[i] up to the first octet
/// that is neither LDH, "." nor (utf8 policy) part of a UTF-8 sequence. The
/// caller judges that octet. Label faults come back as invalid_domain at the
/// offending octet; an empty label is reported where it should have started.
constexpr domain_scan scan_domain(std::string_view text, std::size_t i,
                                  non_ascii_policy policy) noexcept {
  const std::size_t n = text.size();
  bool seen_non_ascii = false;
  for (;;) {
    const std::size_t label_start = i;
    if (i < n && text[i] == '-') return {i, errc::invalid_domain, i, seen_non_ascii};
    for (;;) {
      i = skip(text, i, ldh);
      if (i == n || !has(text[i], non_ascii) || policy == non_ascii_policy::reject) break;
      std::size_t len = 0;
      const errc e = check_non_ascii(text, i, policy, len);
      if (e != errc{}) {
        if (i - label_start > path_limit::label)
          return {i, errc::invalid_domain, label_start + path_limit::label, seen_non_ascii};
        return {i, e, i, seen_non_ascii};
      }
      seen_non_ascii = true;
      i += len;
    }
    const std::size_t label_length = i - label_start;
    if (label_length == 0) return {i, errc::invalid_domain, i, seen_non_ascii};
    if (label_length > path_limit::label)
      return {i, errc::invalid_domain, label_start + path_limit::label, seen_non_ascii};
    if (text[i - 1] == '-') return {i, errc::invalid_domain, i - 1, seen_non_ascii};
    if (i < n && text[i] == '.') {
      ++i;
      continue;
    }
    return {i, errc{}, 0, seen_non_ascii};
  }
}

/// IPv4-address-literal = Snum 3("." Snum), Snum = 1*3DIGIT with value 0-255,
/// covering text[i, end) exactly. Leading zeros ("010") are accepted, as the
/// ABNF allows, and mean decimal. Returns npos, or where it fails.
constexpr std::size_t ipv4_error(std::string_view text, std::size_t i, std::size_t end) noexcept {
  for (int part = 0; part < 4; ++part) {
    const std::size_t start = i;
    unsigned value = 0;
    while (i < end && i - start < 3 && ascii::is_digit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      ++i;
    }
    if (i == start) return i;
    if (i < end && ascii::is_digit(static_cast<unsigned char>(text[i]))) return i;  // 4th digit
    if (value > 255) return start;
    if (part < 3) {
      if (i == end || text[i] != '.') return i;
      ++i;
    }
  }
  return i == end ? npos : i;
}

/// IPv6-addr (RFC 5321 §4.1.3) covering text[i, end) exactly. Returns npos,
/// or where it fails.
///   IPv6-full   = IPv6-hex 7(":" IPv6-hex)
///   IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
///                 ; at most 6 groups in all besides the "::"
///   IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
///   IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::" [IPv6-hex *3(":" IPv6-hex) ":"]
///                 IPv4-address-literal ; at most 4 groups besides "::" and IPv4
///   IPv6-hex    = 1*4HEXDIG
/// In that grammar "::" stands for two or more zero groups. RFC 4291 §2.2
/// lets it stand for one ("1:2:3:4:5:6:7::"), real software writes such
/// literals, and reading them is unambiguous, so up to 7 groups (5 before an
/// IPv4 tail) are accepted around "::". Writers must not produce them.
constexpr std::size_t ipv6_error(std::string_view text, std::size_t i, std::size_t end) noexcept {
  constexpr unsigned max_groups_full = 8, max_groups_comp = 7, max_groups_v4_comp = 5;
  unsigned groups = 0;
  bool compressed = false;
  if (i < end && text[i] == ':') {
    if (i + 1 == end || text[i + 1] != ':') return i;
    compressed = true;
    i += 2;
    if (i == end) return npos;
  }
  for (;;) {
    const std::size_t start = i;
    while (i < end && i - start < 4 && has(text[i], hex)) ++i;
    if (i < end && text[i] == '.') {  // the last 32 bits written as IPv4
      if (compressed ? groups > max_groups_v4_comp : groups != max_groups_full - 2) return start;
      return ipv4_error(text, start, end);
    }
    if (i == start) return i;  // (a 5th hex digit fails below: it is no ":")
    ++groups;
    if (groups > (compressed ? max_groups_comp : max_groups_full)) return start;
    if (i == end) break;
    if (text[i] != ':') return i;
    ++i;
    if (i < end && text[i] == ':') {
      if (compressed || groups > max_groups_comp) return i - 1;
      compressed = true;
      ++i;
      if (i == end) return npos;
    } else if (i == end) {
      return i;  // a single ":" at the end
    }
  }
  return compressed || groups == max_groups_full ? npos : end;
}

/// Standardized-tag = Ldh-str: LDH octets, the last one a letter or digit.
/// Returns npos, or where it fails.
constexpr std::size_t tag_error(std::string_view text, std::size_t i, std::size_t end) noexcept {
  if (i == end) return i;
  for (; i < end; ++i)
    if (!has(text[i], ldh)) return i;
  return text[end - 1] == '-' ? end - 1 : npos;
}

struct literal_scan {
  domain_kind kind;
  std::string_view address;
  std::string_view tag;
  std::size_t end;           ///< after the "]" on success
  errc error;                ///< errc{} or invalid_address_literal
  std::size_t error_offset;  ///< where, when error is set
};

/// Parses an address-literal whose "[" is text[open]. The content is the
/// run of dcontent octets after "["; it is judged first, then the "]" after
/// it, so a fault inside is reported before a missing "]".
constexpr literal_scan scan_address_literal(std::string_view text, std::size_t open) noexcept {
  const std::size_t n = text.size();
  const std::size_t first = open + 1;
  std::size_t i = first;
  std::size_t colon = npos;
  while (i < n && has(text[i], dcontent)) {
    if (text[i] == ':' && colon == npos) colon = i;
    ++i;
  }
  const std::size_t last = i;  // one past the content
  literal_scan r{domain_kind::ipv4, {}, {}, 0, errc{}, npos};
  std::size_t fault = npos;
  std::size_t address_start = first;
  if (colon == npos) {  // only the tagged forms have a ":"
    fault = ipv4_error(text, first, last);
  } else {
    r.tag = slice(text, first, colon - first);
    address_start = colon + 1;
    if (ascii::iequals(r.tag, "IPv6")) {
      r.kind = domain_kind::ipv6;
      fault = ipv6_error(text, address_start, last);
    } else {
      // "IPv6" also matches General-address-literal; it was taken above and
      // never falls back here, so "[IPv6:bad]" is refused.
      r.kind = domain_kind::general;
      fault = tag_error(text, first, colon);
      if (fault == npos && address_start == last) fault = last;  // 1*dcontent
    }
  }
  if (fault == npos && (last == n || text[last] != ']')) fault = last;
  if (fault != npos) {
    r.tag = {};
    r.error = errc::invalid_address_literal;
    r.error_offset = fault;
    return r;
  }
  r.address = slice(text, address_start, last - address_start);
  r.end = last + 1;
  return r;
}

/// One pass over a received path; see parse_path().
struct path_parser {
  std::string_view text;
  const path_options& options;
  bool bracketed = true;
  std::size_t local_start = npos, local_end = npos;
  std::size_t domain_start = npos, domain_end = npos;

  constexpr non_ascii_policy policy() const noexcept {
    return options.utf8 ? non_ascii_policy::utf8 : non_ascii_policy::diagnose;
  }

  /// The octet at i ends the path: ">" for a path, SP or the end for a bare
  /// mailbox.
  constexpr bool ends_path(std::size_t i) const noexcept {
    if (bracketed) return i < text.size() && text[i] == '>';
    return i == text.size() || text[i] == ' ';
  }

  /// text[i] stopped an element where it does not belong. Brackets (and SP
  /// or the end after a domain) are the path's structure; other octets are
  /// the element's own fault.
  constexpr errc misplaced(std::size_t i, errc element_error, bool after_domain) const noexcept {
    if (i == text.size()) return errc::invalid_path;
    const char c = text[i];
    if (c == '<' || c == '>' || ((after_domain || !bracketed) && c == ' '))
      return errc::invalid_path;
    return element_error;
  }

  /// Moves `fault`/`at` to a length limit crossed before `at`, if any: an
  /// element crosses its limit at start + limit when it has an octet there
  /// before `at`. On a tie the element's limit wins over the path's.
  constexpr void first_limit(errc& fault, std::size_t& at) const noexcept {
    const auto crossing = [&](std::size_t start, std::size_t end, std::size_t limit, errc code) {
      if (start == npos) return;
      const std::size_t stop = end < at ? end : at;
      if (stop > start && stop - start > limit && start + limit < at) {
        fault = code;
        at = start + limit;
      }
    };
    crossing(local_start, local_end, path_limit::local_part, errc::local_part_too_long);
    crossing(domain_start, domain_end, path_limit::domain, errc::domain_too_long);
    crossing(0, npos, bracketed ? path_limit::path : path_limit::path - 2, errc::path_too_long);
  }

  /// The result for the first problem: `fault` at `at`, or a length limit
  /// crossed before it.
  constexpr path_result fail(errc fault, std::size_t at) const noexcept {
    if (options.enforce_length_limits) first_limit(fault, at);
    path_result failed{};
    failed.error = fault;
    failed.error_offset = at;
    return failed;
  }

  constexpr path_result run() noexcept {
    const std::size_t n = text.size();
    path_result r{};
    std::size_t i = 0;
    bracketed = n > 0 && text[0] == '<';
    if (!bracketed && (!options.allow_missing_brackets || n == 0))
      return fail(errc::invalid_path, 0);
    if (bracketed) {
      i = 1;
      if (i < n && text[i] == '>') {
        if (!options.allow_null) return fail(errc::null_path_not_allowed, 0);
        r.consumed = 2;
        return r;
      }
      if (i < n && text[i] == '@') {
        // A-d-l ":" — every fault in the route is a path fault; UTF-8
        // faults keep their own code.
        r.path.source_route = true;
        for (;;) {
          const domain_scan d = scan_domain(text, i + 1, policy());
          if (d.error != errc{})
            return fail(d.error == errc::invalid_domain ? errc::invalid_path : d.error,
                        d.error_offset);
          i = d.end;
          if (d.non_ascii) r.path.utf8 = true;
          if (i < n && text[i] == ',') {
            ++i;
            if (i < n && text[i] == '@') continue;
            return fail(errc::invalid_path, i);
          }
          if (i < n && text[i] == ':') {
            ++i;
            break;
          }
          return fail(errc::invalid_path, i);
        }
      }
    }

    constexpr std::size_t postmaster_size = 10;
    if (options.allow_postmaster && !r.path.source_route && n - i >= postmaster_size &&
        ascii::iequals(slice(text, i, postmaster_size), "Postmaster") &&
        ends_path(i + postmaster_size)) {
      r.path.kind = path_kind::postmaster;
      r.path.local_part = slice(text, i, postmaster_size);
      r.consumed = i + postmaster_size + (bracketed ? 1 : 0);
      return r;
    }

    // Local-part
    local_start = i;
    if (i < n && text[i] == '"') {
      ++i;
      for (;;) {
        i = skip(text, i, qtext);
        if (i == n) return fail(errc::invalid_local_part, n);  // unterminated
        const char c = text[i];
        if (c == '"') {
          ++i;
          break;
        }
        if (c == '\\') {
          if (i + 1 == n) return fail(errc::invalid_local_part, n);
          if (!has(text[i + 1], printable)) return fail(errc::invalid_local_part, i + 1);
          i += 2;
          continue;
        }
        if (!has(c, non_ascii)) return fail(errc::invalid_local_part, i);
        std::size_t len = 0;
        const errc e = check_non_ascii(text, i, policy(), len);
        if (e != errc{}) return fail(e, i);
        r.path.utf8 = true;
        i += len;
      }
      r.path.quoted = true;
    } else {
      for (;;) {
        const std::size_t atom_start = i;
        for (;;) {
          i = skip(text, i, atext);
          if (i == n || !has(text[i], non_ascii)) break;
          std::size_t len = 0;
          const errc e = check_non_ascii(text, i, policy(), len);
          if (e != errc{}) return fail(e, i);
          r.path.utf8 = true;
          i += len;
        }
        if (i == atom_start) {  // an empty atom: a leading, trailing or double dot
          const bool nothing_yet = i == local_start;
          return fail(nothing_yet ? misplaced(i, errc::invalid_local_part, false)
                                  : errc::invalid_local_part,
                      i);
        }
        if (i < n && text[i] == '.') {
          ++i;
          continue;
        }
        break;
      }
    }
    local_end = i;
    if (i == n || text[i] != '@') return fail(misplaced(i, errc::invalid_local_part, false), i);
    ++i;

    // Domain / address-literal
    domain_start = i;
    if (i < n && text[i] == '[') {
      const literal_scan lit = scan_address_literal(text, i);
      if (lit.error != errc{}) return fail(lit.error, lit.error_offset);
      i = lit.end;
      domain_end = i;
      if (!ends_path(i)) return fail(errc::invalid_path, i);
      r.path.domain_type = lit.kind;
      r.path.address = lit.address;
      r.path.tag = lit.tag;
    } else {
      const domain_scan d = scan_domain(text, i, policy());
      if (d.error != errc{}) return fail(d.error, d.error_offset);
      i = d.end;
      domain_end = i;
      if (!ends_path(i)) return fail(misplaced(i, errc::invalid_domain, true), i);
      if (d.non_ascii) r.path.utf8 = true;
    }

    r.path.kind = path_kind::mailbox;
    r.path.local_part = slice(text, local_start, local_end - local_start);
    r.path.domain = slice(text, domain_start, domain_end - domain_start);
    r.consumed = bracketed ? i + 1 : i;
    if (options.enforce_length_limits) {
      errc fault{};
      std::size_t at = r.consumed;
      first_limit(fault, at);
      if (fault != errc{}) return fail(fault, at);
    }
    return r;
  }
};

// ---- The common case, eight octets at a time ------------------------------
//
// Most paths are "<" dot-string or quoted-string "@" domain or literal ">",
// valid. parse_common() reads those a word (eight octets) at a time and
// returns false for anything else or anything it is not sure of (a source
// route, "<>", "<Postmaster>", a length limit crossed, a label that may be
// over 63 octets, any fault), and parse_path() then runs path_parser, which
// alone decides errors and their offsets. So parse_common only has to be
// right when it accepts.
//
// The tests on a word leave the high bit of each octet that matches and no
// other bit. Octets are judged on their low seven bits, where adding 0x80 - k
// sets the high bit exactly when the octet is at least k and carries into no
// other octet; octets >= 0x80 are then added to the stops.

namespace swar {
using ::mailwire::swar::at_least;
using ::mailwire::swar::first;
using ::mailwire::swar::highs;
using ::mailwire::swar::load_le64;
using ::mailwire::swar::lows;
using ::mailwire::swar::ones;
using ::mailwire::swar::word_at;

/// The octets of a word that end a run of LDH and "." (anything else,
/// non-ASCII included), and its "." and "-" octets.
struct ldh_word {
  std::uint64_t stops, dots, hyphens;
};
constexpr ldh_word classify_ldh(std::uint64_t w) noexcept {
  const std::uint64_t low7 = w & lows;
  const std::uint64_t ascii = ~w & highs;
  const std::uint64_t hyphen_up = at_least(low7, 0x2D), dot_up = at_least(low7, 0x2E),
                      slash_up = at_least(low7, 0x2F);
  // [-.0-9A-Za-z]: membership flips at each of these bounds, so their parity
  // tells whether an octet is inside.
  const std::uint64_t inside = hyphen_up ^ slash_up ^ at_least(low7, 0x30) ^ at_least(low7, 0x3A) ^
                               at_least(low7, 0x41) ^ at_least(low7, 0x5B) ^ at_least(low7, 0x61) ^
                               at_least(low7, 0x7B);
  return {~(inside & ascii) & highs, (dot_up ^ slash_up) & ascii, (hyphen_up ^ dot_up) & ascii};
}

/// The octets of a word that end a run of qtextSMTP's ASCII part: controls,
/// DQUOTE, backslash, DEL and non-ASCII.
constexpr std::uint64_t qtext_stops(std::uint64_t w) noexcept {
  const std::uint64_t low7 = w & lows;
  const std::uint64_t inside = at_least(low7, 0x20) ^ at_least(low7, 0x22) ^ at_least(low7, 0x23) ^
                               at_least(low7, 0x5C) ^ at_least(low7, 0x5D) ^ at_least(low7, 0x7F);
  return ~(inside & ~w) & highs;
}
}  // namespace swar

/// The result for the common valid path (see above), or, when it cannot
/// decide, a result with some error. The success result is built in one
/// expression, so it needs no clearing first (compilers clear a path_result
/// with rep stos, which is slow to start).
constexpr path_result parse_common(std::string_view text, const path_options& options) noexcept {
  const auto undecided = [] {
    path_result r{};
    r.error = errc::invalid_path;
    return r;
  };
  const char* const p = text.data();
  const std::size_t n = text.size();
  // "<a@b>" is the shortest; "<>" and source routes go the exact way, and so
  // does anything that may be "<Postmaster>".
  if (n < 5 || p[0] != '<' || p[1] == '>' || p[1] == '@') return undecided();
  if (options.allow_postmaster && n >= 12 && p[11] == '>') return undecided();
  // A well-formed UTF-8 sequence at p[i] under SMTPUTF8: its length, else 0.
  const auto utf8_at = [&](std::size_t i) noexcept -> std::size_t {
    if (static_cast<unsigned char>(p[i]) < 0x80 || !options.utf8) return 0;
    return mailwire::utf8::detail::sequence_length(text, i);
  };
  bool utf8 = false;
  std::size_t i = 1;
  // Faults found a word at a time, judged once at the end.
  std::uint64_t bad = 0;

  // Local-part.
  const bool quoted = p[1] == '"';
  if (quoted) {
    for (i = 2;;) {
      const std::uint64_t stops = swar::qtext_stops(swar::word_at(text, i));
      if (stops == 0) {
        i += 8;
        continue;
      }
      i += swar::first(stops);
      if (i >= n) return undecided();
      if (p[i] == '"') {
        ++i;
        break;
      }
      if (p[i] == '\\') {
        if (i + 1 == n || !has(p[i + 1], printable)) return undecided();
        i += 2;
        continue;
      }
      const std::size_t len = utf8_at(i);
      if (len == 0) return undecided();
      utf8 = true;
      i += len;
    }
    if (i == n || p[i] != '@') return undecided();
  } else {
    // Runs of LDH and "."; the rest of atext and UTF-8 one by one. No "."
    // may follow the start or another ".", and none may precede the "@".
    std::uint64_t after_dot = 0x80;  // the start counts as a "."
    for (;;) {
      const swar::ldh_word c = swar::classify_ldh(swar::word_at(text, i));
      const std::uint64_t follows_dot = c.dots << 8 | after_dot;
      if (c.stops == 0) {
        bad |= c.dots & follows_dot;
        after_dot = c.dots >> 56;
        i += 8;
        continue;
      }
      const std::uint64_t stop = c.stops & (~c.stops + 1);
      bad |= c.dots & follows_dot & (stop - 1);
      i += swar::first(c.stops);
      if (i >= n) return undecided();
      if (p[i] == '@') {
        bad |= follows_dot & stop;
        break;
      }
      if (has(p[i], atext)) {
        ++i;
      } else {
        const std::size_t len = utf8_at(i);  // atext under SMTPUTF8
        if (len == 0) return undecided();
        utf8 = true;
        i += len;
      }
      after_dot = 0;
    }
  }
  const std::size_t local_end = i;
  const std::size_t domain_start = ++i;

  // Domain: runs of LDH and "."; no "." or "-" after the start or a ".", no
  // "." after a "-", and neither before the ">".
  domain_kind domain_type = domain_kind::name;
  std::string_view address, tag;
  if (i < n && p[i] == '[') {
    const literal_scan lit = scan_address_literal(text, i);
    if (lit.error != errc{}) return undecided();
    i = lit.end;
    if (i == n || p[i] != '>') return undecided();
    domain_type = lit.kind;
    address = lit.address;
    tag = lit.tag;
  } else {
    std::uint64_t after_dot = 0x80, after_hyphen = 0;
    for (;;) {
      const swar::ldh_word c = swar::classify_ldh(swar::word_at(text, i));
      const std::uint64_t follows_dot = c.dots << 8 | after_dot;
      const std::uint64_t follows_hyphen = c.hyphens << 8 | after_hyphen;
      const std::uint64_t faults = ((c.dots | c.hyphens) & follows_dot) | (c.dots & follows_hyphen);
      if (c.stops == 0) {
        bad |= faults;
        after_dot = c.dots >> 56;
        after_hyphen = c.hyphens >> 56;
        i += 8;
        continue;
      }
      const std::uint64_t stop = c.stops & (~c.stops + 1);
      bad |= faults & (stop - 1);
      i += swar::first(c.stops);
      if (i >= n) return undecided();
      if (p[i] == '>') {
        bad |= (follows_dot | follows_hyphen) & stop;
        break;
      }
      const std::size_t len = utf8_at(i);  // a U-label octet
      if (len == 0) return undecided();
      utf8 = true;
      i += len;
      after_dot = after_hyphen = 0;
    }
    // Every label fits in 63 octets when the whole domain does.
    if (i - domain_start > path_limit::label) return undecided();
  }
  if (bad != 0) return undecided();
  if (options.enforce_length_limits &&
      (local_end - 1 > path_limit::local_part || i + 1 > path_limit::path))
    return undecided();
  return {
      {path_kind::mailbox, slice(text, 1, local_end - 1),
       slice(text, domain_start, i - domain_start), domain_type, address, tag, quoted, utf8, false},
      errc{},
      i + 1,
      0};
}

/// Dot-string check over a sequence of unquoted octets, fed one at a time.
struct dot_string_checker {
  bool utf8;
  bool ok = true;
  bool atom_empty = true;
  constexpr void add_ascii(char c) noexcept {
    if (c == '.') {
      if (atom_empty) ok = false;
      atom_empty = true;
    } else if (has(c, atext)) {
      atom_empty = false;
    } else {
      ok = false;
    }
  }
  /// A well-formed UTF-8 sequence (atext under SMTPUTF8).
  constexpr void add_non_ascii_sequence() noexcept {
    if (!utf8) ok = false;
    atom_empty = false;
  }
  constexpr bool result() const noexcept { return ok && !atom_empty; }
};

}  // namespace detail::path_impl

// ---------------------------------------------------------------------------
// Parsing

/// Parses a Reverse-path or Forward-path at the start of `text` (which
/// begins with "<" unless options.allow_missing_brackets). Stops after the
/// closing ">" (bare mailbox: at SP or the end); whatever follows (ESMTP
/// parameters) is the caller's, and a second ">" is not looked at. Reads no
/// octet outside `text`, and reads it in one pass. See the top of this header
/// for the grammar, the limits and the error each problem gets.
///
/// `<>` gives kind null (allow_null), `<Postmaster>` in any case kind
/// postmaster (allow_postmaster), a source route `<@a,@b:u@c>` is checked and
/// dropped (path.source_route tells it was there; it counts toward the path
/// limit). The result's views borrow `text`.
constexpr path_result parse_path(std::string_view text, const path_options& options = {}) noexcept {
  path_result r = detail::path_impl::parse_common(text, options);
  if (!r.ok()) {
    detail::path_impl::path_parser parser{text, options};
    r = parser.run();
  }
  return r;
}

/// Checks a Domain (RFC 5321 §4.1.2): sub-domain *("." sub-domain), each a
/// letter or digit, then letters, digits and hyphens, not ending in a hyphen;
/// no empty label, no trailing dot, labels of at most 63 octets, and at most
/// 255 octets in all when enforce_length_limits. With utf8 (SMTPUTF8), a
/// label may also hold well-formed UTF-8 (a U-label; IDNA rules are not
/// checked). Returns errc{}, errc::invalid_domain, errc::domain_too_long,
/// errc::invalid_utf8, or, without utf8, errc::smtputf8_required for
/// well-formed non-ASCII; the first problem in reading order wins.
constexpr errc check_domain(std::string_view domain, bool utf8 = false,
                            bool enforce_length_limits = true) noexcept {
  namespace impl = detail::path_impl;
  const impl::domain_scan d = impl::scan_domain(
      domain, 0, utf8 ? impl::non_ascii_policy::utf8 : impl::non_ascii_policy::diagnose);
  errc e = d.error;
  std::size_t at = d.error_offset;
  if (e == errc{} && d.end != domain.size()) {
    e = errc::invalid_domain;
    at = d.end;
  }
  if (enforce_length_limits && domain.size() > path_limit::domain &&
      (e == errc{} || path_limit::domain < at))
    return errc::domain_too_long;
  return e;
}

/// Parses an address-literal including its brackets (RFC 5321 §4.1.3); all
/// of `literal` must be the literal.
///
///   address-literal         = "[" ( IPv4-address-literal / IPv6-address-literal /
///                                   General-address-literal ) "]"
///   IPv4-address-literal    = Snum 3("." Snum)      ; Snum = 1*3DIGIT, 0-255
///   IPv6-address-literal    = "IPv6:" IPv6-addr
///   General-address-literal = Standardized-tag ":" 1*dcontent
///   Standardized-tag        = Ldh-str
///   dcontent                = %d33-90 / %d94-126    ; printable but "[" "\" "]"
///
/// IPv4 leading zeros ("[010.0.0.1]") are accepted as the ABNF allows; they
/// are decimal, so a consumer must not hand `address` to inet_aton(), which
/// reads them as octal. The "IPv6:" tag matches in any case and is tried
/// before the general form (an invalid IPv6 address never passes as a
/// general literal). IPv6-addr takes all four forms of the ABNF; "::" may
/// also stand for a single zero group as RFC 4291 allows (see ipv6_error and
/// is_rfc5321_ipv6()).
/// A content without ":" is read as IPv4.
///
/// Success: kind ipv4/ipv6/general, `address` (inside the brackets, without
/// "IPv6:" or "tag:") and `tag` borrowing `literal`. Failure: error is
/// errc::invalid_address_literal, address and tag are empty, and kind is the
/// form that was tried.
constexpr address_literal parse_address_literal(std::string_view literal) noexcept {
  namespace impl = detail::path_impl;
  if (literal.empty() || literal[0] != '[')
    return {domain_kind::general, {}, {}, errc::invalid_address_literal};
  const impl::literal_scan s = impl::scan_address_literal(literal, 0);
  if (s.error != errc{} || s.end != literal.size())
    return {s.kind, {}, {}, errc::invalid_address_literal};
  return {s.kind, s.address, s.tag, errc{}};
}

/// For an IPv6 address that parse_address_literal() accepted: true when it
/// also keeps to RFC 5321's own group count, where "::" stands for two or
/// more zero groups. Parsers accept RFC 4291's "::" for a single group;
/// writers should produce only what this accepts (RFC 5321 §4.1.3).
constexpr bool is_rfc5321_ipv6(std::string_view address) noexcept {
  if (address.find("::") == std::string_view::npos) return true;
  unsigned groups = 0;
  bool in_group = false;
  for (const char c : address) {
    if (c == ':') {
      in_group = false;
    } else if (!in_group) {
      in_group = true;
      ++groups;
    }
  }
  if (address.find('.') != std::string_view::npos) ++groups;  // IPv4 tail: 32 bits
  return groups <= 6;
}

/// Checks a HELO/EHLO/LHLO argument: a Domain or an address-literal (RFC 5321
/// §4.1.1.1; HELO's ABNF has only Domain, but literals are common and
/// accepted). The argument stays ASCII even under SMTPUTF8 (RFC 6531 §3.7.1),
/// so any non-ASCII octet is errc::invalid_domain. Returns errc{},
/// errc::invalid_domain, errc::domain_too_long or
/// errc::invalid_address_literal.
constexpr errc check_domain_or_literal(std::string_view text) noexcept {
  namespace impl = detail::path_impl;
  errc e{};
  std::size_t at = 0;
  if (!text.empty() && text[0] == '[') {
    const impl::literal_scan lit = impl::scan_address_literal(text, 0);
    e = lit.error;
    at = lit.error_offset;
    if (e == errc{} && lit.end != text.size()) {
      e = errc::invalid_address_literal;
      at = lit.end;
    }
  } else {
    const impl::domain_scan d = impl::scan_domain(text, 0, impl::non_ascii_policy::reject);
    e = d.error;
    at = d.error_offset;
    if (e == errc{} && d.end != text.size()) {
      e = errc::invalid_domain;
      at = d.end;
    }
  }
  if (text.size() > path_limit::domain && (e == errc{} || path_limit::domain < at))
    return errc::domain_too_long;
  return e;
}

// ---------------------------------------------------------------------------
// Local parts: unquoting and writing with the least quoting

/// Writes the content of a local part to out[0, cap): a dot-string as it
/// is; a quoted string without its DQUOTEs, each quoted-pair "\x" as x.
/// Success: {octets written}. If they do not fit: {0,
/// errc::buffer_too_small}, and out may hold a partial copy. Precondition:
/// `local_part` came from parse_path() (or is otherwise valid); malformed
/// input gives an unspecified copy but never a read outside `local_part` or
/// a write outside `out`.
constexpr copy_result unquote_local_part(std::string_view local_part, char* out,
                                         std::size_t cap) noexcept {
  const std::size_t n = local_part.size();
  if (n == 0 || local_part[0] != '"') {
    if (n > cap) return {0, errc::buffer_too_small};
    for (std::size_t i = 0; i < n; ++i) out[i] = local_part[i];
    return {n, errc{}};
  }
  const std::size_t end = n - 1;  // the closing DQUOTE
  std::size_t o = 0;
  for (std::size_t i = 1; i < end; ++i) {
    char c = local_part[i];
    if (c == '\\' && i + 1 < end) c = local_part[++i];
    if (o == cap) return {0, errc::buffer_too_small};
    out[o++] = c;
  }
  return {o, errc{}};
}

/// True if `unquoted` (a local part's content) can be sent as a Dot-string,
/// Atom *("." Atom), without quotes. With utf8 (SMTPUTF8), well-formed UTF-8
/// counts as atext; malformed UTF-8 never does. The empty string is no
/// Dot-string.
constexpr bool is_dot_string(std::string_view unquoted, bool utf8 = false) noexcept {
  detail::path_impl::dot_string_checker check{utf8};
  for (std::size_t i = 0; i < unquoted.size() && check.ok;) {
    const char c = unquoted[i];
    if (!detail::path_impl::has(c, detail::path_impl::non_ascii)) {
      check.add_ascii(c);
      ++i;
      continue;
    }
    const std::size_t len = mailwire::utf8::detail::sequence_length(unquoted, i);
    if (len == 0) return false;
    check.add_non_ascii_sequence();
    i += len;
  }
  return check.result();
}

/// Appends a local part, given as its content (unquoted), with the least
/// quoting (RFC 5321 §4.1.2, §2.4): as a Dot-string when is_dot_string(),
/// else as a Quoted-string with a backslash before each DQUOTE and backslash
/// and nowhere else. All or nothing (write_all_or_nothing). Returns errc{};
/// errc::invalid_argument when `unquoted` is empty or holds what no
/// Quoted-string carries (a control octet: NUL, CR, LF, HT, DEL, ...; an
/// octet >= 0x80 without utf8, or malformed UTF-8 with it); errc::local_part_too_long
/// when the written form would exceed 64 octets; errc::buffer_too_small.
/// Nothing is written on error.
template <class Sink>
errc write_local_part(Sink& sink, std::string_view unquoted,
                      bool utf8 = false) noexcept(is_nothrow_sink_v<Sink>) {
  static_assert(is_sink_v<Sink>, "write_local_part needs a sink (see output.hpp)");
  namespace impl = detail::path_impl;
  const std::size_t n = unquoted.size();
  if (n == 0) return errc::invalid_argument;
  std::size_t escapes = 0;
  for (std::size_t i = 0; i < n;) {
    const char c = unquoted[i];
    if (impl::has(c, impl::printable)) {
      escapes += c == '"' || c == '\\' ? 1 : 0;
      ++i;
      continue;
    }
    const std::size_t len = utf8 && impl::has(c, impl::non_ascii)
                                ? mailwire::utf8::detail::sequence_length(unquoted, i)
                                : 0;
    if (len == 0) return errc::invalid_argument;
    i += len;
  }
  const bool dot_string = is_dot_string(unquoted, utf8);
  // n <= 64 first, so the sum below cannot wrap.
  if (n > path_limit::local_part || (!dot_string && n + 2 + escapes > path_limit::local_part))
    return errc::local_part_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    if (dot_string) {
      s.append(unquoted);
      return;
    }
    s.append("\"");
    std::size_t run = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (unquoted[i] != '"' && unquoted[i] != '\\') continue;
      s.append(unquoted.substr(run, i - run));
      s.append("\\");
      run = i;  // the special octet starts the next run
    }
    s.append(unquoted.substr(run));
    s.append("\"");
  });
}

namespace detail::path_impl {
/// One Dot-string or one Quoted-string (RFC 5321 §4.1.2), UTF-8 allowed
/// (RFC 6531): what write_mailbox() accepts from a hand-made path.
constexpr bool local_part_valid(std::string_view lp) noexcept {
  if (lp.empty() || lp[0] != '"') return is_dot_string(lp, true);
  if (lp.size() < 2 || lp.back() != '"') return false;
  const std::size_t last = lp.size() - 1;  // the closing DQUOTE
  for (std::size_t i = 1; i < last;) {
    const auto c = static_cast<unsigned char>(lp[i]);
    if (c == '\\') {  // quoted-pair: "\" and one of %d32-126
      if (i + 1 >= last || !has(lp[i + 1], printable)) return false;
      i += 2;
    } else if (has(lp[i], qtext)) {
      ++i;
    } else if (c >= 0x80) {
      const std::size_t len = mailwire::utf8::detail::sequence_length(lp.substr(0, last), i);
      if (len == 0) return false;
      i += len;
    } else {
      return false;  // a DQUOTE inside, or a control octet
    }
  }
  return true;
}
}  // namespace detail::path_impl

/// Appends a path's mailbox as it will be delivered: "local@domain" with the
/// local part re-written with the least quoting ("\"ab\"@x" gives ab@x,
/// "\"a b\"@x" stays "\"a b\"@x", "\"a\\b\"@x" gives ab@x), then "@" and the
/// domain (or literal) as received. Postmaster gives its local part as
/// received ("Postmaster"); null gives nothing. The source route is never
/// written. Unquotes on the fly: no buffer. All or nothing.
///
/// A hand-made path is checked against the grammar first, so that no field
/// can end the path early or smuggle parameters or another command into the
/// line a writer builds around it: the local part must be one Dot-string or
/// one Quoted-string (UTF-8 allowed), the domain a Domain (U-labels allowed)
/// or an address literal, a postmaster path's local part "Postmaster".
/// Otherwise errc::invalid_argument and nothing is written. Lengths are not
/// re-checked (least quoting never makes a received local part longer).
/// Returns errc{}, errc::invalid_argument or errc::buffer_too_small.
template <class Sink>
errc write_mailbox(Sink& sink, const path& p) noexcept(is_nothrow_sink_v<Sink>) {
  static_assert(is_sink_v<Sink>, "write_mailbox needs a sink (see output.hpp)");
  namespace impl = detail::path_impl;
  switch (p.kind) {
    case path_kind::null: return errc{};
    case path_kind::postmaster:
    case path_kind::mailbox: break;
  }
  if (p.kind == path_kind::postmaster) {
    if (!ascii::iequals(p.local_part, "Postmaster")) return errc::invalid_argument;
    return write_all_or_nothing(
        sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) { s.append(p.local_part); });
  }
  if (!impl::local_part_valid(p.local_part)) return errc::invalid_argument;
  const bool literal = !p.domain.empty() && p.domain[0] == '[';
  if (literal ? parse_address_literal(p.domain).error != errc{}
              : check_domain(p.domain, true, false) != errc{})
    return errc::invalid_argument;

  const std::string_view lp = p.local_part;
  const bool quoted = !lp.empty() && lp[0] == '"';
  // The quoted form's content, between the DQUOTEs.
  const std::string_view content = quoted ? lp.substr(1, lp.size() >= 2 ? lp.size() - 2 : 0) : lp;
  bool dot_string = !quoted;
  if (quoted) {
    impl::dot_string_checker check{true};
    for (std::size_t i = 0; i < content.size() && check.ok;) {
      if (content[i] == '\\' && i + 1 < content.size()) ++i;
      if (impl::has(content[i], impl::non_ascii)) {
        // Well formed: local_part_valid() above.
        const std::size_t len = mailwire::utf8::detail::sequence_length(content, i);
        if (len == 0) return errc::invalid_argument;
        check.add_non_ascii_sequence();
        i += len;
      } else {
        check.add_ascii(content[i]);
        ++i;
      }
    }
    dot_string = check.result();
  }
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    if (!quoted) {
      s.append(lp);
    } else {
      // Copy runs between quoted-pairs; keep "\x" only where x needs it.
      if (!dot_string) s.append("\"");
      std::size_t run = 0;
      for (std::size_t i = 0; i < content.size(); ++i) {
        if (content[i] != '\\' || i + 1 == content.size()) continue;
        const char x = content[i + 1];
        const bool keep = !dot_string && (x == '"' || x == '\\');
        s.append(content.substr(run, i - run));
        run = keep ? i : i + 1;
        ++i;  // x is never a pair's start
      }
      s.append(content.substr(run));
      if (!dot_string) s.append("\"");
    }
    s.append("@");
    s.append(p.domain);
  });
}

}  // namespace mailwire::smtp
