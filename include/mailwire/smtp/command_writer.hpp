#pragma once
// SMTP, ESMTP and LMTP client commands (RFC 5321 §4.1.1, RFC 2033 §4.1 and
// the ESMTP extensions of smtp/parameters.hpp) written into a sink
// (core/output.hpp): the client's half of what smtp::server_parser reads.
//
//   write_helo / write_ehlo / write_lhlo   "EHLO client.example.org\r\n"
//   write_mail                             "MAIL FROM:<jane@example.org> SIZE=1200\r\n"
//   write_rcpt                             "RCPT TO:<\"john doe\"@example.org> NOTIFY=NEVER\r\n"
//   write_data, write_rset, write_quit, write_starttls
//   write_bdat                             "BDAT 1000 LAST\r\n"
//   write_vrfy, write_expn, write_help, write_noop, write_etrn
//   write_auth, write_auth_base64          "AUTH PLAIN AHVzZXIAcGFzcw==\r\n"
//   write_sasl_response, write_sasl_response_base64, write_sasl_cancel
//
// Every function checks every field before it writes (docs/security.md §3),
// writes all of the line or nothing (write_all_or_nothing: on any error the
// sink is exactly as it was), never allocates itself, and returns errc{} or
// the error. They are noexcept whenever the sink's append() is. Arguments are
// only read during the call.
//
// How a line is made safe:
//   - Every text field refuses every control octet (CR, LF, NUL, HT, DEL,
//     ...) with errc::invalid_argument, before any other check of that field.
//     Raw bytes that the writer encodes (SASL responses in base64) may hold
//     any octet: the encoding cannot carry a line end.
//   - Every field is checked against its grammar, and values that need an
//     encoding are encoded by the writer: the local part is quoted only when
//     it is no Dot-string (RFC 5321 §4.1.2), AUTH=, ENVID= and ORCPT= values
//     go in xtext (RFC 3461 §4, RFC 4954 §5), SASL data in base64.
//   - The line is built twice: once into a probe that counts its octets and
//     looks for CR, LF and NUL, then, if the probe found none and the line
//     fits, into the sink followed by the one CRLF. So no input can make a
//     writer emit a second line, whatever a check above might miss.
//
// Line limits, CRLF included: max_address_command_line (2048) for MAIL and
// RCPT, whose extensions add to the base line (RFC 1870 §3, RFC 4954 §3,
// RFC 6531 §3.1, ...; the server_parser default); max_command_line (512,
// RFC 5321 §4.5.3.1.4) for every other command, AUTH included (RFC 4954 §4:
// a client MUST NOT send an initial response that makes the AUTH line
// longer; see auth_initial_response_fits()); max_sasl_response_line (12288,
// RFC 4954 §4) for SASL response lines. Over the limit: errc::line_too_long,
// or errc::auth_line_too_long for a SASL response line.
//
// Order of errors: the fields in the order they are written (each field's
// control check first), then the line's length, then errc::buffer_too_small.
//
// Verbs, the keywords of typed parameters and mechanism names are written in
// upper case (case-insensitive by RFC 5321 §2.4, but some old servers want
// upper case); extension parameters are written as given.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/sasl_writer.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/path.hpp"
#include "mailwire/smtp/xtext.hpp"

namespace mailwire::smtp {

/// Longest command line other than MAIL and RCPT, CRLF included (RFC 5321
/// §4.5.3.1.4). AUTH with its initial response is held to it too (RFC 4954 §4).
inline constexpr std::size_t max_command_line = 512;
/// Longest MAIL or RCPT line, CRLF included: 512 plus what the extensions add
/// (SIZE, AUTH=, SMTPUTF8, ...: RFC 1870 §3, RFC 4954 §3, RFC 6531 §3.1), the
/// server_parser default.
inline constexpr std::size_t max_address_command_line = 2048;
/// Longest SASL response line, CRLF included (RFC 4954 §4); the same as
/// sasl::max_response_line.
inline constexpr std::size_t max_sasl_response_line = 12288;

/// A mailbox given by its parts, as a client knows it.
struct mailbox_parts {
  /// The local part's content, unquoted: `john doe` or `"quoted"` as the
  /// characters they are; the writer adds quotes and backslashes only when
  /// the content is no Dot-string (RFC 5321 §4.1.2, §2.4).
  std::string_view local_part;
  /// A Domain (LDH labels; U-labels under SMTPUTF8) or an address literal
  /// with its brackets ("[192.0.2.1]", "[IPv6:2001:db8::1]").
  std::string_view domain;
};

/// The null reverse-path "<>" (RFC 5321 §4.5.5: bounces and other
/// notifications), for write_mail().
struct null_path_t {
  explicit constexpr null_path_t() = default;
};
inline constexpr null_path_t null_path{};

/// The special recipient "<Postmaster>" without a domain (RFC 5321 §4.1.1.3,
/// §4.5.1), for write_rcpt().
struct postmaster_t {
  explicit constexpr postmaster_t() = default;
};
inline constexpr postmaster_t postmaster{};

/// One ESMTP parameter given as it goes on the wire: `keyword` or
/// `keyword=value` (RFC 5321 §4.1.2, esmtp-param). An empty value means no
/// "=value" (the grammar has no empty values).
struct extension_parameter {
  std::string_view keyword;
  std::string_view value;
};

/// Up to `capacity` extension parameters, in the order added; stored in the
/// value (no heap), the strings borrowed from the caller.
class extension_list {
 public:
  static constexpr std::size_t capacity = 8;

