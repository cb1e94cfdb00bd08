// Output sinks: fixed buffers report overflow, appendable containers grow, and
// writers leave nothing partial (docs/security.md §3).
#include <mailwire/core/output.hpp>
#include <string>
#include <vector>

#include "catch.hpp"

using mailwire::appendable_sink;
using mailwire::errc;
using mailwire::fixed_sink;
using mailwire::write_all_or_nothing;

static_assert(mailwire::is_sink_v<fixed_sink>);
static_assert(mailwire::is_sink_v<appendable_sink<std::string>>);
static_assert(mailwire::is_sink_v<appendable_sink<std::vector<char>>>);
static_assert(!mailwire::is_sink_v<std::string>);
static_assert(!mailwire::is_sink_v<char*>);
static_assert(mailwire::is_nothrow_sink_v<fixed_sink>);

TEST_CASE("output: fixed_sink appends within capacity", "[output]") {
  char buf[16];
  fixed_sink s(buf);
  CHECK(s.capacity() == 16);
  CHECK(s.size() == 0);
  CHECK(s.view().empty());
  CHECK(s.append("EHLO "));
  CHECK(s.append(""));
  CHECK(s.append("a.example"));
  CHECK(s.view() == "EHLO a.example");
  CHECK(s.data() == buf);
  CHECK(s.size() == 14);
  CHECK(s.remaining() == 2);
  CHECK_FALSE(s.failed());
}

TEST_CASE("output: fixed_sink exact capacity fits, one byte more does not", "[output]") {
  char buf[8];
  fixed_sink exact(buf, 8);
  CHECK(exact.append("12345678"));
  CHECK(exact.view() == "12345678");
  CHECK_FALSE(exact.failed());

  fixed_sink short_by_one(buf, 7);
  CHECK_FALSE(short_by_one.append("12345678"));
  CHECK(short_by_one.size() == 0);
  CHECK(short_by_one.failed());
}

TEST_CASE("output: fixed_sink append is all-or-nothing and overflow latches",
          "[output]") {
  char buf[10] = {};
  fixed_sink s(buf);
  REQUIRE(s.append("MAIL "));
  CHECK_FALSE(s.append("FROM:<x@y>"));  // 10 bytes, 5 left: nothing written
  CHECK(s.view() == "MAIL ");
  CHECK(buf[5] == '\0');
  CHECK(s.failed());
  // The latch is sticky: later appends that would fit are refused too, so the
  // output never has a hole in it.
  CHECK_FALSE(s.append("x"));
  CHECK_FALSE(s.append(""));
  CHECK(s.view() == "MAIL ");
  CHECK(s.failed());
  // clear_failed() keeps the bytes and accepts appends again.
  s.clear_failed();
  CHECK_FALSE(s.failed());
  CHECK(s.append("abc"));
  CHECK(s.view() == "MAIL abc");
  // clear() empties and clears the latch.
  CHECK_FALSE(s.append("too long"));
  s.clear();
  CHECK(s.size() == 0);
  CHECK_FALSE(s.failed());
  CHECK(s.append("0123456789"));
}

TEST_CASE("output: fixed_sink truncate rolls back and never grows", "[output]") {
  char buf[16];
  fixed_sink s(buf);
  REQUIRE(s.append("RCPT TO:<a@b>"));
  s.truncate(4);
  CHECK(s.view() == "RCPT");
  s.truncate(10);  // larger than size: no-op
  CHECK(s.view() == "RCPT");
  CHECK(s.append("\r\n"));
  CHECK(s.view() == "RCPT\r\n");
  s.truncate(0);
  CHECK(s.view().empty());
  // truncate leaves the latch alone
  CHECK_FALSE(s.append(std::string(17, 'x')));
  s.truncate(0);
  CHECK(s.failed());
}

TEST_CASE("output: fixed_sink with zero capacity and a null buffer", "[output]") {
  fixed_sink s(nullptr, 0);
  CHECK(s.capacity() == 0);
  CHECK(s.view().empty());
  CHECK(s.append(""));
  CHECK_FALSE(s.failed());
  CHECK_FALSE(s.append("x"));
  CHECK(s.failed());
}

