// SMTP command writers (RFC 5321 §4.1.1, RFC 2033, RFC 3030, RFC 3207, RFC
// 4954 and the ESMTP parameters of smtp/parameters.hpp): exact bytes, every
// validation error, all or nothing, and round trips through server_parser.
#include <mailwire/smtp/command_writer.hpp>
#include <mailwire/smtp/sasl.hpp>
#include <mailwire/smtp/server_parser.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/writer_checks.hpp"

using namespace mailwire;
using namespace mailwire::smtp;

namespace {

using mailwire::test::check_all_or_nothing;
using mailwire::test::run;
using mailwire::test::written;

errc error_of(const written& w) { return w.error; }

/// What server_parser<> made of some bytes: the number of events of each
/// kind, and the error names in order.
struct parse_summary {
  int commands = 0;
  int errors = 0;
  int others = 0;
  std::vector<std::string> error_names;
};

/// Feeds `bytes` whole to a fresh server_parser<> and reads every event,
/// then feed_eof() and the events after it. `on_command` sees each command
/// while its views are valid. `utf8_transaction`: set_smtputf8(true).
template <class F>
parse_summary parse_all(std::string_view bytes, F&& on_command, bool utf8_transaction = false) {
  server_parser<> p;
  p.set_smtputf8(utf8_transaction);
  p.feed(bytes);
  parse_summary s;
  bool eof = false;
  for (int guard = 0; guard < 10000; ++guard) {
    const server_event& ev = p.next();
    switch (ev.kind) {
      case server_event_kind::need_more:
        if (eof) return s;
        p.feed_eof();
        eof = true;
        break;
      case server_event_kind::command:
        ++s.commands;
        on_command(ev.command);
        break;
      case server_event_kind::error:
        ++s.errors;
        s.error_names.emplace_back(name(ev.error));
        break;
      case server_event_kind::data:
      case server_event_kind::data_end:
      case server_event_kind::sasl_data:
      case server_event_kind::sasl_end: ++s.others; break;
    }
  }
  FAIL("parser did not stop");
  return s;
}

/// `bytes` must be one command line that server_parser<> reads as exactly one
/// command event (no error, nothing else); `check` inspects it.
template <class F>
void expect_one_command(std::string_view bytes, F&& check, bool utf8_transaction = false) {
  INFO(std::string(bytes));
  REQUIRE(bytes.size() >= 2);
  REQUIRE(bytes.substr(bytes.size() - 2) == "\r\n");
  REQUIRE(bytes.find_first_of(std::string_view("\r\n\0", 3)) == bytes.size() - 2);
  const parse_summary s = parse_all(bytes, check, utf8_transaction);
  CHECK(s.error_names == std::vector<std::string>{});
  CHECK(s.commands == 1);
  CHECK(s.others == 0);
}

std::string unquoted(std::string_view local_part) {
  std::string out(local_part.size(), '\0');
  const copy_result r = unquote_local_part(local_part, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

std::string xtext_decoded(std::string_view encoded) {
  std::string out(encoded.size(), '\0');
  const xtext::decode_result r = xtext::decode(encoded, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

std::string base64_decoded(std::string_view encoded) {
  std::string out(base64::max_decoded_size(encoded.size()), '\0');
  const base64::result r = base64::decode(encoded, out.data(), out.size());
  REQUIRE(r.ok());
  out.resize(r.size);
  return out;
}

std::string base64_encoded(std::string_view raw) {
  std::string out(base64::encoded_size(raw.size()), '\0');
  REQUIRE(base64::encode(raw, out.data(), out.size()).ok());
  return out;
}

std::size_t count_known(const mail_parameters& p) {
  return static_cast<std::size_t>(p.size.has_value()) + p.body.has_value() + p.smtputf8 +
         p.requiretls + p.auth.has_value() + p.ret.has_value() + p.envid.has_value() +
         p.mt_priority.has_value() + p.by.has_value() + p.holdfor.has_value() +
         p.holduntil.has_value() + p.extensions.size();
}

std::size_t count_known(const rcpt_parameters& p) {
  return static_cast<std::size_t>(p.notify.has_value()) + p.orcpt.has_value() + p.rrvs.has_value() +
         p.extensions.size();
}

void check_extensions(const parameter_list& list, const extension_list& ext) {
  for (const extension_parameter& x : ext) {
    INFO(std::string(x.keyword));
    const auto found = list.find(x.keyword);
    REQUIRE(found.has_value());
    CHECK(found->keyword == x.keyword);
    CHECK(found->has_value == !x.value.empty());
    CHECK(found->value == x.value);
  }
}

/// The parsed MAIL parameters say what `p` says, through the typed accessors.
void check_same(const parameter_list& list, const mail_parameters& p) {
  CHECK(check_mail_parameters(list).ok());
  CHECK(list.count() == count_known(p));
  CHECK(list.declared_size().present == p.size.has_value());
  if (p.size) CHECK(list.declared_size().value == *p.size);
  CHECK(list.body().present == p.body.has_value());
  if (p.body) CHECK(list.body().value == *p.body);
  CHECK(list.smtputf8().present == p.smtputf8);
  CHECK(list.requiretls().present == p.requiretls);
  CHECK(list.auth().present == p.auth.has_value());
  if (p.auth) CHECK(xtext_decoded(list.auth().value) == *p.auth);
  CHECK(list.ret().present == p.ret.has_value());
  if (p.ret) CHECK(list.ret().value == *p.ret);
  CHECK(list.envid().present == p.envid.has_value());
  if (p.envid) CHECK(xtext_decoded(list.envid().value) == *p.envid);
  CHECK(list.mt_priority().present == p.mt_priority.has_value());
  if (p.mt_priority) CHECK(list.mt_priority().value == *p.mt_priority);
  CHECK(list.by().present == p.by.has_value());
  if (p.by) {
    CHECK(list.by().value.seconds == p.by->seconds);
    CHECK(list.by().value.mode == p.by->mode);
    CHECK(list.by().value.trace == p.by->trace);
  }
  CHECK(list.holdfor().present == p.holdfor.has_value());
  if (p.holdfor) CHECK(list.holdfor().value == *p.holdfor);
  CHECK(list.holduntil().present == p.holduntil.has_value());
  if (p.holduntil) CHECK(list.holduntil().value == *p.holduntil);
  check_extensions(list, p.extensions);
}

void check_same(const parameter_list& list, const rcpt_parameters& p) {
  CHECK(check_rcpt_parameters(list).ok());
  CHECK(list.count() == count_known(p));
  const auto notify = list.notify();
  CHECK(notify.present == p.notify.has_value());
  if (p.notify) {
    CHECK(notify.value.never == p.notify->never);
    CHECK(notify.value.success == p.notify->success);
    CHECK(notify.value.failure == p.notify->failure);
    CHECK(notify.value.delay == p.notify->delay);
  }
  const auto orcpt = list.orcpt();
  CHECK(orcpt.present == p.orcpt.has_value());
  if (p.orcpt) {
    CHECK(orcpt.value.addr_type == p.orcpt->addr_type);
    CHECK(xtext_decoded(orcpt.value.address) == p.orcpt->address);
  }
  const auto rrvs = list.rrvs();
  CHECK(rrvs.present == p.rrvs.has_value());
  if (p.rrvs) {
    CHECK(rrvs.value.date_time == p.rrvs->date_time);
    CHECK(rrvs.value.mode == p.rrvs->mode);
  }
  check_extensions(list, p.extensions);
}

/// The parsed path is the mailbox `m` (the local part compared unquoted).
void check_same(const path& parsed, const mailbox_parts& m) {
  CHECK(parsed.kind == path_kind::mailbox);
  CHECK(unquoted(parsed.local_part) == m.local_part);
  CHECK(parsed.domain == m.domain);
  CHECK_FALSE(parsed.source_route);
}

}  // namespace

static_assert(noexcept(write_ehlo(std::declval<fixed_sink&>(), "")));
static_assert(noexcept(write_mail(std::declval<fixed_sink&>(), mailbox_parts{})));
static_assert(noexcept(write_mail(std::declval<fixed_sink&>(), null_path)));
static_assert(noexcept(write_mail(std::declval<fixed_sink&>(), path{})));
static_assert(noexcept(write_rcpt(std::declval<fixed_sink&>(), mailbox_parts{})));
static_assert(noexcept(write_rcpt(std::declval<fixed_sink&>(), postmaster)));
static_assert(noexcept(write_bdat(std::declval<fixed_sink&>(), 0, true)));
static_assert(noexcept(write_auth(std::declval<fixed_sink&>(), "", "")));
static_assert(noexcept(write_sasl_response(std::declval<fixed_sink&>(), "")));
static_assert(noexcept(write_sasl_cancel(std::declval<fixed_sink&>())));
static_assert(auth_initial_response_fits("PLAIN", 0));
static_assert(max_sasl_response_line == sasl::max_response_line);
static_assert(!auth_initial_response_fits("PLAIN", std::numeric_limits<std::size_t>::max()));

// --- HELO, EHLO, LHLO ---------------------------------------------------------

TEST_CASE(
    "command: HELO, EHLO and LHLO write the domain or literal (RFC 5321 §4.1.1.1, RFC 2033 §4.1)",
    "[smtp][command_writer][hello]") {
  auto r = run([](auto& s) { return write_ehlo(s, "client.example.org"); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "EHLO client.example.org\r\n");
  r = run([](auto& s) { return write_helo(s, "client.example.org"); });
  CHECK(r.bytes == "HELO client.example.org\r\n");
  r = run([](auto& s) { return write_lhlo(s, "lmtp-client"); });
  CHECK(r.bytes == "LHLO lmtp-client\r\n");
  for (const std::string_view literal :
       {"[192.0.2.1]", "[IPv6:2001:db8::1]", "[IPv6:2001:db8:0:0:0:0:0:1]", "[x-tag:abc]"}) {
    r = run([&](auto& s) { return write_ehlo(s, literal); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "EHLO " + std::string(literal) + "\r\n");
    expect_one_command(r.bytes, [&](const command& c) {
      CHECK(c.verb == verb::ehlo);
      CHECK(c.argument == literal);
    });
  }
  const std::pair<verb, std::string> hellos[] = {{verb::helo, "HELO a.example\r\n"},
                                                 {verb::ehlo, "EHLO a.example\r\n"},
                                                 {verb::lhlo, "LHLO a.example\r\n"}};
  for (const auto& pair : hellos) {
    expect_one_command(pair.second, [&](const command& c) {
      CHECK(c.verb == pair.first);
      CHECK(c.argument == "a.example");
    });
  }
  check_all_or_nothing([](auto& s) { return write_ehlo(s, "a.example"); }, "EHLO a.example\r\n");
}

TEST_CASE("command: HELO/EHLO arguments are validated (RFC 5321 §4.1.2-4.1.3, RFC 6531 §3.7.1)",
          "[smtp][command_writer][hello]") {
  const std::pair<std::string_view, errc> cases[] = {
      {"", errc::missing_argument},
      {"a.example\r\nRSET", errc::invalid_argument},
      {"a.example\n", errc::invalid_argument},
      {std::string_view("a\0b", 3), errc::invalid_argument},
      {"a\tb", errc::invalid_argument},
      {"a example", errc::invalid_domain},
      {"-a.example", errc::invalid_domain},
      {"a-.example", errc::invalid_domain},
      {"a..example", errc::invalid_domain},
      {"a.example.", errc::invalid_domain},
      {"a_b.example", errc::invalid_domain},
      {"b\xc3\xbc"
       "cher.example",
       errc::invalid_domain},
      {"[192.0.2.256]", errc::invalid_address_literal},
      {"[192.0.2.1", errc::invalid_address_literal},
      {"[IPv6:1:2:3:4:5:6::7]", errc::invalid_address_literal},  // "::" for one group
      {"[IPv6:zz::1]", errc::invalid_address_literal},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first));
    CHECK(error_of(run([&](auto& s) { return write_helo(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_ehlo(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_lhlo(s, c.first); })) == c.second);
  }
}

TEST_CASE("command: a HELO domain is at most 255 octets (RFC 5321 §4.5.3.1.2)",
          "[smtp][command_writer][hello][limits]") {
  std::string domain;
  while (domain.size() < 255) domain += domain.empty() ? "a" : ".a";
  REQUIRE(domain.size() == 255);
  const auto r = run([&](auto& s) { return write_ehlo(s, domain); });
  CHECK(r.error == errc{});
  expect_one_command(r.bytes, [&](const command& c) { CHECK(c.argument == domain); });
  domain += "a";
  CHECK(error_of(run([&](auto& s) { return write_ehlo(s, domain); })) == errc::domain_too_long);
}

// --- MAIL ---------------------------------------------------------------------

TEST_CASE("command: MAIL FROM with a dot-string local part (RFC 5321 §4.1.1.2)",
          "[smtp][command_writer][mail]") {
  auto r = run([](auto& s) { return write_mail(s, {"jane.doe", "example.org"}); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "MAIL FROM:<jane.doe@example.org>\r\n");
  r = run([](auto& s) { return write_mail(s, {"a+tag", "[192.0.2.1]"}); });
  CHECK(r.bytes == "MAIL FROM:<a+tag@[192.0.2.1]>\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.verb == verb::mail);
    CHECK(c.path.local_part == "a+tag");
    CHECK(c.path.domain == "[192.0.2.1]");
    CHECK(c.path.domain_type == domain_kind::ipv4);
  });
  check_all_or_nothing(
      [](auto& s) {
        return write_mail(s, {"a", "b.example"});
      },
      "MAIL FROM:<a@b.example>\r\n");
}

TEST_CASE("command: local parts are quoted only when the grammar needs it (RFC 5321 §4.1.2, §2.4)",
          "[smtp][command_writer][mail][quoting]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"john doe", "\"john doe\""},
      {"a..b", "\"a..b\""},
      {".a", "\".a\""},
      {"a.", "\"a.\""},
      {"a\"b", "\"a\\\"b\""},
      {"a\\b", "\"a\\\\b\""},
      {"a@b", "\"a@b\""},
      {"(x)", "\"(x)\""},
      {"a,b", "\"a,b\""},
      {"<a>", "\"<a>\""},
      {"a:b", "\"a:b\""},
      {" ", "\" \""},
      {"!#$%&'*+-/=?^_`{|}~", "!#$%&'*+-/=?^_`{|}~"},
      {"x.y.z", "x.y.z"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first));
    const auto r = run([&](auto& s) { return write_rcpt(s, {c.first, "example.org"}); });
    REQUIRE(r.error == errc{});
    CHECK(r.bytes == "RCPT TO:<" + std::string(c.second) + "@example.org>\r\n");
    expect_one_command(r.bytes, [&](const command& cmd) {
      check_same(cmd.path, {c.first, "example.org"});
      CHECK(cmd.path.quoted == (c.first != c.second));
    });
  }
}

TEST_CASE("command: MAIL FROM:<> is the null reverse-path (RFC 5321 §4.5.5, §6 item 7)",
          "[smtp][command_writer][mail]") {
  auto r = run([](auto& s) { return write_mail(s, null_path); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "MAIL FROM:<>\r\n");
  mail_parameters p;
  p.size = 10;
  p.ret = ret_type::hdrs;
  r = run([&](auto& s) { return write_mail(s, null_path, p); });
  CHECK(r.bytes == "MAIL FROM:<> SIZE=10 RET=HDRS\r\n");
  expect_one_command(r.bytes, [&](const command& c) {
    CHECK(c.verb == verb::mail);
    CHECK(c.path.kind == path_kind::null);
    check_same(c.parameters, p);
  });
  check_all_or_nothing([](auto& s) { return write_mail(s, null_path); }, "MAIL FROM:<>\r\n");
}

TEST_CASE("command: MAIL paths are validated, first problem in reading order (RFC 5321 §4.1.2)",
          "[smtp][command_writer][mail]") {
  const std::pair<mailbox_parts, errc> cases[] = {
      {{"a\r\nRSET", "example.org"}, errc::invalid_argument},
      {{"a", "example.org>\r\nRSET"}, errc::invalid_argument},
      {{std::string_view("a\0", 2), "example.org"}, errc::invalid_argument},
      {{"a\tb", "example.org"}, errc::invalid_argument},
      {{"a\x7f", "example.org"}, errc::invalid_argument},
      {{"", "example.org"}, errc::invalid_local_part},
      {{"\xff", "example.org"}, errc::invalid_utf8},
      {{"\xc3", "example.org"}, errc::invalid_utf8},
      {{"j\xc3\xb6rg", "example.org"}, errc::smtputf8_required},
      {{"a", ""}, errc::invalid_domain},
      {{"a", "example.org>"}, errc::invalid_domain},
      {{"a", "exa mple.org"}, errc::invalid_domain},
      {{"a",
        "b\xc3\xbc"
        "cher.example"},
       errc::smtputf8_required},
      {{"a", "b\xff.example"}, errc::invalid_utf8},
      {{"a", "[192.0.2.1"}, errc::invalid_address_literal},
      {{"a", "[IPv6:1:2:3:4:5:6::7]"}, errc::invalid_address_literal},
      {{"a", "[1.2.3.4]>"}, errc::invalid_address_literal},
      // Reading order: the local part before the domain.
      {{"", "exa mple"}, errc::invalid_local_part},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first.local_part) << " @ " << std::string(c.first.domain));
    CHECK(error_of(run([&](auto& s) { return write_mail(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_rcpt(s, c.first); })) == c.second);
  }
}

TEST_CASE("command: local part 64, domain 255 and path 256 octets (RFC 5321 §4.5.3.1.1-3)",
          "[smtp][command_writer][mail][limits]") {
  // Dot-string: 64 octets.
  const std::string l64(64, 'l');
  auto r = run([&](auto& s) { return write_mail(s, {l64, "example.org"}); });
  CHECK(r.error == errc{});
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.path, {l64, "example.org"}); });
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {l64 + "l", "example.org"});
        })) == errc::local_part_too_long);
  // Quoted: the quotes and backslashes count.
  const std::string q62(62, ' ');
  r = run([&](auto& s) { return write_mail(s, {q62, "example.org"}); });
  CHECK(r.error == errc{});
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.path, {q62, "example.org"}); });
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {q62 + " ", "example.org"});
        })) == errc::local_part_too_long);
  const std::string q31(31, '"');  // 31 escapes + 31 + 2 quotes = 64
  CHECK(error_of(run([&](auto& s) { return write_mail(s, {q31, "example.org"}); })) == errc{});
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {q31 + "a", "example.org"});
        })) == errc::local_part_too_long);

  // Path: "<" + local + "@" + domain + ">" = 256.
  std::string domain;
  while (domain.size() < 251) domain += domain.empty() ? "d" : ".d";
  REQUIRE(domain.size() == 251);
  r = run([&](auto& s) { return write_mail(s, {"ab", domain}); });
  CHECK(r.error == errc{});
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.path, {"ab", domain}); });
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {"abc", domain});
        })) == errc::path_too_long);
  // A 255-octet domain is a valid domain but never fits in a path.
  std::string d255 = domain + ".dd";
  REQUIRE(d255.size() == 254);
  d255 += "d";
  CHECK(error_of(run([&](auto& s) { return write_mail(s, {"a", d255}); })) == errc::path_too_long);
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {"a", d255 + "d"});
        })) == errc::domain_too_long);
}

