// Helpers shared by the smtp::server_parser fuzz targets (smtp_server.cpp,
// smtp_server_split.cpp, smtp_trace_split.cpp): the parser options from the
// first three input bytes, a heap-allocated parser of either capacity, and
// the checks every error event must pass.

#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "support.hpp"

namespace fuzz {

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

}  // namespace fuzz
