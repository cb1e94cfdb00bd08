// Zero heap allocation is a tested property: every codec runs inside an
// allocation_scope and the count must stay at zero.
#include <mailwire/mailwire.hpp>
#include <mailwire/smtp/sasl_server.hpp>

#include <string>

#include "catch.hpp"
#include "support/alloc_counter.hpp"

using mailwire::test::allocation_scope;
using namespace mailwire;

namespace {
// A body with everything the decoder handles: stuffing, bare line ends, NUL,
// a long line, pipelined bytes after the terminator.
std::string sample_payload() {
  std::string s = "Subject: x\r\n\r\n..dot\r\nbare\nlf\rcr";
  s += '\0';
  s += std::string(1200, 'y') + "\r\n.\r\nQUIT\r\n";
  return s;
}
}  // namespace

TEST_CASE("allocation counter sees allocations", "[alloc]") {
  allocation_scope scope;
  auto* p = new std::string(100, 'x');  // the harness itself must count this
  delete p;
  CHECK(scope.count() >= 1);
}

TEST_CASE("scan kernels allocate nothing", "[alloc]") {
  const std::string text(4096, 'a');
  allocation_scope scope;
  const char* hit = scan::find<scan::cr | scan::lf>(text.data(), text.data() + text.size());
  CHECK(scope.count() == 0);
  CHECK(hit == text.data() + text.size());
}

TEST_CASE("dot::decoder allocates nothing, whole or byte by byte, under every policy", "[alloc]") {
  const std::string payload = sample_payload();
  for (auto policy : {dot::line_end_policy::reject, dot::line_end_policy::normalize,
                      dot::line_end_policy::allow}) {
    for (std::size_t piece : {payload.size(), std::size_t{1}, std::size_t{7}}) {
      std::size_t events = 0;
      allocation_scope scope;
      dot::decoder_options o;
      o.policy = policy;
      o.max_size = 100;
      o.max_line_length = 1000;
      dot::decoder d(o);
      bool ended = false;
      for (std::size_t at = 0; at < payload.size() && !ended; at += piece) {
        d.feed(std::string_view(payload).substr(at, piece));
        for (;;) {
          const auto ev = d.next();
          ++events;
          if (ev.kind == dot::event_kind::end) ended = true;
          if (ev.kind != dot::event_kind::data) break;
        }
      }
      CHECK(scope.count() == 0);
      CHECK(ended);
      CHECK(events > 2);
    }
  }
}

TEST_CASE("dot::encoder allocates nothing in the copy and gather forms", "[alloc]") {
  const std::string message = sample_payload();
  char out[64];
  std::string_view segments[4];
  allocation_scope scope;
  std::size_t produced = 0;
  dot::encoder copy;
  for (std::string_view in = message; !in.empty();) {
    const auto r = copy.encode(in, out, sizeof out);
    in.remove_prefix(r.consumed);
    produced += r.written;
  }
  while (!copy.finished()) produced += copy.finish(out, sizeof out).written;
  dot::encoder gather;
  for (std::string_view in = message; !in.empty();)
    in.remove_prefix(gather.encode_gather(in, segments, 4).consumed);
  gather.finish_gather(segments, 4);
  CHECK(scope.count() == 0);
  CHECK(produced > message.size());
  CHECK(gather.finished());
}

TEST_CASE("base64 and the fixed sink allocate nothing", "[alloc]") {
  const std::string secret = std::string("\0user\0pass", 10) + std::string(300, 'z');
  char encoded[512];
  char decoded[512];
  char sink_buffer[1024];
  allocation_scope scope;
  const auto e = base64::encode(secret, encoded, sizeof encoded);
  const auto d = base64::decode(std::string_view(encoded, e.size), decoded, sizeof decoded);
  fixed_sink sink(sink_buffer);
  const auto s = base64::encode(secret, sink);
  const auto bad = base64::decode("AB=C", decoded, sizeof decoded);
  CHECK(scope.count() == 0);
  CHECK(e.ok());
  CHECK(d.ok());
  CHECK(std::string_view(decoded, d.size) == secret);
  CHECK(s.ok());
  CHECK(sink.view() == std::string_view(encoded, e.size));
  CHECK(bad.error == errc::invalid_base64);
}

