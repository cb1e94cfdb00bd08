#pragma once
// The SASL lines a client writes, the same in SMTP AUTH (RFC 4954 §4) and
// POP3 AUTH (RFC 5034 §4) but for the command line limit: "AUTH mechanism
// [initial-response]", base64 response lines and the "*" cancel. Internal:
// smtp/command_writer.hpp and pop3/command_writer.hpp give the public
// functions with their protocol's limits.

#include <cstddef>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/line_writer.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/sasl_mechanism.hpp"

namespace mailwire::detail {

/// A SASL mechanism name: required, no control octet, then sasl-mech
/// (RFC 4422 §3.1).
constexpr errc check_mechanism(std::string_view mechanism) noexcept {
  if (mechanism.empty()) return errc::missing_argument;
  if (has_control(mechanism)) return errc::invalid_argument;
  return is_sasl_mechanism_name(mechanism) ? errc{} : errc::invalid_mechanism;
}

/// The mechanism name in upper case (mech-char is upper case, RFC 4422
/// §3.1); at most 20 octets, which check_mechanism() ensures.
template <class S>
void put_mechanism(S& s, std::string_view mechanism) noexcept(is_nothrow_sink_v<S>) {
  char upper[20] = {};
  const std::size_t n = mechanism.size() < sizeof upper ? mechanism.size() : sizeof upper;
  for (std::size_t i = 0; i < n; ++i) upper[i] = ascii::to_upper(mechanism[i]);
  s.append({upper, n});
}

/// Base64 text given by the caller: controls first (so an injection attempt
/// is always invalid_argument), then strict base64.
constexpr errc check_base64_text(std::string_view text) noexcept {
  if (has_control(text)) return errc::invalid_argument;
  return base64::validate(text);
}

/// Whether "AUTH mechanism initial-response" CRLF fits in `limit` octets for
/// an initial response of `raw_size` octets before base64 ("=" when empty).
constexpr bool auth_initial_response_fits(std::string_view mechanism, std::size_t raw_size,
                                          std::size_t limit) noexcept {
  const std::size_t encoded = raw_size == 0 ? 1 : base64::encoded_size(raw_size);
  // The sizes are checked first so the sum cannot wrap.
  return mechanism.size() <= limit && encoded <= limit &&
         5 + mechanism.size() + 1 + encoded + 2 <= limit;
}

/// "AUTH MECHANISM": one line of at most `limit` octets, all or nothing.
template <class Sink>
errc write_auth_mechanism(Sink& sink, std::size_t limit,
                          std::string_view mechanism) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_mechanism(mechanism); e != errc{}) return e;
  return write_line(sink, limit, errc::line_too_long, [&](auto& s) -> errc {
    s.append("AUTH ");
    put_mechanism(s, mechanism);
    return errc{};
  });
}

/// "AUTH MECHANISM " and what `initial` appends, the mechanism checked.
template <class Sink, class Initial>
errc write_auth_with(Sink& sink, std::size_t limit, std::string_view mechanism,
                     const Initial& initial) noexcept(is_nothrow_sink_v<Sink>) {
  return write_line(sink, limit, errc::line_too_long, [&](auto& s) -> errc {
    s.append("AUTH ");
    put_mechanism(s, mechanism);
    s.append(" ");
    return initial(s);
  });
}

/// "AUTH MECHANISM base64(raw)", "=" for an empty response.
template <class Sink>
errc write_auth_raw(Sink& sink, std::size_t limit, std::string_view mechanism,
                    std::string_view raw) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_mechanism(mechanism); e != errc{}) return e;
  if (!auth_initial_response_fits(mechanism, raw.size(), limit)) return errc::line_too_long;
  const auto initial = [raw](auto& s) -> errc {
    if (raw.empty()) {
      s.append("=");
      return errc{};
    }
    return base64::encode(raw, s).error;
  };
  return write_auth_with(sink, limit, mechanism, initial);
}

/// "AUTH MECHANISM text" with base64 text the caller has, "=" when empty.
template <class Sink>
errc write_auth_encoded(Sink& sink, std::size_t limit, std::string_view mechanism,
                        std::string_view encoded) noexcept(is_nothrow_sink_v<Sink>) {
  if (const errc e = check_mechanism(mechanism); e != errc{}) return e;
  if (const errc e = check_base64_text(encoded); e != errc{}) return e;
  const auto initial = [encoded](auto& s) -> errc {
    s.append(encoded.empty() ? std::string_view("=") : encoded);
    return errc{};
  };
  return write_auth_with(sink, limit, mechanism, initial);
}

/// A response line: base64 of `raw` (an empty line for an empty response),
/// at most `limit` octets with CRLF (errc::auth_line_too_long).
template <class Sink>
errc write_sasl_raw(Sink& sink, std::size_t limit,
                    std::string_view raw) noexcept(is_nothrow_sink_v<Sink>) {
  if (base64::encoded_size(raw.size()) > limit - 2) return errc::auth_line_too_long;
  return write_line(sink, limit, errc::auth_line_too_long,
                    [&](auto& s) -> errc { return base64::encode(raw, s).error; });
}

/// A response line of base64 text the caller has, or "*" (the cancel) when
/// `text` is "*" and `cancel` is true.
template <class Sink>
errc write_sasl_encoded(Sink& sink, std::size_t limit, std::string_view text,
                        bool cancel = false) noexcept(is_nothrow_sink_v<Sink>) {
  if (!cancel) {
    if (const errc e = check_base64_text(text); e != errc{}) return e;
  }
  return write_line(sink, limit, errc::auth_line_too_long, [&](auto& s) -> errc {
    s.append(text);
    return errc{};
  });
}

}  // namespace mailwire::detail
