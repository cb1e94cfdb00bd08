#pragma once
// ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2) and the rules of every
// parameter mailwire knows, in one table (`parameter_rules`, below).
//
//   Mail-parameters = esmtp-param *(SP esmtp-param)   ; Rcpt-parameters alike
//   esmtp-param     = esmtp-keyword ["=" esmtp-value]
//   esmtp-keyword   = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   esmtp-value     = 1*(%d33-60 / %d62-126)          ; =/ UTF8-non-ascii (RFC 6531)
//
// Two steps, so that a server can tell a malformed line (501) from a parameter
// it does not support (555, its own decision):
//
//   1. parse_parameters(text) checks the generic grammar above, duplicates
//      (case-insensitive, known or unknown keywords) and a count limit, in one
//      pass. It returns a `parameter_list`: a view of the text, iterable in
//      order, with typed accessors that validate a known parameter's value when
//      called (declared_size(), body(), notify(), ...).
//   2. check_mail_parameters(list) / check_rcpt_parameters(list) run the
//      accessor of every known parameter of that verb and report the first bad
//      one (in text order), plus HOLDFOR with HOLDUNTIL. Unknown keywords, and
//      known ones of the other verb, pass.
//
// Everything borrows the caller's text: keywords, values and `offending` are
// views into it and stay valid as long as it does. Nothing allocates, nothing
// throws, everything is constexpr.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/swar.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/smtp/xtext.hpp"

namespace mailwire::smtp {

/// The parameters mailwire has a rule for, in the order of `parameter_rules`.
enum class parameter_kind : std::uint8_t {
  size,         ///< SIZE=       MAIL  RFC 1870
  body,         ///< BODY=       MAIL  RFC 6152, RFC 3030
  smtputf8,     ///< SMTPUTF8    MAIL  RFC 6531
  requiretls,   ///< REQUIRETLS  MAIL  RFC 8689
  auth,         ///< AUTH=       MAIL  RFC 4954 §5
  ret,          ///< RET=        MAIL  RFC 3461 §4.3
  envid,        ///< ENVID=      MAIL  RFC 3461 §4.4
  mt_priority,  ///< MT-PRIORITY= MAIL RFC 6710
  by,           ///< BY=         MAIL  RFC 2852
  holdfor,      ///< HOLDFOR=    MAIL  RFC 4865
  holduntil,    ///< HOLDUNTIL=  MAIL  RFC 4865
  notify,       ///< NOTIFY=     RCPT  RFC 3461 §4.1
  orcpt,        ///< ORCPT=      RCPT  RFC 3461 §4.2
  rrvs,         ///< RRVS=       RCPT  RFC 7293
  unknown,      ///< any other keyword (X-..., LIMITS-era extensions, typos)
};

/// The command a known parameter belongs to.
enum class parameter_verb : std::uint8_t { mail, rcpt };

/// One esmtp-param, as views into the parsed text. `value` is empty and
/// `has_value` false for a parameter without "=" (SMTPUTF8); a parameter with
/// "=" always has a non-empty value (the grammar requires one).
struct parameter {
  std::string_view keyword;  ///< as received (compare case-insensitively)
  std::string_view value;    ///< as received (xtext stays encoded)
  bool has_value = false;
  parameter_kind kind = parameter_kind::unknown;
};

/// What a typed accessor returns. Absent: present == false, no error, value
/// default. Present and valid: present, no error, value. Present and invalid:
/// present, the error (invalid_parameter_value or invalid_xtext), value
/// default.
template <class T>
struct param_result {
  bool present = false;
  errc error = errc{};
  T value{};

