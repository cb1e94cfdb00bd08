// APOP digests: computed by a client, verified by a server (RFC 1939 §7).
#include <string>

#include "catch.hpp"
#include "mailwire/pop3/apop.hpp"

using mailwire::pop3::apop_digest;
using mailwire::pop3::verify_apop;

namespace {
constexpr std::string_view rfc_timestamp = "<1896.697170952@dbc.mtview.ca.us>";
constexpr std::string_view rfc_digest = "c4c9334bac560ecc979e58001b3e22fb";
}  // namespace

TEST_CASE("pop3 apop: the RFC 1939 §7 example digest, at compile time too", "[pop3][apop]") {
  static_assert(apop_digest(rfc_timestamp, "tanstaaf").view() == rfc_digest);
  CHECK(apop_digest(rfc_timestamp, "tanstaaf").view() == rfc_digest);
}

TEST_CASE("pop3 apop: verify_apop accepts the digest in either case (RFC 1939 §7)",
          "[pop3][apop]") {
  static_assert(verify_apop(rfc_timestamp, "tanstaaf", rfc_digest));
  CHECK(verify_apop(rfc_timestamp, "tanstaaf", "C4C9334BAC560ECC979E58001B3E22FB"));
  CHECK(verify_apop(rfc_timestamp, "tanstaaf", "c4C9334bAC560ecc979E58001b3e22fB"));
}

TEST_CASE("pop3 apop: verify_apop refuses a wrong secret, timestamp or digest (RFC 1939 §7)",
          "[pop3][apop]") {
  CHECK_FALSE(verify_apop(rfc_timestamp, "tanstaaF", rfc_digest));  // secret is case-sensitive
  CHECK_FALSE(verify_apop("<1896.697170953@dbc.mtview.ca.us>", "tanstaaf", rfc_digest));
  CHECK_FALSE(verify_apop(rfc_timestamp, "tanstaaf", rfc_digest.substr(0, 31)));
  CHECK_FALSE(verify_apop(rfc_timestamp, "tanstaaf", std::string(rfc_digest) + "0"));
  CHECK_FALSE(verify_apop(rfc_timestamp, "tanstaaf", ""));
  // Every position matters, the last one included.
  for (std::size_t i = 0; i < rfc_digest.size(); ++i) {
    std::string d(rfc_digest);
    d[i] = d[i] == '0' ? '1' : '0';
    INFO(i);
    CHECK_FALSE(verify_apop(rfc_timestamp, "tanstaaf", d));
  }
}
