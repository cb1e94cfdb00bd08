// CRLF line framing: one TEST_CASE per rule. Every input is replayed whole,
// byte by byte, at every split and at random splits (support/split_feed.hpp),
// and the resulting event log is compared with the expected one.
#include <mailwire/core/line_reader.hpp>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/split_feed.hpp"

using mailwire::errc;
using mailwire::line_event_kind;
using mailwire::test::check_split_invariance;
using mailwire::test::escape;
using mailwire::test::event_log;

namespace {

using namespace std::string_literals;

/// Adapter between the harness and a line_reader. Logs "line <escaped>" (plus
/// " @<offset>" when asked), "error <name> @<offset>", and at the end of input
/// "eof" or "eof mid-line" (bytes still buffered) before calling feed_eof().
/// On every event it also checks the contracts the log cannot show: zero copy,
/// rest(), buffered() and offset().
template <std::size_t Cap>
struct session {
  using reader = mailwire::line_reader<Cap>;
  reader r;
  bool log_offsets;
  std::uint64_t fed = 0;       // stream bytes fed so far
  std::uint64_t line_end = 0;  // where the last reported line ended

  explicit session(const typename reader::options& o, bool offsets) : r(o), log_offsets(offsets) {}

  void feed(std::string_view piece, event_log& log) {
    const std::uint64_t piece_start = fed;
    fed += piece.size();
    r.feed(piece);
    drain(log, piece, piece_start, false);
  }

  void finish(event_log& log) {
    CHECK(r.offset() == fed);
    log.add(r.buffered() ? "eof mid-line" : "eof");
    r.feed_eof();
    drain(log, {}, fed, true);
    for (int k = 0; k < 3; ++k) CHECK(r.next().kind == line_event_kind::need_more);
    CHECK_FALSE(r.buffered());
    r.feed("QUIT\r\n");  // ignored after EOF
    CHECK(r.next().kind == line_event_kind::need_more);
  }

  void check_rest(std::string_view piece, std::uint64_t piece_start, bool at_eof) {
    REQUIRE(r.offset() >= piece_start);
    REQUIRE(r.offset() <= fed);
    CHECK(r.rest().size() == fed - r.offset());
    if (!at_eof) CHECK(r.rest().data() == piece.data() + (r.offset() - piece_start));
    // At a line boundary, buffered() means exactly "unconsumed input remains".
    CHECK(r.buffered() == (r.offset() < fed));
  }