  /// Appends a parameter; errc::too_many_parameters (and nothing changes)
  /// when the list is full. The keyword and value are borrowed until the
  /// list is written, and are only checked then (see write_mail()).
  constexpr errc add(std::string_view keyword, std::string_view value = {}) noexcept {
    if (size_ == capacity) return errc::too_many_parameters;
    items_[size_++] = {keyword, value};
    return errc{};
  }

  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr const extension_parameter* begin() const noexcept { return items_; }
  constexpr const extension_parameter* end() const noexcept { return items_ + size_; }
  constexpr void clear() noexcept { size_ = 0; }

 private:
  extension_parameter items_[capacity] = {};
  std::size_t size_ = 0;
};

/// ORCPT= as a client gives it (RFC 3461 §4.2): the address unencoded; the
/// writer encodes it as xtext.
struct original_recipient {
  std::string_view addr_type;  ///< an atom without "=", usually "rfc822"
  std::string_view address;    ///< printable US-ASCII (%d32-126), e.g. "jane@example.org"
};

/// The parameters of a MAIL command. Fields that are empty (nullopt, false)
/// are not written; the others are written in the order of the fields, then
/// `extensions` in their order. Views are borrowed until the line is written.
struct mail_parameters {
  std::optional<std::uint64_t> size;  ///< SIZE= declared message size (RFC 1870)
  std::optional<body_type> body;      ///< BODY=7BIT / 8BITMIME / BINARYMIME
  /// SMTPUTF8 (RFC 6531 §3.4); it also lets the reverse-path and extension
  /// values hold UTF-8.
  bool smtputf8 = false;
  bool requiretls = false;  ///< REQUIRETLS (RFC 8689)
  /// AUTH= (RFC 4954 §5): "<>" or a mailbox (local-part@domain, no angle
  /// brackets), unencoded; the writer encodes it as xtext.
  std::optional<std::string_view> auth;
  std::optional<ret_type> ret;  ///< RET=FULL / HDRS (RFC 3461 §4.3)
  /// ENVID= (RFC 3461 §4.4): printable US-ASCII, unencoded; the writer
  /// encodes it as xtext, which may be at most 100 characters.
  std::optional<std::string_view> envid;
  std::optional<int> mt_priority;        ///< MT-PRIORITY= -9..9 (RFC 6710)
  std::optional<deliver_by> by;          ///< BY= (RFC 2852)
  std::optional<std::uint32_t> holdfor;  ///< HOLDFOR= seconds (RFC 4865)
  /// HOLDUNTIL= an RFC 3339 date-time (RFC 4865, erratum 2040).
  std::optional<std::string_view> holduntil;
  /// Other parameters, written as given after the typed ones (see write_mail()).
  extension_list extensions;
};

/// The parameters of a RCPT command; as mail_parameters.
struct rcpt_parameters {
  std::optional<notify_flags> notify;       ///< NOTIFY= (RFC 3461 §4.1)
  std::optional<original_recipient> orcpt;  ///< ORCPT= (RFC 3461 §4.2)
  std::optional<rrvs_value> rrvs;           ///< RRVS= date-time [";C"] (RFC 7293)
  extension_list extensions;                ///< see write_rcpt()
  /// Not a parameter (nothing is written for it): the transaction's MAIL
  /// carried SMTPUTF8 and was accepted (RFC 6531 §3.4), so the forward-path
  /// and extension values may hold UTF-8 (server_parser::set_smtputf8).
  bool transaction_smtputf8 = false;
};

// ---------------------------------------------------------------------------
// Implementation details

namespace detail::command_writer_impl {

using mailwire::detail::append_line;
using mailwire::detail::has_control;
using mailwire::detail::line_probe;
using mailwire::detail::put_decimal;
using mailwire::detail::write_line;

constexpr bool is_ascii(std::string_view s) noexcept {
  for (const char c : s)
    if (!ascii::is_ascii(static_cast<unsigned char>(c))) return false;
  return true;
}

/// The argument of VRFY, EXPN, HELP and NOOP (RFC 5321 §4.1.1.6-9: String,
/// and what servers take beyond it): printable ASCII and SP, plus
/// well-formed UTF-8 (the server decides whether it takes it, RFC 6531
/// §3.7.4); no SP at either end, since the server would drop a trailing one
/// (§4.1.1) and a leading one leaves an empty first word.
constexpr errc check_text_argument(std::string_view arg) noexcept {
  if (has_control(arg)) return errc::invalid_argument;
  if (!arg.empty() && (arg.front() == ' ' || arg.back() == ' ')) return errc::invalid_argument;
  return utf8::is_valid(arg) ? errc{} : errc::invalid_utf8;
}

/// The HELO/EHLO/LHLO argument: a Domain or an address literal, ASCII
/// (RFC 5321 §4.1.1.1, RFC 6531 §3.7.1), IPv6 literals in RFC 5321's own
/// form (is_rfc5321_ipv6).
constexpr errc check_hello_domain(std::string_view domain) noexcept {
  if (domain.empty()) return errc::missing_argument;
  if (has_control(domain)) return errc::invalid_argument;
  if (const errc e = check_domain_or_literal(domain); e != errc{}) return e;
  if (domain[0] == '[') {
    const address_literal lit = parse_address_literal(domain);
    if (lit.kind == domain_kind::ipv6 && !is_rfc5321_ipv6(lit.address))
      return errc::invalid_address_literal;
  }
  return errc{};
}

/// A mailbox's domain: a Domain (U-labels only with `utf8`) or an address
/// literal in RFC 5321's own form. Controls are checked by the caller.
constexpr errc check_mailbox_domain(std::string_view domain, bool utf8) noexcept {
  if (domain.empty()) return errc::invalid_domain;
  if (domain[0] != '[') return check_domain(domain, utf8);
  if (const errc e = check_domain_or_literal(domain); e != errc{}) return e;
  const address_literal lit = parse_address_literal(domain);
  if (lit.kind == domain_kind::ipv6 && !is_rfc5321_ipv6(lit.address))
    return errc::invalid_address_literal;
  return errc{};
}

/// Non-ASCII text in a path: errc::invalid_utf8 unless well formed, and
/// errc::smtputf8_required without `utf8`.
constexpr errc check_path_charset(std::string_view s, bool utf8) noexcept {
  if (is_ascii(s)) return errc{};
  if (!mailwire::utf8::is_valid(s)) return errc::invalid_utf8;
  return utf8 ? errc{} : errc::smtputf8_required;
}

/// The checks of a mailbox given by its parts, in reading order.
inline errc check_mailbox_parts(const mailbox_parts& m, bool utf8) noexcept {
  if (has_control(m.local_part) || has_control(m.domain)) return errc::invalid_argument;
  if (m.local_part.empty()) return errc::invalid_local_part;
  if (const errc e = check_path_charset(m.local_part, utf8); e != errc{}) return e;
  line_probe local;
  if (const errc e = write_local_part(local, m.local_part, utf8); e != errc{}) return e;
  if (const errc e = check_mailbox_domain(m.domain, utf8); e != errc{}) return e;
  // "<" local "@" domain ">"
  if (local.size() + m.domain.size() + 3 > path_limit::path) return errc::path_too_long;
  return errc{};
}

/// The checks of a path from server_parser (or made by hand) that is to be
/// written again: `<>` only for MAIL, `<Postmaster>` only for RCPT, a mailbox
/// whose local part is one Dot-string or Quoted-string. Lengths are those of
/// the path as it will be written (least quoting, no source route).
inline errc check_path(const path& p, bool mail, bool utf8) noexcept {
  if (has_control(p.local_part) || has_control(p.domain)) return errc::invalid_argument;
  switch (p.kind) {
    case path_kind::null: return mail ? errc{} : errc::null_path_not_allowed;
    case path_kind::postmaster:
      if (mail) return errc::invalid_path;
      return ascii::iequals(p.local_part, "Postmaster") ? errc{} : errc::invalid_local_part;
    case path_kind::mailbox: break;
  }
  if (const errc e = check_path_charset(p.local_part, utf8); e != errc{}) return e;
  if (p.local_part.empty() || !smtp::detail::path_impl::local_part_valid(p.local_part))
    return errc::invalid_local_part;
  if (const errc e = check_path_charset(p.domain, utf8); e != errc{}) return e;
  if (const errc e = check_mailbox_domain(p.domain, utf8); e != errc{}) return e;
  line_probe mailbox;
  if (const errc e = write_mailbox(mailbox, p); e != errc{}) return e;
  const std::size_t local_size = mailbox.size() - 1 - p.domain.size();
  if (local_size > path_limit::local_part) return errc::local_part_too_long;
  if (mailbox.size() + 2 > path_limit::path) return errc::path_too_long;
  return errc{};
}

constexpr std::uint16_t bit(parameter_kind k) noexcept {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(k));
}

/// ENVID (RFC 3461 §4.4): non-empty printable US-ASCII whose xtext is at
/// most 100 characters.
constexpr errc check_envid(std::string_view raw) noexcept {
  if (has_control(raw)) return errc::invalid_argument;
  if (raw.empty() || !is_ascii(raw) || xtext::encoded_size(raw) > smtp::detail::envid_max_length)
    return errc::invalid_parameter_value;
  return errc{};
}

/// AUTH= (RFC 4954 §5): "<>" or a Mailbox without angle brackets.
constexpr errc check_auth_mailbox(std::string_view raw) noexcept {
  if (has_control(raw)) return errc::invalid_argument;
  if (raw == "<>") return errc{};
  if (raw.empty() || raw[0] == '<') return errc::invalid_parameter_value;
  path_options o;
  o.allow_missing_brackets = true;
  o.utf8 = true;  // carried as xtext, so the line stays ASCII
  const path_result r = parse_path(raw, o);
  return r.ok() && r.consumed == raw.size() ? errc{} : errc::invalid_parameter_value;
}

/// ORCPT (RFC 3461 §4.2): an atom without "=", then a printable US-ASCII
/// address; the whole parameter ("ORCPT=" type ";" xtext) at most 500
/// characters.
constexpr errc check_orcpt(const original_recipient& o) noexcept {
  if (has_control(o.addr_type) || has_control(o.address)) return errc::invalid_argument;
  if (o.addr_type.empty() || o.address.empty() || !is_ascii(o.address))
    return errc::invalid_parameter_value;
  // atext holds "=", which no esmtp-value may.
  for (const char c : o.addr_type)
    if (c == '=' || !smtp::detail::has_class(c, smtp::detail::cls_atext))
      return errc::invalid_parameter_value;
  // Each part is checked alone first, so the sum below cannot wrap.
  if (o.addr_type.size() > smtp::detail::orcpt_max_length ||
      o.address.size() > smtp::detail::orcpt_max_length ||
      7 + o.addr_type.size() + xtext::encoded_size(o.address) > smtp::detail::orcpt_max_length)
    return errc::invalid_parameter_value;
  return errc{};
}

/// An RFC 3339 date-time (HOLDUNTIL, RRVS).
constexpr errc check_date_time(std::string_view s) noexcept {
  if (has_control(s)) return errc::invalid_argument;
  return smtp::detail::is_date_time(s) ? errc{} : errc::invalid_parameter_value;
}

constexpr std::string_view body_keyword(body_type b) noexcept {
  switch (b) {
    case body_type::seven_bit: return "7BIT";
    case body_type::eight_bit_mime: return "8BITMIME";
    case body_type::binary_mime: return "BINARYMIME";
  }
  return {};
}

constexpr std::string_view ret_keyword(ret_type r) noexcept {
  switch (r) {
    case ret_type::full: return "FULL";
    case ret_type::hdrs: return "HDRS";
  }
  return {};
}

constexpr bool by_valid(const deliver_by& b) noexcept {
  if (b.seconds < -999999999 || b.seconds > 999999999) return false;
  switch (b.mode) {
    case by_mode::notify: return true;
    case by_mode::return_message: return b.seconds > 0;  // RFC 2852 §4
  }
  return false;  // not an enumerator
}

constexpr bool rrvs_mode_valid(rrvs_mode m) noexcept {
  switch (m) {
    case rrvs_mode::reject:
    case rrvs_mode::continue_delivery: return true;
  }
  return false;
}

/// (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
constexpr bool is_esmtp_keyword(std::string_view k) noexcept {
  if (k.empty() || !ascii::is_alnum(static_cast<unsigned char>(k[0]))) return false;
  for (const char c : k)
    if (!ascii::is_alnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

/// esmtp-value = 1*(%d33-60 / %d62-126), =/ UTF8-non-ascii under SMTPUTF8.
constexpr errc check_esmtp_value(std::string_view v, bool utf8) noexcept {
  for (std::size_t i = 0; i < v.size();) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c >= 33 && c <= 126 && c != '=') {
      ++i;
    } else if (c >= 0x80 && utf8) {
      const std::size_t len = mailwire::utf8::detail::sequence_length(v, i);
      if (len == 0) return errc::invalid_utf8;
      i += len;
    } else {
      return errc::invalid_parameter;
    }
  }
  return errc{};
}

/// Does `list` hold `keyword` (case-insensitive)?
constexpr bool lists(const extension_list& list, std::string_view keyword) noexcept {
  for (const extension_parameter& p : list)
    if (ascii::iequals(p.keyword, keyword)) return true;
  return false;
}

/// The checks of the extension parameters of `verb`, in order. `present`
/// holds the known parameters set through typed fields and gets those named
/// here. A known keyword of this verb is allowed when its typed field is
/// empty, and its value must pass its rule (parameter_rules), so a relay can
/// pass a received value on as it came (RFC 3461 §5.2.1); a known keyword of
/// the other verb is refused.
constexpr errc check_extensions(const extension_list& list, parameter_verb verb, bool utf8,
                                std::uint16_t& present) noexcept {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const extension_parameter& p = list.begin()[i];
    if (has_control(p.keyword) || has_control(p.value)) return errc::invalid_argument;
    if (!is_esmtp_keyword(p.keyword)) return errc::invalid_parameter;
    if (const errc e = check_esmtp_value(p.value, utf8); e != errc{}) return e;
    const parameter_kind k = smtp::detail::kind_of(p.keyword);
    if (k == parameter_kind::unknown) {
      for (std::size_t j = 0; j < i; ++j)
        if (ascii::iequals(list.begin()[j].keyword, p.keyword)) return errc::duplicate_parameter;
      continue;
    }
    const parameter_rule& rule = parameter_rules[static_cast<std::size_t>(k)];
    if (rule.verb != verb) return errc::invalid_parameter;
    if ((present & bit(k)) != 0) return errc::duplicate_parameter;
    present = static_cast<std::uint16_t>(present | bit(k));
    parameter q;
    q.keyword = p.keyword;
    q.value = p.value;
    q.has_value = !p.value.empty();
    q.kind = k;
    if (const errc e = rule.check(q); e != errc{}) return e;
  }
  return errc{};
}

