// Round trips from the reply writer (smtp/reply_writer.hpp) through the reply
// parser (smtp/client_parser.hpp): every reply a writer builds is read back as
// the same reply: code, enhanced code, and the text of every line; the EHLO
// reply also folds back into the same capabilities (ehlo_folder). Each reply
// is read whole and one octet at a time. fuzz/smtp_reply_roundtrip.cpp runs
// the same property over fields taken raw from its input.
#include <mailwire/smtp/reply_writer.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mailwire/core/output.hpp>
#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/client_parser.hpp>

#include "catch.hpp"

using mailwire::appendable_sink;
using mailwire::errc;
using mailwire::reply_hint;
using mailwire::suggested_reply;
using mailwire::smtp::capabilities;
using mailwire::smtp::client_event;
using mailwire::smtp::client_event_kind;
using mailwire::smtp::client_parser;
using mailwire::smtp::client_parser_options;
using mailwire::smtp::ehlo_folder;
using mailwire::smtp::ehlo_limit;
using mailwire::smtp::enhanced_code;
using mailwire::smtp::extension;
using mailwire::smtp::max_auth_challenge_line;
using mailwire::smtp::max_reply_line;
using mailwire::smtp::sasl_mechanism;
using mailwire::smtp::write_auth_challenge;
using mailwire::smtp::write_ehlo_reply;
using mailwire::smtp::write_error_reply;
using mailwire::smtp::write_greeting;
using mailwire::smtp::write_reply;

namespace {

struct written {
  errc error;
  std::string bytes;
};

template <class F>
written run(F&& write) {
  std::string out;
  appendable_sink<std::string> sink(out);
  const errc e = write(sink);
  if (e != errc{}) CHECK(out.empty());
  return {e, out};
}

std::string enhanced_text(const enhanced_code& e) {
  char buf[enhanced_code::max_size];
  return std::string(buf, e.to_chars(buf));
}

/// One reply line as the parser gave it.
struct line {
  std::uint16_t code = 0;
  bool last = false;
  std::string enhanced;
  std::string text;

  friend bool operator==(const line& a, const line& b) {
    return a.code == b.code && a.last == b.last && a.enhanced == b.enhanced && a.text == b.text;
  }
};

/// Everything a parser gave for a stream.
struct reading {
  std::vector<line> lines;
  std::vector<errc> errors;
  int replies = 0;
  std::uint16_t code = 0;  ///< of the last reply
  std::string enhanced;    ///< of the last reply
  std::string text;        ///< of the last reply
  std::size_t count = 0;   ///< lines of the last reply

  friend bool operator==(const reading& a, const reading& b) {
    return a.lines == b.lines && a.errors == b.errors && a.replies == b.replies &&
           a.code == b.code && a.enhanced == b.enhanced && a.text == b.text && a.count == b.count;
  }
};

/// Reads `bytes` with a fresh client_parser<Cap>, fed in pieces of `step`
/// octets (each in its own heap block) or whole (step 0); calls on_line(text)
/// for every line event.
template <std::size_t Cap, class OnLine>
reading read_with(std::string_view bytes, const client_parser_options& o, std::size_t step,
                  OnLine&& on_line) {
  const auto p = std::make_unique<client_parser<Cap>>(o);
  reading r;
  const std::size_t piece = step == 0 ? bytes.size() : step;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const std::size_t n = std::min(piece, bytes.size() - at);
    const std::unique_ptr<char[]> block(new char[n]);
    std::copy(bytes.begin() + static_cast<std::ptrdiff_t>(at),
              bytes.begin() + static_cast<std::ptrdiff_t>(at + n), block.get());
    p->feed(std::string_view(block.get(), n));
    for (;;) {
      const client_event ev = p->next();
      if (ev.kind == client_event_kind::need_more) break;
      switch (ev.kind) {
        case client_event_kind::line:
          r.lines.push_back({ev.code, ev.last, enhanced_text(ev.enhanced), std::string(ev.text)});
          on_line(ev.text);
          break;
        case client_event_kind::reply:
          ++r.replies;
          r.code = ev.code;
          r.enhanced = enhanced_text(ev.enhanced);
          r.text = std::string(ev.text);
          r.count = ev.lines;
          break;
        case client_event_kind::error: r.errors.push_back(ev.error); break;
        case client_event_kind::need_more: break;
      }
    }
    std::fill(block.get(), block.get() + n, '#');  // a view kept too long reads garbage
  }
  CHECK(p->offset() == bytes.size());
  CHECK_FALSE(p->buffered());
  return r;
}