  void drain(event_log& log, std::string_view piece, std::uint64_t piece_start, bool at_eof) {
    std::uint64_t last = r.offset();
    for (;;) {
      const mailwire::line_event ev = r.next();
      switch (ev.kind) {
        case line_event_kind::need_more:
          CHECK(ev.error == errc{});
          CHECK(ev.line.empty());
          CHECK(r.rest().empty());
          CHECK(r.offset() == fed);
          CHECK(ev.offset == fed);
          return;
        case line_event_kind::line:
          CHECK(ev.error == errc{});
          CHECK(ev.offset == line_end);  // lines are contiguous
          // Zero copy: a line that starts in this piece is a view of it; one
          // that started in an earlier piece (already freed) lives in the carry.
          if (ev.offset >= piece_start) {
            CHECK(ev.line.data() == piece.data() + (ev.offset - piece_start));
          } else if (!ev.line.empty()) {
            const std::less_equal<const char*> le;
            CHECK_FALSE((le(piece.data(), ev.line.data()) &&
                         le(ev.line.data(), piece.data() + piece.size())));
          }
          check_rest(piece, piece_start, at_eof);
          log.add("line " + escape(ev.line) +
                  (log_offsets ? " @" + std::to_string(ev.offset) : std::string()));
          break;
        case line_event_kind::error:
          CHECK(ev.error != errc{});
          // The bad line's first octets (none for a partial line at EOF).
          CHECK(ev.line.size() <= mailwire::error_prefix);
          if (ev.error == errc::unexpected_eof) CHECK(ev.line.empty());
          CHECK(ev.offset == line_end);
          CHECK(ev.offset < r.offset());
          check_rest(piece, piece_start, at_eof);
          log.add("error " + std::string(mailwire::name(ev.error)) + " @" +
                  std::to_string(ev.offset));
          break;
      }
      CHECK(r.offset() >= last);  // never moves back
      last = line_end = r.offset();
    }
  }
};

template <std::size_t Cap = 512>
typename mailwire::line_reader<Cap>::options opts(std::size_t max_length = Cap,
                                                  bool allow_bare_lf = false,
                                                  bool allow_nul = false) {
  typename mailwire::line_reader<Cap>::options o;
  o.max_length = max_length;
  o.allow_bare_lf = allow_bare_lf;
  o.allow_nul = allow_nul;
  return o;
}

/// The split-invariant log of `input` through a line_reader<Cap>.
template <std::size_t Cap = 512>
std::string run(std::string_view input,
                const typename mailwire::line_reader<Cap>::options& o = opts<Cap>(),
                bool log_offsets = false) {
  return check_split_invariance([&] { return session<Cap>(o, log_offsets); }, input);
}

/// Expected log: one entry per argument.
template <class... Lines>
std::string expect(const Lines&... lines) {
  std::string s;
  ((s += std::string(lines) + "\n"), ...);
  return s;
}

/// Drains r into a list of events (for the few API-level tests below).
template <std::size_t Cap>
std::string pull(mailwire::line_reader<Cap>& r) {
  std::string s;
  for (;;) {
    const auto ev = r.next();
    switch (ev.kind) {
      case line_event_kind::need_more: return s + "need_more\n";
      case line_event_kind::line: s += "line " + escape(ev.line) + "\n"; break;
      case line_event_kind::error:
        s += "error " + std::string(mailwire::name(ev.error)) + " @" + std::to_string(ev.offset) +
             "\n";
        break;
    }
  }
}

}  // namespace

TEST_CASE("RFC 5321 §2.3.8: CRLF ends a line; several lines per feed", "[line_reader]") {
  CHECK(run("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n") ==
        expect("line EHLO client.example", "line MAIL FROM:<a@b.example>",
               "line RCPT TO:<c@d.example>", "eof"));
  CHECK(run("QUIT\r\n") == expect("line QUIT", "eof"));
  CHECK(run("") == expect("eof"));
  // Anything but CR, LF and NUL is line content, 8-bit octets and controls included.
  CHECK(run("A\tB\x7f\xff\x01 \r\n") == expect("line A\\tB\\x7f\\xff\\x01 ", "eof"));
}

TEST_CASE("RFC 5321 §2.3.8: an empty line is a line", "[line_reader]") {
  CHECK(run("\r\n") == expect("line ", "eof"));
  CHECK(run("\r\n\r\nX\r\n\r\n") == expect("line ", "line ", "line X", "line ", "eof"));
}

TEST_CASE("RFC 5321 §2.3.8: a bare CR makes its line one error (docs/security.md §5)",
          "[line_reader]") {
  CHECK(run("NOOP\rX\r\nQUIT\r\n") == expect("error bare_cr @0", "line QUIT", "eof"));
  // CR CR LF: the first CR is bare, the second one ends the line.
  CHECK(run("A\r\r\nB\r\n") == expect("error bare_cr @0", "line B", "eof"));
  CHECK(run("\r\r\n") == expect("error bare_cr @0", "eof"));
  // A bare CR never ends a line: both parts are one bad line.
  CHECK(run("MAIL FROM:<a>\rRCPT TO:<b>\r\n") == expect("error bare_cr @0", "eof"));
  // LF CR: the LF is bare (strict) and the line runs on to the real CRLF.
  CHECK(run("A\n\rB\r\nC\r\n") == expect("error bare_lf @0", "line C", "eof"));
  // A CR as the very last byte: the line never ended.
  CHECK(run("QUIT\r") == expect("eof mid-line", "error unexpected_eof @0"));
}

