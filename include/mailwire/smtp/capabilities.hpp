#pragma once
// What an SMTP server advertises in its EHLO reply (RFC 5321 §4.1.1.1,
// §4.2; the extensions of `extension` below, each with its RFC) as one
// fixed-size value.
//
// A server builds a `capabilities` once and hands it to write_ehlo_reply()
// (reply_writer.hpp); a client folds a server's EHLO reply into one, line by
// line, with add_line() or ehlo_folder (at the end of this header). The value
// owns all of its storage (no heap, no views into anything else), so it can be
// copied, compared and kept for the whole session.
//
// How each extension's parameters are stored:
//   SIZE           a std::uint64_t limit; 0 means "no fixed limit" and is
//                  written as a bare "SIZE" (RFC 1870 §4)
//   AUTH           a bit per well-known mechanism (sasl_mechanism) plus the
//                  names of other mechanisms as text, upper-cased, in the
//                  order added, in a fixed arena (other_mechanism_capacity)
//   MT-PRIORITY    the optional profile name, up to 20 characters (RFC 6710)
//   DELIVERBY      the optional min-by-time, 1-9 digits (RFC 2852 §4)
//   FUTURERELEASE  the maximum interval in seconds and the latest release
//                  date-time as RFC 3339 text; both are required on the
//                  wire (RFC 4865 §3, erratum 2040)
//   LIMITS         RCPTMAX, MAILMAX and RCPTDOMAINMAX, each 1-999999; 0
//                  means "not advertised" (RFC 9422)
//   unknown        whole keyword lines ("X-FOO a b") in the order added, in
//                  a fixed arena (keyword_capacity)
// Every other extension is a flag. The legacy "AUTH=" form (e.g.
// "250-AUTH=LOGIN PLAIN" from old servers) is a flag of its own that a client
// may set when it reads one; for_each_line() never generates it (it comes
// from the drafts of RFC 2554, and RFC 4954 has no such line).
//
// Setting a parameter sets its extension (add_mechanism() implies AUTH,
// set_size_limit() implies SIZE, ...); clear(e) removes the extension and its
// parameters. Setters that take text validate it and change nothing when they
// return an error.

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
#include "mailwire/smtp/parameters.hpp"

namespace mailwire::smtp {

/// The EHLO keywords mailwire knows, in the canonical order in which
/// capabilities::for_each_line() lists them.
enum class extension : std::uint8_t {
  size,                 ///< SIZE [limit] (RFC 1870)
  eightbitmime,         ///< 8BITMIME (RFC 6152)
  pipelining,           ///< PIPELINING (RFC 2920)
  chunking,             ///< CHUNKING (RFC 3030)
  binarymime,           ///< BINARYMIME (RFC 3030); needs CHUNKING
  starttls,             ///< STARTTLS (RFC 3207)
  auth,                 ///< AUTH mech *(SP mech) (RFC 4954)
  dsn,                  ///< DSN (RFC 3461)
  enhancedstatuscodes,  ///< ENHANCEDSTATUSCODES (RFC 2034)
  smtputf8,             ///< SMTPUTF8 (RFC 6531); needs 8BITMIME
  requiretls,           ///< REQUIRETLS (RFC 8689)
  mt_priority,          ///< MT-PRIORITY [profile] (RFC 6710)
  deliverby,            ///< DELIVERBY [min-by-time] (RFC 2852)
  futurerelease,        ///< FUTURERELEASE interval date-time (RFC 4865)
  rrvs,                 ///< RRVS (RFC 7293)
  etrn,                 ///< ETRN (RFC 1985)
  vrfy,                 ///< VRFY (RFC 5321 §4.1.1.6)
  expn,                 ///< EXPN (RFC 5321 §4.1.1.7)
  help,                 ///< HELP (RFC 5321 §4.1.1.8)
  limits,               ///< LIMITS name=value ... (RFC 9422)
};

// The mechanism names are shared with POP3 (core/sasl_mechanism.hpp).
using mailwire::is_sasl_mechanism_name;
using mailwire::mechanism_from_name;
using mailwire::name;
using mailwire::sasl_mechanism;

/// The limits of the LIMITS extension that have values of their own (RFC 9422).
enum class ehlo_limit : std::uint8_t {
  rcptmax,        ///< RCPTMAX: recipients per transaction
  mailmax,        ///< MAILMAX: transactions per session
  rcptdomainmax,  ///< RCPTDOMAINMAX: recipient domains per transaction
};

namespace detail::capabilities_impl {

using mailwire::detail::entry_at;
using mailwire::detail::item_reader;
using mailwire::detail::line_builder;
using mailwire::detail::text_arena;

inline constexpr std::string_view extension_keywords[] = {
    "SIZE",      "8BITMIME",      "PIPELINING",
    "CHUNKING",  "BINARYMIME",    "STARTTLS",
    "AUTH",      "DSN",           "ENHANCEDSTATUSCODES",
    "SMTPUTF8",  "REQUIRETLS",    "MT-PRIORITY",
    "DELIVERBY", "FUTURERELEASE", "RRVS",
    "ETRN",      "VRFY",          "EXPN",
    "HELP",      "LIMITS",
};
inline constexpr std::size_t extension_count =
    sizeof(extension_keywords) / sizeof(extension_keywords[0]);
static_assert(extension_count == static_cast<std::size_t>(extension::limits) + 1,
              "one keyword per extension, in enumerator order");

inline constexpr std::string_view limit_names[] = {"RCPTMAX", "MAILMAX", "RCPTDOMAINMAX"};
inline constexpr std::size_t limit_count = sizeof(limit_names) / sizeof(limit_names[0]);
static_assert(limit_count == static_cast<std::size_t>(ehlo_limit::rcptdomainmax) + 1,
              "one name per ehlo_limit, in enumerator order");

/// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") (RFC 5321 §4.1.1.1).
constexpr bool ehlo_keyword_valid(std::string_view s) noexcept {
  if (s.empty() || !ascii::is_alnum(static_cast<unsigned char>(s[0]))) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-') return false;
  }
  return true;
}

/// ehlo-line = ehlo-keyword *(SP ehlo-param), ehlo-param = 1*(%d33-126): one
/// SP between items, none leading or trailing.
constexpr bool ehlo_line_valid(std::string_view s) noexcept {
  const std::size_t sp = s.find(' ');
  if (!ehlo_keyword_valid(s.substr(0, sp))) return false;
  if (sp == std::string_view::npos) return true;
  bool param_empty = true;
  for (std::size_t i = sp + 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ') {
      if (param_empty) return false;
      param_empty = true;
    } else if (c >= 33 && c <= 126) {
      param_empty = false;
    } else {
      return false;
    }
  }
  return !param_empty;
}

