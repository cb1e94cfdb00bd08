#pragma once
// Error codes shared by every mailwire parser and writer.
//
// Errors are values. Events carry a one-byte `errc`; `describe()`, `name()` and
// `suggested_reply()` are constexpr and allocation-free, so a server can turn any
// error into the reply it should send in one call. A value that is no
// enumerator (say, a byte cast to errc) reads as "unknown", never as "no
// error". `make_error_code()` exists for interop with code that speaks
// std::error_code.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace mailwire {

/// Every error mailwire reports. Values start at 1 so that a value-initialised
/// `errc` (0) means "no error". A function's `errc` result may not be ignored
/// (the compiler warns): a writer that refused a field wrote nothing, and a
/// server that does not look would send no reply at all. `(void)` says that
/// ignoring it is meant.
enum class [[nodiscard]] errc : std::uint8_t {
  // Serializers
  buffer_too_small = 1,  ///< output sink too small; nothing was written
  invalid_argument,      ///< a writer was given a value the grammar forbids

  // Line framing (commands, replies)
  line_too_long,   ///< line longer than the configured limit
  bare_cr,         ///< CR not followed by LF inside a line
  bare_lf,         ///< LF not preceded by CR (strict CRLF framing)
  nul_in_line,     ///< NUL octet inside a line
  unexpected_eof,  ///< the peer closed in the middle of an element

  // Dot-stuffed bodies (flags reported with the end of the body)
  body_bare_cr,        ///< bare CR in message content
  body_bare_lf,        ///< bare LF in message content
  body_nul,            ///< NUL octet in message content
  body_line_too_long,  ///< content line over the configured limit (1000)
  message_too_large,   ///< decoded body over the configured maximum size

  // Encodings
  invalid_base64,  ///< not canonical RFC 4648 base64

  // Transport barriers
  data_after_starttls,  ///< bytes buffered behind STARTTLS/STLS (discarded)

  // SMTP commands (RFC 5321 §4.1)
  unknown_command,          ///< verb not recognised
  invalid_syntax,           ///< command line does not match the verb's grammar
  missing_argument,         ///< the verb needs an argument (HELO, VRFY, AUTH, ...)
  unexpected_argument,      ///< the verb takes none (DATA, RSET, QUIT, STARTTLS)
  invalid_domain,           ///< not a valid domain name (RFC 5321 §4.1.2)
  invalid_address_literal,  ///< bad [IPv4], [IPv6:...] or [tag:...] literal (§4.1.3)
  invalid_local_part,       ///< bad dot-string or quoted local part
  invalid_path,             ///< bad <path>: brackets, source route, structure
  null_path_not_allowed,    ///< <> where only a mailbox may stand (RCPT)
  local_part_too_long,      ///< local part over 64 octets (§4.5.3.1.1)
  domain_too_long,          ///< domain over 255 octets (§4.5.3.1.2)
  path_too_long,            ///< path over 256 octets (§4.5.3.1.3)
  invalid_utf8,             ///< malformed UTF-8 (RFC 3629)
  smtputf8_required,        ///< non-ASCII address without SMTPUTF8 (RFC 6531)
  invalid_parameter,        ///< ESMTP parameter syntax (keyword, value, "=")
  duplicate_parameter,      ///< the same ESMTP parameter twice
  invalid_parameter_value,  ///< a known parameter's value is invalid
  conflicting_parameters,   ///< parameters that exclude each other (HOLDFOR+HOLDUNTIL)
  too_many_parameters,      ///< more ESMTP parameters than the parser accepts
  invalid_xtext,            ///< bad xtext ("+" without two hex digits, ...) (RFC 3461 §4)
  invalid_chunk_size,       ///< BDAT size unparseable or too big: fatal (RFC 3030)
  invalid_mechanism,        ///< SASL mechanism name (RFC 4422 §3.1)
  auth_line_too_long,       ///< SASL response line over the limit (RFC 4954 §4)

  // SMTP replies (RFC 5321 §4.2, RFC 3463 §2), read by a client
  invalid_reply_code,       ///< not three digits 2-5, 0-5, 0-9 at the start of a reply line
  invalid_reply_separator,  ///< reply code not followed by SP, "-" or the line end
  reply_code_mismatch,      ///< lines of one reply carry different codes (§4.2.1)
  enhanced_code_mismatch,   ///< enhanced status class differs from the reply's first digit
  control_in_reply,         ///< control octet other than HT in reply text
  too_many_reply_lines,     ///< reply with more lines than the configured limit
  reply_too_long,           ///< reply with more octets than the configured limit

