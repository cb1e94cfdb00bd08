// RFC 5321 paths (§4.1.2), address literals (§4.1.3), length limits
// (§4.5.3.1), SMTPUTF8 addresses (RFC 6531 §3.3) and the least-quoting
// writer. Every parse runs on an exact-size heap copy of its input, so a read
// past the text shows up under AddressSanitizer.
#include <mailwire/smtp/path.hpp>

#include <cstddef>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <string_view>

#include "catch.hpp"

namespace smtp = mailwire::smtp;
using mailwire::errc;
using smtp::domain_kind;
using smtp::path_kind;
using smtp::path_options;

namespace {

// The input's bytes in a heap block of exactly their size, and the result
// whose views point into it.
struct parsed {
  std::unique_ptr<char[]> buffer;
  std::string_view text;
  smtp::path_result r;
};

parsed parse(std::string_view input, const path_options& o = {}) {
  parsed p;
  p.buffer.reset(new char[input.size()]);
  for (std::size_t i = 0; i < input.size(); ++i) p.buffer[i] = input[i];
  p.text = std::string_view(p.buffer.get(), input.size());
  p.r = smtp::parse_path(p.text, o);
  if (p.r.ok()) {
    const char* const first = p.text.data();
    const char* const last = first + p.text.size();
    for (const std::string_view v :
         {p.r.path.local_part, p.r.path.domain, p.r.path.address, p.r.path.tag}) {
      if (!v.empty()) REQUIRE((v.data() >= first && v.data() + v.size() <= last));
    }
    REQUIRE(p.r.consumed <= p.text.size());
  } else {
    REQUIRE(p.r.error_offset <= p.text.size());
  }
  return p;
}

path_options with_null() {
  path_options o;
  o.allow_null = true;
  return o;
}
path_options with_postmaster() {
  path_options o;
  o.allow_postmaster = true;
  return o;
}
path_options with_utf8() {
  path_options o;
  o.utf8 = true;
  return o;
}
path_options bare() {
  path_options o;
  o.allow_missing_brackets = true;
  return o;
}
path_options no_limits() {
  path_options o;
  o.enforce_length_limits = false;
  return o;
}

// A failed parse: its error and offset, for one CHECK.
struct failure {
  errc error;
  std::size_t offset;
  bool operator==(const failure& o) const { return error == o.error && offset == o.offset; }
};

failure fails(std::string_view input, const path_options& o = {}) {
  const parsed p = parse(input, o);
  return {p.r.error, p.r.error_offset};
}

// Asserts success and returns the parse (kept alive for its views).
parsed ok(std::string_view input, const path_options& o = {}) {
  parsed p = parse(input, o);
  INFO("input: " << input << " error: " << mailwire::name(p.r.error) << " at " << p.r.error_offset);
  REQUIRE(p.r.ok());
  return p;
}

std::string unquote(std::string_view local_part) {
  std::string out(local_part.size(), '\0');
  const auto r = smtp::unquote_local_part(local_part, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

std::string written_local_part(std::string_view unquoted, bool utf8 = false,
                               errc* error = nullptr) {
  std::string out;
  mailwire::appendable_sink<std::string> sink(out);
  const errc e = smtp::write_local_part(sink, unquoted, utf8);
  if (error != nullptr) *error = e;
  return out;
}

std::string written_mailbox(const smtp::path& p, errc* error = nullptr) {
  std::string out;
  mailwire::appendable_sink<std::string> sink(out);
  const errc e = smtp::write_mailbox(sink, p);
  if (error != nullptr) *error = e;
  return out;
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A domain name of exactly n octets (n >= 1): labels of 49 octets and a
// last one of 1 to 50.
std::string domain_of(std::size_t n) {
  std::string d;
  while (n > 50) {
    d += std::string(49, 'd') + ".";
    n -= 50;
  }
  return d + std::string(n, 'e');
}

std::string one_octet(unsigned c) { return std::string(1, static_cast<char>(c)); }

// The ABNF's character sets, spelled out by enumeration.
constexpr std::string_view atext_set =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/=?^_`{|}~";
constexpr std::string_view ldh_set =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
bool in_set(std::string_view set, unsigned c) {
  return c < 0x80 && set.find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

// ---------------------------------------------------------------------------
// constexpr use

namespace {
constexpr bool constexpr_parse() {
  smtp::path_options o;
  o.allow_null = true;
  const auto a = smtp::parse_path("<\"a b\"@[IPv6:::1]> SIZE=1", o);
  const auto n = smtp::parse_path("<>", o);
  char out[8] = {};
  const auto u = smtp::unquote_local_part("\"a\\\"b\"", out, sizeof out);
  return a.ok() && a.consumed == 18 && a.path.quoted && a.path.domain_type == domain_kind::ipv6 &&
         a.path.address == "::1" && n.ok() && n.path.kind == path_kind::null && u.ok() &&
         std::string_view(out, u.size) == "a\"b" && smtp::check_domain("example.com") == errc{} &&
         smtp::check_domain_or_literal("[192.0.2.1]") == errc{} &&
         smtp::parse_address_literal("[x-tag:abc]").tag == "x-tag" && smtp::is_dot_string("a.b") &&
         !smtp::is_dot_string("a..b") &&
         smtp::parse_path("<a..b@c>").error == errc::invalid_local_part;
}
}  // namespace
static_assert(constexpr_parse(), "the parsers are usable in constant expressions");

// ---------------------------------------------------------------------------
// Structure: null path, postmaster, brackets, source routes

TEST_CASE("path: \"<>\" is the null reverse-path, only with allow_null (RFC 5321 §4.1.1.2, §3.6.3)",
          "[smtp][path]") {
  const parsed p = ok("<>", with_null());
  CHECK(p.r.path.kind == path_kind::null);
  CHECK(p.r.consumed == 2);
  CHECK(p.r.path.local_part.empty());
  CHECK(p.r.path.domain.empty());
  // MAIL FROM:<> SIZE=10 RET=HDRS (RFC 5321 §4.1.2): parameters are the caller's.
  CHECK(ok("<> SIZE=10 RET=HDRS", with_null()).r.consumed == 2);
  // RCPT TO:<> is not valid.
  CHECK(fails("<>") == failure{errc::null_path_not_allowed, 0});
  CHECK(fails("<> SIZE=10") == failure{errc::null_path_not_allowed, 0});
  CHECK(written_mailbox(p.r.path).empty());
}

TEST_CASE("path: <Postmaster> in any case only with allow_postmaster (RFC 5321 §4.1.1.3, §4.5.1)",
          "[smtp][path]") {
  for (const std::string_view spelling : {"Postmaster", "postMASTER", "POSTMASTER", "postmaster"}) {
    const std::string text = "<" + std::string(spelling) + ">";
    const parsed p = ok(text, with_postmaster());
    CHECK(p.r.path.kind == path_kind::postmaster);
    CHECK(p.r.path.local_part == spelling);  // as received
    CHECK(p.r.path.domain.empty());
    CHECK(p.r.consumed == 12);
    CHECK(written_mailbox(p.r.path) == spelling);
    // Without the option it is a mailbox with no "@".
    CHECK(fails(text) == failure{errc::invalid_path, 11});
  }
  CHECK(ok("<Postmaster> NOTIFY=NEVER", with_postmaster()).r.consumed == 12);
  // <Postmaster@domain> is an ordinary mailbox, with or without the option.
  for (const path_options& o : {path_options{}, with_postmaster()}) {
    const parsed p = ok("<Postmaster@example.com>", o);
    CHECK(p.r.path.kind == path_kind::mailbox);
    CHECK(p.r.path.local_part == "Postmaster");
    CHECK(p.r.path.domain == "example.com");
  }
  // Near misses are not the special form.
  CHECK(fails("<Postmasterx>", with_postmaster()) == failure{errc::invalid_path, 12});
  CHECK(fails("<Postmaste>", with_postmaster()) == failure{errc::invalid_path, 10});
  CHECK(fails("<@a:Postmaster>", with_postmaster()) == failure{errc::invalid_path, 14});
  CHECK(fails("<Postmaster", with_postmaster()) == failure{errc::invalid_path, 11});
  CHECK(fails("<\"Postmaster\">", with_postmaster()) == failure{errc::invalid_path, 13});
}

TEST_CASE("path: a mailbox path and its parts (RFC 5321 §4.1.2)", "[smtp][path]") {
  const parsed p = ok("<User.Name+tag@Mail.Example.COM> SIZE=100");
  CHECK(p.r.path.kind == path_kind::mailbox);
  CHECK(p.r.path.local_part == "User.Name+tag");  // case kept (§2.4)
  CHECK(p.r.path.domain == "Mail.Example.COM");
  CHECK(p.r.path.domain_type == domain_kind::name);
  CHECK(p.r.path.address.empty());
  CHECK(p.r.path.tag.empty());
  CHECK_FALSE(p.r.path.quoted);
  CHECK_FALSE(p.r.path.utf8);
  CHECK_FALSE(p.r.path.source_route);
  CHECK(p.r.consumed == 32);
  // Every atext special, and single-octet parts.
  CHECK(ok("<!#$%&'*+-/=?^_`{|}~@x>").r.path.local_part == "!#$%&'*+-/=?^_`{|}~");
  CHECK(ok("<a@b>").r.consumed == 5);
}

TEST_CASE("path: source routes are accepted and dropped (RFC 5321 §4.1.1.3, §C, §F.2)",
          "[smtp][path]") {
  const parsed p = ok("<@a.example,@b.example:user@c.example> SIZE=1");
  CHECK(p.r.path.source_route);
  CHECK(p.r.path.local_part == "user");
  CHECK(p.r.path.domain == "c.example");
  CHECK(p.r.consumed == 38);
  CHECK(written_mailbox(p.r.path) == "user@c.example");  // never copied (§F.2)
  CHECK(ok("<@a:u@c>").r.path.source_route);
  CHECK(ok("<@a:\"x y\"@[1.2.3.4]>").r.path.domain == "[1.2.3.4]");
  // A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain.
  CHECK(fails("<@:u@c>") == failure{errc::invalid_path, 2});           // empty domain
  CHECK(fails("<@a,:u@c>") == failure{errc::invalid_path, 4});         // "," without "@"
  CHECK(fails("<@a,@:u@c>") == failure{errc::invalid_path, 5});        // empty second domain
  CHECK(fails("<@a u@c>") == failure{errc::invalid_path, 3});          // SP instead of ":"
  CHECK(fails("<@a>") == failure{errc::invalid_path, 3});              // no ":" at all
  CHECK(fails("<@a,@b>") == failure{errc::invalid_path, 6});           // no ":"
  CHECK(fails("<@a") == failure{errc::invalid_path, 3});               // text ends
  CHECK(fails("<@a,b:u@c>") == failure{errc::invalid_path, 4});        // second hop without "@"
  CHECK(fails("<@a_b:u@c>") == failure{errc::invalid_path, 3});        // bad domain
  CHECK(fails("<@-a:u@c>") == failure{errc::invalid_path, 2});         // label starts with "-"
  CHECK(fails("<@a.:u@c>") == failure{errc::invalid_path, 4});         // trailing dot
  CHECK(fails("<@[1.2.3.4]:u@c>") == failure{errc::invalid_path, 2});  // Domain only
  CHECK(fails("<@a;@b:u@c>") == failure{errc::invalid_path, 3});
  // The mailbox after the route is checked as usual.
  CHECK(fails("<@a:>") == failure{errc::invalid_path, 4});
  CHECK(fails("<@a:u>") == failure{errc::invalid_path, 5});
  CHECK(fails("<@a:@b>") == failure{errc::invalid_local_part, 4});
  CHECK(fails("<@a:u@>") == failure{errc::invalid_domain, 6});
  CHECK(fails("<@>") == failure{errc::invalid_path, 2});
}

TEST_CASE(
    "path: brackets present, balanced and not nested (RFC 5321 §4.1.2, §3.3; docs/security.md §7)",
    "[smtp][path]") {
  CHECK(fails("") == failure{errc::invalid_path, 0});
  CHECK(fails("a@b") == failure{errc::invalid_path, 0});     // §3.3, §6 item 8
  CHECK(fails(" <a@b>") == failure{errc::invalid_path, 0});  // MAIL FROM: <a@b>
  CHECK(fails(">") == failure{errc::invalid_path, 0});
  CHECK(fails("<") == failure{errc::invalid_path, 1});
  CHECK(fails("<a@b") == failure{errc::invalid_path, 4});         // no ">"
  CHECK(fails("<a@b SIZE=1") == failure{errc::invalid_path, 4});  // no ">" before SP
  CHECK(fails("<a@b c>") == failure{errc::invalid_path, 4});
  CHECK(fails("<<a@b>>") == failure{errc::invalid_path, 1});  // nested
  CHECK(fails("<a<b@c>") == failure{errc::invalid_path, 2});
  CHECK(fails("<a@b<c>") == failure{errc::invalid_path, 4});
  CHECK(fails("<a@b<>") == failure{errc::invalid_path, 4});
  CHECK(fails("<a>") == failure{errc::invalid_path, 2});  // no "@"
  CHECK(fails("<a>@b>") == failure{errc::invalid_path, 2});
  CHECK(fails("<ab") == failure{errc::invalid_path, 3});
  // The path stops at its ">"; what follows, a second ">" too, is the caller's.
  CHECK(ok("<a@b>>").r.consumed == 5);
  CHECK(ok("<a@b>c").r.consumed == 5);
}

// ---------------------------------------------------------------------------
// Local part

TEST_CASE("path: dot-string needs non-empty atoms (RFC 5321 §4.1.2)",
          "[smtp][path]") {
  CHECK(ok("<a.b.c@x>").r.path.local_part == "a.b.c");
  CHECK(ok("<a.b-c.d_e@x>").r.path.local_part == "a.b-c.d_e");
  CHECK(fails("<.a@x>") == failure{errc::invalid_local_part, 1});    // leading dot
  CHECK(fails("<a.@x>") == failure{errc::invalid_local_part, 3});    // trailing dot
  CHECK(fails("<a..b@x>") == failure{errc::invalid_local_part, 3});  // double dot
  CHECK(fails("<.@x>") == failure{errc::invalid_local_part, 1});
  CHECK(fails("<..@x>") == failure{errc::invalid_local_part, 1});
  CHECK(fails("<a.>") == failure{errc::invalid_local_part, 3});
  CHECK(fails("<@x>") == failure{errc::invalid_path, 3});  // a route "@x" without ":"
  // Quoted, the same content is fine (§6 item 14).
  CHECK(ok("<\"a..b\"@x>").r.path.local_part == "\"a..b\"");
  CHECK(ok("<\".a.\"@x>").r.path.quoted);
}

TEST_CASE("path: dot-string octets are atext or \".\" (RFC 5321 §4.1.2, RFC 5322 §3.2.3)",
          "[smtp][path]") {
  for (unsigned c = 0; c < 256; ++c) {
    if (c == '@') continue;  // "<a@b@x>": a second "@" lands in the domain
    const std::string text = "<a" + one_octet(c) + "b@x>";
    INFO("octet " << c);
    const parsed p = parse(text);
    if (in_set(atext_set, c) || c == '.') {
      CHECK(p.r.ok());
    } else if (c == '<' || c == '>') {
      CHECK(failure{p.r.error, p.r.error_offset} == failure{errc::invalid_path, 2});
    } else if (c >= 0x80) {
      // A lone octet >= 0x80 followed by "b" is never well-formed UTF-8.
      CHECK(failure{p.r.error, p.r.error_offset} == failure{errc::invalid_utf8, 2});
    } else {
      CHECK(failure{p.r.error, p.r.error_offset} == failure{errc::invalid_local_part, 2});
    }
  }
  CHECK(fails("<a@b@x>") == failure{errc::invalid_domain, 4});
  CHECK(fails(std::string("<a\0b@x>", 7)) == failure{errc::invalid_local_part, 2});
  CHECK(fails("<a\r\nb@x>") == failure{errc::invalid_local_part, 2});
}

TEST_CASE("path: quoted local part keeps its quotes and quoted-pairs (RFC 5321 §4.1.2)",
          "[smtp][path]") {
  // ">" and SP inside quotes do not end the path (RFC 5321 §4.1.2).
  const parsed p = ok("<\"a b>c\"@x> SIZE=1");
  CHECK(p.r.path.quoted);
  CHECK(p.r.path.local_part == "\"a b>c\"");
  CHECK(p.r.path.domain == "x");
  CHECK(p.r.consumed == 11);
  CHECK(unquote(p.r.path.local_part) == "a b>c");
  CHECK(ok("<\"a\\\"b\"@x>").r.path.local_part == "\"a\\\"b\"");
  CHECK(ok("<\"a\\\\b\"@x>").r.path.local_part == "\"a\\\\b\"");
  CHECK(ok("<\"\\ \"@x>").r.path.local_part == "\"\\ \"");
  CHECK(ok("<\"<@>,;:[]\"@x>").r.path.local_part == "\"<@>,;:[]\"");
  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE: empty content is grammatical.
  CHECK(ok("<\"\"@x>").r.path.local_part == "\"\"");
  CHECK(unquote("\"\"").empty());
}

TEST_CASE("path: qtextSMTP is %d32-33 / %d35-91 / %d93-126 (RFC 5321 §4.1.2)", "[smtp][path]") {
  for (unsigned c = 0; c < 256; ++c) {
    const std::string text = "<\"" + one_octet(c) + "\"@x>";
    INFO("octet " << c);
    const parsed p = parse(text);
    const failure f{p.r.error, p.r.error_offset};
    if ((c >= 32 && c <= 33) || (c >= 35 && c <= 91) || (c >= 93 && c <= 126)) {
      CHECK(p.r.ok());
    } else if (c == '"') {  // <"""@x>: an empty quoted string, then a stray DQUOTE
      CHECK(f == failure{errc::invalid_local_part, 3});
    } else if (c == '\\') {  // <"\"@x>: \" is a pair, and the string never ends
      CHECK(f == failure{errc::invalid_local_part, text.size()});
    } else if (c >= 0x80) {
      CHECK(f == failure{errc::invalid_utf8, 2});
    } else {
      CHECK(f == failure{errc::invalid_local_part, 2});
    }
  }
}

TEST_CASE("path: quoted-pairSMTP is \"\\\" %d32-126 (RFC 5321 §4.1.2)", "[smtp][path]") {
  for (unsigned c = 0; c < 256; ++c) {
    const std::string text = "<\"\\" + one_octet(c) + "\"@x>";
    INFO("octet " << c);
    for (const path_options& o : {path_options{}, with_utf8()}) {
      const parsed p = parse(text, o);
      if (c >= 32 && c <= 126) {
        CHECK(p.r.ok());
      } else {  // controls and non-ASCII (RFC 6531 does not extend quoted-pair)
        CHECK(failure{p.r.error, p.r.error_offset} == failure{errc::invalid_local_part, 3});
      }
    }
  }
}

TEST_CASE(
    "path: unterminated quoted strings and stray octets after them (RFC 5321 §4.1.2; "
    "docs/security.md §7)",
    "[smtp][path]") {
  CHECK(fails("<\"abc@x>") == failure{errc::invalid_local_part, 8});
  CHECK(fails("<\"abc") == failure{errc::invalid_local_part, 5});
  CHECK(fails("<\"abc\\") == failure{errc::invalid_local_part, 6});        // backslash at the end
  CHECK(fails("<\"abc\\\"@x>") == failure{errc::invalid_local_part, 10});  // \" escapes the end
  CHECK(fails("<\"") == failure{errc::invalid_local_part, 2});
  CHECK(fails("<\"a\"b@x>") == failure{errc::invalid_local_part, 4});
  CHECK(fails("<\"a\".b@x>") == failure{errc::invalid_local_part, 4});
  CHECK(fails("<a\"b\"@x>") == failure{errc::invalid_local_part, 2});
  CHECK(fails("<\"a\">") == failure{errc::invalid_path, 4});
  CHECK(fails("<\"a\"") == failure{errc::invalid_path, 4});
  CHECK(fails("<\"a\r\nb\"@x>") == failure{errc::invalid_local_part, 3});
}

// ---------------------------------------------------------------------------
// Domain

TEST_CASE("path: the mailbox needs \"@\" and a non-empty domain (RFC 5321 §4.1.2)",
          "[smtp][path]") {
  CHECK(fails("<a>") == failure{errc::invalid_path, 2});
  CHECK(fails("<a@>") == failure{errc::invalid_domain, 3});
  CHECK(fails("<\"a\"@>") == failure{errc::invalid_domain, 5});
  CHECK(fails("<a@") == failure{errc::invalid_domain, 3});
  CHECK(smtp::check_domain("") == errc::invalid_domain);
}

TEST_CASE("path: domain labels are Let-dig [Ldh-str] (RFC 5321 §4.1.2)", "[smtp][path]") {
  for (const std::string_view d : {"example.com", "a", "A-1.b2", "a--b.c", "xn--bcher-kva.example",
                                   "1.2.3.4", "123", "EXAMPLE.COM"}) {
    INFO(d);
    CHECK(smtp::check_domain(d) == errc{});
    CHECK(ok("<u@" + std::string(d) + ">").r.path.domain == d);
  }
  struct bad {
    std::string_view domain;
    std::size_t offset;  // in the domain
  };
  for (const bad b : {bad{"a_b.com", 1}, bad{"-a.com", 0}, bad{"a-.com", 1}, bad{"a..com", 2},
                      bad{"a.com.", 6}, bad{".a", 0}, bad{"a.-b", 2}, bad{"a.b-", 3}, bad{"a/b", 1},
                      bad{"a:b", 1}, bad{"a,b", 1}, bad{"a\"b", 1}, bad{"a.b.", 4}}) {
    INFO(b.domain);
    CHECK(smtp::check_domain(b.domain) == errc::invalid_domain);
    CHECK(fails("<u@" + std::string(b.domain) + ">") ==
          failure{errc::invalid_domain, 3 + b.offset});
  }
  for (unsigned c = 0; c < 0x80; ++c) {
    INFO("octet " << c);
    const std::string d = "a" + one_octet(c) + "b";
    CHECK((smtp::check_domain(d) == errc{}) == (in_set(ldh_set, c) || c == '.'));
  }
}

TEST_CASE("path: labels of at most 63 octets (RFC 1035 §2.3.4), always enforced", "[smtp][path]") {
  const std::string label63(63, 'a'), label64(64, 'a');
  CHECK(smtp::check_domain(label63 + ".com") == errc{});
  CHECK(smtp::check_domain(label64 + ".com") == errc::invalid_domain);
  CHECK(smtp::check_domain("x." + label64, false, false) == errc::invalid_domain);
  CHECK(ok("<u@" + label63 + ".com>").r.ok());
  CHECK(fails("<u@x." + label64 + ">") == failure{errc::invalid_domain, 5 + 63});
  CHECK(fails("<u@x." + label64 + ">", no_limits()) == failure{errc::invalid_domain, 5 + 63});
  // The label limit comes before a later fault in the same label.
  CHECK(fails("<u@" + label64 + "_>") == failure{errc::invalid_domain, 3 + 63});
  CHECK(fails("<u@" + label64 + "\xFF>", with_utf8()) == failure{errc::invalid_domain, 3 + 63});
  CHECK(fails("<u@" + label63 + "\xFF>", with_utf8()) == failure{errc::invalid_utf8, 3 + 63});
  CHECK(smtp::check_domain(label64 + "\xC3", true) == errc::invalid_domain);
}

TEST_CASE("path: check_domain's 255-octet limit (RFC 5321 §4.5.3.1.2)", "[smtp][path]") {
  CHECK(domain_of(255).size() == 255);
  CHECK(smtp::check_domain(domain_of(255)) == errc{});
  CHECK(smtp::check_domain(domain_of(256)) == errc::domain_too_long);
  CHECK(smtp::check_domain(domain_of(256), false, false) == errc{});
  CHECK(smtp::check_domain(domain_of(1000), false, false) == errc{});
  // Reading order: a fault inside the first 255 octets wins, a later one loses.
  CHECK(smtp::check_domain("a_" + domain_of(300)) == errc::invalid_domain);
  CHECK(smtp::check_domain(domain_of(300) + "_") == errc::domain_too_long);
  CHECK(smtp::check_domain(domain_of(300) + "_", false, false) == errc::invalid_domain);
  // The 256th octet bad: the fault, not the limit (the domain holds 255).
  CHECK(smtp::check_domain(domain_of(255) + "_") == errc::invalid_domain);
  CHECK(smtp::check_domain(domain_of(255) + "a") == errc::domain_too_long);
}

TEST_CASE("path: check_domain with and without SMTPUTF8 U-labels (RFC 6531 §3.3)", "[smtp][path]") {
  const std::string idn =
      "b\xC3\xBC"
      "cher.example";  // bücher.example
  CHECK(smtp::check_domain(idn, true) == errc{});
  CHECK(smtp::check_domain(idn) == errc::smtputf8_required);
  CHECK(smtp::check_domain("b\xC3.example", true) == errc::invalid_utf8);
  CHECK(smtp::check_domain("b\xC3.example") == errc::invalid_utf8);
  CHECK(smtp::check_domain("\xE4\xBE\x8B.jp", true) == errc{});  // a label that starts non-ASCII
  CHECK(smtp::check_domain("a_b.b\xC3\xBC", true) == errc::invalid_domain);  // reading order
  CHECK(smtp::check_domain("b\xC3\xBC-.de", true) == errc::invalid_domain);
  // A 63-octet U-label passes, 64 octets do not (octets, not characters).
  CHECK(smtp::check_domain(repeat("\xC3\xBC", 31) + "a.de", true) == errc{});
  CHECK(smtp::check_domain(repeat("\xC3\xBC", 32) + ".de", true) == errc::invalid_domain);
}

TEST_CASE("path: check_domain_or_literal for HELO/EHLO/LHLO (RFC 5321 §4.1.1.1, RFC 6531 §3.7.1)",
          "[smtp][path]") {
  for (const std::string_view ok_arg :
       {"example.com", "a", "[192.0.2.1]", "[IPv6:2001:db8::1]", "[x-tag:abc]", "1.2.3.4"}) {
    INFO(ok_arg);
    CHECK(smtp::check_domain_or_literal(ok_arg) == errc{});
  }
  CHECK(smtp::check_domain_or_literal("") == errc::invalid_domain);
  CHECK(smtp::check_domain_or_literal("a_b") == errc::invalid_domain);
  CHECK(smtp::check_domain_or_literal("a.") == errc::invalid_domain);
  CHECK(smtp::check_domain_or_literal("foo bar") == errc::invalid_domain);
  // ASCII only, even under SMTPUTF8.
  CHECK(smtp::check_domain_or_literal("b\xC3\xBC"
                                      "cher.de") == errc::invalid_domain);
  CHECK(smtp::check_domain_or_literal("b\xC3.de") == errc::invalid_domain);
  CHECK(smtp::check_domain_or_literal("[1.2.3]") == errc::invalid_address_literal);
  CHECK(smtp::check_domain_or_literal("[1.2.3.4]x") == errc::invalid_address_literal);
  CHECK(smtp::check_domain_or_literal("[1.2.3.4") == errc::invalid_address_literal);
  CHECK(smtp::check_domain_or_literal("[IPv6:::1") == errc::invalid_address_literal);
  CHECK(smtp::check_domain_or_literal(domain_of(255)) == errc{});
  CHECK(smtp::check_domain_or_literal(domain_of(256)) == errc::domain_too_long);
  const std::string literal255 = "[x:" + std::string(251, 'a') + "]";
  CHECK(literal255.size() == 255);
  CHECK(smtp::check_domain_or_literal(literal255) == errc{});
  CHECK(smtp::check_domain_or_literal("[x:" + std::string(252, 'a') + "]") ==
        errc::domain_too_long);
}

// ---------------------------------------------------------------------------
// Address literals

TEST_CASE("path: IPv4 address literals, Snum 0-255 (RFC 5321 §4.1.3)", "[smtp][path]") {
  for (const std::string_view v : {"[1.2.3.4]", "[0.0.0.0]", "[255.255.255.255]", "[192.0.2.1]",
                                   "[010.0.0.1]", "[000.000.000.000]"}) {
    INFO(v);
    const auto lit = smtp::parse_address_literal(v);
    CHECK(lit.error == errc{});
    CHECK(lit.kind == domain_kind::ipv4);
    CHECK(lit.address == v.substr(1, v.size() - 2));
    CHECK(lit.tag.empty());
  }
  for (const std::string_view v : {"[256.1.1.1]",
                                   "[1.2.3.256]",
                                   "[1.2.3]",
                                   "[1.2.3.4.5]",
                                   "[1..2.3]",
                                   "[1.2.3.]",
                                   "[.1.2.3.4]",
                                   "[1234.1.1.1]",
                                   "[1.2.3.a]",
                                   "[]",
                                   "[ 1.2.3.4]",
                                   "[1.2.3.4 ]",
                                   "[1.2.3.4",
                                   "1.2.3.4]",
                                   "1.2.3.4",
                                   "[1.2.3.4]x",
                                   "[-1.2.3.4]",
                                   "[+1.2.3.4]",
                                   "[1.2.3.4]]",
                                   "[[1.2.3.4]",
                                   "[0x1.2.3.4]",
                                   "[999.1.1.1]",
                                   ""}) {
    INFO(v);
    CHECK(smtp::parse_address_literal(v).error == errc::invalid_address_literal);
  }
  const parsed p = ok("<a@[192.0.2.1]>");
  CHECK(p.r.path.domain == "[192.0.2.1]");
  CHECK(p.r.path.domain_type == domain_kind::ipv4);
  CHECK(p.r.path.address == "192.0.2.1");
  CHECK(p.r.path.tag.empty());
  CHECK(fails("<a@[256.1.1.1]>") == failure{errc::invalid_address_literal, 4});
  CHECK(fails("<a@[1.2.3.4.5]>") == failure{errc::invalid_address_literal, 11});
  CHECK(fails("<a@[1.2.3]>") == failure{errc::invalid_address_literal, 9});
  CHECK(fails("<a@[1.2.3.4>") == failure{errc::invalid_address_literal, 11});
  CHECK(fails("<a@[1.2.3.4]") == failure{errc::invalid_path, 12});
  CHECK(fails("<a@[1.2.3.4]x>") == failure{errc::invalid_path, 12});
  CHECK(fails("<a@[1.2.3.4].com>") == failure{errc::invalid_path, 12});
}

TEST_CASE("path: IPv6 address literals in the four ABNF forms (RFC 5321 §4.1.3)", "[smtp][path]") {
  struct valid {
    std::string_view literal, address;
  };
  for (const valid v : {
           valid{"[IPv6:::1]", "::1"},
           valid{"[IPv6:2001:db8::1]", "2001:db8::1"},
           valid{"[ipv6:1:2:3:4:5:6:7:8]", "1:2:3:4:5:6:7:8"},              // full
           valid{"[IPv6:::ffff:192.0.2.1]", "::ffff:192.0.2.1"},            // v4-comp
           valid{"[IPv6:1:2:3:4:5:6:192.0.2.1]", "1:2:3:4:5:6:192.0.2.1"},  // v4-full
           valid{"[IPv6:::]", "::"},
           valid{"[IPv6:1::]", "1::"},
           valid{"[IPv6:1:2:3:4:5:6::]", "1:2:3:4:5:6::"},
           valid{"[IPv6:::1:2:3:4:5:6]", "::1:2:3:4:5:6"},
           valid{"[IPv6:1:2:3::4:5:6]", "1:2:3::4:5:6"},
           valid{"[IPv6:FFFF:abcd::0000]", "FFFF:abcd::0000"},
           valid{"[IPv6:::1.2.3.4]", "::1.2.3.4"},
           valid{"[IPv6:1:2:3:4::1.2.3.4]", "1:2:3:4::1.2.3.4"},
           valid{"[IPv6:1::2:3:4:1.2.3.4]", "1::2:3:4:1.2.3.4"},
           valid{"[IPV6:fe80::1]", "fe80::1"},
       }) {
    INFO(v.literal);
    const auto lit = smtp::parse_address_literal(v.literal);
    CHECK(lit.error == errc{});
    CHECK(lit.kind == domain_kind::ipv6);
    CHECK(lit.address == v.address);
    CHECK(lit.tag == v.literal.substr(1, 4));  // as received
  }
  for (const std::string_view v : {
           "[IPv6:1:2:3:4:5:6:7:8:9]",      // 9 groups
           "[IPv6:1:2:3:4:5:6:7]",          // 7 groups, no "::"
           "[IPv6:1::2::3]",                // two "::"
           "[IPv6:::1::]",                  //
           "[IPv6:12345::1]",               // 5 hex digits
           "[IPv6:1:2:3:4:5:6:7:8::]",      // 8 groups + "::"
           "[IPv6:1:2:3:4::5:6:7:8]",       //
           "[IPv6:1:2:3:4:5:6::1.2.3.4]",   // 6 groups + "::" + v4
           "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",  // v4 after 7 groups
           "[IPv6:1:2:3:4:5:1.2.3.4]",      // v4 after 5 groups, no "::"
           "[IPv6:1.2.3.4::1]",             // v4 in the wrong place
           "[IPv6:::1.2.3.4:1]",            //
           "[IPv6:::256.1.1.1]",            //
           "[IPv6:::1.2.3]",                //
           "[IPv6:::a.2.3.4]",              //
           "[IPv6::::]",                    // ":::"
           "[IPv6::1:2:3:4:5:6:7:8]",       // single leading ":"
           "[IPv6:1:2:3:4:5:6:7:8:]",       // single trailing ":"
           "[IPv6::1]",                     //
           "[IPv6:1:]",                     //
           "[IPv6:g::1]",                   //
           "[IPv6:]",                       //
           "[IPv6: ::1]",                   //
           "[IPv6:zzz]",                    // never falls back to a general literal
           "[IPv6]",                        // no ":", read as IPv4
           "[IPv6:::1",                     //
       }) {
    INFO(v);
    CHECK(smtp::parse_address_literal(v).error == errc::invalid_address_literal);
  }
  const parsed p = ok("<a@[IPv6:2001:db8::1]>");
  CHECK(p.r.path.domain_type == domain_kind::ipv6);
  CHECK(p.r.path.domain == "[IPv6:2001:db8::1]");
  CHECK(p.r.path.address == "2001:db8::1");
  CHECK(p.r.path.tag == "IPv6");
  // Offsets: the 9th group, the second "::", the 5th hex digit.
  CHECK(fails("<a@[IPv6:1:2:3:4:5:6:7:8:9]>") == failure{errc::invalid_address_literal, 25});
  CHECK(fails("<a@[IPv6:1::2::3]>") == failure{errc::invalid_address_literal, 13});
  CHECK(fails("<a@[IPv6:12345::1]>") == failure{errc::invalid_address_literal, 13});
  CHECK(fails("<a@[IPv6:1:2:3:4:5:6:7:8::]>") == failure{errc::invalid_address_literal, 24});
  // RFC 4291 §2.2: "::" may stand for a single zero group (RFC 5321 §4.1.3: two or more).
  for (const std::string_view v : {"[IPv6:1:2:3:4:5:6:7::]", "[IPv6:::1:2:3:4:5:6:7]",
                                   "[IPv6:1:2:3:4::5:6:7]", "[IPv6:1:2:3:4:5::1.2.3.4]"}) {
    INFO(v);
    const auto lit = smtp::parse_address_literal(v);
    CHECK(lit.error == errc{});
    CHECK_FALSE(smtp::is_rfc5321_ipv6(lit.address));  // accepted, never written
  }
  CHECK(smtp::is_rfc5321_ipv6("1:2:3::4:5:6"));
  CHECK(smtp::is_rfc5321_ipv6("1:2:3:4:5:6:7:8"));
  CHECK(smtp::is_rfc5321_ipv6("::ffff:192.0.2.1"));
  CHECK(smtp::is_rfc5321_ipv6("1:2:3:4::192.0.2.1"));
  CHECK_FALSE(smtp::is_rfc5321_ipv6("1:2:3:4:5::192.0.2.1"));
}

namespace {

// IPv6-addr written out as a regular expression from the ABNF, one
// alternative per group count, as an independent reference; with RFC 4291's
// "::" for a single group (7 groups around "::", 5 before an IPv4 tail).
std::string ipv6_reference_pattern() {
  const std::string h = "[0-9A-Fa-f]{1,4}";
  const std::string snum = "([0-9]{1,2}|[01][0-9]{2}|2[0-4][0-9]|25[0-5])";
  const std::string v4 = snum + "(\\." + snum + "){3}";
  const auto groups = [&](int n) {  // n groups joined by ":"
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? ":" : "") + h;
    return s;
  };
  std::string alt = groups(8) + "|" + groups(6) + ":" + v4;
  for (int l = 0; l <= 7; ++l)
    for (int r = 0; l + r <= 7; ++r) alt += "|" + groups(l) + "::" + groups(r);
  for (int l = 0; l <= 5; ++l)
    for (int r = 0; l + r <= 5; ++r)
      alt += "|" + groups(l) + "::" + groups(r) + (r ? ":" : "") + v4;
  return "(" + alt + ")";
}

}  // namespace

TEST_CASE(
    "path: random IPv6 literals agree with a regex built from the ABNF (RFC 5321 §4.1.3, RFC 4291 "
    "§2.2)",
    "[smtp][path]") {
  const std::regex reference(ipv6_reference_pattern());
  std::mt19937 rng(5321);
  const std::string_view pieces[] = {"0",     "1",        "ff",      "abcd",      "ABCD",
                                     "12345", "g",        ":",       "::",        ":",
                                     ":",     "::",       "1.2.3.4", "255.0.0.1", "256.1.1.1",
                                     "1.2.3", "01.2.3.4", "0"};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof pieces / sizeof pieces[0] - 1);
  std::uniform_int_distribution<int> count(1, 16);
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string address;
    for (int n = count(rng); n > 0; --n) address += pieces[pick(rng)];
    const bool expected = std::regex_match(address, reference);
    const std::string literal = "[IPv6:" + address + "]";
    const auto lit = smtp::parse_address_literal(literal);
    INFO(address);
    REQUIRE((lit.error == errc{}) == expected);
    if (expected) {
      ++accepted;
      CHECK(lit.address == address);
    }
  }
  CHECK(accepted > 200);  // both outcomes exercised
}

