// dot::decoder, one TEST_CASE per rule. Every input is replayed whole, one
// byte at a time, at every split offset and at random splits; the event log
// (data joined) must be identical and equal to the expected log.
#include <mailwire/dot/decoder.hpp>

#include <string>

#include "catch.hpp"
#include "support/dot_session.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using mailwire::test::bytes;
using mailwire::test::check_split_invariance;
using mailwire::test::decoder_session;

namespace {

/// Decodes `input` under every split and returns the (identical) log.
std::string decode(std::string_view input, const dot::decoder_options& options = {}) {
  return check_split_invariance(
      [&] {
        return decoder_session{dot::decoder(options), false, {}};
      },
      input);
}

}  // namespace

TEST_CASE("RFC 5321 §4.5.2: CRLF.CRLF ends the body; the DATA line's CRLF starts the first line",
          "[dot][decoder]") {
  CHECK(decode(".\r\n") == "end consumed=3 size=0\n");
  CHECK(decode("Hello\r\n.\r\n") == "data Hello\\r\\n\nend consumed=10 size=7\n");
  CHECK(decode("a\r\nb\r\n\r\n.\r\n") == "data a\\r\\nb\\r\\n\\r\\n\nend consumed=11 size=8\n");
}

TEST_CASE("RFC 5321 §4.5.2: a leading dot is removed from every other line", "[dot][decoder]") {
  CHECK(decode("..\r\n.\r\n") == "data .\\r\\n\nend consumed=7 size=3\n");
  CHECK(decode("..x\r\n.\r\n") == "data .x\\r\\n\nend consumed=8 size=4\n");
  CHECK(decode(".x\r\n.\r\n") == "data x\\r\\n\nend consumed=7 size=3\n");
  CHECK(decode("a\r\n...\r\n.b.\r\n.\r\n") ==
        "data a\\r\\n..\\r\\nb.\\r\\n\nend consumed=16 size=11\n");
  // A dot that is not at a line start stays.
  CHECK(decode("a.\r\nb..c\r\n.\r\n") == "data a.\\r\\nb..c\\r\\n\nend consumed=13 size=10\n");
}

TEST_CASE("RFC 5321 §4.1.1.4: bytes after the terminator are not part of the body",
          "[dot][decoder]") {
  CHECK(decode("x\r\n.\r\nQUIT\r\n") == "data x\\r\\n\nend consumed=6 size=3\nrest QUIT\\r\\n\n");
}

TEST_CASE("docs/security.md §1: smuggling variants are content, never the end",
          "[dot][decoder][smuggling]") {
  // Each variant is followed by the real terminator; the body must run to it.
  struct variant {
    const char* name;
    std::string body;
    const char* flag;
  };
  const variant variants[] = {
      {"LF.LF", "a\n.\nb\r\n.\r\n", "body_bare_lf@1"},
      {"LF.CRLF", "a\n.\r\nb\r\n.\r\n", "body_bare_lf@1"},
      {"CRLF.LF", "a\r\n.\nb\r\n.\r\n", "body_bare_lf@4"},
      {"CR.CR", "a\r.\rb\r\n.\r\n", "body_bare_cr@1"},
      {"CR.CRLF", "a\r.\r\nb\r\n.\r\n", "body_bare_cr@1"},
      {"CRLF.CR", "a\r\n.\rb\r\n.\r\n", "body_bare_cr@4"},
      {"CRLF.NUL.CRLF", bytes("a\r\n.\0\r\nb\r\n.\r\n"), "body_nul@4"},
      {"CRLF.SP.CRLF", "a\r\n. \r\nb\r\n.\r\n", nullptr},
      {"CRLF NUL .CRLF", bytes("a\r\n\0.\r\nb\r\n.\r\n"), "body_nul@3"},
  };
  for (const auto& v : variants) {
    INFO(v.name);
    const std::string log = decode(v.body);
    const std::string consumed = "end consumed=" + std::to_string(v.body.size());
    CHECK(log.find(consumed) != std::string::npos);
    if (v.flag)
      CHECK(log.find(std::string("flag=") + v.flag) != std::string::npos);
    else
      CHECK(log.find("flag=") == std::string::npos);
  }
}

