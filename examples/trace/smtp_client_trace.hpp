#pragma once
// The `smtp-client` mode of mailwire-trace (schema: docs/trace.md): a client
// session over smtp::client_parser that turns a server's byte stream into
// JSON lines. Shared by the tool and the golden tests, so both print exactly
// the same thing.
//
// The parser's line events are collected and printed with their reply, as
// one `reply` event; an error abandons the lines collected so far. So the
// output does not depend on how the input was split.
//
// Replies are counted as a client counts them to match them to its commands
// (RFC 2920 §3.1): one per `reply` event, and one per reply_code_mismatch
// error, which the parser gives in place of the reply event of a complete
// reply whose lines carry different codes. Other errors are lines that
// belong to no reply and do not count.
//
// STARTTLS: with `starttls_after` = K the client sends STARTTLS once it has
// read K replies (it calls expect_starttls_reply() then), so the next reply
// answers it. After a 2xx answer the session models a client that did the
// TLS handshake: the parser is reset and the bytes after the answer are
// parsed as the protected session (offsets keep counting). With
// `keep_starttls_barrier` it stays behind the barrier instead, which is what
// a client sees when plaintext was injected behind the 220: one
// data_after_starttls error for everything that follows.
//
// EHLO: with `ehlo`, the reply to EHLO (or LHLO) is the second reply of the
// session (the first is the greeting), or the first after a STARTTLS reset
// (the client sends EHLO again at once, RFC 3207 §4.2). When it is a 250, a
// `capabilities` event follows it: the keyword lines as sent, and as folded
// into an smtp::capabilities (capabilities::add_line(), with the lines it
// refused).

#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/client_parser.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trace/json.hpp"

namespace mailwire::trace {

struct smtp_client_trace_options {
  smtp::client_parser_options parser{};
  /// Print a `capabilities` event after a 250 reply to EHLO.
  bool ehlo = false;
  /// STARTTLS is sent after this many replies, counted from the start of the
  /// stream as described above; never when empty.
  std::optional<std::uint64_t> starttls_after;
  /// After a 2xx answer to STARTTLS, report what follows as
  /// data_after_starttls instead of parsing it as the protected session.
  bool keep_starttls_barrier = false;
};

class smtp_client_trace {
 public:
  explicit smtp_client_trace(const smtp_client_trace_options& o = {})
      : options_(o), parser_(o.parser) {
    if (options_.starttls_after == std::uint64_t{0}) expect_starttls();
  }

  /// Feeds one piece of the server stream; appends the finished JSON lines
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
  struct reply_line {
    std::string text;
    std::optional<std::string> enhanced;
  };

  void drain(std::string& out) {
    for (;;) {
      const smtp::client_event ev = parser_.next();
      switch (ev.kind) {
        case smtp::client_event_kind::need_more: return;
        case smtp::client_event_kind::line:
          lines_.push_back({std::string(ev.text), enhanced_text(ev.enhanced)});
          break;
        case smtp::client_event_kind::reply: on_reply(ev, out); break;
        case smtp::client_event_kind::error: {
          json_object o;
          o.string("event", "error").number("offset", base_ + ev.offset);
          o.string("error", name(ev.error));
          if (ev.code != 0)
            o.number("code", ev.code);
          else
            o.null("code");
          o.string("line", ev.text).number("void_lines", ev.lines);
          emit(out, o);
          lines_.clear();
          // A reply with mismatched codes was read to its end and is rejected
          // in place of its reply event: it is still the outcome of one
          // command (and may be the answer to STARTTLS).
          if (ev.error == errc::reply_code_mismatch) end_of_reply(ev.code);
          break;
        }
      }
    }
  }