TEST_CASE("path: general address literals, Standardized-tag \":\" 1*dcontent (RFC 5321 §4.1.3)",
          "[smtp][path]") {
  const auto lit = smtp::parse_address_literal("[x-tag:abc]");
  CHECK(lit.error == errc{});
  CHECK(lit.kind == domain_kind::general);
  CHECK(lit.tag == "x-tag");
  CHECK(lit.address == "abc");
  CHECK(smtp::parse_address_literal("[X:a:b]").address == "a:b");
  CHECK(smtp::parse_address_literal("[-x:abc]").error == errc{});  // Ldh-str may start with "-"
  CHECK(smtp::parse_address_literal("[1x:abc]").error == errc{});
  for (const std::string_view v :
       {"[x-tag:a[b]", "[x-tag:a\\b]", "[x-tag:a]b]", "[x-tag:]", "[:abc]", "[x-:abc]", "[x_y:abc]",
        "[x y:abc]", "[x:a b]", "[x:abc", "[x.y:abc]"}) {
    INFO(v);
    CHECK(smtp::parse_address_literal(v).error == errc::invalid_address_literal);
  }
  // dcontent = %d33-90 / %d94-126.
  for (unsigned c = 0; c < 256; ++c) {
    INFO("octet " << c);
    const std::string v = "[x:a" + one_octet(c) + "]";
    const bool dcontent = (c >= 33 && c <= 90) || (c >= 94 && c <= 126);
    CHECK((smtp::parse_address_literal(v).error == errc{}) == dcontent);
  }
  // In a path: ">" is dcontent, so it does not end the path inside a literal.
  const parsed p = ok("<a@[x:a>b]>");
  CHECK(p.r.path.domain == "[x:a>b]");
  CHECK(p.r.path.domain_type == domain_kind::general);
  CHECK(p.r.path.address == "a>b");
  CHECK(p.r.path.tag == "x");
  CHECK(fails("<a@[x:a\\b]>") == failure{errc::invalid_address_literal, 7});
  CHECK(fails("<a@[x_y:abc]>") == failure{errc::invalid_address_literal, 5});
}