TEST_CASE("smtp::server_parser allocates nothing, whole or byte by byte", "[alloc]") {
  // Every mode: commands with paths and parameters, a DATA body, BDAT, a
  // streamed SASL line, errors, and the STARTTLS barrier.
  std::string input =
      "EHLO client.example\r\n"
      "MAIL FROM:<\"q u\"@example.org> SIZE=100 BODY=8BITMIME ENVID=a+2Bb RET=HDRS\r\n"
      "RCPT TO:<@r.example:u@[IPv6:2001:db8::1]> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;u+40x\r\n"
      "RCPT TO:<first.last@example.org> NOTIFY=FAILURE ORCPT=rfc822;first.last@example.org\r\n"
      "DATA\r\n..dot\r\nbare\nlf\r\n.\r\n"
      "BDAT 5 LAST\r\n12345"
      "AUTH PLAIN\r\n" +
      std::string(4000, 'A') +
      "\r\n"
      "XBAD\r\nNOOP " +
      std::string(600, 'x') + "\r\nSTARTTLS\r\nQUIT\r\n";
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{13}}) {
    std::size_t commands = 0;
    std::size_t errors = 0;
    allocation_scope scope;
    smtp::server_parser<> p;
    for (std::size_t at = 0; at < input.size(); at += piece) {
      p.feed(std::string_view(input).substr(at, piece));
      for (;;) {
        const smtp::server_event& ev = p.next();
        if (ev.kind == smtp::server_event_kind::need_more) break;
        if (ev.kind == smtp::server_event_kind::command) {
          ++commands;
          if (ev.command.verb == smtp::verb::data) p.accept_data();
          if (ev.command.verb == smtp::verb::auth) p.expect_sasl_response();
        }
        if (ev.kind == smtp::server_event_kind::error) ++errors;
      }
    }
    p.feed_eof();
    while (p.next().kind != smtp::server_event_kind::need_more) {
    }
    CHECK(scope.count() == 0);
    CHECK(commands == 8);  // EHLO MAIL RCPT RCPT DATA BDAT AUTH STARTTLS
    CHECK(errors == 3);    // XBAD, the long NOOP, data after STARTTLS
  }
}

TEST_CASE("SMTP paths, parameters, xtext and the reply writer allocate nothing", "[alloc]") {
  char buffer[1024];
  char local[128];
  allocation_scope scope;
  const auto path = smtp::parse_path("<\"a b\"@example.org>");
  const auto params = smtp::parse_parameters("SIZE=5 NOTIFY=NEVER ORCPT=rfc822;a+40b X-Y");
  const auto unquoted = smtp::unquote_local_part(path.path.local_part, local, sizeof local);
  fixed_sink sink(buffer);
  const errc mailbox = smtp::write_mailbox(sink, path.path);
  const errc single = smtp::write_reply(sink, 250, "2.1.5", "Ok");
  const errc multi = smtp::write_reply(sink, 250, "", {"first", "second"});
  const errc error = smtp::write_error_reply(sink, errc::bare_lf);
  const errc challenge = smtp::write_auth_challenge_raw(sink, "<1896.697170952@example.org>");
  const auto decoded = smtp::xtext::decode("a+2Bb", local, sizeof local);
  CHECK(scope.count() == 0);
  CHECK(path.ok());
  CHECK(params.ok());
  CHECK(unquoted.ok());
  CHECK(mailbox == errc{});
  CHECK(single == errc{});
  CHECK(multi == errc{});
  CHECK(error == errc{});
  CHECK(challenge == errc{});
  CHECK(decoded.ok());
  CHECK(sink.view().find("\"a b\"@example.org250 2.1.5 Ok\r\n") == 0);
}

TEST_CASE("smtp::client_parser allocates nothing, whole or byte by byte", "[alloc]") {
  const std::string input =
      "220 mx.example ESMTP\r\n"
      "250-mx.example greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
      "250-AUTH PLAIN LOGIN\r\n250 ENHANCEDSTATUSCODES\r\n"
      "250 2.1.0 Ok\r\n550 5.1.1 <x@example.org>: unknown\r\n354 go ahead\r\n"
      "99x bad\r\n250-a\r\n251 b\r\n" +
      std::string(700, 'y') + "\r\n221 2.0.0 Bye\r\n";
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{7}}) {
    std::size_t replies = 0;
    allocation_scope scope;
    smtp::client_parser<> p;
    smtp::ehlo_folder folder;
    for (std::size_t at = 0; at < input.size(); at += piece) {
      p.feed(std::string_view(input).substr(at, piece));
      for (auto ev = p.next(); ev.kind != smtp::client_event_kind::need_more; ev = p.next()) {
        if (ev.kind == smtp::client_event_kind::line) (void)folder.add(ev.text);
        if (ev.kind == smtp::client_event_kind::reply) ++replies;
      }
    }
    p.feed_eof();
    while (p.next().kind != smtp::client_event_kind::need_more) {
    }
    CHECK(scope.count() == 0);
    CHECK(replies == 6);  // greeting, EHLO, 250, 550, 354, 221
  }
}

