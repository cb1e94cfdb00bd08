#pragma once
// Error codes shared by every mailwire parser and writer.
//
// Errors are values. Events carry a one-byte `errc`; `describe()`, `name()` and
// `suggested_reply()` are constexpr and allocation-free, so a server can turn any
// error into the reply it should send in one call. `make_error_code()` exists
// for interop with code that speaks std::error_code.

#include <cstdint>
#include <string_view>
#include <system_error>

namespace mailwire {

/// Every error mailwire reports. Values start at 1 so that a value-initialised
/// `errc` (0) means "no error".
enum class errc : std::uint8_t {
  // Serializers
  buffer_too_small = 1,   ///< output sink too small; nothing was written
  invalid_argument,       ///< a writer was given a value the grammar forbids

  // Line framing (commands, replies)
  line_too_long,          ///< line longer than the configured limit
  bare_cr,                ///< CR not followed by LF inside a line
  bare_lf,                ///< LF not preceded by CR (strict CRLF framing)
  nul_in_line,            ///< NUL octet inside a line
  unexpected_eof,         ///< the peer closed in the middle of an element

  // Dot-stuffed bodies (flags reported with the end of the body)
  body_bare_cr,           ///< bare CR in message content
  body_bare_lf,           ///< bare LF in message content
  body_nul,               ///< NUL octet in message content
  body_line_too_long,     ///< content line over the configured limit (1000)
  message_too_large,      ///< decoded body over the configured maximum size

  // Encodings
  invalid_base64,         ///< not canonical RFC 4648 base64

  // Transport barriers
  data_after_starttls,    ///< bytes buffered behind STARTTLS/STLS (discarded)
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
    {"buffer_too_small", "output buffer too small; nothing was written",
     {451, "4.3.0", "Local error: output buffer too small"}},
    {"invalid_argument", "value not allowed by the protocol grammar",
     {501, "5.5.4", "Invalid argument"}},
    {"line_too_long", "line longer than the configured limit",
     {500, "5.5.6", "Line too long"}},
    {"bare_cr", "CR not followed by LF inside a line",
     {500, "5.5.2", "Bare CR not allowed"}},
    {"bare_lf", "LF not preceded by CR",
     {500, "5.5.2", "Bare LF not allowed"}},
    {"nul_in_line", "NUL octet inside a line",
     {500, "5.5.2", "NUL octet not allowed"}},
    {"unexpected_eof", "connection closed in the middle of an element",
     {451, "4.4.2", "Connection closed unexpectedly"}},
    {"body_bare_cr", "bare CR in message content",
     {550, "5.5.2", "Bare CR in message content"}},
    {"body_bare_lf", "bare LF in message content",
     {550, "5.5.2", "Bare LF in message content"}},
    {"body_nul", "NUL octet in message content",
     {550, "5.6.0", "NUL octet in message content"}},
    {"body_line_too_long", "message content line longer than the limit",
     {550, "5.6.0", "Message line too long"}},
    {"message_too_large", "message larger than the configured maximum",
     {552, "5.3.4", "Message size exceeds fixed maximum message size"}},
    {"invalid_base64", "invalid base64 encoding",
     {501, "5.5.2", "Invalid base64 data"}},
    {"data_after_starttls", "data received after STARTTLS before the TLS handshake",
     {554, "5.5.1", "Data after STARTTLS discarded"}},
};

constexpr std::size_t errc_count = sizeof(errc_table) / sizeof(errc_table[0]);

constexpr const errc_info& info(errc e) noexcept {
  auto i = static_cast<std::size_t>(e);
  return errc_table[i < errc_count ? i : 0];
}
}  // namespace detail

/// The enumerator's name, e.g. "bare_lf" (used by traces and logs).
constexpr std::string_view name(errc e) noexcept { return detail::info(e).name; }

/// One-line human description.
constexpr std::string_view describe(errc e) noexcept {
  return detail::info(e).description;
}

/// The reply a server should send when it rejects input for this reason.
constexpr reply_hint suggested_reply(errc e) noexcept {
  return detail::info(e).reply;
}

/// std::error_category for interop; its name is "mailwire".
class error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mailwire"; }
  std::string message(int ev) const override {
    return std::string(describe(static_cast<errc>(ev)));
  }
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
