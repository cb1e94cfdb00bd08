// Error codes: names, descriptions, suggested replies and std::error_code interop.
#include <mailwire/core/error.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

#include "catch.hpp"

using mailwire::errc;

namespace {

// Every enumerator, in declaration order (errc{} "none" excluded).
constexpr errc all_errors[] = {
    errc::buffer_too_small,
    errc::invalid_argument,
    errc::line_too_long,
    errc::bare_cr,
    errc::bare_lf,
    errc::nul_in_line,
    errc::unexpected_eof,
    errc::body_bare_cr,
    errc::body_bare_lf,
    errc::body_nul,
    errc::body_line_too_long,
    errc::message_too_large,
    errc::invalid_base64,
    errc::data_after_starttls,
    errc::unknown_command,
    errc::invalid_syntax,
    errc::missing_argument,
    errc::unexpected_argument,
    errc::invalid_domain,
    errc::invalid_address_literal,
    errc::invalid_local_part,
    errc::invalid_path,
    errc::null_path_not_allowed,
    errc::local_part_too_long,
    errc::domain_too_long,
    errc::path_too_long,
    errc::invalid_utf8,
    errc::smtputf8_required,
    errc::invalid_parameter,
    errc::duplicate_parameter,
    errc::invalid_parameter_value,
    errc::conflicting_parameters,
    errc::too_many_parameters,
    errc::invalid_xtext,
    errc::invalid_chunk_size,
    errc::invalid_mechanism,
    errc::auth_line_too_long,
    errc::invalid_reply_code,
    errc::invalid_reply_separator,
    errc::reply_code_mismatch,
    errc::enhanced_code_mismatch,
    errc::control_in_reply,
    errc::too_many_reply_lines,
    errc::reply_too_long,
    errc::invalid_message_number,
    errc::invalid_line_count,
    errc::invalid_digest,
    errc::invalid_language_range,
    errc::invalid_status,
    errc::unexpected_response,
    errc::queue_full,
    errc::invalid_listing,
    errc::invalid_message_size,
    errc::invalid_uid,
};

constexpr std::size_t error_count = sizeof all_errors / sizeof all_errors[0];

// The test's list must cover the enum, or the other checks prove nothing.
static_assert(static_cast<std::size_t>(all_errors[error_count - 1]) == error_count,
              "all_errors must list every enumerator");

errc from_byte(unsigned value) { return static_cast<errc>(static_cast<std::uint8_t>(value)); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 3463 §2: class "." 1*3digit "." 1*3digit.
bool enhanced_well_formed(std::string_view s) {
  if (s.size() < 5 || s[1] != '.') return false;
  const auto second_dot = s.find('.', 2);
  if (second_dot == std::string_view::npos) return false;
  const auto subject = s.substr(2, second_dot - 2);
  const auto detail = s.substr(second_dot + 1);
  auto digits = [](std::string_view part) {
    if (part.empty() || part.size() > 3) return false;
    for (char c : part)
      if (!is_digit(c)) return false;
    return true;
  };
  return (s[0] == '2' || s[0] == '4' || s[0] == '5') && digits(subject) && digits(detail);
}

}  // namespace

TEST_CASE("error: every errc has a distinct, non-empty name and description", "[error]") {
  std::set<std::string_view> names{mailwire::name(errc{})};
  std::set<std::string_view> descriptions{mailwire::describe(errc{})};
  for (errc e : all_errors) {
    INFO("errc " << static_cast<int>(e));
    CHECK(!mailwire::name(e).empty());
    CHECK(!mailwire::describe(e).empty());
    CHECK(names.insert(mailwire::name(e)).second);
    CHECK(descriptions.insert(mailwire::describe(e)).second);
    CHECK(mailwire::name(e) != "unknown");
    CHECK(mailwire::describe(e) != "unknown mailwire error");
  }
  CHECK(names.size() == error_count + 1);
  CHECK(descriptions.size() == error_count + 1);
}

TEST_CASE("error: name() is the enumerator's spelling", "[error]") {
  CHECK(mailwire::name(errc::buffer_too_small) == "buffer_too_small");
  CHECK(mailwire::name(errc::bare_lf) == "bare_lf");
  CHECK(mailwire::name(errc::unexpected_eof) == "unexpected_eof");
  CHECK(mailwire::name(errc::body_bare_lf) == "body_bare_lf");
  CHECK(mailwire::name(errc::message_too_large) == "message_too_large");
  CHECK(mailwire::name(errc::invalid_base64) == "invalid_base64");
  CHECK(mailwire::name(errc::data_after_starttls) == "data_after_starttls");
  // Names are identifiers: lowercase letters, digits and underscores.
  for (errc e : all_errors) {
    INFO(mailwire::name(e));
    CHECK(!is_digit(mailwire::name(e).front()));
    for (char c : mailwire::name(e)) CHECK(((c >= 'a' && c <= 'z') || is_digit(c) || c == '_'));
  }
}

TEST_CASE("error: suggested replies are 4xx/5xx with a matching enhanced class", "[error]") {
  for (errc e : all_errors) {
    const auto r = mailwire::suggested_reply(e);
    INFO(mailwire::name(e) << ": " << r.code << " " << r.enhanced);
    CHECK(r.code >= 400);
    CHECK(r.code <= 599);
    CHECK((r.code / 10) % 10 <= 5);  // RFC 5321 §4.2: second digit 0-5
    CHECK(!r.text.empty());
    if (!r.enhanced.empty()) {
      CHECK(enhanced_well_formed(r.enhanced));
      CHECK(r.enhanced[0] - '0' == r.code / 100);
    }
  }
  const auto ok = mailwire::suggested_reply(errc{});
  CHECK(ok.code == 250);
  CHECK(ok.enhanced == "2.0.0");
  const auto big = mailwire::suggested_reply(errc::message_too_large);
  CHECK(big.code == 552);
  CHECK(big.enhanced == "5.3.4");
}

TEST_CASE("error: out-of-range values are unknown, not none", "[error]") {
  const unsigned first_unknown = static_cast<unsigned>(errc::invalid_uid) + 1;
  for (unsigned v = first_unknown; v < 256; ++v) {
    const errc e = from_byte(v);
    INFO("value " << v);
    CHECK(mailwire::name(e) == "unknown");
    CHECK(mailwire::describe(e) == "unknown mailwire error");
    const auto r = mailwire::suggested_reply(e);
    CHECK(r.code == 451);
    CHECK(r.enhanced == "4.3.0");
    CHECK(r.text == "Local error");
  }
  // The last real enumerator is still itself.
  CHECK(mailwire::name(from_byte(first_unknown - 1)) == "invalid_uid");
  // Ints no errc can hold are unknown through std::error_code too.
  const auto& cat = mailwire::error_category();
  CHECK(cat.message(-1) == "unknown mailwire error");
  CHECK(cat.message(static_cast<int>(first_unknown)) == "unknown mailwire error");
  CHECK(cat.message(256) == "unknown mailwire error");
  CHECK(cat.message(0x10000 + 3) == "unknown mailwire error");
}

TEST_CASE("error: std::error_code interop", "[error]") {
  static_assert(std::is_error_code_enum<errc>::value, "errc must convert to std::error_code");
  CHECK(std::string(mailwire::error_category().name()) == "mailwire");
  CHECK(&mailwire::error_category() == &mailwire::error_category());

  for (errc e : all_errors) {
    INFO(mailwire::name(e));
    const std::error_code ec = mailwire::make_error_code(e);
    CHECK(ec.value() == static_cast<int>(e));
    CHECK(&ec.category() == &mailwire::error_category());
    CHECK(ec.message() == std::string(mailwire::describe(e)));
    CHECK(static_cast<bool>(ec));
    // Implicit conversion and comparison via is_error_code_enum.
    const std::error_code implicit = e;
    CHECK(implicit == ec);
    CHECK(ec == e);
    CHECK(e == ec);
  }
  const std::error_code bare_lf = errc::bare_lf;
  CHECK(bare_lf != errc::bare_cr);
  CHECK(bare_lf != errc::body_bare_lf);
  // Same value, other category: not equal.
  CHECK(bare_lf != std::error_code(static_cast<int>(errc::bare_lf), std::generic_category()));

  const std::error_code none = mailwire::make_error_code(errc{});
  CHECK(!none);
  CHECK(none.message() == "no error");
}

TEST_CASE("error: usable in constant expressions", "[error]") {
  static_assert(mailwire::name(errc::bare_cr) == "bare_cr", "");
  static_assert(mailwire::describe(errc::nul_in_line) == "NUL octet inside a line", "");
  static_assert(mailwire::suggested_reply(errc::line_too_long).code == 500, "");
  static_assert(mailwire::suggested_reply(errc::line_too_long).enhanced[0] == '5', "");
  static_assert(mailwire::name(static_cast<errc>(200)) == "unknown", "");
  static_assert(mailwire::suggested_reply(static_cast<errc>(255)).code == 451, "");
  static_assert(noexcept(mailwire::name(errc::bare_cr)), "");
  static_assert(noexcept(mailwire::describe(errc::bare_cr)), "");
  static_assert(noexcept(mailwire::suggested_reply(errc::bare_cr)), "");
  static_assert(noexcept(mailwire::make_error_code(errc::bare_cr)), "");
  constexpr auto r = mailwire::suggested_reply(errc::unexpected_eof);
  CHECK(r.code == 451);
  CHECK(r.enhanced == "4.4.2");
}

TEST_CASE("error: a value-initialised errc is none", "[error]") {
  static_assert(static_cast<int>(errc{}) == 0, "");
  static_assert(static_cast<int>(errc::buffer_too_small) == 1, "errc values start at 1");
  constexpr errc e{};
  CHECK(mailwire::name(e) == "none");
  CHECK(mailwire::describe(e) == "no error");
  CHECK(mailwire::suggested_reply(e).code == 250);
  for (errc x : all_errors) CHECK(x != e);
}

TEST_CASE("error: enhanced status codes follow RFC 3463 §2", "[error]") {
  using mailwire::detail::enhanced_matches;
  CHECK(enhanced_matches("", 354));
  CHECK(enhanced_matches("2.1.5", 250));
  CHECK(enhanced_matches("5.7.123", 535));
  CHECK(enhanced_matches("4.0.0", 451));
  CHECK_FALSE(enhanced_matches("3.0.0", 354));   // no class 3
  CHECK_FALSE(enhanced_matches("5.1.1", 450));   // class must match the code
  CHECK_FALSE(enhanced_matches("2.01.0", 250));  // no leading zeros
  CHECK_FALSE(enhanced_matches("2.1.00", 250));
  CHECK_FALSE(enhanced_matches("2.1000.0", 250));  // at most three digits
  CHECK_FALSE(enhanced_matches("2.1", 250));
  CHECK_FALSE(enhanced_matches("2.1.", 250));
  CHECK_FALSE(enhanced_matches("2..1", 250));
  CHECK_FALSE(enhanced_matches("2.1.5 ", 250));
}
