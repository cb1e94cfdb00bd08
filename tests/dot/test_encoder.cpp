// dot::encoder, one TEST_CASE per rule, plus the round-trip property
// decode(encode(m)) == normalise(m) over generated messages, input chunkings
// and output buffer sizes.
#include <mailwire/dot/decoder.hpp>
#include <mailwire/dot/encoder.hpp>

#include <random>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using mailwire::test::bytes;

namespace {

/// Copy form: input in chunks of `chunk` octets, output buffer of `room` octets.
std::string encode_copy(std::string_view m, std::size_t chunk, std::size_t room,
                        const dot::encoder_options& o = {}, errc* error = nullptr) {
  dot::encoder e(o);
  std::vector<char> buf(room);
  std::string out;
  for (std::size_t at = 0; at < m.size();) {
    std::string_view piece = m.substr(at, chunk);
    while (!piece.empty()) {
      const auto r = e.encode(piece, buf.data(), buf.size());
      out.append(buf.data(), r.written);
      piece.remove_prefix(r.consumed);
      if (r.error != errc{}) {
        if (error) *error = r.error;
        return out;
      }
      REQUIRE((r.consumed != 0 || r.written != 0));  // progress with any room >= 1
    }
    at += chunk;
  }
  while (!e.finished()) {
    const auto r = e.finish(buf.data(), buf.size());
    REQUIRE(r.written != 0);
    out.append(buf.data(), r.written);
  }
  return out;
}

/// Gather form: input in chunks, `max_segments` views per call.
std::string encode_gather(std::string_view m, std::size_t chunk, std::size_t max_segments) {
  dot::encoder e;
  std::vector<std::string_view> segs(max_segments);
  std::string out;
  for (std::size_t at = 0; at < m.size(); at += chunk) {
    std::string_view piece = m.substr(at, chunk);
    while (!piece.empty()) {
      const auto r = e.encode_gather(piece, segs.data(), segs.size());
      REQUIRE(r.error == errc{});
      for (std::size_t i = 0; i < r.count; ++i) out += segs[i];
      piece.remove_prefix(r.consumed);
    }
  }
  const auto r = e.finish_gather(segs.data(), segs.size());
  REQUIRE(r.count == 1);
  out += segs[0];
  REQUIRE(e.finished());
  return out;
}

std::string encode(std::string_view m) { return encode_copy(m, m.size() + 1, 4096); }

/// What decoding the encoding must give back: bare CR/LF become CRLF and a
/// non-empty message ends with a line end.
std::string normalise(std::string_view m) {
  std::string out;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '\r') {
      out += "\r\n";
      if (i + 1 < m.size() && m[i + 1] == '\n') ++i;
    } else if (m[i] == '\n') {
      out += "\r\n";
    } else {
      out += m[i];
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0))
    out += "\r\n";
  return out;
}

std::string decode_all(std::string_view payload, std::uint64_t* consumed = nullptr) {
  dot::decoder d;
  d.feed(payload);
  std::string out;
  for (;;) {
    const auto ev = d.next();
    if (ev.kind == dot::event_kind::data) {
      out += ev.bytes;
    } else {
      REQUIRE(ev.kind == dot::event_kind::end);
      if (consumed) *consumed = ev.consumed();
      return out;
    }
  }
}

}  // namespace

TEST_CASE("RFC 5321 §4.1.1.4: the payload ends in CRLF.CRLF; an empty message is .CRLF",
          "[dot][encoder]") {
  CHECK(encode("") == ".\r\n");
  CHECK(encode("abc\r\n") == "abc\r\n.\r\n");
  CHECK(encode("\r\n") == "\r\n.\r\n");
}

TEST_CASE("RFC 5321 §4.1.1.4: a final CRLF is added when the content lacks one, never a blank line",
          "[dot][encoder]") {
  CHECK(encode("abc") == "abc\r\n.\r\n");
  CHECK(encode("abc\r\ndef") == "abc\r\ndef\r\n.\r\n");
  CHECK(encode("abc\r") == "abc\r\n.\r\n");  // a trailing CR becomes the line end
  CHECK(encode("abc\n") == "abc\r\n.\r\n");
}

TEST_CASE("RFC 5321 §4.5.2: every line starting with a dot gets a second dot", "[dot][encoder]") {
  CHECK(encode(".") == "..\r\n.\r\n");
  CHECK(encode(".\r\n") == "..\r\n.\r\n");
  CHECK(encode("a\r\n.b\r\n..\r\nc.d\r\n") == "a\r\n..b\r\n...\r\nc.d\r\n.\r\n");
}