TEST_CASE("RFC 5321 §2.3.8: a bare LF does not end a line in strict mode (docs/security.md §5)",
          "[line_reader]") {
  // One bad line, never two commands.
  CHECK(run("MAIL FROM:<a>\nRCPT TO:<b>\r\n") == expect("error bare_lf @0", "eof"));
  CHECK(run("MAIL FROM:<a>\nRCPT TO:<b>\r\nDATA\r\n") ==
        expect("error bare_lf @0", "line DATA", "eof"));
  CHECK(run("\n\r\n") == expect("error bare_lf @0", "eof"));
  CHECK(run("A\n\n\nB\r\nC\r\n") == expect("error bare_lf @0", "line C", "eof"));
  // An LF-only client that closes: its line never ended.
  CHECK(run("QUIT\n") == expect("eof mid-line", "error unexpected_eof @0"));
}

TEST_CASE("RFC 5321 §2.3.8: allow_bare_lf ends lines at LF; a bare CR stays an error",
          "[line_reader]") {
  const auto lf = opts(512, true);
  CHECK(run("MAIL FROM:<a>\nRCPT TO:<b>\r\n", lf) ==
        expect("line MAIL FROM:<a>", "line RCPT TO:<b>", "eof"));
  CHECK(run("\n\r\n\nX\n", lf) == expect("line ", "line ", "line ", "line X", "eof"));
  CHECK(run("A\rB\nC\n", lf) == expect("error bare_cr @0", "line C", "eof"));
  CHECK(run("A\r\r\nC\n", lf) == expect("error bare_cr @0", "line C", "eof"));
  CHECK(run("A\r", lf) == expect("eof mid-line", "error unexpected_eof @0"));
  // Offsets account for one- and two-byte line ends.
  CHECK(run("A\nBB\r\nC\n", lf, true) == expect("line A @0", "line BB @2", "line C @6", "eof"));
}

TEST_CASE("RFC 5321 §2.3.8: a CR ending one feed and an LF starting the next end the line",
          "[line_reader]") {
  mailwire::line_reader<16> r;
  r.feed("AB\r");
  CHECK(pull(r) == "need_more\n");
  CHECK(r.buffered());
  CHECK(r.rest().empty());
  r.feed("\nC\r\n");
  CHECK(pull(r) == "line AB\nline C\nneed_more\n");
  CHECK_FALSE(r.buffered());

  r.feed("AB\r");
  CHECK(pull(r) == "need_more\n");
  r.feed("X\r\nD\r");
  CHECK(pull(r) == "error bare_cr @7\nneed_more\n");
  r.feed("");
  CHECK(pull(r) == "need_more\n");
  r.feed("\n");
  CHECK(pull(r) == "line D\nneed_more\n");

  // The same streams through every split.
  CHECK(run<16>("AB\r\nC\r\n") == expect("line AB", "line C", "eof"));
  CHECK(run<16>("AB\rX\r\nD\r\n") == expect("error bare_cr @0", "line D", "eof"));
  CHECK(run<16>("\r\n\r\r\n\r\n") == expect("line ", "error bare_cr @2", "line ", "eof"));
}

TEST_CASE(
    "RFC 5321 §2.4 / docs/security.md §5: a NUL octet makes its line an error; allow_nul keeps it",
    "[line_reader]") {
  CHECK(run("A\0B\r\nC\r\n"s) == expect("error nul_in_line @0", "line C", "eof"));
  CHECK(run("\0\r\n"s) == expect("error nul_in_line @0", "eof"));
  CHECK(run("A\0B\r\nC\r\n"s, opts(512, false, true)) == expect("line A\\0B", "line C", "eof"));
  CHECK(run("\0\0\r\n"s, opts(512, false, true)) == expect("line \\0\\0", "eof"));
  // allow_nul leaves the line-end rules alone.
  CHECK(run("A\0\nB\r\n"s, opts(512, false, true)) == expect("error bare_lf @0", "eof"));
}

