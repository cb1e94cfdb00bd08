#pragma once
// ASCII character classes and case-insensitive comparison, locale-free and
// constexpr. Mail protocols are defined over octets: never use <cctype> here.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mailwire::ascii {

constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(unsigned char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(unsigned char c) noexcept { return is_upper(c) || is_lower(c); }
constexpr bool is_alnum(unsigned char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex_digit(unsigned char c) noexcept {
  return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
/// Visible (graphic) character, %x21-7E.
constexpr bool is_vchar(unsigned char c) noexcept { return c >= 0x21 && c <= 0x7E; }
/// Control character: %x00-1F and DEL.
constexpr bool is_ctl(unsigned char c) noexcept { return c < 0x20 || c == 0x7F; }
constexpr bool is_ascii(unsigned char c) noexcept { return c < 0x80; }
/// SP or HTAB.
constexpr bool is_wsp(unsigned char c) noexcept { return c == ' ' || c == '\t'; }

constexpr char to_upper(char c) noexcept {
  return is_lower(static_cast<unsigned char>(c)) ? static_cast<char>(c - 'a' + 'A') : c;
}
constexpr char to_lower(char c) noexcept {
  return is_upper(static_cast<unsigned char>(c)) ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Value of a hex digit, or -1.
constexpr int hex_value(unsigned char c) noexcept {
  if (is_digit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// Case-insensitive equality of two ASCII strings.
/// `s` up to its first control octet (is_ctl), all of it if there is none.
constexpr std::string_view up_to_ctl(std::string_view s) noexcept {
  std::size_t n = 0;
  while (n < s.size() && !is_ctl(static_cast<unsigned char>(s[n]))) ++n;
  return s.substr(0, n);
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

/// Case-insensitive prefix test.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace mailwire::ascii