/// MT-PRIORITY profile: 1*20(ALPHA / DIGIT / "-" / "_" / ".") (RFC 6710 §3).
constexpr bool mt_priority_profile_valid(std::string_view s) noexcept {
  if (s.empty() || s.size() > 20) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

/// Only SP, HT and ehlo-param octets (%d33-126): textstring also allows the
/// octets >= 0x80 that client_parser passes through, but no EHLO keyword or
/// parameter may hold one.
constexpr bool ehlo_octets_valid(std::string_view line) noexcept {
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_wsp(c) && !ascii::is_vchar(c)) return false;
  }
  return true;
}

/// ehlo-keyword, plus "_" after the first octet: what clients meet in the
/// wild (Exim advertises X_PIPE_CONNECT), so a client can still find it.
constexpr bool received_keyword_valid(std::string_view s) noexcept {
  if (s.empty() || !ascii::is_alnum(static_cast<unsigned char>(s[0]))) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

/// limit-name = 1*(ALPHA / DIGIT / "-" / "_") (RFC 9422 §3).
constexpr bool limit_name_valid(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

/// limit-value = 1*(%x21-3A / %x3C-7E), any VCHAR but ";" (RFC 9422 §3).
constexpr bool limit_value_valid(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_vchar(c) || c == ';') return false;
  }
  return true;
}

}  // namespace detail::capabilities_impl

/// The EHLO keyword, upper case, e.g. "8BITMIME", "MT-PRIORITY"; "" for a
/// value that is no enumerator.
constexpr std::string_view keyword(extension e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < detail::capabilities_impl::extension_count
             ? detail::capabilities_impl::extension_keywords[i]
             : std::string_view{};
}

/// The LIMITS name, e.g. "RCPTMAX"; "" for a value that is no enumerator.
constexpr std::string_view name(ehlo_limit l) noexcept {
  const auto i = static_cast<std::size_t>(l);
  return i < detail::capabilities_impl::limit_count ? detail::capabilities_impl::limit_names[i]
                                                    : std::string_view{};
}

/// The extension whose keyword is `kw`, compared case-insensitively (RFC 5321
/// §4.1.1.1); nullopt for unknown keywords.
constexpr std::optional<extension> extension_from_keyword(std::string_view kw) noexcept {
  for (std::size_t i = 0; i < detail::capabilities_impl::extension_count; ++i)
    if (ascii::iequals(kw, detail::capabilities_impl::extension_keywords[i]))
      return static_cast<extension>(i);
  return std::nullopt;
}

/// The extensions an EHLO reply advertises, with their parameters. See the
/// top of this header for how each parameter is stored.
class capabilities {
 public:
  /// Bytes for unknown keyword lines; each line takes its length + 1.
  static constexpr std::size_t keyword_capacity = 512;
  /// Bytes for mechanism names kept as text; each takes its length + 1.
  static constexpr std::size_t other_mechanism_capacity = 192;
  /// Longest keyword line add_keyword() takes: a reply line is at most 512
  /// octets (RFC 5321 §4.5.3.1.5) and "250-" and CRLF take 6 of them.
  static constexpr std::size_t max_keyword_line = 506;
  /// Longest value the numeric EHLO parameters of DELIVERBY (min-by-time) and
  /// FUTURERELEASE (interval) take: nine digits.
  static constexpr std::uint32_t max_seconds = 999'999'999;
  /// Largest LIMITS value: six digits (RFC 9422).
  static constexpr std::uint32_t max_limit_value = 999'999;
  /// Longest FUTURERELEASE date-time kept (RFC 3339 with a fraction).
  static constexpr std::size_t max_date_time_length = 40;

