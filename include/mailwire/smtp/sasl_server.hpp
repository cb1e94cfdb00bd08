#pragma once
// Server side of the SASL mechanisms whose client responses smtp/sasl.hpp
// writes: reading PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
// XOAUTH2 and CRAM-MD5 (RFC 2195) responses, and checking a CRAM-MD5 digest.
// SMTP AUTH (RFC 4954 §4) and POP3 AUTH (RFC 5034 §4) carry the same base64
// text, so POP3 servers use these functions too.
//
//   const auto r = smtp::sasl::read_plain(ev.command.initial_response, buf, sizeof buf);
//   if (r.ok() && password_ok(r.authcid, r.password)) ...   // r.error says why not
//
// Where a response comes from:
//   - AUTH's initial response: `command.initial_response` when
//     `command.has_initial_response` (both server parsers). "AUTH PLAIN ="
//     leaves it empty (RFC 4954 §4): an empty response is passed as the empty
//     string, here and for an empty response line. "=" itself is not base64
//     (errc::invalid_base64). No mechanism here has an empty response, so
//     the empty string is always errc::invalid_argument.
//   - A response line after a 334 ("+ " in POP3) challenge: the `sasl_data`
//     pieces joined in the caller's buffer up to `sasl_end` (a cancelled line
//     is no response).
//
// Each reader decodes strict base64 (base64::decode with its default options,
// so a response has one accepted encoding) into [buffer, buffer + capacity)
// and returns views of the fields in that buffer: valid as long as the
// buffer's octets are. base64::max_decoded_size(response.size()) octets are
// always enough, and max_decoded_response octets are enough for any response
// line the server parsers pass on with their default max_auth_line_length
// (12288, RFC 4954 §4). A buffer that joins a response line's sasl_data
// pieces for decoding in place needs max_response_line - 2 octets (the
// line's text). `buffer` may be null when `capacity` is 0.
//
// In place: `buffer` may be `base64_response.data()` when that storage is the
// caller's to overwrite (the buffer it joined the sasl_data pieces in), which
// then holds the decoded octets instead of the text. No other overlap is
// allowed. The parsers' own views (initial_response) are read-only: decode
// those into a buffer of your own.
//
// Errors (`error`; every view is empty when it is set), in this order:
//   errc::invalid_base64      not strict base64 (RFC 4954 §4: reject with 501)
//   errc::buffer_too_small    the decoded response does not fit `capacity`
//   errc::invalid_argument    the decoded octets are not the mechanism's
//                             message: empty, separators missing or extra, a
//                             required field empty, a PLAIN field over
//                             plain_options::max_field_size, or an octet the
//                             field refuses. NUL, CR and LF are refused in every
//                             field (docs/security.md §3), as the writers in
//                             smtp/sasl.hpp refuse them: decoded fields often
//                             reach line-based back ends (a log, a proxy, an
//                             IMAP or LDAP lookup).
//   errc::invalid_utf8        PLAIN fields that are not UTF-8 (RFC 4616 §2)
// Whatever the writers of smtp/sasl.hpp write reads back here as the same
// fields (PLAIN fields within max_field_size). suggested_reply(error) gives an
// SMTP reply (501 for a malformed response, 451 for buffer_too_small, the
// server's own limit), pop3::reply_text(error) a POP3 -ERR text; servers that answer every failed exchange alike (535 5.7.8) so as
// not to say which part was wrong may do so instead.
//
// The readers check the form of a response, never the credentials: looking
// the user up, comparing secrets, and deciding whether an authcid may act as
// a different authzid (RFC 4616 §2) stay the caller's. They prepare no
// strings (SASLprep, RFC 4013). Secrets: after an error the buffer may still
// hold decoded credentials (or, after invalid_base64, part of them); nothing
// here wipes memory (docs/security.md §8).
//
// Everything is constexpr, noexcept and allocation-free.

#include <cstddef>
#include <initializer_list>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/md5.hpp"
#include "mailwire/core/utf8.hpp"
#include "mailwire/smtp/sasl.hpp"

namespace mailwire::smtp::sasl {

/// Octets a response line of at most max_response_line octets (RFC 4954 §4,
/// the longest the server parsers pass on) decodes to at most: 9213.
inline constexpr std::size_t max_decoded_response =
    base64::max_decoded_size(max_response_line - 2);

/// PLAIN fields (RFC 4616 §2), views into the caller's buffer.
struct plain_response {
  errc error = errc{};
  std::string_view authzid;   ///< empty: act as authcid (RFC 4616 §2)
  std::string_view authcid;   ///< non-empty
  std::string_view password;  ///< non-empty