TEST_CASE("MD5, HMAC-MD5, the SASL responses and the command writer allocate nothing", "[alloc]") {
  char buffer[512];
  char hex[md5::hex_size];
  allocation_scope scope;
  const auto digest = md5::digest("<1896.697170952@dbc.mtview.ca.us>tanstaaf");
  const std::string_view text = md5::to_hex(digest, hex);
  fixed_sink sink(buffer);
  const errc plain = smtp::sasl::write_plain(sink, "", "tim", "tanstaaftanstaaf");
  smtp::mail_parameters mp;
  mp.size = 1000;
  mp.envid = "id+1";
  const errc mail = smtp::write_mail(sink, smtp::mailbox_parts{"jane doe", "example.org"}, mp);
  const errc cram = smtp::sasl::write_cram_md5(
      sink, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", "tim", "tanstaaftanstaaf");
  CHECK(scope.count() == 0);
  CHECK(text == "c4c9334bac560ecc979e58001b3e22fb");  // RFC 1939 §7
  CHECK(plain == errc{});
  CHECK(mail == errc{});
  CHECK(cram == errc{});
}

TEST_CASE("the server-side SASL readers and digest checks allocate nothing", "[alloc]") {
  char buffer[smtp::sasl::max_decoded_response];
  std::string line = "VXJzZWwAS3VydAB4aXBqM3BsbXE=";  // decoded in place below
  allocation_scope scope;
  const auto plain =
      smtp::sasl::read_plain("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", buffer, sizeof buffer);
  const bool plain_ok = plain.ok() && plain.authcid == "tim";
  const auto in_place = smtp::sasl::read_plain(line, line.data(), line.size());
  const auto login = smtp::sasl::read_login_field("dGlt", buffer, sizeof buffer);
  const bool login_ok = login.ok() && login.value == "tim";
  const auto xoauth2 = smtp::sasl::read_xoauth2(
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
      "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==",
      buffer, sizeof buffer);
  const bool xoauth2_ok = xoauth2.ok() && xoauth2.user == "someuser@example.com";
  const auto cram = smtp::sasl::read_cram_md5("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
                                              buffer, sizeof buffer);
  const bool cram_ok = cram.ok() && smtp::sasl::verify_cram_md5(
                                        "<1896.697170952@postoffice.reston.mci.net>",
                                        "tanstaaftanstaaf", cram.digest_hex);
  const bool bad = smtp::sasl::read_plain("!!!!", buffer, sizeof buffer).error ==
                   errc::invalid_base64;
  const bool apop = pop3::verify_apop("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf",
                                      "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(scope.count() == 0);
  CHECK(plain_ok);
  CHECK(in_place.ok());
  CHECK(in_place.authzid == "Ursel");
  CHECK(login_ok);
  CHECK(xoauth2_ok);
  CHECK(cram_ok);
  CHECK(bad);
  CHECK(apop);
}

TEST_CASE("pop3::server_parser allocates nothing, whole or byte by byte", "[alloc]") {
  const std::string input =
      "CAPA\r\nUSER fred\r\nPASS open sesame\r\nAPOP a c4c9334bac560ecc979e58001b3e22fb\r\n"
      "RETR 0\r\nTOP 1 10\r\nXYZZY\r\nST\nAT\r\n" +
      std::string(400, 'x') + "\r\nAUTH PLAIN\r\nAHRlc3QAdGVzdA==\r\n*\r\nAB=C\r\n" +
      std::string(13000, 'A') + "\r\nLANG *\r\nSTLS\r\nNOOP\r\n";
  for (std::size_t step : {input.size(), std::size_t{1}}) {
    std::size_t events = 0;
    allocation_scope scope;
    pop3::server_parser<> p;
    for (std::size_t i = 0; i < input.size(); i += step) {
      p.feed(std::string_view(input).substr(i, step));
      for (;;) {
        const pop3::server_event& ev = p.next();
        if (ev.kind == pop3::server_event_kind::need_more) break;
        ++events;
        if ((ev.kind == pop3::server_event_kind::command && ev.command.verb == pop3::verb::auth) ||
            ev.kind == pop3::server_event_kind::sasl_end)
          p.expect_sasl_response();
      }
    }
    p.feed_eof();
    while (p.next().kind != pop3::server_event_kind::need_more) ++events;
    CHECK(scope.count() == 0);
    CHECK(events > 10);
  }
}

TEST_CASE("pop3::client_parser allocates nothing, whole or byte by byte", "[alloc]") {
  const std::string input =
      "+OK <1@h>\r\n+ VXNlcg==\r\n+OK\r\n+OK\r\nTOP\r\nSASL PLAIN X-Y\r\nX-FOO a\r\n.\r\n"
      "+OK\r\n1 10\r\n.\r\n+OK\r\n1 u\r\n.\r\n+OK\r\nbody\r\n..x\r\n.\r\n-ERR [SYS/TEMP] x\r\n"
      "+OK 2 30\r\n+OK\r\nbehind\r\n";
  for (std::size_t step : {input.size(), std::size_t{1}}) {
    std::size_t events = 0;
    allocation_scope scope;
    pop3::client_parser<> p;
    (void)p.expect_greeting();
    for (auto v : {pop3::verb::auth, pop3::verb::capa, pop3::verb::list, pop3::verb::uidl,
                   pop3::verb::retr, pop3::verb::retr, pop3::verb::stat, pop3::verb::stls})
      (void)p.expect(v, false);
    for (std::size_t i = 0; i < input.size(); i += step) {
      p.feed(std::string_view(input).substr(i, step));
      while (p.next().kind != pop3::client_event_kind::need_more) ++events;
    }
    p.feed_eof();
    while (p.next().kind != pop3::client_event_kind::need_more) ++events;
    CHECK(scope.count() == 0);
    CHECK(events > 15);
  }
}

TEST_CASE("the POP3 command and response writers allocate nothing", "[alloc]") {
  char buffer[4096];
  std::string_view segments[6];
  pop3::scan_entry scans[] = {{1, 120}, {2, 200}};
  pop3::unique_id_entry uids[] = {{1, "whqtswO00WBw418f9t5JxYwZ"}};
  pop3::capabilities caps;  // built before the scope: its own code is tested elsewhere
  REQUIRE(caps.add_mechanism("PLAIN") == errc{});
  REQUIRE(caps.add_mechanism("X-OWN") == errc{});
  caps.set_login_delay(900, true);
  REQUIRE(caps.set_implementation("mailwire") == errc{});
  REQUIRE(caps.add_line("X-FOO a b") == errc{});
  pop3::client_parser<> parser;
  const std::string content = "Subject: x\r\n\r\n.dot\nbare\rcr";
  const std::string response(100, 'r');
  allocation_scope scope;
  fixed_sink sink(buffer);
  errc e{};
  const auto check = [&e](errc r) {
    if (r != errc{}) e = r;
  };
  const pop3::apop_digest_text digest =
      pop3::apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");
  check(pop3::write_user(sink, "mrose"));
  check(pop3::write_pass(sink, "my secret"));
  check(pop3::write_apop(sink, "mrose", digest.view()));
  check(pop3::write_top(sink, 1, 0));
  check(pop3::write_lang(sink, "de-CH"));
  check(pop3::write_auth(sink, "PLAIN", std::string_view("\0tim\0tanstaaf", 13)));
  check(pop3::write_sasl_response(sink, response));
  check(pop3::write_sasl_cancel(sink));
  check(pop3::write_expecting(sink, parser, pop3::expected_for(pop3::verb::list, true),
                              [](auto& s) { return pop3::write_list(s, 2); }));
  check(pop3::write_greeting(sink, "POP3 ready", "<1896.697170952@dbc.mtview.ca.us>"));
  check(pop3::write_response(sink, pop3::response_status::err, "SYS/TEMP", "try later"));
  check(pop3::write_challenge(sink, "<1896.697170952@postoffice>"));
  check(pop3::write_drop_listing(sink, 2, 320));
  check(pop3::write_scan_listings(sink, "", scans, 2));
  check(pop3::write_unique_id_listings(sink, "", uids, 1));
  check(pop3::write_language_item(sink, "en", "English"));
  check(pop3::write_end(sink));
  check(pop3::write_capa_response(sink, caps));
  check(pop3::write_auth_mechanisms(sink, caps));
  check(pop3::write_message(sink, "", content));
  dot::encoder enc;
  check(pop3::write_body(sink, enc, content));
  check(pop3::write_body_end(sink, enc));
  dot::encoder gather;
  const pop3::gather_progress p = pop3::gather_message(gather, "", content, segments, 6);
  check(p.error);
  CHECK(scope.count() == 0);
  CHECK(e == errc{});
  CHECK(digest.view() == "c4c9334bac560ecc979e58001b3e22fb");
  CHECK(sink.size() > 500);
  CHECK(p.count > 0);
}
