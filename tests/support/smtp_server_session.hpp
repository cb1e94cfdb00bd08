#pragma once
// The smtp::server_parser adapter for the split-invariance harness: the
// permissive server session of mailwire-trace (examples/trace/), one log line
// per JSON event, so golden traces read exactly like the tool's output.

#include <string>
#include <string_view>

#include "support/split_feed.hpp"
#include "trace/smtp_server_trace.hpp"

namespace mailwire::test {

struct smtp_server_session {
  trace::smtp_server_trace trace;

  static void log_lines(const std::string& out, event_log& log) {
    std::size_t from = 0;
    while (from < out.size()) {
      const std::size_t nl = out.find('\n', from);
      log.add(out.substr(from, nl - from));
      from = nl + 1;
    }
  }
  void feed(std::string_view piece, event_log& log) {
    std::string out;
    trace.feed(piece, out);
    log_lines(out, log);
  }
  void finish(event_log& log) {
    std::string out;
    trace.finish(out);
    log_lines(out, log);
  }
};

/// The JSON lines of the permissive session for `input`, checked to be the
/// same whole, byte by byte, at every split and at random splits.
inline std::string smtp_server_trace_of(std::string_view input,
                                        const trace::smtp_server_trace_options& o = {}) {
  return check_split_invariance([&] { return smtp_server_session{trace::smtp_server_trace(o)}; },
                                input);
}

}  // namespace mailwire::test