  constexpr bool ok() const noexcept { return error == errc{}; }
};

/// BODY= (RFC 6152 §2, RFC 3030 §3).
enum class body_type : std::uint8_t { seven_bit, eight_bit_mime, binary_mime };

/// RET= (RFC 3461 §4.3).
enum class ret_type : std::uint8_t { full, hdrs };

/// NOTIFY= (RFC 3461 §4.1): either `never` alone, or any non-empty mix of the
/// other three.
struct notify_flags {
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;
};

/// ORCPT= addr-type ";" xtext (RFC 3461 §4.2).
struct orcpt_value {
  std::string_view addr_type;  ///< an atom, e.g. "rfc822" (compare case-insensitively)
  std::string_view address;    ///< the xtext as received; decode with xtext::decode
};

/// BY= by-mode (RFC 2852 §4): N notifies the sender when the time passes, R
/// returns the message as undeliverable.
enum class by_mode : std::uint8_t { notify, return_message };

/// BY= by-time ";" by-mode [by-trace] (RFC 2852 §4).
struct deliver_by {
  std::int32_t seconds = 0;  ///< -999999999..999999999; > 0 with return_message
  by_mode mode = by_mode::notify;
  bool trace = false;  ///< "T": ask for trace DSNs
};

/// RRVS= mode (RFC 7293): R (the default) rejects the recipient when the check
/// cannot be made, C continues delivery.
enum class rrvs_mode : std::uint8_t { reject, continue_delivery };

/// RRVS= date-time [";" ("C" / "R")] (RFC 7293).
struct rrvs_value {
  std::string_view date_time;  ///< RFC 3339 date-time, validated, as received
  rrvs_mode mode = rrvs_mode::reject;
};

namespace detail {

// ---- octet classes -------------------------------------------------------

enum : std::uint8_t {
  cls_let_dig = 1,  // ALPHA / DIGIT: may start a keyword
  cls_keyword = 2,  // ALPHA / DIGIT / "-"
  cls_atext = 4,    // RFC 5322 atext (ASCII)
};

struct class_table_t {
  std::uint8_t bits[256];
};

constexpr class_table_t make_class_table() noexcept {
  class_table_t t{};
  for (int c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    std::uint8_t b = 0;
    if (ascii::is_alnum(u)) b |= cls_let_dig | cls_keyword;
    if (u == '-') b |= cls_keyword;
    if (ascii::is_alnum(u) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(u)) !=
                                  std::string_view::npos)
      b |= cls_atext;
    t.bits[c] = b;
  }
  return t;
}

inline constexpr class_table_t class_table = make_class_table();

constexpr bool has_class(char c, std::uint8_t cls) noexcept {
  return (class_table.bits[static_cast<unsigned char>(c)] & cls) != 0;
}

// Scans eight octets at a time (core/swar.hpp).
using swar::highs;
using swar::load_le64;
using swar::octets_equal;
using swar::ones;

/// Octets that end a run of plain esmtp-value octets: < 0x21, > 0x7E or "=".
constexpr std::uint64_t value_stops(std::uint64_t w) noexcept {
  const std::uint64_t below = (w - ones * 0x21) & ~w & highs;
  const std::uint64_t above = ((w + ones) | w) & highs;  // 0x7F + 1 sets the high bit
  return below | above | octets_equal(w, '=');
}

/// Index of the first octet in p[i..n) that `stops` flags, or n. The last
/// partial word is read as the text's last word shifted (or, for texts under
/// eight octets, assembled) with zeros after the end; `stops` may flag those
/// or not, a flag at or past n means n.
template <class Stops>
constexpr std::size_t find_stop(const char* p, std::size_t i, std::size_t n, Stops stops) noexcept {
  for (; n - i >= 8; i += 8)
    if (const std::uint64_t m = stops(load_le64(p + i)); m != 0) return i + swar::first(m);
  if (i == n) return n;
  std::uint64_t w = 0;
  if (n >= 8) {
    w = load_le64(p + n - 8) >> (8 * (8 - (n - i)));
  } else {
    for (std::size_t k = 0; k < n - i; ++k)
      w |= std::uint64_t{static_cast<unsigned char>(p[i + k])} << (8 * k);
  }
  const std::uint64_t m = stops(w);
  if (m == 0) return n;
  const std::size_t at = i + swar::first(m);
  return at < n ? at : n;
}

/// Index of the first SP in p[i..n), or n.
constexpr std::size_t find_sp(const char* p, std::size_t i, std::size_t n) noexcept {
  return find_stop(p, i, n, [](std::uint64_t w) { return octets_equal(w, ' '); });
}

/// Index of the first octet in p[i..n) that is not a plain esmtp-value octet
/// (%d33-60 / %d62-126), or n.
constexpr std::size_t skip_value_octets(const char* p, std::size_t i, std::size_t n) noexcept {
  return find_stop(p, i, n, value_stops);
}

/// Octets that are no xchar (RFC 3461 §4): < 0x21, > 0x7E, "+" or "=".
constexpr std::uint64_t xchar_stops(std::uint64_t w) noexcept {
  return value_stops(w) | octets_equal(w, '+');
}

// ---- value grammars shared by several parameters --------------------------

/// 0x20 in each octet of `w` that is an upper-case ASCII letter: the bit by
/// which its lower-case form differs.
constexpr std::uint64_t letter_case_bits(std::uint64_t w) noexcept {
  const std::uint64_t low7 = w & ~highs;
  const std::uint64_t letters = (low7 + ones * (0x80 - 'A')) & ~(low7 + ones * (0x80 - 'Z' - 1));
  return (letters & ~w & highs) >> 2;
}

/// An upper-case literal of at most eight octets, ready for matches().
struct upper_word {
  std::uint64_t word;     ///< the octets, zero-padded
  std::uint64_t compare;  ///< the bits that must be equal: all but its letters' case bits
};
constexpr upper_word make_upper_word(std::string_view upper) noexcept {
  const std::uint64_t w = swar::word_at(upper, 0);
  return {w, ~letter_case_bits(w)};
}
/// w (zero-padded past the item) is the literal, letters in either case.
constexpr bool matches(std::uint64_t w, upper_word u) noexcept {
  return ((w ^ u.word) & u.compare) == 0;
}

/// 1*max_digits DIGIT into an unsigned integer no larger than `limit`; false on
/// anything else (empty, a non-digit, too many digits, overflow). Leading
/// zeros are allowed, as 1*DIGIT allows them.
constexpr bool parse_unsigned(std::string_view s, std::size_t max_digits, std::uint64_t limit,
                              std::uint64_t& out) noexcept {
  if (s.empty() || s.size() > max_digits) return false;
  std::uint64_t v = 0;
  if (s.size() < 20 && limit == std::numeric_limits<std::uint64_t>::max()) {
    // Below 10^19: no 64-bit overflow to check for.
    for (const char c : s) {
      const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
    out = v;
    return true;
  }
  for (const char c : s) {
    if (!ascii::is_digit(static_cast<unsigned char>(c))) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

/// Exactly two digits forming a number in [lo, hi].
constexpr bool two_digits(const char* p, int lo, int hi, int& out) noexcept {
  if (!ascii::is_digit(static_cast<unsigned char>(p[0])) ||
      !ascii::is_digit(static_cast<unsigned char>(p[1])))
    return false;
  out = (p[0] - '0') * 10 + (p[1] - '0');
  return out >= lo && out <= hi;
}

constexpr int days_in_month(int year, int month) noexcept {
  constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

/// RFC 3339 §5.6 date-time:
///   full-date "T" partial-time time-offset
///   full-date    = 4DIGIT "-" month(01-12) "-" mday(01-28/29/30/31)
///   partial-time = hour(00-23) ":" minute(00-59) ":" second(00-60) ["." 1*DIGIT]
///   time-offset  = "Z" / ("+" / "-") hour(00-23) ":" minute(00-59)
/// "T" and "Z" may be lower case (RFC 3339 §5.6, note). Second 60 (a leap
/// second) is accepted at any minute: with a local offset, a leap second can
/// fall on any local minute, and which UTC minutes had one is not the
/// parser's business.
constexpr bool is_date_time(std::string_view s) noexcept {
  if (s.size() < 20) return false;
  const char* p = s.data();
  int year = 0, month = 0, day = 0, v = 0;
  for (int k = 0; k < 4; ++k) {
    if (!ascii::is_digit(static_cast<unsigned char>(p[k]))) return false;
    year = year * 10 + (p[k] - '0');
  }
  if (p[4] != '-' || !two_digits(p + 5, 1, 12, month) || p[7] != '-' ||
      !two_digits(p + 8, 1, 31, day) || day > days_in_month(year, month))
    return false;
  if ((p[10] != 'T' && p[10] != 't') || !two_digits(p + 11, 0, 23, v) || p[13] != ':' ||
      !two_digits(p + 14, 0, 59, v) || p[16] != ':' || !two_digits(p + 17, 0, 60, v))
    return false;
  std::size_t i = 19;
  if (p[i] == '.') {
    const std::size_t first = ++i;
    while (i < s.size() && ascii::is_digit(static_cast<unsigned char>(p[i]))) ++i;
    if (i == first || i == s.size()) return false;
  }
  if (p[i] == 'Z' || p[i] == 'z') return i + 1 == s.size();
  if (p[i] != '+' && p[i] != '-') return false;
  return s.size() - i == 6 && two_digits(p + i + 1, 0, 23, v) && p[i + 3] == ':' &&
         two_digits(p + i + 4, 0, 59, v);
}

/// Checks that `v` is xtext decoding to printable US-ASCII (%d32-126), plus
/// 8-bit octets when `allow_8bit`: errc{}, errc::invalid_xtext (the encoding,
/// anywhere in `v`, wins) or errc::invalid_parameter_value. With `raw_8bit`,
/// octets >= 0x80 may also stand for themselves (RFC 6533 utf-8-addr-unitext;
/// parse_parameters has checked them as UTF-8). One pass; xchars are
/// printable, so only what stops a run of them needs a look.
///
/// `listed`: v is (part of) a value from a parameter_list, so it holds only
/// esmtp-value octets (%d33-60 / %d62-126, 8-bit under SMTPUTF8); of those
/// only "+" and 8-bit octets can end a run of xchars, which is cheaper to
/// look for.
constexpr errc xtext_printable(std::string_view v, bool allow_8bit, bool raw_8bit = false,
                               bool listed = false) noexcept {
  errc content{};
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n;) {
    const std::uint64_t w = swar::word_at(v, i);
    // The zero octets past the end stop only the general test; the listed
    // one runs past n, which ends the loop too.
    const std::uint64_t stops = listed ? (w & highs) | octets_equal(w, '+') : xchar_stops(w);
    if (stops == 0) {
      i += 8;
      continue;
    }
    i += swar::first(stops);
    if (i >= n) break;
    if (raw_8bit && static_cast<unsigned char>(v[i]) >= 0x80) {
      ++i;
      continue;
    }
    const int c = xtext::detail::decode_octet(v, i);
    if (c < 0) return errc::invalid_xtext;
    if (c < 0x20 || c == 0x7F || (c > 0x7F && !allow_8bit)) content = errc::invalid_parameter_value;
  }
  return content;
}

template <class T>
constexpr param_result<T> bad_value(errc e = errc::invalid_parameter_value) noexcept {
  return {true, e, T{}};
}
template <class T>
constexpr param_result<T> good_value(T v) noexcept {
  return {true, errc{}, v};
}

// ---- one function per known parameter ------------------------------------
// Each takes the parameter as parsed (its keyword is known to match) and
// validates its value. The table below names which verb each belongs to.

/// SIZE=1*20DIGIT (RFC 1870 §3); the value must fit in 64 bits.
constexpr param_result<std::uint64_t> parse_size(const parameter& p) noexcept {
  std::uint64_t v = 0;
  if (!parse_unsigned(p.value, 20, std::numeric_limits<std::uint64_t>::max(), v))
    return bad_value<std::uint64_t>();
  return good_value(v);
}

/// BODY=7BIT / 8BITMIME (RFC 6152 §2) / BINARYMIME (RFC 3030 §3),
/// case-insensitive.
constexpr param_result<body_type> parse_body(const parameter& p) noexcept {
  constexpr upper_word seven_bit = make_upper_word("7BIT"),
                       eight_bit_mime = make_upper_word("8BITMIME"),
                       binary_mi = make_upper_word("BINARYMI"), me = make_upper_word("ME");
  const std::string_view v = p.value;
  if (v.size() == 4 && matches(swar::word_at(v, 0), seven_bit))
    return good_value(body_type::seven_bit);
  if (v.size() == 8 && matches(swar::word_at(v, 0), eight_bit_mime))
    return good_value(body_type::eight_bit_mime);
  if (v.size() == 10 && matches(swar::word_at(v, 0), binary_mi) && matches(swar::word_at(v, 8), me))
    return good_value(body_type::binary_mime);
  return bad_value<body_type>();
}

/// A parameter that takes no value: SMTPUTF8 (RFC 6531 §3.4), REQUIRETLS
/// (RFC 8689 §2). "SMTPUTF8=x" is an error.
constexpr param_result<bool> parse_flag(const parameter& p) noexcept {
  return p.has_value ? bad_value<bool>() : good_value(true);
}

/// AUTH=xtext (RFC 4954 §5), decoding to a Mailbox or "<>". The mailbox is
/// not parsed here, but no mailbox contains a control octet, so one decoded
/// from "+0A" or "+00" is refused (header and spool injection through the
/// decoded value, Exim CVE-2020-28021). 8-bit octets pass (SMTPUTF8 mailboxes).
/// (Listed: `p` comes from a parameter_list; see xtext_printable.)
template <bool Listed = false>
constexpr param_result<std::string_view> parse_auth(const parameter& p) noexcept {
  if (!p.has_value) return bad_value<std::string_view>();
  if (const errc e = xtext_printable(p.value, true, false, Listed); e != errc{})
    return bad_value<std::string_view>(e);
  return good_value(p.value);
}

/// RET=FULL / HDRS (RFC 3461 §4.3), case-insensitive.
constexpr param_result<ret_type> parse_ret(const parameter& p) noexcept {
  constexpr upper_word full = make_upper_word("FULL"), hdrs = make_upper_word("HDRS");
  if (p.value.size() == 4) {
    const std::uint64_t w = swar::word_at(p.value, 0);
    if (matches(w, full)) return good_value(ret_type::full);
    if (matches(w, hdrs)) return good_value(ret_type::hdrs);
  }
  return bad_value<ret_type>();
}

/// ENVID=xtext (RFC 3461 §4.4): at most 100 characters as sent, decoding to
/// printable US-ASCII (%d32-126): no controls, no 8-bit octets.
constexpr std::size_t envid_max_length = 100;
template <bool Listed = false>
constexpr param_result<std::string_view> parse_envid(const parameter& p) noexcept {
  if (!p.has_value) return bad_value<std::string_view>();
  if (const errc e = xtext_printable(p.value, false, false, Listed); e != errc{})
    return bad_value<std::string_view>(e);
  if (p.value.size() > envid_max_length) return bad_value<std::string_view>();
  return good_value(p.value);
}

/// MT-PRIORITY=priority-value (RFC 6710 §3):
///   priority-value = (["-"] NZDIGIT) / "0"   ; -9..9; "+1", "-0", "05", "10" invalid
constexpr param_result<int> parse_mt_priority(const parameter& p) noexcept {
  const std::string_view v = p.value;
  if (v == "0") return good_value(0);
  const bool negative = v.size() == 2 && v[0] == '-';
  const std::string_view digit = negative ? v.substr(1) : v;
  if (digit.size() != 1 || digit[0] < '1' || digit[0] > '9') return bad_value<int>();
  const int n = digit[0] - '0';
  return good_value(negative ? -n : n);
}

/// BY=by-time ";" by-mode [by-trace] (RFC 2852 §4):
///   by-time  = ["-" / "+"] 1*9DIGIT
///   by-mode  = "N" / "R"     ; R needs a positive by-time (N allows <= 0)
///   by-trace = "T"
/// Mode and trace letters are case-insensitive, as ABNF literals are.
constexpr param_result<deliver_by> parse_by(const parameter& p) noexcept {
  const std::string_view v = p.value;
  const std::size_t semi = v.find(';');
  if (semi == std::string_view::npos) return bad_value<deliver_by>();
  std::string_view time = v.substr(0, semi);
  const bool negative = !time.empty() && time[0] == '-';
  if (!time.empty() && (time[0] == '-' || time[0] == '+')) time.remove_prefix(1);
  std::uint64_t magnitude = 0;
  if (!parse_unsigned(time, 9, 999999999, magnitude)) return bad_value<deliver_by>();
  const std::string_view rest = v.substr(semi + 1);
  deliver_by out;
  out.seconds = static_cast<std::int32_t>(magnitude);
  if (negative) out.seconds = -out.seconds;
  if (rest.empty() || rest.size() > 2) return bad_value<deliver_by>();
  const char mode = ascii::to_upper(rest[0]);
  if (mode == 'N')
    out.mode = by_mode::notify;
  else if (mode == 'R' && out.seconds > 0)
    out.mode = by_mode::return_message;
  else
    return bad_value<deliver_by>();
  if (rest.size() == 2) {
    if (ascii::to_upper(rest[1]) != 'T') return bad_value<deliver_by>();
    out.trace = true;
  }
  return good_value(out);
}

/// HOLDFOR=1*DIGIT seconds (RFC 4865 §3), overflow-checked into 32 bits.
constexpr param_result<std::uint32_t> parse_holdfor(const parameter& p) noexcept {
  std::uint64_t v = 0;
  if (!parse_unsigned(p.value, p.value.size(), std::numeric_limits<std::uint32_t>::max(), v))
    return bad_value<std::uint32_t>();
  return good_value(static_cast<std::uint32_t>(v));
}

/// HOLDUNTIL=date-time (RFC 4865 §3 with erratum 2040: RFC 3339 date-time).
constexpr param_result<std::string_view> parse_holduntil(const parameter& p) noexcept {
  return is_date_time(p.value) ? good_value(p.value) : bad_value<std::string_view>();
}

/// Every valid NOTIFY value (RFC 3461 §4.1): NEVER, or one to three of
/// SUCCESS, FAILURE and DELAY in any order, each at most once: sixteen
/// values, so a value is checked by finding its only candidate in a table and
/// comparing whole words, with no loop over list items.
struct notify_table_t {
  struct entry {
    upper_word words[3];  // the value, zero-padded to 24 octets
    std::uint8_t length;  // 0: an empty slot
    std::uint8_t bits;    // success 1, failure 2, delay 4, never 8
  };
  entry slot[32];
  bool unique;
};

/// The slot of a value of `length` octets whose words (zero-padded) are w0..w2.
/// OR-ing 0x20 gives both cases of a letter the same hash; the multiplier
/// was searched for to give the sixteen valid values sixteen different slots
/// (make_notify_table checks it).
constexpr unsigned notify_slot(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2,
                               std::size_t length) noexcept {
  constexpr std::uint64_t spaces = 0x2020202020202020u;
  const std::uint64_t x = ((w0 | spaces) ^ (w1 | spaces) >> 1 ^ (w2 | spaces) >> 2) + length;
  return static_cast<unsigned>((x * 0xcc623af8783354e7u) >> 59);
}

constexpr notify_table_t make_notify_table() noexcept {
  notify_table_t t{};
  t.unique = true;
  constexpr std::string_view items[3] = {"SUCCESS", "FAILURE", "DELAY"};
  const auto add = [&t](std::string_view v, unsigned bits) {
    char text[24] = {};
    for (std::size_t i = 0; i < v.size(); ++i) text[i] = v[i];
    const std::string_view all(text, 24);
    const std::uint64_t w[3] = {swar::word_at(all, 0), swar::word_at(all, 8),
                                swar::word_at(all, 16)};
    notify_table_t::entry& e = t.slot[notify_slot(w[0], w[1], w[2], v.size())];
    if (e.length != 0) t.unique = false;
    for (int k = 0; k < 3; ++k) e.words[k] = {w[k], ~letter_case_bits(w[k])};
    e.length = static_cast<std::uint8_t>(v.size());
    e.bits = static_cast<std::uint8_t>(bits);
  };
  add("NEVER", 8);
  for (unsigned a = 0; a < 3; ++a) {
    char one[24] = {};
    std::size_t n = 0;
    const auto append = [&one, &n](std::string_view item) {
      if (n != 0) one[n++] = ',';
      for (const char c : item) one[n++] = c;
    };
    append(items[a]);
    add(std::string_view(one, n), 1u << a);
    for (unsigned b = 0; b < 3; ++b) {
      if (b == a) continue;
      const std::size_t n1 = n;
      append(items[b]);
      add(std::string_view(one, n), 1u << a | 1u << b);
      for (unsigned c = 0; c < 3; ++c) {
        if (c == a || c == b) continue;
        const std::size_t n2 = n;
        append(items[c]);
        add(std::string_view(one, n), 7);
        n = n2;
      }
      n = n1;
    }
  }
  return t;
}

inline constexpr notify_table_t notify_table = make_notify_table();
static_assert(notify_table.unique, "notify_slot must give every valid NOTIFY value its own slot");

/// NOTIFY="NEVER" / 1#("SUCCESS" / "FAILURE" / "DELAY") (RFC 3461 §4.1),
/// case-insensitive; NEVER stands alone, each other keyword at most once, no
/// empty list elements. Returns the keywords seen as bits (success 1,
/// failure 2, delay 4, never 8), or 0 when the value is invalid. Bits, not
/// the struct: the check needs no struct, and setting a returned struct's
/// bytes one by one costs a store-forwarding stall.
constexpr unsigned notify_bits(const parameter& p) noexcept {
  const std::string_view v = p.value;
  const std::size_t n = v.size();
  // The longest valid value is "SUCCESS,FAILURE,DELAY" (21 octets).
  if (!p.has_value || n > 21) return 0;
  const std::uint64_t w0 = swar::word_at(v, 0);
  const std::uint64_t w1 = n > 8 ? swar::word_at(v, 8) : 0;
  const std::uint64_t w2 = n > 16 ? swar::word_at(v, 16) : 0;
  const notify_table_t::entry& e = notify_table.slot[notify_slot(w0, w1, w2, n)];
  // Letters compare in either case, every other octet exactly.
  const bool same = e.length == n && matches(w0, e.words[0]) && matches(w1, e.words[1]) &&
                    matches(w2, e.words[2]);
  return same ? e.bits : 0u;
}

/// notify_bits() for the value v[0..n) with the eight octets before v + n
/// readable as well (a value after its "NOTIFY=" in a parameter list): whole
/// words, no octet loop.
constexpr unsigned notify_bits_at(const char* v, std::size_t n) noexcept {
  if (n - 5 > 16) return 0;  // valid values have 5 to 21 octets
  const std::uint64_t last = load_le64(v + n - 8);
  const std::uint64_t w0 = n >= 8 ? load_le64(v) : last >> (8 * (8 - n));
  const std::uint64_t w1 = n <= 8 ? 0 : n >= 16 ? load_le64(v + 8) : last >> (8 * (16 - n));
  const std::uint64_t w2 = n <= 16 ? 0 : last >> (8 * (24 - n));
  const notify_table_t::entry& e = notify_table.slot[notify_slot(w0, w1, w2, n)];
  const bool same = e.length == n && matches(w0, e.words[0]) && matches(w1, e.words[1]) &&
                    matches(w2, e.words[2]);
  return same ? e.bits : 0u;
}

constexpr param_result<notify_flags> notify_from_bits(unsigned bits) noexcept {
  if (bits == 0) return bad_value<notify_flags>();
  return good_value(
      notify_flags{(bits & 8u) != 0, (bits & 1u) != 0, (bits & 2u) != 0, (bits & 4u) != 0});
}

constexpr param_result<notify_flags> parse_notify(const parameter& p) noexcept {
  return notify_from_bits(notify_bits(p));
}

constexpr errc check_notify(const parameter& p) noexcept {
  return notify_bits(p) != 0 ? errc{} : errc::invalid_parameter_value;
}

/// ORCPT=addr-type ";" xtext (RFC 3461 §4.2): addr-type is an atom (RFC 5322
/// atext); the address is non-empty xtext decoding to printable US-ASCII; the
/// whole parameter ("ORCPT=" included) is at most 500 characters. For the
/// addr-type "utf-8" (RFC 6533 §3) the address may also carry UTF-8 as is
/// (utf-8-addr-unitext, only possible under SMTPUTF8); its "\x{HEX}" escapes
/// are plain xchars.
constexpr std::size_t orcpt_max_length = 500;
template <bool Listed = false>
constexpr param_result<orcpt_value> parse_orcpt(const parameter& p) noexcept {
  if (!p.has_value || p.keyword.size() + 1 + p.value.size() > orcpt_max_length)
    return bad_value<orcpt_value>();
  // The addr-type runs to the first octet that is no atext, which must be
  // the first ";" (were it not, the type would hold a non-atext octet).
  const std::string_view v = p.value;
  std::size_t semi = 0;
  while (semi < v.size() && has_class(v[semi], cls_atext)) ++semi;
  if (semi == 0 || semi + 1 >= v.size() || v[semi] != ';') return bad_value<orcpt_value>();
  const std::string_view type(v.data(), semi);
  const std::string_view address(v.data() + semi + 1, v.size() - semi - 1);
  constexpr upper_word utf8_word = make_upper_word("UTF-8");
  const bool utf8_type = semi == 5 && matches(swar::word_at(type, 0), utf8_word);
  if (const errc e = xtext_printable(address, false, utf8_type, Listed); e != errc{})
    return bad_value<orcpt_value>(e);
  return good_value(orcpt_value{type, address});
}

/// RRVS=date-time [";" ("C" / "R")] (RFC 7293 §3), mode case-insensitive.
constexpr param_result<rrvs_value> parse_rrvs(const parameter& p) noexcept {
  const std::size_t semi = p.value.find(';');
  rrvs_value out;
  out.date_time = p.value.substr(0, semi);
  if (!is_date_time(out.date_time)) return bad_value<rrvs_value>();
  if (semi != std::string_view::npos) {
    const std::string_view mode = p.value.substr(semi + 1);
    if (mode.size() != 1) return bad_value<rrvs_value>();
    const char m = ascii::to_upper(mode[0]);
    if (m == 'C')
      out.mode = rrvs_mode::continue_delivery;
    else if (m != 'R')
      return bad_value<rrvs_value>();
  }
  return good_value(out);
}

/// The check of parameter_rules row `k` (the error of the rule's function) for
/// a parameter of a parameter_list, by a switch that lets the rules inline
/// where they are run.
constexpr errc check_value(parameter_kind k, const parameter& p) noexcept {
  switch (k) {
    case parameter_kind::size: return parse_size(p).error;
    case parameter_kind::body: return parse_body(p).error;
    case parameter_kind::smtputf8:
    case parameter_kind::requiretls: return parse_flag(p).error;
    case parameter_kind::auth: return parse_auth<true>(p).error;
    case parameter_kind::ret: return parse_ret(p).error;
    case parameter_kind::envid: return parse_envid<true>(p).error;
    case parameter_kind::mt_priority: return parse_mt_priority(p).error;
    case parameter_kind::by: return parse_by(p).error;
    case parameter_kind::holdfor: return parse_holdfor(p).error;
    case parameter_kind::holduntil: return parse_holduntil(p).error;
    case parameter_kind::notify: return check_notify(p);
    case parameter_kind::orcpt: return parse_orcpt<true>(p).error;
    case parameter_kind::rrvs: return parse_rrvs(p).error;
    case parameter_kind::unknown: break;
  }
  return errc{};
}

}  // namespace detail

/// One row per known parameter: its keyword (upper case, as registered), the
/// command it belongs to, the check that validates its value (the same
/// function its typed accessor uses) and where the rule comes from.
struct parameter_rule {
  std::string_view keyword;
  parameter_kind kind;
  parameter_verb verb;
  errc (*check)(const parameter&) noexcept;
  std::string_view reference;
};

// clang-format off
/// The ESMTP parameter table: every parameter mailwire knows, in
/// parameter_kind order. The rule for each lives in the detail function named
/// in its check (grammar quoted above that function).
inline constexpr parameter_rule parameter_rules[] = {
  {"SIZE",        parameter_kind::size,        parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_size(p).error; },        "RFC 1870 §3"},
  {"BODY",        parameter_kind::body,        parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_body(p).error; },        "RFC 6152 §2, RFC 3030 §3"},
  {"SMTPUTF8",    parameter_kind::smtputf8,    parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_flag(p).error; },        "RFC 6531 §3.4"},
  {"REQUIRETLS",  parameter_kind::requiretls,  parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_flag(p).error; },        "RFC 8689 §2"},
  {"AUTH",        parameter_kind::auth,        parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_auth(p).error; },        "RFC 4954 §5"},
  {"RET",         parameter_kind::ret,         parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_ret(p).error; },         "RFC 3461 §4.3"},
  {"ENVID",       parameter_kind::envid,       parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_envid(p).error; },       "RFC 3461 §4.4"},
  {"MT-PRIORITY", parameter_kind::mt_priority, parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_mt_priority(p).error; }, "RFC 6710 §3"},
  {"BY",          parameter_kind::by,          parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_by(p).error; },          "RFC 2852 §4"},
  {"HOLDFOR",     parameter_kind::holdfor,     parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_holdfor(p).error; },     "RFC 4865 §3"},
  {"HOLDUNTIL",   parameter_kind::holduntil,   parameter_verb::mail,
   [](const parameter& p) noexcept { return detail::parse_holduntil(p).error; },   "RFC 4865 §3, erratum 2040"},
  {"NOTIFY",      parameter_kind::notify,      parameter_verb::rcpt,
   [](const parameter& p) noexcept { return detail::check_notify(p); },            "RFC 3461 §4.1"},
  {"ORCPT",       parameter_kind::orcpt,       parameter_verb::rcpt,
   [](const parameter& p) noexcept { return detail::parse_orcpt(p).error; },       "RFC 3461 §4.2"},
  {"RRVS",        parameter_kind::rrvs,        parameter_verb::rcpt,
   [](const parameter& p) noexcept { return detail::parse_rrvs(p).error; },        "RFC 7293 §3"},
};
// clang-format on