/// Reads `bytes` whole and one octet at a time; both must agree.
template <std::size_t Cap = 1024>
reading read(std::string_view bytes, const client_parser_options& o = {}) {
  const reading whole = read_with<Cap>(bytes, o, 0, [](std::string_view) {});
  CHECK(read_with<Cap>(bytes, o, 1, [](std::string_view) {}) == whole);
  return whole;
}

client_parser_options without_enhanced_codes() {
  client_parser_options o;
  o.parse_enhanced_codes = false;
  return o;
}

/// The reading of exactly one reply of `code` whose lines are `expected`
/// (enhanced code, text), with no error.
void check_one_reply(const reading& r, std::uint16_t code,
                     const std::vector<std::pair<std::string, std::string>>& expected) {
  CHECK(r.errors.empty());
  CHECK(r.replies == 1);
  REQUIRE(r.lines.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("line " << i);
    CHECK(r.lines[i] ==
          line{code, i + 1 == expected.size(), expected[i].first, expected[i].second});
  }
  CHECK(r.code == code);
  CHECK(r.count == expected.size());
  CHECK(r.enhanced == expected.back().first);
  CHECK(r.text == expected.back().second);
}

/// A client reads enhanced codes when the server uses them (RFC 2034 §3): the
/// round trip reads them exactly when the writer was given one.
client_parser_options reading_for(std::string_view enhanced) {
  return enhanced.empty() ? without_enhanced_codes() : client_parser_options{};
}

}  // namespace

TEST_CASE(
    "reply round trip: one line, with and without an enhanced code (RFC 5321 §4.2, "
    "RFC 2034 §4)",
    "[smtp][reply_roundtrip]") {
  struct sample {
    std::uint16_t code;
    std::string enhanced;
    std::string text;
  };
  const sample samples[] = {
      {250, "2.1.0", "Sender OK"},
      {250, "", "OK"},
      {250, "", ""},  // "250\r\n": the code alone
      {221, "2.0.0", "Bye"},
      {451, "4.3.0", "Local error: try again"},
      {550, "5.7.1", "a\tb"},
      {553, "5.1.3", "gr\xc3\xbc\xc3\x9f"},  // UTF-8 (RFC 6531)
      {354, "", "End data with <CR><LF>.<CR><LF>"},
      {354, "", "2.0.0 go ahead"},  // 3xx text is never read for a code
      {559, "5.999.999", "x"},
      {250, "", "text with trailing spaces  "},
      {214, "", "2.01.0 is no enhanced code"},
  };
  for (const sample& s : samples) {
    INFO(s.code << " [" << s.enhanced << "] " << s.text);
    const written w =
        run([&](auto& sink) { return write_reply(sink, s.code, s.enhanced, s.text); });
    REQUIRE(w.error == errc{});
    check_one_reply(read(w.bytes, reading_for(s.enhanced)), s.code, {{s.enhanced, s.text}});
  }
}

