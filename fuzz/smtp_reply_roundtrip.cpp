// Fuzz target: every writer of smtp/reply_writer.hpp, fed fields taken raw
// from the input, against smtp::client_parser (and, for the EHLO reply,
// ehlo_folder).
//
// Input: a header, then the chosen writer's fields.
//   byte 0     the writer (mod 8): 0 write_reply (one line), 1 write_reply
//              (lines), 2 write_reply(reply_hint), 3 write_error_reply,
//              4 write_greeting, 5 write_ehlo_reply, 6 write_auth_challenge,
//              7 write_auth_challenge_raw
//   byte 1     bit 0  five octets are already in the sinks (they must survive)
//              bit 2  feed the written bytes to the parsers in two pieces
//   bytes 2-3  the capacity of a second, small sink
//   byte 4     where the two pieces are cut
// Fields (fuzz::field_reader in support.hpp): a code is two
// octets (below 0xF000: mod 700, so about a third are valid codes; else the
// raw value); an errc one octet (any value, enumerator or not); a text field
// a slice (a length octet < 0xE0 and the octets; 0xE0-0xEF and one more
// octet: a 12-bit length; 0xF0-0xFF: a 16-bit length and a unit of 0-15
// octets repeated to it), each in an exact-size heap block of its own. The
// lines of write_reply: a count octet (255: a null array of 3), then the
// slices. The capabilities of write_ehlo_reply: a count octet, then that many
// setter calls (fuzz::apply_setter in smtp_support.hpp), each an opcode octet
// and its arguments.
//
// Checked:
// - every setter that returns an error leaves the capabilities as they were;
// - all or nothing (fuzz::sinks in roundtrip_support.hpp): a growing sink (the
//   reference), a fixed one of exactly its size (the same bytes), a small one
//   (the reference's error, or its bytes if they fit, else buffer_too_small)
//   and one already failed; write_error_reply never fails;
// - on success, a client_parser reads exactly the reply written: one line
//   event per line with the code, `last` only on the final one, the line
//   number, the enhanced code and the text, then one reply event (code, line
//   count, the last line's enhanced code and text, offset 0) and nothing
//   else; every octet consumed. That parser reads enhanced codes exactly when
//   the writer was given one (a server that sends them advertises
//   ENHANCEDSTATUSCODES, RFC 2034 §3, and its client reads them; none is ever
//   sent in the greeting, the EHLO reply or a 3xx), has room for a 12288-octet
//   line (a 334 challenge, RFC 4954 §4) and no reply limits. The one
//   difference the RFCs make: the spaces between an enhanced code and its text
//   are one separator (RFC 3463 §2, "one or more spaces"), which is why the
//   writer refuses text with leading SPs after an enhanced code;
// - the EHLO reply's lines (after the first, the domain and greeting) folded
//   by ehlo_folder give the capabilities written, with no error; the legacy
//   "AUTH=" flag is never written, so it comes back clear;
// - a client_parser<> with default options (enhanced codes read on every
//   2xx/4xx/5xx line, 512-octet lines, 128 lines and 16384 octets per reply)
//   gives exactly the events of a model of those rules written here (the
//   writers refuse text and domains a reader would take for an enhanced code;
//   see the note at model_read_line).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/ascii.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/smtp/capabilities.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "mailwire/smtp/reply_writer.hpp"
#include "roundtrip_support.hpp"
#include "smtp_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::smtp;

// --- the input -------------------------------------------------------------------

std::uint16_t code_from(fuzz::field_reader& in) {
  const std::uint16_t v = in.u16();
  return v < 0xF000 ? static_cast<std::uint16_t>(v % 700) : v;
}

// --- models written from the RFCs --------------------------------------------------

std::string_view without_leading_sp(std::string_view s) {
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  return s;
}

/// What a client reads from one line's text (after the code and separator).
struct read_line {
  errc error = errc{};
  std::string enhanced;  ///< text form; empty for none
  std::string text;
};