// ---------------------------------------------------------------------------
// Length limits

TEST_CASE("path: local part at most 64 octets (RFC 5321 §4.5.3.1.1)", "[smtp][path]") {
  const std::string l64(64, 'a'), l65(65, 'a');
  CHECK(ok("<" + l64 + "@x>").r.path.local_part == l64);
  CHECK(fails("<" + l65 + "@x>") == failure{errc::local_part_too_long, 65});
  // Quoted: the DQUOTEs and backslashes count, as received.
  CHECK(ok("<\"" + std::string(62, 'a') + "\"@x>").r.ok());
  CHECK(fails("<\"" + std::string(63, 'a') + "\"@x>") == failure{errc::local_part_too_long, 65});
  CHECK(ok("<\"" + repeat("\\a", 31) + "\"@x>").r.ok());
  CHECK(fails("<\"" + repeat("\\a", 31) + "a\"@x>") == failure{errc::local_part_too_long, 65});
  // The limits count octets, not characters (RFC 5321 §4.5.3.1.1).
  CHECK(ok("<" + repeat("\xC3\xA9", 32) + "@x>", with_utf8()).r.ok());
  CHECK(fails("<" + repeat("\xC3\xA9", 32) + "a@x>", with_utf8()) ==
        failure{errc::local_part_too_long, 65});
  // Off: longer ones pass.
  CHECK(ok("<" + l65 + "@x>", no_limits()).r.path.local_part == l65);
  CHECK(ok("<" + std::string(1000, 'a') + "@x>", no_limits()).r.ok());
}