TEST_CASE(
    "reply round trip: a line of exactly 512 octets is read back, 513 is never written "
    "(RFC 5321 §4.5.3.1.5)",
    "[smtp][reply_roundtrip][limits]") {
  for (const std::string_view enhanced : {std::string_view(""), std::string_view("2.0.0")}) {
    const std::size_t room = max_reply_line - 6 - (enhanced.empty() ? 0 : enhanced.size() + 1);
    const std::string fits(room, 't');
    const written w = run([&](auto& s) { return write_reply(s, 250, enhanced, fits); });
    REQUIRE(w.error == errc{});
    CHECK(w.bytes.size() == max_reply_line);
    check_one_reply(read(w.bytes, reading_for(enhanced)), 250, {{std::string(enhanced), fits}});
    const std::string over(room + 1, 't');
    CHECK(run([&](auto& s) { return write_reply(s, 250, enhanced, over); }).error ==
          errc::line_too_long);
  }
}

TEST_CASE("reply round trip: every line of a multi-line reply (RFC 5321 §4.2.1)",
          "[smtp][reply_roundtrip][multiline]") {
  const std::vector<std::string_view> lines = {"mx.example.org", "", "second line", "last"};
  for (const std::string_view enhanced : {std::string_view(""), std::string_view("2.0.0")}) {
    std::vector<std::string_view> texts = lines;
    if (!enhanced.empty()) texts[1] = "x";  // with an enhanced code, text is required
    const written w =
        run([&](auto& s) { return write_reply(s, 250, enhanced, texts.data(), texts.size()); });
    REQUIRE(w.error == errc{});
    std::vector<std::pair<std::string, std::string>> expected;
    for (const std::string_view t : texts)
      expected.emplace_back(std::string(enhanced), std::string(t));
    check_one_reply(read(w.bytes, reading_for(enhanced)), 250, expected);
  }
  // The braced-list form writes the same reply.
  const written braced = run([](auto& s) { return write_reply(s, 214, "", {"a", "", "b"}); });
  REQUIRE(braced.error == errc{});
  check_one_reply(read(braced.bytes, without_enhanced_codes()), 214,
                  {{"", "a"}, {"", ""}, {"", "b"}});
}

TEST_CASE("reply round trip: a reply_hint is written and read as its three parts (RFC 3463 §2)",
          "[smtp][reply_roundtrip]") {
  const reply_hint hints[] = {
      {421, "4.4.2", "closing connection"},
      {250, "", "OK"},
      {530, "5.7.0", "Authentication required"},
  };
  for (const reply_hint& h : hints) {
    const written w = run([&](auto& s) { return write_reply(s, h); });
    REQUIRE(w.error == errc{});
    check_one_reply(read(w.bytes, reading_for(h.enhanced)), h.code,
                    {{std::string(h.enhanced), std::string(h.text)}});
  }
}

TEST_CASE("reply round trip: the suggested reply of every errc value (RFC 3463 §2)",
          "[smtp][reply_roundtrip][errc]") {
  for (int v = 0; v < 256; ++v) {
    const auto e = static_cast<errc>(v);
    INFO(v << " " << name(e));
    const written w = run([&](auto& s) { return write_error_reply(s, e); });
    REQUIRE(w.error == errc{});
    const reply_hint h = suggested_reply(e);
    check_one_reply(read(w.bytes), h.code, {{std::string(h.enhanced), std::string(h.text)}});
  }
}

TEST_CASE("reply round trip: the greeting is the domain, then the text (RFC 5321 §4.2, §3.1)",
          "[smtp][reply_roundtrip][greeting]") {
  struct sample {
    std::string domain, text;
  };
  const sample samples[] = {
      {"mx.example.org", "ESMTP ready"},
      {"[192.0.2.1]", ""},
      {"[IPv6:2001:db8::1:2]", "ready\tnow"},
      {"mx.example.org", " leading space"},
  };
  for (const sample& s : samples) {
    const written w = run([&](auto& sink) { return write_greeting(sink, s.domain, s.text); });
    REQUIRE(w.error == errc{});
    // No enhanced code in a greeting (RFC 2034 §3).
    check_one_reply(read(w.bytes, without_enhanced_codes()), 220,
                    {{"", s.domain + (s.text.empty() ? "" : " ") + s.text}});
  }
}