  void on_reply(const smtp::client_event& ev, std::string& out) {
    const std::optional<std::string> enhanced = enhanced_text(ev.enhanced);
    json_object o;
    o.string("event", "reply").number("offset", base_ + ev.offset).number("code", ev.code);
    if (enhanced)
      o.string("enhanced", *enhanced);
    else
      o.null("enhanced");
    std::string texts = "[";
    bool same_enhanced = true;
    for (const reply_line& l : lines_) {
      if (texts.size() > 1) texts += ',';
      append_json_string(texts, l.text);
      same_enhanced = same_enhanced && l.enhanced == enhanced;
    }
    texts += ']';
    o.raw("lines", texts);
    // The parser does not check that the lines agree; show each line's code
    // only when they do not, so the common case stays short.
    if (!same_enhanced) {
      std::string each = "[";
      for (const reply_line& l : lines_) {
        if (each.size() > 1) each += ',';
        if (l.enhanced)
          append_json_string(each, *l.enhanced);
        else
          each += "null";
      }
      each += ']';
      o.raw("line_enhanced", each);
    }
    emit(out, o);

    if (options_.ehlo && session_replies_ + 1 == ehlo_reply_ && ev.code == 250)
      emit_capabilities(base_ + ev.offset, out);
    lines_.clear();
    end_of_reply(ev.code);
  }

  // One reply, good or rejected, has been read: the client's next step.
  void end_of_reply(std::uint16_t code) {
    ++replies_;
    ++session_replies_;
    if (starttls_pending_) {
      starttls_pending_ = false;
      if (code / 100 == 2 && !options_.keep_starttls_barrier) {
        // The handshake is done: what follows is the new session, which
        // starts with the reply to the second EHLO. The piece is alive for
        // the whole drain().
        const std::string_view after = parser_.rest();
        base_ += parser_.offset();
        parser_.reset();
        parser_.feed(after);
        if (eof_) parser_.feed_eof();
        session_replies_ = 0;
        ehlo_reply_ = 1;
      }
    }
    if (options_.starttls_after == replies_) expect_starttls();
  }

  // The reply to EHLO: "Domain [SP ehlo-greet]", then one keyword line each
  // (RFC 5321 §4.1.1.1), folded into smtp::capabilities line by line.
  void emit_capabilities(std::uint64_t offset, std::string& out) {
    json_object o;
    o.string("event", "capabilities").number("offset", offset);
    const std::string_view first = lines_.empty() ? std::string_view{} : lines_.front().text;
    const std::size_t sp = first.find(' ');
    o.string("domain", first.substr(0, sp));
    o.string("greet", sp == std::string_view::npos ? std::string_view{} : first.substr(sp + 1));
    smtp::capabilities caps;
    std::string keywords = "[";
    std::string refused = "[";
    for (std::size_t i = 1; i < lines_.size(); ++i) {
      if (keywords.size() > 1) keywords += ',';
      append_json_string(keywords, lines_[i].text);
      const errc e = caps.add_line(lines_[i].text);
      if (e == errc{}) continue;
      if (refused.size() > 1) refused += ',';
      json_object r;
      r.string("line", lines_[i].text).string("error", name(e));
      refused += r.close();
    }
    o.raw("keywords", keywords + ']');
    std::string extensions = "[";
    caps.for_each_line([&extensions](std::string_view keyword_line) {
      if (extensions.size() > 1) extensions += ',';
      append_json_string(extensions, keyword_line);
    });
    o.raw("extensions", extensions + ']');
    o.boolean("legacy_auth", caps.legacy_auth_equals());
    o.raw("refused", refused + ']');
    emit(out, o);
  }

  void expect_starttls() {
    parser_.expect_starttls_reply();
    starttls_pending_ = true;
  }

  static std::optional<std::string> enhanced_text(const smtp::enhanced_code& e) {
    if (!e.present()) return std::nullopt;
    char buf[smtp::enhanced_code::max_size];
    return std::string(buf, e.to_chars(buf));
  }

  static void emit(std::string& out, json_object& o) {
    out += o.close();
    out += '\n';
  }

  smtp_client_trace_options options_;
  smtp::client_parser<> parser_;
  std::uint64_t base_ = 0;             // stream offset where the parser was last reset
  std::vector<reply_line> lines_;      // the reply in progress
  std::uint64_t replies_ = 0;          // replies since the start of the stream
  std::uint64_t session_replies_ = 0;  // ... since the start or the STARTTLS reset
  std::uint64_t ehlo_reply_ = 2;       // which of the session's replies answers EHLO
  bool starttls_pending_ = false;
  bool eof_ = false;
};

}  // namespace mailwire::trace