  // POP3 commands (RFC 1939, RFC 6856), read by a server
  invalid_message_number,  ///< msg not 1*DIGIT in 1..2^32-1 (RFC 1939 §5)
  invalid_line_count,      ///< TOP's line count not 1*DIGIT up to 2^32-1 (RFC 1939 §7)
  invalid_digest,          ///< APOP digest not 32 hex digits (RFC 1939 §7)
  invalid_language_range,  ///< LANG argument no language range (RFC 6856 §3)

  // POP3 responses (RFC 1939 §3, §5, §7), read by a client
  invalid_status,        ///< status line not "+OK" or "-ERR" followed by SP or its end
  unexpected_response,   ///< a response with no command waiting for one
  queue_full,            ///< more commands in flight than the expected-response queue holds
  invalid_listing,       ///< drop, scan or unique-id listing not "msg SP size|uid"
  invalid_message_size,  ///< message or maildrop size not 1*DIGIT up to 2^64-1
  invalid_uid,           ///< unique-id not 1-70 octets of %x21-7E (RFC 1939 §7)
};

/// The reply a server should send for an error: code plus RFC 3463 enhanced
/// status code (empty where none applies) and a short text.
struct reply_hint {
  std::uint16_t code;
  std::string_view enhanced;
  std::string_view text;
};