TEST_CASE("command: UTF-8 paths need SMTPUTF8 on MAIL (RFC 6531 §3.4)",
          "[smtp][command_writer][mail][utf8]") {
  const mailbox_parts from{"j\xc3\xb6rg",
                           "b\xc3\xbc"
                           "cher.example"};
  CHECK(error_of(run([&](auto& s) { return write_mail(s, from); })) == errc::smtputf8_required);
  mail_parameters p;
  p.smtputf8 = true;
  auto r = run([&](auto& s) { return write_mail(s, from, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes ==
        "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc"
        "cher.example> SMTPUTF8\r\n");
  expect_one_command(r.bytes, [&](const command& c) {
    check_same(c.path, from);
    CHECK(c.path.utf8);
    check_same(c.parameters, p);
  });
  // The keyword given as an extension counts too.
  mail_parameters q;
  REQUIRE(q.extensions.add("smtputf8") == errc{});
  r = run([&](auto& s) { return write_mail(s, from, q); });
  CHECK(r.error == errc{});
  CHECK(r.bytes ==
        "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc"
        "cher.example> smtputf8\r\n");
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.path, from); });
  // A UTF-8 local part that needs quoting.
  r = run([&](auto& s) { return write_mail(s, {"j\xc3\xb6rg m", "example.org"}, p); });
  CHECK(r.bytes == "MAIL FROM:<\"j\xc3\xb6rg m\"@example.org> SMTPUTF8\r\n");
}

TEST_CASE(
    "command: MAIL parameters, exact bytes in field order (RFC 1870, 6152, 3030, 6531, 8689, "
    "4954 §5, 3461 §4, 6710, 2852, 4865)",
    "[smtp][command_writer][mail][parameters]") {
  mail_parameters p;
  p.size = 35882577;
  p.body = body_type::eight_bit_mime;
  p.smtputf8 = true;
  p.requiretls = true;
  p.auth = "e=mc2@example.com";
  p.ret = ret_type::full;
  p.envid = "QQ314159 a+b";
  p.mt_priority = -3;
  p.by = deliver_by{120, by_mode::return_message, true};
  p.holdfor = 600;
  REQUIRE(p.extensions.add("X-FOO", "bar") == errc{});
  REQUIRE(p.extensions.add("XFLAG") == errc{});
  const auto r = run([&](auto& s) { return write_mail(s, {"a", "example.org"}, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes ==
        "MAIL FROM:<a@example.org> SIZE=35882577 BODY=8BITMIME SMTPUTF8 REQUIRETLS "
        "AUTH=e+3Dmc2@example.com RET=FULL ENVID=QQ314159+20a+2Bb MT-PRIORITY=-3 BY=120;RT "
        "HOLDFOR=600 X-FOO=bar XFLAG\r\n");
  expect_one_command(r.bytes, [&](const command& c) {
    CHECK(c.verb == verb::mail);
    check_same(c.parameters, p);
  });

  mail_parameters q;
  q.body = body_type::binary_mime;
  q.auth = "<>";
  q.ret = ret_type::hdrs;
  q.mt_priority = 9;
  q.by = deliver_by{-5, by_mode::notify, false};
  q.holduntil = "2030-01-01T00:00:00Z";
  const auto r2 = run([&](auto& s) { return write_mail(s, null_path, q); });
  CHECK(r2.bytes ==
        "MAIL FROM:<> BODY=BINARYMIME AUTH=<> RET=HDRS MT-PRIORITY=9 BY=-5;N "
        "HOLDUNTIL=2030-01-01T00:00:00Z\r\n");
  expect_one_command(r2.bytes, [&](const command& c) { check_same(c.parameters, q); });

  mail_parameters small;
  small.body = body_type::seven_bit;
  small.size = 0;
  small.mt_priority = 0;
  small.by = deliver_by{0, by_mode::notify, true};
  const auto r3 = run([&](auto& s) { return write_mail(s, null_path, small); });
  CHECK(r3.bytes == "MAIL FROM:<> SIZE=0 BODY=7BIT MT-PRIORITY=0 BY=0;NT\r\n");
  expect_one_command(r3.bytes, [&](const command& c) { check_same(c.parameters, small); });
  check_all_or_nothing([&](auto& s) { return write_mail(s, null_path, small); }, r3.bytes);
}

namespace {

/// MAIL FROM:<> with `p`: the bytes after "MAIL FROM:<>" must be
/// `expected_parameters`, and the parser must read the same values back.
void mail_round_trip(const mail_parameters& p, std::string_view expected_parameters) {
  const auto r = run([&](auto& s) { return write_mail(s, null_path, p); });
  REQUIRE(r.error == errc{});
  CHECK(r.bytes == "MAIL FROM:<>" + std::string(expected_parameters) + "\r\n");
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.parameters, p); });
}

