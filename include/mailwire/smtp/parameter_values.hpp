#pragma once
// Implementation detail of smtp/parameters.hpp, in namespace
// mailwire::smtp::detail: the grammars of ESMTP parameter values. Users want
// smtp/parameters.hpp (parse_parameters, parameter_list and its typed
// accessors, check_mail_parameters / check_rcpt_parameters); nothing here is
// public API.
//
// In order:
//   - octet classes and the eight-octets-at-a-time scanners over parameter
//     text (find_stop, find_sp, skip_value_octets);
//   - value grammars shared by several parameters (case-insensitive words,
//     numbers, RFC 3339 date-time, xtext decoding to printable text);
//   - one parse_* function per known parameter, its grammar quoted above it:
//     the rule that parameter_rules and the typed accessors both run;
//   - the NOTIFY table (a perfect hash of its sixteen valid values) and
//     notify_bits() / notify_bits_at();
//   - check_value(): the rule of a parameter_kind, as one switch.
//
// Nothing allocates, nothing throws, everything is constexpr.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/swar.hpp"
#include "mailwire/smtp/parameter_types.hpp"
#include "mailwire/smtp/xtext.hpp"

namespace mailwire::smtp {

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
// validates its value. The table in smtp/parameters.hpp (parameter_rules)
// names which verb each belongs to.

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

}  // namespace mailwire::smtp
