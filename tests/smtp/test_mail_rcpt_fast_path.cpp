// The MAIL/RCPT fast path (smtp/mail_rcpt_fast_path.hpp): what it accepts it
// must parse exactly as parse_path + parse_parameters + check_*_parameters
// do; everything it is not sure of it declines, leaving the command alone.

#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "mailwire/smtp/mail_rcpt_fast_path.hpp"

namespace smtp = mailwire::smtp;
using namespace mailwire::smtp;

namespace {

bool same_view(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

// The exact route; false where it reports an error.
bool exact(std::string_view rest, bool mail, command& c) {
  path_options po;
  po.allow_null = mail;
  po.allow_postmaster = !mail;
  po.utf8 = true;  // as the server parser, which applies the SMTPUTF8 rule afterwards
  const path_result pr = parse_path(rest, po);
  if (!pr.ok()) return false;
  c.path = pr.path;
  std::string_view params = rest.substr(pr.consumed);
  if (params.empty()) return true;
  if (params.front() != ' ') return false;
  parameter_options pao;
  pao.utf8 = true;
  const parameter_parse_result r = parse_parameters(params.substr(1), pao);
  if (!r.ok()) return false;
  c.parameters = r.list;
  return (mail ? check_mail_parameters(r.list) : check_rcpt_parameters(r.list)).ok();
}

// The fast path accepts `rest` and agrees with the exact route.
void require_accepted_like_exact(const std::string& rest, bool mail) {
  INFO(rest);
  command fast, slow;
  const std::size_t consumed = smtp::detail::mail_rcpt_fast_path(rest, mail, 32, fast);
  REQUIRE(consumed != 0);
  CHECK(consumed == rest.find('>', rest.find('@')) + 1);
  REQUIRE(exact(rest, mail, slow));
  CHECK(fast.path.kind == slow.path.kind);
  CHECK(same_view(fast.path.local_part, slow.path.local_part));
  CHECK(same_view(fast.path.domain, slow.path.domain));
  CHECK(fast.path.domain_type == slow.path.domain_type);
  CHECK(fast.path.quoted == slow.path.quoted);
  CHECK(fast.path.utf8 == slow.path.utf8);
  CHECK(same_view(fast.parameters.text(), slow.parameters.text()));
  CHECK(fast.parameters.count() == slow.parameters.count());
  for (int k = 0; k < static_cast<int>(parameter_kind::unknown); ++k) {
    const auto kind = static_cast<parameter_kind>(k);
    CHECK(fast.parameters.position(kind) == slow.parameters.position(kind));
  }
  CHECK(fast.parameters.declared_size().value == slow.parameters.declared_size().value);
  CHECK(fast.parameters.orcpt().value.address == slow.parameters.orcpt().value.address);
  // The fast list is marked checked, so its xtext accessors skip the scan:
  // they must still read what the exact list's full rules read.
  const parameter_list& fl = fast.parameters;
  const parameter_list& sl = slow.parameters;
  CHECK(fl.orcpt().present == sl.orcpt().present);
  CHECK(fl.orcpt().ok() == sl.orcpt().ok());
  CHECK(same_view(fl.orcpt().value.addr_type, sl.orcpt().value.addr_type));
  CHECK(same_view(fl.orcpt().value.address, sl.orcpt().value.address));
  CHECK(same_view(fl.auth().value, sl.auth().value));
  CHECK(fl.auth().present == sl.auth().present);
  CHECK(same_view(fl.envid().value, sl.envid().value));
  CHECK(fl.envid().present == sl.envid().present);
  const auto nf = fl.notify(), ns = sl.notify();
  CHECK((nf.present == ns.present && nf.ok() == ns.ok()));
  CHECK((nf.value.never == ns.value.never && nf.value.success == ns.value.success &&
         nf.value.failure == ns.value.failure && nf.value.delay == ns.value.delay));
}

bool declined(const std::string& rest, bool mail, std::size_t max_parameters = 32) {
  command c;
  c.argument = "untouched";
  const bool accepted = smtp::detail::mail_rcpt_fast_path(rest, mail, max_parameters, c) != 0;
  if (!accepted) {
    CHECK(c.argument == "untouched");
    CHECK(c.path.kind == path_kind::null);
    CHECK(c.parameters.count() == 0);
  }
  return !accepted;
}

}  // namespace

#if MAILWIRE_HAS_BYTES16

TEST_CASE("fast path: common MAIL and RCPT lines parse as the exact parsers (RFC 5321 §4.1.2)",
          "[smtp][fast_path]") {
  require_accepted_like_exact("<victor.scott@eu-west-1.relay.example.co.jp>", true);
  require_accepted_like_exact(
      "<victor.scott@eu-west-1.relay.example.co.jp> SIZE=21362439 BODY=8BITMIME RET=FULL "
      "ENVID=<aa4953d547b5de88+2B5@example.co.jp>",
      true);
  require_accepted_like_exact("<j.jones+shop@example.com> size=36104223 body=8bitmime", true);
  require_accepted_like_exact("<bounce-12=user=example.org@lists.example.net> AUTH=<>", true);
  require_accepted_like_exact(
      "<chen_green@newsletter.example.net> NOTIFY=FAILURE "
      "ORCPT=rfc822;chen_green@newsletter.example.net",
      false);
  require_accepted_like_exact("<e.oconnor@example.com> ORCPT=rfc822;e.oconnor+2Bshop@example.com",
                              false);
  require_accepted_like_exact("<x@example.com> ORCPT=x-type;abc NOTIFY=NEVER", false);
  require_accepted_like_exact("<x@example.com> SMTPUTF8 REQUIRETLS MT-PRIORITY=-3", true);
}

TEST_CASE("fast path: quoted local parts without quoted-pairs (RFC 5321 §4.1.2)",
          "[smtp][fast_path]") {
  require_accepted_like_exact("<\"mohammed walker\"@newsletter.example-mail.de> NOTIFY=NEVER",
                              false);
  require_accepted_like_exact("<\"a>b@c\"@example.com> SIZE=1", true);  // ">" and "@" quoted
}

TEST_CASE("fast path: UTF-8 paths are parsed as under SMTPUTF8 (RFC 6531 §3.3)",
          "[smtp][fast_path]") {
  require_accepted_like_exact("<j\xc3\xa9r\xc3\xb4me@example.com> SMTPUTF8", true);
  require_accepted_like_exact("<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe3\x81\x88.example.jp>",
                              false);
  command c;
  REQUIRE(
      smtp::detail::mail_rcpt_fast_path("<m\xc3\xbcller@example.org> NOTIFY=NEVER", false, 32, c));
  CHECK(c.path.utf8);  // the caller refuses it unless SMTPUTF8 is in force
}

TEST_CASE("fast path: needs 16 octets to read in vectors", "[smtp][fast_path]") {
  CHECK(declined("<abcdef@q.examp>", false) == false);  // 16 octets
  CHECK(declined("<abcde@q.examp>", false));            // 15 octets
}

TEST_CASE("fast path: paths up to 64 octets; longer go the exact way (RFC 5321 §4.5.3.1)",
          "[smtp][fast_path]") {
  const std::string at_limit = "<" + std::string(50, 'l') + "@" + std::string(11, 'd') + ">";
  REQUIRE(at_limit.size() == 64);
  require_accepted_like_exact(at_limit, false);
  CHECK(declined("<" + std::string(50, 'l') + "@" + std::string(12, 'd') + ">", false));
}

TEST_CASE("fast path: parameters up to 256 octets", "[smtp][fast_path]") {
  const std::string head = "<a.b@mail.example.com> ";
  const std::string fits = "SIZE=1 AUTH=" + std::string(244, 'e');
  REQUIRE(fits.size() == 256);
  CHECK(declined(head + fits, true) == false);
  CHECK(declined(head + fits + "e", true));
}

TEST_CASE("fast path: declines what only the exact parsers judge (RFC 5321 §4.1.2-4.1.3)",
          "[smtp][fast_path]") {
  const std::string p = " SIZE=1";
  CHECK(declined("<someone@[192.0.2.1]>" + p, true));
  CHECK(declined("<someone@[IPv6:2001:db8::1]>" + p, true));
  CHECK(declined("<@relay.example:someone@example.com>" + p, true));
  CHECK(declined("<>" + std::string(" SIZE=12345678901234"), true));
  CHECK(declined("<Postmaster> NOTIFY=NEVER ORCPT=rfc822;x", false));
  CHECK(declined("<\"quoted\\\"pair\"@example.com>" + p, true));
  CHECK(declined("<\"\"@example.com>" + p, true));
  CHECK(declined("<j\xc3\xa9r\xc3\xb4me@example.com> X=\xc3\xa9", true));  // UTF-8 parameter
  CHECK(declined("<j\xc3r\xc3\xb4me@example.com> SMTPUTF8", true));        // malformed UTF-8
  CHECK(declined("<o'brien@example.com> SIZE=100", true));   // atext outside LDH . _ + =
  CHECK(declined("first.last@example.com SIZE=100", true));  // no brackets
}

TEST_CASE("fast path: declines every fault, leaving the errors to the exact parsers",
          "[smtp][fast_path]") {
  const std::string params = " SIZE=1000 BODY=7BIT";
  for (const char* path :
       {"<.first.last@example.com>", "<first.last.@example.com>", "<first..last@example.com>",
        "<first.last@-example.com>", "<first.last@example-.com>", "<first.last@example..com>",
        "<first.last@example.com.>", "<first.last@.example.com>", "<first.last@exa_mple.com>",
        "<first.last@@example.com>", "<first.lastexample.com>", "<first.last@example.com"}) {
    INFO(path);
    CHECK(declined(path + params, true));
  }
  const std::string path = "<first.last@example.com>";
  for (const char* bad :
       {" SIZE=1000  BODY=7BIT", "  SIZE=1000", " SIZE=", " =1", " SIZE=1=2", " SIZE=12a",
        " SIZE=1 size=2", " BODY=9BIT", " X-UNKNOWN=1", " NOTIFY=NEVER", " SIZE=1\x01",
        " SIZE=1 HOLDFOR=1 HOLDUNTIL=2030-01-01T00:00:00Z", " ENVID=+zz", "SIZE=1"}) {
    INFO(bad);
    CHECK(declined(path + bad, true));
  }
  CHECK(declined(path + " SIZE=1 BODY=7BIT", true, 1));  // over max_parameters
  CHECK(declined(path + " ORCPT=rfc822;a+4", false));
  CHECK(declined(path + " NOTIFY=SUCCESS,SUCCESS", false));
}

TEST_CASE("fast path: random lines of the usual shapes agree with the exact parsers",
          "[smtp][fast_path]") {
  std::mt19937_64 rng(20261127);
  const auto pick = [&](std::initializer_list<const char*> xs) {
    return std::string(*(xs.begin() + rng() % xs.size()));
  };
  const auto word = [&](std::size_t max) {
    std::string w;
    const std::size_t n = 1 + rng() % max;
    for (std::size_t i = 0; i < n; ++i) w += "abcxyzABC0189"[rng() % 13];
    return w;
  };
  std::size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const bool mail = rng() % 2 == 0;
    std::string local = word(12);
    if (rng() % 3 == 0) local += pick({".", "_", "+", "=", "-"}) + word(10);
    std::string domain = word(8);
    for (std::size_t k = rng() % 4; k > 0; --k) domain += pick({".", "-", "."}) + word(8);
    std::string line = "<" + local + "@" + domain + ">";
    if (mail) {
      if (rng() % 2) line += " SIZE=" + std::to_string(rng() % 100000000);
      if (rng() % 2) line += pick({" BODY=8BITMIME", " BODY=7bit", " BODY=BINARYMIME"});
      if (rng() % 3 == 0) line += " RET=" + pick({"FULL", "HDRS", "ALL"});
      if (rng() % 3 == 0) line += " ENVID=" + word(30) + pick({"", "+2B", "+zz", "+"});
    } else {
      if (rng() % 2)
        line += " NOTIFY=" +
                pick({"NEVER", "SUCCESS,FAILURE", "DELAY", "FAILURE,DELAY", "never,delay"});
      if (rng() % 2)
        line += " ORCPT=" + pick({"rfc822;", "RFC822;", "utf-8;", ";"}) + local + "@" + domain;
    }
    command fast;
    if (smtp::detail::mail_rcpt_fast_path(line, mail, 32, fast) == 0) continue;
    ++accepted;
    require_accepted_like_exact(line, mail);
  }
  CHECK(accepted > 10000);  // the usual shapes do take the fast path
}

