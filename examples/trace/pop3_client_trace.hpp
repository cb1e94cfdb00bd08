#pragma once
// The `pop3-client` mode of mailwire-trace (schema: docs/trace.md): a client
// session over pop3::client_parser that turns a server's byte stream into
// JSON lines. Shared by the tool and the golden tests, so both print exactly
// the same thing.
//
// The session is told the command lines the client sent (in order, without
// CRLF; SASL response lines are not commands and are not listed). It queues
// the greeting, then each command as pop3::expected (its verb and whether an
// argument follows the keyword), which is how the parser knows which +OK
// starts a body. Commands are queued as the parser's queue has room, so any
// number of them can be given; a client that pipelines them all sees the same
// responses.
//
// STLS (RFC 2595 §4): the client sends nothing after STLS until it has its
// answer, so the commands after an STLS are queued only once that answer is
// read. After +OK the session models a client that did the TLS handshake:
// the parser is reset and the bytes after the +OK line are parsed as the
// protected session (offsets keep counting), with no greeting, and the
// remaining commands are queued. With `keep_starttls_barrier` it stays behind
// the barrier instead, which is what a client sees when plaintext was
// injected behind the +OK (docs/security.md §2): one data_after_starttls
// error for everything that follows. A -ERR (or an error event in place of the answer)
// changes nothing: the remaining commands are queued in the same session.
//
// Body data is joined into one event per body, so the output does not
// depend on how the input was split.

#include <mailwire/pop3/client_parser.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trace/json.hpp"

namespace mailwire::trace {

struct pop3_client_trace_options {
  pop3::client_parser_options parser{};
  /// The command lines the client sent, in order, without CRLF.
  std::vector<std::string> commands;
  /// After +OK to STLS, report what follows as data_after_starttls instead
  /// of parsing it as the protected session.
  bool keep_starttls_barrier = false;
};

class pop3_client_trace {
 public:
  explicit pop3_client_trace(pop3_client_trace_options o = {})
      : options_(std::move(o)), parser_(options_.parser) {
    (void)parser_.expect_greeting();  // a fresh queue has room
    top_up();
  }

  /// The queue entry for a command line: its keyword (up to the first SP)
  /// as pop3::verb, and whether anything but SP follows the keyword.
  static pop3::expected expected_of(std::string_view line) {
    const std::size_t sp = line.find(' ');
    const pop3::verb v = pop3::verb_from(line.substr(0, sp));
    const bool argument =
        sp != std::string_view::npos && line.find_first_not_of(' ', sp) != std::string_view::npos;
    return pop3::expected{v, argument};
  }

  /// Feeds one piece of the server stream; appends the finished JSON lines
  /// (each ending in "\n") to `out`. The piece may die after the call.
  void feed(std::string_view piece, std::string& out) {
    piece_start_ = parser_.offset();
    piece_ = piece;
    parser_.feed(piece);
    drain(out);
  }

  /// End of the stream.
  void finish(std::string& out) {
    eof_ = true;
    piece_start_ = parser_.offset();
    piece_ = {};
    parser_.feed_eof();
    drain(out);
    flush_data(out);
  }

 private:
  void drain(std::string& out) {
    for (;;) {
      const pop3::client_event& ev = parser_.next();
      if (ev.kind == pop3::client_event_kind::need_more) return;
      on_event(ev, out);
      after_event(ev);
    }
  }