TEST_CASE("docs/security.md §1: bare CR and bare LF become CRLF, so no line can be read two ways",
          "[dot][encoder][smuggling]") {
  CHECK(encode("a\nb") == "a\r\nb\r\n.\r\n");
  CHECK(encode("a\rb") == "a\r\nb\r\n.\r\n");
  CHECK(encode("a\r\rb") == "a\r\n\r\nb\r\n.\r\n");
  CHECK(encode("a\n\rb") == "a\r\n\r\nb\r\n.\r\n");
  // The smuggling shapes are stuffed after normalisation: a dot after a bare
  // line end starts a line too.
  CHECK(encode("a\n.\nb") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(encode("a\r.\rb") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(encode("a\r\n.\nb") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(encode(bytes("a\0b")) == bytes("a\0b\r\n.\r\n"));  // NUL is content
}

TEST_CASE("dot: a CR ending one chunk and an LF starting the next are one line end",
          "[dot][encoder]") {
  for (std::size_t chunk = 1; chunk <= 8; ++chunk) {
    CHECK(encode_copy("ab\r\n.c\r\nd", chunk, 3) == "ab\r\n..c\r\nd\r\n.\r\n");
    CHECK(encode_gather("ab\r\n.c\r\nd", chunk, 3) == "ab\r\n..c\r\nd\r\n.\r\n");
  }
}

TEST_CASE("dot: refuse_bare_line_ends reports the bare CR or LF", "[dot][encoder]") {
  dot::encoder_options o;
  o.refuse_bare_line_ends = true;
  errc e{};
  CHECK(encode_copy("ok\r\nbad\nx", 64, 64, o, &e) == "ok\r\nbad");
  CHECK(e == errc::body_bare_lf);
  e = errc{};
  CHECK(encode_copy("ok\r\nbad\rx", 64, 64, o, &e) == "ok\r\nbad\r");
  CHECK(e == errc::body_bare_cr);
  // Found by the round-trip fuzzer: a CR ending the content is bare as well,
  // so finish() must refuse it rather than complete it to CRLF.
  dot::encoder trailing(o);
  char out[16];
  CHECK(trailing.encode("end\r", out, sizeof out).error == errc{});
  CHECK(trailing.finish(out, sizeof out).error == errc::body_bare_cr);
  std::string_view seg[2];
  CHECK(trailing.finish_gather(seg, 2).error == errc::body_bare_cr);
  CHECK_FALSE(trailing.finished());
  e = errc{};
  CHECK(encode_copy("fine\r\n.\r\n", 2, 64, o, &e) == "fine\r\n..\r\n.\r\n");
  CHECK(e == errc{});
}

TEST_CASE("dot: the copy form resumes exactly with any buffer size", "[dot][encoder]") {
  const std::string m = "first\r\n.second\nthird\r.fourth\r\n\r\n..\r\nlast";
  const std::string expected = encode(m);
  for (std::size_t room = 1; room <= 16; ++room)
    for (std::size_t chunk = 1; chunk <= m.size(); chunk += 3) {
      INFO("room " << room << " chunk " << chunk);
      REQUIRE(encode_copy(m, chunk, room) == expected);
    }
}

TEST_CASE("dot: the gather form yields the same bytes as views of the input and literals",
          "[dot][encoder]") {
  const std::string m = "one\r\n.two\r\nthree\nfour";
  const std::string expected = encode(m);
  for (std::size_t max = 1; max <= 6; ++max)
    for (std::size_t chunk = 1; chunk <= m.size(); ++chunk)
      REQUIRE(encode_gather(m, chunk, max) == expected);

  // Unchanged runs are single views into the input, not copies.
  dot::encoder e;
  std::string_view segs[8];
  const auto r = e.encode_gather(m, segs, 8);
  REQUIRE(r.consumed == m.size());
  REQUIRE(r.count == 5);
  CHECK(segs[0].data() == m.data());
  CHECK(segs[0] == "one\r\n");
  CHECK(segs[1] == ".");
  CHECK(segs[2].data() == m.data() + 5);
  CHECK(segs[2] == ".two\r\nthree");
  CHECK(segs[3] == "\r");
  CHECK(segs[4] == "\nfour");
}

TEST_CASE("dot: decode(encode(m)) == normalise(m) for generated messages",
          "[dot][encoder][roundtrip]") {
  std::mt19937 rng(20261127);
  const char alphabet[] = {'a', 'b', '.', '.', '\r', '\n', '\0', ' '};
  for (int round = 0; round < 2000; ++round) {
    std::string m(rng() % 120, 'x');
    for (auto& c : m) c = alphabet[rng() % sizeof alphabet];
    const std::size_t chunk = 1 + rng() % 17;
    const std::size_t room = 1 + rng() % 9;
    const std::string payload = encode_copy(m, chunk, room);
    INFO("message: " << test::escape(m));
    REQUIRE(payload == encode_gather(m, chunk, 1 + rng() % 5));
    REQUIRE(payload.size() <= dot::max_encoded_size(m.size()));
    std::uint64_t consumed = 0;
    REQUIRE(decode_all(payload + "NEXT COMMAND\r\n", &consumed) == normalise(m));
    REQUIRE(consumed == payload.size());
  }
}

TEST_CASE("dot: no content after finish(), however far the terminator got", "[dot][encoder]") {
  dot::encoder e;
  char out[64];
  REQUIRE(e.encode("hello", out, sizeof out).written == 5);
  // Only part of the terminator fits: it must still not be reopened.
  const auto part = e.finish(out, 2);
  CHECK(std::string_view(out, part.written) == "\r\n");
  const auto late = e.encode("MAIL FROM:<x>\r\n", out, sizeof out);
  CHECK(late.error == errc::invalid_argument);
  CHECK(late.consumed == 0);
  CHECK(late.written == 0);
  std::string_view seg[2];
  CHECK(e.encode_gather("x", seg, 2).error == errc::invalid_argument);
  const auto rest = e.finish(out, sizeof out);
  CHECK(std::string_view(out, rest.written) == ".\r\n");
  CHECK(e.finished());
  // finish() with no room starts finishing too.
  dot::encoder empty;
  CHECK(empty.finish(out, 0).written == 0);
  CHECK(empty.encode("x", out, sizeof out).error == errc::invalid_argument);
  CHECK(empty.finish(out, sizeof out).written == 3);
  CHECK(empty.finished());
}

TEST_CASE("dot: errors are sticky until reset()", "[dot][encoder]") {
  dot::encoder_options o;
  o.refuse_bare_line_ends = true;
  dot::encoder e(o);
  char out[64];
  CHECK(e.encode("a\nb", out, sizeof out).error == errc::body_bare_lf);
  CHECK(e.encode("fine\r\n", out, sizeof out).error == errc::body_bare_lf);
  CHECK(e.finish(out, sizeof out).error == errc::body_bare_lf);
  CHECK_FALSE(e.finished());
  e.reset();
  CHECK(e.encode("fine\r\n", out, sizeof out).error == errc{});
  CHECK(e.finish(out, sizeof out).written == 3);
  CHECK(e.finished());
}

TEST_CASE("dot: max_encoded_size saturates", "[dot][encoder]") {
  CHECK(dot::max_encoded_size(0) == 5);
  CHECK(dot::max_encoded_size(10) == 25);
  CHECK(dot::max_encoded_size(static_cast<std::size_t>(-1)) == static_cast<std::size_t>(-1));
  static_assert(dot::max_encoded_size(1) == 7);
}

TEST_CASE("dot: content_size is the decoded size of the encoded content (RFC 1939 §11)",
          "[dot][encoder]") {
  static_assert(dot::content_size("") == 0);
  static_assert(dot::content_size("a") == 3);  // CRLF added
  static_assert(dot::content_size("a\r\n") == 3);
  static_assert(dot::content_size("a\nb\rc") == 9);  // bare line ends become CRLF
  static_assert(dot::content_size("\r\n\r\n") == 4);
  static_assert(dot::content_size("\r") == 2);
  static_assert(dot::content_size(".x\r\n") == 4);  // the stuffing dot is not content
  // Whatever the content: what a decoder reads back from the encoder's output.
  std::mt19937 rng(1939);
  const char alphabet[] = {'a', '.', '\r', '\n', 'x', ' '};
  for (int round = 0; round < 2000; ++round) {
    std::string m(rng() % 40, 'a');
    for (char& c : m) c = alphabet[rng() % sizeof alphabet];
    const std::string wire = encode_copy(m, 1 + rng() % 8, 1 + rng() % 16);
    dot::decoder d;
    d.feed(wire);
    std::uint64_t decoded = 0;
    bool ended = false;
    for (int guard = 0; guard < 1000 && !ended; ++guard) {
      const dot::decoder_event ev = d.next();
      if (ev.kind == dot::event_kind::data) decoded += ev.bytes.size();
      if (ev.kind == dot::event_kind::end) {
        CHECK(ev.size == decoded);
        ended = true;
      }
      if (ev.kind == dot::event_kind::need_more) break;
    }
    INFO(test::escape(m));
    REQUIRE(ended);
    CHECK(dot::content_size(m) == decoded);
  }
}