namespace detail {

constexpr std::size_t known_count = sizeof(parameter_rules) / sizeof(parameter_rules[0]);
static_assert(known_count == static_cast<std::size_t>(parameter_kind::unknown),
              "one row of parameter_rules per parameter_kind");
static_assert(known_count <= 16, "known keywords are tracked in a 16-bit mask");

constexpr bool rules_in_kind_order() noexcept {
  for (std::size_t i = 0; i < known_count; ++i)
    if (static_cast<std::size_t>(parameter_rules[i].kind) != i) return false;
  return true;
}
static_assert(rules_in_kind_order(), "parameter_rules rows must follow parameter_kind order");

// Keyword lookup: the known keywords differ in (length, first letter), so one
// table probe picks the only candidate and one comparison confirms it.
constexpr std::size_t max_keyword_length = 11;
constexpr std::uint8_t no_rule = 0xFF;

struct keyword_index_t {
  std::uint8_t row[max_keyword_length + 1][32];  // [length][first octet & 0x1F] -> rule
  std::uint64_t folded[known_count][2];          // keyword & 0xDF.., zero-padded
  bool unique;
};

constexpr keyword_index_t make_keyword_index() noexcept {
  keyword_index_t t{};
  t.unique = true;
  for (auto& by_length : t.row)
    for (auto& r : by_length) r = no_rule;
  for (std::size_t i = 0; i < known_count; ++i) {
    const std::string_view k = parameter_rules[i].keyword;
    if (k.size() > max_keyword_length) {
      t.unique = false;
      continue;
    }
    std::uint8_t& r = t.row[k.size()][static_cast<unsigned char>(k[0]) & 0x1F];
    if (r != no_rule) t.unique = false;
    r = static_cast<std::uint8_t>(i);
    for (std::size_t c = 0; c < k.size(); ++c)
      t.folded[i][c / 8] |= std::uint64_t{static_cast<unsigned char>(k[c]) & 0xDFu}
                            << (8 * (c % 8));
  }
  return t;
}

inline constexpr keyword_index_t keyword_index = make_keyword_index();
static_assert(keyword_index.unique,
              "known keywords must differ in length or first letter (else extend the lookup)");

constexpr parameter_kind kind_of(std::string_view keyword) noexcept {
  if (keyword.empty() || keyword.size() > max_keyword_length ||
      !ascii::is_alpha(static_cast<unsigned char>(keyword[0])))
    return parameter_kind::unknown;
  const std::uint8_t r =
      keyword_index.row[keyword.size()][static_cast<unsigned char>(keyword[0]) & 0x1F];
  if (r == no_rule) return parameter_kind::unknown;
  const std::string_view k = parameter_rules[r].keyword;
  for (std::size_t i = 1; i < k.size(); ++i)
    if (ascii::to_upper(keyword[i]) != k[i]) return parameter_kind::unknown;
  return parameter_rules[r].kind;
}

/// kind_of() for a keyword candidate at p[0..len) that starts with ALPHA /
/// DIGIT and holds only esmtp-value octets (%d33-60 / %d62-126), with
/// p[0..avail) readable. Compares whole words, case folded by clearing bit 5
/// of every octet: on those octets folding maps nothing else onto a folded
/// keyword character (letters, digits, "-"), so a match is also a valid
/// keyword.
constexpr parameter_kind kind_of_valid(const char* p, std::size_t len, std::size_t avail) noexcept {
  if (len > max_keyword_length) return parameter_kind::unknown;
  const std::uint8_t r = keyword_index.row[len][static_cast<unsigned char>(p[0]) & 0x1F];
  if (r == no_rule) return parameter_kind::unknown;
  if (avail < (len > 8 ? 16u : 8u)) return kind_of(std::string_view(p, len));
  constexpr std::uint64_t fold = 0xDFDFDFDFDFDFDFDFu;
  const std::uint64_t first = len >= 8 ? fold : fold & ((std::uint64_t{1} << (8 * len)) - 1);
  if ((load_le64(p) & first) != keyword_index.folded[r][0]) return parameter_kind::unknown;
  if (len > 8) {
    const std::uint64_t second = fold & ((std::uint64_t{1} << (8 * (len - 8))) - 1);
    if ((load_le64(p + 8) & second) != keyword_index.folded[r][1]) return parameter_kind::unknown;
  }
  return parameter_rules[r].kind;
}

/// Splits the validated parameter that starts at text[pos] (the caller knows
/// the text holds a well-formed parameter there).
constexpr parameter split_at(std::string_view text, std::size_t pos) noexcept {
  const std::size_t end = find_sp(text.data(), pos, text.size());
  const std::string_view whole = text.substr(pos, end - pos);
  const std::size_t eq = whole.find('=');
  parameter p;
  if (eq == std::string_view::npos) {
    p.keyword = whole;
  } else {
    p.keyword = whole.substr(0, eq);
    p.value = whole.substr(eq + 1);
    p.has_value = true;
  }
  p.kind = kind_of_valid(p.keyword.data(), p.keyword.size(), text.size() - pos);
  return p;
}

}  // namespace detail