TEST_CASE("path: the first problem in reading order wins, length limits included", "[smtp][path]") {
  // A fault before octet 65 of the local part wins; one after it loses.
  CHECK(fails("<a..b" + std::string(70, 'a') + "@x>") == failure{errc::invalid_local_part, 3});
  CHECK(fails("<" + std::string(70, 'a') + "..b@x>") == failure{errc::local_part_too_long, 65});
  CHECK(fails("<" + std::string(64, 'a') + " @x>") == failure{errc::invalid_local_part, 65});
  CHECK(fails("<" + std::string(70, 'a') + "\xC3\xA9@x>") ==
        failure{errc::local_part_too_long, 65});
  CHECK(fails("<" + std::string(70, 'a') + ">") == failure{errc::local_part_too_long, 65});
  CHECK(fails("<\"" + std::string(70, 'a')) == failure{errc::local_part_too_long, 65});
  // Local part before domain, domain before the missing ">".
  CHECK(fails("<a..b@c_d>") == failure{errc::invalid_local_part, 3});
  CHECK(fails("<a@c_d") == failure{errc::invalid_domain, 4});
  CHECK(fails("<@a_b:..@c>") == failure{errc::invalid_path, 3});
  // The path limit before a late fault, not before an early one.
  const std::string long_domain = domain_of(300);
  CHECK(fails("<a@" + long_domain + "_>") == failure{errc::path_too_long, 256});
  CHECK(fails("<a@x_" + long_domain + ">") == failure{errc::invalid_domain, 4});
  CHECK(fails("<a@" + long_domain) == failure{errc::path_too_long, 256});
  // Without limits the late fault shows.
  CHECK(fails("<a@" + long_domain + "_>", no_limits()) ==
        failure{errc::invalid_domain, 3 + long_domain.size()});
}

