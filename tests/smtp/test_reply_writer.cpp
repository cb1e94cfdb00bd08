// SMTP reply writers (RFC 5321 §4.2; RFC 2034 and 3463 enhanced codes; RFC
// 4954 §4 challenges): every field validated (docs/security.md §3), all or nothing.
#include <mailwire/smtp/reply_writer.hpp>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/writer_checks.hpp"

using mailwire::appendable_sink;
using mailwire::errc;
using mailwire::fixed_sink;
using mailwire::smtp::capabilities;
using mailwire::smtp::ehlo_limit;
using mailwire::smtp::extension;
using mailwire::smtp::sasl_mechanism;
using mailwire::smtp::write_auth_challenge;
using mailwire::smtp::write_auth_challenge_raw;
using mailwire::smtp::write_ehlo_reply;
using mailwire::smtp::write_error_reply;
using mailwire::smtp::write_greeting;
using mailwire::smtp::write_reply;

namespace {

using mailwire::test::check_all_or_nothing;
using mailwire::test::run;
using mailwire::test::written;

std::size_t count_crlf(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = s.find("\r\n"); i != std::string_view::npos; i = s.find("\r\n", i + 2)) ++n;
  return n;
}

capabilities everything() {
  capabilities c;
  c.set_size_limit(35882577);
  const extension flags[] = {extension::eightbitmime,
                             extension::pipelining,
                             extension::chunking,
                             extension::binarymime,
                             extension::starttls,
                             extension::dsn,
                             extension::enhancedstatuscodes,
                             extension::smtputf8,
                             extension::requiretls,
                             extension::rrvs,
                             extension::etrn,
                             extension::vrfy,
                             extension::expn,
                             extension::help};
  for (const auto e : flags) c.set(e);
  const sasl_mechanism mechs[] = {sasl_mechanism::plain,
                                  sasl_mechanism::login,
                                  sasl_mechanism::cram_md5,
                                  sasl_mechanism::xoauth2,
                                  sasl_mechanism::oauthbearer,
                                  sasl_mechanism::scram_sha_1,
                                  sasl_mechanism::scram_sha_1_plus,
                                  sasl_mechanism::scram_sha_256,
                                  sasl_mechanism::scram_sha_256_plus,
                                  sasl_mechanism::gssapi,
                                  sasl_mechanism::external,
                                  sasl_mechanism::anonymous};
  for (const auto m : mechs) c.add_mechanism(m);
  REQUIRE(c.add_mechanism("X-CUSTOM") == errc{});
  REQUIRE(c.set_mt_priority("MIXER") == errc{});
  REQUIRE(c.set_deliverby_min_by_time(240) == errc{});
  REQUIRE(c.set_future_release(604800, "2030-01-01T00:00:00Z") == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptmax, 100) == errc{});
  REQUIRE(c.set_limit(ehlo_limit::mailmax, 10) == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptdomainmax, 5) == errc{});
  REQUIRE(c.add_keyword("X-FOO a b") == errc{});
  REQUIRE(c.add_keyword("XCLIENT NAME ADDR") == errc{});
  c.set_legacy_auth_equals(true);  // read, never written
  return c;
}

}  // namespace

static_assert(noexcept(write_reply(std::declval<fixed_sink&>(), 250, "", "")));
static_assert(noexcept(write_greeting(std::declval<fixed_sink&>(), "", "")));
static_assert(noexcept(write_ehlo_reply(std::declval<fixed_sink&>(), "", "",
                                        std::declval<const capabilities&>())));
static_assert(noexcept(write_auth_challenge(std::declval<fixed_sink&>(), "")));
static_assert(noexcept(write_auth_challenge_raw(std::declval<fixed_sink&>(), "")));
static_assert(noexcept(write_error_reply(std::declval<fixed_sink&>(), errc{})));

// --- write_reply: one line --------------------------------------------------

