// Helpers shared by the SMTP fuzz targets:
// - for the smtp::server_parser targets (smtp_server.cpp,
//   smtp_server_split.cpp, smtp_trace_split.cpp): the parser options from the
//   first three input bytes, a heap-allocated parser of either capacity, and
//   the checks every error event must pass;
// - for the smtp::client_parser targets (smtp_client.cpp,
//   smtp_client_split.cpp): the same for the client side;
// - for the smtp::capabilities targets (smtp_reply_roundtrip.cpp,
//   smtp_capabilities.cpp): setter calls taken from the input;
// - a model of RFC 3463 enhanced codes written here, without calling the
//   functions it is compared with (smtp_client.cpp, smtp_reply_roundtrip.cpp).

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "support.hpp"

namespace fuzz {

// ---------------------------------------------------------------------------
// Server side: options and parser

/// The parser options from a target's three option bytes. All zero gives the
/// defaults (and Capacity 2048), so a seed with a zero header is an ordinary
/// session; small values are there to reach the limit paths.
///   byte 0  bit 0     Capacity 512 instead of 2048
///           bits 1-2  max_line_length:         512, 8, 64, 4096
///           bits 3-4  max_address_line_length: 2048, 8, 100, 600
///           bits 5-6  max_auth_line_length:    12288, 0, 3, 24
///           bit 7     allow_bare_lf
///   byte 1  bits 0-1  max_chunk_size: unlimited, 0, 10, 1000
///           bit 2     allow_space_after_colon
///           bit 3     allow_missing_brackets
///           bit 4     enforce_path_limits off
///           bit 5     check_hello_domain off
///           bits 6-7  max_parameters: 32, 0, 1, 3
///   byte 2  bits 0-5  the DATA decoder (fuzz::decoder_options_from)
///           bits 6-7  left to the target
struct smtp_config {
  mailwire::smtp::server_parser_options options;
  bool small = false;  ///< Capacity 512
  /// Longest line the parser's line reader takes (line end included).
  std::size_t reader_max = 0;
};

inline constexpr std::size_t kSmtpConfigBytes = 3;

inline smtp_config smtp_config_from(const std::uint8_t* b) {
  static constexpr std::size_t kLine[] = {512, 8, 64, 4096};
  static constexpr std::size_t kAddress[] = {2048, 8, 100, 600};
  static constexpr std::size_t kAuth[] = {12288, 0, 3, 24};
  static constexpr std::uint64_t kChunk[] = {UINT64_MAX, 0, 10, 1000};
  static constexpr std::size_t kParams[] = {32, 0, 1, 3};
  smtp_config c;
  mailwire::smtp::server_parser_options& o = c.options;
  c.small = (b[0] & 1) != 0;
  o.max_line_length = kLine[(b[0] >> 1) & 3];
  o.max_address_line_length = kAddress[(b[0] >> 3) & 3];
  o.max_auth_line_length = kAuth[(b[0] >> 5) & 3];
  o.allow_bare_lf = (b[0] & 0x80) != 0;
  o.max_chunk_size = kChunk[b[1] & 3];
  o.allow_space_after_colon = (b[1] & 0x04) != 0;
  o.allow_missing_brackets = (b[1] & 0x08) != 0;
  o.enforce_path_limits = (b[1] & 0x10) == 0;
  o.check_hello_domain = (b[1] & 0x20) == 0;
  o.max_parameters = kParams[(b[1] >> 6) & 3];
  o.data = decoder_options_from(b[2]);
  const std::size_t capacity = c.small ? 512 : 2048;
  const std::size_t longest =
      o.max_line_length > o.max_address_line_length ? o.max_line_length : o.max_address_line_length;
  c.reader_max = longest < capacity ? longest : capacity;
  return c;
}

/// Calls f(parser) with a fresh server_parser of the configured Capacity, on
/// the heap so that an overrun of its line buffer is an ASan report.
template <class F>
void with_parser(const smtp_config& c, F&& f) {
  if (c.small) {
    const auto p = std::make_unique<mailwire::smtp::server_parser<512>>(c.options);
    f(*p);
  } else {
    const auto p = std::make_unique<mailwire::smtp::server_parser<2048>>(c.options);
    f(*p);
  }
}

/// Every error event: a real errc with a name, a 4xx/5xx reply whose enhanced
/// code has the same class, and `fatal` exactly for invalid_chunk_size.
inline void check_error_event(const mailwire::smtp::server_event& ev) {
  using mailwire::errc;
  FUZZ_CHECK(ev.kind == mailwire::smtp::server_event_kind::error);
  FUZZ_CHECK(ev.error != errc{});
  FUZZ_CHECK(name(ev.error) != "unknown" && name(ev.error) != "none");
  FUZZ_CHECK(mailwire::detail::error_reply_valid(ev.reply()));
  FUZZ_CHECK(ev.fatal == (ev.error == errc::invalid_chunk_size));
}

// ---------------------------------------------------------------------------
// Client side: options and parser

/// smtp::client_parser options from a target's first two bytes. Zero gives
/// the defaults (Capacity 1024, RFC limits, strict, enhanced codes read).
///   byte 0  bit 0     Capacity 512 instead of 1024
///           bits 1-2  max_line_length:  512, 8, 64, 4096
///           bits 3-4  max_reply_lines:  128, 1, 3, 0
///           bits 5-6  max_reply_length: 16384, 12, 100, 1000
///           bit 7     allow_bare_lf
///   byte 1  bit 0     allow_control
///           bit 1     parse_enhanced_codes off
///           bits 2-7  left to the target
struct smtp_client_config {
  mailwire::smtp::client_parser_options options;
  bool small = false;          ///< Capacity 512
  std::size_t reader_max = 0;  ///< longest line read, line end included
};

inline smtp_client_config smtp_client_config_from(const std::uint8_t* b) {
  static constexpr std::size_t kLine[] = {512, 8, 64, 4096};
  static constexpr std::size_t kLines[] = {128, 1, 3, 0};
  static constexpr std::size_t kLength[] = {16384, 12, 100, 1000};
  smtp_client_config c;
  mailwire::smtp::client_parser_options& o = c.options;
  c.small = (b[0] & 1) != 0;
  o.max_line_length = kLine[(b[0] >> 1) & 3];
  o.max_reply_lines = kLines[(b[0] >> 3) & 3];
  o.max_reply_length = kLength[(b[0] >> 5) & 3];
  o.allow_bare_lf = (b[0] & 0x80) != 0;
  o.allow_control = (b[1] & 0x01) != 0;
  o.parse_enhanced_codes = (b[1] & 0x02) == 0;
  const std::size_t capacity = c.small ? 512 : 1024;
  c.reader_max = o.max_line_length < capacity ? o.max_line_length : capacity;
  return c;
}

/// Calls f(parser) with a fresh client_parser of the configured Capacity, on
/// the heap so that an overrun of its line buffer is an ASan report.
template <class F>
void with_smtp_client(const smtp_client_config& c, F&& f) {
  if (c.small) {
    const auto p = std::make_unique<mailwire::smtp::client_parser<512>>(c.options);
    f(*p);
  } else {
    const auto p = std::make_unique<mailwire::smtp::client_parser<1024>>(c.options);
    f(*p);
  }
}

// ---------------------------------------------------------------------------
// Capabilities: setter calls from the input

/// One setter call on `caps`, read from `in`: an opcode octet and its
/// arguments, text arguments read by text() (the target's slice form;
/// enumerators may be out of range on purpose). A setter that reports an
/// error must leave the value as it was.
template <class Text>
void apply_setter(field_reader& in, Text&& text, mailwire::smtp::capabilities& caps) {
  using mailwire::errc;
  using mailwire::smtp::ehlo_limit;
  using mailwire::smtp::extension;
  using mailwire::smtp::sasl_mechanism;
  const mailwire::smtp::capabilities before = caps;
  errc e{};
  switch (in.byte() % 13) {
    case 0: caps.set(static_cast<extension>(in.byte() % 21)); return;  // 20: no enumerator
    case 1: caps.clear(static_cast<extension>(in.byte() % 21)); return;
    case 2: caps.set_size_limit(in.u64()); return;
    case 3: caps.add_mechanism(static_cast<sasl_mechanism>(in.byte() % 13)); return;
    case 4: e = caps.add_mechanism(text()); break;
    case 5: e = caps.set_mt_priority(text()); break;
    case 6: e = caps.set_deliverby_min_by_time(in.u32()); break;
    case 7: {
      const std::uint32_t interval = in.u32();
      e = caps.set_future_release(interval, text());
      break;
    }
    case 8: {
      const auto limit = static_cast<ehlo_limit>(in.byte() % 4);  // 3: no enumerator
      e = caps.set_limit(limit, in.u32());
      break;
    }
    case 9: caps.clear_limit(static_cast<ehlo_limit>(in.byte() % 4)); return;
    case 10: e = caps.add_keyword(text()); break;
    case 11: caps.set_legacy_auth_equals((in.byte() & 1) != 0); return;
    default: caps.clear_keywords(); return;
  }
  if (e != errc{}) FUZZ_CHECK(caps == before);
}

// ---------------------------------------------------------------------------
// Model (independent of the library's own functions)

namespace smtp_model {

/// 1-3 digits, no leading zero (RFC 3463 §2 as this library reads it).
inline bool enhanced_number(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

/// An enhanced status code: class "." subject "." detail, class 2, 4 or 5
/// (RFC 3463 §2).
inline bool enhanced(std::string_view token) {
  if (token.size() < 5 || (token[0] != '2' && token[0] != '4' && token[0] != '5') ||
      token[1] != '.')
    return false;
  const std::string_view rest = token.substr(2);
  const std::size_t dot = rest.find('.');
  return dot != std::string_view::npos && enhanced_number(rest.substr(0, dot)) &&
         enhanced_number(rest.substr(dot + 1));
}

}  // namespace smtp_model
}  // namespace fuzz
