#pragma once
// SASL mechanism names (RFC 4422 §3.1) as SMTP AUTH (RFC 4954) and POP3
// AUTH and CAPA (RFC 5034, RFC 2449) use them: the name grammar, the
// well-known mechanisms, and the set of mechanisms both capability values
// hold (bits for the well-known ones, text for the others).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/text_arena.hpp"

namespace mailwire {

/// SASL mechanisms with a bit of their own (IANA SASL registry, RFC 4422).
/// Other names are kept as text by the capability values.
enum class sasl_mechanism : std::uint8_t {
  plain,               ///< PLAIN (RFC 4616)
  login,               ///< LOGIN (not standard; widely deployed)
  cram_md5,            ///< CRAM-MD5 (RFC 2195)
  xoauth2,             ///< XOAUTH2 (Google, Microsoft)
  oauthbearer,         ///< OAUTHBEARER (RFC 7628)
  scram_sha_1,         ///< SCRAM-SHA-1 (RFC 5802)
  scram_sha_1_plus,    ///< SCRAM-SHA-1-PLUS (RFC 5802)
  scram_sha_256,       ///< SCRAM-SHA-256 (RFC 7677)
  scram_sha_256_plus,  ///< SCRAM-SHA-256-PLUS (RFC 7677)
  gssapi,              ///< GSSAPI (RFC 4752)
  external,            ///< EXTERNAL (RFC 4422 Appendix A)
  anonymous,           ///< ANONYMOUS (RFC 4505)
};

namespace detail {
inline constexpr std::string_view mechanism_names[] = {
    "PLAIN",
    "LOGIN",
    "CRAM-MD5",
    "XOAUTH2",
    "OAUTHBEARER",
    "SCRAM-SHA-1",
    "SCRAM-SHA-1-PLUS",
    "SCRAM-SHA-256",
    "SCRAM-SHA-256-PLUS",
    "GSSAPI",
    "EXTERNAL",
    "ANONYMOUS",
};
inline constexpr std::size_t mechanism_count = sizeof(mechanism_names) / sizeof(mechanism_names[0]);
static_assert(mechanism_count == static_cast<std::size_t>(sasl_mechanism::anonymous) + 1,
              "one name per sasl_mechanism, in enumerator order");
}  // namespace detail

/// sasl-mech = 1*20(A-Z / DIGIT / "-" / "_") (RFC 4422 §3.1). Names compare
/// case-insensitively, so lower case is accepted here (and upper-cased where
/// capability values store them).
constexpr bool is_sasl_mechanism_name(std::string_view s) noexcept {
  if (s.empty() || s.size() > 20) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!ascii::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

/// The registered mechanism name, upper case, e.g. "SCRAM-SHA-256"; "" for a
/// value that is no enumerator.
constexpr std::string_view name(sasl_mechanism m) noexcept {
  const auto i = static_cast<std::size_t>(m);
  return i < detail::mechanism_count ? detail::mechanism_names[i] : std::string_view{};
}

/// The well-known mechanism called `n`, compared case-insensitively (RFC 4422
/// §3.1); nullopt for any other name.
constexpr std::optional<sasl_mechanism> mechanism_from_name(std::string_view n) noexcept {
  for (std::size_t i = 0; i < detail::mechanism_count; ++i)
    if (ascii::iequals(n, detail::mechanism_names[i])) return static_cast<sasl_mechanism>(i);
  return std::nullopt;
}

namespace detail {

/// The mechanisms an EHLO AUTH line or a CAPA SASL line advertises: a bit
/// per well-known mechanism, other names as upper-case text, once each, in
/// the order added, in OtherCapacity bytes (each name takes its length + 1).
/// It owns its storage; smtp::capabilities and pop3::capabilities expose it
/// as their *_mechanism members.
template <std::size_t OtherCapacity>
class sasl_mechanism_set {
 public:
  constexpr void add(sasl_mechanism m) noexcept {
    const auto i = static_cast<unsigned>(m);
    if (i < mechanism_count) bits_ = static_cast<std::uint16_t>(bits_ | (1u << i));
  }
  /// errc::invalid_mechanism unless `name` is a sasl-mech, errc::buffer_too_small
  /// when it is new and the text does not fit; nothing changes on error.
  constexpr errc add(std::string_view name) noexcept {
    if (!is_sasl_mechanism_name(name)) return errc::invalid_mechanism;
    if (const auto known = mechanism_from_name(name)) {
      add(*known);
    } else if (!others_.contains_icase(name) && !others_.push(name, true)) {
      return errc::buffer_too_small;
    }
    return errc{};
  }
  constexpr bool contains(sasl_mechanism m) const noexcept {
    const auto i = static_cast<unsigned>(m);
    return i < mechanism_count && (bits_ & (1u << i)) != 0;
  }
  /// Well-known or kept as text, compared case-insensitively.
  constexpr bool contains(std::string_view name) const noexcept {
    if (const auto known = mechanism_from_name(name)) return contains(*known);
    return others_.contains_icase(name);
  }
  /// The names kept as text, upper case, in the order added.
  constexpr text_range others() const noexcept { return others_.range(); }
  /// Calls f(std::string_view name) for every mechanism: the well-known ones
  /// in enumerator order, then the others in the order added.
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t i = 0; i < mechanism_count; ++i)
      if ((bits_ & (1u << i)) != 0) f(mechanism_names[i]);
    for (const std::string_view m : others()) f(m);
  }
  constexpr bool empty() const noexcept { return bits_ == 0 && others_.empty(); }
  constexpr void clear() noexcept {
    bits_ = 0;
    others_.clear();
  }

  /// Equal when the same well-known bits are set and the other names are the
  /// same, in the same order (so equal sets are written identically).
  friend constexpr bool operator==(const sasl_mechanism_set& a,
                                   const sasl_mechanism_set& b) noexcept {
    return a.bits_ == b.bits_ && a.others_ == b.others_;
  }
  friend constexpr bool operator!=(const sasl_mechanism_set& a,
                                   const sasl_mechanism_set& b) noexcept {
    return !(a == b);
  }

 private:
  std::uint16_t bits_ = 0;
  text_arena<OtherCapacity> others_;
};

}  // namespace detail

}  // namespace mailwire
