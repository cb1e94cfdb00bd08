#pragma once
// The `smtp-server` mode of mailwire-trace (schema: docs/trace.md): a
// permissive server session over smtp::server_parser that turns a client's
// byte stream into JSON lines. Shared by the tool, the golden tests and the
// fuzzers, so all three print exactly the same thing.
//
// The session accepts every DATA, answers AUTH with 334 until the mechanism
// has had its responses (LOGIN two, every other one one; an initial response
// counts), and tracks SMTPUTF8 per transaction. After STARTTLS it models a
// client that waited for the handshake: the parser is reset and the bytes
// after the STARTTLS line are parsed as the protected session (offsets keep
// counting). With `keep_starttls_barrier` it stays behind the barrier
// instead, so bytes after STARTTLS are reported as data_after_starttls.
//
// Data and SASL pieces are joined into one event each, so the output does not
// depend on how the input was split.

#include <mailwire/smtp/server_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "trace/json.hpp"

namespace mailwire::trace {

struct smtp_server_trace_options {
  smtp::server_parser_options parser{};
  bool keep_starttls_barrier = false;
};

class smtp_server_trace {
 public:
  explicit smtp_server_trace(const smtp_server_trace_options& o = {})
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

 private:
  void drain(std::string& out) {
    for (;;) {
      const smtp::server_event& ev = parser_.next();
      switch (ev.kind) {
        case smtp::server_event_kind::need_more: return;
        case smtp::server_event_kind::command: on_command(ev, out); break;
        case smtp::server_event_kind::data:
          if (data_.empty()) data_offset_ = base_ + ev.offset;
          data_ += ev.bytes;
          break;
        case smtp::server_event_kind::data_end: {
          flush_data(out);
          json_object o;
          o.string("event", "data_end").number("offset", base_ + ev.offset);
          o.number("size", ev.size).boolean("last", ev.last).boolean("chunk", ev.chunk);
          if (ev.error != errc{}) {
            o.string("error", name(ev.error)).number("error_offset", base_ + ev.error_offset);
            o.string("reply", reply_text(ev.reply()));
          } else {
            o.null("error");
          }
          emit(out, o);
          if (ev.last) parser_.set_smtputf8(false);
          break;
        }
        case smtp::server_event_kind::sasl_data:
          sasl_ += ev.bytes;
          break;
        case smtp::server_event_kind::sasl_end: {
          json_object o;
          o.string("event", "sasl").number("offset", base_ + ev.offset);
          o.string("bytes", sasl_).boolean("cancel", ev.cancelled);
          emit(out, o);
          sasl_.clear();
          if (!ev.cancelled && --sasl_left_ > 0) parser_.expect_sasl_response();
          break;
        }
        case smtp::server_event_kind::error: {
          flush_data(out);
          sasl_.clear();  // pieces of a rejected SASL line are void
          json_object o;
          o.string("event", "error").number("offset", base_ + ev.offset);
          o.string("error", name(ev.error)).string("reply", reply_text(ev.reply()));
          if (ev.command.verb != smtp::verb::unknown)
            o.string("verb", smtp::name(ev.command.verb));
          if (!ev.detail.empty()) o.string("detail", ev.detail);
          if (ev.fatal) o.boolean("fatal", true);
          emit(out, o);
          break;
        }
      }
    }
  }

  void on_command(const smtp::server_event& ev, std::string& out) {
    const smtp::command& c = ev.command;
    json_object o;
    o.string("event", "command").number("offset", base_ + ev.offset);
    o.string("verb", smtp::name(c.verb));
    if (c.verb == smtp::verb::mail || c.verb == smtp::verb::rcpt) {
      std::string mailbox;
      appendable_sink<std::string> sink(mailbox);
      (void)smtp::write_mailbox(sink, c.path);  // a parsed path, a growing sink
      o.string("path", mailbox);
      std::string params = "{";
      for (const smtp::parameter& p : c.parameters) {
        if (params.size() > 1) params += ',';
        std::string key(p.keyword);
        for (char& ch : key) ch = ascii::to_upper(ch);
        append_json_string(params, key);
        params += ':';
        if (p.has_value)
          append_json_string(params, p.value);
        else
          params += "null";
      }
      params += '}';
      o.raw("params", params);
    } else if (c.verb == smtp::verb::bdat) {
      o.number("size", c.chunk_size).boolean("last", c.last);
    } else {
      o.string("arg", c.argument);
      if (c.verb == smtp::verb::auth) {
        o.string("mechanism", c.mechanism);
        if (c.has_initial_response)
          o.string("initial_response", c.initial_response);
        else
          o.null("initial_response");
      }
    }
    emit(out, o);

    // The permissive server's side of the conversation.
    if (c.verb == smtp::verb::data) {
      parser_.accept_data();
    } else if (c.verb == smtp::verb::auth) {
      int responses = ascii::iequals(c.mechanism, "LOGIN") ? 2 : 1;
      if (c.has_initial_response) --responses;
      sasl_left_ = responses;
      if (responses > 0) parser_.expect_sasl_response();
    } else if (c.verb == smtp::verb::mail) {
      parser_.set_smtputf8(c.parameters.contains("SMTPUTF8"));
    } else if (c.verb == smtp::verb::rset || c.verb == smtp::verb::helo ||
               c.verb == smtp::verb::ehlo || c.verb == smtp::verb::lhlo) {
      parser_.set_smtputf8(false);
    } else if (c.verb == smtp::verb::starttls && !options_.keep_starttls_barrier) {
      // The client waited for the handshake: what follows is the new
      // session. The piece is alive for the whole drain().
      const std::string_view after = parser_.rest();
      base_ += parser_.offset();
      parser_.reset();
      parser_.feed(after);
      if (eof_) parser_.feed_eof();
    }
  }

  void flush_data(std::string& out) {
    if (data_.empty()) return;
    json_object o;
    o.string("event", "data").number("offset", data_offset_).string("bytes", data_);
    emit(out, o);
    data_.clear();
  }

  static std::string reply_text(const reply_hint& r) {
    std::string s = std::to_string(r.code);
    if (!r.enhanced.empty()) (s += ' ') += r.enhanced;
    (s += ' ') += r.text;
    return s;
  }

  static void emit(std::string& out, json_object& o) {
    out += o.close();
    out += '\n';
  }

  smtp_server_trace_options options_;
  smtp::server_parser<> parser_;
  std::uint64_t base_ = 0;  // stream offset where the parser was last reset
  std::string data_;
  std::uint64_t data_offset_ = 0;
  std::string sasl_;
  int sasl_left_ = 0;
  bool eof_ = false;
};

}  // namespace mailwire::trace