namespace {

/// Every extension and parameter set, and two unknown keywords.
capabilities full_capabilities() {
  capabilities c;
  c.set_size_limit(10240000);
  for (const extension e :
       {extension::eightbitmime, extension::pipelining, extension::chunking, extension::binarymime,
        extension::starttls, extension::dsn, extension::enhancedstatuscodes, extension::smtputf8,
        extension::requiretls, extension::rrvs, extension::etrn, extension::vrfy, extension::expn,
        extension::help})
    c.set(e);
  c.add_mechanism(sasl_mechanism::plain);
  c.add_mechanism(sasl_mechanism::scram_sha_256);
  REQUIRE(c.add_mechanism("x-custom_1") == errc{});
  REQUIRE(c.set_mt_priority("STANAG4406") == errc{});
  REQUIRE(c.set_deliverby_min_by_time(0) == errc{});
  REQUIRE(c.set_future_release(604800, "2030-12-31T23:59:59.5+01:00") == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptmax, 100) == errc{});
  REQUIRE(c.set_limit(ehlo_limit::rcptdomainmax, 999999) == errc{});
  REQUIRE(c.add_keyword("X-FOO a b") == errc{});
  REQUIRE(c.add_keyword("XEXCH50") == errc{});
  return c;
}

/// Writes `c` as an EHLO reply, reads it back and folds its lines.
capabilities ehlo_round_trip(const capabilities& c, std::string_view domain,
                             std::string_view greeting) {
  const written w = run([&](auto& s) { return write_ehlo_reply(s, domain, greeting, c); });
  REQUIRE(w.error == errc{});
  std::vector<std::string> expected;
  c.for_each_line([&](std::string_view l) { expected.emplace_back(l); });
  for (const std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{7}}) {
    INFO("step " << step);
    ehlo_folder folder;
    const reading r =
        read_with<1024>(w.bytes, without_enhanced_codes(), step,
                        [&](std::string_view text) { CHECK(folder.add(text) == errc{}); });
    std::vector<std::pair<std::string, std::string>> lines;
    lines.emplace_back("",
                       std::string(domain) + (greeting.empty() ? "" : " ") + std::string(greeting));
    for (const std::string& l : expected) lines.emplace_back("", l);
    check_one_reply(r, 250, lines);
    CHECK(folder.first_error() == errc{});
    CHECK(folder.lines() == lines.size());
    if (step == 7) return folder.result();
  }
  return {};
}

}  // namespace

TEST_CASE(
    "reply round trip: the EHLO reply folds back into the same capabilities "
    "(RFC 5321 §4.1.1.1)",
    "[smtp][reply_roundtrip][ehlo]") {
  SECTION("every extension and parameter") {
    const capabilities c = full_capabilities();
    CHECK(ehlo_round_trip(c, "mx.example.org", "Hello [192.0.2.1]") == c);
  }
  SECTION("no extensions: one line, the domain alone (RFC 5321 §4.1.1.1)") {
    CHECK(ehlo_round_trip(capabilities{}, "[192.0.2.1]", "") == capabilities{});
  }
  SECTION("the legacy AUTH= flag is never written, so it comes back clear (§6 item 20)") {
    capabilities c;
    c.add_mechanism(sasl_mechanism::login);
    c.set_legacy_auth_equals(true);
    capabilities expected = c;
    expected.set_legacy_auth_equals(false);
    CHECK(ehlo_round_trip(c, "a.example", "hi") == expected);
  }
  SECTION("what validate() refuses is not written") {
    capabilities c;
    c.set(extension::binarymime);  // without CHUNKING (RFC 3030 §3)
    CHECK(run([&](auto& s) { return write_ehlo_reply(s, "a.example", "", c); }).error ==
          errc::invalid_argument);
  }
}

