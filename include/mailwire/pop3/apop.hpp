#pragma once
// APOP (RFC 1939 §7): the digest a client sends and the check a server makes.
//
//   client: write_apop(sink, "mrose", apop_digest(ev.timestamp, secret).view())
//   server: if (verify_apop(my_timestamp, stored_secret, ev.command.digest)) ...
//
// The digest is the lower-case hex of MD5(timestamp || secret), where the
// timestamp is the greeting's "<...>" with its brackets. MD5 is broken, and
// APOP needs the server to keep the secret in clear: it exists for old
// clients and servers only (RFC 1939 §7). Nothing here allocates.

#include <cstddef>
#include <string_view>

#include "mailwire/core/md5.hpp"

namespace mailwire::pop3 {

/// The 32 lower-case hex digits of an APOP digest, held by value.
struct apop_digest_text {
  char digits[md5::hex_size] = {};
  /// A view of `digits`: valid as long as this object.
  constexpr std::string_view view() const noexcept { return {digits, md5::hex_size}; }
};

/// The APOP digest (RFC 1939 §7): lower-case hex of MD5(timestamp ||
/// secret), where `timestamp` is the greeting's "<...>" with its brackets
/// (client_event::timestamp of the greeting).
constexpr apop_digest_text apop_digest(std::string_view timestamp,
                                       std::string_view secret) noexcept {
  md5::context c;
  c.update(timestamp);
  c.update(secret);
  apop_digest_text out;
  md5::to_hex(c.finish(), out.digits);
  return out;
}

/// True if `digest` (an APOP command's, server_event::command.digest) is
/// the digest of the timestamp this server sent and the user's secret. Hex
/// digits compare case-insensitively (server_parser accepts either case) and
/// every digit is compared, so the time taken does not tell how many
/// matched.
constexpr bool verify_apop(std::string_view timestamp, std::string_view secret,
                           std::string_view digest) noexcept {
  return md5::detail::hex_digest_equal(apop_digest(timestamp, secret).view(), digest);
}

}  // namespace mailwire::pop3