  constexpr bool ok() const noexcept { return error == errc{}; }
};

struct plain_options {
  /// Longest authzid, authcid and passwd accepted, in octets. RFC 4616 §2
  /// says a server MUST accept fields of up to 255 octets; it may take
  /// longer ones, and a server whose users log in with long app tokens as
  /// passwords raises this (a response line never holds more than
  /// max_decoded_response octets anyway).
  std::size_t max_field_size = 255;
};

/// One LOGIN answer (the user name or the password), a view into the
/// caller's buffer.
struct login_response {
  errc error = errc{};
  std::string_view value;  ///< non-empty

  constexpr bool ok() const noexcept { return error == errc{}; }
};

/// XOAUTH2 fields, views into the caller's buffer.
struct xoauth2_response {
  errc error = errc{};
  std::string_view user;   ///< non-empty, no control octets
  std::string_view token;  ///< an RFC 6750 §2.1 b64token

  constexpr bool ok() const noexcept { return error == errc{}; }
};

/// CRAM-MD5 fields (RFC 2195 §2), views into the caller's buffer.
struct cram_md5_response {
  errc error = errc{};
  std::string_view username;    ///< non-empty, no control octets (spaces allowed)
  std::string_view digest_hex;  ///< 32 lower-case hex digits: see verify_cram_md5()

