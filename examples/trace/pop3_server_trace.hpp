#pragma once
// The `pop3-server` mode of mailwire-trace (schema: docs/trace.md): a
// permissive server session over pop3::server_parser that turns a client's
// byte stream into JSON lines. Shared by the tool and the golden tests, so
// both print exactly the same thing.
//
// The session accepts every command (it does not track the AUTHORIZATION and
// TRANSACTION states). It answers AUTH with "+ " until the mechanism has had
// its responses (sasl_responses() below; an initial response counts as one),
// so those lines are read as SASL responses. After STLS it models a client
// that waited for the handshake: the parser is reset and the bytes after the
// STLS line are parsed as the protected session (offsets keep counting).
// With `keep_starttls_barrier` it stays behind the barrier instead, so bytes
// after STLS are one data_after_starttls error.
//
// SASL pieces are joined into one event per line, so the output does not
// depend on how the input was split.

#include <mailwire/pop3/server_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "trace/json.hpp"

namespace mailwire::trace {

struct pop3_server_trace_options {
  pop3::server_parser_options parser{};
  bool keep_starttls_barrier = false;
};

class pop3_server_trace {
 public:
  explicit pop3_server_trace(const pop3_server_trace_options& o = {})
      : options_(o), parser_(o.parser) {}

  /// Feeds one piece of the client stream; appends the finished JSON lines
  /// (each ending in "\n") to `out`. The piece may die after the call.
  void feed(std::string_view piece, std::string& out) {
    parser_.feed(piece);
    drain(out);
  }

  /// End of the stream.
  void finish(std::string& out) {
    eof_ = true;
    parser_.feed_eof();
    drain(out);
  }

  /// How many SASL response lines the permissive server reads after
  /// "AUTH mechanism" without an initial response: LOGIN and DIGEST-MD5 two,
  /// GSSAPI and SCRAM-* three (the last one answering a final challenge that
  /// carries the server's data, RFC 5034 §4), every other mechanism one.
  static int sasl_responses(std::string_view mechanism) {
    if (ascii::iequals(mechanism, "LOGIN") || ascii::iequals(mechanism, "DIGEST-MD5")) return 2;
    if (ascii::iequals(mechanism, "GSSAPI")) return 3;
    if (mechanism.size() > 6 && ascii::iequals(mechanism.substr(0, 6), "SCRAM-")) return 3;
    return 1;
  }

 private:
  void drain(std::string& out) {
    for (;;) {
      const pop3::server_event& ev = parser_.next();
      switch (ev.kind) {
        case pop3::server_event_kind::need_more: return;
        case pop3::server_event_kind::command: on_command(ev, out); break;
        case pop3::server_event_kind::sasl_data: sasl_ += ev.bytes; break;
        case pop3::server_event_kind::sasl_end: {
          json_object o;
          o.string("event", "sasl").number("offset", base_ + ev.offset);
          o.string("bytes", sasl_).boolean("cancel", ev.cancelled);
          emit(out, o);
          sasl_.clear();
          if (!ev.cancelled && --sasl_left_ > 0) parser_.expect_sasl_response();
          break;
        }
        case pop3::server_event_kind::error: {
          sasl_.clear();  // pieces of a rejected SASL line are void
          sasl_left_ = 0;
          json_object o;
          o.string("event", "error").number("offset", base_ + ev.offset);
          o.string("error", name(ev.error)).string("reply", ev.reply());
          if (ev.command.verb != pop3::verb::unknown) o.string("verb", pop3::name(ev.command.verb));
          if (!ev.detail.empty()) o.string("detail", ev.detail);
          emit(out, o);
          break;
        }
      }
    }
  }

  void on_command(const pop3::server_event& ev, std::string& out) {
    const pop3::command& c = ev.command;
    json_object o;
    o.string("event", "command").number("offset", base_ + ev.offset);
    o.string("verb", pop3::name(c.verb));
    o.raw("args", args_of(c));
    switch (c.verb) {
      case pop3::verb::user: o.string("name", c.name); break;
      case pop3::verb::pass: o.string("password", c.password); break;
      case pop3::verb::apop: o.string("name", c.name).string("digest", c.digest); break;
      case pop3::verb::auth:
        if (c.mechanism.empty())
          o.null("mechanism");
        else
          o.string("mechanism", c.mechanism);
        if (c.has_initial_response)
          o.string("initial_response", c.initial_response);
        else
          o.null("initial_response");
        break;
      case pop3::verb::lang:
        if (c.language.empty())
          o.null("lang");
        else
          o.string("lang", c.language);
        break;
      case pop3::verb::list:
      case pop3::verb::uidl:
        if (c.has_message)
          o.number("msg", c.message);
        else
          o.null("msg");
        break;
      case pop3::verb::retr:
      case pop3::verb::dele: o.number("msg", c.message); break;
      case pop3::verb::top: o.number("msg", c.message).number("lines", c.lines); break;
      case pop3::verb::stls:
      case pop3::verb::capa:
      case pop3::verb::utf8:
      case pop3::verb::stat:
      case pop3::verb::noop:
      case pop3::verb::rset:
      case pop3::verb::quit:
      case pop3::verb::unknown: break;
    }
    emit(out, o);

    // The permissive server's side of the conversation.
    if (c.verb == pop3::verb::auth && !c.mechanism.empty()) {
      int responses = sasl_responses(c.mechanism);
      if (c.has_initial_response) --responses;
      sasl_left_ = responses;
      if (responses > 0) parser_.expect_sasl_response();
    } else if (c.verb == pop3::verb::stls && !options_.keep_starttls_barrier) {
      // The client waited for the handshake: what follows is the new
      // session. The piece is alive for the whole drain().
      const std::string_view after = parser_.rest();
      base_ += parser_.offset();
      parser_.reset();
      parser_.feed(after);
      if (eof_) parser_.feed_eof();
    }
  }

  // The parameters as sent: split on SP (runs of SP with allow_extra_spaces);
  // PASS has one, the rest of the line verbatim.
  static std::string args_of(const pop3::command& c) {
    std::string a = "[";
    const auto add = [&a](std::string_view s) {
      if (a.size() > 1) a += ',';
      append_json_string(a, s);
    };
    if (c.verb == pop3::verb::pass) {
      add(c.argument);
    } else {
      std::string_view rest = c.argument;
      while (!rest.empty()) {
        const std::size_t sp = rest.find(' ');
        if (sp != 0) add(rest.substr(0, sp));
        if (sp == std::string_view::npos) break;
        rest.remove_prefix(sp + 1);
      }
    }
    return a + ']';
  }

  static void emit(std::string& out, json_object& o) {
    out += o.close();
    out += '\n';
  }

  pop3_server_trace_options options_;
  pop3::server_parser<> parser_;
  std::uint64_t base_ = 0;  // stream offset where the parser was last reset
  std::string sasl_;
  int sasl_left_ = 0;
  bool eof_ = false;
};

}  // namespace mailwire::trace