class parameter_list;
struct parameter_options;
struct parameter_check;
namespace detail {
constexpr parameter_check check_parameters(const parameter_list& list,
                                           parameter_verb verb) noexcept;
constexpr errc parse_into(std::string_view text, const parameter_options& options,
                          parameter_list& list, std::size_t& bad) noexcept;
struct parameter_list_builder;
}  // namespace detail

/// A zero-copy view of parameter text that parse_parameters() accepted: the
/// parameters in order, plus where each known one is. It borrows the text
/// (see text()) and is valid as long as that is; copying it is cheap and
/// copies no text. Iterating re-splits the text; known parameters are found
/// without a search.
class parameter_list {
  // Helpers first: clang needs a member template defined before constexpr
  // members use it in constant expressions.
  static constexpr std::uint16_t bit(parameter_kind k) noexcept {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(k));
  }
  static constexpr int popcount(std::uint16_t m) noexcept {
    int n = 0;
    for (; m != 0; m = static_cast<std::uint16_t>(m & (m - 1))) ++n;
    return n;
  }
  // What known_ records for a parameter at `pos` of `length` octets.
  static constexpr std::uint32_t entry(std::size_t pos, std::size_t length) noexcept {
    if (pos > max_entry_position) return entry_unknown;
    return static_cast<std::uint32_t>(pos << 8 |
                                      (length < length_unknown ? length : length_unknown));
  }
  // The offset of the known parameter of kind index `i` (present).
  constexpr std::size_t known_position(std::size_t i) const noexcept {
    const std::uint32_t e = known_[i];
    if (e == entry_unknown)
      return static_cast<std::size_t>(search(static_cast<parameter_kind>(i)).keyword.data() -
                                      text_data_);
    return e >> 8;
  }
  // The known parameter `k` (present), found by iterating.
  constexpr parameter search(parameter_kind k) const noexcept {
    for (const parameter& q : *this)
      if (q.kind == k) return q;
    return {};
  }
  // The known parameter `k` (present), from its recorded position and length
  // (searched for when they did not fit).
  constexpr parameter known(parameter_kind k) const noexcept {
    const auto i = static_cast<std::size_t>(k);
    const std::uint32_t e = known_[i];
    if (e == entry_unknown) return search(k);
    const std::size_t pos = e >> 8;
    const std::size_t length = (e & 0xFF) != length_unknown
                                   ? (e & 0xFF)
                                   : detail::find_sp(text_data_, pos, text_size_) - pos;
    const std::size_t keyword_length = parameter_rules[i].keyword.size();
    parameter p;
    p.keyword = std::string_view(text_data_ + pos, keyword_length);
    p.kind = k;
    if (length > keyword_length) {
      p.value =
          std::string_view(text_data_ + pos + keyword_length + 1, length - keyword_length - 1);
      p.has_value = true;
    }
    return p;
  }
  template <class T, param_result<T> (*Parse)(const parameter&) noexcept>
  constexpr param_result<T> typed(parameter_kind k) const noexcept {
    if (!contains(k)) return {};
    return Parse(known(k));
  }

 public:
  /// Forward iterator over the parameters in text order. Dereferencing gives
  /// a reference into the iterator (valid until it moves).
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = parameter;
    using difference_type = std::ptrdiff_t;
    using pointer = const parameter*;
    using reference = const parameter&;

    constexpr iterator() noexcept = default;

    constexpr reference operator*() const noexcept { return current_; }
    constexpr pointer operator->() const noexcept { return &current_; }
    constexpr iterator& operator++() noexcept {
      pos_ = next_position();
      load();
      return *this;
    }
    constexpr iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.pos_ == b.pos_ && a.text_.data() == b.text_.data();
    }
    friend constexpr bool operator!=(const iterator& a, const iterator& b) noexcept {
      return !(a == b);
    }

   private:
    friend class parameter_list;
    constexpr iterator(std::string_view text, std::size_t pos) noexcept : text_(text), pos_(pos) {
      load();
    }
    // The end position is one past the text: where a parameter after the
    // last one's terminating SP would start.
    constexpr std::size_t end_position() const noexcept { return text_.size() + 1; }
    constexpr std::size_t next_position() const noexcept {
      return pos_ + current_.keyword.size() + (current_.has_value ? current_.value.size() + 1 : 0) +
             1;
    }
    constexpr void load() noexcept {
      current_ = pos_ < end_position() ? detail::split_at(text_, pos_) : parameter{};
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    parameter current_;
  };
  using const_iterator = iterator;

  constexpr parameter_list() noexcept = default;

  constexpr iterator begin() const noexcept {
    return {text(), text_size_ == 0 ? text_size_ + 1u : 0};
  }
  constexpr iterator end() const noexcept { return {text(), text_size_ + std::size_t{1}}; }

  /// Number of parameters.
  constexpr std::size_t count() const noexcept { return count_; }
  constexpr bool empty() const noexcept { return count_ == 0; }
  /// The parameter text as given to parse_parameters().
  constexpr std::string_view text() const noexcept { return {text_data_, text_size_}; }

  /// The parameter whose keyword equals `keyword` case-insensitively (there is
  /// at most one), or nullopt. Known keywords are found without a search.
  constexpr std::optional<parameter> find(std::string_view keyword) const noexcept {
    const parameter_kind k = detail::kind_of(keyword);
    if (k != parameter_kind::unknown) return find(k);
    for (const parameter& p : *this)
      if (ascii::iequals(p.keyword, keyword)) return p;
    return std::nullopt;
  }
  /// The known parameter of kind `k`, or nullopt (always nullopt for unknown).
  constexpr std::optional<parameter> find(parameter_kind k) const noexcept {
    if (!contains(k)) return std::nullopt;
    return known(k);
  }
  constexpr bool contains(std::string_view keyword) const noexcept {
    return find(keyword).has_value();
  }
  constexpr bool contains(parameter_kind k) const noexcept {
    return k != parameter_kind::unknown && (known_mask_ & bit(k)) != 0;
  }
  /// Does the list hold a keyword mailwire has no rule for? (Known keywords
  /// of the other verb, NOTIFY on MAIL say, are not unknown: see
  /// all_known_for().)
  constexpr bool has_unknown() const noexcept {
    return count_ != static_cast<std::size_t>(popcount(known_mask_));
  }
  /// Is every parameter one that mailwire knows for `verb`? False for an
  /// unknown keyword and for a known one of the other verb (NOTIFY on MAIL,
  /// SIZE on RCPT): a server answers 555 to those (RFC 5321 §4.1.1.11), as to
  /// known ones whose extension it does not advertise.
  constexpr bool all_known_for(parameter_verb verb) const noexcept {
    if (has_unknown()) return false;
    for (std::size_t i = 0; i < detail::known_count; ++i)
      if ((known_mask_ & (1u << i)) != 0 && parameter_rules[i].verb != verb) return false;
    return true;
  }

  // Typed accessors: each validates the value on access (see the rule of the
  // same name in the detail namespace and parameter_rules). Views in the
  // results point into text().

  /// SIZE=: the declared message size in octets (RFC 1870).
  constexpr param_result<std::uint64_t> declared_size() const noexcept {
    return typed<std::uint64_t, detail::parse_size>(parameter_kind::size);
  }
  /// BODY=7BIT / 8BITMIME / BINARYMIME (RFC 6152, RFC 3030).
  constexpr param_result<body_type> body() const noexcept {
    return typed<body_type, detail::parse_body>(parameter_kind::body);
  }
  /// SMTPUTF8 (RFC 6531): value true when present; "SMTPUTF8=..." is an error.
  constexpr param_result<bool> smtputf8() const noexcept {
    return typed<bool, detail::parse_flag>(parameter_kind::smtputf8);
  }
  /// REQUIRETLS (RFC 8689): value true when present; a value is an error.
  constexpr param_result<bool> requiretls() const noexcept {
    return typed<bool, detail::parse_flag>(parameter_kind::requiretls);
  }
  /// AUTH=: the xtext as received, validated ("<>" is valid xtext); decode it
  /// with xtext::decode (RFC 4954 §5).
  constexpr param_result<std::string_view> auth() const noexcept {
    if (checked_ && contains(parameter_kind::auth))
      return detail::good_value(known(parameter_kind::auth).value);
    return typed<std::string_view, detail::parse_auth<true>>(parameter_kind::auth);
  }
  /// RET=FULL / HDRS (RFC 3461 §4.3).
  constexpr param_result<ret_type> ret() const noexcept {
    return typed<ret_type, detail::parse_ret>(parameter_kind::ret);
  }
  /// ENVID=: the xtext as received, validated (RFC 3461 §4.4).
  constexpr param_result<std::string_view> envid() const noexcept {
    if (checked_ && contains(parameter_kind::envid))
      return detail::good_value(known(parameter_kind::envid).value);
    return typed<std::string_view, detail::parse_envid<true>>(parameter_kind::envid);
  }
  /// NOTIFY= (RFC 3461 §4.1).
  constexpr param_result<notify_flags> notify() const noexcept {
    // Found by the server parser's fast path, which judged the value.
    if (notify_bits_ != 0) return detail::notify_from_bits(notify_bits_);
    if (!contains(parameter_kind::notify)) return {};
    // The value follows "NOTIFY=" in text(), so whole words around it are
    // readable.
    const parameter p = known(parameter_kind::notify);
    return detail::notify_from_bits(
        p.has_value ? detail::notify_bits_at(p.value.data(), p.value.size()) : 0u);
  }
  /// ORCPT= (RFC 3461 §4.2); the address stays xtext.
  constexpr param_result<orcpt_value> orcpt() const noexcept {
    if (checked_ && contains(parameter_kind::orcpt)) {
      // A checked addr-type is an atom, which holds no ";".
      const std::string_view v = known(parameter_kind::orcpt).value;
      const std::size_t semi = v.find(';');
      return detail::good_value(orcpt_value{v.substr(0, semi), v.substr(semi + 1)});
    }
    return typed<orcpt_value, detail::parse_orcpt<true>>(parameter_kind::orcpt);
  }
  /// MT-PRIORITY=: -9..9 (RFC 6710 §3).
  constexpr param_result<int> mt_priority() const noexcept {
    return typed<int, detail::parse_mt_priority>(parameter_kind::mt_priority);
  }
  /// BY= (RFC 2852 §4).
  constexpr param_result<deliver_by> by() const noexcept {
    return typed<deliver_by, detail::parse_by>(parameter_kind::by);
  }
  /// HOLDFOR=: seconds (RFC 4865).
  constexpr param_result<std::uint32_t> holdfor() const noexcept {
    return typed<std::uint32_t, detail::parse_holdfor>(parameter_kind::holdfor);
  }
  /// HOLDUNTIL=: the RFC 3339 date-time as received, validated (RFC 4865).
  constexpr param_result<std::string_view> holduntil() const noexcept {
    return typed<std::string_view, detail::parse_holduntil>(parameter_kind::holduntil);
  }
  /// RRVS= (RFC 7293).
  constexpr param_result<rrvs_value> rrvs() const noexcept {
    return typed<rrvs_value, detail::parse_rrvs>(parameter_kind::rrvs);
  }

  /// Offset in text() of the known parameter `k`, or npos when absent.
  constexpr std::size_t position(parameter_kind k) const noexcept {
    return contains(k) ? known_position(static_cast<std::size_t>(k)) : std::string_view::npos;
  }

 private:
  // 32-bit sizes and offsets: parse_parameters() refuses longer text. The
  // list is kept to 80 octets, which compilers clear with a few vector
  // stores; from 88 on GCC clears with rep stos, which is slow to start
  // (about 3 ns more per list, measured).
  const char* text_data_ = nullptr;
  std::uint32_t text_size_ = 0;
  std::uint32_t count_ = 0;
  // The offset (high 24 bits) and length (keyword[=value], low 8 bits) of
  // each known parameter, valid where known_mask_ has the kind's bit. A
  // length of 255 or more is found again when needed, and a parameter that
  // starts past 16 MiB (entry_unknown) is searched for (so is one whose
  // entry happens to equal entry_unknown: still right, only slower).
  static constexpr std::uint32_t length_unknown = 0xFF;
  static constexpr std::size_t max_entry_position = 0xFFFFFF;
  static constexpr std::uint32_t entry_unknown = 0xFFFFFFFF;
  std::uint32_t known_[detail::known_count] = {};
  std::uint16_t known_mask_ = 0;
  // Every known parameter's value has passed its rule (the server parser
  // sets it after check_*_parameters or its fast path): the xtext accessors
  // then skip their scan, the part of a typed read that costs.
  bool checked_ = false;
  // notify_bits_at() of the NOTIFY value when the builder has it (never 0
  // then: 0 means not recorded).
  std::uint8_t notify_bits_ = 0;

  friend constexpr parameter_check detail::check_parameters(const parameter_list&,
                                                            parameter_verb) noexcept;
  friend constexpr errc detail::parse_into(std::string_view, const parameter_options&,
                                           parameter_list&, std::size_t&) noexcept;
  friend struct detail::parameter_list_builder;
};