TEST_CASE("fast path: the sixteen NOTIFY values in any case, and nothing like them (RFC 3461 §4.1)",
          "[smtp][fast_path][notify]") {
  const std::string path = "<first.last@example.com> NOTIFY=";
  const char* items[3] = {"SUCCESS", "FAILURE", "DELAY"};
  std::vector<std::pair<std::string, unsigned>> valid = {{"NEVER", 8}};
  for (unsigned a = 0; a < 3; ++a) {
    valid.push_back({items[a], 1u << a});
    for (unsigned b = 0; b < 3; ++b) {
      if (b == a) continue;
      valid.push_back({std::string(items[a]) + "," + items[b], 1u << a | 1u << b});
      for (unsigned c = 0; c < 3; ++c)
        if (c != a && c != b)
          valid.push_back({std::string(items[a]) + "," + items[b] + "," + items[c], 7});
    }
  }
  REQUIRE(valid.size() == 16);
  for (const auto& [value, bits] : valid) {
    std::string lower = value;
    for (char& ch : lower) ch = static_cast<char>(ch | 0x20);
    for (const std::string& v : {value, lower}) {
      INFO(v);
      require_accepted_like_exact(path + v, false);
      const std::string line = path + v;  // the command's views point into it
      command c;
      REQUIRE(smtp::detail::mail_rcpt_fast_path(line, false, 32, c) != 0);
      const auto n = c.parameters.notify();
      CHECK((n.value.success ? 1u : 0u) + (n.value.failure ? 2u : 0u) + (n.value.delay ? 4u : 0u) +
                (n.value.never ? 8u : 0u) ==
            bits);
      // The same rule outside the fast path.
      parameter p;
      p.value = v;
      p.has_value = true;
      CHECK(smtp::detail::notify_bits(p) == bits);
    }
  }
  for (const char* bad :
       {"NEVER,SUCCESS", "SUCCESS,NEVER", "DELAY,DELAY", "SUCCESS,FAILURE,DELAY,NEVER", "SUCCESS,",
        ",DELAY", "SUCCES,FAILURE", "SUCCESS;FAILURE", "SUCCESS,,FAILURE", "NEVERR", "NEVE",
        "DELAYS", "FAILURE,DELAY,FAILURE", "SUCCESS.FAILURE", "SUCCESSFAILURE", "D",
        "SUCCESS,FAILURE,DELAYX", "[UCCESS", "SUCCESS,FAILURE,DELA"}) {
    INFO(bad);
    CHECK(declined(path + bad, false));
    parameter p;
    p.value = bad;
    p.has_value = true;
    CHECK(smtp::detail::notify_bits(p) == 0);
  }
}