TEST_CASE(
    "path: path at most 256 octets including \"<\" \">\" and the route "
    "(RFC 5321 §4.5.3.1.3)",
    "[smtp][path]") {
  // "<" + 64 + "@" + domain + ">" = 256 means a 189-octet domain.
  const std::string l64(64, 'a');
  CHECK(ok("<" + l64 + "@" + domain_of(189) + ">").r.consumed == 256);
  CHECK(fails("<" + l64 + "@" + domain_of(190) + ">") == failure{errc::path_too_long, 256});
  CHECK(ok("<" + l64 + "@" + domain_of(190) + ">", no_limits()).r.consumed == 257);
  // With a route, which counts too.
  const std::string route = "@" + domain_of(20) + ",@" + domain_of(20) + ":";  // 44 octets
  CHECK(ok("<" + route + l64 + "@" + domain_of(145) + ">").r.consumed == 256);
  CHECK(fails("<" + route + l64 + "@" + domain_of(146) + ">") == failure{errc::path_too_long, 256});
  CHECK(fails("<@" + domain_of(300) + ":a@b>") == failure{errc::path_too_long, 256});
  // The domain's own 255 can only show with the path limit off...
  CHECK(ok("<a@" + domain_of(255) + ">", no_limits()).r.path.domain.size() == 255);
  CHECK(ok("<a@" + domain_of(256) + ">", no_limits()).r.path.domain.size() == 256);
  // ...because 255 octets never fit in a 256-octet path with a local part.
  CHECK(fails("<a@" + domain_of(253) + ">") == failure{errc::path_too_long, 256});
  CHECK(ok("<a@" + domain_of(252) + ">").r.consumed == 256);
  // The limit counts octets of a literal like any domain.
  const std::string literal = "[x:" + std::string(249, 'b') + "]";  // 253 octets
  CHECK(fails("<a@" + literal + ">") == failure{errc::path_too_long, 256});
  CHECK(ok("<a@" + literal + ">", no_limits()).r.path.domain_type == domain_kind::general);
}