namespace detail {
/// Fills a parameter_list for parsers that validated the text themselves
/// (smtp/mail_rcpt_fast_path.hpp): the same fields parse_into() sets.
struct parameter_list_builder {
  static constexpr void add_known(parameter_list& list, parameter_kind k, std::size_t pos,
                                  std::size_t length) noexcept {
    list.known_[static_cast<std::size_t>(k)] = parameter_list::entry(pos, length);
    list.known_mask_ = static_cast<std::uint16_t>(list.known_mask_ | parameter_list::bit(k));
  }
  /// NOTIFY's value, judged by the builder: notify_bits_at() of it (not 0).
  static constexpr void set_notify_bits(parameter_list& list, unsigned bits) noexcept {
    list.notify_bits_ = static_cast<std::uint8_t>(bits);
  }
  static constexpr void clear(parameter_list& list) noexcept {
    list.known_mask_ = 0;
    list.checked_ = false;
    list.notify_bits_ = 0;
    list.text_data_ = nullptr;
    list.text_size_ = 0;
    list.count_ = 0;
  }
  static constexpr void finish(parameter_list& list, std::string_view text,
                               std::size_t count) noexcept {
    list.text_data_ = text.data();
    list.text_size_ = static_cast<std::uint32_t>(text.size());
    list.count_ = static_cast<std::uint32_t>(count);
    list.checked_ = true;  // finish() follows the builder's own value checks
  }
  /// After check_mail_parameters / check_rcpt_parameters accepted `list`:
  /// those check only their own verb's rows (`rows`, the row bits), so the
  /// values count as checked only if the list holds no other known keyword.
  static constexpr void mark_checked(parameter_list& list, unsigned rows) noexcept {
    list.checked_ = (list.known_mask_ & ~rows) == 0;
  }
};
}  // namespace detail

