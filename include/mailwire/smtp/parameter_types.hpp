#pragma once
// The value types of ESMTP parameters (RFC 5321 §4.1.2): the parameters
// mailwire knows (parameter_kind, parameter_verb), one parameter as views into
// the parsed text (parameter), and what the typed accessors of parameter_list
// return (param_result<T> with body_type, ret_type, notify_flags,
// orcpt_value, deliver_by, rrvs_value).
//
// Types only; smtp/parameters.hpp includes this header and holds the parser,
// the rules table and parameter_list.

#include <cstdint>
#include <string_view>

#include "mailwire/core/error.hpp"

namespace mailwire::smtp {

/// The parameters mailwire has a rule for, in the order of `parameter_rules`
/// (smtp/parameters.hpp).
enum class parameter_kind : std::uint8_t {
  size,         ///< SIZE=       MAIL  RFC 1870
  body,         ///< BODY=       MAIL  RFC 6152, RFC 3030
  smtputf8,     ///< SMTPUTF8    MAIL  RFC 6531
  requiretls,   ///< REQUIRETLS  MAIL  RFC 8689
  auth,         ///< AUTH=       MAIL  RFC 4954 §5
  ret,          ///< RET=        MAIL  RFC 3461 §4.3
  envid,        ///< ENVID=      MAIL  RFC 3461 §4.4
  mt_priority,  ///< MT-PRIORITY= MAIL RFC 6710
  by,           ///< BY=         MAIL  RFC 2852
  holdfor,      ///< HOLDFOR=    MAIL  RFC 4865
  holduntil,    ///< HOLDUNTIL=  MAIL  RFC 4865
  notify,       ///< NOTIFY=     RCPT  RFC 3461 §4.1
  orcpt,        ///< ORCPT=      RCPT  RFC 3461 §4.2
  rrvs,         ///< RRVS=       RCPT  RFC 7293
  unknown,      ///< any other keyword (X-..., LIMITS-era extensions, typos)
};

/// The command a known parameter belongs to.
enum class parameter_verb : std::uint8_t { mail, rcpt };

/// One esmtp-param, as views into the parsed text. `value` is empty and
/// `has_value` false for a parameter without "=" (SMTPUTF8); a parameter with
/// "=" always has a non-empty value (the grammar requires one).
struct parameter {
  std::string_view keyword;  ///< as received (compare case-insensitively)
  std::string_view value;    ///< as received (xtext stays encoded)
  bool has_value = false;
  parameter_kind kind = parameter_kind::unknown;
};

/// What a typed accessor returns. Absent: present == false, no error, value
/// default. Present and valid: present, no error, value. Present and invalid:
/// present, the error (invalid_parameter_value or invalid_xtext), value
/// default.
template <class T>
struct param_result {
  bool present = false;
  errc error = errc{};
  T value{};

  constexpr bool ok() const noexcept { return error == errc{}; }
};

/// BODY= (RFC 6152 §2, RFC 3030 §3).
enum class body_type : std::uint8_t { seven_bit, eight_bit_mime, binary_mime };

/// RET= (RFC 3461 §4.3).
enum class ret_type : std::uint8_t { full, hdrs };

/// NOTIFY= (RFC 3461 §4.1): either `never` alone, or any non-empty mix of the
/// other three.
struct notify_flags {
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;
};

/// ORCPT= addr-type ";" xtext (RFC 3461 §4.2).
struct orcpt_value {
  std::string_view addr_type;  ///< an atom, e.g. "rfc822" (compare case-insensitively)
  std::string_view address;    ///< the xtext as received; decode with xtext::decode
};

/// BY= by-mode (RFC 2852 §4): N notifies the sender when the time passes, R
/// returns the message as undeliverable.
enum class by_mode : std::uint8_t { notify, return_message };

/// BY= by-time ";" by-mode [by-trace] (RFC 2852 §4).
struct deliver_by {
  std::int32_t seconds = 0;  ///< -999999999..999999999; > 0 with return_message
  by_mode mode = by_mode::notify;
  bool trace = false;  ///< "T": ask for trace DSNs
};

/// RRVS= mode (RFC 7293): R (the default) rejects the recipient when the check
/// cannot be made, C continues delivery.
enum class rrvs_mode : std::uint8_t { reject, continue_delivery };

/// RRVS= date-time [";" ("C" / "R")] (RFC 7293).
struct rrvs_value {
  std::string_view date_time;  ///< RFC 3339 date-time, validated, as received
  rrvs_mode mode = rrvs_mode::reject;
};

}  // namespace mailwire::smtp