errc mail_error(const mail_parameters& p) {
  return error_of(run([&](auto& s) { return write_mail(s, {"a", "example.org"}, p); }));
}

/// RCPT TO:<Postmaster> with `p`, as mail_round_trip.
void rcpt_round_trip(const rcpt_parameters& p, std::string_view expected_parameters) {
  const auto r = run([&](auto& s) { return write_rcpt(s, postmaster, p); });
  REQUIRE(r.error == errc{});
  CHECK(r.bytes == "RCPT TO:<Postmaster>" + std::string(expected_parameters) + "\r\n");
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.parameters, p); });
}

errc rcpt_error(const rcpt_parameters& p) {
  return error_of(run([&](auto& s) { return write_rcpt(s, {"a", "b.example"}, p); }));
}

}  // namespace

TEST_CASE("command: SIZE= takes any 64-bit size (RFC 1870 §3)",
          "[smtp][command_writer][mail][parameters][size]") {
  mail_parameters p;
  p.size = 0;
  mail_round_trip(p, " SIZE=0");
  p.size = 35882577;
  mail_round_trip(p, " SIZE=35882577");
  p.size = std::numeric_limits<std::uint64_t>::max();
  mail_round_trip(p, " SIZE=18446744073709551615");
}

TEST_CASE("command: BODY= 7BIT, 8BITMIME or BINARYMIME (RFC 6152 §2, RFC 3030 §3)",
          "[smtp][command_writer][mail][parameters][body]") {
  mail_parameters p;
  p.body = body_type::seven_bit;
  mail_round_trip(p, " BODY=7BIT");
  p.body = body_type::eight_bit_mime;
  mail_round_trip(p, " BODY=8BITMIME");
  p.body = body_type::binary_mime;
  mail_round_trip(p, " BODY=BINARYMIME");
  p.body = static_cast<body_type>(7);
  CHECK(mail_error(p) == errc::invalid_parameter_value);
}

TEST_CASE("command: SMTPUTF8 and REQUIRETLS take no value (RFC 6531 §3.4, RFC 8689 §2)",
          "[smtp][command_writer][mail][parameters][flags]") {
  mail_parameters p;
  p.smtputf8 = true;
  mail_round_trip(p, " SMTPUTF8");
  p.requiretls = true;
  mail_round_trip(p, " SMTPUTF8 REQUIRETLS");
  p.smtputf8 = false;
  mail_round_trip(p, " REQUIRETLS");
  mail_parameters q;
  REQUIRE(q.extensions.add("REQUIRETLS", "yes") == errc{});
  CHECK(mail_error(q) == errc::invalid_parameter_value);
}

TEST_CASE("command: AUTH= is <> or a mailbox, sent as xtext (RFC 4954 §5, RFC 3461 §4)",
          "[smtp][command_writer][mail][parameters][auth]") {
  mail_parameters p;
  p.auth = "<>";
  mail_round_trip(p, " AUTH=<>");
  p.auth = "e=mc2@example.com";
  mail_round_trip(p, " AUTH=e+3Dmc2@example.com");
  p.auth = "\"a b\"@example.org";
  mail_round_trip(p, " AUTH=\"a+20b\"@example.org");
  p.auth = "j\xc3\xb6rg@example.org";  // xtext carries UTF-8 without SMTPUTF8
  mail_round_trip(p, " AUTH=j+C3+B6rg@example.org");
  p.auth = "a+b@[192.0.2.1]";
  mail_round_trip(p, " AUTH=a+2Bb@[192.0.2.1]");
  for (const std::string_view bad : {"", "<a@b.example>", "a", "a@", "@b.example", "a b@c.example",
                                     "<>x", "a@b.example x", "a@-b.example", "\xff@b.example"}) {
    INFO(std::string(bad));
    p.auth = bad;
    CHECK(mail_error(p) == errc::invalid_parameter_value);
  }
  for (const std::string_view bad : {std::string_view("a@b\r\n.example"),
                                     std::string_view("a\0@b", 4), std::string_view("\n")}) {
    p.auth = bad;
    CHECK(mail_error(p) == errc::invalid_argument);
  }
}

TEST_CASE("command: RET= FULL or HDRS (RFC 3461 §4.3)",
          "[smtp][command_writer][mail][parameters][ret]") {
  mail_parameters p;
  p.ret = ret_type::full;
  mail_round_trip(p, " RET=FULL");
  p.ret = ret_type::hdrs;
  mail_round_trip(p, " RET=HDRS");
  p.ret = static_cast<ret_type>(9);
  CHECK(mail_error(p) == errc::invalid_parameter_value);
}

TEST_CASE("command: ENVID= is printable ASCII, at most 100 characters as xtext (RFC 3461 §4.4)",
          "[smtp][command_writer][mail][parameters][envid]") {
  mail_parameters p;
  p.envid = "QQ314159";
  mail_round_trip(p, " ENVID=QQ314159");
  p.envid = "a b+c=d";
  mail_round_trip(p, " ENVID=a+20b+2Bc+3Dd");
  const std::string e100(100, 'e'), e101(101, 'e');
  p.envid = e100;
  mail_round_trip(p, " ENVID=" + e100);
  p.envid = e101;
  CHECK(mail_error(p) == errc::invalid_parameter_value);
  const std::string plus33(33, '+'), plus34(34, '+');  // "+2B" each: 99 and 102
  p.envid = plus33;
  CHECK(mail_error(p) == errc{});
  p.envid = plus34;
  CHECK(mail_error(p) == errc::invalid_parameter_value);
  p.envid = "";
  CHECK(mail_error(p) == errc::invalid_parameter_value);
  p.envid = "caf\xc3\xa9";
  CHECK(mail_error(p) == errc::invalid_parameter_value);
  p.envid = "a\r\nRSET";
  CHECK(mail_error(p) == errc::invalid_argument);
  p.envid = std::string_view("a\0", 2);
  CHECK(mail_error(p) == errc::invalid_argument);
}

TEST_CASE("command: MT-PRIORITY= -9..9 (RFC 6710 §3)",
          "[smtp][command_writer][mail][parameters][mt_priority]") {
  mail_parameters p;
  for (int v = -9; v <= 9; ++v) {
    p.mt_priority = v;
    mail_round_trip(p, " MT-PRIORITY=" + std::to_string(v));
  }
  for (const int bad : {-10, 10, 100, std::numeric_limits<int>::min()}) {
    p.mt_priority = bad;
    CHECK(mail_error(p) == errc::invalid_parameter_value);
  }
}

TEST_CASE("command: BY= time;mode[T], R with a positive time (RFC 2852 §4)",
          "[smtp][command_writer][mail][parameters][by]") {
  mail_parameters p;
  p.by = deliver_by{120, by_mode::return_message, true};
  mail_round_trip(p, " BY=120;RT");
  p.by = deliver_by{-5, by_mode::notify, false};
  mail_round_trip(p, " BY=-5;N");
  p.by = deliver_by{0, by_mode::notify, true};
  mail_round_trip(p, " BY=0;NT");
  p.by = deliver_by{999999999, by_mode::return_message, false};
  mail_round_trip(p, " BY=999999999;R");
  p.by = deliver_by{-999999999, by_mode::notify, false};
  mail_round_trip(p, " BY=-999999999;N");
  p.by = deliver_by{1, by_mode::return_message, false};
  mail_round_trip(p, " BY=1;R");
  const deliver_by bad[] = {
      {1000000000, by_mode::notify, false},
      {-1000000000, by_mode::notify, false},
      {0, by_mode::return_message, false},
      {-1, by_mode::return_message, true},
      {5, static_cast<by_mode>(5), false},
      {std::numeric_limits<std::int32_t>::min(), by_mode::notify, false},
  };
  for (const auto& b : bad) {
    INFO(b.seconds);
    p.by = b;
    CHECK(mail_error(p) == errc::invalid_parameter_value);
  }
}

TEST_CASE("command: HOLDFOR= seconds, never with HOLDUNTIL (RFC 4865 §3)",
          "[smtp][command_writer][mail][parameters][holdfor]") {
  mail_parameters p;
  p.holdfor = 0;
  mail_round_trip(p, " HOLDFOR=0");
  p.holdfor = std::numeric_limits<std::uint32_t>::max();
  mail_round_trip(p, " HOLDFOR=4294967295");
  p.holduntil = "2030-01-01T00:00:00Z";
  CHECK(mail_error(p) == errc::conflicting_parameters);
}

TEST_CASE("command: HOLDUNTIL= an RFC 3339 date-time (RFC 4865 §3, erratum 2040)",
          "[smtp][command_writer][mail][parameters][holduntil]") {
  mail_parameters p;
  p.holduntil = "2030-01-01T00:00:00Z";
  mail_round_trip(p, " HOLDUNTIL=2030-01-01T00:00:00Z");
  p.holduntil = "2028-02-29t23:59:60.5+01:00";
  mail_round_trip(p, " HOLDUNTIL=2028-02-29t23:59:60.5+01:00");
  for (const std::string_view bad : {"", "2030-02-30T00:00:00Z", "2030-01-01 00:00:00Z",
                                     "2030-01-01T24:00:00Z", "2030-01-01T00:00:00", "tomorrow"}) {
    INFO(std::string(bad));
    p.holduntil = bad;
    CHECK(mail_error(p) == errc::invalid_parameter_value);
  }
  p.holduntil = "2030-01-01T00:00:00Z\r\n";
  CHECK(mail_error(p) == errc::invalid_argument);
}

TEST_CASE("command: extension parameters follow the esmtp-param grammar (RFC 5321 §4.1.2)",
          "[smtp][command_writer][mail][parameters][extensions]") {
  const auto with = [](std::string_view keyword, std::string_view value, bool utf8 = false) {
    mail_parameters p;
    p.smtputf8 = utf8;
    REQUIRE(p.extensions.add(keyword, value) == errc{});
    return error_of(run([&](auto& s) { return write_mail(s, {"a", "example.org"}, p); }));
  };
  CHECK(with("X-FOO", "") == errc{});
  CHECK(with("X-FOO", "!\"#$%&'()*+,-./09:;<>?@AZ[\\]^_`az{|}~") == errc{});
  CHECK(with("9X-", "v") == errc{});
  CHECK(with("", "v") == errc::invalid_parameter);
  CHECK(with("-X", "v") == errc::invalid_parameter);
  CHECK(with("X_FOO", "v") == errc::invalid_parameter);
  CHECK(with("X FOO", "v") == errc::invalid_parameter);
  CHECK(with("X=FOO", "v") == errc::invalid_parameter);
  CHECK(with("X-FOO", "a=b") == errc::invalid_parameter);
  CHECK(with("X-FOO", "a b") == errc::invalid_parameter);
  CHECK(with("X-FOO", "\xc3\xa9") == errc::invalid_parameter);  // 8-bit without SMTPUTF8
  CHECK(with("X-FOO", "\xc3\xa9", true) == errc{});
  CHECK(with("X-FOO", "\xc3", true) == errc::invalid_utf8);
  CHECK(with("X-F\xc3\xa9", "v", true) == errc::invalid_parameter);
  CHECK(with("X-FOO\r\n", "v") == errc::invalid_argument);
  CHECK(with("X-FOO", "v\r\nRSET") == errc::invalid_argument);
  CHECK(with("X-FOO", std::string_view("v\0", 2)) == errc::invalid_argument);
  CHECK(with("X-FOO", "v\t") == errc::invalid_argument);

  mail_parameters p;
  REQUIRE(p.extensions.add("X-ONE", "1") == errc{});
  REQUIRE(p.extensions.add("x-one", "2") == errc{});
  CHECK(error_of(run([&](auto& s) { return write_mail(s, null_path, p); })) ==
        errc::duplicate_parameter);
}