struct parameter_options {
  /// SMTPUTF8 is in force for this transaction: esmtp-value may also hold
  /// well-formed UTF-8 non-ASCII (RFC 6531 §3.3). Malformed UTF-8 is
  /// errc::invalid_utf8. Without it, any octet >= 0x80 is invalid_parameter.
  bool utf8 = false;
  /// More parameters than this is errc::too_many_parameters. It also bounds
  /// the work of the duplicate check for unknown keywords (see
  /// parse_parameters).
  std::size_t max_parameters = 32;
};

struct parameter_parse_result {
  parameter_list list;         ///< empty on error
  errc error = errc{};         ///< errc{} on success
  std::string_view offending;  ///< on error: the bad parameter's text (keyword[=value]),
                               ///< a view into the input; empty (positioned where one
                               ///< was expected) for "SIZE=1  BODY=7BIT" or a trailing SP

  constexpr bool ok() const noexcept { return error == errc{}; }
};

namespace detail {
/// The parameter text starting at pos, up to the next SP.
constexpr std::string_view parameter_text_at(std::string_view text, std::size_t pos) noexcept {
  const std::size_t end = text.find(' ', pos);
  return text.substr(pos, (end == std::string_view::npos ? text.size() : end) - pos);
}

/// A hash of an ASCII keyword that ignores case (for the Bloom filter).
constexpr std::uint32_t keyword_hash(std::string_view keyword) noexcept {
  std::uint32_t h = 0;
  for (const char c : keyword) h = h * 31 + (static_cast<unsigned char>(c) & 0xDFu);
  return h;
}

/// Does a parameter before `limit` in the validated `text` have `keyword`
/// (case-insensitive)?
constexpr bool keyword_seen_before(std::string_view text, std::size_t limit,
                                   std::string_view keyword) noexcept {
  for (std::size_t pos = 0; pos < limit;) {
    const std::string_view whole = parameter_text_at(text, pos);
    if (ascii::iequals(whole.substr(0, whole.find('=')), keyword)) return true;
    pos += whole.size() + 1;
  }
  return false;
}

/// parse_parameters() without the result packaging: fills `list` and returns
/// errc{}, or returns the error with `bad` at the offending parameter's start.
constexpr errc parse_into(std::string_view text, const parameter_options& options,
                          parameter_list& list, std::size_t& bad) noexcept {
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) return errc::line_too_long;
  // Locals, so that stores into `list` do not force reloads.
  const bool utf8 = options.utf8;
  const std::size_t max_parameters = options.max_parameters;
  const char* const p = text.data();
  const std::size_t n = text.size();
  std::uint16_t mask = 0;
  std::uint64_t bloom = 0;
  std::size_t count = 0, start = 0;
  const auto fail = [&bad, &start](errc e) {
    bad = start;
    return e;
  };
  for (std::size_t i = 0; n != 0;) {
    start = i;
    if (i == n || !has_class(p[i], cls_let_dig)) return fail(errc::invalid_parameter);
    // Keyword octets are value octets too: find where the run ends ("=", SP
    // or anything else), then check the run against the keyword alphabet.
    // The first word usually holds all of it; past the end it reads zero
    // octets, which end the run.
    const std::uint64_t head = swar::word_at(text, i);
    const std::uint64_t head_stops = value_stops(head);
    i = head_stops != 0 ? i + swar::first(head_stops) : skip_value_octets(p, i + 8, n);
    const std::size_t keyword_end = i;
    // A known keyword matched is valid; any other is checked octet by octet.
    const std::size_t keyword_length = keyword_end - start;
    parameter_kind kind = parameter_kind::unknown;
    if (keyword_length < 8) {
      // kind_of_valid() on the word already read.
      const std::uint8_t r =
          keyword_index.row[keyword_length][static_cast<unsigned char>(p[start]) & 0x1F];
      const std::uint64_t fold =
          0xDFDFDFDFDFDFDFDFu & ((std::uint64_t{1} << (8 * keyword_length)) - 1);
      if (r != no_rule && (head & fold) == keyword_index.folded[r][0])
        kind = parameter_rules[r].kind;
    } else {
      kind = kind_of_valid(p + start, keyword_length, n - start);
    }
    if (kind == parameter_kind::unknown) {
      std::uint8_t all = cls_keyword;
      for (std::size_t k = start + 1; k < keyword_end; ++k)
        all &= class_table.bits[static_cast<unsigned char>(p[k])];
      if (all == 0) return fail(errc::invalid_parameter);
    }
    if (i < n && p[i] == '=') {
      const std::size_t value_start = ++i;
      for (;;) {
        i = skip_value_octets(p, i, n);
        if (i == n || !utf8 || static_cast<unsigned char>(p[i]) < 0x80) break;
        const std::size_t len = utf8::detail::sequence_length(std::string_view(p, n), i);
        if (len == 0) return fail(errc::invalid_utf8);
        i += len;
      }
      if (i == value_start) return fail(errc::invalid_parameter);
    }
    if (i < n && p[i] != ' ') return fail(errc::invalid_parameter);
    if (++count > max_parameters) return fail(errc::too_many_parameters);
    if (kind != parameter_kind::unknown) {
      const std::uint16_t b = parameter_list::bit(kind);
      if ((mask & b) != 0) return fail(errc::duplicate_parameter);
      mask = static_cast<std::uint16_t>(mask | b);
      list.known_[static_cast<std::size_t>(kind)] = parameter_list::entry(start, i - start);
    } else {
      const std::string_view keyword = text.substr(start, keyword_end - start);
      const std::uint64_t b = std::uint64_t{1} << (keyword_hash(keyword) & 63u);
      if ((bloom & b) != 0 && keyword_seen_before(text, start, keyword))
        return fail(errc::duplicate_parameter);
      bloom |= b;
    }
    if (i == n) break;
    ++i;  // the SP; another parameter must follow
  }
  list.text_data_ = p;
  list.text_size_ = static_cast<std::uint32_t>(n);
  list.count_ = static_cast<std::uint32_t>(count);  // each parameter takes an octet
  list.known_mask_ = mask;
  list.notify_bits_ = 0;
  list.checked_ = false;
  return errc{};
}
}  // namespace detail