TEST_CASE("RFC 5321 §4.5.3.1.4: a line of exactly max_length octets passes, one more fails",
          "[line_reader]") {
  const std::string a14(14, 'a'), a15(15, 'a'), a16(16, 'a');
  // Capacity 16, max_length 16: 14 octets + CRLF is the longest line.
  CHECK(run<16>(a14 + "\r\n") == expect("line " + a14, "eof"));
  CHECK(run<16>(a15 + "\r\n") == expect("error line_too_long @0", "eof"));
  CHECK(run<16>(a16 + "\r\n") == expect("error line_too_long @0", "eof"));
  // Lenient mode counts the line end actually used.
  const auto lf = opts<16>(16, true);
  CHECK(run<16>(a15 + "\n", lf) == expect("line " + a15, "eof"));
  CHECK(run<16>(a15 + "\r\n", lf) == expect("error line_too_long @0", "eof"));
  CHECK(run<16>(a14 + "\r\n", lf) == expect("line " + a14, "eof"));
  CHECK(run<16>(a16 + "\n", lf) == expect("error line_too_long @0", "eof"));
  // max_length below Capacity; values above Capacity act as Capacity.
  CHECK(run<16>("abcdef\r\nabcdefg\r\n", opts<16>(8)) ==
        expect("line abcdef", "error line_too_long @8", "eof"));
  CHECK(run<16>(a14 + "\r\n" + a15 + "\r\n", opts<16>(100000)) ==
        expect("line " + a14, "error line_too_long @16", "eof"));
  // Degenerate limits stay total: with 2 only empty lines pass, below that none.
  CHECK(run<16>("\r\nx\r\n", opts<16>(2)) == expect("line ", "error line_too_long @2", "eof"));
  CHECK(run<16>("\r\n", opts<16>(1)) == expect("error line_too_long @0", "eof"));
  CHECK(run<16>("\r\n\n", opts<16>(0, true)) ==
        expect("error line_too_long @0", "error line_too_long @2", "eof"));
}

TEST_CASE("RFC 5321 §4.5.3.1.4-5: the default limit is 512 octets including CRLF",
          "[line_reader]") {
  const std::string a510(510, 'a'), a511(511, 'a');
  CHECK(run(a510 + "\r\nNOOP\r\n") == expect("line " + a510, "line NOOP", "eof"));
  CHECK(run(a511 + "\r\nNOOP\r\n") == expect("error line_too_long @0", "line NOOP", "eof"));
}

TEST_CASE("RFC 2449 §4: a POP3 command limit of 255 octets with a larger capacity",
          "[line_reader]") {
  const std::string a253(253, 'u'), a254(254, 'u');
  const auto pop3 = opts(255);
  CHECK(run(a253 + "\r\nSTAT\r\n", pop3) == expect("line " + a253, "line STAT", "eof"));
  CHECK(run(a254 + "\r\nSTAT\r\n", pop3) == expect("error line_too_long @0", "line STAT", "eof"));
}

TEST_CASE("docs/security.md §4: an overlong line is one error and resyncs at its real line end",
          "[line_reader]") {
  // The tail of an overlong line is never a command (Exim's 16 KiB split).
  const std::string pad(40, 'A');
  CHECK(run<16>(pad + "RCPT TO:<evil@x>\r\nQUIT\r\n") ==
        expect("error line_too_long @0", "line QUIT", "eof"));
  // Line ends inside the overlong line that are not real ones change nothing.
  CHECK(run<16>(pad + "\nRCPT TO:<evil@x>\rDATA\0\r\nQUIT\r\n"s) ==
        expect("error line_too_long @0", "line QUIT", "eof"));
  // Two overlong lines in a row are two errors, each at its own start.
  CHECK(run<16>(pad + "\r\n" + pad + "\r\nOK\r\n") ==
        expect("error line_too_long @0", "error line_too_long @42", "line OK", "eof"));
  // Overlong, then the peer closes mid-line: one unexpected_eof only.
  CHECK(run<16>(pad) == expect("eof mid-line", "error unexpected_eof @0"));
  CHECK(run<16>(pad + "\r") == expect("eof mid-line", "error unexpected_eof @0"));
}