  /// A forward range of stored text entries (unknown keyword lines, or
  /// mechanism names). It borrows the capabilities it came from: valid until
  /// that object is changed or destroyed.
  using text_range = mailwire::text_range;

  constexpr capabilities() noexcept = default;

  // --- Flags ---------------------------------------------------------------

  /// Advertise `e` (with whatever parameters are already set for it).
  constexpr void set(extension e) noexcept { flags_ |= bit(e); }
  constexpr bool has(extension e) const noexcept { return (flags_ & bit(e)) != 0; }
  /// Stop advertising `e` and drop its parameters.
  constexpr void clear(extension e) noexcept;

  /// The legacy "AUTH=mech ..." line (from the drafts of RFC 2554) was seen.
  /// Recorded for clients; never written. Does not change has(auth).
  constexpr void set_legacy_auth_equals(bool seen) noexcept { legacy_auth_equals_ = seen; }
  constexpr bool legacy_auth_equals() const noexcept { return legacy_auth_equals_; }

  // --- SIZE (RFC 1870 §4) --------------------------------------------------

  /// Sets SIZE and its fixed maximum message size in octets; 0 means "no
  /// fixed limit" and is written as "SIZE" without a number.
  constexpr void set_size_limit(std::uint64_t octets) noexcept {
    set(extension::size);
    size_limit_ = octets;
  }
  /// The advertised limit; 0 when none (or when SIZE is not set).
  constexpr std::uint64_t size_limit() const noexcept { return size_limit_; }

  // --- AUTH (RFC 4954 §3) --------------------------------------------------

  /// Adds a well-known mechanism and sets AUTH.
  constexpr void add_mechanism(sasl_mechanism m) noexcept {
    if (mailwire::name(m).empty()) return;
    mechanisms_.add(m);
    set(extension::auth);
  }
  /// Adds a mechanism by name and sets AUTH. A well-known name (compared
  /// case-insensitively) sets its bit; any other valid name is stored as
  /// text in upper case, once (adding it again does nothing). Returns
  /// errc::invalid_mechanism unless the name is 1*20(ALPHA / DIGIT / "-" /
  /// "_") (RFC 4422 §3.1), errc::buffer_too_small when the text arena is
  /// full; on error nothing changes. `name` is only read during the call.
  constexpr errc add_mechanism(std::string_view name) noexcept {
    const errc e = mechanisms_.add(name);
    if (e == errc{}) set(extension::auth);
    return e;
  }
  constexpr bool has_mechanism(sasl_mechanism m) const noexcept { return mechanisms_.contains(m); }
  /// Any mechanism, well-known or kept as text, compared case-insensitively.
  constexpr bool has_mechanism(std::string_view name) const noexcept {
    return mechanisms_.contains(name);
  }
  /// The mechanisms kept as text, upper case, in the order added.
  constexpr text_range other_mechanisms() const noexcept { return mechanisms_.others(); }
  /// Calls f(std::string_view name) for every mechanism in the order of the
  /// AUTH line: well-known ones in enumerator order, then the others.
  template <class F>
  constexpr void for_each_mechanism(F&& f) const {
    mechanisms_.for_each(f);
  }

  // --- MT-PRIORITY (RFC 6710 §3) -------------------------------------------

  /// Sets MT-PRIORITY with a priority assignment policy name, or without one
  /// when `profile` is empty. errc::invalid_argument (nothing changes) unless
  /// the profile is 1*20(ALPHA / DIGIT / "-" / "_" / ".").
  constexpr errc set_mt_priority(std::string_view profile = {}) noexcept {
    if (!profile.empty() && !detail::capabilities_impl::mt_priority_profile_valid(profile))
      return errc::invalid_argument;
    for (std::size_t i = 0; i < profile.size(); ++i) mt_profile_[i] = profile[i];
    mt_profile_size_ = static_cast<std::uint8_t>(profile.size());
    set(extension::mt_priority);
    return errc{};
  }
  /// The profile name; empty when none was advertised.
  constexpr std::string_view mt_priority_profile() const noexcept {
    return {mt_profile_, mt_profile_size_};
  }

  // --- DELIVERBY (RFC 2852 §4) ---------------------------------------------

