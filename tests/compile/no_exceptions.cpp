// Built with -fno-exceptions -fno-rtti and the strictest warnings: every
// public header must compile so, and the codecs must work so.
#include <mailwire/mailwire.hpp>
#include <mailwire/smtp/sasl_server.hpp>

#include <cstdio>
#include <cstring>
#include <string_view>

namespace {

int fail(const char* what) {
  std::printf("FAILED: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  using namespace mailwire;
  const char text[] = "abc\r\n.def\r\n";
  if (scan::find<scan::dot_after_lf>(text + 1, text + sizeof text - 1) != text + 5)
    return fail("scan");

  // Encode a message with a leading dot, then decode it back.
  const std::string_view message = ".hidden\r\nline";
  char payload[64];
  dot::encoder enc;
  const auto r = enc.encode(message, payload, sizeof payload);
  const auto f = enc.finish(payload + r.written, sizeof payload - r.written);
  const std::string_view wire(payload, r.written + f.written);
  if (wire != "..hidden\r\nline\r\n.\r\n") return fail("encode");

  dot::decoder dec;
  dec.feed(wire);
  char decoded[64];
  std::size_t n = 0;
  for (;;) {
    const auto ev = dec.next();
    if (ev.kind == dot::event_kind::data) {
      std::memcpy(decoded + n, ev.bytes.data(), ev.bytes.size());
      n += ev.bytes.size();
    } else if (ev.kind == dot::event_kind::end) {
      break;
    } else {
      return fail("decode");
    }
  }
  if (std::string_view(decoded, n) != ".hidden\r\nline\r\n") return fail("round trip");
  // Two pipelined command lines, the second split across feeds.
  line_reader<64> lines;
  lines.feed("EHLO a\r\nQU");
  if (lines.next().line != "EHLO a" || lines.next().kind != line_event_kind::need_more)
    return fail("line_reader");
  lines.feed("IT\r\n");
  if (lines.next().line != "QUIT") return fail("line_reader carry");

  // SASL PLAIN initial response through a fixed sink, and back.
  char b64[64];
  fixed_sink sink(b64);
  const std::string_view plain("\0user\0secret", 12);
  if (!base64::encode(plain, sink).ok() || sink.view() != "AHVzZXIAc2VjcmV0") return fail("base64");
  char raw[64];
  const auto back = base64::decode(sink.view(), raw, sizeof raw);
  if (!back.ok() || std::string_view(raw, back.size) != plain) return fail("base64 decode");

  // The server's side of SASL: PLAIN and CRAM-MD5 responses read and checked.
  const auto creds = smtp::sasl::read_plain(sink.view(), raw, sizeof raw);
  if (!creds.ok() || creds.authcid != "user" || creds.password != "secret")
    return fail("sasl read_plain");
  const auto cram = smtp::sasl::read_cram_md5("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
                                              raw, sizeof raw);
  if (!cram.ok() || !smtp::sasl::verify_cram_md5("<1896.697170952@postoffice.reston.mci.net>",
                                                  "tanstaaftanstaaf", cram.digest_hex))
    return fail("sasl cram-md5");
  if (smtp::sasl::read_xoauth2("", raw, sizeof raw).error != errc::invalid_argument ||
      smtp::sasl::read_login_field("dGlt", raw, sizeof raw).value != "tim")
    return fail("sasl readers");

  // An SMTP client stream: a transaction with a body, then a bad line.
  const std::string_view client =
      "MAIL FROM:<a@example.org> SIZE=10\r\nDATA\r\nhi\r\n.\r\nRCPT TO:<>\r\n";
  smtp::server_parser<> server;
  server.feed(client);
  auto ev = server.next();
  if (ev.kind != smtp::server_event_kind::command || ev.command.path.domain != "example.org" ||
      ev.command.parameters.declared_size().value != 10)
    return fail("server_parser MAIL");
  if (server.next().command.verb != smtp::verb::data || !server.accept_data())
    return fail("server_parser DATA");
  if (server.next().bytes != "hi\r\n" || server.next().kind != smtp::server_event_kind::data_end)
    return fail("server_parser body");
  ev = server.next();
  if (ev.error != errc::null_path_not_allowed || ev.reply().code != 501)
    return fail("server_parser error");

  char reply[128];
  fixed_sink reply_sink(reply);
  if (smtp::write_reply(reply_sink, 250, "2.1.0", "Ok") != errc{} ||
      reply_sink.view() != "250 2.1.0 Ok\r\n")
    return fail("reply writer");

  // The client side: a command written, the server's EHLO reply parsed and folded.
  char command[128];
  fixed_sink command_sink(command);
  smtp::rcpt_parameters rp;
  rp.notify = smtp::notify_flags{false, false, true, false};
  if (smtp::write_rcpt(command_sink, smtp::mailbox_parts{"jane", "example.org"}, rp) != errc{} ||
      command_sink.view() != "RCPT TO:<jane@example.org> NOTIFY=FAILURE\r\n")
    return fail("command writer");
  smtp::client_parser<> replies;
  smtp::ehlo_folder folder;
  replies.feed("250-mx.example.org\r\n250-SIZE 1000\r\n250 2.0.0 PIPELINING\r\n");
  std::uint16_t code = 0;
  for (auto ce = replies.next(); ce.kind != smtp::client_event_kind::need_more;
       ce = replies.next()) {
    if (ce.kind == smtp::client_event_kind::line && folder.add(ce.text) != errc{})
      return fail("ehlo folding");
    if (ce.kind == smtp::client_event_kind::reply) code = ce.code;
  }
  if (code != 250 || folder.result().size_limit() != 1000) return fail("client_parser");

  // POP3: a command written and read by the server, a response written and
  // read by the client (writers: pop3/command_writer.hpp, response_writer.hpp).
  char pop3_out[256];
  fixed_sink pop3_sink(pop3_out);
  if (pop3::write_top(pop3_sink, 1, 0) != errc{} || pop3_sink.view() != "TOP 1 0\r\n")
    return fail("pop3 command writer");
  pop3::server_parser<> pop3_server;
  pop3_server.feed(pop3_sink.view());
  const pop3::server_event& pe = pop3_server.next();
  if (pe.kind != pop3::server_event_kind::command || pe.command.verb != pop3::verb::top ||
      pe.command.message != 1 || pe.command.lines != 0)
    return fail("pop3 server_parser");
  pop3_sink.clear();
  if (pop3::write_response(pop3_sink, pop3::response_status::err, "SYS/TEMP", "later") != errc{} ||
      pop3::write_message(pop3_sink, "", ".x") != errc{})
    return fail("pop3 response writer");
  pop3::client_parser<> pop3_client;
  (void)pop3_client.expect(pop3::expected_for(pop3::verb::top, true));
  (void)pop3_client.expect(pop3::expected_for(pop3::verb::retr, true));
  pop3_client.feed(pop3_sink.view());
  if (pop3_client.next().code.kind != pop3::response_code_kind::sys_temp ||
      !pop3_client.next().multi_line || pop3_client.next().text != ".x\r\n" ||
      pop3_client.next().kind != pop3::client_event_kind::end)
    return fail("pop3 client_parser");

  if (make_error_code(errc::bare_lf).message() != describe(errc::bare_lf)) return fail("errc");
  std::puts("ok");
  return 0;
}