TEST_CASE("docs/security.md §4: a 100 KB line through a 32-byte reader stays bounded",
          "[line_reader]") {
  // No allocation, so the object size is the whole memory cost.
  static_assert(sizeof(mailwire::line_reader<32>) <= 32 + 128, "bounded memory");
  const std::string big(100 * 1024, 'x');
  CHECK(run<32>(big + "\r\nNOOP\r\n") == expect("error line_too_long @0", "line NOOP", "eof"));
  std::string lfs = big;
  for (std::size_t i = 0; i < lfs.size(); i += 97) lfs[i] = '\n';
  CHECK(run<32>(lfs + "\r\nNOOP\r\n") == expect("error bare_lf @0", "line NOOP", "eof"));
}

TEST_CASE("docs/security.md §4/§5: one error per bad line, in stream order; the first fault wins",
          "[line_reader]") {
  CHECK(run("A\nB\r\nC\rD\r\nE\0\r\nGOOD\r\n"s) == expect("error bare_lf @0", "error bare_cr @5",
                                                          "error nul_in_line @10", "line GOOD",
                                                          "eof"));
  CHECK(run("A\0B\nC\rD\r\n"s) == expect("error nul_in_line @0", "eof"));
  CHECK(run("A\rB\0C\nD\r\n"s) == expect("error bare_cr @0", "eof"));
  // Length against content faults: whichever comes first in the line.
  CHECK(run<16>("aaaaaaaaaaaaaaaaaaaa\nb\r\n") == expect("error line_too_long @0", "eof"));
  CHECK(run<16>("a\naaaaaaaaaaaaaaaaaaaa\r\n") == expect("error bare_lf @0", "eof"));
  // A fault on the very octet that makes the line too long is reported first.
  CHECK(run<8>("aaaaaa\rb\r\n") == expect("error bare_cr @0", "eof"));
  CHECK(run<8>("aaaaaa\0b\r\n"s) == expect("error nul_in_line @0", "eof"));
  CHECK(run<8>("aaaaaaa\0\r\n"s) == expect("error line_too_long @0", "eof"));
}

TEST_CASE("line_reader: feed_eof with a partial line is one unexpected_eof, then need_more",
          "[line_reader]") {
  CHECK(run("QUIT") == expect("eof mid-line", "error unexpected_eof @0"));
  CHECK(run("A\r\nB") == expect("line A", "eof mid-line", "error unexpected_eof @3"));
  CHECK(run("A\r\n") == expect("line A", "eof"));
  CHECK(run("A\nB") == expect("eof mid-line", "error unexpected_eof @0"));

  // Bytes fed before feed_eof() are still framed first.
  mailwire::line_reader<> r;
  r.feed("A\r\nB");
  r.feed_eof();
  CHECK(pull(r) == "line A\nerror unexpected_eof @3\nneed_more\n");
  CHECK(pull(r) == "need_more\n");
  CHECK_FALSE(r.buffered());
  CHECK(r.offset() == 4);
}