TEST_CASE("reply: code, enhanced code and text on one line (RFC 5321 §4.2, RFC 2034 §4)",
          "[smtp][reply]") {
  auto r = run([](auto& s) { return write_reply(s, 250, "2.1.0", "Ok"); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250 2.1.0 Ok\r\n");
  r = run([](auto& s) { return write_reply(s, 550, "5.7.1", "Relaying denied"); });
  CHECK(r.bytes == "550 5.7.1 Relaying denied\r\n");
  r = run([](auto& s) { return write_reply(s, 421, "4.4.2", "mx.example.org closing"); });
  CHECK(r.bytes == "421 4.4.2 mx.example.org closing\r\n");
}

TEST_CASE("reply: an empty enhanced code means none (RFC 5321 §4.2)", "[smtp][reply]") {
  auto r = run([](auto& s) { return write_reply(s, 221, "", "Bye"); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "221 Bye\r\n");
  r = run(
      [](auto& s) { return write_reply(s, 354, "", "Start mail input; end with <CRLF>.<CRLF>"); });
  CHECK(r.bytes == "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
}

TEST_CASE("reply: empty text is the code alone, without SP (RFC 5321 §4.2, §6 item 2)",
          "[smtp][reply]") {
  auto r = run([](auto& s) { return write_reply(s, 250, "", ""); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250\r\n");
  // With an enhanced code there must be text after it (RFC 2034 §3 (4)).
  r = run([](auto& s) { return write_reply(s, 250, "2.0.0", ""); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
}

TEST_CASE("reply: codes are three digits 2-5, 0-5, 0-9 (RFC 5321 §4.2)", "[smtp][reply]") {
  for (const std::uint16_t good :
       {200, 211, 214, 220, 235, 250, 259, 334, 354, 421, 455, 500, 554, 555, 559, 250}) {
    INFO(good);
    const auto r = run([good](auto& s) { return write_reply(s, good, "", "x"); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == std::to_string(good) + " x\r\n");
  }
  for (const std::uint16_t bad : {0, 1, 99, 100, 199, 260, 299, 369, 600, 999, 1000, 2500, 65535}) {
    INFO(bad);
    const auto r = run([bad](auto& s) { return write_reply(s, bad, "", "x"); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("reply: enhanced codes follow RFC 3463 §2 and match the reply class (RFC 2034 §4)",
          "[smtp][reply][enhanced]") {
  struct sample {
    std::uint16_t code;
    std::string_view enhanced;
    bool ok;
  };
  const sample samples[] = {
      {250, "2.0.0", true},     {250, "2.999.999", true},  {250, "2.10.100", true},
      {451, "4.3.0", true},     {554, "5.7.1", true},      {552, "5.3.4", true},
      {250, "2.1000.0", false}, {250, "2.0.1000", false},  {250, "2.01.0", false},
      {250, "2.0.00", false},   {250, "2.00.0", false},    {250, "2.0.01", false},
      {250, "4.0.0", false},    {550, "4.0.0", false},     {450, "5.0.0", false},
      {354, "3.0.0", false},    {334, "3.0.0", false},     {354, "2.0.0", false},
      {250, "2.0", false},      {250, "2..0", false},      {250, "2.0.", false},
      {250, ".0.0", false},     {250, "2.0.0 ", false},    {250, " 2.0.0", false},
      {250, "2.0.0.0", false},  {250, "x.0.0", false},     {250, "2,0,0", false},
      {250, "2.a.0", false},    {250, "2.0.0\r\n", false}, {250, "22.0.0", false},
  };
  for (const auto& s : samples) {
    INFO(s.code << " " << std::string(s.enhanced));
    const auto r = run([&s](auto& sink) { return write_reply(sink, s.code, s.enhanced, "t"); });
    if (s.ok) {
      CHECK(r.error == errc{});
      CHECK(r.bytes == std::to_string(s.code) + " " + std::string(s.enhanced) + " t\r\n");
    } else {
      CHECK(r.error == errc::invalid_argument);
      CHECK(r.bytes.empty());
    }
  }
}

TEST_CASE("reply: text is textstring: HT and printable ASCII (RFC 5321 §4.2)",
          "[smtp][reply][text]") {
  std::string printable;
  for (int c = 32; c <= 126; ++c) printable += static_cast<char>(c);
  auto r = run([&](auto& s) { return write_reply(s, 250, "", printable); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250 " + printable + "\r\n");
  r = run([](auto& s) { return write_reply(s, 250, "", "a\tb"); });
  CHECK(r.bytes == "250 a\tb\r\n");
  r = run([](auto& s) { return write_reply(s, 250, "", "  leading and trailing  "); });
  CHECK(r.bytes == "250   leading and trailing  \r\n");
}

TEST_CASE("reply: CR, LF, NUL, DEL and every other control are refused (docs/security.md §3)",
          "[smtp][reply][text][security]") {
  for (int c = 0; c < 32; ++c) {
    if (c == '\t') continue;
    INFO(c);
    const std::string text = std::string("ab") + static_cast<char>(c) + "cd";
    const auto r = run([&](auto& s) { return write_reply(s, 250, "2.0.0", text); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
  const auto r = run([](auto& s) { return write_reply(s, 250, "", "a\x7f"); });
  CHECK(r.error == errc::invalid_argument);
}

TEST_CASE("reply: injection attempts write nothing (docs/security.md §3)",
          "[smtp][reply][security]") {
  for (const std::string_view text :
       {std::string_view("ok\r\n250 x"), std::string_view("ok\n250 x"),
        std::string_view("ok\r250 x"), std::string_view("ok\0x", 4), std::string_view("\r\n")}) {
    INFO(std::string(text));
    auto r = run([&](auto& s) { return write_reply(s, 250, "", text); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
    r = run([&](auto& s) { return write_reply(s, 250, "", {"fine", text}); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
    r = run([&](auto& s) { return write_greeting(s, "mx.example.org", text); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
    r = run([&](auto& s) { return write_ehlo_reply(s, "mx.example.org", text, capabilities{}); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
  auto r = run([](auto& s) { return write_greeting(s, "mx.example.org\r\n250 x", "hi"); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
  r = run([](auto& s) { return write_ehlo_reply(s, "mx\r\n", "", capabilities{}); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
  r = run([](auto& s) { return write_auth_challenge(s, "QUJD\r\n334 QUJD"); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
  capabilities c;
  CHECK(c.add_keyword("X-FOO\n250 X") == errc::invalid_argument);
  CHECK(c == capabilities{});
}

TEST_CASE("reply: UTF-8 text is allowed when well-formed (RFC 6531 §3.7, RFC 3629 §4)",
          "[smtp][reply][text][utf8]") {
  for (const std::string_view good :
       {"Gr\xc3\xbc\xc3\x9f"
        "e",
        "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x93\xa7 ok", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
        "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    INFO(std::string(good));
    const auto r = run([&](auto& s) { return write_reply(s, 551, "5.1.6", good); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "551 5.1.6 " + std::string(good) + "\r\n");
  }
  for (const std::string_view bad :
       {"\x80", "a\xbf", "\xc0\x80", "\xc1\xbf", "\xc3", "\xc3 ", "\xe0\x80\x80", "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xe6\x97", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
        "\xf0\x9f\x93"}) {
    INFO(std::string(bad));
    const auto r = run([&](auto& s) { return write_reply(s, 551, "5.1.6", bad); });
    CHECK(r.error == errc::invalid_utf8);
    CHECK(r.bytes.empty());
  }
  // A control is the graver fault, wherever it is.
  const auto r = run([](auto& s) { return write_reply(s, 250, "", "\xff\r\n"); });
  CHECK(r.error == errc::invalid_argument);
}

TEST_CASE("reply: a line is at most 512 octets with CRLF (RFC 5321 §4.5.3.1.5)",
          "[smtp][reply][limits]") {
  // "250 " + text + CRLF
  const std::string text506(506, 't');
  auto r = run([&](auto& s) { return write_reply(s, 250, "", text506); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  r = run([&](auto& s) { return write_reply(s, 250, "", text506 + "t"); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
  // "250 2.0.0 " + text + CRLF
  const std::string text500(500, 't');
  r = run([&](auto& s) { return write_reply(s, 250, "2.0.0", text500); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  r = run([&](auto& s) { return write_reply(s, 250, "2.0.0", text500 + "t"); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
  // The limit counts octets, not characters.
  std::string utf8;
  for (int i = 0; i < 253; ++i) utf8 += "\xc3\xa9";
  r = run([&](auto& s) { return write_reply(s, 250, "", utf8); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  r = run([&](auto& s) { return write_reply(s, 250, "", utf8 + "e"); });
  CHECK(r.error == errc::line_too_long);
}

TEST_CASE("reply: validation order is code, enhanced, text, length", "[smtp][reply]") {
  const std::string long_text(600, 't');
  auto r = run([&](auto& s) { return write_reply(s, 600, "", long_text); });
  CHECK(r.error == errc::invalid_argument);
  r = run([&](auto& s) { return write_reply(s, 250, "2.0.0", long_text + "\xff"); });
  CHECK(r.error == errc::invalid_utf8);
  r = run([&](auto& s) { return write_reply(s, 250, "2.0.0", long_text); });
  CHECK(r.error == errc::line_too_long);
}

TEST_CASE("reply: one-line reply is all or nothing at every sink size",
          "[smtp][reply][sink]") {
  check_all_or_nothing([](auto& s) { return write_reply(s, 250, "2.1.0", "Sender ok"); },
                       "250 2.1.0 Sender ok\r\n");
  check_all_or_nothing([](auto& s) { return write_reply(s, 250, "", ""); }, "250\r\n");
  check_all_or_nothing([](auto& s) { return write_reply(s, 221, "", "Bye"); }, "221 Bye\r\n");
}

TEST_CASE("reply: a sink that has already failed is refused and stays failed",
          "[smtp][reply][sink]") {
  char buf[64];
  fixed_sink sink(buf, 4);
  REQUIRE_FALSE(sink.append("12345"));
  REQUIRE(sink.failed());
  sink.truncate(0);
  CHECK(write_reply(sink, 250, "", "") == errc::buffer_too_small);
  CHECK(sink.failed());
  CHECK(sink.size() == 0);
}

TEST_CASE("reply: std::vector<char> is a sink too", "[smtp][reply][sink]") {
  std::vector<char> out = {'x'};
  appendable_sink<std::vector<char>> sink(out);
  CHECK(write_reply(sink, 250, "2.0.0", {"a", "b"}) == errc{});
  CHECK(std::string(out.begin(), out.end()) == "x250-2.0.0 a\r\n250 2.0.0 b\r\n");
  CHECK(write_reply(sink, 250, "", "\n") == errc::invalid_argument);
  CHECK(out.size() == 27);
}

// --- write_reply: multi-line ------------------------------------------------

TEST_CASE("reply: multi-line replies use code- on every line but the last (RFC 5321 §4.2.1)",
          "[smtp][reply][multiline]") {
  auto r = run([](auto& s) { return write_reply(s, 250, "2.0.0", {"a", "b"}); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250-2.0.0 a\r\n250 2.0.0 b\r\n");
  r = run([](auto& s) { return write_reply(s, 214, "", {"Commands:", "HELO EHLO", "End"}); });
  CHECK(r.bytes == "214-Commands:\r\n214-HELO EHLO\r\n214 End\r\n");
  r = run([](auto& s) { return write_reply(s, 250, "", {"only"}); });
  CHECK(r.bytes == "250 only\r\n");
  // Empty lines: "250-" continuation, "250" alone at the end (§6 item 2).
  r = run([](auto& s) { return write_reply(s, 250, "", {"", "x", ""}); });
  CHECK(r.bytes == "250-\r\n250-x\r\n250\r\n");
  r = run([](auto& s) { return write_reply(s, 250, "2.0.0", {"a", ""}); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
}

TEST_CASE("reply: multi-line pointer form and its argument checks", "[smtp][reply][multiline]") {
  const std::string_view lines[] = {"first", "second", "third"};
  auto r = run([&](auto& s) { return write_reply(s, 550, "5.1.1", lines, 3); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n");
  r = run([&](auto& s) { return write_reply(s, 550, "5.1.1", lines, 1); });
  CHECK(r.bytes == "550 5.1.1 first\r\n");
  r = run([&](auto& s) { return write_reply(s, 550, "5.1.1", lines, 0); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
  r = run([&](auto& s) { return write_reply(s, 550, "5.1.1", nullptr, 2); });
  CHECK(r.error == errc::invalid_argument);
  r = run(
      [](auto& s) { return write_reply(s, 250, "", std::initializer_list<std::string_view>{}); });
  CHECK(r.error == errc::invalid_argument);
  r = run([&](auto& s) { return write_reply(s, 354, "3.0.0", lines, 3); });
  CHECK(r.error == errc::invalid_argument);
}

TEST_CASE("reply: one bad line anywhere in a multi-line reply writes nothing",
          "[smtp][reply][multiline]") {
  const std::string long_line(507, 'x');
  const std::string ok_line(506, 'x');
  for (std::size_t bad_at = 0; bad_at < 4; ++bad_at) {
    INFO(bad_at);
    std::vector<std::string_view> lines(4, "fine");
    lines[bad_at] = long_line;
    auto r = run([&](auto& s) { return write_reply(s, 250, "", lines.data(), lines.size()); });
    CHECK(r.error == errc::line_too_long);
    CHECK(r.bytes.empty());
    lines[bad_at] = ok_line;
    r = run([&](auto& s) { return write_reply(s, 250, "", lines.data(), lines.size()); });
    CHECK(r.error == errc{});
    CHECK(count_crlf(r.bytes) == 4);
    lines[bad_at] = "bad\x01";
    r = run([&](auto& s) { return write_reply(s, 250, "", lines.data(), lines.size()); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("reply: multi-line reply is all or nothing at every sink size",
          "[smtp][reply][multiline][sink]") {
  check_all_or_nothing(
      [](auto& s) {
        return write_reply(s, 250, "2.0.0", {"one", "two", "three"});
      },
      "250-2.0.0 one\r\n250-2.0.0 two\r\n250 2.0.0 three\r\n");
}

TEST_CASE("reply: random valid multi-line replies have count CRLFs and the code on every line",
          "[smtp][reply][multiline][property]") {
  std::mt19937 rng(5321);
  auto pick = [&rng](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const std::uint16_t codes[] = {211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451,
                                 452, 500, 501, 502, 503, 504, 550, 551, 552, 553, 554};
  const std::string_view pieces[] = {
      "a",    "Z",    " ", "\t", "~", "0", "-", ".", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\xa7",
      "250 ", "250-", "\\"};
  for (int round = 0; round < 2000; ++round) {
    const std::uint16_t code = codes[pick(sizeof codes / sizeof codes[0])];
    std::string enhanced;
    if (code / 100 != 3 && pick(2) == 0)
      enhanced = std::to_string(code / 100) + "." + std::to_string(pick(1000)) + "." +
                 std::to_string(pick(1000));
    const std::size_t count = 1 + pick(12);
    std::vector<std::string> texts(count);
    for (auto& t : texts) {
      const std::size_t budget = 512 - 6 - (enhanced.empty() ? 0 : enhanced.size() + 1);
      for (std::size_t n = pick(60); n > 0; --n) {
        const std::string_view p = pieces[pick(sizeof pieces / sizeof pieces[0])];
        if (t.size() + p.size() <= budget) t += p;
      }
      if (!enhanced.empty() && t.empty()) t = "x";
      if (!enhanced.empty() && t[0] == ' ') t[0] = 'x';  // no SP right after the code
    }
    std::vector<std::string_view> views(texts.begin(), texts.end());
    const auto r =
        run([&](auto& s) { return write_reply(s, code, enhanced, views.data(), views.size()); });
    INFO("round " << round);
    REQUIRE(r.error == errc{});
    CHECK(count_crlf(r.bytes) == count);
    // No CR or LF outside the CRLFs.
    std::size_t cr = 0, lf = 0;
    for (const char c : r.bytes) {
      cr += c == '\r';
      lf += c == '\n';
    }
    CHECK(cr == count);
    CHECK(lf == count);
    std::string_view rest = r.bytes;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t end = rest.find("\r\n");
      REQUIRE(end != std::string_view::npos);
      const std::string_view line = rest.substr(0, end);
      CHECK(line.size() + 2 <= 512);
      REQUIRE(line.size() >= 3);
      CHECK(line.substr(0, 3) == std::to_string(code));
      const bool last = i + 1 == count;
      std::string expected = std::to_string(code);
      if (last && enhanced.empty() && texts[i].empty()) {
        CHECK(line == expected);
      } else {
        expected += last ? ' ' : '-';
        if (!enhanced.empty()) expected += enhanced + " ";
        expected += texts[i];
        CHECK(line == expected);
      }
      rest.remove_prefix(end + 2);
    }
    CHECK(rest.empty());
  }
}

// --- write_reply(reply_hint) and write_error_reply --------------------------

TEST_CASE("reply: every errc's suggested reply is writable (error.hpp)", "[smtp][reply][errc]") {
  for (int v = 0; v <= static_cast<int>(errc::invalid_uid) + 1; ++v) {
    const auto e = static_cast<errc>(v);
    INFO(std::string(mailwire::name(e)));
    const mailwire::reply_hint hint = mailwire::suggested_reply(e);
    const std::string expected = std::to_string(hint.code) + " " + std::string(hint.enhanced) +
                                 " " + std::string(hint.text) + "\r\n";
    auto r = run([&](auto& s) { return write_error_reply(s, e); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == expected);
    r = run([&](auto& s) { return write_reply(s, hint); });
    CHECK(r.bytes == expected);
  }
  auto r = run([](auto& s) { return write_error_reply(s, errc::bare_lf); });
  CHECK(r.bytes == "500 5.5.2 Bare LF not allowed\r\n");
  r = run([](auto& s) { return write_error_reply(s, static_cast<errc>(250)); });
  CHECK(r.bytes == "451 4.3.0 Local error\r\n");
  r = run([](auto& s) {
    return write_reply(s, mailwire::reply_hint{235, "2.7.0", "Authenticated"});
  });
  CHECK(r.bytes == "235 2.7.0 Authenticated\r\n");
  r = run([](auto& s) { return write_reply(s, mailwire::reply_hint{235, "4.7.0", "x"}); });
  CHECK(r.error == errc::invalid_argument);
  check_all_or_nothing([](auto& s) { return write_error_reply(s, errc::message_too_large); },
                       "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
}

// --- write_greeting ---------------------------------------------------------

TEST_CASE("greeting: 220 domain text, no enhanced code (RFC 5321 §4.2, RFC 2034 §3)",
          "[smtp][reply][greeting]") {
  auto r = run([](auto& s) { return write_greeting(s, "mx.example.org", "ESMTP ready"); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "220 mx.example.org ESMTP ready\r\n");
  r = run([](auto& s) { return write_greeting(s, "mx.example.org", ""); });
  CHECK(r.bytes == "220 mx.example.org\r\n");
  r = run([](auto& s) { return write_greeting(s, "[192.0.2.1]", "hi"); });
  CHECK(r.bytes == "220 [192.0.2.1] hi\r\n");
  r = run([](auto& s) { return write_greeting(s, "localhost", "a\tb"); });
  CHECK(r.bytes == "220 localhost a\tb\r\n");
  check_all_or_nothing([](auto& s) { return write_greeting(s, "mx.example.org", "ESMTP"); },
                       "220 mx.example.org ESMTP\r\n");
}

TEST_CASE("greeting: text is ASCII, SMTPUTF8 is not negotiated yet (RFC 6531 §3.7.1)",
          "[smtp][reply][greeting]") {
  auto r = run([](auto& s) {
    return write_greeting(s, "mx.example.org",
                          "Gr\xc3\xbc\xc3\x9f"
                          "e");
  });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
  r = run([](auto& s) { return write_greeting(s, "mx.example.org", "a\x7f"); });
  CHECK(r.error == errc::invalid_argument);
}

TEST_CASE("greeting: domains are LDH labels (RFC 5321 §4.1.2)", "[smtp][reply][domain]") {
  const std::string label63(63, 'a');
  for (const std::string& good :
       {std::string("localhost"), std::string("a"), std::string("1"), std::string("a-b.c-d"),
        std::string("123.example"), std::string("XN--bcher-kva.example"), label63 + ".example",
        std::string("a.b.c.d.e.f")}) {
    INFO(good);
    const auto r = run([&](auto& s) { return write_greeting(s, good, ""); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "220 " + good + "\r\n");
  }
  for (const std::string& bad :
       {std::string(""), std::string("-a.example"), std::string("a-.example"),
        std::string("a..example"), std::string("example."), std::string(".example"),
        std::string("a_b.example"), std::string("a b"), std::string("a@b"),
        std::string("b\xc3\xbc"
                    "cher.example"),
        label63 + "a.example", std::string("."), std::string("a.-"), std::string("a]"),
        std::string("192.0.2.1]")}) {
    INFO(bad);
    const auto r = run([&](auto& s) { return write_greeting(s, bad, ""); });
    CHECK(r.error == errc::invalid_domain);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("greeting: a domain is at most 255 octets (RFC 5321 §4.5.3.1.2)",
          "[smtp][reply][domain][limits]") {
  // 4 labels of 63 + 3 dots = 255.
  const std::string label(63, 'a');
  const std::string d255 = label + "." + label + "." + label + "." + label;
  REQUIRE(d255.size() == 255);
  auto r = run([&](auto& s) { return write_greeting(s, d255, ""); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "220 " + d255 + "\r\n");
  const std::string d256 = label + "." + label + "." + label + "." + std::string(62, 'b') + ".c";
  REQUIRE(d256.size() == 256);
  r = run([&](auto& s) { return write_greeting(s, d256, ""); });
  CHECK(r.error == errc::domain_too_long);
  CHECK(r.bytes.empty());
}

TEST_CASE("greeting: address literals (RFC 5321 §4.1.3)", "[smtp][reply][domain]") {
  for (const std::string_view good :
       {"[192.0.2.1]", "[0.0.0.0]", "[255.255.255.255]", "[01.002.3.4]", "[IPv6:2001:db8::1]",
        "[ipv6:2001:DB8::1]", "[IPv6:::1]", "[IPv6:::]", "[IPv6:1::]", "[IPv6:1:2:3:4:5:6:7:8]",
        "[IPv6:1:2:3::6:7:8]", "[IPv6:1:2:3:4:5:6:1.2.3.4]", "[IPv6:::ffff:192.0.2.1]",
        "[IPv6:1:2:3:4::192.0.2.1]", "[x-tag:any!thing~]", "[IPv7:z]", "[-tag:x]"}) {
    INFO(std::string(good));
    const auto r = run([&](auto& s) { return write_greeting(s, good, "hi"); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "220 " + std::string(good) + " hi\r\n");
  }
  for (const std::string_view bad : {"[]",
                                     "[",
                                     "[192.0.2.1",
                                     "[IPv6::]",
                                     "[256.0.0.1]",
                                     "[1.2.3]",
                                     "[1.2.3.4.5]",
                                     "[1.2.3.]",
                                     "[1.2.3.1000]",
                                     "[a.b.c.d]",
                                     "[IPv6:1:2:3:4:5:6:7]",
                                     "[IPv6:1:2:3:4:5:6:7:8:9]",
                                     "[IPv6:1::2::3]",
                                     "[IPv6:1:2:3:4:5:6:7::]",
                                     "[IPv6:1:2:3:4:5::1.2.3.4]",
                                     "[IPv6:12345::]",
                                     "[IPv6:1:]",
                                     "[IPv6::1:]",
                                     "[IPv6:]",
                                     "[IPv6:g::]",
                                     "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",
                                     "[tag-:x]",
                                     "[-:x]",
                                     "[tag:]",
                                     "[tag:a[b]",
                                     "[tag:a\\b]",
                                     "[tag:a b]",
                                     "[:x]",
                                     "[IPv6:::1] "}) {
    INFO(std::string(bad));
    const auto r = run([&](auto& s) { return write_greeting(s, bad, "hi"); });
    CHECK(r.error == errc::invalid_address_literal);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("greeting: the line is at most 512 octets (RFC 5321 §4.5.3.1.5)",
          "[smtp][reply][greeting][limits]") {
  // "220 " + "mx" + " " + text + CRLF = 512 -> text of 503.
  auto r = run([](auto& s) { return write_greeting(s, "mx", std::string(503, 't')); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  r = run([](auto& s) { return write_greeting(s, "mx", std::string(504, 't')); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
}

// --- write_ehlo_reply -------------------------------------------------------

TEST_CASE("ehlo: no extensions is one line (RFC 5321 §4.1.1.1)",
          "[smtp][reply][ehlo]") {
  auto r = run([](auto& s) {
    return write_ehlo_reply(s, "mx.example.org", "Hello client.example", capabilities{});
  });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250 mx.example.org Hello client.example\r\n");
  r = run([](auto& s) { return write_ehlo_reply(s, "mx.example.org", "", capabilities{}); });
  CHECK(r.bytes == "250 mx.example.org\r\n");
  check_all_or_nothing(
      [](auto& s) { return write_ehlo_reply(s, "mx.example.org", "hi", capabilities{}); },
      "250 mx.example.org hi\r\n");
}

TEST_CASE("ehlo: extensions follow the greeting line, the last with SP (RFC 5321 §4.2.1)",
          "[smtp][reply][ehlo]") {
  capabilities c;
  c.set(extension::pipelining);
  auto r = run([&](auto& s) { return write_ehlo_reply(s, "mx.example.org", "hi", c); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "250-mx.example.org hi\r\n250 PIPELINING\r\n");
  c.set_size_limit(0);
  r = run([&](auto& s) { return write_ehlo_reply(s, "[IPv6:2001:db8::25]", "", c); });
  CHECK(r.bytes == "250-[IPv6:2001:db8::25]\r\n250-SIZE\r\n250 PIPELINING\r\n");
}

TEST_CASE("ehlo: a server advertising every known extension, byte for byte",
          "[smtp][reply][ehlo]") {
  const std::string_view expected =
      "250-mx.example.org Hello client.example [192.0.2.7]\r\n"
      "250-SIZE 35882577\r\n"
      "250-8BITMIME\r\n"
      "250-PIPELINING\r\n"
      "250-CHUNKING\r\n"
      "250-BINARYMIME\r\n"
      "250-STARTTLS\r\n"
      "250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER SCRAM-SHA-1 SCRAM-SHA-1-PLUS "
      "SCRAM-SHA-256 SCRAM-SHA-256-PLUS GSSAPI EXTERNAL ANONYMOUS X-CUSTOM\r\n"
      "250-DSN\r\n"
      "250-ENHANCEDSTATUSCODES\r\n"
      "250-SMTPUTF8\r\n"
      "250-REQUIRETLS\r\n"
      "250-MT-PRIORITY MIXER\r\n"
      "250-DELIVERBY 240\r\n"
      "250-FUTURERELEASE 604800 2030-01-01T00:00:00Z\r\n"
      "250-RRVS\r\n"
      "250-ETRN\r\n"
      "250-VRFY\r\n"
      "250-EXPN\r\n"
      "250-HELP\r\n"
      "250-LIMITS RCPTMAX=100 MAILMAX=10 RCPTDOMAINMAX=5\r\n"
      "250-X-FOO a b\r\n"
      "250 XCLIENT NAME ADDR\r\n";
  const capabilities c = everything();
  const auto r = run([&](auto& s) {
    return write_ehlo_reply(s, "mx.example.org", "Hello client.example [192.0.2.7]", c);
  });
  CHECK(r.error == errc{});
  CHECK(r.bytes == expected);
  CHECK(r.bytes.find("AUTH=") == std::string::npos);
  check_all_or_nothing(
      [&](auto& s) {
        return write_ehlo_reply(s, "mx.example.org", "Hello client.example [192.0.2.7]", c);
      },
      expected);
}

TEST_CASE("ehlo: capabilities that break an RFC dependency are refused, nothing written",
          "[smtp][reply][ehlo]") {
  capabilities auth_without_mechanism;
  auth_without_mechanism.set(extension::auth);
  capabilities binarymime_alone;
  binarymime_alone.set(extension::binarymime);
  capabilities utf8_without_8bit;
  utf8_without_8bit.set(extension::smtputf8);
  for (const capabilities* c : {&auth_without_mechanism, &binarymime_alone, &utf8_without_8bit}) {
    const auto r = run([&](auto& s) { return write_ehlo_reply(s, "mx.example.org", "hi", *c); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("ehlo: domain and greeting are checked like the greeting's (RFC 5321 §4.1.1.1)",
          "[smtp][reply][ehlo]") {
  const capabilities c = everything();
  auto r = run([&](auto& s) { return write_ehlo_reply(s, "", "hi", c); });
  CHECK(r.error == errc::invalid_domain);
  r = run([&](auto& s) { return write_ehlo_reply(s, "mx..example", "hi", c); });
  CHECK(r.error == errc::invalid_domain);
  r = run([&](auto& s) { return write_ehlo_reply(s, "[1.2.3.4.5]", "hi", c); });
  CHECK(r.error == errc::invalid_address_literal);
  r = run([&](auto& s) { return write_ehlo_reply(s, "mx", "\xc3\xa9", c); });
  CHECK(r.error == errc::invalid_argument);
  r = run([&](auto& s) { return write_ehlo_reply(s, "mx", std::string_view("a\0b", 3), c); });
  CHECK(r.error == errc::invalid_argument);
  CHECK(r.bytes.empty());
}

TEST_CASE("ehlo: the first line is at most 512 octets (RFC 5321 §4.5.3.1.5)",
          "[smtp][reply][ehlo][limits]") {
  capabilities c;
  c.set(extension::dsn);
  // "250-" + "mx" + " " + greeting + CRLF = 512 -> greeting of 503.
  auto r = run([&](auto& s) { return write_ehlo_reply(s, "mx", std::string(503, 'g'), c); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.find("\r\n") == 510);
  r = run([&](auto& s) { return write_ehlo_reply(s, "mx", std::string(504, 'g'), c); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
  // A keyword line of 506 octets makes a 512-octet reply line.
  REQUIRE(c.add_keyword("X-LONG " + std::string(499, 'k')) == errc{});
  r = run([&](auto& s) { return write_ehlo_reply(s, "mx", "", c); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() - r.bytes.rfind("250 X-LONG") == 512);
}

// --- write_auth_challenge ---------------------------------------------------

TEST_CASE("auth: 334 challenge with base64, or 334 SP for empty (RFC 4954 §4)",
          "[smtp][reply][auth]") {
  auto r = run([](auto& s) { return write_auth_challenge(s, "VXNlcm5hbWU6"); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "334 VXNlcm5hbWU6\r\n");
  r = run([](auto& s) { return write_auth_challenge(s, ""); });
  CHECK(r.bytes == "334 \r\n");
  r = run([](auto& s) { return write_auth_challenge(s, "Zm9vYg=="); });
  CHECK(r.bytes == "334 Zm9vYg==\r\n");
  check_all_or_nothing([](auto& s) { return write_auth_challenge(s, "UGFzc3dvcmQ6"); },
                       "334 UGFzc3dvcmQ6\r\n");
  check_all_or_nothing([](auto& s) { return write_auth_challenge(s, ""); }, "334 \r\n");
}

TEST_CASE("auth: challenges must be strict base64 (RFC 4648 §4, RFC 4954 §4)",
          "[smtp][reply][auth]") {
  for (const std::string_view bad :
       {"abc", "=", "*", "QUJD=", "QU JD", "=AAA", "AAA=BBBB", "QR==", "QUJD ", "QUJ\xc3\xa9"}) {
    INFO(std::string(bad));
    const auto r = run([&](auto& s) { return write_auth_challenge(s, bad); });
    CHECK(r.error == errc::invalid_base64);
    CHECK(r.bytes.empty());
  }
  for (const std::string_view bad : {std::string_view("QUJD\r\n"), std::string_view("QU\nJD"),
                                     std::string_view("QUJD\0", 5), std::string_view("QU\tJ")}) {
    const auto r = run([&](auto& s) { return write_auth_challenge(s, bad); });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
}

TEST_CASE("auth: a raw challenge is sent base64-encoded (RFC 4954 §4, RFC 2195 §2)",
          "[smtp][reply][auth]") {
  // RFC 2195 §2's CRAM-MD5 challenge and its encoding on the wire.
  constexpr std::string_view stamp = "<1896.697170952@postoffice.reston.mci.net>";
  auto r = run([&](auto& s) { return write_auth_challenge_raw(s, stamp); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  r = run([](auto& s) { return write_auth_challenge_raw(s, ""); });
  CHECK(r.bytes == "334 \r\n");
  // Any octets: CR, LF and NUL travel inside the base64.
  r = run([](auto& s) { return write_auth_challenge_raw(s, std::string_view("\r\n\0", 3)); });
  CHECK(r.bytes == "334 DQoA\r\n");
  check_all_or_nothing([&](auto& s) { return write_auth_challenge_raw(s, stamp); },
                       "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
  // 9210 octets encode to 12280 characters: a 12286-octet line; 9213 do not fit.
  r = run([](auto& s) { return write_auth_challenge_raw(s, std::string(9210, 'x')); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 12286);
  r = run([](auto& s) { return write_auth_challenge_raw(s, std::string(9213, 'x')); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
}

TEST_CASE("auth: a challenge line is at most 12288 octets (RFC 4954 §4)",
          "[smtp][reply][auth][limits]") {
  // "334 " + n + CRLF; n is a multiple of 4, so 12286 and 12290 bracket the limit.
  const std::string ok(12280, 'A');
  auto r = run([&](auto& s) { return write_auth_challenge(s, ok); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 12286);
  const std::string too_long(12284, 'A');
  r = run([&](auto& s) { return write_auth_challenge(s, too_long); });
  CHECK(r.error == errc::line_too_long);
  CHECK(r.bytes.empty());
}
