#pragma once
// The dot::decoder adapter for the split-invariance harness: logs data
// (joined), the end event with its flags, errors, and the bytes that follow
// the body ("rest", which belongs to the command parser).

#include <mailwire/dot/decoder.hpp>

#include <string>

#include "support/split_feed.hpp"

namespace mailwire::test {

struct decoder_session {
  dot::decoder decoder;
  bool ended = false;

  void drain(event_log& log) {
    for (;;) {
      const dot::decoder_event ev = decoder.next();
      switch (ev.kind) {
        case dot::event_kind::need_more: return;
        case dot::event_kind::data: log.data(ev.bytes); break;
        case dot::event_kind::end: {
          std::string line =
              "end consumed=" + std::to_string(ev.consumed()) + " size=" + std::to_string(ev.size);
          if (ev.error != errc{})
            line += " flag=" + std::string(name(ev.error)) + "@" + std::to_string(ev.error_offset);
          for (errc e : {errc::body_bare_cr, errc::body_bare_lf, errc::body_nul,
                         errc::body_line_too_long, errc::message_too_large})
            if (ev.flags.has(e)) line += " +" + std::string(name(e));
          log.add(line);
          ended = true;
          return;
        }
        case dot::event_kind::error:
          log.add("error " + std::string(name(ev.error)) + "@" + std::to_string(ev.offset));
          return;
      }
    }
  }
  std::string rest;  // what follows the body: belongs to the command parser

  void feed(std::string_view piece, event_log& log) {
    if (ended) {
      rest += piece;
      return;
    }
    decoder.feed(piece);
    drain(log);
    if (ended) rest += decoder.rest();
  }
  void finish(event_log& log) {
    if (!ended) {
      decoder.feed_eof();
      drain(log);
    }
    if (!rest.empty()) log.add("rest " + test::escape(rest));
  }
};

}  // namespace mailwire::test