TEST_CASE("output: fixed_sink append may read from its own buffer", "[output]") {
  char buf[8];
  fixed_sink s(buf);
  REQUIRE(s.append("ab"));
  CHECK(s.append(s.view()));
  CHECK(s.append(s.view()));
  CHECK(s.view() == "abababab");
}

TEST_CASE("output: appendable_sink with std::string", "[output]") {
  std::string out = "220 ";
  appendable_sink s(out);  // CTAD: appendable_sink<std::string>
  CHECK(s.size() == 4);    // existing content counts
  CHECK(s.append("mx.example"));
  CHECK(s.append(" ESMTP\r\n"));
  CHECK(out == "220 mx.example ESMTP\r\n");
  CHECK(s.view() == out);
  CHECK(s.capacity() == out.max_size());
  s.truncate(4);
  CHECK(out == "220 ");
  s.truncate(100);
  CHECK(out == "220 ");
  CHECK_FALSE(s.failed());
  s.clear();
  CHECK(out.empty());
}

TEST_CASE("output: appendable_sink with std::vector<char>", "[output]") {
  std::vector<char> out;
  appendable_sink<std::vector<char>> s(out);
  CHECK(s.view().empty());
  CHECK(s.append("+OK "));
  CHECK(s.append(std::string_view("\0\x01", 2)));
  CHECK(s.append("done"));
  CHECK(std::string(out.begin(), out.end()) == std::string("+OK ") + '\0' + '\x01' + "done");
  CHECK(s.view() == std::string_view(out.data(), out.size()));
  s.truncate(3);
  CHECK(s.view() == "+OK");
  CHECK_FALSE(s.failed());
}

TEST_CASE("output: write_all_or_nothing keeps everything on success", "[output]") {
  char buf[32];
  fixed_sink s(buf);
  REQUIRE(s.append("pending "));
  const errc e = write_all_or_nothing(s, [](fixed_sink& out) {
    out.append("QUIT");
    out.append("\r\n");
  });
  CHECK(e == errc{});
  CHECK(s.view() == "pending QUIT\r\n");
}

TEST_CASE("output: write_all_or_nothing rolls back an overflow", "[output]") {
  char buf[12];
  fixed_sink s(buf);
  REQUIRE(s.append("NOOP\r\n"));
  const errc e = write_all_or_nothing(s, [](fixed_sink& out) {
    out.append("HELO ");      // fits
    out.append("a.example");  // does not: latches
    out.append("\r\n");       // refused by the latch
  });
  CHECK(e == errc::buffer_too_small);
  CHECK(s.view() == "NOOP\r\n");  // the earlier command is intact
  CHECK_FALSE(s.failed());        // and the sink is exactly as it was
  // The caller flushes what it has, clears and retries.
  s.clear();
  const errc again = write_all_or_nothing(s, [](fixed_sink& out) {
    out.append("HELO ");
    out.append("a.ex");
    out.append("\r\n");
  });
  CHECK(again == errc{});
  CHECK(s.view() == "HELO a.ex\r\n");
}

TEST_CASE("output: write_all_or_nothing rolls back a writer's own error", "[output]") {
  std::string out = "keep";
  appendable_sink s(out);
  const errc e = write_all_or_nothing(s, [](appendable_sink<std::string>& sink) -> errc {
    sink.append("MAIL FROM:<");
    return errc::invalid_argument;  // e.g. a CR found halfway through
  });
  CHECK(e == errc::invalid_argument);
  CHECK(out == "keep");
  CHECK_FALSE(s.failed());
}

TEST_CASE("output: write_all_or_nothing into an already failed sink writes nothing",
          "[output]") {
  char buf[8];
  fixed_sink s(buf);
  REQUIRE(s.append("abc"));
  REQUIRE_FALSE(s.append("123456"));
  const errc e = write_all_or_nothing(s, [](fixed_sink& out) { out.append("x"); });
  CHECK(e == errc::buffer_too_small);
  CHECK(s.view() == "abc");
}
