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
//
// The value types (parameter, param_result, body_type, notify_flags, ...) are
// in smtp/parameter_types.hpp, and the grammar of each known parameter's value
// in smtp/parameter_values.hpp (namespace detail). This header includes both:
// it is the one to include.

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
#include "mailwire/smtp/parameter_types.hpp"
#include "mailwire/smtp/parameter_values.hpp"

namespace mailwire::smtp {

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
/// in its check (smtp/parameter_values.hpp, grammar quoted above that
/// function).
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
  // same name in smtp/parameter_values.hpp and parameter_rules). Views in the
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
