// pop3/command.hpp: keywords, the state table and the argument grammar.
#include <mailwire/pop3/command.hpp>

#include <string>
#include <string_view>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using pop3::session_state;
using pop3::verb;

namespace {

constexpr verb all_verbs[] = {
    verb::user, verb::pass, verb::apop, verb::auth, verb::stls, verb::capa,
    verb::utf8, verb::lang, verb::stat, verb::list, verb::retr, verb::dele,
    verb::noop, verb::rset, verb::top,  verb::uidl, verb::quit,
};

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = ascii::to_lower(c);
  return r;
}

}  // namespace

TEST_CASE("pop3 command: keywords round-trip, case-insensitively (RFC 1939 §3)",
          "[pop3][command]") {
  for (const verb v : all_verbs) {
    const std::string_view upper = pop3::name(v);
    INFO(upper);
    CHECK((upper.size() == 3 || upper.size() == 4));
    CHECK(pop3::verb_from(upper) == v);
    CHECK(pop3::verb_from(lower(upper)) == v);
    std::string mixed(upper);
    mixed[1] = ascii::to_lower(mixed[1]);
    CHECK(pop3::verb_from(mixed) == v);
  }
  CHECK(pop3::name(verb::unknown).empty());
  CHECK(pop3::name(static_cast<verb>(200)).empty());
  static_assert(pop3::verb_from("Top") == verb::top);
  static_assert(pop3::verb_from("uTf8") == verb::utf8);
}

TEST_CASE("pop3 command: other tokens are unknown keywords (RFC 1939 §3)", "[pop3][command]") {
  for (const std::string_view t :
       {"", "T", "TO", "TOPS", "STATS", "XTND", "STARTTLS", "HELO", "ST\x01T", "TOP ", " TOP",
        "\xd3\xcf\xd0", "RETR1", "UTF9", "top\t"}) {
    INFO(t);
    CHECK(pop3::verb_from(t) == verb::unknown);
  }
  // Case folding touches letters only: '@' and 0x0F are no "t" or "o", and
  // the control octet 0x18 is no "8" (0x18 | 0x20 would be; found by fuzzing).
  CHECK(pop3::verb_from("@OP") == verb::unknown);
  CHECK(pop3::verb_from("T\x0fP") == verb::unknown);
  CHECK(pop3::verb_from("UTF\x18") == verb::unknown);
  CHECK(pop3::verb_from("utf8") == verb::utf8);
  // Every octet but a letter's other case changes the keyword.
  for (const std::string_view kw :
       {"USER", "PASS", "APOP", "AUTH", "STLS", "CAPA", "UTF8", "LANG", "STAT", "LIST", "RETR",
        "DELE", "NOOP", "RSET", "TOP", "UIDL", "QUIT"}) {
    for (std::size_t i = 0; i < kw.size(); ++i) {
      for (int o = 0; o < 256; ++o) {
        std::string t(kw);
        t[i] = static_cast<char>(o);
        const bool same = t[i] == kw[i] || (ascii::is_alpha(static_cast<unsigned char>(kw[i])) &&
                                            ascii::to_lower(t[i]) == ascii::to_lower(kw[i]));
        INFO(test::escape(t));
        CHECK((pop3::verb_from(t) == pop3::verb_from(kw)) == same);
      }
    }
  }
}

TEST_CASE("pop3 command: the state table follows RFC 1939 §4-7, 2449, 2595, 5034, 6856",
          "[pop3][command]") {
  constexpr auto authz = session_state::authorization;
  constexpr auto trans = session_state::transaction;
  constexpr auto update = session_state::update;
  for (const verb v : {verb::user, verb::pass, verb::apop, verb::auth, verb::stls, verb::utf8}) {
    INFO(pop3::name(v));
    CHECK(pop3::allowed_in(v, authz));
    CHECK_FALSE(pop3::allowed_in(v, trans));
  }
  for (const verb v : {verb::stat, verb::list, verb::retr, verb::dele, verb::noop, verb::rset,
                       verb::top, verb::uidl}) {
    INFO(pop3::name(v));
    CHECK_FALSE(pop3::allowed_in(v, authz));
    CHECK(pop3::allowed_in(v, trans));
  }
  for (const verb v : {verb::capa, verb::lang, verb::quit}) {
    INFO(pop3::name(v));
    CHECK(pop3::allowed_in(v, authz));
    CHECK(pop3::allowed_in(v, trans));
  }
  for (const verb v : all_verbs) CHECK_FALSE(pop3::allowed_in(v, update));
  CHECK(pop3::allowed_states(verb::unknown) == 0);
  static_assert(!pop3::allowed_in(verb::noop, session_state::authorization),
                "NOOP is TRANSACTION only in POP3");
}