  /// Sets DELIVERBY with a min-by-time in seconds. errc::invalid_argument
  /// (nothing changes) when it has more than nine digits. set(deliverby)
  /// alone advertises DELIVERBY without one.
  constexpr errc set_deliverby_min_by_time(std::uint32_t seconds) noexcept {
    if (seconds > max_seconds) return errc::invalid_argument;
    min_by_time_ = seconds;
    has_min_by_time_ = true;
    set(extension::deliverby);
    return errc{};
  }
  constexpr std::optional<std::uint32_t> deliverby_min_by_time() const noexcept {
    return has_min_by_time_ ? std::optional<std::uint32_t>(min_by_time_) : std::nullopt;
  }

  // --- FUTURERELEASE (RFC 4865 §3, erratum 2040) ---------------------------

  /// Sets FUTURERELEASE with its two required parameters: the longest hold in
  /// seconds and the latest release time as an RFC 3339 date-time
  /// ("2030-01-01T00:00:00Z"). errc::invalid_argument (nothing changes) for
  /// an interval over nine digits or a date-time that is not RFC 3339 or is
  /// longer than max_date_time_length. `max_date_time` is copied.
  constexpr errc set_future_release(std::uint32_t max_interval,
                                    std::string_view max_date_time) noexcept {
    if (max_interval > max_seconds || max_date_time.size() > max_date_time_length ||
        !detail::is_date_time(max_date_time))
      return errc::invalid_argument;
    release_interval_ = max_interval;
    for (std::size_t i = 0; i < max_date_time.size(); ++i) release_date_time_[i] = max_date_time[i];
    release_date_time_size_ = static_cast<std::uint8_t>(max_date_time.size());
    set(extension::futurerelease);
    return errc{};
  }
  /// The longest hold in seconds; 0 when not set.
  constexpr std::uint32_t future_release_max_interval() const noexcept { return release_interval_; }
  /// The latest release date-time; empty when not set.
  constexpr std::string_view future_release_max_date_time() const noexcept {
    return {release_date_time_, release_date_time_size_};
  }

  // --- LIMITS (RFC 9422) ---------------------------------------------------

  /// Sets LIMITS with `l` = `value`. errc::invalid_argument (nothing changes)
  /// unless 1 <= value <= 999999.
  constexpr errc set_limit(ehlo_limit l, std::uint32_t value) noexcept {
    const auto i = static_cast<std::size_t>(l);
    if (i >= detail::capabilities_impl::limit_count || value == 0 || value > max_limit_value)
      return errc::invalid_argument;
    limits_[i] = value;
    set(extension::limits);
    return errc{};
  }
  /// Stops advertising `l` (LIMITS itself stays set).
  constexpr void clear_limit(ehlo_limit l) noexcept {
    const auto i = static_cast<std::size_t>(l);
    if (i < detail::capabilities_impl::limit_count) limits_[i] = 0;
  }
  /// The advertised value; 0 when not advertised.
  constexpr std::uint32_t limit(ehlo_limit l) const noexcept {
    const auto i = static_cast<std::size_t>(l);
    return i < detail::capabilities_impl::limit_count ? limits_[i] : 0;
  }

  // --- Unknown keywords ----------------------------------------------------

  /// Adds a keyword mailwire does not know, with its parameters: `line` is
  /// ehlo-keyword *(SP ehlo-param) (RFC 5321 §4.1.1.1), e.g. "X-FOO a b",
  /// with one SP between items and none around them. It is copied.
  /// Errors (nothing changes): errc::invalid_argument for anything else
  /// (CR, LF, NUL and every other control included), for a keyword that
  /// names a known extension (use the setters) and for a keyword already
  /// added (compared case-insensitively); errc::line_too_long over
  /// max_keyword_line octets; errc::buffer_too_small when the arena is full.
  constexpr errc add_keyword(std::string_view line) noexcept {
    if (!detail::capabilities_impl::ehlo_line_valid(line)) return errc::invalid_argument;
    if (line.size() > max_keyword_line) return errc::line_too_long;
    const std::string_view kw = line.substr(0, line.find(' '));
    if (extension_from_keyword(kw) || find_keyword(kw)) return errc::invalid_argument;
    return keywords_.push(line) ? errc{} : errc::buffer_too_small;
  }
  /// The unknown keyword lines, in the order added.
  constexpr text_range keywords() const noexcept { return keywords_.range(); }
  /// The parameters of unknown keyword `kw` (compared case-insensitively):
  /// "a b" for "X-FOO a b", "" for "X-BAR"; nullopt when `kw` was not added.
  /// The view borrows this object (valid until it changes).
  constexpr std::optional<std::string_view> find_keyword(std::string_view kw) const noexcept {
    for (const std::string_view line : keywords()) {
      const std::size_t sp = line.find(' ');
      if (ascii::iequals(line.substr(0, sp), kw))
        return sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    }
    return std::nullopt;
  }
  /// Removes every unknown keyword.
  constexpr void clear_keywords() noexcept { keywords_.clear(); }

  // --- Reading an EHLO or LHLO reply (client side) --------------------------