namespace detail {
struct errc_info {
  std::string_view name;
  std::string_view description;
  reply_hint reply;
};

constexpr errc_info errc_table[] = {
    {"none", "no error", {250, "2.0.0", "OK"}},
    {"buffer_too_small",
     "output buffer too small; nothing was written",
     {451, "4.3.0", "Local error: output buffer too small"}},
    {"invalid_argument",
     "value not allowed by the protocol grammar",
     {501, "5.5.4", "Invalid argument"}},
    {"line_too_long", "line longer than the configured limit", {500, "5.5.0", "Line too long"}},
    {"bare_cr", "CR not followed by LF inside a line", {500, "5.5.2", "Bare CR not allowed"}},
    {"bare_lf", "LF not preceded by CR", {500, "5.5.2", "Bare LF not allowed"}},
    {"nul_in_line", "NUL octet inside a line", {500, "5.5.2", "NUL octet not allowed"}},
    {"unexpected_eof",
     "connection closed in the middle of an element",
     {451, "4.4.2", "Connection closed unexpectedly"}},
    {"body_bare_cr", "bare CR in message content", {550, "5.5.2", "Bare CR in message content"}},
    {"body_bare_lf", "bare LF in message content", {550, "5.5.2", "Bare LF in message content"}},
    {"body_nul", "NUL octet in message content", {550, "5.6.0", "NUL octet in message content"}},
    {"body_line_too_long",
     "message content line longer than the limit",
     {550, "5.6.0", "Message line too long"}},
    {"message_too_large",
     "message larger than the configured maximum",
     {552, "5.3.4", "Message size exceeds fixed maximum message size"}},
    {"invalid_base64", "invalid base64 encoding", {501, "5.5.2", "Invalid base64 data"}},
    {"data_after_starttls",
     "data received after STARTTLS before the TLS handshake",
     {554, "5.5.1", "Data after STARTTLS discarded"}},
    {"unknown_command", "command not recognized", {500, "5.5.1", "Command not recognized"}},
    {"invalid_syntax", "command syntax error", {501, "5.5.2", "Syntax error"}},
    {"missing_argument", "command requires an argument", {501, "5.5.4", "Argument required"}},
    {"unexpected_argument", "command takes no argument", {501, "5.5.4", "No argument allowed"}},
    {"invalid_domain", "invalid domain name", {501, "5.1.2", "Invalid domain name"}},
    {"invalid_address_literal",
     "invalid address literal",
     {501, "5.1.2", "Invalid address literal"}},
    {"invalid_local_part",
     "invalid local part of an address",
     {501, "5.1.3", "Invalid local part"}},
    {"invalid_path", "invalid address syntax", {501, "5.1.3", "Bad address syntax"}},
    {"null_path_not_allowed",
     "null path not allowed here",
     {501, "5.1.3", "Null path not allowed here"}},
    {"local_part_too_long",
     "local part longer than 64 octets",
     {501, "5.1.3", "Local part too long"}},
    {"domain_too_long", "domain longer than 255 octets", {501, "5.1.2", "Domain too long"}},
    {"path_too_long", "path longer than 256 octets", {501, "5.1.3", "Path too long"}},
    {"invalid_utf8", "malformed UTF-8", {501, "5.5.2", "Invalid UTF-8"}},
    {"smtputf8_required",
     "non-ASCII address without SMTPUTF8",
     {553, "5.6.7", "Non-ASCII address requires SMTPUTF8"}},
    {"invalid_parameter",
     "invalid ESMTP parameter syntax",
     {501, "5.5.4", "Invalid parameter syntax"}},
    {"duplicate_parameter", "ESMTP parameter given twice", {501, "5.5.4", "Duplicate parameter"}},
    {"invalid_parameter_value",
     "invalid ESMTP parameter value",
     {501, "5.5.4", "Invalid parameter value"}},
    {"conflicting_parameters",
     "ESMTP parameters that exclude each other",
     {501, "5.5.4", "Conflicting parameters"}},
    {"too_many_parameters", "too many ESMTP parameters", {501, "5.5.4", "Too many parameters"}},
    {"invalid_xtext", "invalid xtext encoding", {501, "5.5.4", "Invalid xtext encoding"}},
    {"invalid_chunk_size",
     "BDAT chunk size unparseable or too large; the stream cannot be followed",
     {421, "4.5.4", "Invalid BDAT chunk size, closing connection"}},
    {"invalid_mechanism", "invalid SASL mechanism name", {501, "5.5.4", "Invalid mechanism name"}},
    {"auth_line_too_long",
     "authentication line longer than the limit",
     {500, "5.5.6", "Authentication exchange line too long"}},
    // A client has no one to reply to; these rows are what a relay tells its
    // own client when the next hop answered with a broken reply (RFC 3463
    // X.5.0: other or undefined protocol status).
    {"invalid_reply_code",
     "reply line does not start with a valid reply code",
     {451, "4.5.0", "Invalid reply code from remote server"}},
    {"invalid_reply_separator",
     "reply code not followed by SP, '-' or the line end",
     {451, "4.5.0", "Malformed reply line from remote server"}},
    {"reply_code_mismatch",
     "lines of one reply carry different reply codes",
     {451, "4.5.0", "Inconsistent multi-line reply from remote server"}},
    {"enhanced_code_mismatch",
     "enhanced status code class differs from the reply code",
     {451, "4.5.0", "Inconsistent enhanced status code from remote server"}},
    {"control_in_reply",
     "control octet in reply text",
     {451, "4.5.0", "Control octet in reply from remote server"}},
    {"too_many_reply_lines",
     "reply has more lines than the limit",
     {451, "4.5.0", "Reply from remote server has too many lines"}},
    {"reply_too_long",
     "reply longer than the limit",
     {451, "4.5.0", "Reply from remote server too long"}},
    // POP3 answers "-ERR text" (pop3::reply_text()); the SMTP replies below
    // are for a gateway that reports a POP3 failure over SMTP.
    {"invalid_message_number",
     "message number not a decimal number in 1..4294967295",
     {501, "5.5.4", "Invalid message number"}},
    {"invalid_line_count",
     "line count not a decimal number up to 4294967295",
     {501, "5.5.4", "Invalid line count"}},
    {"invalid_digest", "APOP digest not 32 hexadecimal digits", {501, "5.5.4", "Invalid digest"}},
    {"invalid_language_range", "invalid language range", {501, "5.5.4", "Invalid language range"}},
    {"invalid_status",
     "response does not start with +OK or -ERR",
     {451, "4.5.0", "Invalid status from remote server"}},
    {"unexpected_response",
     "response with no command waiting for one",
     {451, "4.5.0", "Unexpected response from remote server"}},
    {"queue_full",
     "more commands in flight than the response queue holds",
     {451, "4.3.0", "Local error: too many commands in flight"}},
    {"invalid_listing",
     "listing not a message number and a size or unique-id",
     {451, "4.5.0", "Malformed listing from remote server"}},
    {"invalid_message_size",
     "message size not a decimal number up to 18446744073709551615",
     {451, "4.5.0", "Invalid message size from remote server"}},
    {"invalid_uid",
     "unique-id not 1-70 printable ASCII octets",
     {451, "4.5.0", "Invalid unique-id from remote server"}},
};

// One row per enumerator, indexed by value (row 0 is the value-initialised
// errc{}, "no error").
constexpr std::size_t errc_count = sizeof(errc_table) / sizeof(errc_table[0]);

// Adding an enumerator? Add its row to errc_table at the same position, and if
// it is the new last enumerator, name it here instead of invalid_uid.
static_assert(errc_count == static_cast<std::size_t>(errc::invalid_uid) + 1,
              "errc_table needs exactly one row per errc value (plus row 0)");
static_assert(errc_table[errc_count - 1].name == "invalid_uid",
              "the last row of errc_table must describe the last enumerator");

/// The row for values that are no enumerator (e.g. a byte from the wire cast to
/// errc, or an int handed to error_category::message()).
constexpr errc_info errc_unknown = {
    "unknown", "unknown mailwire error", {451, "4.3.0", "Local error"}};

constexpr const errc_info& info(errc e) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < errc_count ? errc_table[i] : errc_unknown;
}