TEST_CASE("reply round trip: a 334 challenge is read back as its base64 text (RFC 4954 §4)",
          "[smtp][reply_roundtrip][auth]") {
  for (const std::string& challenge :
       {std::string(), std::string("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"),
        std::string("MjUwIDIuMC4w")}) {
    const written w = run([&](auto& s) { return write_auth_challenge(s, challenge); });
    REQUIRE(w.error == errc{});
    check_one_reply(read(w.bytes), 334, {{"", challenge}});
  }
}

TEST_CASE(
    "reply round trip: a 12288-octet challenge needs a parser that takes such lines "
    "(RFC 4954 §4)",
    "[smtp][reply_roundtrip][auth][limits]") {
  // The longest base64 text (a multiple of four octets) that fits the line.
  const std::string challenge((max_auth_challenge_line - 6) / 4 * 4, 'A');
  const written w = run([&](auto& s) { return write_auth_challenge(s, challenge); });
  REQUIRE(w.error == errc{});
  CHECK(w.bytes.size() == max_auth_challenge_line - 2);
  client_parser_options o;
  o.max_line_length = max_auth_challenge_line;
  check_one_reply(read<max_auth_challenge_line>(w.bytes, o), 334, {{"", challenge}});
  // The default parser keeps to 512-octet reply lines (RFC 5321 §4.5.3.1.5).
  const reading r = read(w.bytes);
  CHECK(r.errors == std::vector<errc>{errc::line_too_long});
  CHECK(r.replies == 0);
}

TEST_CASE("reply round trip: text after an enhanced code may not start with SP (RFC 3463 §2)",
          "[smtp][reply_roundtrip][enhanced]") {
  // Readers take any run of SPs after the code as the separator, so leading
  // SPs in the text would not come back: the writer refuses them.
  const written w = run([](auto& s) { return write_reply(s, 250, "2.0.0", "   padded"); });
  CHECK(w.error == errc::invalid_argument);
  CHECK(w.bytes.empty());
  const written ok = run([](auto& s) { return write_reply(s, 250, "2.0.0", "padded  x"); });
  REQUIRE(ok.error == errc{});
  check_one_reply(read(ok.bytes), 250, {{"2.0.0", "padded  x"}});
}

TEST_CASE(
    "reply round trip: text shaped like an enhanced code needs the enhanced field (RFC 2034 §4)",
    "[smtp][reply_roundtrip][enhanced]") {
  // "250 2.1.5 ok" without an enhanced code would read back as one, and
  // "250 5.1.1 x" as an error: the writer refuses such text, and the
  // greeting and EHLO reply refuse such a domain.
  for (const char* text : {"2.1.5 ok", "5.1.1 x", "4.7.0"}) {
    INFO(text);
    const written w = run([&](auto& s) { return write_reply(s, 250, "", text); });
    CHECK(w.error == errc::invalid_argument);
    CHECK(w.bytes.empty());
  }
  const written as_code = run([](auto& s) { return write_reply(s, 250, "2.1.5", "ok"); });
  REQUIRE(as_code.error == errc{});
  check_one_reply(read(as_code.bytes), 250, {{"2.1.5", "ok"}});
  // Lookalikes that no reader takes for a code stay text.
  for (const char* text : {"2.01.5 ok", "8.1.1 x", "2.1.5x", "1.2.3.4 x"}) {
    INFO(text);
    const written w = run([&](auto& s) { return write_reply(s, 250, "", text); });
    REQUIRE(w.error == errc{});
    check_one_reply(read(w.bytes), 250, {{"", text}});
  }
  // 3xx replies carry no enhanced code, so their text is never read as one.
  const written challenge = run([](auto& s) { return write_reply(s, 354, "", "2.0.0 go"); });
  REQUIRE(challenge.error == errc{});
  check_one_reply(read(challenge.bytes), 354, {{"", "2.0.0 go"}});
  CHECK(run([](auto& s) { return write_greeting(s, "5.1.1", "ready"); }).error ==
        errc::invalid_argument);
  CHECK(run([](auto& s) { return write_ehlo_reply(s, "2.1.0", "hi", capabilities{}); }).error ==
        errc::invalid_argument);
}