TEST_CASE(
    "command: known keywords as extensions are checked by their rule and never duplicated "
    "(RFC 3461 §5, §5.2.1)",
    "[smtp][command_writer][mail][parameters][extensions]") {
  const auto mail_error = [](const mail_parameters& p) {
    return error_of(run([&](auto& s) { return write_mail(s, null_path, p); }));
  };
  // A relay passes a received value on exactly (lower-case xtext hex included).
  mail_parameters p;
  REQUIRE(p.extensions.add("ENVID", "abc+2b") == errc{});
  REQUIRE(p.extensions.add("Size", "100") == errc{});
  auto r = run([&](auto& s) { return write_mail(s, null_path, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "MAIL FROM:<> ENVID=abc+2b Size=100\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.parameters.envid().value == "abc+2b");
    CHECK(c.parameters.declared_size().value == 100);
  });
  // Duplicates of typed fields.
  p = {};
  p.size = 1;
  REQUIRE(p.extensions.add("SIZE", "2") == errc{});
  CHECK(mail_error(p) == errc::duplicate_parameter);
  p = {};
  p.smtputf8 = true;
  REQUIRE(p.extensions.add("SMTPUTF8") == errc{});
  CHECK(mail_error(p) == errc::duplicate_parameter);
  p = {};
  REQUIRE(p.extensions.add("BODY", "8BITMIME") == errc{});
  REQUIRE(p.extensions.add("body", "7BIT") == errc{});
  CHECK(mail_error(p) == errc::duplicate_parameter);
  // Values must pass the rule.
  const std::pair<std::string_view, std::string_view> bad_values[] = {
      {"SIZE", "x"},    {"SIZE", ""},          {"SMTPUTF8", "yes"},
      {"BODY", "9BIT"}, {"MT-PRIORITY", "10"}, {"HOLDUNTIL", "tomorrow"}};
  for (const auto& bad : bad_values) {
    INFO(std::string(bad.first) << "=" << std::string(bad.second));
    p = {};
    REQUIRE(p.extensions.add(bad.first, bad.second) == errc{});
    CHECK(mail_error(p) == errc::invalid_parameter_value);
  }
  p = {};
  REQUIRE(p.extensions.add("ENVID", "a+zz") == errc{});
  CHECK(mail_error(p) == errc::invalid_xtext);
  // RCPT keywords do not go on MAIL, nor MAIL keywords on RCPT.
  p = {};
  REQUIRE(p.extensions.add("NOTIFY", "NEVER") == errc{});
  CHECK(mail_error(p) == errc::invalid_parameter);
  rcpt_parameters rp;
  REQUIRE(rp.extensions.add("RET", "FULL") == errc{});
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, postmaster, rp); })) ==
        errc::invalid_parameter);
  // HOLDFOR as an extension still conflicts with HOLDUNTIL.
  p = {};
  p.holduntil = "2030-01-01T00:00:00Z";
  REQUIRE(p.extensions.add("HOLDFOR", "5") == errc{});
  CHECK(mail_error(p) == errc::conflicting_parameters);
}

TEST_CASE("command: an extension list holds 8 parameters", "[smtp][command_writer][extensions]") {
  extension_list list;
  for (std::size_t i = 0; i < extension_list::capacity; ++i) CHECK(list.add("X", "1") == errc{});
  CHECK(list.size() == 8);
  CHECK(list.add("X-NINE") == errc::too_many_parameters);
  CHECK(list.size() == 8);
  list.clear();
  CHECK(list.empty());
}

TEST_CASE("command: a MAIL or RCPT line is at most 2048 octets (RFC 1870 §3, RFC 4954 §3)",
          "[smtp][command_writer][mail][limits]") {
  // "MAIL FROM:<a@b.example> X-PAD=" (30) + value + CRLF.
  const std::string pad(2016, 'v');
  mail_parameters p;
  REQUIRE(p.extensions.add("X-PAD", pad) == errc{});
  auto r = run([&](auto& s) { return write_mail(s, {"a", "b.example"}, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 2048);
  expect_one_command(r.bytes, [](const command& c) { CHECK(c.verb == verb::mail); });
  const std::string pad1 = pad + "v";
  p.extensions.clear();
  REQUIRE(p.extensions.add("X-PAD", pad1) == errc{});
  CHECK(error_of(run([&](auto& s) {
          return write_mail(s, {"a", "b.example"}, p);
        })) == errc::line_too_long);
  // "RCPT TO:<a@b.example> X-PAD=" (28) + value + CRLF.
  rcpt_parameters rp;
  const std::string rpad(2018, 'v');
  REQUIRE(rp.extensions.add("X-PAD", rpad) == errc{});
  r = run([&](auto& s) { return write_rcpt(s, {"a", "b.example"}, rp); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 2048);
  expect_one_command(r.bytes, [](const command& c) { CHECK(c.verb == verb::rcpt); });
  const std::string rpad1 = rpad + "v";
  rp.extensions.clear();
  REQUIRE(rp.extensions.add("X-PAD", rpad1) == errc{});
  CHECK(error_of(run([&](auto& s) {
          return write_rcpt(s, {"a", "b.example"}, rp);
        })) == errc::line_too_long);
}

TEST_CASE(
    "command: MAIL and RCPT relay a parsed path with the least quoting (RFC 5321 §4.1.1.3, "
    "§4.1.2)",
    "[smtp][command_writer][mail][relay]") {
  const auto relayed = [](std::string_view received, bool mail) {
    path_options o;
    o.allow_null = true;
    o.allow_postmaster = true;
    o.utf8 = true;
    const path_result pr = parse_path(received, o);
    REQUIRE(pr.ok());
    mail_parameters mp;
    mp.smtputf8 = true;
    rcpt_parameters rp;
    rp.transaction_smtputf8 = true;
    return mail ? run([&](auto& s) { return write_mail(s, pr.path, mp); })
                : run([&](auto& s) { return write_rcpt(s, pr.path, rp); });
  };
  CHECK(relayed("<\"ab\"@x.example>", true).bytes == "MAIL FROM:<ab@x.example> SMTPUTF8\r\n");
  CHECK(relayed("<\"a\\b\"@x.example>", true).bytes == "MAIL FROM:<ab@x.example> SMTPUTF8\r\n");
  CHECK(relayed("<\"a b\"@x.example>", false).bytes == "RCPT TO:<\"a b\"@x.example>\r\n");
  CHECK(relayed("<\"a\\\"b\"@x.example>", false).bytes == "RCPT TO:<\"a\\\"b\"@x.example>\r\n");
  CHECK(relayed("<@relay.example,@r2.example:u@x.example>", false).bytes ==
        "RCPT TO:<u@x.example>\r\n");
  CHECK(relayed("<>", true).bytes == "MAIL FROM:<> SMTPUTF8\r\n");
  CHECK(relayed("<postmaster>", false).bytes == "RCPT TO:<postmaster>\r\n");
  CHECK(relayed("<u@[IPv6:::1]>", false).bytes == "RCPT TO:<u@[IPv6:::1]>\r\n");
  CHECK(relayed("<>", false).error == errc::null_path_not_allowed);
  CHECK(relayed("<Postmaster>", true).error == errc::invalid_path);
  // RFC 4291's "::" for a single group is read, never written.
  CHECK(relayed("<u@[IPv6:1:2:3:4:5:6::7]>", false).error == errc::invalid_address_literal);

  // Hand-made paths are checked like parts.
  path p;
  p.kind = path_kind::mailbox;
  p.local_part = "a b";
  p.domain = "x.example";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_local_part);
  p.local_part = "\"a\r\nRSET\"";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_argument);
  p.local_part = "a";
  p.domain = "x.example> NOTIFY=NEVER";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_domain);
  p.domain = "";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_domain);
  p.local_part = "j\xc3\xb6rg";
  p.domain = "x.example";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::smtputf8_required);
  p.local_part = "\xff";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_utf8);
  const std::string q65 = "\"" + std::string(63, 'q') + "\"";  // 63 written: fits
  p.local_part = q65;
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc{});
  const std::string q66 = "\"" + std::string(65, 'q') + "\"";
  p.local_part = q66;
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::local_part_too_long);
  p.kind = path_kind::postmaster;
  p.local_part = "Postmistress";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::invalid_local_part);
  std::string long_domain;
  while (long_domain.size() < 251) long_domain += long_domain.empty() ? "d" : ".d";
  p.kind = path_kind::mailbox;
  p.local_part = "\"ab\"";  // written as ab: fits exactly
  p.domain = long_domain;
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc{});
  p.local_part = "abc";
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, p); })) == errc::path_too_long);
}

// --- RCPT ---------------------------------------------------------------------