  void on_event(const pop3::client_event& ev, std::string& out) {
    using kind = pop3::client_event_kind;
    if (ev.kind == kind::data) {
      if (data_.empty()) data_offset_ = base_ + ev.offset;
      data_ += ev.text;
      return;
    }
    flush_data(out);
    json_object o;
    switch (ev.kind) {
      case kind::need_more:
      case kind::data: return;
      case kind::response: {
        const bool ok = ev.status == pop3::response_status::ok;
        head(o, "status", ev);
        o.boolean("ok", ok);
        if (ev.code.present())
          o.string("code", ev.code.text);
        else
          o.null("code");
        o.string("text", ev.text).boolean("multi_line", ev.multi_line);
        if (ev.greeting) {
          if (ev.timestamp.empty())
            o.null("timestamp");
          else
            o.string("timestamp", ev.timestamp);
        }
        if (ok && ev.verb == pop3::verb::stat) o.number("count", ev.number).number("size", ev.size);
        if (ok && !ev.multi_line && ev.verb == pop3::verb::list)
          o.number("msg", ev.number).number("size", ev.size);
        if (ok && !ev.multi_line && ev.verb == pop3::verb::uidl)
          o.number("msg", ev.number).string("uid", ev.uid);
        break;
      }
      case kind::challenge:
        head(o, "challenge", ev);
        o.string("bytes", ev.text);
        break;
      case kind::list_item:
        head(o, "item", ev);
        o.number("msg", ev.number).number("size", ev.size);
        break;
      case kind::uidl_item:
        head(o, "item", ev);
        o.number("msg", ev.number).string("uid", ev.uid);
        break;
      case kind::capability:
        head(o, "item", ev);
        o.string("tag", ev.capability_tag()).string("params", ev.text);
        break;
      case kind::line: {
        head(o, "item", ev);
        if (ev.verb == pop3::verb::lang) {
          // lang-tag [SP description] (RFC 6856 §3)
          const std::size_t sp = ev.text.find(' ');
          o.string("lang", ev.text.substr(0, sp));
          o.string("description",
                   sp == std::string_view::npos ? std::string_view{} : ev.text.substr(sp + 1));
        } else {
          o.string("line", ev.text);
        }
        break;
      }
      case kind::end:
        head(o, "end", ev);
        if (ev.verb == pop3::verb::retr || ev.verb == pop3::verb::top) {
          o.number("size", ev.size).raw("flags", flags_of(ev.flags));
          if (ev.error != errc{})
            o.string("error", name(ev.error)).number("error_offset", base_ + ev.error_offset);
          else
            o.null("error");
        } else {
          o.number("lines", ev.lines);
        }
        break;
      case kind::error:
        head(o, "error", ev);
        o.string("error", name(ev.error)).string("line", ev.text);
        break;
    }
    out += o.close();
    out += '\n';
  }

  // "event", "offset", then the command the event belongs to.
  void head(json_object& o, std::string_view event, const pop3::client_event& ev) const {
    o.string("event", event).number("offset", base_ + ev.offset);
    if (ev.verb == pop3::verb::unknown)
      o.null("verb");
    else
      o.string("verb", pop3::name(ev.verb));
    if (ev.greeting) o.boolean("greeting", true);
  }

  // The client's next step after an event: the answer to STLS, then more
  // commands for the queue.
  void after_event(const pop3::client_event& ev) {
    if (stls_waiting_ && parser_.pending() == 0) {
      // STLS was the last entry queued: this event answered it.
      stls_waiting_ = false;
      const bool ok = ev.kind == pop3::client_event_kind::response &&
                      ev.status == pop3::response_status::ok && ev.verb == pop3::verb::stls;
      if (ok && options_.keep_starttls_barrier)
        return;  // no more commands: the
                 // client would abort
      if (ok) {
        // The handshake is done: what follows is the new session. The
        // piece is alive for the whole drain().
        const std::uint64_t used = parser_.offset() - piece_start_;
        const std::string_view after = piece_.substr(static_cast<std::size_t>(used));
        base_ += parser_.offset();
        parser_.reset();
        piece_start_ = 0;
        piece_ = after;
        parser_.feed(after);
        if (eof_) parser_.feed_eof();
      }
    }
    top_up();
  }

  void top_up() {
    while (!stls_waiting_ && next_ < options_.commands.size() &&
           parser_.pending() < parser_.queue_capacity) {
      const pop3::expected e = expected_of(options_.commands[next_++]);
      (void)parser_.expect(e);  // room was checked above
      stls_waiting_ = e.verb == pop3::verb::stls;
    }
  }

  static std::string flags_of(const dot::body_flags& f) {
    std::string s = "[";
    for (int i = static_cast<int>(errc::body_bare_cr);
         i <= static_cast<int>(errc::message_too_large); ++i) {
      const auto e = static_cast<errc>(i);
      if (!f.has(e)) continue;
      if (s.size() > 1) s += ',';
      append_json_string(s, name(e));
    }
    return s + ']';
  }

  void flush_data(std::string& out) {
    if (data_.empty()) return;
    json_object o;
    o.string("event", "data").number("offset", data_offset_).string("bytes", data_);
    out += o.close();
    out += '\n';
    data_.clear();
  }

  pop3_client_trace_options options_;
  pop3::client_parser<> parser_;
  std::uint64_t base_ = 0;         // stream offset where the parser was last reset
  std::string_view piece_;         // the piece being drained
  std::uint64_t piece_start_ = 0;  // parser offset of piece_[0]
  std::size_t next_ = 0;           // next command to queue
  bool stls_waiting_ = false;      // STLS queued, its answer not read yet
  std::string data_;
  std::uint64_t data_offset_ = 0;
  bool eof_ = false;
};

}  // namespace mailwire::trace
