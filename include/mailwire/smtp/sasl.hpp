#pragma once
// Client responses for the SASL mechanisms mail clients use: PLAIN
// (RFC 4616), LOGIN (draft-murchison-sasl-login), XOAUTH2 (Google's and
// Microsoft's OAuth 2.0 bearer profile) and CRAM-MD5 (RFC 2195).
//
// Each writer appends one response, already base64-encoded (RFC 4954 §4,
// RFC 5034 §4), to a sink (core/output.hpp): only the base64 text, no CRLF,
// no "AUTH PLAIN " and no "=" for an empty response; framing the line is the
// command writer's job. The same text serves SMTP AUTH and POP3 AUTH.
//
// Every field is checked before anything is written, and nothing partial is
// ever left in the sink (write_all_or_nothing). Errors:
//   errc::invalid_argument    a field the mechanism forbids: empty where a
//                             value is required, or holding an octet it
//                             refuses. NUL, CR and LF are refused in every
//                             field that is sent (docs/security.md §3), even
//                             where base64 would carry them safely: a server
//                             that decodes the response may hand the fields
//                             to a line-based back end.
//   errc::invalid_utf8        PLAIN fields that are not UTF-8 (RFC 4616 §2)
//   errc::invalid_base64      a CRAM-MD5 challenge that is not strict base64
//   errc::auth_line_too_long  the response line (base64 + CRLF) would exceed
//                             max_response_line, the longest line RFC 4954 §4
//                             asks servers to accept
//   errc::buffer_too_small    the sink refused the bytes
// Field errors come before auth_line_too_long, which comes before
// buffer_too_small. The writers do not prepare strings (SASLprep,
// RFC 4013): pass fields in the form the server expects.
//
// Secrets pass through small stack buffers on their way to base64 and are not
// wiped afterwards. A response over 192 octets is appended in pieces, so
// after buffer_too_small a fixed_sink's buffer may hold encoded bytes past
// its restored size().

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <type_traits>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/md5.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/core/utf8.hpp"

namespace mailwire::smtp::sasl {

/// Longest response line, CRLF included (RFC 4954 §4). Base64 comes in
/// groups of four, so the longest response a writer produces is 12284
/// characters (9213 octets before encoding).
inline constexpr std::size_t max_response_line = 12288;

namespace detail::sasl_impl {

/// Does the response for `raw_size` octets, base64 plus CRLF, fit in a line?
constexpr bool fits_line(std::size_t raw_size) noexcept {
  return base64::encoded_size(raw_size) <= max_response_line - 2;
}

constexpr bool has_nul_cr_lf(std::string_view field) noexcept {
  for (const char c : field)
    if (c == '\0' || c == '\r' || c == '\n') return true;
  return false;
}

constexpr bool has_ctl(std::string_view field) noexcept {
  for (const char c : field)
    if (ascii::is_ctl(static_cast<unsigned char>(c))) return true;
  return false;
}

/// b64token (RFC 6750 §2.1): 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
/// "+" / "/" ) *"=".
constexpr bool is_b64token(std::string_view token) noexcept {
  std::size_t i = 0;
  for (; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (!(ascii::is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' ||
          c == '/'))
      break;
  }
  if (i == 0) return false;
  for (; i < token.size(); ++i)
    if (token[i] != '=') return false;
  return true;
}

/// Base64-encodes a response handed over in pieces, so that fields need not
/// be joined in one buffer first. Pieces are staged in a block of whole
/// 3-octet groups, and padding appears only at finish(). Appends latch the
/// sink on failure; run it inside write_all_or_nothing.
template <class Sink>
class base64_writer {
 public:
  explicit base64_writer(Sink& sink) noexcept : sink_(sink) {}

  void put(std::string_view bytes) noexcept(is_nothrow_sink_v<Sink>) {
    while (!bytes.empty()) {
      const std::size_t room = sizeof staged_ - staged_size_;
      const std::size_t take = bytes.size() < room ? bytes.size() : room;
      for (std::size_t i = 0; i < take; ++i) staged_[staged_size_ + i] = bytes[i];
      staged_size_ += take;
      bytes.remove_prefix(take);
      if (staged_size_ == sizeof staged_) flush();
    }
  }

  void finish() noexcept(is_nothrow_sink_v<Sink>) { flush(); }

 private:
  void flush() noexcept(is_nothrow_sink_v<Sink>) {
    if (staged_size_ == 0) return;
    char encoded[base64::encoded_size(sizeof staged_)] = {};
    const base64::result r = base64::encode({staged_, staged_size_}, encoded, sizeof encoded);
    sink_.append({encoded, r.size});
    staged_size_ = 0;
  }

  Sink& sink_;
  char staged_[3 * 64] = {};  // whole groups: no padding before the end
  std::size_t staged_size_ = 0;
};

}  // namespace detail::sasl_impl

/// PLAIN (RFC 4616 §2): appends base64 of `[authzid] NUL authcid NUL passwd`.
/// `authzid` may be empty (act as `authcid`); `authcid` and `password` must
/// not be. No field may hold NUL, CR or LF (errc::invalid_argument), and
/// each must be UTF-8 (errc::invalid_utf8). The fields are only read during
/// the call. Returns errc{} or an error from the top of this header, with the
/// sink unchanged.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_plain(Sink& sink, std::string_view authzid, std::string_view authcid,
                 std::string_view password) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::sasl_impl;
  if (authcid.empty() || password.empty()) return errc::invalid_argument;
  for (const std::string_view field : {authzid, authcid, password})
    if (impl::has_nul_cr_lf(field)) return errc::invalid_argument;
  for (const std::string_view field : {authzid, authcid, password})
    if (!utf8::is_valid(field)) return errc::invalid_utf8;
  // Three fields of at most SIZE_MAX / 3 each cannot overflow the sum; longer
  // ones do not fit in a line either.
  constexpr std::size_t huge = max_response_line;
  if (authzid.size() > huge || authcid.size() > huge || password.size() > huge ||
      !impl::fits_line(authzid.size() + authcid.size() + password.size() + 2))
    return errc::auth_line_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::base64_writer<Sink> out(s);
    out.put(authzid);
    out.put(std::string_view("\0", 1));
    out.put(authcid);
    out.put(std::string_view("\0", 1));
    out.put(password);
    out.finish();
  });
}

