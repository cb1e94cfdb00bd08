// Zero heap allocation is a tested property: every codec runs inside an
// allocation_scope and the count must stay at zero.
#include <mailwire/mailwire.hpp>

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