/// A client that reads enhanced codes (RFC 2034 §4) takes the first token of
/// a 2xx, 4xx or 5xx line's text as one when it is shaped like one, whatever
/// the server meant: the octets "250 2.1.0 x" are the same whether a writer
/// was given the code 2.1.0 or the text "2.1.0 x". The writers therefore
/// refuse such text without an enhanced code, and such a greeting or EHLO
/// domain ("5.1.1" is a Domain by RFC 5321 §4.1.2), so a written reply never
/// reaches the branches below that read text as a code; the model keeps them
/// so that a writer that let such text through would show up here.
read_line model_read_line(std::uint16_t code, std::string_view text, bool enhanced_codes) {
  read_line r;
  r.text = std::string(text);
  if (!enhanced_codes || code / 100 == 3) return r;
  const std::string_view token = text.substr(0, text.find(' '));
  if (!fuzz::smtp_model::enhanced(token)) return r;
  if (static_cast<unsigned>(token[0] - '0') != code / 100u) {
    r.error = errc::enhanced_code_mismatch;
    return r;
  }
  r.enhanced = std::string(token);
  r.text = std::string(without_leading_sp(text.substr(token.size())));
  return r;
}

// --- the reply as written and as read ------------------------------------------------

struct written_line {
  std::string enhanced;  ///< as given to the writer; empty for none
  std::string text;      ///< as given to the writer (after the enhanced code)
};

/// A reply as the writer was asked for it.
struct written_reply {
  std::uint16_t code = 0;
  std::vector<written_line> lines;
  bool enhanced_codes = false;  ///< the writer was given an enhanced code

  /// The text after the code and separator, as on the wire.
  std::string wire_text(const written_line& l) const {
    return l.enhanced.empty() ? l.text : l.enhanced + " " + l.text;
  }
};

/// One expected client event (need_more excluded).
struct expected_event {
  client_event_kind kind = client_event_kind::line;
  errc error = errc{};
  std::uint16_t code = 0;
  bool last = false;
  std::size_t lines = 0;
  std::string enhanced;
  std::string text;
  std::uint64_t offset = 0;  ///< line, error: the line's first octet; reply: its first line's
};

std::string enhanced_text(const enhanced_code& e) {
  char buf[enhanced_code::max_size];
  return std::string(buf, e.to_chars(buf));
}

/// The round trip: the lines as given (text without leading SPs after an
/// enhanced code, RFC 3463 §2), then the reply. `octets`: each line's length
/// on the wire, CRLF included.
std::vector<expected_event> expected_exact(const written_reply& w,
                                           const std::vector<std::size_t>& octets) {
  std::vector<expected_event> out;
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < w.lines.size(); ++i) {
    const written_line& l = w.lines[i];
    expected_event e;
    e.offset = at;
    at += octets[i];
    e.code = w.code;
    e.last = i + 1 == w.lines.size();
    e.lines = i + 1;
    e.enhanced = l.enhanced;
    e.text =
        std::string(l.enhanced.empty() ? std::string_view(l.text) : without_leading_sp(l.text));
    out.push_back(e);
  }
  expected_event reply = out.back();
  reply.kind = client_event_kind::reply;
  reply.last = false;
  reply.offset = 0;
  out.push_back(reply);
  return out;
}

/// What a client_parser<> with default options gives (see model_read_line and
/// client_parser.hpp: line limit 512 octets, 128 lines and 16384 octets per
/// reply; an error abandons the reply and the next line starts a new one).
/// `octets`: each line's length on the wire, CRLF included.
std::vector<expected_event> expected_default(const written_reply& w,
                                             const std::vector<std::size_t>& octets_of) {
  constexpr std::size_t max_line = 512, max_lines = 128, max_length = 16384;
  std::vector<expected_event> out;
  std::size_t count = 0, length = 0;
  std::uint64_t at = 0, reply_start = 0;
  for (std::size_t i = 0; i < w.lines.size(); at += octets_of[i++]) {
    const std::string text = w.wire_text(w.lines[i]);
    const bool last = i + 1 == w.lines.size();
    const std::size_t octets = octets_of[i];
    const read_line r = model_read_line(w.code, text, true);
    expected_event e;
    e.code = w.code;
    e.offset = at;
    if (count == 0) reply_start = at;
    e.error = octets > max_line              ? errc::line_too_long
              : r.error != errc{}            ? r.error
              : count >= max_lines           ? errc::too_many_reply_lines
              : length + octets > max_length ? errc::reply_too_long
                                             : errc{};
    if (e.error != errc{}) {
      e.kind = client_event_kind::error;
      e.lines = count;
      e.text = "(error)";
      out.push_back(e);
      count = length = 0;
      continue;
    }
    e.last = last;
    e.lines = ++count;
    length += octets;
    e.enhanced = r.enhanced;
    e.text = r.text;
    out.push_back(e);
    if (last) {
      expected_event reply = e;
      reply.kind = client_event_kind::reply;
      reply.last = false;
      reply.offset = reply_start;
      out.push_back(reply);
    }
  }
  return out;
}