/// Row for an int from std::error_code; out-of-range ints never become an errc.
constexpr const errc_info& info(int ev) noexcept {
  return ev >= 0 && static_cast<std::size_t>(ev) < errc_count
             ? errc_table[static_cast<std::size_t>(ev)]
             : errc_unknown;
}

// Self-checks of the replies against RFC 5321 §4.2 and RFC 3463 §2.
constexpr bool is_decimal_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Reply code "x y z": x in 2-5, y in 0-5, z any digit (RFC 5321 §4.2).
constexpr bool reply_code_valid(std::uint16_t code) noexcept {
  return code >= 200 && code <= 599 && (code / 10) % 10 <= 5;
}

/// Enhanced status code `class "." subject "." detail` (RFC 3463 §2): class 2,
/// 4 or 5 and equal to the first digit of the reply code; subject and detail
/// 1-3 digits without leading zeros. Empty means "none applies".
constexpr bool enhanced_matches(std::string_view enhanced, std::uint16_t code) noexcept {
  if (enhanced.empty()) return true;
  const char cls = enhanced[0];
  if (enhanced.size() < 5 || (cls != '2' && cls != '4' && cls != '5') || cls - '0' != code / 100 ||
      enhanced[1] != '.')
    return false;
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < enhanced.size() && is_decimal_digit(enhanced[i])) ++i;
    if (i == start || i - start > 3 || (i - start > 1 && enhanced[start] == '0')) return false;
    if (part == 0) {
      if (i == enhanced.size() || enhanced[i] != '.') return false;
      ++i;
    }
  }
  return i == enhanced.size();
}

/// A reply for an error: 4xx or 5xx, a matching enhanced class, some text.
constexpr bool error_reply_valid(const reply_hint& r) noexcept {
  return reply_code_valid(r.code) && (r.code / 100 == 4 || r.code / 100 == 5) &&
         enhanced_matches(r.enhanced, r.code) && !r.text.empty();
}

constexpr bool error_replies_valid() noexcept {
  const reply_hint& ok = errc_table[0].reply;
  if (!reply_code_valid(ok.code) || ok.code / 100 != 2 || !enhanced_matches(ok.enhanced, ok.code))
    return false;
  for (std::size_t i = 1; i < errc_count; ++i)
    if (!error_reply_valid(errc_table[i].reply)) return false;
  return error_reply_valid(errc_unknown.reply);
}
static_assert(error_replies_valid(),
              "every error reply must be 4xx/5xx with an enhanced code of the same class");

}  // namespace detail

/// The enumerator's name, e.g. "bare_lf" (used by traces and logs); "none" for
/// errc{} and "unknown" for values that are no enumerator.
constexpr std::string_view name(errc e) noexcept { return detail::info(e).name; }

/// One-line human description.
constexpr std::string_view describe(errc e) noexcept { return detail::info(e).description; }

/// The reply a server should send when it rejects input for this reason
/// (451 4.3.0 for unknown values).
constexpr reply_hint suggested_reply(errc e) noexcept { return detail::info(e).reply; }

/// std::error_category for interop; its name is "mailwire".
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mailwire"; }
  std::string message(int ev) const override { return std::string(detail::info(ev).description); }
};

inline const std::error_category& error_category() noexcept {
  static const error_category_impl instance;
  return instance;
}

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace mailwire

namespace std {
template <>
struct is_error_code_enum<mailwire::errc> : true_type {};
}  // namespace std