TEST_CASE("fast path: xtext escapes in ORCPT, ENVID and AUTH values (RFC 3461 §4, RFC 4954 §5)",
          "[smtp][fast_path][xtext]") {
  const std::string rcpt = "<first.last@example.com> ORCPT=rfc822;";
  require_accepted_like_exact(rcpt + "a+2Bb+3Dc@example.com", false);
  require_accepted_like_exact(rcpt + "a+20b@example.com", false);  // SP decodes printable
  require_accepted_like_exact(rcpt + "a+7eb@example.com", false);  // lower-case hex
  for (const char* bad : {"a+7Fb@x", "a+1Fb@x", "a+C3b@x", "a+zzb@x", "ab@x+2", "ab@x+", "+"}) {
    INFO(bad);
    CHECK(declined(rcpt + bad, false));
  }
  const std::string mail = "<first.last@example.com> ";
  require_accepted_like_exact(mail + "AUTH=j+C3+A9r@example.com", true);  // 8-bit under AUTH
  CHECK(declined(mail + "AUTH=a+0Ab", true));
  CHECK(declined(mail + "ENVID=a+C3b", true));  // ENVID decodes to US-ASCII only
  require_accepted_like_exact(mail + "ENVID=" + std::string(100, 'e'), true);
  CHECK(declined(mail + "ENVID=" + std::string(101, 'e'), true));
  require_accepted_like_exact(mail + "RET=hdrs ENVID=QQ+2B1", true);
}

