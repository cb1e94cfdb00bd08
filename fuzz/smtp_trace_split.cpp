// Fuzz target: split invariance of the `mailwire-trace smtp-server` session
// (examples/trace/smtp_server_trace.hpp), whose output the golden tests pin.
//
// Input: bytes 0-2 pick the parser options (fuzz::smtp_config_from in
// smtp_support.hpp; the trace's parser has Capacity 2048, so byte 0 bit 0 is
// ignored, and byte 2 bits 6-7 are unused), byte 3 the split
// (fuzz::split_plan: bits 0-1 kind, 2-4 random piece size, bit 7 empty feeds;
// cuts around CR, LF and '.'; bits 5-6 unused); the rest is the client's byte
// stream.
//
// The stream is traced whole and in pieces, each piece in its own exact-size
// heap block that is scribbled over and freed as soon as the session returns
// (fuzz::for_each_piece), once as the tool runs by default (STARTTLS: reset
// and go on) and once with keep_starttls_barrier.
//
// Checked (a violation is __builtin_trap):
// - for each setting, the JSON lines are byte-identical whole and split;
// - every line is one JSON object: it starts with {"event":" and ends in "}";
// - the two settings print the same lines up to and including the first
//   STARTTLS command; without a STARTTLS command their outputs are identical.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smtp_support.hpp"
#include "support.hpp"
#include "trace/smtp_server_trace.hpp"

namespace {

using namespace mailwire;

std::string trace_of(std::string_view input, const std::vector<std::size_t>& plan,
                     const trace::smtp_server_trace_options& o) {
  trace::smtp_server_trace session(o);
  std::string out;
  fuzz::for_each_piece(input, plan, [&](std::string_view piece, std::size_t, bool) {
    session.feed(piece, out);
    return true;
  });
  session.finish(out);
  return out;
}

void check_lines(const std::string& out) {
  FUZZ_CHECK(out.empty() || out.back() == '\n');
  for (std::size_t from = 0; from < out.size();) {
    const std::size_t nl = out.find('\n', from);
    const std::string_view line(out.data() + from, nl - from);
    FUZZ_CHECK(line.substr(0, 10) == "{\"event\":\"");
    FUZZ_CHECK(line.size() > 10 && line.back() == '}');
    from = nl + 1;
  }
}

/// The output through the end of the first STARTTLS command line; false when
/// there is none.
bool through_starttls(const std::string& out, std::string_view& prefix) {
  for (std::size_t from = 0; from < out.size();) {
    const std::size_t nl = out.find('\n', from);
    const std::string_view line(out.data() + from, nl - from);
    if (line.substr(0, 19) == "{\"event\":\"command\"," &&
        line.find("\"verb\":\"STARTTLS\"") != std::string_view::npos) {
      prefix = std::string_view(out.data(), nl + 1);
      return true;
    }
    from = nl + 1;
  }
  prefix = out;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = fuzz::kSmtpConfigBytes + 1;
  if (size < header) return 0;
  trace::smtp_server_trace_options o;
  o.parser = fuzz::smtp_config_from(data).options;
  const std::string input(reinterpret_cast<const char*>(data) + header, size - header);
  const auto cut_around = [](char c) { return c == '\r' || c == '\n' || c == '.'; };
  const std::vector<std::size_t> plan =
      fuzz::split_plan(input, data[3], fuzz::fnv1a(data, size), cut_around);

  o.keep_starttls_barrier = false;
  const std::string go_on = trace_of(input, {input.size()}, o);
  check_lines(go_on);
  fuzz::check_same_log("smtp_trace_split", "after STARTTLS going on", go_on,
                       trace_of(input, plan, o));

  o.keep_starttls_barrier = true;
  const std::string barrier = trace_of(input, {input.size()}, o);
  check_lines(barrier);
  fuzz::check_same_log("smtp_trace_split", "keep_starttls_barrier", barrier,
                       trace_of(input, plan, o));

  std::string_view a, b;
  const bool starttls = through_starttls(go_on, a);
  FUZZ_CHECK(through_starttls(barrier, b) == starttls);
  FUZZ_CHECK(a == b);
  return 0;
}