// ---------------------------------------------------------------------------
// SMTPUTF8

TEST_CASE("path: UTF-8 local parts and domains only under SMTPUTF8 (RFC 6531 §3.3)",
          "[smtp][path]") {
  const std::string jose =
      "<j\xC3\xB6s\xC3\xA9@b\xC3\xBC"
      "cher.example>";  // jösé@bücher
  const parsed p = ok(jose, with_utf8());
  CHECK(p.r.path.utf8);
  CHECK(p.r.path.local_part == "j\xC3\xB6s\xC3\xA9");
  CHECK(p.r.path.domain ==
        "b\xC3\xBC"
        "cher.example");
  CHECK(fails(jose) == failure{errc::smtputf8_required, 2});
  // Only the domain, only a quoted local part, a 4-octet character.
  CHECK(fails("<a@b\xC3\xBC.de>") == failure{errc::smtputf8_required, 4});
  CHECK(ok("<a@b\xC3\xBC.de>", with_utf8()).r.path.utf8);
  CHECK(fails("<\"\xC3\xB6 b\"@x>") == failure{errc::smtputf8_required, 2});
  CHECK(ok("<\"\xC3\xB6 b\"@x>", with_utf8()).r.path.utf8);
  CHECK(ok("<\xF0\x9F\x93\xA7@x>", with_utf8()).r.path.local_part == "\xF0\x9F\x93\xA7");
  CHECK_FALSE(ok("<a@b>", with_utf8()).r.path.utf8);
  // Malformed UTF-8 is invalid_utf8 with or without SMTPUTF8.
  for (const path_options& o : {path_options{}, with_utf8()}) {
    CHECK(fails("<a\xC3@x>", o) == failure{errc::invalid_utf8, 2});  // cut by "@"
    CHECK(fails("<ab\xE2\x82@x>", o) == failure{errc::invalid_utf8, 3});
    CHECK(fails("<a\xC3", o) == failure{errc::invalid_utf8, 2});  // cut by the end
    CHECK(fails("<\xC0\x80@x>", o) == failure{errc::invalid_utf8, 1});
    CHECK(fails("<\xED\xA0\x80@x>", o) == failure{errc::invalid_utf8, 1});
    CHECK(fails("<\xF4\x90\x80\x80@x>", o) == failure{errc::invalid_utf8, 1});
    CHECK(fails("<\"a\xC3\"@x>", o) == failure{errc::invalid_utf8, 3});
    CHECK(fails("<a@b\xFF>", o) == failure{errc::invalid_utf8, 4});
    CHECK(fails("<a@b\xC3", o) == failure{errc::invalid_utf8, 4});
  }
  // A route with UTF-8: accepted under SMTPUTF8 and dropped, but path.utf8
  // still tells that the path as received needed SMTPUTF8.
  const parsed r = ok("<@b\xC3\xBC:u@c>", with_utf8());
  CHECK(r.r.path.source_route);
  CHECK(r.r.path.utf8);
  CHECK(written_mailbox(r.r.path) == "u@c");
  CHECK(fails("<@b\xC3\xBC:u@c>") == failure{errc::smtputf8_required, 3});
  CHECK(fails("<@b\xC3:u@c>", with_utf8()) == failure{errc::invalid_utf8, 3});
  // Label rules hold for U-labels too.
  CHECK(fails("<a@\xC3\xBC-.de>", with_utf8()) == failure{errc::invalid_domain, 5});
  CHECK(fails("<a@-\xC3\xBC.de>", with_utf8()) == failure{errc::invalid_domain, 3});
}

// ---------------------------------------------------------------------------
// Lenient: no brackets

TEST_CASE("path: allow_missing_brackets takes a bare mailbox up to SP (RFC 5321 §4.1.2 wants <>)",
          "[smtp][path]") {
  const parsed p = ok("a@b SIZE=1", bare());
  CHECK(p.r.consumed == 3);
  CHECK(p.r.path.local_part == "a");
  CHECK(p.r.path.domain == "b");
  CHECK(ok("a@b", bare()).r.consumed == 3);
  CHECK(ok("<a@b> SIZE=1", bare()).r.consumed == 5);  // brackets still fine
  CHECK(ok("\"a b\"@c SIZE=1", bare()).r.consumed == 7);
  CHECK(ok("a@[1.2.3.4] X", bare()).r.consumed == 11);
  CHECK(fails("@r:a@b", bare()) == failure{errc::invalid_local_part, 0});  // no route bare
  CHECK(fails("a@b>", bare()) == failure{errc::invalid_path, 3});
  CHECK(fails("a b@c", bare()) == failure{errc::invalid_path, 1});
  CHECK(fails("a@ X", bare()) == failure{errc::invalid_domain, 2});
  CHECK(fails("a@", bare()) == failure{errc::invalid_domain, 2});
  CHECK(fails("a", bare()) == failure{errc::invalid_path, 1});
  CHECK(fails("", bare()) == failure{errc::invalid_path, 0});
  CHECK(fails(" a@b", bare()) == failure{errc::invalid_path, 0});
  CHECK(fails("a@b", path_options{}) == failure{errc::invalid_path, 0});
  path_options both = bare();
  both.allow_postmaster = true;
  CHECK(ok("postmaster NOTIFY=NEVER", both).r.path.kind == path_kind::postmaster);
  CHECK(ok("postmaster NOTIFY=NEVER", both).r.consumed == 10);
  // The path limit counts the missing brackets: 254 octets pass, 255 do not.
  const std::string l64(64, 'a');
  CHECK(ok(l64 + "@" + domain_of(189), bare()).r.consumed == 254);
  CHECK(fails(l64 + "@" + domain_of(190), bare()) == failure{errc::path_too_long, 254});
}

// ---------------------------------------------------------------------------
// Reading stays inside the text

