#pragma once
// The common MAIL/RCPT line, judged sixteen octets at a time.
//
// Almost every MAIL FROM / RCPT TO a server receives looks alike: a
// dot-string (or simply quoted) mailbox at a domain name, then a few known
// parameters (SIZE, BODY, NOTIFY, ORCPT, ...). mail_rcpt_fast_path()
// classifies the octets of such a line in 16-octet vectors into bit masks (one
// bit per octet: letter or digit, ".", "-", "@", ">", DQUOTE, non-ASCII, SP,
// "=", "+", printable) and checks the grammar on the masks, with no loop or
// branch per octet. It accepts only what it can judge completely and declines
// everything else: quoted-pairs, address literals, source routes, "<>",
// "<Postmaster>", atext other than LDH "." "_" "+" "=", UTF-8 in parameters,
// unknown keywords, a path over 64 octets, parameters over 256, any fault at
// all. The exact parsers (parse_path, parse_parameters, check_*_parameters)
// then decide, so errors and their details come from one place only, and an
// accepted line gives exactly what the exact parsers give (the fuzz target
// smtp_fast_path and the unit tests compare the two).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/core/bytes16.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"

namespace mailwire::smtp::detail {

#if MAILWIRE_HAS_BYTES16

namespace fast_path {

inline unsigned lowest(std::uint64_t m) noexcept {
  return static_cast<unsigned>(__builtin_ctzll(m));
}

/// The first set position in [from, limit) of a mask over words[], or limit.
[[gnu::always_inline]] inline std::size_t next(const std::uint64_t* words, std::size_t from,
                                               std::size_t limit) noexcept {
  std::size_t k = from / 64;
  std::uint64_t x = words[k] & (~std::uint64_t{0} << (from % 64));
  while (x == 0) {
    if (++k * 64 >= limit) return limit;
    x = words[k];
  }
  const std::size_t pos = k * 64 + lowest(x);
  return pos < limit ? pos : limit;
}

/// Bits from..from+63 of a mask over words[] (words[from / 64 + 1] must exist).
[[gnu::always_inline]] inline std::uint64_t window(const std::uint64_t* words,
                                                   std::size_t from) noexcept {
  const std::size_t k = from / 64;
  const unsigned r = static_cast<unsigned>(from % 64);
  // Shifting by 1 and then 63 - r leaves the second word out when r == 0.
  return words[k] >> r | (words[k + 1] << 1) << (63 - r);
}

/// kind_of_valid() for the usual keyword of under eight octets with eight
/// readable.
[[gnu::always_inline]] inline parameter_kind keyword_kind(const char* p, std::size_t length,
                                                          std::size_t avail) noexcept {
  if (length >= 8 || avail < 8) return kind_of_valid(p, length, avail);
  const std::uint8_t r = keyword_index.row[length][static_cast<unsigned char>(p[0]) & 0x1F];
  const std::uint64_t fold = 0xDFDFDFDFDFDFDFDFu & ((std::uint64_t{1} << (8 * length)) - 1);
  if (r == no_rule || (load_le64(p) & fold) != keyword_index.folded[r][0])
    return parameter_kind::unknown;
  return parameter_rules[r].kind;
}

/// The `length` (1..8) octets ending at `end` as a zero-padded word, read as
/// the eight octets before `end` (which must be readable).
[[gnu::always_inline]] inline std::uint64_t word_before(const char* end,
                                                        std::size_t length) noexcept {
  return load_le64(end - 8) >> (8 * (8 - length));
}

/// p[0..length) are 1..19 digits (SIZE= without the overflow check a
/// twentieth digit needs), with the eight octets before p + length readable.
inline bool short_number(const char* p, std::size_t length) noexcept {
  if (length - 1 >= 19) return false;
  // High bit of each octet outside "0".."9" (printable ASCII here: no carry
  // or borrow crosses into a digit next to it but from another non-digit).
  const auto non_digits = [](std::uint64_t w) {
    return ((w + ones * 0x46) | (w - ones * 0x30)) & highs;
  };
  std::uint64_t bad =
      non_digits(load_le64(p + length - 8)) & (highs << (8 * (8 - (length < 8 ? length : 8))));
  for (std::size_t i = 0; i + 8 < length; i += 8) bad |= non_digits(load_le64(p + i));
  return bad == 0;
}

/// The "+" escapes of an xtext value whose other octets are xchars: `pluses`
/// has bit k set for each "+" at v[k]. Each must be followed by two hex
/// digits (xtext::detail::decode_octet) and decode to an octet of at least
/// 0x20 and not 0x7F (xtext_printable), and below 0x80 unless `allow_8bit`.
inline bool escapes_printable(const char* v, std::size_t length, std::uint64_t pluses,
                              bool allow_8bit) noexcept {
  for (; pluses != 0; pluses &= pluses - 1) {
    const std::size_t k = lowest(pluses);
    if (k + 2 >= length) return false;
    const int hi = ascii::hex_value(static_cast<unsigned char>(v[k + 1]));
    const int lo = ascii::hex_value(static_cast<unsigned char>(v[k + 2]));
    const int c = hi * 16 + lo;
    if (hi < 0 || lo < 0 || c < 0x20 || c == 0x7F || (c > 0x7F && !allow_8bit)) return false;
  }
  return true;
}

/// check_value() of the parameter keyword[0..keyword_length) "=" v[0..length)
/// (no value unless has_value): the exact rule, for values the fast path does
/// not judge itself.
[[gnu::noinline]] inline bool exact_value(parameter_kind kind, const char* keyword,
                                          std::size_t keyword_length, const char* v,
                                          std::size_t length, bool has_value) noexcept {
  const parameter p{{keyword, keyword_length}, {v, length}, has_value, kind};
  return check_value(kind, p) == errc{};
}

}  // namespace fast_path

/// Validates `rest`, the text after "FROM:" / "TO:" with trailing white space
/// removed, if it is the common case described above, and then sets
/// `out.path` and `out.parameters` as parse_path (with UTF-8 allowed),
/// parse_parameters and check_mail_parameters / check_rcpt_parameters would,
/// and returns the octets the path used (its "consumed"). Returns 0 whenever
/// it cannot decide alone, leaving `out.path` untouched and `out.parameters`
/// empty (`out.parameters` must be empty on entry). Reads only `rest`. As
/// with parse_path under SMTPUTF8, a path holding UTF-8 is accepted with
/// path.utf8 set: whether SMTPUTF8 is in force is the caller's question.
inline std::size_t mail_rcpt_fast_path(std::string_view rest, bool mail, std::size_t max_parameters,
                                       command& out) noexcept {
  using bytes16::equal;
  using bytes16::in_range;
  using bytes16::load;
  using bytes16::mask;
  using bytes16::vec;
  using fast_path::lowest;
  const char* const s = rest.data();
  const std::size_t n = rest.size();
  // Sixteen octets at least, so that every vector load stays inside `rest`.
  if (n < 16 || s[0] != '<') return 0;

  // ---- The path: "<" local-part "@" domain ">" in the first 64 octets.
  // Octets >= 0x80 count as letters here (atext, qtext and U-label octets
  // under SMTPUTF8); the path is then checked to be well-formed UTF-8.
  std::uint64_t local = 0, domain = 0, dots = 0, hyphens = 0, ats = 0, closes = 0, quotes = 0,
                qtext = 0, high = 0;
  const bool is_quoted = s[1] == '"';
  const std::size_t head = n < 64 ? n : 64;
  for (std::size_t o = 0; o < head; o += 16) {
    const std::size_t at = o + 16 <= n ? o : n - 16;  // the last vector may overlap
    const vec v = load(s + at);
    const vec dot = equal(v, '.'), hyphen = equal(v, '-'), non_ascii = in_range(v, 0x80, 0xFF);
    const vec ldh_dot =
        in_range(v | 0x20, 'a', 'z') | in_range(v, '0', '9') | dot | hyphen | non_ascii;
    // The dot-string octets taken here: LDH, ".", and the atext that real
    // addresses use ("_", "+" tags, "=" in VERP); any other goes the exact way.
    const vec atext = ldh_dot | equal(v, '_') | equal(v, '+') | equal(v, '=');
    domain |= std::uint64_t{mask(ldh_dot)} << at;
    local |= std::uint64_t{mask(atext)} << at;
    dots |= std::uint64_t{mask(dot)} << at;
    hyphens |= std::uint64_t{mask(hyphen)} << at;
    ats |= std::uint64_t{mask(equal(v, '@'))} << at;
    closes |= std::uint64_t{mask(equal(v, '>'))} << at;
    high |= std::uint64_t{mask(non_ascii)} << at;
    if (is_quoted) {
      // qtextSMTP without quoted-pairs: SP and printable but DQUOTE and "\".
      const vec quote = equal(v, '"');
      quotes |= std::uint64_t{mask(quote)} << at;
      qtext |= std::uint64_t{mask((in_range(v, 0x20, 0x7E) & ~quote & ~equal(v, '\\')) | non_ascii)}
               << at;
    } else if (closes != 0) {
      break;  // a dot-string holds no ">": the path ends in this vector
    }
  }
  constexpr std::uint64_t one = 1;
  unsigned at;
  if (is_quoted) {
    // Quoted-string, positions 1..at-1: DQUOTE 1*qtext DQUOTE, then "@".
    const std::uint64_t after = quotes & ~std::uint64_t{3};
    if (after == 0) return 0;
    const unsigned close = lowest(after);
    const std::uint64_t content = ((one << close) - 1) & ~std::uint64_t{3};
    if (close < 3 || close > 62 || (qtext & content) != content || (ats & one << (close + 1)) == 0)
      return 0;
    at = close + 1;
  } else {
    // Dot-string, positions 1..at-1: no "." first, last or doubled.
    if (ats == 0) return 0;
    at = lowest(ats);
    if (at < 2) return 0;  // "<@...": a source route
    const std::uint64_t lp = ((one << at) - 1) & ~one;
    const std::uint64_t lp_dots = dots & lp;
    if ((local & lp) != lp || (lp_dots & (std::uint64_t{2} | one << (at - 1) | lp_dots >> 1)) != 0)
      return 0;
  }
  // The first ">" after the "@" closes the path: within 64 octets, so the
  // path, the local part and every label are within their limits.
  const std::uint64_t after_at = closes & ~((std::uint64_t{2} << at) - 1);
  if (after_at == 0) return 0;
  const unsigned gt = lowest(after_at);
  // Domain, positions at+1..gt-1: labels of LDH starting and ending with a
  // letter or digit.
  const std::uint64_t dm = ((one << gt) - 1) & ~((std::uint64_t{2} << at) - 1);
  if (dm == 0 || (domain & dm) != dm) return 0;
  const std::uint64_t d_dots = dots & dm, d_hyphens = hyphens & dm, seps = d_dots | d_hyphens;
  const std::uint64_t ends = one << (at + 1) | one << (gt - 1);
  if ((seps & ends) != 0 || (d_dots & seps << 1) != 0 || (d_hyphens & d_dots << 1) != 0) return 0;
  const bool utf8 = (high & ((one << gt) - 1)) != 0;
  if (utf8 && !utf8::is_valid(std::string_view(s + 1, gt - 1))) return 0;

  // ---- Parameters: SP-separated keyword["="value], printable ASCII.
  // Filled in place (a local list copied out compiles to rep movsb, slow to
  // start); emptied again if the line is declined after all.
  parameter_list& list = out.parameters;
  const auto decline = [&list]() noexcept -> std::size_t {
    parameter_list_builder::clear(list);
    return 0;
  };
  std::size_t q = gt + 1;
  if (q != n) {
    if (s[q] != ' ' || q + 1 == n) return 0;
    ++q;
    const char* const t = s + q;
    const std::size_t m = n - q;
    if (m > 256) return 0;
    // Masks in 64-octet words, plus a zero word for window(); each word is
    // built in registers and stored whole (zeroing the arrays first compiles
    // to rep stos, slow to start). Block o covers t[o..o+16); the last one
    // is read as the sixteen octets ending at m (they may start before t,
    // still inside `rest`) with the lanes before o shifted out.
    std::uint64_t spaces[5], equals[5], pluses[5];
    std::uint32_t bad = 0, prev_sp = 1;  // position -1 counts as a SP: none may start the text
    std::size_t words = 0;
    for (std::size_t w = 0; w < m; w += 64, ++words) {
      std::uint64_t sp64 = 0, eq64 = 0, plus64 = 0;
      for (std::size_t o = w; o < m && o < w + 64; o += 16) {
        const bool last = o + 16 > m;
        const unsigned drop = last ? static_cast<unsigned>(o + 16 - m) : 0u;
        const vec v = load(last ? t + m - 16 : t + o);
        const vec sp = equal(v, ' ');
        const std::uint32_t sp16 = mask(sp) >> drop;
        const unsigned at16 = static_cast<unsigned>(o - w);
        sp64 |= std::uint64_t{sp16} << at16;
        eq64 |= std::uint64_t{mask(equal(v, '=')) >> drop} << at16;
        plus64 |= std::uint64_t{mask(equal(v, '+')) >> drop} << at16;
        // Every octet printable or SP; no SP first or doubled.
        bad |= (mask(~(in_range(v, 0x21, 0x7E) | sp)) >> drop) | (sp16 & (sp16 << 1 | prev_sp));
        prev_sp = sp16 >> 15;
      }
      spaces[words] = sp64;
      equals[words] = eq64;
      pluses[words] = plus64;
    }
    spaces[words] = equals[words] = pluses[words] = 0;
    if (bad != 0 || t[m - 1] == ' ') return 0;
    const unsigned verb_rows = mail ? mail_rows : rcpt_rows;
    constexpr upper_word rfc822_type = make_upper_word("RFC822;");
    constexpr upper_word seven_bit = make_upper_word("7BIT"),
                         eight_bit_mime = make_upper_word("8BITMIME"),
                         full = make_upper_word("FULL"), hdrs = make_upper_word("HDRS");
    std::size_t count = 0;
    unsigned seen = 0, wrong = 0;
    for (std::size_t i = 0;;) {
      // The parameter t[i..end), its "=" at eq (or end), its "+" octets:
      // from one 64-octet window when it fits, the usual case.
      std::size_t end, eq;
      std::uint64_t value_pluses;  // bit k: a "+" at t[eq + 1 + k]
      if (const std::uint64_t sp = fast_path::window(spaces, i); sp != 0 || m - i <= 64) {
        const std::size_t length = sp != 0 ? lowest(sp) : m - i;
        const std::uint64_t in = length == 64 ? ~std::uint64_t{0} : (one << length) - 1;
        const std::uint64_t e = fast_path::window(equals, i) & in;
        // One "=" at most, never first or last (a value is one or more
        // octets, none of them "=").
        if ((e & (e - 1)) != 0 || (e & (one | one << (length - 1))) != 0) return decline();
        const std::size_t k = e != 0 ? lowest(e) : length;
        end = i + length;
        eq = i + k;
        // (With a value, k <= 62: "=" is never last.)
        value_pluses = e != 0 ? (fast_path::window(pluses, i) & in) >> k >> 1 : 0;
      } else {
        end = fast_path::next(spaces, i, m);
        eq = fast_path::next(equals, i, end);
        if (eq == i ||
            (eq != end && (eq + 1 == end || fast_path::next(equals, eq + 1, end) != end)))
          return decline();
        // Long values go the exact way unless they need no unescaping.
        value_pluses =
            eq != end && fast_path::next(pluses, eq + 1, end) != end ? ~std::uint64_t{0} : 0;
      }
      const parameter_kind kind = fast_path::keyword_kind(t + i, eq - i, m - i);
      if (kind == parameter_kind::unknown) return decline();
      const unsigned bit = 1u << static_cast<unsigned>(kind);
      wrong |= (~verb_rows | seen) & bit;  // of the other verb, or a duplicate
      seen |= bit;
      ++count;
      const bool has_value = eq != end;
      const char* const v = t + eq + 1;  // the value, when has_value
      const std::size_t length = has_value ? end - eq - 1 : 0;
      // The exact rule, for the values not judged here (a function of its
      // arguments: a lambda capturing them cost a closure's stores on every
      // parameter, judged here or not).
      const char* const keyword = t + i;
      const std::size_t keyword_length = eq - i;
      const auto exact = [kind, keyword, keyword_length, v, length, has_value]() noexcept {
        return fast_path::exact_value(kind, keyword, keyword_length, v, length, has_value);
      };
      // Tests in order of frequency rather than a switch: its jump table is
      // an indirect branch, which mispredicts on a mix of parameters.
      bool valid;
      if (kind == parameter_kind::size) {
        valid = has_value && fast_path::short_number(v, length);
      } else if (kind == parameter_kind::notify) {
        const unsigned bits = has_value ? notify_bits_at(v, length) : 0u;
        parameter_list_builder::set_notify_bits(list, bits);
        valid = bits != 0;
      } else if (kind == parameter_kind::orcpt) {
        // The usual "rfc822;" type: an atom, then a non-empty xtext.
        valid = length > 7 && value_pluses != ~std::uint64_t{0} &&
                        matches(load_le64(v) & 0x00FFFFFFFFFFFFFFu, rfc822_type)
                    ? fast_path::escapes_printable(v, length, value_pluses, false)
                    : exact();
      } else if (kind == parameter_kind::body) {
        valid = length == 4 || length == 8 ? matches(fast_path::word_before(v + length, length),
                                                     length == 4 ? seven_bit : eight_bit_mime)
                                           : exact();  // BINARYMIME, or a bad value
      } else if (kind == parameter_kind::ret) {
        valid = length == 4 && (matches(fast_path::word_before(v + 4, 4), full) ||
                                matches(fast_path::word_before(v + 4, 4), hdrs));
      } else if (kind == parameter_kind::auth || kind == parameter_kind::envid) {
        const bool auth = kind == parameter_kind::auth;
        valid = has_value && value_pluses != ~std::uint64_t{0}
                    ? fast_path::escapes_printable(v, length, value_pluses, auth) &&
                          (auth || length <= envid_max_length)
                    : exact();
      } else if (kind == parameter_kind::smtputf8 || kind == parameter_kind::requiretls) {
        valid = !has_value;
      } else {
        valid = exact();
      }
      if (!valid) return decline();
      parameter_list_builder::add_known(list, kind, i, end - i);
      if (end == m) break;
      i = end + 1;
    }
    // HOLDFOR with HOLDUNTIL is an error check_mail_parameters reports.
    constexpr unsigned hold_both = 1u << static_cast<unsigned>(parameter_kind::holdfor) |
                                   1u << static_cast<unsigned>(parameter_kind::holduntil);
    if (wrong != 0 || count > max_parameters || (seen & hold_both) == hold_both) return decline();
    parameter_list_builder::finish(list, std::string_view(t, m), count);
  }

  // Field by field, for the same reason as the list.
  path& pa = out.path;
  pa.kind = path_kind::mailbox;
  pa.local_part = std::string_view(s + 1, at - 1);
  pa.domain = std::string_view(s + at + 1, gt - at - 1);
  pa.domain_type = domain_kind::name;
  pa.address = {};
  pa.tag = {};
  pa.quoted = is_quoted;
  pa.utf8 = utf8;
  pa.source_route = false;
  return gt + 1;
}

#else

inline std::size_t mail_rcpt_fast_path(std::string_view, bool, std::size_t, command&) noexcept {
  return 0;
}

#endif

}  // namespace mailwire::smtp::detail