  constexpr bool ok() const noexcept { return error == errc{}; }
};

namespace detail::sasl_server_impl {

/// A decoded response, or why there is none.
struct decoded {
  errc error = errc{};
  std::string_view text;
};

/// Decodes `response` into the buffer; an empty result is invalid_argument,
/// since every mechanism here needs at least one octet.
constexpr decoded decode(std::string_view response, char* buffer, std::size_t capacity) noexcept {
  decoded d;
  const base64::result r = base64::decode(response, buffer, capacity);
  if (!r.ok())
    d.error = r.error;
  else if (r.size == 0)
    d.error = errc::invalid_argument;
  else
    d.text = std::string_view(buffer, r.size);
  return d;
}

/// A result of type R holding only `e` (its views empty).
template <class R>
constexpr R failed(errc e) noexcept {
  R r;
  r.error = e;
  return r;
}

constexpr bool is_lower_hex(std::string_view digits) noexcept {
  for (const char c : digits)
    if (!ascii::is_digit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

}  // namespace detail::sasl_server_impl

/// PLAIN (RFC 4616 §2): reads message = [authzid] NUL authcid NUL passwd.
/// Exactly two NULs (SAFE excludes NUL, so none inside a field); authcid and
/// passwd non-empty; no CR or LF in any field and none longer than
/// options.max_field_size (errc::invalid_argument); every field UTF-8
/// (errc::invalid_utf8). See the top of this
/// header for the buffer and the order of errors.
constexpr plain_response read_plain(std::string_view base64_response, char* buffer,
                                    std::size_t capacity, plain_options options = {}) noexcept {
  namespace impl = detail::sasl_server_impl;
  const impl::decoded d = impl::decode(base64_response, buffer, capacity);
  if (d.error != errc{}) return impl::failed<plain_response>(d.error);
  const std::string_view message = d.text;
  constexpr std::size_t npos = std::string_view::npos;
  const std::size_t first = message.find('\0');
  const std::size_t second = first == npos ? npos : message.find('\0', first + 1);
  if (second == npos || message.find('\0', second + 1) != npos)
    return impl::failed<plain_response>(errc::invalid_argument);
  plain_response r;
  r.authzid = message.substr(0, first);
  r.authcid = message.substr(first + 1, second - first - 1);
  r.password = message.substr(second + 1);
  if (r.authcid.empty() || r.password.empty())
    return impl::failed<plain_response>(errc::invalid_argument);
  for (const std::string_view field : {r.authzid, r.authcid, r.password})
    // (No NUL left in a field: the message was split at its two NULs.)
    if (detail::sasl_impl::has_nul_cr_lf(field) || field.size() > options.max_field_size)
      return impl::failed<plain_response>(errc::invalid_argument);
  for (const std::string_view field : {r.authzid, r.authcid, r.password})
    if (!utf8::is_valid(field)) return impl::failed<plain_response>(errc::invalid_utf8);
  return r;
}

/// LOGIN: reads one answer, the user name (after "Username:", or as AUTH
/// LOGIN's initial response) or the password (after "Password:"). Non-empty,
/// no NUL, CR or LF (errc::invalid_argument); not required to be UTF-8, as
/// LOGIN predates that rule (write_login_username and write_login_password
/// send Latin-1 as it is). See the top of this header for the buffer and the
/// order of errors.
constexpr login_response read_login_field(std::string_view base64_response, char* buffer,
                                          std::size_t capacity) noexcept {
  namespace impl = detail::sasl_server_impl;
  const impl::decoded d = impl::decode(base64_response, buffer, capacity);
  if (d.error != errc{}) return impl::failed<login_response>(d.error);
  if (detail::sasl_impl::has_nul_cr_lf(d.text))
    return impl::failed<login_response>(errc::invalid_argument);
  login_response r;
  r.value = d.text;
  return r;
}

/// XOAUTH2: reads exactly what write_xoauth2 sends,
/// `"user=" user ^A "auth=Bearer " token ^A ^A`: the keys in lower case as
/// shown, one SP after the scheme, nothing before or after. "Bearer" may come
/// in any case, as auth-schemes are case-insensitive (RFC 7235 §2.1). `user`
/// must be non-empty without control octets, `token` an RFC 6750 §2.1
/// b64token; anything else is errc::invalid_argument. See the top of this
/// header for the buffer and the order of errors. To refuse a token the
/// server sends a 334 challenge with its JSON error and takes the client's
/// empty answer without reading it here.
constexpr xoauth2_response read_xoauth2(std::string_view base64_response, char* buffer,
                                        std::size_t capacity) noexcept {
  namespace impl = detail::sasl_server_impl;
  const impl::decoded d = impl::decode(base64_response, buffer, capacity);
  if (d.error != errc{}) return impl::failed<xoauth2_response>(d.error);
  constexpr std::string_view user_key = "user=", auth_key = "auth=", scheme = "Bearer ";
  constexpr std::string_view end = "\x01\x01";
  std::string_view rest = d.text;
  if (rest.substr(0, user_key.size()) != user_key)
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  rest.remove_prefix(user_key.size());
  // The user holds no control octet, so the first ^A ends it.
  const std::size_t user_end = rest.find('\x01');
  if (user_end == std::string_view::npos)
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  xoauth2_response r;
  r.user = rest.substr(0, user_end);
  rest.remove_prefix(user_end + 1);
  if (rest.substr(0, auth_key.size()) != auth_key)
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  rest.remove_prefix(auth_key.size());
  // Case-insensitive, the SP after the scheme included.
  if (!ascii::istarts_with(rest, scheme))
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  rest.remove_prefix(scheme.size());
  // A b64token holds no ^A either: the next one ends it, and the two that
  // close the message must be all that is left.
  const std::size_t token_end = rest.find('\x01');
  if (token_end == std::string_view::npos || rest.substr(token_end) != end)
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  r.token = rest.substr(0, token_end);
  if (r.user.empty() || detail::sasl_impl::has_ctl(r.user) ||
      !detail::sasl_impl::is_b64token(r.token))
    return impl::failed<xoauth2_response>(errc::invalid_argument);
  return r;
}

/// CRAM-MD5 (RFC 2195 §2): reads `username SP digest`, where the digest is
/// 32 hex digits "using lower-case ASCII characters". The digest has a fixed
/// length at the end, so the user name is everything before its SP and may
/// itself hold spaces (write_cram_md5 sends such names); it must be
/// non-empty without control octets. Anything else, upper-case digits
/// included, is errc::invalid_argument. See the top of this header for the
/// buffer and the order of errors; then call verify_cram_md5().
constexpr cram_md5_response read_cram_md5(std::string_view base64_response, char* buffer,
                                          std::size_t capacity) noexcept {
  namespace impl = detail::sasl_server_impl;
  const impl::decoded d = impl::decode(base64_response, buffer, capacity);
  if (d.error != errc{}) return impl::failed<cram_md5_response>(d.error);
  const std::string_view message = d.text;
  // At least one octet of name, the SP and the digest.
  if (message.size() < md5::hex_size + 2)
    return impl::failed<cram_md5_response>(errc::invalid_argument);
  const std::size_t sp = message.size() - md5::hex_size - 1;
  cram_md5_response r;
  r.username = message.substr(0, sp);
  r.digest_hex = message.substr(sp + 1);
  if (message[sp] != ' ' || detail::sasl_impl::has_ctl(r.username) ||
      !impl::is_lower_hex(r.digest_hex))
    return impl::failed<cram_md5_response>(errc::invalid_argument);
  return r;
}

/// True if `digest_hex` (read_cram_md5's) is HMAC-MD5 keyed with the user's
/// `secret` over `challenge` (RFC 2195 §2, RFC 2104). `challenge` is the
/// text the server made up and sent, as it was before base64, e.g.
/// "<1896.697170952@postoffice.reston.mci.net>"; an empty one never
/// verifies, since a response to it could be replayed. Every digit is
/// compared whatever the first difference (as verify_apop does), so the time
/// taken does not tell a client how much of a guess was right; letters
/// compare in either case (read_cram_md5 has already refused upper case).
/// All three are only read during the call.
constexpr bool verify_cram_md5(std::string_view challenge, std::string_view secret,
                               std::string_view digest_hex) noexcept {
  char expected[md5::hex_size] = {};
  const std::string_view hex = md5::to_hex(md5::hmac(secret, challenge), expected);
  return md5::detail::hex_digest_equal(hex, digest_hex) && !challenge.empty();
}

}  // namespace mailwire::smtp::sasl