TEST_CASE("line_reader: rest() hands the bytes after a line to a body decoder", "[line_reader]") {
  // Models the SMTP server parser: after the DATA line it takes rest() and all
  // later input as message data; the line reader never sees them again.
  struct handoff {
    mailwire::line_reader<32> r;
    bool body = false;
    void feed(std::string_view piece, event_log& log) {
      if (body) return log.data(piece);
      r.feed(piece);
      for (;;) {
        const auto ev = r.next();
        switch (ev.kind) {
          case line_event_kind::need_more: return;
          case line_event_kind::error:
            log.add("error " + std::string(mailwire::name(ev.error)));
            break;
          case line_event_kind::line:
            log.add("line " + escape(ev.line));
            if (ev.line == "DATA") {
              body = true;
              if (!r.rest().empty()) log.data(r.rest());
              return;
            }
            break;
        }
      }
    }
    void finish(event_log& log) { log.add("eof"); }
  };
  const auto make = [] { return handoff{}; };
  CHECK(check_split_invariance(make, "MAIL FROM:<a>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n") ==
        expect("line MAIL FROM:<a>", "line DATA", "data Subject: x\\r\\n\\r\\nhi\\r\\n.\\r\\n",
               "eof"));
  // Body bytes that look like overlong or bad lines are not the reader's business.
  CHECK(check_split_invariance(make, "DATA\r\n" + std::string(100, 'z') + "\n\0\r"s) ==
        expect("line DATA", "data " + std::string(100, 'z') + "\\n\\0\\r", "eof"));

  // Directly: rest() is the unread tail of the current feed, a view of it.
  mailwire::line_reader<32> r;
  const std::string in = "A\r\nDATA\r\nbody";
  r.feed(in);
  CHECK(r.next().line == "A");
  CHECK(r.rest() == "DATA\r\nbody");
  CHECK(r.next().line == "DATA");
  CHECK(r.rest().data() == in.data() + 9);
  CHECK(r.rest() == "body");
  CHECK(r.offset() == 9);
  CHECK(r.buffered());
  // A caller that took rest() feeds fresh bytes; the dropped tail is not counted.
  r.feed("QUIT\r\n");
  const auto ev = r.next();
  CHECK(ev.line == "QUIT");
  CHECK(ev.offset == 9);
  CHECK(r.offset() == 15);
}

TEST_CASE(
    "RFC 2920 §3, RFC 3207 §4 / docs/security.md §2, §9: buffered() reports bytes beyond the "
    "last line",
    "[line_reader]") {
  mailwire::line_reader<> r;
  CHECK_FALSE(r.buffered());
  r.feed("EHLO x\r\n");
  CHECK(r.next().line == "EHLO x");
  CHECK_FALSE(r.buffered());  // nothing behind EHLO: pipelining respected
  CHECK(r.next().kind == line_event_kind::need_more);

  r.feed("STARTTLS\r\nMAIL FROM:<injected>\r\n");
  CHECK(r.next().line == "STARTTLS");
  CHECK(r.buffered());  // plaintext behind STARTTLS: the session must reject it
  CHECK(r.rest() == "MAIL FROM:<injected>\r\n");

  mailwire::line_reader<> p;
  p.feed("NOOP\r\nMAI");
  CHECK(p.next().line == "NOOP");
  CHECK(p.buffered());
  CHECK(p.next().kind == line_event_kind::need_more);
  CHECK(p.buffered());  // a partial line waits in the carry
  CHECK(p.rest().empty());
  p.feed("L FROM:<a>\r\n");
  CHECK(p.next().line == "MAIL FROM:<a>");
  CHECK_FALSE(p.buffered());

  // A partial bad line is buffered state too (its bytes are not kept).
  p.feed("x\ny");
  CHECK(p.next().kind == line_event_kind::need_more);
  CHECK(p.buffered());

  // Split-invariant view: whatever the split, "eof mid-line" means a partial line.
  CHECK(run("NOOP\r\nMAI") == expect("line NOOP", "eof mid-line", "error unexpected_eof @6"));
  CHECK(run("x\ny") == expect("eof mid-line", "error unexpected_eof @0"));
}