TEST_CASE("path: parse_path never reads past its text", "[smtp][path]") {
  // Views cut out of longer buffers whose next octets would complete the
  // path. (parse() also copies every input to an exact-size heap block.)
  const std::string whole = "<\"a\\\"b\"@x> <a@b>";
  CHECK(smtp::parse_path(std::string_view(whole).substr(0, 4)).error == errc::invalid_local_part);
  CHECK(smtp::parse_path(std::string_view(whole).substr(12, 4)).error == errc::invalid_path);
  const std::string utf = "<a\xC3\xA9@x>";
  CHECK(smtp::parse_path(std::string_view(utf).substr(0, 3), with_utf8()).error ==
        errc::invalid_utf8);
  const std::string literal = "<a@[1.2.3.4]>";
  CHECK(smtp::parse_path(std::string_view(literal).substr(0, 12)).error == errc::invalid_path);
  CHECK(smtp::parse_path(std::string_view(literal).substr(0, 11)).error ==
        errc::invalid_address_literal);
  // Every prefix of valid paths, on exact-size copies.
  for (const std::string_view full :
       {"<\"a b\\\"c\"@[IPv6:2001:db8::1.2.3.4]>", "<@r1,@r2:u.v@w.x>", "<j\xC3\xB6@b\xC3\xBC.de>",
        "<Postmaster>", "<>", "<a@[x:y]>"}) {
    path_options o = with_null();
    o.allow_postmaster = true;
    o.utf8 = true;
    CHECK(parse(full, o).r.ok());
    for (std::size_t n = 0; n < full.size(); ++n) {
      INFO(full << " cut at " << n);
      CHECK_FALSE(parse(full.substr(0, n), o).r.ok());
    }
  }
}

TEST_CASE("path: random inputs: no crash, views in the text, consumed stops at \">\"",
          "[smtp][path]") {
  std::mt19937 rng(256);
  const std::string_view alphabet[] = {"<",    ">",          "@",      ".",        ":",
                                       ",",    "\"",         "\\",     " ",        "[",
                                       "]",    "a",          "b",      "-",        "_",
                                       "1",    "IPv6:",      "::",     "\xC3\xA9", "\xC3",
                                       "\xFF", "Postmaster", "x-tag:", "a@b",      "<a@b>"};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet / sizeof alphabet[0] - 1);
  std::uniform_int_distribution<int> count(0, 12), flags(0, 31);
  std::size_t successes = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string text = round % 2 == 0 ? "<" : "";
    for (int n = count(rng); n > 0; --n) text += alphabet[pick(rng)];
    const int f = flags(rng);
    path_options o;
    o.allow_null = (f & 1) != 0;
    o.allow_postmaster = (f & 2) != 0;
    o.utf8 = (f & 4) != 0;
    o.enforce_length_limits = (f & 8) != 0;
    o.allow_missing_brackets = (f & 16) != 0;
    INFO(text << " flags " << f);
    const parsed p = parse(text, o);  // checks views and offsets
    if (!p.r.ok()) continue;
    ++successes;
    const bool bracketed = text[0] == '<';
    if (bracketed) REQUIRE(text[p.r.consumed - 1] == '>');
    if (!bracketed) REQUIRE((p.r.consumed == text.size() || text[p.r.consumed] == ' '));
    // The same path alone, and with other octets after it, parses the same.
    const parsed alone = parse(text.substr(0, p.r.consumed), o);
    REQUIRE(alone.r.ok());
    REQUIRE(alone.r.consumed == p.r.consumed);
    REQUIRE(alone.r.path.local_part == p.r.path.local_part);
    REQUIRE(alone.r.path.domain == p.r.path.domain);
    if (p.r.path.kind == path_kind::mailbox) {
      // What was accepted can be written back, and that parses again.
      errc e{};
      const std::string w = written_mailbox(p.r.path, &e);
      REQUIRE(e == errc{});
      path_options again = o;
      again.enforce_length_limits = false;
      again.allow_missing_brackets = false;
      REQUIRE(parse("<" + w + ">", again).r.ok());
    }
  }
  CHECK(successes > 500);
}

// ---------------------------------------------------------------------------
// Unquoting and writing

TEST_CASE("path: unquote_local_part gives the content (RFC 5321 §4.1.2)", "[smtp][path]") {
  CHECK(unquote("a.b") == "a.b");
  CHECK(unquote("\"a b\"") == "a b");
  CHECK(unquote("\"a\\\"b\\\\c\\d\"") == "a\"b\\cd");
  CHECK(unquote("\"\"") == "");
  CHECK(unquote("\"\\ \"") == " ");
  char out[3];
  CHECK(smtp::unquote_local_part("abc", out, 3).size == 3);
  CHECK(smtp::unquote_local_part("abcd", out, 3).error == errc::buffer_too_small);
  CHECK(smtp::unquote_local_part("abcd", out, 3).size == 0);
  CHECK(smtp::unquote_local_part("\"a\\bc\"", out, 3).size == 3);  // 6 octets, 3 of content
  CHECK(smtp::unquote_local_part("\"abcd\"", out, 3).error == errc::buffer_too_small);
  CHECK(smtp::unquote_local_part("", nullptr, 0).ok());
  CHECK(smtp::unquote_local_part("\"\"", nullptr, 0).ok());
}

TEST_CASE("path: is_dot_string decides whether quotes are needed (RFC 5321 §4.1.2)",
          "[smtp][path]") {
  for (const std::string_view yes : {"a", "a.b", "!#$%&'*+-/=?^_`{|}~", "A1.b2.C3"}) {
    INFO(yes);
    CHECK(smtp::is_dot_string(yes));
  }
  for (const std::string_view no :
       {"", ".", ".a", "a.", "a..b", "a b", "a\"b", "a\\b", "a@b", "a(b)", "a,b", "a:b", "a<b"}) {
    INFO(no);
    CHECK_FALSE(smtp::is_dot_string(no));
  }
  CHECK(smtp::is_dot_string("j\xC3\xB6s\xC3\xA9", true));
  CHECK_FALSE(smtp::is_dot_string("j\xC3\xB6s\xC3\xA9"));
  CHECK_FALSE(smtp::is_dot_string("j\xC3", true));
  CHECK_FALSE(smtp::is_dot_string("\xC0\x80", true));
  CHECK_FALSE(smtp::is_dot_string("\xC3\xA9..a", true));
}

TEST_CASE("path: write_local_part uses the least quoting (RFC 5321 §4.1.2, §2.4)", "[smtp][path]") {
  CHECK(written_local_part("abc") == "abc");
  CHECK(written_local_part("a.b") == "a.b");
  CHECK(written_local_part("a b") == "\"a b\"");
  CHECK(written_local_part("a\"b") == "\"a\\\"b\"");
  CHECK(written_local_part("a\\b") == "\"a\\\\b\"");
  CHECK(written_local_part("\"\\") == "\"\\\"\\\\\"");
  CHECK(written_local_part(".a") == "\".a\"");
  CHECK(written_local_part("a..b") == "\"a..b\"");
  CHECK(written_local_part("a.") == "\"a.\"");
  CHECK(written_local_part("a@b") == "\"a@b\"");
  CHECK(written_local_part(" ") == "\" \"");
  CHECK(written_local_part("j\xC3\xB6s\xC3\xA9", true) == "j\xC3\xB6s\xC3\xA9");
  CHECK(written_local_part("a \xC3\xA9", true) == "\"a \xC3\xA9\"");
  // Content no Quoted-string can carry.
  for (const std::string_view bad :
       {std::string_view(""), std::string_view("a\0b", 3), std::string_view("a\rb"),
        std::string_view("a\nb"), std::string_view("a\tb"), std::string_view("a\x7f"),
        std::string_view("\x01")}) {
    errc e{};
    CHECK(written_local_part(bad, true, &e).empty());
    CHECK(e == errc::invalid_argument);
  }
  errc e{};
  CHECK(written_local_part("j\xC3\xB6", false, &e).empty());
  CHECK(e == errc::invalid_argument);  // non-ASCII without SMTPUTF8
  CHECK(written_local_part("j\xC3", true, &e).empty());
  CHECK(e == errc::invalid_argument);  // malformed UTF-8
  CHECK(written_local_part("\xED\xA0\x80", true, &e).empty());
  CHECK(e == errc::invalid_argument);
}

TEST_CASE("path: write_local_part's 64-octet limit counts the written form (RFC 5321 §4.5.3.1.1)",
          "[smtp][path]") {
  errc e{};
  CHECK(written_local_part(std::string(64, 'a'), false, &e).size() == 64);
  CHECK(e == errc{});
  CHECK(written_local_part(std::string(65, 'a'), false, &e).empty());
  CHECK(e == errc::local_part_too_long);
  // Quoted: 62 octets of content plus the DQUOTEs.
  CHECK(written_local_part(std::string(61, 'a') + " ", false, &e).size() == 64);
  CHECK(e == errc{});
  CHECK(written_local_part(std::string(62, 'a') + " ", false, &e).empty());
  CHECK(e == errc::local_part_too_long);
  // Backslashes count: 31 DQUOTEs are 62 octets escaped, plus 2.
  CHECK(written_local_part(std::string(31, '"'), false, &e).size() == 64);
  CHECK(e == errc{});
  CHECK(written_local_part(std::string(31, '"') + "a", false, &e).empty());
  CHECK(e == errc::local_part_too_long);
  CHECK(written_local_part(std::string(32, '\\'), false, &e).empty());
  CHECK(e == errc::local_part_too_long);
}