/// SMTPUTF8 is on for this MAIL: the typed flag, or the keyword given as an
/// extension.
constexpr bool mail_utf8(const mail_parameters& p) noexcept {
  return p.smtputf8 || lists(p.extensions, "SMTPUTF8");
}

constexpr errc check_mail_parameters(const mail_parameters& p) noexcept {
  std::uint16_t present = 0;
  const auto note = [&present](bool set, parameter_kind k) {
    if (set) present = static_cast<std::uint16_t>(present | bit(k));
  };
  note(p.size.has_value(), parameter_kind::size);
  note(p.body.has_value(), parameter_kind::body);
  note(p.smtputf8, parameter_kind::smtputf8);
  note(p.requiretls, parameter_kind::requiretls);
  note(p.auth.has_value(), parameter_kind::auth);
  note(p.ret.has_value(), parameter_kind::ret);
  note(p.envid.has_value(), parameter_kind::envid);
  note(p.mt_priority.has_value(), parameter_kind::mt_priority);
  note(p.by.has_value(), parameter_kind::by);
  note(p.holdfor.has_value(), parameter_kind::holdfor);
  note(p.holduntil.has_value(), parameter_kind::holduntil);

  if (p.body && body_keyword(*p.body).empty()) return errc::invalid_parameter_value;
  if (p.auth)
    if (const errc e = check_auth_mailbox(*p.auth); e != errc{}) return e;
  if (p.ret && ret_keyword(*p.ret).empty()) return errc::invalid_parameter_value;
  if (p.envid)
    if (const errc e = check_envid(*p.envid); e != errc{}) return e;
  if (p.mt_priority && (*p.mt_priority < -9 || *p.mt_priority > 9))
    return errc::invalid_parameter_value;
  if (p.by && !by_valid(*p.by)) return errc::invalid_parameter_value;
  if (p.holduntil)
    if (const errc e = check_date_time(*p.holduntil); e != errc{}) return e;
  if (const errc e = check_extensions(p.extensions, parameter_verb::mail, mail_utf8(p), present);
      e != errc{})
    return e;
  // RFC 4865 §3: one or the other.
  if ((present & bit(parameter_kind::holdfor)) != 0 &&
      (present & bit(parameter_kind::holduntil)) != 0)
    return errc::conflicting_parameters;
  return errc{};
}