TEST_CASE("fast path: SIZE digits, up to 19 judged here (RFC 1870 §3)", "[smtp][fast_path]") {
  const std::string mail = "<first.last@example.com> SIZE=";
  for (const std::string& v :
       {std::string("0"), std::string("7"), std::string(8, '9'), std::string(9, '1'),
        std::string(16, '5'), std::string(17, '5'), std::string(19, '9')}) {
    INFO(v);
    require_accepted_like_exact(mail + v, true);
  }
  CHECK(declined(mail + std::string(20, '1'), true));  // the exact parser checks overflow
  for (const char* bad : {"1a", "a1", "12345678/", "1234567:", "123456789012345.6", "-1", "+1"}) {
    INFO(bad);
    CHECK(declined(mail + bad, true));
  }
}

TEST_CASE("fast path: parameters at and across 64-octet mask words", "[smtp][fast_path]") {
  const std::string mail = "<first.last@example.com> ";
  // One parameter of 63, 64 and 65 octets with no "=": unknown, declined.
  for (std::size_t n : {63u, 64u, 65u}) CHECK(declined(mail + std::string(n, 'X'), true));
  // Values that end exactly at, and run past, a word boundary.
  for (std::size_t n = 50; n < 140; ++n) {
    INFO(n);
    require_accepted_like_exact(mail + "AUTH=" + std::string(n, 'a'), true);
    require_accepted_like_exact(mail + "SIZE=1 AUTH=" + std::string(n, 'a') + "+2B", true);
    require_accepted_like_exact(
        "<first.last@example.com> NOTIFY=NEVER ORCPT=rfc822;" + std::string(n, 'b') + "+2Bc",
        false);
    CHECK(declined(mail + "AUTH=" + std::string(n, 'a') + "=", true));
  }
}

#endif