TEST_CASE("path: writers are all or nothing (output.hpp write_all_or_nothing)", "[smtp][path]") {
  char buf[8];
  mailwire::fixed_sink sink(buf);
  CHECK(sink.append("xy"));
  CHECK(smtp::write_local_part(sink, "a b c d") == errc::buffer_too_small);  // 9 octets
  CHECK(sink.view() == "xy");
  CHECK_FALSE(sink.failed());
  CHECK(smtp::write_local_part(sink, "a b") == errc{});
  CHECK(sink.view() == "xy\"a b\"");
  const parsed p = ok("<\"a b\"@example.com>");
  sink.clear();
  CHECK(smtp::write_mailbox(sink, p.r.path) == errc::buffer_too_small);
  CHECK(sink.size() == 0);
  char big[32];
  mailwire::fixed_sink fits(big);
  CHECK(smtp::write_mailbox(fits, p.r.path) == errc{});
  CHECK(fits.view() == "\"a b\"@example.com");
  // Invalid content leaves the sink alone too.
  CHECK(smtp::write_local_part(fits, "a\r\nb") == errc::invalid_argument);
  CHECK(fits.view() == "\"a b\"@example.com");
}

TEST_CASE(
    "path: write_mailbox re-writes the local part with the least quoting "
    "(RFC 5321 §4.1.2, §2.4)",
    "[smtp][path]") {
  struct example {
    std::string_view path, written;
  };
  for (const example x : {
           example{"<\"ab\"@x>", "ab@x"},
           example{"<\"a b\"@x>", "\"a b\"@x"},
           example{"<ab@x>", "ab@x"},
           example{"<\"a\\b\"@x>", "ab@x"},  // needless quoted-pair
           example{"<\"\\a\\.b\"@x>", "a.b@x"},
           example{"<\"a\\ b\"@x>", "\"a b\"@x"},
           example{"<\"a\\\"b\"@x>", "\"a\\\"b\"@x"},  // needed ones stay
           example{"<\"a\\\\b\"@x>", "\"a\\\\b\"@x"},
           example{"<\"a\\\\\\b\"@x>", "\"a\\\\b\"@x"},  // \\ kept, \b dropped
           example{"<\"a..b\"@x>", "\"a..b\"@x"},
           example{"<\"\"@x>", "\"\"@x"},
           example{"<@r1,@r2:u@x>", "u@x"},            // route never written
           example{"<u@[IPv6:::1]>", "u@[IPv6:::1]"},  // literal as received
           example{"<U@Example.COM>", "U@Example.COM"},
           example{"<\"j\xC3\xB6\"@x>", "j\xC3\xB6@x"},
       }) {
    INFO(x.path);
    const parsed p = ok(x.path, with_utf8());
    errc e{};
    CHECK(written_mailbox(p.r.path, &e) == x.written);
    CHECK(e == errc{});
  }
  CHECK(written_mailbox(ok("<>", with_null()).r.path).empty());
  CHECK(written_mailbox(ok("<postmaster>", with_postmaster()).r.path) == "postmaster");
}

TEST_CASE("path: write_mailbox refuses CR, LF and NUL in hand-made paths (docs/security.md §3)",
          "[smtp][path]") {
  smtp::path p;
  p.kind = path_kind::mailbox;
  p.local_part = "a";
  p.domain = "x\r\nRCPT TO:<b@y>";
  errc e{};
  CHECK(written_mailbox(p, &e).empty());
  CHECK(e == errc::invalid_argument);
  p.domain = "x";
  p.local_part = std::string_view("a\0b", 3);
  CHECK(written_mailbox(p, &e).empty());
  CHECK(e == errc::invalid_argument);
  p.local_part = "\"a\nb\"";
  CHECK(written_mailbox(p, &e).empty());
  CHECK(e == errc::invalid_argument);
  p.local_part = "\"\xC3";  // a cut sequence and no closing DQUOTE
  CHECK(written_mailbox(p, &e).empty());
  CHECK(e == errc::invalid_argument);
  p.local_part = "ok";
  CHECK(written_mailbox(p, &e) == "ok@x");
  CHECK(e == errc{});
}

TEST_CASE(
    "path: random round trip write_local_part -> parse_path -> unquote_local_part "
    "(RFC 5321 §4.1.2)",
    "[smtp][path]") {
  std::mt19937 rng(5321);
  // Printable ASCII, weighted towards the octets that decide quoting.
  std::string pool;
  for (char c = ' '; c <= '~'; ++c) pool += c;
  pool += std::string(20, ' ') + std::string(20, '"') + std::string(20, '\\') +
          std::string(30, '.') + std::string(40, 'a');
  const std::string_view utf8_chars[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x93\xA7"};
  // Every other round only atext and dots, which mostly need no quotes.
  const std::string plain_pool = std::string(atext_set) + "....";
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1), pick_utf8(0, 2),
      pick_plain(0, plain_pool.size() - 1);
  std::uniform_int_distribution<int> length(1, 40), percent(0, 99);
  std::size_t quoted = 0, plain = 0;
  for (int round = 0; round < 20000; ++round) {
    const bool utf8 = round % 4 == 0;
    std::string original;
    for (int n = length(rng); n > 0; --n) {
      if (utf8 && percent(rng) < 10)
        original += utf8_chars[pick_utf8(rng)];
      else if (round % 2 == 1)
        original += plain_pool[pick_plain(rng)];
      else
        original += pool[pick(rng)];
    }
    INFO(original);
    errc e{};
    const std::string w = written_local_part(original, utf8, &e);
    if (e == errc::local_part_too_long) {
      CHECK(w.empty());
      continue;
    }
    REQUIRE(e == errc{});
    const bool was_quoted = w.front() == '"';
    REQUIRE(was_quoted != smtp::is_dot_string(original, utf8));
    ++(was_quoted ? quoted : plain);
    path_options o;
    o.utf8 = utf8;
    const std::string text = "<" + w + "@example.com>";
    const parsed p = parse(text, o);
    REQUIRE(p.r.ok());
    REQUIRE(p.r.consumed == text.size());
    REQUIRE(p.r.path.quoted == was_quoted);
    REQUIRE(p.r.path.local_part == w);
    REQUIRE(unquote(p.r.path.local_part) == original);
    // Least quoting is a fixed point: the mailbox writes back as written.
    REQUIRE(written_mailbox(p.r.path) == w + "@example.com");
  }
  CHECK(quoted > 1000);
  CHECK(plain > 1000);
}

TEST_CASE("path: write_mailbox refuses hand-made paths that would inject (docs/security.md §3)",
          "[smtp][path]") {
  const auto write = [](std::string_view local, std::string_view domain,
                        smtp::path_kind kind = smtp::path_kind::mailbox) {
    smtp::path p;
    p.kind = kind;
    p.local_part = local;
    p.domain = domain;
    std::string out = "unchanged";
    mailwire::appendable_sink<std::string> sink(out);
    const errc e = smtp::write_mailbox(sink, p);
    return std::make_pair(e, out);
  };
  // Fields that would end the path early or add parameters to a MAIL line.
  for (const auto& [local, domain] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"evil> NOTIFY=NEVER ORCPT=x;y <a", "x"},
           {"\"a\\\"", "x> SIZE=1"},  // escaped closing DQUOTE
           {"\"a\"b\"", "x"},          // DQUOTE inside
           {"a", "x> SIZE=1"},
           {"a", "[1.2.3.4] x"},
           {"a b", "x"},
           {"a\r\nRSET", "x"},
           {"", "x"},
           {"a", ""}}) {
    INFO(local << " @ " << domain);
    const auto r = write(local, domain);
    CHECK(r.first == errc::invalid_argument);
    CHECK(r.second == "unchanged");
  }
  CHECK(write("Postmaster> X", "", smtp::path_kind::postmaster).first == errc::invalid_argument);
  // What parse_path produces still writes.
  CHECK(write("\"a b\"", "example.org").second == "unchanged\"a b\"@example.org");
  CHECK(write("\"ab\"", "[IPv6:::1]").second == "unchangedab@[IPv6:::1]");
  CHECK(write("j\xc3\xb6rg", "b\xc3\xbc" "cher.example").first == errc{});
}