  /// Folds one keyword line of a server's EHLO (or LMTP LHLO) reply into this
  /// value: `line` is the text after "250-" or "250 " (client_parser's `line`
  /// event text). The reply's first line is the server's domain and greeting,
  /// not a keyword line; skip it, or let ehlo_folder do that. `line` is only
  /// read during the call.
  ///
  /// Lenient where servers are: keywords, mechanism names and LIMITS names
  /// compare case-insensitively; runs of SP and HT between items and around
  /// them count as one separator; a line repeated, or a known keyword
  /// repeated, is no error (see below for what a repeat does).
  ///
  /// What each line does (the RFC of each extension is listed at `extension`):
  ///   SIZE [n]            set_size_limit(n); none or 0 is no fixed limit
  ///   AUTH mech...        add_mechanism() for each, in line order
  ///   AUTH=mech [mech...] the same, and set_legacy_auth_equals(true)
  ///   MT-PRIORITY [p]     set_mt_priority(p)
  ///   DELIVERBY [t[,...]] min-by-time t (seconds) or none; the items
  ///                       after a comma are options this header does not
  ///                       know and are ignored (RFC 2852 §4)
  ///   FUTURERELEASE i d   set_future_release(i, d)
  ///   LIMITS n[=v]...     set_limit() for RCPTMAX, MAILMAX, RCPTDOMAINMAX;
  ///                       other well-formed names are ignored (RFC 9422)
  ///   other known keyword set(); parameters are ignored (RFC 6531 §3.1 says
  ///                       so for SMTPUTF8; flags have none to keep)
  ///   unknown keyword     kept as by add_keyword(), the items joined by one
  ///                       SP; its keyword may also hold "_" after the first
  ///                       octet (Exim's X_PIPE_CONNECT), which add_keyword()
  ///                       refuses
  /// A repeated SIZE, MT-PRIORITY, DELIVERBY or FUTURERELEASE line replaces
  /// the earlier one's parameters; AUTH lines add up (a server that sends
  /// "AUTH" and "AUTH=" lines gets both sets); a LIMITS line replaces the
  /// values it names. An unknown keyword line identical to one kept (same
  /// keyword in any case, same parameters) is no error and keeps one copy.
  ///
  /// Errors, each leaving the value exactly as it was:
  ///   errc::invalid_syntax           no keyword (empty or blank line), a
  ///                                  first item that is no ehlo-keyword
  ///                                  (with "_" allowed, as above), or
  ///                                  an octet that is not SP, HT or %d33-126
  ///                                  (RFC 5321 §4.1.1.1), anywhere on the line
  ///   errc::invalid_parameter_value  SIZE not 1*DIGIT or over 2^64-1;
  ///                                  MT-PRIORITY profile not 1*20(ALPHA /
  ///                                  DIGIT / "-" / "_" / "."); DELIVERBY
  ///                                  min-by-time or FUTURERELEASE interval
  ///                                  not 1*DIGIT or over max_seconds;
  ///                                  FUTURERELEASE date-time not RFC 3339
  ///                                  or over max_date_time_length; LIMITS
  ///                                  item not limit-name ["=" limit-value],
  ///                                  or RCPTMAX, MAILMAX or RCPTDOMAINMAX
  ///                                  without a value of 1-6 digits, not 0
  ///   errc::invalid_mechanism        an AUTH item that is no sasl-mech
  ///   errc::missing_argument         AUTH or LIMITS without a parameter,
  ///                                  FUTURERELEASE without both
  ///   errc::unexpected_argument      SIZE, MT-PRIORITY or DELIVERBY with
  ///                                  more than one parameter, FUTURERELEASE
  ///                                  with more than two
  ///   errc::duplicate_parameter      a LIMITS line naming one limit twice; an
  ///                                  unknown keyword already kept with other
  ///                                  parameters (find_keyword() has one
  ///                                  answer per keyword)
  ///   errc::line_too_long            an unknown keyword line over
  ///                                  max_keyword_line octets once its
  ///                                  separators are single SPs
  ///   errc::buffer_too_small         the mechanism or keyword arena is full
  /// A client may log an error and go on with the next line: the lines
  /// folded before and after it are unaffected.
  ///
  /// The result is what the server said, not a checked configuration: it may
  /// fail validate() (BINARYMIME without CHUNKING, say), and a client checks
  /// what it relies on. After STARTTLS, or AUTH with a security layer, start
  /// from an empty value (RFC 3207 §4.2).
  constexpr errc add_line(std::string_view line) noexcept;

  // --- Writing -------------------------------------------------------------