TEST_CASE("docs/security.md §1: reject policy passes bare CR/LF/NUL through and flags the first",
          "[dot][decoder]") {
  CHECK(decode("a\nb\rc\r\n.\r\n") ==
        "data a\\nb\\rc\\r\\n\nend consumed=10 size=7 flag=body_bare_lf@1 +body_bare_cr "
        "+body_bare_lf\n");
  CHECK(decode(bytes("a\0b\r\n.\r\n")) ==
        "data a\\0b\\r\\n\nend consumed=8 size=5 flag=body_nul@1 +body_nul\n");
  // A CR as the very last content byte before the terminator's CRLF.
  CHECK(decode("a\r\r\n.\r\n") ==
        "data a\\r\\r\\n\nend consumed=7 size=4 flag=body_bare_cr@1 +body_bare_cr\n");
}

TEST_CASE(
    "docs/security.md §1: normalize policy turns bare line ends into CRLF, never a terminator",
    "[dot][decoder]") {
  dot::decoder_options o;
  o.policy = dot::line_end_policy::normalize;
  CHECK(decode("a\nb\rc\r\n.\r\n", o) == "data a\\r\\nb\\r\\nc\\r\\n\nend consumed=10 size=9\n");
  // "\n.\n" normalised is "\r\n.\r\n" in the content, not the end.
  CHECK(decode("a\n.\nb\r\n.\r\n", o) == "data a\\r\\n.\\r\\nb\\r\\n\nend consumed=10 size=9\n");
  // A bare line end does not start a line: its dot is not unstuffed.
  CHECK(decode("a\n..\r\n.\r\n", o) == "data a\\r\\n..\\r\\n\nend consumed=9 size=7\n");
  // ".\r" then not LF: dot removed, the CR normalised.
  CHECK(decode("a\r\n.\rb\r\n.\r\n", o) == "data a\\r\\n\\r\\nb\\r\\n\nend consumed=11 size=8\n");
  // NUL cannot be normalised: still flagged, never dropped.
  CHECK(decode(bytes("\0\r\n.\r\n"), o) ==
        "data \\0\\r\\n\nend consumed=6 size=3 flag=body_nul@0 +body_nul\n");
}

TEST_CASE("dot: allow policy passes bare line ends and NUL silently", "[dot][decoder]") {
  dot::decoder_options o;
  o.policy = dot::line_end_policy::allow;
  CHECK(decode(bytes("a\n.\nb\r\0\r\n.\r\n"), o) ==
        "data a\\n.\\nb\\r\\0\\r\\n\nend consumed=12 size=9\n");
  CHECK(decode("a\n..\r\n.\r\n", o) == "data a\\n..\\r\\n\nend consumed=9 size=6\n");
}

TEST_CASE("RFC 1870 §6: the maximum size is counted exactly and framing goes on",
          "[dot][decoder]") {
  dot::decoder_options o;
  o.max_size = 5;
  CHECK(decode("abc\r\n.\r\n", o) == "data abc\\r\\n\nend consumed=8 size=5\n");
  CHECK(decode("abcd\r\n.\r\n", o) ==
        "data abcd\\r\\n\nend consumed=9 size=6 flag=message_too_large@5 +message_too_large\n");
  // Stuffing dots do not count.
  CHECK(decode("..c\r\n.\r\n", o) == "data .c\\r\\n\nend consumed=8 size=4\n");
  CHECK(decode("..cd\r\n..\r\n.\r\n", o) ==
        "data .cd\\r\\n.\\r\\n\nend consumed=13 size=8 flag=message_too_large@7 "
        "+message_too_large\n");
}