namespace {

struct generator {
  std::mt19937_64 rng;
  explicit generator(std::uint64_t seed) : rng(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng() % n); }
  bool coin() { return (rng() & 1) != 0; }

  std::uint16_t code() {
    return static_cast<std::uint16_t>((2 + below(4)) * 100 + below(6) * 10 + below(10));
  }
  std::string enhanced(std::uint16_t code) {
    if (code / 100 == 3 || coin()) return {};
    return std::to_string(code / 100) + "." + std::to_string(below(1000)) + "." +
           std::to_string(below(1000));
  }
  /// textstring: HT and %d32-126, plus some UTF-8.
  std::string text(std::size_t max) {
    static const std::string utf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\xa7"};
    std::string t;
    for (std::size_t n = below(max + 1); t.size() < n;) {
      const std::size_t k = below(40);
      if (k == 0) {
        t += '\t';
      } else if (k == 1) {
        t += utf8[below(3)];
      } else {
        t += static_cast<char>(32 + below(95));
      }
    }
    while (t.size() > max) t.pop_back();  // may cut a UTF-8 sequence
    return t;
  }
};

bool valid_utf8_end(const std::string& t) {
  // A cut multi-octet sequence at the end: drop the test sample instead.
  std::size_t i = t.size();
  std::size_t tail = 0;
  while (i > 0 && (static_cast<unsigned char>(t[i - 1]) & 0xC0) == 0x80) {
    --i;
    ++tail;
  }
  if (i == 0 || static_cast<unsigned char>(t[i - 1]) < 0x80) return tail == 0;
  const auto lead = static_cast<unsigned char>(t[i - 1]);
  const std::size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  return tail == need;
}

}  // namespace

TEST_CASE(
    "reply round trip: property: random valid replies read back exactly "
    "(RFC 5321 §4.2, RFC 3463 §2)",
    "[smtp][reply_roundtrip][property]") {
  generator g(20240611);
  int multi = 0;
  for (int round = 0; round < 1500; ++round) {
    const std::uint16_t code = g.code();
    const std::string enhanced = g.enhanced(code);
    const std::size_t count = 1 + g.below(g.coin() ? 1 : 12);
    std::vector<std::string> texts;
    const std::size_t room = max_reply_line - 6 - (enhanced.empty() ? 0 : enhanced.size() + 1);
    while (texts.size() < count) {
      std::string t = g.text(g.coin() ? 40 : room);
      if (!valid_utf8_end(t)) continue;
      // With an enhanced code the text is required, and its leading spaces
      // would be part of the separator (RFC 3463 §2; tested above).
      if (!enhanced.empty()) {
        while (!t.empty() && t[0] == ' ') t.erase(0, 1);
        if (t.empty()) t = "x";
      }
      texts.push_back(t);
    }
    std::vector<std::string_view> views(texts.begin(), texts.end());
    const written w =
        run([&](auto& s) { return write_reply(s, code, enhanced, views.data(), views.size()); });
    INFO("round " << round << ": " << w.bytes);
    REQUIRE(w.error == errc{});
    std::vector<std::pair<std::string, std::string>> expected;
    for (const std::string& t : texts) expected.emplace_back(enhanced, t);
    const client_parser_options o = reading_for(enhanced);
    check_one_reply(read_with<1024>(w.bytes, o, 0, [](std::string_view) {}), code, expected);
    CHECK(read_with<1024>(w.bytes, o, 1 + g.below(16), [](std::string_view) {}) ==
          read_with<1024>(w.bytes, o, 0, [](std::string_view) {}));
    multi += count > 1;
  }
  CHECK(multi > 300);
}