/// A client_parser of Capacity C on the heap with options `o`, fed `bytes`
/// whole or cut in two (each piece in an exact-size block); checks its events
/// against `expected` (for errors: kind, errc, code and count only) and calls
/// on_line(text) for every line event. Every octet must be consumed.
template <std::size_t C, class OnLine>
void check_parse(std::string_view bytes, const client_parser_options& o, bool split,
                 std::uint8_t cut, const std::vector<expected_event>& expected, OnLine&& on_line) {
  const auto p = std::make_unique<client_parser<C>>(o);
  std::size_t next = 0;
  fuzz::for_each_piece(
      bytes, fuzz::two_pieces(bytes.size(), split, cut),
      [&](std::string_view piece, std::size_t at, bool) {
        p->feed(piece);
        for (;;) {
          const client_event ev = p->next();
          if (ev.kind == client_event_kind::need_more) {
            FUZZ_CHECK(ev.offset == at + piece.size() && p->rest().empty());
            return true;
          }
          FUZZ_CHECK(next < expected.size());
          const expected_event& x = expected[next++];
          FUZZ_CHECK(ev.kind == x.kind && ev.error == x.error && ev.lines == x.lines);
          FUZZ_CHECK(ev.offset == x.offset);
          if (ev.kind == client_event_kind::error) {
            FUZZ_CHECK(x.error != errc::enhanced_code_mismatch || ev.code == x.code);
            continue;
          }
          FUZZ_CHECK(ev.code == x.code && ev.last == x.last);
          FUZZ_CHECK(enhanced_text(ev.enhanced) == x.enhanced);
          FUZZ_CHECK(ev.text == x.text);
          if (ev.kind == client_event_kind::line) on_line(ev.text);
        }
      });
  FUZZ_CHECK(next == expected.size());
  FUZZ_CHECK(p->offset() == bytes.size() && !p->buffered());
}

/// The longest line the exact check must read: a 334 challenge.
constexpr std::size_t kLongest = max_auth_challenge_line;

/// Reads `bytes` with the exact-check parser and the default one.
template <class OnLine>
void check_reply(std::string_view bytes, const written_reply& w, bool split, std::uint8_t cut,
                 OnLine&& on_line) {
  std::vector<std::size_t> octets;
  for (std::size_t start = 0; start < bytes.size();) {
    const std::size_t end = bytes.find("\r\n", start) + 2;
    octets.push_back(end - start);
    start = end;
  }
  FUZZ_CHECK(octets.size() == w.lines.size());
  client_parser_options exact;
  exact.max_line_length = kLongest;
  exact.max_reply_lines = SIZE_MAX;
  exact.max_reply_length = SIZE_MAX;
  exact.parse_enhanced_codes = w.enhanced_codes;
  check_parse<kLongest>(bytes, exact, split, cut, expected_exact(w, octets), on_line);
  check_parse<1024>(bytes, client_parser_options{}, split, cut, expected_default(w, octets),
                    [](std::string_view) {});
}

// --- the writers ------------------------------------------------------------------