TEST_CASE("RFC 5321 §4.5.3.1.6: long lines are flagged only when asked", "[dot][decoder]") {
  const std::string line998(998, 'x');
  const std::string ok = line998 + "\r\n.\r\n";
  const std::string too_long = line998 + "y\r\n.\r\n";
  const std::string stuffed = "." + line998 + "\r\n.\r\n";     // 1000 after unstuffing
  CHECK(decode(too_long).find("flag=") == std::string::npos);  // off by default
  dot::decoder_options o;
  o.max_line_length = dot::rfc5321_max_line_length;
  CHECK(decode(ok, o).find("flag=") == std::string::npos);
  CHECK(decode(stuffed, o).find("flag=") == std::string::npos);
  CHECK(decode(too_long, o).find("flag=body_line_too_long@1000") != std::string::npos);
  CHECK(decode("ab\r\n" + too_long, o).find("flag=body_line_too_long@1004") != std::string::npos);
}

TEST_CASE("dot: end of input before the terminator is an error", "[dot][decoder]") {
  CHECK(decode("abc\r\n") == "data abc\\r\\n\nerror unexpected_eof@5\n");
  CHECK(decode("abc\r\n.") == "data abc\\r\\n\nerror unexpected_eof@6\n");
  CHECK(decode("abc\r\n.\r") == "data abc\\r\\n\nerror unexpected_eof@7\n");
  CHECK(decode("") == "error unexpected_eof@0\n");
}

TEST_CASE("dot: the earliest flag in the stream is reported, whatever the detection order",
          "[dot][decoder]") {
  dot::decoder_options o;
  o.max_size = 1;
  o.max_line_length = 3;
  // Too large at offset 1, NUL at 2, long line at 3 (line ends at offset 6).
  CHECK(decode(bytes("ab\0d\r\n.\r\n"), o) ==
        "data ab\\0d\\r\\n\nend consumed=9 size=6 flag=message_too_large@1 +body_nul "
        "+body_line_too_long +message_too_large\n");
}

TEST_CASE("dot: next() after end repeats the end event and rest() holds what follows",
          "[dot][decoder]") {
  dot::decoder d;
  d.feed("a\r\n.\r\nMAIL FROM:<>\r\n");
  CHECK(d.next().kind == dot::event_kind::data);
  const auto end1 = d.next();
  const auto end2 = d.next();
  CHECK(end1.kind == dot::event_kind::end);
  CHECK(end2.kind == dot::event_kind::end);
  CHECK(end2.consumed() == 6);
  CHECK(d.rest() == "MAIL FROM:<>\r\n");
  CHECK(d.done());
  d.reset();
  d.feed(".\r\n");
  CHECK(d.next().kind == dot::event_kind::end);
}

TEST_CASE("dot: data views point into the fed buffer (zero copy)", "[dot][decoder]") {
  const std::string input = "line one\r\n..two\r\n.\r\n";
  dot::decoder d;
  d.feed(input);
  auto ev = d.next();
  REQUIRE(ev.kind == dot::event_kind::data);
  CHECK(ev.bytes.data() == input.data());
  CHECK(ev.bytes == "line one\r\n");
  ev = d.next();
  REQUIRE(ev.kind == dot::event_kind::data);
  CHECK(ev.bytes.data() == input.data() + 11);  // the stuffing dot at 10 was skipped
  CHECK(ev.offset == 11);
}

TEST_CASE("dot: long bodies cross the vector kernels' block boundaries", "[dot][decoder]") {
  // Dots and bare line ends at many positions relative to 16/32/64-byte blocks.
  for (std::size_t pad = 0; pad < 70; pad += 3) {
    const std::string filler(pad, 'q');
    const std::string body = filler + "\r\n..a" + filler + "\nb\r\n" + filler + "\r\n.\r\n";
    const std::string log = decode(body);
    CHECK(log.find("end consumed=" + std::to_string(body.size())) != std::string::npos);
    CHECK(log.find("flag=body_bare_lf@" + std::to_string(2 * pad + 5)) != std::string::npos);
  }
}