TEST_CASE(
    "command: RCPT TO with parameters, exact bytes (RFC 5321 §4.1.1.3, RFC 3461 §4, "
    "RFC 7293)",
    "[smtp][command_writer][rcpt]") {
  rcpt_parameters p;
  p.notify = notify_flags{false, true, true, true};
  p.orcpt = original_recipient{"rfc822", "John+Doe=x@example.org"};
  p.rrvs = rrvs_value{"2014-04-03T23:01:00Z", rrvs_mode::continue_delivery};
  REQUIRE(p.extensions.add("X-TAG", "7") == errc{});
  auto r = run([&](auto& s) { return write_rcpt(s, {"john", "example.org"}, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes ==
        "RCPT TO:<john@example.org> NOTIFY=SUCCESS,FAILURE,DELAY "
        "ORCPT=rfc822;John+2BDoe+3Dx@example.org RRVS=2014-04-03T23:01:00Z;C X-TAG=7\r\n");
  expect_one_command(r.bytes, [&](const command& c) {
    CHECK(c.verb == verb::rcpt);
    check_same(c.path, {"john", "example.org"});
    check_same(c.parameters, p);
  });
  rcpt_parameters q;
  q.notify = notify_flags{true, false, false, false};
  q.rrvs = rrvs_value{"2014-04-03T23:01:00-05:00", rrvs_mode::reject};
  r = run([&](auto& s) { return write_rcpt(s, {"a", "b.example"}, q); });
  CHECK(r.bytes == "RCPT TO:<a@b.example> NOTIFY=NEVER RRVS=2014-04-03T23:01:00-05:00\r\n");
  expect_one_command(r.bytes, [&](const command& c) { check_same(c.parameters, q); });
  q = {};
  q.notify = notify_flags{false, false, true, false};
  r = run([&](auto& s) { return write_rcpt(s, {"a", "b.example"}, q); });
  CHECK(r.bytes == "RCPT TO:<a@b.example> NOTIFY=FAILURE\r\n");
  check_all_or_nothing([&](auto& s) { return write_rcpt(s, {"a", "b.example"}, q); }, r.bytes);
}

TEST_CASE("command: RCPT TO:<Postmaster> (RFC 5321 §4.1.1.3, §4.5.1)",
          "[smtp][command_writer][rcpt]") {
  auto r = run([](auto& s) { return write_rcpt(s, postmaster); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "RCPT TO:<Postmaster>\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.verb == verb::rcpt);
    CHECK(c.path.kind == path_kind::postmaster);
  });
  rcpt_parameters p;
  p.notify = notify_flags{true, false, false, false};
  r = run([&](auto& s) { return write_rcpt(s, postmaster, p); });
  CHECK(r.bytes == "RCPT TO:<Postmaster> NOTIFY=NEVER\r\n");
  check_all_or_nothing([](auto& s) { return write_rcpt(s, postmaster); },
                       "RCPT TO:<Postmaster>\r\n");
}

TEST_CASE("command: NOTIFY= NEVER alone or a list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)",
          "[smtp][command_writer][rcpt][parameters][notify]") {
  rcpt_parameters p;
  p.notify = notify_flags{true, false, false, false};
  rcpt_round_trip(p, " NOTIFY=NEVER");
  const std::pair<notify_flags, std::string_view> lists[] = {
      {{false, true, false, false}, " NOTIFY=SUCCESS"},
      {{false, false, true, false}, " NOTIFY=FAILURE"},
      {{false, false, false, true}, " NOTIFY=DELAY"},
      {{false, true, true, false}, " NOTIFY=SUCCESS,FAILURE"},
      {{false, true, false, true}, " NOTIFY=SUCCESS,DELAY"},
      {{false, false, true, true}, " NOTIFY=FAILURE,DELAY"},
      {{false, true, true, true}, " NOTIFY=SUCCESS,FAILURE,DELAY"},
  };
  for (const auto& l : lists) {
    p.notify = l.first;
    rcpt_round_trip(p, l.second);
  }
  // Empty, or NEVER with another (RFC 3461 §4.1).
  for (const notify_flags bad :
       {notify_flags{}, notify_flags{true, true, false, false},
        notify_flags{true, false, true, false}, notify_flags{true, false, false, true}}) {
    p.notify = bad;
    CHECK(rcpt_error(p) == errc::invalid_parameter_value);
  }
}

TEST_CASE("command: ORCPT= addr-type;xtext, at most 500 characters (RFC 3461 §4.2)",
          "[smtp][command_writer][rcpt][parameters][orcpt]") {
  rcpt_parameters p;
  p.orcpt = original_recipient{"rfc822", "John+Doe=x@example.org"};
  rcpt_round_trip(p, " ORCPT=rfc822;John+2BDoe+3Dx@example.org");
  p.orcpt = original_recipient{"rfc822", "a b;c"};
  rcpt_round_trip(p, " ORCPT=rfc822;a+20b;c");
  const std::pair<original_recipient, errc> cases[] = {
      {{"x-400", "/G=a/"}, errc{}},
      {{"x.400", "/G=a/"}, errc::invalid_parameter_value},  // "." is no atext
      {{"", "a@b.example"}, errc::invalid_parameter_value},
      {{"rfc822", ""}, errc::invalid_parameter_value},
      {{"rfc 822", "a"}, errc::invalid_parameter_value},
      {{"rfc822;", "a"}, errc::invalid_parameter_value},
      {{"SIZE=1", "a"}, errc::invalid_parameter_value},  // "=" is atext, but no esmtp-value
      {{"rfc822", "caf\xc3\xa9@b.example"}, errc::invalid_parameter_value},
      {{"rfc822", "a\r\nRSET"}, errc::invalid_argument},
      {{"rfc\n822", "a"}, errc::invalid_argument},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first.addr_type) << ";" << std::string(c.first.address));
    p.orcpt = c.first;
    CHECK(rcpt_error(p) == c.second);
  }
  // The whole "ORCPT=rfc822;" + xtext is at most 500 characters.
  const std::string a487(487, 'a'), a488(488, 'a');
  p.orcpt = original_recipient{"rfc822", a487};
  rcpt_round_trip(p, " ORCPT=rfc822;" + a487);
  p.orcpt = original_recipient{"rfc822", a488};
  CHECK(rcpt_error(p) == errc::invalid_parameter_value);
  const std::string sp162(162, ' '), sp163(163, ' ');  // "+20" each: 486 and 489
  p.orcpt = original_recipient{"rfc822", sp162};
  CHECK(rcpt_error(p) == errc{});
  p.orcpt = original_recipient{"rfc822", sp163};
  CHECK(rcpt_error(p) == errc::invalid_parameter_value);
}

TEST_CASE("command: RRVS= date-time, ;C to continue (RFC 7293 §3)",
          "[smtp][command_writer][rcpt][parameters][rrvs]") {
  rcpt_parameters p;
  p.rrvs = rrvs_value{"2014-04-03T23:01:00Z", rrvs_mode::reject};
  rcpt_round_trip(p, " RRVS=2014-04-03T23:01:00Z");
  p.rrvs = rrvs_value{"2014-04-03T23:01:00-05:00", rrvs_mode::continue_delivery};
  rcpt_round_trip(p, " RRVS=2014-04-03T23:01:00-05:00;C");
  p.rrvs = rrvs_value{"2014-13-03T23:01:00Z", rrvs_mode::reject};
  CHECK(rcpt_error(p) == errc::invalid_parameter_value);
  p.rrvs = rrvs_value{"2014-04-03T23:01:00Z;C", rrvs_mode::reject};
  CHECK(rcpt_error(p) == errc::invalid_parameter_value);
  p.rrvs = rrvs_value{"2014-04-03T23:01:00Z", static_cast<rrvs_mode>(4)};
  CHECK(rcpt_error(p) == errc::invalid_parameter_value);
  p.rrvs = rrvs_value{"2014-04-03T23:01:00Z\n", rrvs_mode::reject};
  CHECK(rcpt_error(p) == errc::invalid_argument);
}

TEST_CASE("command: RCPT paths may hold UTF-8 only in an SMTPUTF8 transaction (RFC 6531 §3.4)",
          "[smtp][command_writer][rcpt][utf8]") {
  const mailbox_parts to{"\xe7\x94\xb0\xe4\xb8\xad", "\xe4\xbe\x8b.example"};
  CHECK(error_of(run([&](auto& s) { return write_rcpt(s, to); })) == errc::smtputf8_required);
  rcpt_parameters p;
  p.transaction_smtputf8 = true;
  REQUIRE(p.extensions.add("X-NOTE", "\xc3\xa9t\xc3\xa9") == errc{});
  const auto r = run([&](auto& s) { return write_rcpt(s, to, p); });
  CHECK(r.error == errc{});
  CHECK(r.bytes ==
        "RCPT TO:<\xe7\x94\xb0\xe4\xb8\xad@\xe4\xbe\x8b.example> X-NOTE=\xc3\xa9t\xc3\xa9\r\n");
  expect_one_command(
      r.bytes,
      [&](const command& c) {
        check_same(c.path, to);
        check_same(c.parameters, p);
      },
      true);
}

// --- DATA, BDAT, RSET, QUIT, STARTTLS -------------------------------------------

namespace {

/// `write` gives exactly `expected`, which the parser reads as `v` without
/// an argument, all or nothing at every sink size.
template <class F>
void check_bare(F&& write, std::string_view expected, verb v) {
  const auto r = run(write);
  CHECK(r.error == errc{});
  CHECK(r.bytes == expected);
  expect_one_command(r.bytes, [&](const command& c) {
    CHECK(c.verb == v);
    CHECK(c.argument.empty());
  });
  check_all_or_nothing(write, expected);
}

}  // namespace

TEST_CASE("command: DATA (RFC 5321 §4.1.1.4)", "[smtp][command_writer][data]") {
  check_bare([](auto& s) { return write_data(s); }, "DATA\r\n", verb::data);
}

TEST_CASE("command: RSET (RFC 5321 §4.1.1.5)", "[smtp][command_writer][rset]") {
  check_bare([](auto& s) { return write_rset(s); }, "RSET\r\n", verb::rset);
}

TEST_CASE("command: QUIT (RFC 5321 §4.1.1.10)", "[smtp][command_writer][quit]") {
  check_bare([](auto& s) { return write_quit(s); }, "QUIT\r\n", verb::quit);
}

TEST_CASE("command: STARTTLS (RFC 3207 §4)", "[smtp][command_writer][starttls]") {
  check_bare([](auto& s) { return write_starttls(s); }, "STARTTLS\r\n", verb::starttls);
}

TEST_CASE("command: BDAT size [LAST] (RFC 3030 §2)", "[smtp][command_writer][bdat]") {
  CHECK(run([](auto& s) { return write_bdat(s, 0, true); }).bytes == "BDAT 0 LAST\r\n");
  CHECK(run([](auto& s) { return write_bdat(s, 1000); }).bytes == "BDAT 1000\r\n");
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK(run([&](auto& s) { return write_bdat(s, max, false); }).bytes ==
        "BDAT 18446744073709551615\r\n");
  // Round trip: the command, then exactly the chunk.
  const std::pair<std::uint64_t, bool> chunks[] = {{0, true}, {5, false}, {5, true}};
  for (const auto& c : chunks) {
    const std::string bytes = run([&](auto& s) { return write_bdat(s, c.first, c.second); }).bytes +
                              std::string(static_cast<std::size_t>(c.first), 'x');
    int commands = 0, ends = 0;
    const parse_summary sum = parse_all(bytes, [&](const command& cmd) {
      ++commands;
      CHECK(cmd.verb == verb::bdat);
      CHECK(cmd.chunk_size == c.first);
      CHECK(cmd.last == c.second);
    });
    ends = sum.others;
    CHECK(commands == 1);
    CHECK(sum.errors == 0);
    CHECK(ends >= 1);  // data pieces and the data_end
  }
  check_all_or_nothing([](auto& s) { return write_bdat(s, 42, true); }, "BDAT 42 LAST\r\n");
}

// --- VRFY, EXPN, HELP, NOOP, ETRN ---------------------------------------------

TEST_CASE("command: VRFY user or mailbox (RFC 5321 §4.1.1.6, §3.5)",
          "[smtp][command_writer][vrfy]") {
  for (const std::string_view arg :
       {"postmaster", "Smith", "\"John Doe\" <jd@example.org>", "j\xc3\xb6rg"}) {
    const auto r = run([&](auto& s) { return write_vrfy(s, arg); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "VRFY " + std::string(arg) + "\r\n");
    expect_one_command(r.bytes, [&](const command& c) {
      CHECK(c.verb == verb::vrfy);
      CHECK(c.argument == arg);
    });
  }
  check_all_or_nothing([](auto& s) { return write_vrfy(s, "Smith"); }, "VRFY Smith\r\n");
}

TEST_CASE("command: EXPN list (RFC 5321 §4.1.1.7, §3.5)", "[smtp][command_writer][expn]") {
  const auto r = run([](auto& s) { return write_expn(s, "Example-People"); });
  CHECK(r.bytes == "EXPN Example-People\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.verb == verb::expn);
    CHECK(c.argument == "Example-People");
  });
  check_all_or_nothing([](auto& s) { return write_expn(s, "list"); }, "EXPN list\r\n");
}

TEST_CASE("command: HELP [topic] (RFC 5321 §4.1.1.8)", "[smtp][command_writer][help]") {
  CHECK(run([](auto& s) { return write_help(s); }).bytes == "HELP\r\n");
  const auto r = run([](auto& s) { return write_help(s, "MAIL"); });
  CHECK(r.bytes == "HELP MAIL\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.verb == verb::help);
    CHECK(c.argument == "MAIL");
  });
  expect_one_command("HELP\r\n", [](const command& c) { CHECK(c.argument.empty()); });
  check_all_or_nothing([](auto& s) { return write_help(s); }, "HELP\r\n");
}

TEST_CASE("command: NOOP [string] (RFC 5321 §4.1.1.9)", "[smtp][command_writer][noop]") {
  CHECK(run([](auto& s) { return write_noop(s); }).bytes == "NOOP\r\n");
  const auto r = run([](auto& s) { return write_noop(s, "hello there"); });
  CHECK(r.bytes == "NOOP hello there\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.verb == verb::noop);
    CHECK(c.argument == "hello there");
  });
  check_all_or_nothing([](auto& s) { return write_noop(s); }, "NOOP\r\n");
}