/// LOGIN, first answer: appends base64 of `username` (sent after the
/// server's "Username:" challenge). `username` must be non-empty and hold no
/// NUL, CR or LF (errc::invalid_argument); it is not required to be UTF-8,
/// as LOGIN predates that rule. Only read during the call. Returns errc{} or
/// an error from the top of this header, with the sink unchanged.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_login_username(Sink& sink, std::string_view username) noexcept(is_nothrow_sink_v<Sink>) {
  if (username.empty() || detail::sasl_impl::has_nul_cr_lf(username)) return errc::invalid_argument;
  if (!detail::sasl_impl::fits_line(username.size())) return errc::auth_line_too_long;
  return base64::encode(username, sink).error;
}

/// LOGIN, second answer: appends base64 of `password` (sent after the
/// server's "Password:" challenge). Same rules as write_login_username().
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_login_password(Sink& sink, std::string_view password) noexcept(is_nothrow_sink_v<Sink>) {
  return write_login_username(sink, password);
}

/// XOAUTH2: appends base64 of
/// `"user=" user ^A "auth=Bearer " bearer_token ^A ^A`.
/// `user` (normally the mailbox address) must be non-empty and hold no
/// control octet (^A, CR, LF, NUL, ...); `bearer_token` must be an RFC 6750
/// §2.1 b64token (letters, digits, "-._~+/", then optional "="). Either
/// violation is errc::invalid_argument. Both are only read during the call.
/// Returns errc{} or an error from the top of this header, with the sink
/// unchanged. When the server rejects the token it sends a 334 challenge
/// holding a JSON error; the client answers it with an empty line.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_xoauth2(Sink& sink, std::string_view user,
                   std::string_view bearer_token) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::sasl_impl;
  if (user.empty() || impl::has_ctl(user) || !impl::is_b64token(bearer_token))
    return errc::invalid_argument;
  constexpr std::string_view user_key = "user=", auth_key =
                                                     "\x01"
                                                     "auth=Bearer ";
  constexpr std::string_view end = "\x01\x01";
  constexpr std::size_t huge = max_response_line;
  if (user.size() > huge || bearer_token.size() > huge ||
      !impl::fits_line(user_key.size() + user.size() + auth_key.size() + bearer_token.size() +
                       end.size()))
    return errc::auth_line_too_long;
  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::base64_writer<Sink> out(s);
    out.put(user_key);
    out.put(user);
    out.put(auth_key);
    out.put(bearer_token);
    out.put(end);
    out.finish();
  });
}

/// CRAM-MD5 (RFC 2195 §2): given `challenge`, the base64 text the server sent
/// after "334 " (without CRLF), appends base64 of
/// `username SP lower-hex(HMAC-MD5(password, decoded challenge))`.
/// Errors, in this order: errc::invalid_base64 when `challenge` is not strict
/// base64; errc::invalid_argument when it decodes to nothing (an empty
/// challenge would make the response replayable), when `username` is empty
/// or holds a control octet (NUL, CR, LF, ...; spaces are allowed, since the
/// digest has a fixed length at the end); then as at the top of this header.
/// `password` is the HMAC key: any octets, never sent. The challenge is
/// decoded piecewise into the HMAC, so its length is not limited. All three
/// arguments are only read during the call. The sink is unchanged on error.
template <class Sink, std::enable_if_t<is_sink_v<Sink>, int> = 0>
errc write_cram_md5(Sink& sink, std::string_view challenge, std::string_view username,
                    std::string_view password) noexcept(is_nothrow_sink_v<Sink>) {
  namespace impl = detail::sasl_impl;
  if (base64::validate(challenge) != errc{}) return errc::invalid_base64;
  if (challenge.empty() || username.empty() || impl::has_ctl(username))
    return errc::invalid_argument;
  if (username.size() > max_response_line || !impl::fits_line(username.size() + 1 + md5::hex_size))
    return errc::auth_line_too_long;

  md5::hmac_context mac(password);
  // Every piece but the last is whole unpadded groups, so each piece is
  // valid base64 on its own and decodes into `decoded` without a remainder.
  constexpr std::size_t piece_chars = 4 * 64;
  char decoded[base64::max_decoded_size(piece_chars)] = {};
  for (std::string_view rest = challenge; !rest.empty();) {
    const std::size_t take = rest.size() < piece_chars ? rest.size() : piece_chars;
    const base64::result r = base64::decode(rest.substr(0, take), decoded, sizeof decoded);
    mac.update({decoded, r.size});
    rest.remove_prefix(take);
  }
  char hex[md5::hex_size] = {};
  const std::string_view digest_hex = md5::to_hex(mac.finish(), hex);

  return write_all_or_nothing(sink, [&](Sink& s) noexcept(is_nothrow_sink_v<Sink>) {
    impl::base64_writer<Sink> out(s);
    out.put(username);
    out.put(" ");
    out.put(digest_hex);
    out.finish();
  });
}

}  // namespace mailwire::smtp::sasl