constexpr errc check_rcpt_parameters(const rcpt_parameters& p) noexcept {
  std::uint16_t present = 0;
  if (p.notify) {
    present = static_cast<std::uint16_t>(present | bit(parameter_kind::notify));
    const notify_flags& n = *p.notify;
    const bool any = n.success || n.failure || n.delay;
    if (n.never == any) return errc::invalid_parameter_value;  // NEVER alone, or a list
  }
  if (p.orcpt) {
    present = static_cast<std::uint16_t>(present | bit(parameter_kind::orcpt));
    if (const errc e = check_orcpt(*p.orcpt); e != errc{}) return e;
  }
  if (p.rrvs) {
    present = static_cast<std::uint16_t>(present | bit(parameter_kind::rrvs));
    if (const errc e = check_date_time(p.rrvs->date_time); e != errc{}) return e;
    if (!rrvs_mode_valid(p.rrvs->mode)) return errc::invalid_parameter_value;
  }
  return check_extensions(p.extensions, parameter_verb::rcpt, p.transaction_smtputf8, present);
}

template <class S>
void put_extensions(S& s, const extension_list& list) noexcept(is_nothrow_sink_v<S>) {
  for (const extension_parameter& p : list) {
    s.append(" ");
    s.append(p.keyword);
    if (!p.value.empty()) {
      s.append("=");
      s.append(p.value);
    }
  }
}