/// Parses `text`, the parameters after a MAIL or RCPT path and its SP (with
/// trailing SP/HT already removed), against the generic grammar (top of this
/// header). Empty text is an empty list.
///
/// Errors, the first in text order wins, with `offending` naming it:
/// - errc::invalid_parameter: keyword not (ALPHA / DIGIT) *(ALPHA / DIGIT /
///   "-"); "KEY=" with an empty value; "=", a control, SP doubling or an 8-bit
///   octet in a value (8-bit allowed with options.utf8); an empty parameter
///   (two SPs, leading or trailing SP). Also line_too_long for text of 4 GiB
///   or more.
/// - errc::invalid_utf8: malformed UTF-8 in a value under options.utf8.
/// - errc::too_many_parameters: more than options.max_parameters.
/// - errc::duplicate_parameter: a keyword seen before, case-insensitively.
///   Known keywords are tracked in a bit mask. Unknown ones go through a
///   64-bit Bloom filter of a keyword hash; only when its bit is already set
///   is the text before re-split to confirm, so the usual line takes one pass
///   and the worst case is bounded by max_parameters squared.
/// Values of known keywords are not checked here: see check_mail_parameters.
constexpr parameter_parse_result parse_parameters(std::string_view text,
                                                  const parameter_options& options = {}) noexcept {
  // Built in one expression at the end: clearing a whole result first
  // compiles to rep stos, slow to start.
  parameter_list list;
  std::size_t bad = 0;
  const errc e = detail::parse_into(text, options, list, bad);
  if (e != errc{}) return {parameter_list{}, e, detail::parameter_text_at(text, bad)};
  return {list, errc{}, {}};
}