TEST_CASE("line_reader: each event carries the stream offset of its line's first byte",
          "[line_reader]") {
  CHECK(run("EHLO a\r\n\r\nBAD\nX\r\nNOOP\r\nTAIL", opts(), true) ==
        expect("line EHLO a @0", "line  @8", "error bare_lf @10", "line NOOP @17", "eof mid-line",
               "error unexpected_eof @23"));
  const std::string pad(600, 'p');
  CHECK(run(pad + "\r\nRSET\r\n", opts(), true) ==
        expect("error line_too_long @0", "line RSET @602", "eof"));
}

TEST_CASE("line_reader: reset() forgets input, the partial line, EOF and the offset",
          "[line_reader]") {
  mailwire::line_reader<16> r;
  r.feed("A\r\nPART");
  CHECK(pull(r) == "line A\nneed_more\n");
  CHECK(r.buffered());
  r.reset();
  CHECK_FALSE(r.buffered());
  CHECK(r.offset() == 0);
  r.feed("B\r\n");
  const auto ev = r.next();
  CHECK(ev.line == "B");  // not "PARTB"
  CHECK(ev.offset == 0);

  r.feed("X\r");
  r.feed_eof();
  CHECK(pull(r) == "error unexpected_eof @3\nneed_more\n");
  r.reset();
  r.feed("C\r\n");  // accepted again after reset
  CHECK(pull(r) == "line C\nneed_more\n");

  // Options survive reset.
  mailwire::line_reader<16> s(opts<16>(8, true));
  s.feed("toolongline\n");
  s.reset();
  s.feed("a\nabcdefgh\n");
  CHECK(pull(s) == "line a\nerror line_too_long @2\nneed_more\n");

  // Split-invariant: a session that resets at STARTTLS and re-feeds what followed
  // (as if it were the new stream) sees offsets restart at 0 and no stale carry.
  struct tls_session {
    mailwire::line_reader<16> r;
    std::string moved;
    void feed(std::string_view piece, event_log& log) {
      r.feed(piece);
      for (;;) {
        const auto e = r.next();
        switch (e.kind) {
          case line_event_kind::need_more: return;
          case line_event_kind::error:
            log.add("error " + std::string(mailwire::name(e.error)) + " @" +
                    std::to_string(e.offset));
            break;
          case line_event_kind::line:
            log.add("line " + escape(e.line) + " @" + std::to_string(e.offset));
            if (e.line == "STARTTLS") {
              moved.assign(r.rest().data(), r.rest().size());
              r.reset();
              r.feed(moved);
            }
            break;
        }
      }
    }
    void finish(event_log& log) {
      r.feed_eof();
      const auto e = r.next();
      log.add(e.kind == line_event_kind::error ? "eof error" : "eof");
    }
  };
  CHECK(check_split_invariance([] { return tls_session{}; },
                               "NOOP\r\nSTARTTLS\r\nEHLO x\r\nQUIT\r\n") ==
        expect("line NOOP @0", "line STARTTLS @6", "line EHLO x @0", "line QUIT @8", "eof"));
}

TEST_CASE("line_reader: lines in one feed are views of it; split lines use the carry",
          "[line_reader]") {
  mailwire::line_reader<16> r;
  const std::string one = "AB\r\nCD\r\nEF";
  r.feed(one);
  auto ev = r.next();
  CHECK(ev.line.data() == one.data());
  ev = r.next();
  CHECK(ev.line.data() == one.data() + 4);
  CHECK(r.next().kind == line_event_kind::need_more);
  std::string two = "GH\r\n";
  r.feed(two);
  ev = r.next();
  CHECK(ev.line == "EFGH");
  two.assign("####");
  CHECK(ev.line == "EFGH");  // the carry holds a copy, the caller's bytes are free
  // (The session adapter checks the same on every line of every split.)
  CHECK(run<16>("AB\r\nCD\r\nEFGH\r\n") == expect("line AB", "line CD", "line EFGH", "eof"));
}