  /// Checks the dependencies the RFCs put between extensions and parameters,
  /// so that what for_each_line() lists is a valid EHLO reply body:
  /// errc::invalid_argument when AUTH has no mechanism (RFC 4954 §3),
  /// FUTURERELEASE lacks its parameters (RFC 4865 §3), LIMITS has no value
  /// (RFC 9422), BINARYMIME comes without CHUNKING (RFC 3030 §3) or SMTPUTF8
  /// without 8BITMIME (RFC 6531 §3.1); errc{} otherwise.
  constexpr errc validate() const noexcept {
    if (has(extension::auth) && mechanisms_.empty()) return errc::invalid_argument;
    if (has(extension::futurerelease) && release_date_time_size_ == 0)
      return errc::invalid_argument;
    if (has(extension::limits) && limits_[0] == 0 && limits_[1] == 0 && limits_[2] == 0)
      return errc::invalid_argument;
    if (has(extension::binarymime) && !has(extension::chunking)) return errc::invalid_argument;
    if (has(extension::smtputf8) && !has(extension::eightbitmime)) return errc::invalid_argument;
    return errc{};
  }

  /// Calls f(std::string_view line) once per EHLO keyword line, without
  /// "250-" or CRLF: the known extensions in `extension` order, then the
  /// unknown keywords in the order added. Lines with numbers or lists are
  /// built in a buffer on the stack; each view is valid only during its call
  /// of f. Every line is at most max_keyword_line octets. Lists whatever is
  /// set, valid or not (see validate()).
  template <class F>
  constexpr void for_each_line(F&& f) const;

  /// Number of lines for_each_line() would list.
  constexpr std::size_t line_count() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < detail::capabilities_impl::extension_count; ++i)
      n += (flags_ >> i) & 1u;
    return n + keywords().size();
  }

  /// Equal when every flag and parameter is equal; text (mechanism names,
  /// keyword lines) compares byte for byte and in order, so equal values
  /// list identical lines.
  friend constexpr bool operator==(const capabilities& a, const capabilities& b) noexcept {
    if (a.flags_ != b.flags_ || a.legacy_auth_equals_ != b.legacy_auth_equals_ ||
        a.size_limit_ != b.size_limit_ || a.mechanisms_ != b.mechanisms_ ||
        a.mt_priority_profile() != b.mt_priority_profile() ||
        a.deliverby_min_by_time() != b.deliverby_min_by_time() ||
        a.release_interval_ != b.release_interval_ ||
        a.future_release_max_date_time() != b.future_release_max_date_time())
      return false;
    for (std::size_t i = 0; i < detail::capabilities_impl::limit_count; ++i)
      if (a.limits_[i] != b.limits_[i]) return false;
    return a.keywords_ == b.keywords_;
  }
  friend constexpr bool operator!=(const capabilities& a, const capabilities& b) noexcept {
    return !(a == b);
  }

 private:
  constexpr errc add_auth_line(std::string_view first, detail::capabilities_impl::item_reader items,
                               bool legacy) noexcept;
  constexpr errc add_limits_line(detail::capabilities_impl::item_reader items) noexcept;
  constexpr errc add_unknown_line(std::string_view kw,
                                  detail::capabilities_impl::item_reader items) noexcept;

  static constexpr std::uint32_t bit(extension e) noexcept {
    const auto i = static_cast<unsigned>(e);
    return i < detail::capabilities_impl::extension_count ? (std::uint32_t{1} << i) : 0;
  }

  std::uint32_t flags_ = 0;
  std::uint64_t size_limit_ = 0;
  mailwire::detail::sasl_mechanism_set<other_mechanism_capacity> mechanisms_;
  bool legacy_auth_equals_ = false;
  bool has_min_by_time_ = false;
  std::uint32_t min_by_time_ = 0;
  std::uint32_t release_interval_ = 0;
  std::uint32_t limits_[detail::capabilities_impl::limit_count] = {};
  char mt_profile_[20] = {};
  std::uint8_t mt_profile_size_ = 0;
  std::uint8_t release_date_time_size_ = 0;
  char release_date_time_[max_date_time_length] = {};
  detail::capabilities_impl::text_arena<keyword_capacity> keywords_;
};

constexpr void capabilities::clear(extension e) noexcept {
  flags_ &= ~bit(e);
  switch (e) {
    case extension::size: size_limit_ = 0; break;
    case extension::auth: mechanisms_.clear(); break;
    case extension::mt_priority: mt_profile_size_ = 0; break;
    case extension::deliverby:
      has_min_by_time_ = false;
      min_by_time_ = 0;
      break;
    case extension::futurerelease:
      release_interval_ = 0;
      release_date_time_size_ = 0;
      break;
    case extension::limits:
      for (auto& l : limits_) l = 0;
      break;
    case extension::eightbitmime:
    case extension::pipelining:
    case extension::chunking:
    case extension::binarymime:
    case extension::starttls:
    case extension::dsn:
    case extension::enhancedstatuscodes:
    case extension::smtputf8:
    case extension::requiretls:
    case extension::rrvs:
    case extension::etrn:
    case extension::vrfy:
    case extension::expn:
    case extension::help: break;
  }
}