TEST_CASE(
    "reply round trip: property: random capabilities fold back through the EHLO reply "
    "(RFC 5321 §4.1.1.1)",
    "[smtp][reply_roundtrip][ehlo][property]") {
  generator g(77);
  constexpr extension flags[] = {
      extension::eightbitmime, extension::pipelining,  extension::chunking,
      extension::starttls,     extension::dsn,         extension::enhancedstatuscodes,
      extension::requiretls,   extension::rrvs,        extension::etrn,
      extension::vrfy,         extension::expn,        extension::help,
      extension::deliverby,    extension::mt_priority, extension::size};
  for (int round = 0; round < 500; ++round) {
    capabilities c;
    for (const extension e : flags)
      if (g.coin()) c.set(e);
    if (g.coin()) c.set_size_limit(g.coin() ? 0 : g.rng());
    for (std::size_t m = g.below(4); m > 0; --m)
      c.add_mechanism(static_cast<sasl_mechanism>(g.below(12)));
    if (g.below(4) == 0) REQUIRE(c.add_mechanism("X-M" + std::to_string(g.below(50))) == errc{});
    if (g.below(4) == 0) REQUIRE(c.set_mt_priority(g.coin() ? "" : "MIXER") == errc{});
    if (g.below(4) == 0)
      REQUIRE(c.set_deliverby_min_by_time(static_cast<std::uint32_t>(g.below(1000000000))) ==
              errc{});
    if (g.below(4) == 0)
      REQUIRE(c.set_future_release(static_cast<std::uint32_t>(g.below(1000000000)),
                                   "2031-02-28T12:00:00Z") == errc{});
    if (g.below(4) == 0)
      REQUIRE(c.set_limit(static_cast<ehlo_limit>(g.below(3)),
                          static_cast<std::uint32_t>(1 + g.below(999999))) == errc{});
    if (c.has(extension::chunking) && g.coin()) c.set(extension::binarymime);
    if (c.has(extension::eightbitmime) && g.coin()) c.set(extension::smtputf8);
    for (std::size_t k = g.below(5); k > 0; --k) {
      std::string line = "X-K" + std::to_string(k);
      for (std::size_t p = g.below(3); p > 0; --p) line += " p" + std::to_string(g.below(100));
      REQUIRE(c.add_keyword(line) == errc{});
    }
    INFO("round " << round);
    REQUIRE(c.validate() == errc{});
    CHECK(ehlo_round_trip(c, "mx.example.org", g.coin() ? "" : "hi there") == c);
  }
}

TEST_CASE(
    "reply round trip: property: hostile text is refused or read back as written "
    "(docs/security.md §3)",
    "[smtp][reply_roundtrip][property][security]") {
  static const std::string pieces[] = {
      "ok",   "\r",   "\n",   std::string("\0", 1), "\r\n250 evil", " ",      "\t",
      "\x7f", "\x80", "\xc3", "\xc3\xa9",           "2.0.0",        "5.1.1 ", std::string(300, 'a'),
      "-",    "250-",
  };
  generator g(4242);
  int written_ok = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    for (std::size_t n = g.below(4); n > 0; --n) text += pieces[g.below(std::size(pieces))];
    const std::uint16_t code = g.code();
    const std::string enhanced = g.enhanced(code);
    const written w = run([&](auto& s) { return write_reply(s, code, enhanced, text); });
    if (w.error != errc{}) continue;
    ++written_ok;
    INFO("round " << round << ": " << w.bytes);
    // One line: its only CRLF at the end.
    CHECK(w.bytes.find_first_of(std::string_view("\r\n\0", 3)) == w.bytes.size() - 2);
    const reading r = read(w.bytes, reading_for(enhanced));
    std::string expected_text = text;
    if (!enhanced.empty())
      while (!expected_text.empty() && expected_text[0] == ' ') expected_text.erase(0, 1);
    check_one_reply(r, code, {{enhanced, expected_text}});
  }
  CHECK(written_ok > 500);
}