/// The MAIL parameters, each after a SP; checked by check_mail_parameters.
template <class S>
errc put_mail_parameters(S& s, const mail_parameters& p) noexcept(is_nothrow_sink_v<S>) {
  if (p.size) {
    s.append(" SIZE=");
    put_decimal(s, *p.size);
  }
  if (p.body) {
    s.append(" BODY=");
    s.append(body_keyword(*p.body));
  }
  if (p.smtputf8) s.append(" SMTPUTF8");
  if (p.requiretls) s.append(" REQUIRETLS");
  if (p.auth) {
    s.append(" AUTH=");
    if (const errc e = xtext::encode(s, *p.auth); e != errc{}) return e;
  }
  if (p.ret) {
    s.append(" RET=");
    s.append(ret_keyword(*p.ret));
  }
  if (p.envid) {
    s.append(" ENVID=");
    if (const errc e = xtext::encode(s, *p.envid); e != errc{}) return e;
  }
  if (p.mt_priority) {
    s.append(" MT-PRIORITY=");
    if (*p.mt_priority < 0) s.append("-");
    put_decimal(s,
                static_cast<std::uint64_t>(*p.mt_priority < 0 ? -*p.mt_priority : *p.mt_priority));
  }
  if (p.by) {
    const deliver_by& b = *p.by;
    s.append(" BY=");
    if (b.seconds < 0) s.append("-");
    const std::int64_t seconds = b.seconds;
    put_decimal(s, static_cast<std::uint64_t>(seconds < 0 ? -seconds : seconds));
    s.append(b.mode == by_mode::return_message ? ";R" : ";N");
    if (b.trace) s.append("T");
  }
  if (p.holdfor) {
    s.append(" HOLDFOR=");
    put_decimal(s, *p.holdfor);
  }
  if (p.holduntil) {
    s.append(" HOLDUNTIL=");
    s.append(*p.holduntil);
  }
  put_extensions(s, p.extensions);
  return errc{};
}

/// The RCPT parameters, each after a SP; checked by check_rcpt_parameters.
template <class S>
errc put_rcpt_parameters(S& s, const rcpt_parameters& p) noexcept(is_nothrow_sink_v<S>) {
  if (p.notify) {
    const notify_flags& n = *p.notify;
    s.append(" NOTIFY=");
    if (n.never) {
      s.append("NEVER");
    } else {
      // RFC 3461 §4.1 lists them in this order.
      const char* separator = "";
      const std::pair<bool, std::string_view> items[] = {
          {n.success, "SUCCESS"}, {n.failure, "FAILURE"}, {n.delay, "DELAY"}};
      for (const auto& item : items) {
        if (!item.first) continue;
        s.append(separator);
        s.append(item.second);
        separator = ",";
      }
    }
  }
  if (p.orcpt) {
    s.append(" ORCPT=");
    s.append(p.orcpt->addr_type);
    s.append(";");
    if (const errc e = xtext::encode(s, p.orcpt->address); e != errc{}) return e;
  }
  if (p.rrvs) {
    s.append(" RRVS=");
    s.append(p.rrvs->date_time);
    // R (reject) is the default (RFC 7293 §3), so only C is spelled out.
    if (p.rrvs->mode == rrvs_mode::continue_delivery) s.append(";C");
  }
  put_extensions(s, p.extensions);
  return errc{};
}