TEST_CASE("pop3 command: msg and n are 1*DIGIT in 32 bits (RFC 1939 §5, §7)", "[pop3][command]") {
  struct row {
    std::string_view text;
    bool ok;
    std::uint32_t value;
  };
  const row rows[] = {
      {"0", true, 0},
      {"1", true, 1},
      {"01", true, 1},
      {"0000000000000000000042", true, 42},
      {"4294967295", true, 4294967295u},
      {"4294967296", false, 0},
      {"9999999999", false, 0},
      {"42949672950", false, 0},
      {"", false, 0},
      {"-1", false, 0},
      {"+1", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"1a", false, 0},
      {"0x1", false, 0},
      {"\xef\xbc\x91", false, 0},  // FULLWIDTH DIGIT ONE
  };
  for (const row& r : rows) {
    INFO(r.text);
    const pop3::number_result got = pop3::parse_number(r.text);
    CHECK(got.ok == r.ok);
    if (r.ok) CHECK(got.value == r.value);
  }
  static_assert(pop3::parse_number("4294967295").value == 4294967295u);
}

TEST_CASE("pop3 command: the APOP digest is 32 hex digits, either case (RFC 1939 §7)",
          "[pop3][command]") {
  const std::string d32 = "c4c9334bac560ecc979e58001b3e22fb";
  CHECK(pop3::is_apop_digest(d32));
  CHECK(pop3::is_apop_digest("C4C9334BAC560ECC979E58001B3E22FB"));
  CHECK_FALSE(pop3::is_apop_digest(d32.substr(0, 31)));
  CHECK_FALSE(pop3::is_apop_digest(d32 + "0"));
  CHECK_FALSE(pop3::is_apop_digest(""));
  std::string g = d32;
  g[5] = 'g';
  CHECK_FALSE(pop3::is_apop_digest(g));
  g[5] = ' ';
  CHECK_FALSE(pop3::is_apop_digest(g));
}

TEST_CASE("pop3 command: SASL mechanism names are 1*20 of A-Z 0-9 - _ (RFC 4422 §3.1)",
          "[pop3][command]") {
  CHECK(pop3::is_mechanism_name("PLAIN"));
  CHECK(pop3::is_mechanism_name("SCRAM-SHA-256"));
  CHECK(pop3::is_mechanism_name("x_oauth2"));
  CHECK(pop3::is_mechanism_name(std::string(20, 'A')));
  CHECK_FALSE(pop3::is_mechanism_name(std::string(21, 'A')));
  CHECK_FALSE(pop3::is_mechanism_name(""));
  CHECK_FALSE(pop3::is_mechanism_name("PLA.N"));
  CHECK_FALSE(pop3::is_mechanism_name("PLAIN="));
}

TEST_CASE("pop3 command: LANG takes a basic language range or * (RFC 6856 §3, RFC 4647 §2.1)",
          "[pop3][command]") {
  for (const std::string_view ok :
       {"*", "en", "en-US", "fr-CA-x1", "i-klingon", "abcdefgh", "de-12345678", "sgn-BE-FR"}) {
    INFO(ok);
    CHECK(pop3::is_language_range(ok));
  }
  for (const std::string_view bad : {"", "**", "e*", "abcdefghi", "en-123456789", "-en", "en-",
                                     "en--us", "1en", "e_n", "en US", "\xc3\xa9n"}) {
    INFO(bad);
    CHECK_FALSE(pop3::is_language_range(bad));
  }
}

TEST_CASE("pop3 command: names are VCHAR or well-formed UTF-8 (RFC 2449 §3, RFC 6856 §2)",
          "[pop3][command]") {
  CHECK(pop3::check_name("mrose") == errc{});
  CHECK(pop3::check_name("a!~\"@b") == errc{});
  CHECK(pop3::check_name("j\xc3\xb6rg") == errc{});  // jörg
  CHECK(pop3::check_name("") == errc::invalid_syntax);
  CHECK(pop3::check_name("a b") == errc::invalid_syntax);
  CHECK(pop3::check_name("a\tb") == errc::invalid_syntax);
  CHECK(pop3::check_name("a\x7f") == errc::invalid_syntax);
  CHECK(pop3::check_name("j\xc3") == errc::invalid_utf8);         // cut short
  CHECK(pop3::check_name("\xc0\xaf") == errc::invalid_utf8);      // overlong
  CHECK(pop3::check_name("\xed\xa0\x80") == errc::invalid_utf8);  // surrogate
}

TEST_CASE("pop3 command: -ERR texts are short and specific (RFC 1939 §3)", "[pop3][command]") {
  CHECK(pop3::reply_text(errc::unknown_command) == "Unknown command");
  CHECK(pop3::reply_text(errc::line_too_long) == "Line too long");
  CHECK(pop3::reply_text(errc::data_after_starttls) == "Data after STLS discarded");
  CHECK(pop3::reply_text(errc::missing_argument) == "Missing argument");
  CHECK(pop3::reply_text(errc::invalid_argument) == "Invalid argument");  // sasl_server.hpp
  CHECK(pop3::reply_text(errc::buffer_too_small) == "Local error: buffer too small");
  // Codes POP3 does not use fall back to their description, never to "".
  CHECK(pop3::reply_text(errc::body_bare_lf) == describe(errc::body_bare_lf));
  for (int i = 1; i <= 60; ++i) {
    const std::string_view t = pop3::reply_text(static_cast<errc>(i));
    CHECK_FALSE(t.empty());
    for (const char c : t) CHECK((c != '\r' && c != '\n'));
  }
}