TEST_CASE(
    "command: text arguments refuse controls, bad UTF-8 and outer spaces (RFC 5321 §4.1.1, "
    "docs/security.md §3)",
    "[smtp][command_writer][text]") {
  const std::pair<std::string_view, errc> cases[] = {
      {"a\r\nRSET", errc::invalid_argument}, {"a\r", errc::invalid_argument},
      {"a\n", errc::invalid_argument},       {std::string_view("a\0b", 3), errc::invalid_argument},
      {"a\tb", errc::invalid_argument},      {"a\x1b", errc::invalid_argument},
      {"a\x7f", errc::invalid_argument},     {" a", errc::invalid_argument},
      {"a ", errc::invalid_argument},        {" ", errc::invalid_argument},
      {"\xff", errc::invalid_utf8},          {"a\xc3", errc::invalid_utf8},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first));
    CHECK(error_of(run([&](auto& s) { return write_vrfy(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_expn(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_help(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_noop(s, c.first); })) == c.second);
  }
  CHECK(error_of(run([](auto& s) { return write_vrfy(s, ""); })) == errc::missing_argument);
  CHECK(error_of(run([](auto& s) { return write_expn(s, ""); })) == errc::missing_argument);
}

TEST_CASE("command: a command line is at most 512 octets (RFC 5321 §4.5.3.1.4)",
          "[smtp][command_writer][text][limits]") {
  const std::string a505(505, 'a');  // "VRFY " + 505 + CRLF
  const auto r = run([&](auto& s) { return write_vrfy(s, a505); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  expect_one_command(r.bytes, [&](const command& c) { CHECK(c.argument == a505); });
  const std::string a506 = a505 + "a";
  CHECK(error_of(run([&](auto& s) { return write_vrfy(s, a506); })) == errc::line_too_long);
  CHECK(error_of(run([&](auto& s) { return write_noop(s, a506); })) == errc::line_too_long);
  // Counted in octets, not characters.
  std::string utf8;
  for (int i = 0; i < 252; ++i) utf8 += "\xc3\xa9";
  utf8 += "a";
  CHECK(error_of(run([&](auto& s) { return write_help(s, utf8); })) == errc{});
  CHECK(error_of(run([&](auto& s) { return write_help(s, utf8 + "a"); })) == errc::line_too_long);
}

TEST_CASE("command: ETRN node, @domain or #queue (RFC 1985 §3)", "[smtp][command_writer][etrn]") {
  for (const std::string_view arg : {"example.org", "@example.org", "#queue-1"}) {
    const auto r = run([&](auto& s) { return write_etrn(s, arg); });
    CHECK(r.error == errc{});
    CHECK(r.bytes == "ETRN " + std::string(arg) + "\r\n");
    expect_one_command(r.bytes, [&](const command& c) {
      CHECK(c.verb == verb::etrn);
      CHECK(c.argument == arg);
    });
  }
  const std::pair<std::string_view, errc> cases[] = {
      {"", errc::missing_argument},
      {"example.org\r\nRSET", errc::invalid_argument},
      {"#", errc::invalid_argument},
      {"#a b", errc::invalid_argument},
      {"#\xc3\xa9", errc::invalid_argument},
      {"@", errc::invalid_domain},
      {"ex ample.org", errc::invalid_domain},
      {"[192.0.2.1]", errc::invalid_domain},
      {"b\xc3\xbc.example", errc::invalid_domain},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.first));
    CHECK(error_of(run([&](auto& s) { return write_etrn(s, c.first); })) == c.second);
  }
  check_all_or_nothing([](auto& s) { return write_etrn(s, "@example.org"); },
                       "ETRN @example.org\r\n");
}

// --- AUTH and SASL ----------------------------------------------------------------

TEST_CASE("command: AUTH mechanism [initial-response] (RFC 4954 §4)",
          "[smtp][command_writer][auth]") {
  CHECK(run([](auto& s) { return write_auth(s, "LOGIN"); }).bytes == "AUTH LOGIN\r\n");
  CHECK(run([](auto& s) { return write_auth(s, "scram-sha-256"); }).bytes ==
        "AUTH SCRAM-SHA-256\r\n");
  const std::string_view plain("\0user\0pass", 10);
  auto r = run([&](auto& s) { return write_auth(s, "PLAIN", plain); });
  CHECK(r.error == errc{});
  CHECK(r.bytes == "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
  expect_one_command(r.bytes, [&](const command& c) {
    CHECK(c.verb == verb::auth);
    CHECK(c.mechanism == "PLAIN");
    CHECK(c.has_initial_response);
    CHECK(base64_decoded(c.initial_response) == plain);
  });
  // An empty initial response is "=".
  r = run([](auto& s) { return write_auth(s, "EXTERNAL", ""); });
  CHECK(r.bytes == "AUTH EXTERNAL =\r\n");
  expect_one_command(r.bytes, [](const command& c) {
    CHECK(c.has_initial_response);
    CHECK(c.initial_response.empty());
  });
  r = run([](auto& s) { return write_auth_base64(s, "EXTERNAL", ""); });
  CHECK(r.bytes == "AUTH EXTERNAL =\r\n");
  r = run([](auto& s) { return write_auth_base64(s, "Plain", "AHVzZXIAcGFzcw=="); });
  CHECK(r.bytes == "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
  expect_one_command("AUTH LOGIN\r\n", [](const command& c) {
    CHECK(c.mechanism == "LOGIN");
    CHECK_FALSE(c.has_initial_response);
  });
  check_all_or_nothing([&](auto& s) { return write_auth(s, "PLAIN", plain); },
                       "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
}

TEST_CASE(
    "command: AUTH mechanism names and pre-encoded responses are validated (RFC 4422 §3.1, "
    "RFC 4648 §4)",
    "[smtp][command_writer][auth]") {
  const std::pair<std::string_view, errc> mechs[] = {
      {"", errc::missing_argument},
      {"PLAIN\r\nRSET", errc::invalid_argument},
      {std::string_view("PL\0AIN", 6), errc::invalid_argument},
      {"PLAIN ", errc::invalid_mechanism},
      {"PLAIN=", errc::invalid_mechanism},
      {"PL.AIN", errc::invalid_mechanism},
      {"\xc3\xa9", errc::invalid_mechanism},
      {"ABCDEFGHIJKLMNOPQRSTU", errc::invalid_mechanism},  // 21
  };
  for (const auto& c : mechs) {
    INFO(std::string(c.first));
    CHECK(error_of(run([&](auto& s) { return write_auth(s, c.first); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_auth(s, c.first, "x"); })) == c.second);
    CHECK(error_of(run([&](auto& s) { return write_auth_base64(s, c.first, "eA=="); })) ==
          c.second);
  }
  CHECK(error_of(run([](auto& s) { return write_auth(s, "ABCDEFGHIJKLMNOPQRST"); })) == errc{});
  const std::pair<std::string_view, errc> texts[] = {
      {"=", errc::invalid_base64},          {"*", errc::invalid_base64},
      {"eA=", errc::invalid_base64},        {"eA== ", errc::invalid_base64},
      {"eA==\r\n", errc::invalid_argument}, {"e\nA==", errc::invalid_argument},
      {"eR==", errc::invalid_base64},  // non-zero pad bits
      {"=AAA", errc::invalid_base64},
  };
  for (const auto& c : texts) {
    INFO(std::string(c.first));
    CHECK(error_of(run([&](auto& s) { return write_auth_base64(s, "PLAIN", c.first); })) ==
          c.second);
    CHECK(error_of(run([&](auto& s) { return write_sasl_response_base64(s, c.first); })) ==
          c.second);
  }
}

TEST_CASE("command: AUTH takes the base64 text of sasl.hpp's writers (RFC 4954 §4, RFC 4616 §2)",
          "[smtp][command_writer][auth][sasl]") {
  char buf[128];
  fixed_sink b64(buf);
  REQUIRE(sasl::write_plain(b64, "", "user", "pass") == errc{});
  auto r = run([&](auto& s) { return write_auth_base64(s, "PLAIN", b64.view()); });
  CHECK(r.bytes == "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
  b64.clear();
  REQUIRE(sasl::write_login_username(b64, "user") == errc{});
  r = run([&](auto& s) { return write_sasl_response_base64(s, b64.view()); });
  CHECK(r.bytes == "dXNlcg==\r\n");
}

TEST_CASE("command: the AUTH line with its initial response is at most 512 octets (RFC 4954 §4)",
          "[smtp][command_writer][auth][limits]") {
  // "AUTH ABCD " (10) + 500 base64 + CRLF = 512: 375 raw octets.
  const std::string raw375(375, 'r'), raw376(376, 'r');
  CHECK(auth_initial_response_fits("ABCD", 375));
  CHECK_FALSE(auth_initial_response_fits("ABCD", 376));
  const auto r = run([&](auto& s) { return write_auth(s, "ABCD", raw375); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 512);
  expect_one_command(
      r.bytes, [&](const command& c) { CHECK(base64_decoded(c.initial_response) == raw375); });
  CHECK(error_of(run([&](auto& s) { return write_auth(s, "ABCD", raw376); })) ==
        errc::line_too_long);
  const std::string b500 = base64_encoded(raw375), b504 = base64_encoded(raw376);
  CHECK(error_of(run([&](auto& s) { return write_auth_base64(s, "ABCD", b500); })) == errc{});
  CHECK(error_of(run([&](auto& s) { return write_auth_base64(s, "ABCD", b504); })) ==
        errc::line_too_long);
}

TEST_CASE("command: SASL response lines and the cancel line (RFC 4954 §4)",
          "[smtp][command_writer][sasl]") {
  CHECK(run([](auto& s) { return write_sasl_response(s, "user"); }).bytes == "dXNlcg==\r\n");
  CHECK(run([](auto& s) { return write_sasl_response(s, ""); }).bytes == "\r\n");
  CHECK(run([](auto& s) { return write_sasl_response_base64(s, "dXNlcg=="); }).bytes ==
        "dXNlcg==\r\n");
  CHECK(run([](auto& s) { return write_sasl_response_base64(s, ""); }).bytes == "\r\n");
  CHECK(run([](auto& s) { return write_sasl_cancel(s); }).bytes == "*\r\n");
  check_all_or_nothing([](auto& s) { return write_sasl_response(s, "user"); }, "dXNlcg==\r\n");
  check_all_or_nothing([](auto& s) { return write_sasl_cancel(s); }, "*\r\n");

  // Round trip through the parser's SASL mode.
  const auto exchange = [](const std::string& response_line) {
    server_parser<> p;
    const std::string bytes = "AUTH LOGIN\r\n" + response_line;
    p.feed(bytes);
    const server_event& first = p.next();
    REQUIRE(first.kind == server_event_kind::command);
    REQUIRE(p.expect_sasl_response());
    std::string data;
    bool cancelled = false;
    int ends = 0;
    for (;;) {
      const server_event& ev = p.next();
      if (ev.kind == server_event_kind::need_more) break;
      REQUIRE(ev.kind != server_event_kind::error);
      if (ev.kind == server_event_kind::sasl_data) data += std::string(ev.bytes);
      if (ev.kind == server_event_kind::sasl_end) {
        ++ends;
        cancelled = ev.cancelled;
      }
    }
    CHECK(ends == 1);
    return std::make_pair(data, cancelled);
  };
  const std::string_view raw("\0\xff\r\n.x", 6);
  auto out = exchange(run([&](auto& s) { return write_sasl_response(s, raw); }).bytes);
  CHECK(base64_decoded(out.first) == raw);
  CHECK_FALSE(out.second);
  out = exchange(run([](auto& s) { return write_sasl_response(s, ""); }).bytes);
  CHECK(out.first.empty());
  CHECK_FALSE(out.second);
  out = exchange(run([](auto& s) { return write_sasl_cancel(s); }).bytes);
  CHECK(out.second);
}

TEST_CASE("command: a SASL response line is at most 12288 octets (RFC 4954 §4)",
          "[smtp][command_writer][sasl][limits]") {
  // 9213 raw octets are 12284 base64 characters: a 12286-octet line. The
  // next group makes 12290.
  const std::string raw9213(9213, 'r'), raw9214(9214, 'r');
  const auto r = run([&](auto& s) { return write_sasl_response(s, raw9213); });
  CHECK(r.error == errc{});
  CHECK(r.bytes.size() == 12286);
  CHECK(error_of(run([&](auto& s) { return write_sasl_response(s, raw9214); })) ==
        errc::auth_line_too_long);
  const std::string b = base64_encoded(raw9213), b_over = base64_encoded(raw9214);
  CHECK(error_of(run([&](auto& s) { return write_sasl_response_base64(s, b); })) == errc{});
  CHECK(error_of(run([&](auto& s) { return write_sasl_response_base64(s, b_over); })) ==
        errc::auth_line_too_long);
}

// --- The final check and the sinks ------------------------------------------------

TEST_CASE("command: the final bytes are checked for CR, LF and NUL (docs/security.md §3)",
          "[smtp][command_writer][security]") {
  // A body that slips a line end past the field checks is still refused,
  // and nothing is written.
  for (const std::string_view bad :
       {std::string_view("a\r\nRSET"), std::string_view("\n"), std::string_view("\0", 1)}) {
    const auto r = run([&](auto& s) {
      return mailwire::smtp::detail::command_writer_impl::write_line(
          s, max_command_line, errc::line_too_long, [&](auto& out) -> errc {
            out.append("NOOP ");
            out.append(bad);
            return errc{};
          });
    });
    CHECK(r.error == errc::invalid_argument);
    CHECK(r.bytes.empty());
  }
  const auto r = run([](auto& s) {
    return mailwire::smtp::detail::command_writer_impl::write_line(s, 8, errc::line_too_long,
                                                                   [](auto& out) -> errc {
                                                                     out.append("NOOP x");
                                                                     return errc{};
                                                                   });
  });
  CHECK(r.bytes == "NOOP x\r\n");
  CHECK(error_of(run([](auto& s) {
          return mailwire::smtp::detail::command_writer_impl::write_line(s, 7, errc::line_too_long,
                                                                         [](auto& out) -> errc {
                                                                           out.append("NOOP x");
                                                                           return errc{};
                                                                         });
        })) == errc::line_too_long);
}

TEST_CASE("command: errors come before the line length, which comes before the sink",
          "[smtp][command_writer][sink]") {
  char buf[4];
  fixed_sink tiny(buf, sizeof buf);
  CHECK(write_ehlo(tiny, "a\r\n") == errc::invalid_argument);
  const std::string long_arg(600, 'a');
  CHECK(write_vrfy(tiny, long_arg) == errc::line_too_long);
  CHECK(write_vrfy(tiny, "a") == errc::buffer_too_small);
  CHECK(tiny.size() == 0);
  CHECK_FALSE(tiny.failed());
  // A sink that has already failed is refused and stays failed.
  fixed_sink failed(buf, sizeof buf);
  REQUIRE_FALSE(failed.append("12345"));
  CHECK(write_quit(failed) == errc::buffer_too_small);
  CHECK(failed.failed());
  CHECK(failed.size() == 0);
}

TEST_CASE("command: MAIL and RCPT with parameters are all or nothing at every sink size",
          "[smtp][command_writer][sink]") {
  mail_parameters p;
  p.size = 1000;
  p.auth = "a=b@example.org";
  p.envid = "id 1";
  p.holduntil = "2030-01-01T00:00:00Z";
  REQUIRE(p.extensions.add("X-A", "1") == errc{});
  const std::string expected = run([&](auto& s) {
                                 return write_mail(s, {"john doe", "example.org"}, p);
                               }).bytes;
  CHECK(expected ==
        "MAIL FROM:<\"john doe\"@example.org> SIZE=1000 AUTH=a+3Db@example.org ENVID=id+201 "
        "HOLDUNTIL=2030-01-01T00:00:00Z X-A=1\r\n");
  check_all_or_nothing(
      [&](auto& s) {
        return write_mail(s, {"john doe", "example.org"}, p);
      },
      expected);
  rcpt_parameters rp;
  rp.orcpt = original_recipient{"rfc822", "a b@example.org"};
  rp.notify = notify_flags{false, true, false, true};
  const std::string rexpected =
      "RCPT TO:<x@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+20b@example.org\r\n";
  CHECK(run([&](auto& s) { return write_rcpt(s, {"x", "example.org"}, rp); }).bytes == rexpected);
  check_all_or_nothing([&](auto& s) { return write_rcpt(s, {"x", "example.org"}, rp); }, rexpected);
  // std::vector<char> is a sink too.
  std::vector<char> out = {'x'};
  appendable_sink<std::vector<char>> vsink(out);
  CHECK(write_rcpt(vsink, postmaster) == errc{});
  CHECK(std::string(out.begin(), out.end()) == "xRCPT TO:<Postmaster>\r\n");
}

// --- Properties -------------------------------------------------------------------

namespace {

struct generator {
  std::mt19937 rng;

  explicit generator(std::uint32_t seed) : rng(seed) {}

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }
  bool coin() { return below(2) == 0; }
  template <class T>
  T pick(std::initializer_list<T> items) {
    return *(items.begin() + static_cast<std::ptrdiff_t>(below(items.size())));
  }

  /// A local part's content: atext, dots and everything that forces
  /// quoting, plus UTF-8 when allowed; at most 20 octets before quoting.
  std::string local_part(bool utf8) {
    static const std::string pool =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "!#$%&'*+-/=?^_`{|}~...... \"\\(),:;<>@[]";
    std::string out;
    const std::size_t n = 1 + below(14);
    while (out.size() < n) {
      if (utf8 && below(6) == 0)
        out += pick<const char*>({"\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x93\xa7"});
      else
        out += pool[below(pool.size())];
    }
    return out;
  }

  std::string label() {
    static const std::string let_dig =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::string out(1, let_dig[below(let_dig.size())]);
    const std::size_t n = below(10);
    for (std::size_t i = 0; i < n; ++i) out += coin() ? '-' : let_dig[below(let_dig.size())];
    if (out.back() == '-') out.back() = 'x';
    return out;
  }

  std::string ipv6() {
    const auto group = [&] {
      static const char hex[] = "0123456789abcdefABCDEF";
      std::string g;
      const std::size_t n = 1 + below(4);
      for (std::size_t i = 0; i < n; ++i) g += hex[below(22)];
      return g;
    };
    std::string out;
    if (coin()) {
      for (int i = 0; i < 8; ++i) out += (i ? ":" : "") + group();
      return out;
    }
    // "::" for at least two groups: at most six written.
    const std::size_t total = below(7), left = below(total + 1);
    for (std::size_t i = 0; i < left; ++i) out += (i ? ":" : "") + group();
    out += "::";
    for (std::size_t i = left; i < total; ++i) out += (i > left ? ":" : "") + group();
    return out;
  }

  std::string domain(bool utf8) {
    switch (below(8)) {
      case 0:
        return "[" + std::to_string(below(256)) + "." + std::to_string(below(256)) + "." +
               std::to_string(below(256)) + "." + std::to_string(below(256)) + "]";
      case 1: return "[IPv6:" + ipv6() + "]";
      case 2:
        return "[" + std::string(pick<const char*>({"x-tag", "Tag9"})) + ":" + label() + "!~]";
      default: break;
    }
    std::string out;
    const std::size_t n = 1 + below(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ".";
      out += utf8 && below(4) == 0 ? "b\xc3\xbc" + label() : label();
    }
    return out;
  }

  std::string printable(std::size_t max) {
    std::string out;
    const std::size_t n = 1 + below(max);
    for (std::size_t i = 0; i < n; ++i) out += static_cast<char>(32 + below(95));
    return out;
  }

  std::string esmtp_value(bool utf8) {
    std::string out;
    const std::size_t n = 1 + below(12);
    while (out.size() < n) {
      if (utf8 && below(8) == 0) {
        out += "\xc3\xa9";
        continue;
      }
      const char c = static_cast<char>(33 + below(94));
      if (c != '=') out += c;
    }
    return out;
  }

  std::string date_time() {
    const auto two = [&](std::size_t lo, std::size_t hi) {
      const std::size_t v = lo + below(hi - lo + 1);
      return std::string(v < 10 ? "0" : "") + std::to_string(v);
    };
    std::string out = std::to_string(1000 + below(9000)) + "-" + two(1, 12) + "-" + two(1, 28) +
                      pick<const char*>({"T", "t"}) + two(0, 23) + ":" + two(0, 59) + ":" +
                      two(0, 60);
    if (coin()) out += "." + std::to_string(below(1000000));
    switch (below(3)) {
      case 0: out += "Z"; break;
      case 1: out += pick<const char*>({"+", "-"}) + two(0, 23) + ":" + two(0, 59); break;
      default: out += "z"; break;
    }
    return out;
  }
};

/// Storage for the strings a random parameter set borrows.
struct arena {
  std::vector<std::string> strings;
  std::string_view keep(std::string s) {
    strings.reserve(64);  // views stay valid: no reallocation below 64
    REQUIRE(strings.size() < 64);
    strings.push_back(std::move(s));
    return strings.back();
  }
};

void random_extensions(generator& g, arena& a, extension_list& list, bool utf8) {
  const std::size_t n = g.below(4);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view keyword = a.keep("X-" + std::to_string(i) + g.label());
    REQUIRE(list.add(keyword, g.coin() ? std::string_view{} : a.keep(g.esmtp_value(utf8))) ==
            errc{});
  }
}

mail_parameters random_mail_parameters(generator& g, arena& a) {
  mail_parameters p;
  if (g.coin()) p.size = g.coin() ? g.below(100000) : std::numeric_limits<std::uint64_t>::max();
  if (g.coin())
    p.body = g.pick({body_type::seven_bit, body_type::eight_bit_mime, body_type::binary_mime});
  p.smtputf8 = g.coin();
  p.requiretls = g.coin();
  if (g.coin())
    p.auth = g.coin() ? std::string_view("<>")
                      : a.keep(g.pick<const char*>({"e=mc2", "a+b", "x"}) + std::string("@") +
                               g.domain(false));
  if (g.coin()) p.ret = g.pick({ret_type::full, ret_type::hdrs});
  if (g.coin()) p.envid = a.keep(g.printable(33));
  if (g.coin()) p.mt_priority = static_cast<int>(g.below(19)) - 9;
  if (g.coin()) {
    const bool r = g.coin();
    const auto magnitude = static_cast<std::int32_t>(g.below(999999999) + 1);
    p.by = deliver_by{r || g.coin() ? magnitude : -magnitude,
                      r ? by_mode::return_message : by_mode::notify, g.coin()};
  }
  switch (g.below(3)) {
    case 0: p.holdfor = static_cast<std::uint32_t>(g.below(1000000)); break;
    case 1: p.holduntil = a.keep(g.date_time()); break;
    default: break;
  }
  random_extensions(g, a, p.extensions, p.smtputf8);
  return p;
}

rcpt_parameters random_rcpt_parameters(generator& g, arena& a, bool utf8) {
  rcpt_parameters p;
  p.transaction_smtputf8 = utf8;
  if (g.coin()) {
    notify_flags n;
    if (g.below(4) == 0) {
      n.never = true;
    } else {
      do {
        n.success = g.coin();
        n.failure = g.coin();
        n.delay = g.coin();
      } while (!n.success && !n.failure && !n.delay);
    }
    p.notify = n;
  }
  if (g.coin())
    p.orcpt = original_recipient{g.pick<std::string_view>({"rfc822", "x400", "UTF-8"}),
                                 a.keep(g.printable(40))};
  if (g.coin())
    p.rrvs = rrvs_value{a.keep(g.date_time()),
                        g.coin() ? rrvs_mode::reject : rrvs_mode::continue_delivery};
  random_extensions(g, a, p.extensions, utf8);
  return p;
}

}  // namespace

TEST_CASE(
    "command: property: random valid MAIL and RCPT lines parse back to the same values "
    "(RFC 5321 §4.1.1.2-3, §4.1.2)",
    "[smtp][command_writer][property]") {
  generator g(20240611);
  for (int round = 0; round < 3000; ++round) {
    arena a;
    const mail_parameters mp = random_mail_parameters(g, a);
    const std::string local = g.local_part(mp.smtputf8);
    const std::string domain = g.domain(mp.smtputf8);
    const mailbox_parts from{local, domain};
    const bool null_sender = g.below(8) == 0;
    const auto r = null_sender ? run([&](auto& s) { return write_mail(s, null_path, mp); })
                               : run([&](auto& s) { return write_mail(s, from, mp); });
    INFO("round " << round << ": " << r.bytes);
    REQUIRE(r.error == errc{});
    expect_one_command(r.bytes, [&](const command& c) {
      CHECK(c.verb == verb::mail);
      if (null_sender)
        CHECK(c.path.kind == path_kind::null);
      else
        check_same(c.path, from);
      check_same(c.parameters, mp);
    });

    const bool utf8 = g.coin();
    const rcpt_parameters rp = random_rcpt_parameters(g, a, utf8);
    const std::string rlocal = g.local_part(utf8);
    const std::string rdomain = g.domain(utf8);
    const mailbox_parts to{rlocal, rdomain};
    const bool to_postmaster = g.below(8) == 0;
    const auto rr = to_postmaster ? run([&](auto& s) { return write_rcpt(s, postmaster, rp); })
                                  : run([&](auto& s) { return write_rcpt(s, to, rp); });
    INFO(rr.bytes);
    REQUIRE(rr.error == errc{});
    expect_one_command(
        rr.bytes,
        [&](const command& c) {
          CHECK(c.verb == verb::rcpt);
          if (to_postmaster)
            CHECK(c.path.kind == path_kind::postmaster);
          else
            check_same(c.path, to);
          check_same(c.parameters, rp);
        },
        utf8);
  }
}

TEST_CASE("command: property: random valid commands of every verb parse back (RFC 5321 §4.1.1)",
          "[smtp][command_writer][property]") {
  generator g(77);
  for (int round = 0; round < 2000; ++round) {
    const std::string domain = g.domain(false);
    const bool literal = domain[0] == '[';
    const auto hello = g.pick({0, 1, 2});
    const auto r = run([&](auto& s) {
      return hello == 0   ? write_helo(s, domain)
             : hello == 1 ? write_ehlo(s, domain)
                          : write_lhlo(s, domain);
    });
    INFO(r.bytes);
    REQUIRE(r.error == errc{});
    expect_one_command(r.bytes, [&](const command& c) {
      CHECK(c.verb == (hello == 0 ? verb::helo : hello == 1 ? verb::ehlo : verb::lhlo));
      CHECK(c.argument == domain);
    });
    if (!literal) {
      const std::string etrn = g.pick<std::string>({"", "@"}) + domain;
      const auto e = run([&](auto& s) { return write_etrn(s, etrn); });
      REQUIRE(e.error == errc{});
      expect_one_command(e.bytes, [&](const command& c) { CHECK(c.argument == etrn); });
    }

    std::string text = g.printable(60);
    while (!text.empty() && text.back() == ' ') text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (text.empty()) text = "x";
    const auto which = g.pick({verb::vrfy, verb::expn, verb::help, verb::noop});
    const auto t = run([&](auto& s) {
      if (which == verb::vrfy) return write_vrfy(s, text);
      if (which == verb::expn) return write_expn(s, text);
      if (which == verb::help) return write_help(s, text);
      return write_noop(s, text);
    });
    INFO(t.bytes);
    REQUIRE(t.error == errc{});
    expect_one_command(t.bytes, [&](const command& c) {
      CHECK(c.verb == which);
      CHECK(c.argument == text);
    });

    std::string raw(g.below(300), '\0');
    for (char& ch : raw) ch = static_cast<char>(g.below(256));
    const std::string mech = g.pick<std::string>({"PLAIN", "xoauth2", "X-MECH_1", "LOGIN"});
    const auto au = g.coin() ? run([&](auto& s) { return write_auth(s, mech, raw); })
                             : run([&](auto& s) { return write_auth(s, mech); });
    REQUIRE(au.error == errc{});
    const bool with_ir = au.bytes.find(' ', 5) != std::string::npos;
    expect_one_command(au.bytes, [&](const command& c) {
      CHECK(c.verb == verb::auth);
      CHECK(ascii::iequals(c.mechanism, mech));
      CHECK(c.has_initial_response == with_ir);
      if (with_ir) CHECK(base64_decoded(c.initial_response) == raw);
    });
  }
}

namespace {

/// A field made of pieces meant to break a line: line ends, NUL, a smuggled
/// command, spaces, 8-bit octets, delimiters, very long runs.
std::string hostile(generator& g) {
  static const std::string pieces[] = {
      "a",
      "example.org",
      "\r",
      "\n",
      std::string("\0", 1),
      "\r\nRSET",
      "\r\nRSET\r\n",
      "\nQUIT\n",
      " ",
      "\t",
      "\x7f",
      "\x80",
      "\xff",
      "\xc3\xa9",
      "\xc3",
      "<",
      ">",
      "@",
      "=",
      "+",
      "\"",
      "\\",
      ":",
      ";",
      ",",
      "[",
      "]",
      ".",
      "-",
      "*",
      "SIZE=1",
      " NOTIFY=NEVER",
      "MAIL FROM:<a@b>",
      std::string(300, 'a'),
      std::string(70, 'b'),
      std::string(2100, 'c'),
  };
  std::string out;
  const std::size_t n = g.below(5);
  for (std::size_t i = 0; i < n; ++i) out += pieces[g.below(sizeof pieces / sizeof pieces[0])];
  return out;
}

}  // namespace

TEST_CASE(
    "command: property: hostile fields give an error or exactly one command, never two "
    "(docs/security.md §3)",
    "[smtp][command_writer][property][security]") {
  generator g(4242);
  constexpr std::size_t kinds = 14;
  int written[kinds] = {};
  for (int round = 0; round < 12000; ++round) {
    // Each field is a valid value, the valid value with hostile pieces put
    // in, or hostile pieces alone.
    std::vector<std::string> store;
    store.reserve(16);  // the views below stay valid
    const auto field = [&](std::string_view valid) -> std::string_view {
      std::string v(valid);
      switch (g.below(6)) {
        case 0:
        case 1:
        case 2: break;
        case 3:
        case 4:
          for (std::size_t n = 1 + g.below(2); n > 0; --n)
            v.insert(g.below(v.size() + 1), hostile(g));
          break;
        default: v = hostile(g); break;
      }
      store.push_back(std::move(v));
      return store.back();
    };
    verb expected = verb::unknown;
    bool utf8_transaction = false;
    const std::size_t which = g.below(kinds);
    const auto r = run([&](auto& s) -> errc {
      switch (which) {
        case 0: expected = verb::helo; return write_helo(s, field("example.org"));
        case 1: expected = verb::ehlo; return write_ehlo(s, field("[192.0.2.1]"));
        case 2: expected = verb::lhlo; return write_lhlo(s, field("example.org"));
        case 3: {
          expected = verb::mail;
          mail_parameters p;
          p.smtputf8 = g.coin();
          if (g.coin()) p.auth = field("a@b.example");
          if (g.coin()) p.envid = field("id1");
          if (g.coin()) p.holduntil = field("2030-01-01T00:00:00Z");
          if (g.coin()) REQUIRE(p.extensions.add(field("X-K"), field("v")) == errc{});
          if (g.coin()) return write_mail(s, null_path, p);
          return write_mail(s, mailbox_parts{field("a.b"), field("example.org")}, p);
        }
        case 4: {
          expected = verb::rcpt;
          rcpt_parameters p;
          p.transaction_smtputf8 = utf8_transaction = g.coin();
          if (g.coin()) p.orcpt = original_recipient{field("rfc822"), field("a@b.example")};
          if (g.coin()) p.rrvs = rrvs_value{field("2030-01-01T00:00:00Z"), rrvs_mode::reject};
          if (g.coin()) REQUIRE(p.extensions.add(field("X-K"), field("v")) == errc{});
          return write_rcpt(s, mailbox_parts{field("a.b"), field("example.org")}, p);
        }
        case 5: {
          expected = verb::rcpt;
          path p;
          p.kind = g.pick({path_kind::mailbox, path_kind::mailbox, path_kind::postmaster});
          p.local_part = field(p.kind == path_kind::postmaster ? "Postmaster" : "\"a b\"");
          p.domain = field("example.org");
          rcpt_parameters rp;
          rp.transaction_smtputf8 = utf8_transaction = g.coin();
          return write_rcpt(s, p, rp);
        }
        case 6: expected = verb::vrfy; return write_vrfy(s, field("user"));
        case 7: expected = verb::expn; return write_expn(s, field("list"));
        case 8: expected = verb::help; return write_help(s, field("MAIL"));
        case 9: expected = verb::noop; return write_noop(s, field(""));
        case 10: expected = verb::etrn; return write_etrn(s, field("@example.org"));
        case 11: expected = verb::auth; return write_auth(s, field("PLAIN"), field("secret"));
        case 12:
          expected = verb::auth;
          return write_auth_base64(s, field("PLAIN"), field("c2VjcmV0"));
        default: expected = verb::auth; return write_auth(s, field("LOGIN"));
      }
    });
    if (r.error != errc{}) {
      CHECK(r.bytes.empty());
      continue;
    }
    ++written[which];
    INFO("round " << round << ": " << r.bytes);
    expect_one_command(
        r.bytes, [&](const command& c) { CHECK(c.verb == expected); }, utf8_transaction);
  }
  // Every kind of command must also produce lines that pass, or the test
  // proves little.
  for (std::size_t k = 0; k < kinds; ++k) {
    INFO("kind " << k);
    CHECK(written[k] > 50);
  }
}

TEST_CASE(
    "command: property: hostile SASL text gives an error or exactly one response line "
    "(RFC 4954 §4, docs/security.md §3)",
    "[smtp][command_writer][property][security][sasl]") {
  generator g(99);
  int written_lines = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = hostile(g);
    if (g.coin()) text = base64_encoded(text) + (g.coin() ? hostile(g) : std::string());
    const auto r = run([&](auto& s) { return write_sasl_response_base64(s, text); });
    if (r.error != errc{}) {
      CHECK(r.bytes.empty());
      continue;
    }
    ++written_lines;
    INFO(r.bytes);
    REQUIRE(r.bytes.find_first_of(std::string_view("\r\n\0", 3)) == r.bytes.size() - 2);
    server_parser<> p;
    const std::string bytes = "AUTH X\r\n" + r.bytes;
    p.feed(bytes);
    REQUIRE(p.next().kind == server_event_kind::command);
    REQUIRE(p.expect_sasl_response());
    p.feed_eof();
    int ends = 0, others = 0;
    for (;;) {
      const server_event& ev = p.next();
      if (ev.kind == server_event_kind::need_more) break;
      if (ev.kind == server_event_kind::sasl_end)
        ++ends;
      else if (ev.kind != server_event_kind::sasl_data)
        ++others;
    }
    CHECK(ends == 1);
    CHECK(others == 0);
  }
  CHECK(written_lines > 300);
}