TEST_CASE("RFC 5321 §2.3.8 / §4.5.3.1.4: random input agrees with a reference model",
          "[line_reader]") {
  // Reference: find each line end in the whole input, then judge the line's
  // octets one by one (content fault first, then length), first fault wins.
  const auto reference = [](std::string_view in, std::size_t max, bool lf_ok, bool nul_ok) {
    std::string log;
    const std::size_t end_min = lf_ok ? 1 : 2;
    const std::size_t limit = max > end_min ? max - end_min : 0;
    std::size_t i = 0;
    while (i < in.size()) {
      std::size_t j = i, end_len = 0;
      for (; j < in.size(); ++j) {
        if (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n') {
          end_len = 2;
          break;
        }
        if (lf_ok && in[j] == '\n') {
          end_len = 1;
          break;
        }
      }
      if (end_len == 0)
        return log + "eof mid-line\nerror unexpected_eof @" + std::to_string(i) + "\n";
      const std::string_view line = in.substr(i, j - i);
      std::string err;
      for (std::size_t k = 0; k < line.size() && err.empty(); ++k) {
        if (line[k] == '\r')
          err = "bare_cr";
        else if (line[k] == '\n')
          err = "bare_lf";
        else if (line[k] == '\0' && !nul_ok)
          err = "nul_in_line";
        else if (k + 1 > limit)
          err = "line_too_long";
      }
      if (err.empty() && line.size() + end_len > max) err = "line_too_long";
      log += err.empty() ? "line " + escape(line) + "\n"
                         : "error " + err + " @" + std::to_string(i) + "\n";
      i = j + end_len;
    }
    return log + "eof\n";
  };
  std::mt19937 rng(20240229);
  const char alphabet[] = {'a', 'b', '\r', '\n', '\0', '\r', '\n'};
  for (int round = 0; round < 400; ++round) {
    std::string in(rng() % 40, 'a');
    for (auto& c : in) c = alphabet[rng() % sizeof alphabet];
    const std::size_t max = rng() % 13;
    const bool lf_ok = rng() % 2 == 0, nul_ok = rng() % 3 == 0;
    INFO("max " << max << " lf_ok " << lf_ok << " nul_ok " << nul_ok);
    CHECK(run<12>(in, opts<12>(max, lf_ok, nul_ok)) ==
          reference(in, std::min<std::size_t>(max, 12), lf_ok, nul_ok));
  }
}

TEST_CASE("line_reader: a bad line's error keeps its first 32 octets, whatever the split",
          "[line_reader]") {
  // A protocol parser needs to know which command a bad line was (a BDAT
  // line's chunk must never be read as commands).
  const std::string input = std::string("BDAT 15\nRCPT TO:<a@b>\r\n") +
                            std::string("NOOP \0x\r\n", 9) + "XX\rYY\r\n" + "N" +
                            std::string(600, 'o') +
                            "\r\nok\r\n";
  const std::vector<std::string> expected = {
      "BDAT 15\nRCPT TO:<a@b>", std::string("NOOP \0x", 7), "XX\rYY",
      "N" + std::string(31, 'o')};
  for (std::size_t a = 0; a <= input.size(); ++a) {
    for (std::size_t b : {a, a + 1, a + 7}) {
      if (b > input.size()) continue;
      mailwire::line_reader<64> lr;
      std::vector<std::string> prefixes;
      for (std::string_view piece : {std::string_view(input).substr(0, a),
                                     std::string_view(input).substr(a, b - a),
                                     std::string_view(input).substr(b)}) {
        const std::string copy(piece);  // each piece dies after its feed
        lr.feed(copy);
        for (auto ev = lr.next(); ev.kind != mailwire::line_event_kind::need_more; ev = lr.next())
          if (ev.kind == mailwire::line_event_kind::error) prefixes.emplace_back(ev.line);
      }
      INFO("split at " << a << " and " << b);
      REQUIRE(prefixes == expected);
    }
  }
}