/// "<" local-part "@" domain ">" from parts checked by check_mailbox_parts.
template <class S>
errc put_mailbox_parts(S& s, const mailbox_parts& m, bool utf8) noexcept(is_nothrow_sink_v<S>) {
  s.append("<");
  if (const errc e = write_local_part(s, m.local_part, utf8); e != errc{}) return e;
  s.append("@");
  s.append(m.domain);
  s.append(">");
  return errc{};
}

/// "<" mailbox ">", "<>" or "<Postmaster>" from a path checked by check_path.
template <class S>
errc put_path(S& s, const path& p) noexcept(is_nothrow_sink_v<S>) {
  s.append("<");
  if (const errc e = write_mailbox(s, p); e != errc{}) return e;
  s.append(">");
  return errc{};
}

template <class Sink>
errc write_bare_verb(Sink& sink, std::string_view verb) noexcept(is_nothrow_sink_v<Sink>) {
  return write_line(sink, max_command_line, errc::line_too_long, [verb](auto& s) -> errc {
    s.append(verb);
    return errc{};
  });
}

template <class Sink>
errc write_hello(Sink& sink, std::string_view verb,
                 std::string_view domain) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_hello_domain(domain); e != errc{}) return e;
  return write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append(verb);
    s.append(" ");
    s.append(domain);
    return errc{};
  });
}

/// VERB SP argument, or VERB alone when the argument is optional and empty.
template <class Sink>
errc write_text_command(Sink& sink, std::string_view verb, std::string_view arg,
                        bool required) noexcept(is_nothrow_sink_v<Sink>) {
  if (arg.empty() && required) return errc::missing_argument;
  if (const errc e = check_text_argument(arg); e != errc{}) return e;
  return write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append(verb);
    if (!arg.empty()) {
      s.append(" ");
      s.append(arg);
    }
    return errc{};
  });
}

/// ETRN's argument (RFC 1985 §3): a Domain, "@" and a Domain (the domain and
/// its subdomains), or "#" and a queue name (printable ASCII, no SP).
constexpr errc check_etrn_argument(std::string_view arg) noexcept {
  if (arg.empty()) return errc::missing_argument;
  if (has_control(arg)) return errc::invalid_argument;
  if (arg[0] == '#') {
    if (arg.size() == 1) return errc::invalid_argument;
    for (const char c : arg)
      if (!ascii::is_vchar(static_cast<unsigned char>(c))) return errc::invalid_argument;
    return errc{};
  }
  const std::string_view domain = arg[0] == '@' ? arg.substr(1) : arg;
  if (!is_ascii(domain)) return errc::invalid_domain;
  return check_domain(domain);
}

}  // namespace detail::command_writer_impl

// ---------------------------------------------------------------------------
// Greetings: HELO, EHLO, LHLO

/// Writes "HELO domain\r\n" (RFC 5321 §4.1.1.1). `domain` is the client's
/// Domain or address literal ("[192.0.2.1]"; HELO's ABNF has only Domain,
/// but literals are common and server_parser takes them), ASCII only (RFC
/// 6531 §3.7.1). Errors: errc::missing_argument (empty),
/// errc::invalid_argument (a control octet), errc::invalid_domain,
/// errc::domain_too_long, errc::invalid_address_literal (also an IPv6 "::"
/// standing for a single group, which RFC 5321 does not allow),
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_helo(Sink& sink, std::string_view domain) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_hello(sink, "HELO", domain);
}

/// Writes "EHLO domain\r\n" (RFC 5321 §4.1.1.1); `domain` as for write_helo().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_ehlo(Sink& sink, std::string_view domain) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_hello(sink, "EHLO", domain);
}

/// Writes "LHLO domain\r\n" (LMTP, RFC 2033 §4.1); `domain` as for write_helo().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_lhlo(Sink& sink, std::string_view domain) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_hello(sink, "LHLO", domain);
}

// ---------------------------------------------------------------------------
// The envelope: MAIL and RCPT

/// Writes "MAIL FROM:<local@domain> params\r\n" (RFC 5321 §4.1.1.2), the
/// local part with the least quoting (write_local_part). The path may hold
/// UTF-8 only when params.smtputf8 is set (or SMTPUTF8 is among the
/// extensions).
///
/// Path errors, in reading order: errc::invalid_argument (a control octet in
/// either part), errc::invalid_local_part (empty), errc::invalid_utf8,
/// errc::smtputf8_required (well-formed non-ASCII without SMTPUTF8),
/// errc::local_part_too_long (over 64 octets as written, quotes and
/// backslashes included), then the domain's errors as for check_domain()
/// (Domain) or errc::invalid_address_literal, errc::path_too_long (over 256
/// octets with "<" ">").
///
/// Parameter errors, in the order of the mail_parameters fields:
/// errc::invalid_argument (a control octet in a text value);
/// errc::invalid_parameter_value (an enumerator out of range; AUTH= neither
/// "<>" nor a mailbox; ENVID= empty, not ASCII or over 100 characters as
/// xtext; MT-PRIORITY= outside -9..9; BY= time outside +-999999999 or mode R
/// with a time <= 0; HOLDUNTIL= no RFC 3339 date-time). Then each extension
/// parameter: errc::invalid_argument (control octet), errc::invalid_parameter
/// (keyword not (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), a value octet outside
/// %d33-60 / %d62-126, 8-bit without SMTPUTF8, or a known RCPT keyword),
/// errc::invalid_utf8, errc::duplicate_parameter (a keyword given before,
/// case-insensitively, as an extension or, for a known keyword, as a typed
/// field); a known MAIL keyword is written as given and its value must pass
/// its rule in parameter_rules (errc::invalid_parameter_value,
/// errc::invalid_xtext), which lets a relay pass a value on as received.
/// Then errc::conflicting_parameters for HOLDFOR with HOLDUNTIL, then
/// errc::line_too_long (over max_address_command_line) and
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_mail(Sink& sink, const mailbox_parts& from,
                const mail_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  const bool utf8 = impl::mail_utf8(params);
  if (const errc e = impl::check_mailbox_parts(from, utf8); e != errc{}) return e;
  if (const errc e = impl::check_mail_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("MAIL FROM:");
                            if (const errc e = impl::put_mailbox_parts(s, from, utf8); e != errc{})
                              return e;
                            return impl::put_mail_parameters(s, params);
                          });
}