constexpr std::size_t kWriters = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::field_reader in(data, size);
  const std::size_t which = in.byte() % kWriters;
  const std::uint8_t flags = in.byte();
  fuzz::sinks out;
  out.options.prefix = (flags & 1) != 0;
  const bool split = (flags & 4) != 0;
  out.small = in.u16();
  const std::uint8_t cut = in.byte();

  written_reply w;
  fuzz::sink_run r;
  switch (which) {
    case 0:
    case 2: {
      w.code = code_from(in);
      const std::string_view enhanced = in.slice();
      const std::string_view text = in.slice();
      const reply_hint hint{w.code, enhanced, text};
      r = out.run([&](auto& s) {
        return which == 0 ? write_reply(s, w.code, enhanced, text) : write_reply(s, hint);
      });
      w.lines.push_back({std::string(enhanced), std::string(text)});
      break;
    }
    case 1: {
      w.code = code_from(in);
      const std::string_view enhanced = in.slice();
      const std::uint8_t count = in.byte();
      std::vector<std::string_view> lines;
      if (count != 255)
        for (std::size_t i = 0; i < count; ++i) lines.push_back(in.slice());
      r = out.run([&](auto& s) {
        return count == 255 ? write_reply(s, w.code, enhanced, nullptr, 3)
                            : write_reply(s, w.code, enhanced, lines.data(), lines.size());
      });
      if (count == 0 || count == 255) FUZZ_CHECK(r.error == errc::invalid_argument);
      for (const std::string_view l : lines)
        w.lines.push_back({std::string(enhanced), std::string(l)});
      break;
    }
    case 3: {
      const auto e = static_cast<errc>(in.byte());
      r = out.run([&](auto& s) { return write_error_reply(s, e); });
      FUZZ_CHECK(r.error == errc{});  // every suggested reply is valid
      const reply_hint hint = suggested_reply(e);
      w.code = hint.code;
      w.lines.push_back({std::string(hint.enhanced), std::string(hint.text)});
      break;
    }
    case 4: {
      const std::string_view domain = in.slice();
      const std::string_view text = in.slice();
      r = out.run([&](auto& s) { return write_greeting(s, domain, text); });
      w.code = 220;
      w.lines.push_back({"", std::string(domain) + (text.empty() ? "" : " ") + std::string(text)});
      break;
    }
    case 5: {
      const std::string_view domain = in.slice();
      const std::string_view greeting = in.slice();
      capabilities caps;
      for (std::size_t n = in.byte(); n > 0; --n)
        fuzz::apply_setter(
            in, [&] { return in.slice(); }, caps);
      r = out.run([&](auto& s) { return write_ehlo_reply(s, domain, greeting, caps); });
      if (r.error != errc{}) {
        // Refused for a documented reason: the first line, which has the
        // greeting's rules, else caps.validate().
        std::string scratch;
        appendable_sink<std::string> greeting_sink(scratch);
        const errc first_line = write_greeting(greeting_sink, domain, greeting);
        FUZZ_CHECK(r.error == (first_line != errc{} ? first_line : caps.validate()));
        return 0;
      }
      w.code = 250;
      w.lines.push_back(
          {"", std::string(domain) + (greeting.empty() ? "" : " ") + std::string(greeting)});
      caps.for_each_line([&](std::string_view line) {
        w.lines.push_back({"", std::string(line)});
      });
      FUZZ_CHECK(fuzz::check_lines(r.bytes) == w.lines.size());
      ehlo_folder folder;
      check_reply(r.bytes, w, split, cut,
                  [&](std::string_view text) { FUZZ_CHECK(folder.add(text) == errc{}); });
      capabilities expected = caps;
      expected.set_legacy_auth_equals(false);  // never written
      FUZZ_CHECK(folder.lines() == w.lines.size() && folder.first_error() == errc{});
      FUZZ_CHECK(folder.result() == expected);
      return 0;
    }
    case 6: {
      const std::string_view challenge = in.slice();
      r = out.run([&](auto& s) { return write_auth_challenge(s, challenge); });
      w.code = 334;
      w.lines.push_back({"", std::string(challenge)});
      break;
    }
    default: {
      // The raw challenge, any octets: the line carries its base64.
      const std::string_view raw = in.slice();
      r = out.run([&](auto& s) { return write_auth_challenge_raw(s, raw); });
      std::string encoded(base64::encoded_size(raw.size()), '\0');
      FUZZ_CHECK(base64::encode(raw, encoded.data(), encoded.size()).ok());
      FUZZ_CHECK((r.error == errc::line_too_long) == (4 + encoded.size() + 2 > 12288));
      w.code = 334;
      w.lines.push_back({"", encoded});
      break;
    }
  }
  if (r.error != errc{}) return 0;
  w.enhanced_codes = !w.lines[0].enhanced.empty();
  FUZZ_CHECK(fuzz::check_lines(r.bytes) == w.lines.size());
  check_reply(r.bytes, w, split, cut, [](std::string_view) {});
  return 0;
}