TEST_CASE("dot: two flags at the same offset: the smaller errc is first, whatever the split",
          "[dot][decoder][regression]") {
  // Found by the split-invariance fuzzer: the bare CR at offset 1 is also the
  // first octet over max_size; which one was detected first depended on the
  // split. The tie now goes to the smaller errc (body_bare_cr).
  dot::decoder_options o;
  o.max_size = 1;
  CHECK(decode("a\rb\r\n.\r\n", o) ==
        "data a\\rb\\r\\n\nend consumed=8 size=5 flag=body_bare_cr@1 +body_bare_cr "
        "+message_too_large\n");
  o.max_size = 2;
  o.max_line_length = 2;  // the line "abc\r\n" is too long from offset 2 on
  CHECK(decode("abc\r\n.\r\n", o) ==
        "data abc\\r\\n\nend consumed=8 size=5 flag=body_line_too_long@2 +body_line_too_long "
        "+message_too_large\n");
}

TEST_CASE("dot: need_more tells how much was consumed; body_flags holds body flags only",
          "[dot][decoder]") {
  dot::decoder d;
  d.feed("abc\r\n.");
  CHECK(d.next().kind == dot::event_kind::data);
  const auto more = d.next();
  CHECK(more.kind == dot::event_kind::need_more);
  CHECK(more.offset == 6);
  dot::body_flags f;
  f.set(errc::invalid_base64);
  f.set(errc::data_after_starttls);
  CHECK_FALSE(f.any());
  f.set(errc::message_too_large);
  CHECK(f.has(errc::message_too_large));
  CHECK_FALSE(f.has(errc::body_bare_cr));
}

TEST_CASE("dot: a flag inside decoder-supplied bytes points at the input byte they stand for",
          "[dot][decoder]") {
  dot::decoder_options o;
  o.policy = dot::line_end_policy::normalize;
  o.max_size = 2;
  // "a\r" then the supplied "\n" (the third octet, over the limit) for the CR at 1.
  CHECK(decode("a\rX\r\n.\r\n", o) ==
        "data a\\r\\nX\\r\\n\nend consumed=8 size=6 flag=message_too_large@1 +message_too_large\n");
  // The withheld CR after a line-start dot (offset 5) comes back as "\r\n".
  o.max_size = 4;
  CHECK(decode("ab\r\n.\rX\r\n.\r\n", o) ==
        "data ab\\r\\n\\r\\nX\\r\\n\nend consumed=12 size=9 flag=message_too_large@5 "
        "+message_too_large\n");
}

TEST_CASE("RFC 5321 §4.5.3.1.6: line limits hold across long runs of short lines",
          "[dot][decoder][regression]") {
  // Many short lines make one long run for the scan; the long line inside it
  // must be found, flagged where its limit is passed, whatever the split.
  std::string body;
  for (int i = 0; i < 300; ++i) body += "short line\r\n";
  const std::size_t long_start = body.size();
  body += std::string(999, 'L') + "\r\n";  // 1001 octets with its CRLF
  for (int i = 0; i < 300; ++i) body += "..dotted\r\n";
  body += std::string(998, 'k') + "\r\n.\r\n";  // exactly 1000: fine
  dot::decoder_options o;
  o.max_line_length = dot::rfc5321_max_line_length;
  const std::string log = check_split_invariance(
      [&] {
        return decoder_session{dot::decoder(o), false, {}};
      },
      body, 8, 0);
  CHECK(log.find("flag=body_line_too_long@" + std::to_string(long_start + 1000) +
                 " +body_line_too_long\n") != std::string::npos);
  // A line over the limit that never ends is not flagged: the input ends first.
  CHECK(decode(std::string(50, 'x'), [] {
          dot::decoder_options l;
          l.max_line_length = 10;
          return l;
        }()) == "data " + std::string(50, 'x') + "\nerror unexpected_eof@50\n");
}

TEST_CASE("dot: the largest limits mean no limit, without overflow", "[dot][decoder]") {
  dot::decoder_options o;
  o.max_line_length = static_cast<std::size_t>(-1);
  o.max_size = static_cast<std::uint64_t>(-1);
  CHECK(decode("..abc\r\n" + std::string(3000, 'x') + "\r\n.\r\n", o).find("flag=") ==
        std::string::npos);
}