/// Writes "MAIL FROM:<> params\r\n", the null reverse-path (RFC 5321
/// §4.5.5); parameters and errors as for the mailbox form.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_mail(Sink& sink, null_path_t,
                const mail_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_mail_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("MAIL FROM:<>");
                            return impl::put_mail_parameters(s, params);
                          });
}

/// Writes MAIL with a path as server_parser returns it (a relay passing the
/// reverse-path on): kind null gives "<>", a mailbox is written by
/// write_mailbox() (least quoting, the source route dropped, RFC 5321
/// §4.1.1.3). Path errors: errc::invalid_argument (control octet),
/// errc::invalid_path (kind postmaster), errc::invalid_utf8,
/// errc::smtputf8_required, errc::invalid_local_part (not one Dot-string or
/// Quoted-string), the domain's errors as for the parts form,
/// errc::local_part_too_long and errc::path_too_long (as it will be
/// written); then as for the parts form.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_mail(Sink& sink, const path& from,
                const mail_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_path(from, true, impl::mail_utf8(params)); e != errc{}) return e;
  if (const errc e = impl::check_mail_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("MAIL FROM:");
                            if (const errc e = impl::put_path(s, from); e != errc{}) return e;
                            return impl::put_mail_parameters(s, params);
                          });
}

/// Writes "RCPT TO:<local@domain> params\r\n" (RFC 5321 §4.1.1.3). The path
/// may hold UTF-8 only with params.transaction_smtputf8. Errors as for
/// write_mail(): the path, then the rcpt_parameters fields in order
/// (errc::invalid_argument for a control octet; errc::invalid_parameter_value
/// for NOTIFY= with no flag or NEVER with another, ORCPT= whose addr-type is
/// no atom or holds "=" (which no esmtp-value may), whose address is empty or
/// not printable ASCII, or whose parameter is over 500 characters as written,
/// RRVS= without an RFC 3339 date-time or with a mode out of range), then the
/// extensions with the RCPT keywords in place of the MAIL ones, then
/// errc::line_too_long and errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_rcpt(Sink& sink, const mailbox_parts& to,
                const rcpt_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  const bool utf8 = params.transaction_smtputf8;
  if (const errc e = impl::check_mailbox_parts(to, utf8); e != errc{}) return e;
  if (const errc e = impl::check_rcpt_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("RCPT TO:");
                            if (const errc e = impl::put_mailbox_parts(s, to, utf8); e != errc{})
                              return e;
                            return impl::put_rcpt_parameters(s, params);
                          });
}

/// Writes "RCPT TO:<Postmaster> params\r\n" (RFC 5321 §4.1.1.3: every server
/// takes it without a domain, §4.5.1).
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_rcpt(Sink& sink, postmaster_t,
                const rcpt_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_rcpt_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("RCPT TO:<Postmaster>");
                            return impl::put_rcpt_parameters(s, params);
                          });
}

/// Writes RCPT with a path as server_parser returns it (a relay passing the
/// forward-path on): a mailbox as in the path form of write_mail(), kind
/// postmaster as "<" its local part as received ">" (errc::invalid_local_part
/// unless that is "Postmaster" in some case). Kind null is
/// errc::null_path_not_allowed; other errors as write_mail().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_rcpt(Sink& sink, const path& to,
                const rcpt_parameters& params = {}) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_path(to, false, params.transaction_smtputf8); e != errc{})
    return e;
  if (const errc e = impl::check_rcpt_parameters(params); e != errc{}) return e;
  return impl::write_line(sink, max_address_command_line, errc::line_too_long,
                          [&](auto& s) -> errc {
                            s.append("RCPT TO:");
                            if (const errc e = impl::put_path(s, to); e != errc{}) return e;
                            return impl::put_rcpt_parameters(s, params);
                          });
}

// ---------------------------------------------------------------------------
// Message data and the commands without arguments

/// Writes "DATA\r\n" (RFC 5321 §4.1.1.4); send the body (dot/encoder.hpp)
/// only after the 354 reply. Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_data(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, "DATA");
}

/// Writes "BDAT size\r\n", or "BDAT size LAST\r\n" when `last` (RFC 3030
/// §2); exactly `size` octets of the message must follow. Errors:
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_bdat(Sink& sink, std::uint64_t size,
                bool last = false) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("BDAT ");
    impl::put_decimal(s, size);
    if (last) s.append(" LAST");
    return errc{};
  });
}

/// Writes "RSET\r\n" (RFC 5321 §4.1.1.5). Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_rset(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, "RSET");
}

/// Writes "QUIT\r\n" (RFC 5321 §4.1.1.10). Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_quit(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, "QUIT");
}

/// Writes "STARTTLS\r\n" (RFC 3207 §4). Send nothing after it before the
/// handshake. Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_starttls(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_bare_verb(sink, "STARTTLS");
}

// ---------------------------------------------------------------------------
// Commands with a text argument