constexpr errc capabilities::add_line(std::string_view line) noexcept {
  namespace impl = detail::capabilities_impl;
  if (!impl::ehlo_octets_valid(line)) return errc::invalid_syntax;
  impl::item_reader items(line);
  const std::string_view kw = items.next();
  // "AUTH=LOGIN PLAIN" is how servers spoke to clients built on the drafts
  // of RFC 2554. "AUTH=" is no ehlo-keyword, so
  // this comes before that check.
  if (ascii::istarts_with(kw, "AUTH="))
    return add_auth_line({kw.data() + 5, kw.size() - 5}, items, true);
  if (!impl::received_keyword_valid(kw)) return errc::invalid_syntax;
  const std::optional<extension> known = extension_from_keyword(kw);
  if (!known) return add_unknown_line(kw, items);
  const extension e = *known;
  switch (e) {
    case extension::size: {
      const std::string_view octets = items.next();
      if (!items.next().empty()) return errc::unexpected_argument;
      std::uint64_t limit = 0;
      if (!octets.empty() &&
          !detail::parse_unsigned(octets, octets.size(), std::numeric_limits<std::uint64_t>::max(),
                                  limit))
        return errc::invalid_parameter_value;
      set_size_limit(limit);
      return errc{};
    }
    case extension::auth: return add_auth_line({}, items, false);
    case extension::mt_priority: {
      const std::string_view profile = items.next();
      if (!items.next().empty()) return errc::unexpected_argument;
      return set_mt_priority(profile) == errc{} ? errc{} : errc::invalid_parameter_value;
    }
    case extension::deliverby: {
      const std::string_view options = items.next();
      if (!items.next().empty()) return errc::unexpected_argument;
      const std::string_view min_by_time = options.substr(0, options.find(','));
      if (min_by_time.empty()) {
        clear(e);
        set(e);
        return errc{};
      }
      std::uint64_t seconds = 0;
      if (!detail::parse_unsigned(min_by_time, min_by_time.size(), max_seconds, seconds))
        return errc::invalid_parameter_value;
      return set_deliverby_min_by_time(static_cast<std::uint32_t>(seconds));
    }
    case extension::futurerelease: {
      const std::string_view interval = items.next();
      const std::string_view date_time = items.next();
      if (date_time.empty()) return errc::missing_argument;
      if (!items.next().empty()) return errc::unexpected_argument;
      std::uint64_t seconds = 0;
      if (!detail::parse_unsigned(interval, interval.size(), max_seconds, seconds) ||
          set_future_release(static_cast<std::uint32_t>(seconds), date_time) != errc{})
        return errc::invalid_parameter_value;
      return errc{};
    }
    case extension::limits: return add_limits_line(items);
    case extension::eightbitmime:
    case extension::pipelining:
    case extension::chunking:
    case extension::binarymime:
    case extension::starttls:
    case extension::dsn:
    case extension::enhancedstatuscodes:
    case extension::smtputf8:
    case extension::requiretls:
    case extension::rrvs:
    case extension::etrn:
    case extension::vrfy:
    case extension::expn:
    case extension::help: set(e); return errc{};
  }
  return errc{};
}

constexpr errc capabilities::add_auth_line(std::string_view first,
                                           detail::capabilities_impl::item_reader items,
                                           bool legacy) noexcept {
  std::string_view mechanism = first.empty() ? items.next() : first;
  if (mechanism.empty()) return errc::missing_argument;
  // Into a copy, so that a bad or unstorable name late in the line leaves
  // the names before it out too.
  capabilities updated = *this;
  for (; !mechanism.empty(); mechanism = items.next())
    if (const errc e = updated.add_mechanism(mechanism); e != errc{}) return e;
  if (legacy) updated.legacy_auth_equals_ = true;
  *this = updated;
  return errc{};
}

constexpr errc capabilities::add_limits_line(
    detail::capabilities_impl::item_reader items) noexcept {
  namespace impl = detail::capabilities_impl;
  std::uint32_t values[impl::limit_count] = {};
  std::string_view item = items.next();
  if (item.empty()) return errc::missing_argument;
  for (; !item.empty(); item = items.next()) {
    const std::size_t eq = item.find('=');
    const std::string_view limit_name = item.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (!impl::limit_name_valid(limit_name) ||
        (eq != std::string_view::npos && !impl::limit_value_valid(value)))
      return errc::invalid_parameter_value;
    for (std::size_t i = 0; i < impl::limit_count; ++i) {
      if (!ascii::iequals(limit_name, impl::limit_names[i])) continue;
      std::uint64_t v = 0;
      if (!detail::parse_unsigned(value, 6, max_limit_value, v) || v == 0)
        return errc::invalid_parameter_value;
      if (values[i] != 0) return errc::duplicate_parameter;
      values[i] = static_cast<std::uint32_t>(v);
    }
  }
  set(extension::limits);
  for (std::size_t i = 0; i < impl::limit_count; ++i)
    if (values[i] != 0) limits_[i] = values[i];
  return errc{};
}