/// Result of check_mail_parameters / check_rcpt_parameters.
struct parameter_check {
  errc error = errc{};
  std::string_view offending;  ///< on error: the bad parameter's text, a view into list.text()

  constexpr bool ok() const noexcept { return error == errc{}; }
};

namespace detail {
/// The bits of the parameter_rules rows of `verb`.
constexpr unsigned verb_mask(parameter_verb verb) noexcept {
  unsigned m = 0;
  for (std::size_t i = 0; i < known_count; ++i)
    if (parameter_rules[i].verb == verb) m |= 1u << i;
  return m;
}
inline constexpr unsigned mail_rows = verb_mask(parameter_verb::mail);
inline constexpr unsigned rcpt_rows = verb_mask(parameter_verb::rcpt);

/// Index of the lowest set bit of a non-zero 32-bit value (de Bruijn).
inline constexpr std::uint8_t de_bruijn_bit[32] = {0,  1,  28, 2,  29, 14, 24, 3,  30, 22, 20,
                                                   15, 25, 17, 4,  8,  31, 27, 13, 23, 21, 19,
                                                   16, 7,  26, 12, 18, 6,  11, 5,  10, 9};
constexpr std::size_t lowest_bit(std::uint32_t m) noexcept {
  return de_bruijn_bit[static_cast<std::uint32_t>((m & (~m + 1)) * 0x077CB531u) >> 27];
}

constexpr parameter_check check_parameters(const parameter_list& list,
                                           parameter_verb verb) noexcept {
  parameter_check c;
  std::size_t first_bad = std::string_view::npos;
  // Only the rows present in the list and of this verb.
  const unsigned rows = verb == parameter_verb::mail ? mail_rows : rcpt_rows;
  for (std::uint32_t m = list.known_mask_ & rows; m != 0; m &= m - 1) {
    const std::size_t k = lowest_bit(m);
    const std::size_t pos = list.known_position(k);
    if (pos > first_bad) continue;
    const errc e =
        check_value(static_cast<parameter_kind>(k), list.known(static_cast<parameter_kind>(k)));
    if (e != errc{}) {
      first_bad = pos;
      c.error = e;
      c.offending = parameter_text_at(list.text(), pos);
    }
  }
  return c;
}
}  // namespace detail

/// Validates the values of the known MAIL parameters in `list` (SIZE BODY
/// SMTPUTF8 REQUIRETLS AUTH RET ENVID MT-PRIORITY BY HOLDFOR HOLDUNTIL; see
/// parameter_rules) and reports the first bad one in text order:
/// errc::invalid_parameter_value (a wrong value, a value on a valueless
/// parameter, a missing value, an overflowing number) or errc::invalid_xtext
/// (AUTH=, ENVID= encoding). Then HOLDFOR together with HOLDUNTIL is
/// errc::conflicting_parameters (offending: the later one). Unknown keywords,
/// and RCPT parameters, pass: which extensions a server supports (555) is the
/// server's decision.
constexpr parameter_check check_mail_parameters(const parameter_list& list) noexcept {
  parameter_check c = detail::check_parameters(list, parameter_verb::mail);
  if (c.ok() && list.contains(parameter_kind::holdfor) &&
      list.contains(parameter_kind::holduntil)) {
    const std::size_t a = list.position(parameter_kind::holdfor);
    const std::size_t b = list.position(parameter_kind::holduntil);
    c.error = errc::conflicting_parameters;
    c.offending = detail::parameter_text_at(list.text(), a > b ? a : b);
  }
  return c;
}

/// The same for the known RCPT parameters (NOTIFY ORCPT RRVS); ORCPT's
/// encoding errors are errc::invalid_xtext.
constexpr parameter_check check_rcpt_parameters(const parameter_list& list) noexcept {
  return detail::check_parameters(list, parameter_verb::rcpt);
}

}  // namespace mailwire::smtp