/// Writes "VRFY argument\r\n" (RFC 5321 §4.1.1.6): a user name or mailbox,
/// as the caller wants it seen. The argument is printable ASCII and SP, or
/// well-formed UTF-8 (only for a server that takes it, RFC 6531 §3.7.4), with
/// no SP at either end. Errors: errc::missing_argument (empty),
/// errc::invalid_argument (a control octet, SP at either end),
/// errc::invalid_utf8, errc::line_too_long (over 512 octets),
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_vrfy(Sink& sink, std::string_view argument) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_text_command(sink, "VRFY", argument, true);
}

/// Writes "EXPN argument\r\n" (RFC 5321 §4.1.1.7); as write_vrfy().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_expn(Sink& sink, std::string_view argument) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_text_command(sink, "EXPN", argument, true);
}

/// Writes "HELP argument\r\n", or "HELP\r\n" for an empty argument (RFC 5321
/// §4.1.1.8); otherwise as write_vrfy().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_help(Sink& sink, std::string_view argument = {}) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_text_command(sink, "HELP", argument, false);
}

/// Writes "NOOP argument\r\n", or "NOOP\r\n" for an empty argument (RFC 5321
/// §4.1.1.9: the server ignores it); otherwise as write_vrfy().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_noop(Sink& sink, std::string_view argument = {}) noexcept(is_nothrow_sink_v<Sink>) {
  return detail::command_writer_impl::write_text_command(sink, "NOOP", argument, false);
}

/// Writes "ETRN argument\r\n" (RFC 1985 §3): `argument` is a Domain,
/// "@" and a Domain (that domain and its subdomains), or "#" and a queue name
/// (printable ASCII without SP). Errors: errc::missing_argument (empty),
/// errc::invalid_argument (a control octet, an empty or bad queue name),
/// errc::invalid_domain, errc::domain_too_long, errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_etrn(Sink& sink, std::string_view argument) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::command_writer_impl;
  if (const errc e = impl::check_etrn_argument(argument); e != errc{}) return e;
  return impl::write_line(sink, max_command_line, errc::line_too_long, [&](auto& s) -> errc {
    s.append("ETRN ");
    s.append(argument);
    return errc{};
  });
}

// ---------------------------------------------------------------------------
// AUTH (RFC 4954) and SASL responses

/// Whether "AUTH mechanism initial-response" fits in max_command_line for an
/// initial response of `raw_size` octets before base64 (RFC 4954 §4: if it
/// does not, the client MUST NOT send it with AUTH; send AUTH without it
/// and the response after the server's empty 334 challenge).
constexpr bool auth_initial_response_fits(std::string_view mechanism,
                                          std::size_t raw_size) noexcept {
  return mailwire::detail::auth_initial_response_fits(mechanism, raw_size, max_command_line);
}

/// Writes "AUTH MECHANISM\r\n" (RFC 4954 §4), the mechanism name upper-cased.
/// Errors: errc::missing_argument (empty), errc::invalid_argument (a control
/// octet), errc::invalid_mechanism (not 1-20 of A-Z a-z 0-9 "-" "_",
/// RFC 4422 §3.1), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth(Sink& sink, std::string_view mechanism) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_mechanism(sink, max_command_line, mechanism);
}

/// Writes "AUTH MECHANISM initial-response\r\n" (RFC 4954 §4) with the raw
/// initial response base64-encoded by the writer; an empty response is sent
/// as "=". `initial_response` may hold any octets (PLAIN's NULs too).
/// Errors: as write_auth(sink, mechanism), then errc::line_too_long when the
/// line would exceed 512 octets (see auth_initial_response_fits()), then
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth(Sink& sink, std::string_view mechanism,
                std::string_view initial_response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_raw(sink, max_command_line, mechanism, initial_response);
}

/// Writes "AUTH MECHANISM initial-response\r\n" with an initial response that
/// is already base64 text (e.g. from sasl::write_plain into a buffer); empty
/// text is the empty response, sent as "=". Errors: as write_auth(sink,
/// mechanism), then errc::invalid_argument (a control octet in the text),
/// errc::invalid_base64 (not strict base64, base64::validate),
/// errc::line_too_long, errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_auth_base64(Sink& sink, std::string_view mechanism,
                       std::string_view initial_response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_auth_encoded(sink, max_command_line, mechanism, initial_response);
}

/// Writes one SASL response line (RFC 4954 §4), the answer to a 334
/// challenge: base64 of the raw `response`, then CRLF; an empty response is
/// an empty line. `response` may hold any octets. Errors:
/// errc::auth_line_too_long (over max_sasl_response_line octets with CRLF,
/// i.e. more than 9213 raw octets), errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_response(Sink& sink, std::string_view response) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_raw(sink, max_sasl_response_line, response);
}

/// Writes one SASL response line whose base64 text the caller already has
/// (e.g. from sasl.hpp's writers); empty text is an empty line. Errors:
/// errc::invalid_argument (a control octet), errc::invalid_base64 (not strict
/// base64; "=" and "*" are not responses), errc::auth_line_too_long,
/// errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_response_base64(Sink& sink,
                                std::string_view encoded) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_encoded(sink, max_sasl_response_line, encoded);
}

/// Writes "*\r\n", which cancels the exchange (RFC 4954 §4; the server
/// answers 501). Errors: errc::buffer_too_small.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_sasl_cancel(Sink& sink) noexcept(is_nothrow_sink_v<Sink>) {
  return mailwire::detail::write_sasl_encoded(sink, max_sasl_response_line, "*", true);
}

}  // namespace mailwire::smtp