constexpr errc capabilities::add_unknown_line(
    std::string_view kw, detail::capabilities_impl::item_reader items) noexcept {
  if (kw.size() > max_keyword_line) return errc::line_too_long;
  detail::capabilities_impl::line_builder line;
  line.append(kw);
  for (std::string_view item = items.next(); !item.empty(); item = items.next()) {
    if (line.size + 1 + item.size() > max_keyword_line) return errc::line_too_long;
    line.append(" ");
    line.append(item);
  }
  const std::string_view normalized = line.view();
  if (const std::optional<std::string_view> kept = find_keyword(kw)) {
    const std::string_view params =
        normalized.size() == kw.size() ? std::string_view{} : normalized.substr(kw.size() + 1);
    return *kept == params ? errc{} : errc::duplicate_parameter;
  }
  // Not add_keyword(): that one holds servers to ehlo-keyword, and this
  // keyword may have a "_" in it.
  return keywords_.push(normalized) ? errc{} : errc::buffer_too_small;
}

template <class F>
constexpr void capabilities::for_each_line(F&& f) const {
  namespace impl = detail::capabilities_impl;
  impl::line_builder line;
  for (std::size_t i = 0; i < impl::extension_count; ++i) {
    const auto e = static_cast<extension>(i);
    if (!has(e)) continue;
    line.size = 0;
    line.append(impl::extension_keywords[i]);
    switch (e) {
      case extension::size:
        if (size_limit_ != 0) {
          line.append(" ");
          line.append_number(size_limit_);
        }
        break;
      case extension::auth:
        // At most 5 + 129 (all well-known names) + 192 (the arena) octets.
        for_each_mechanism([&line](std::string_view m) {
          line.append(" ");
          line.append(m);
        });
        break;
      case extension::mt_priority:
        if (mt_profile_size_ != 0) {
          line.append(" ");
          line.append(mt_priority_profile());
        }
        break;
      case extension::deliverby:
        if (has_min_by_time_) {
          line.append(" ");
          line.append_number(min_by_time_);
        }
        break;
      case extension::futurerelease:
        if (release_date_time_size_ != 0) {
          line.append(" ");
          line.append_number(release_interval_);
          line.append(" ");
          line.append(future_release_max_date_time());
        }
        break;
      case extension::limits:
        for (std::size_t l = 0; l < impl::limit_count; ++l) {
          if (limits_[l] == 0) continue;
          line.append(" ");
          line.append(impl::limit_names[l]);
          line.append("=");
          line.append_number(limits_[l]);
        }
        break;
      case extension::eightbitmime:
      case extension::pipelining:
      case extension::chunking:
      case extension::binarymime:
      case extension::starttls:
      case extension::dsn:
      case extension::enhancedstatuscodes:
      case extension::smtputf8:
      case extension::requiretls:
      case extension::rrvs:
      case extension::etrn:
      case extension::vrfy:
      case extension::expn:
      case extension::help: break;
    }
    f(line.view());
  }
  for (const std::string_view kw : keywords()) f(kw);
}

/// Folds a whole EHLO or LHLO reply into a capabilities value, fed the text
/// of every line in order, the first (domain and greeting) included:
///
///   smtp::ehlo_folder folder;
///   switch (ev.kind) {                      // events of smtp::client_parser
///     case client_event_kind::line: folder.add(ev.text); break;
///     case client_event_kind::reply:
///       if (ev.code == 250) caps = folder.result();  // else: no EHLO (try HELO)
///       folder.reset();
///       break;
///     case client_event_kind::error: folder.reset(); break;  // the lines fed are void
///     ...
///   }
///
/// A plain value (no heap, no views); reuse it with reset().
class ehlo_folder {
 public:
  constexpr ehlo_folder() noexcept = default;

  /// Feeds the next line's text (after "250-" or "250 "). The first line is
  /// the domain and greeting, which carries no keyword (RFC 5321 §4.1.1.1,
  /// ehlo-ok-rsp): it is counted and errc{} returned. Every later line goes
  /// to capabilities::add_line(), whose errc is returned (and kept as
  /// first_error() if it is the first); a bad line changes nothing and the
  /// next lines are folded as usual. `text` is only read during the call.
  constexpr errc add(std::string_view text) noexcept {
    ++lines_;
    if (lines_ == 1) return errc{};
    const errc e = caps_.add_line(text);
    if (e != errc{} && first_error_ == errc{}) first_error_ = e;
    return e;
  }

  /// What the lines fed so far advertise.
  constexpr const capabilities& result() const noexcept { return caps_; }
  /// Lines fed so far, the first included.
  constexpr std::size_t lines() const noexcept { return lines_; }
  /// The error of the first line add_line() refused; errc{} when none was.
  constexpr errc first_error() const noexcept { return first_error_; }
  /// Back to the state of a new folder, for the next reply.
  constexpr void reset() noexcept { *this = ehlo_folder{}; }

 private:
  capabilities caps_;
  std::size_t lines_ = 0;
  errc first_error_ = errc{};
};

}  // namespace mailwire::smtp
