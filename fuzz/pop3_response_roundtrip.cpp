// Fuzz target: every writer of pop3/response_writer.hpp, fed fields taken raw
// from the input, against pop3::client_parser.
//
// Input: a header, then the chosen writer's fields.
//   byte 0     the writer (mod 16): 0 write_ok, 1 write_err, 2 write_response
//              (status, code, text), each answering an entry chosen by the
//              input; 3 write_greeting; 4 write_challenge; 5
//              write_challenge_base64; 6 write_drop_listing; 7
//              write_scan_listing; 8 write_unique_id_listing; 9 a LIST body
//              (write_scan_listings, and write_ok + write_scan_item... +
//              write_end); 10 a UIDL body (the same two ways); 11 a LANG body
//              (write_ok + write_language_item... + write_end); 12
//              write_capa_response; 13 write_message (copy form); 14 write_ok
//              + write_body... + write_body_end (streamed copy form); 15
//              gather_message + gather_body (gather form)
//   byte 1     bit 0  five octets are already in the sinks (they must survive)
//              bit 1  another response follows: "+OK\r\n" answering a NOOP
//                     queued after the entry
//              bit 2  also feed the stream in pieces (fuzz::split_plan, byte 4)
//   bytes 2-3  the capacity of a second, small sink
//   byte 4     how the stream is cut (fuzz::split_plan's `how`)
//   byte 5     the client's body options for RETR/TOP: bits 0-2 max_size
//              {off, 1, 7, 100, 1000, 4096, off, off}, bits 3-5
//              max_line_length {off, 1, 8, 78, 1000, off, off, off}; bit 6
//              the writer's encoder refuses bare CR/LF
// Fields (fuzz::field_reader in support.hpp): a text field is a slice (a
// length octet < 0xE0 and the octets; 0xE0-0xEF and one more octet: a 12-bit
// length; 0xF0-0xFF: a 16-bit length and a unit of 0-15 octets repeated to
// it), each in an exact-size heap block of its own. A number is a count(): a
// mode octet and then (mode % 4) 0: one octet, 1: four octets, 2: eight
// octets, 3: one octet indexing {0, 1, 2^32-1, 2^32, 2^64-1, 10^10}. Lists
// are a count octet and that many entries (for 9 and 10, 255 is a null array
// of 3); CAPA is a text, then a count octet of calls on a capabilities value
// (`apply`).
//
// Checked:
// - all or nothing (fuzz::sinks in roundtrip_support.hpp) for every call: a
//   growing sink (the reference), a fixed one of exactly its size, a small one
//   and one already failed (which must give the reference's error: every check
//   comes before the sink, a refused bare CR/LF included);
// - the writer's error is exactly the one a model of response_writer.hpp's
//   rules written here (and fuzz::pop3_model's) gives: controls (but HT) and
//   bad UTF-8 in status text, text that would read back as a response code,
//   codes that are no resp-code, a second "<...@...>" in a greeting, message
//   numbers 0 or over 2^32-1, bad UIDs and language tags, lines over 512
//   octets, NUL in content, bare CR/LF when refused; for CAPA the first bad
//   line in the order written; anything else must be written;
// - written bytes are exactly the model's (status line, listings, CAPA lines
//   in enum order, and for bodies the content normalised: bare CR and bare LF
//   made CRLF, a final CRLF added unless empty, "." doubled at line starts,
//   then ".\r\n"); the line-by-line and whole LIST/UIDL forms, the copy,
//   streamed and gather forms of a message give the same bytes;
// - a client_parser (default options, except the body options of byte 5 and
//   a status limit raised to a challenge's max_line), with the entry
//   expected_for() gives queued (expect_greeting() for the greeting), reads
//   it whole and, with bit 2, in pieces (each in an exact-size block freed
//   when done), giving exactly the model's events and nothing else, never an
//   error: the status, response code (kind and levels), text, APOP timestamp,
//   STAT/LIST/UIDL numbers, sizes and UIDs, list and UIDL items, capability
//   events (tag and parameters), LANG lines, and for bodies data whose
//   concatenation is the normalised content and an end event with the size,
//   the flags the content implies under byte 5's limits (the earliest one as
//   `error`, at the stream offset of the first octet over the limit) and the
//   offsets; the capabilities() folded from a CAPA body equal the value
//   written; every octet is consumed, no entry is left (the AUTH entry stays
//   after a challenge), and with bit 1 the next response is read where it
//   starts (behind STLS's +OK: one data_after_starttls error there).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dot_support.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/dot/encoder.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command_writer.hpp"
#include "mailwire/pop3/response.hpp"
#include "mailwire/pop3/response_writer.hpp"
#include "pop3_support.hpp"
#include "roundtrip_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::pop3;

// The independent models of pop3_support.hpp (`model` here names an error).
namespace rfc = fuzz::pop3_model;

// --- models written from the RFCs and response_writer.hpp's rules -------------------

/// Status and item text: HT, SP-~ and UTF-8; a control is the graver fault.
errc model_text_error(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (rfc::ctl(c) && c != '\t') return errc::invalid_argument;
  }
  return rfc::utf8(s) ? errc{} : errc::invalid_utf8;
}

/// resp-level *("/" resp-level), rchar = %x21-2E / %x30-5C / %x5E-7F (RFC
/// 2449 §8); `del` says whether DEL counts.
bool model_levels(std::string_view s, bool del) {
  if (s.empty()) return false;
  std::size_t run = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '/') {
      if (run == 0) return false;
      run = 0;
    } else if (c >= 0x21 && (c < 0x7F || (del && c == 0x7F)) && c != ']') {
      ++run;
    } else {
      return false;
    }
  }
  return run > 0;
}

/// Text a client reads as starting with a response code: "[" levels "]" then
/// SP or the end (RFC 2449 §8).
bool model_starts_with_code(std::string_view text) {
  if (text.empty() || text[0] != '[') return false;
  const std::size_t close = text.find(']');
  if (close == std::string_view::npos) return false;
  if (!model_levels(text.substr(1, close - 1), true)) return false;
  return close + 1 == text.size() || text[close + 1] == ' ';
}

/// RFC 2449 §8, RFC 3206, RFC 6856 §5: the top level (and SYS's second).
response_code_kind model_code_kind(std::string_view code) {
  if (code.empty()) return response_code_kind::none;
  const std::size_t slash = code.find('/');
  const std::string_view top = code.substr(0, slash);
  if (rfc::iequal(top, "IN-USE")) return response_code_kind::in_use;
  if (rfc::iequal(top, "LOGIN-DELAY")) return response_code_kind::login_delay;
  if (rfc::iequal(top, "AUTH")) return response_code_kind::auth;
  if (rfc::iequal(top, "UTF8")) return response_code_kind::utf8;
  if (rfc::iequal(top, "SYS") && slash != std::string_view::npos) {
    const std::string_view rest = code.substr(slash + 1);
    const std::string_view sub = rest.substr(0, rest.find('/'));
    if (rfc::iequal(sub, "TEMP")) return response_code_kind::sys_temp;
    if (rfc::iequal(sub, "PERM")) return response_code_kind::sys_perm;
  }
  return response_code_kind::other;
}

/// A language tag as a LANG body lists it: 1*8ALPHA *("-" 1*8alphanum).
bool model_language_tag(std::string_view s) {
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const std::size_t dash = s.find('-', start);
    const std::string_view part =
        s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (part.empty() || part.size() > 8) return false;
    for (const char ch : part) {
      const auto c = static_cast<unsigned char>(ch);
      if (!rfc::alpha(c) && (first || !rfc::digit(c))) return false;
    }
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
  }
}

/// unique-id = 1*70 %x21-7E (RFC 1939 §7).
bool model_uid(std::string_view s) {
  if (s.empty() || s.size() > 70) return false;
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) return false;
  return true;
}

std::string decimal(std::uint64_t n) { return std::to_string(n); }

constexpr std::size_t kStatusLimit = 512;  // RFC 2449 §4, CRLF included
constexpr std::size_t kItemLimit = 512;

/// The status line "+OK"/"-ERR" [" [" code "]"] [" " text], or its error.
struct status_model {
  errc error = errc{};
  std::string line;  // without CRLF
};

status_model model_status(response_status st, std::string_view code, std::string_view text) {
  status_model m;
  if (!code.empty() && (rfc::has_ctl(code) || !model_levels(code, false))) {
    m.error = errc::invalid_argument;
    return m;
  }
  if (const errc e = model_text_error(text); e != errc{}) {
    m.error = e;
    return m;
  }
  if (code.empty() ? model_starts_with_code(text) : (!text.empty() && text[0] == ' ')) {
    m.error = errc::invalid_argument;
    return m;
  }
  m.line = st == response_status::ok ? "+OK" : "-ERR";
  if (!code.empty()) m.line += " [" + std::string(code) + "]";
  if (!text.empty()) m.line += " " + std::string(text);
  if (m.line.size() + 2 > kStatusLimit) m.error = errc::line_too_long;
  return m;
}

/// The content as the encoder sends it and the client reads it back: bare CR
/// and bare LF become CRLF, and a final CRLF is added unless it is empty.
std::string model_normalise(std::string_view c) {
  std::string out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i] == '\r') {
      out += "\r\n";
      if (i + 1 < c.size() && c[i + 1] == '\n') ++i;
    } else if (c[i] == '\n') {
      out += "\r\n";
    } else {
      out += c[i];
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0))
    out += "\r\n";
  return out;
}

/// Normalised content dot-stuffed, then ".\r\n" (RFC 1939 §3). `wire_at[k]`
/// gets the offset (from the body's start) of content octet k on the wire.
std::string model_stuff(std::string_view n, std::vector<std::uint64_t>* wire_at) {
  std::string out;
  bool line_start = true;
  for (const char c : n) {
    if (line_start && c == '.') out += '.';
    if (wire_at != nullptr) wire_at->push_back(out.size());
    out += c;
    line_start = c == '\n';
  }
  return out + ".\r\n";
}

/// The first bare CR or LF of the raw content: its position and kind.
struct bare_end {
  std::size_t at = std::string_view::npos;
  errc kind = errc{};
};

bare_end model_first_bare(std::string_view c) {
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i] == '\r' && (i + 1 == c.size() || c[i + 1] != '\n')) return {i, errc::body_bare_cr};
    if (c[i] == '\n' && (i == 0 || c[i - 1] != '\r')) return {i, errc::body_bare_lf};
  }
  return {};
}

// --- the events ---------------------------------------------------------------------

/// One client event, owning its text (data events are joined into one).
struct event {
  client_event_kind kind = client_event_kind::need_more;
  errc error = errc{};
  verb v = verb::unknown;
  bool greeting = false;
  response_status status = response_status::ok;
  bool multi_line = false;
  response_code_kind code_kind = response_code_kind::none;
  std::string code_text;
  std::string text;
  std::string timestamp;
  std::uint32_t number = 0;
  std::uint64_t size = 0;
  std::string uid;
  std::size_t lines = 0;
  std::uint8_t flags = 0;  ///< body_flags as bits from errc::body_bare_cr
  std::uint64_t error_offset = 0;
  std::uint64_t offset = 0;

  bool operator==(const event& o) const {
    return kind == o.kind && error == o.error && v == o.v && greeting == o.greeting &&
           status == o.status && multi_line == o.multi_line && code_kind == o.code_kind &&
           code_text == o.code_text && text == o.text && timestamp == o.timestamp &&
           number == o.number && size == o.size && uid == o.uid && lines == o.lines &&
           flags == o.flags && error_offset == o.error_offset && offset == o.offset;
  }
};

/// The bit of body flag `e` in fuzz::flag_bits (dot_support.hpp).
std::uint8_t flag_bit(errc e) {
  for (std::size_t i = 0; i < sizeof fuzz::kBodyFlags / sizeof fuzz::kBodyFlags[0]; ++i)
    if (fuzz::kBodyFlags[i] == e) return static_cast<std::uint8_t>(1u << i);
  return 0;
}

event from(const client_event& ev) {
  event e;
  e.kind = ev.kind;
  e.error = ev.error;
  e.v = ev.verb;
  e.greeting = ev.greeting;
  e.status = ev.status;
  e.multi_line = ev.multi_line;
  e.code_kind = ev.code.kind;
  e.code_text = std::string(ev.code.text);
  e.text = std::string(ev.text);
  e.timestamp = std::string(ev.timestamp);
  e.number = ev.number;
  e.size = ev.size;
  e.uid = std::string(ev.uid);
  e.lines = ev.lines;
  e.flags = static_cast<std::uint8_t>(fuzz::flag_bits(ev.flags));
  e.error_offset = ev.error_offset;
  e.offset = ev.offset;
  return e;
}

/// What the stream holds and the client must read from it.
struct expectation {
  expected entry;                  ///< queued first (greeting: expect_greeting())
  std::string bytes;               ///< the written response
  std::vector<event> events;       ///< in order; data events joined into one
  bool auth_stays = false;         ///< a challenge: the AUTH entry is still queued
  bool barrier = false;            ///< +OK to STLS: nothing more is read
  std::size_t status_limit = 512;  ///< client_parser_options::max_status_length
  dot::decoder_options body;
  std::optional<capabilities> caps;  ///< what capabilities() must equal after
};

/// The response event to a status line, as the client reads it.
event response_event(const expected& entry, response_status st, std::string_view code,
                     std::string_view text) {
  event e;
  e.kind = client_event_kind::response;
  e.v = entry.verb;
  e.greeting = entry.greeting;
  e.status = st;
  e.code_kind = model_code_kind(code);
  e.code_text = std::string(code);
  e.text = std::string(text);
  e.multi_line = st == response_status::ok && entry.multi_line();
  return e;
}

/// Items of a body: `lines` each made into an event by make(i, line), then
/// the end, starting at stream offset `at`.
template <class Make>
void add_items(expectation& x, std::uint64_t at, const std::vector<std::string>& lines, verb v,
               Make&& make) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    event e = make(lines[i]);
    e.v = v;
    e.lines = i + 1;
    e.offset = at;
    at += lines[i].size() + 2;
    x.events.push_back(e);
  }
  event end;
  end.kind = client_event_kind::end;
  end.v = v;
  end.lines = lines.size();
  end.offset = at + 3;
  x.events.push_back(end);
}

/// The client's events for message content `content` (raw, before
/// normalisation) behind a status line of `status_size` octets: data, then
/// the end with the flags the normalised content implies.
void add_body(expectation& x, verb v, std::string_view content, std::uint64_t status_size) {
  const std::string n = model_normalise(content);
  std::vector<std::uint64_t> wire_at;
  const std::string wire = model_stuff(n, &wire_at);
  if (!n.empty()) {
    event d;
    d.kind = client_event_kind::data;
    d.v = v;
    d.text = n;
    x.events.push_back(d);
  }
  event end;
  end.kind = client_event_kind::end;
  end.v = v;
  end.size = n.size();
  end.offset = status_size + wire.size();
  // The limits of byte 5 (dot/decoder.hpp): lines over max_line_length octets
  // (CRLF included, the stuffing dot not), content over max_size octets; the
  // offset of the first octet over the limit.
  std::uint64_t first = ~0ull;
  errc earliest{};
  const auto flag = [&](errc e, std::uint64_t at) {
    end.flags = static_cast<std::uint8_t>(end.flags | flag_bit(e));
    if (at < first || (at == first && e < earliest)) {
      first = at;
      earliest = e;
    }
  };
  if (x.body.max_line_length != 0) {
    for (std::size_t start = 0; start < n.size();) {
      const std::size_t stop = n.find("\r\n", start) + 2;
      if (stop - start > x.body.max_line_length)
        flag(errc::body_line_too_long, wire_at[start + x.body.max_line_length]);
      start = stop;
    }
  }
  if (x.body.max_size != 0 && n.size() > x.body.max_size)
    flag(errc::message_too_large, wire_at[x.body.max_size]);
  if (end.flags != 0) {
    end.error = earliest;
    end.error_offset = status_size + first;
  }
  x.events.push_back(end);
}

void check_event(const event& got, const event& want) { FUZZ_CHECK(got == want); }

constexpr std::size_t kBigLine = 4096;  // the largest challenge line read

/// Feeds x.bytes (and the trailer) to a client_parser with the expectation's
/// options, whole or in the pieces of `plan`, and checks the events.
template <std::size_t C>
void check_events(const expectation& x, const std::vector<std::size_t>* plan, bool trailer) {
  client_parser_options o;
  o.max_status_length = x.status_limit;
  o.body = x.body;
  const auto p = std::make_unique<client_parser<C, 4>>(o);
  if (x.entry.greeting)
    FUZZ_CHECK(p->expect_greeting() == errc{});
  else
    FUZZ_CHECK(p->expect(x.entry) == errc{});
  std::string bytes = x.bytes;
  std::vector<event> want = x.events;
  if (trailer) {
    FUZZ_CHECK(p->expect(expected_for(verb::noop, false)) == errc{});
    bytes += "+OK\r\n";
    event e;
    e.offset = x.bytes.size();
    if (x.barrier) {
      e.kind = client_event_kind::error;
      e.error = errc::data_after_starttls;
      e.v = verb::stls;
    } else {
      // After a challenge the AUTH entry is still the oldest: the +OK is its.
      e = response_event(
          x.auth_stays ? expected_for(verb::auth, true) : expected_for(verb::noop, false),
          response_status::ok, {}, {});
      e.offset = x.bytes.size();
    }
    want.push_back(e);
  }
  std::vector<std::size_t> whole{bytes.size()};
  std::vector<std::size_t> pieces =
      plan != nullptr ? *plan : whole;  // the plan was made for x.bytes: extend it
  if (plan != nullptr && trailer) pieces.push_back(bytes.size() - x.bytes.size());
  std::vector<event> got;
  fuzz::for_each_piece(bytes, pieces, [&](std::string_view piece, std::size_t at, bool) {
    p->feed(piece);
    for (;;) {
      const client_event& ev = p->next();
      if (ev.kind == client_event_kind::need_more) {
        FUZZ_CHECK(ev.offset == at + piece.size());
        return true;
      }
      FUZZ_CHECK(ev.kind != client_event_kind::error || trailer);
      if (ev.kind == client_event_kind::data && !got.empty() &&
          got.back().kind == client_event_kind::data) {
        FUZZ_CHECK(!ev.text.empty());
        got.back().text.append(ev.text.data(), ev.text.size());
        continue;
      }
      event e = from(ev);
      if (e.kind == client_event_kind::data) {
        FUZZ_CHECK(!ev.text.empty());
        e.offset = 0;  // slices may start at a stuffing dot's successor
      }
      // Each event as it comes; a data event once it is complete (at the next).
      if (!got.empty() && got.back().kind == client_event_kind::data)
        check_event(got.back(), want[got.size() - 1]);
      got.push_back(e);
      FUZZ_CHECK(got.size() <= want.size());
      if (e.kind != client_event_kind::data) check_event(got.back(), want[got.size() - 1]);
    }
  });
  FUZZ_CHECK(got.size() == want.size());
  check_event(got.back(), want.back());
  FUZZ_CHECK(p->offset() == bytes.size() && !p->buffered());
  // Left queued: the AUTH entry after a challenge; with the trailer, the NOOP
  // that the +OK answered instead (challenge) or never reached (STLS).
  FUZZ_CHECK(p->pending() == (x.auth_stays || (trailer && x.barrier) ? 1u : 0u));
  if (x.caps) FUZZ_CHECK(p->capabilities() == *x.caps);
}

struct feed_options {
  bool split = false;
  std::uint8_t how = 0;
  std::uint64_t seed = 0;
  bool trailer = false;
};

void check_read(const expectation& x, const feed_options& f) {
  const auto run_both = [&](auto tag) {
    constexpr std::size_t C = decltype(tag)::value;
    check_events<C>(x, nullptr, f.trailer);
    if (f.split) {
      const std::vector<std::size_t> plan = fuzz::split_plan(
          x.bytes, f.how, f.seed, [](char c) { return c == '\r' || c == '\n' || c == '.'; });
      check_events<C>(x, &plan, f.trailer);
    }
  };
  if (x.status_limit > 512)
    run_both(std::integral_constant<std::size_t, kBigLine>{});
  else
    run_both(std::integral_constant<std::size_t, 1024>{});
}

// --- the entries a plain status line may answer ---------------------------------------

/// Entries write_ok/write_err/write_response may answer. STAT, LIST n and
/// UIDL n carry data in their +OK (the listing writers' business); a +OK to
/// one of those is sent to NOOP instead.
constexpr verb kEntries[] = {verb::user, verb::pass,    verb::apop, verb::auth, verb::stls,
                             verb::capa, verb::utf8,    verb::lang, verb::list, verb::uidl,
                             verb::retr, verb::dele,    verb::noop, verb::rset, verb::top,
                             verb::quit, verb::unknown, verb::stat};

expected entry_from(std::uint8_t b, response_status st) {
  const verb v = kEntries[(b & 0x7F) % (sizeof kEntries / sizeof kEntries[0])];
  const bool arg = (b & 0x80) != 0;
  if (st == response_status::ok &&
      (v == verb::stat || ((v == verb::list || v == verb::uidl) && arg)))
    return expected_for(verb::noop, false);
  return expected_for(v, arg);
}

// --- capabilities from the input ------------------------------------------------------

void apply(fuzz::field_reader& in, capabilities& caps) {
  const capabilities before = caps;
  errc e{};
  const std::uint8_t op = in.byte();
  switch ((op & 0x3F) % 9) {                                            // bits 6-7: arguments
    case 0: caps.set(static_cast<capability>(in.byte() % 14)); return;  // 13: no enumerator
    case 1: e = caps.add_mechanism(in.slice()); break;
    case 2: {
      const std::uint32_t seconds = in.u32();
      caps.set_login_delay(seconds, (op & 0x80) != 0);
      return;
    }
    case 3: {
      const std::uint32_t days = in.u32();
      caps.set_expire((op & 0x40) != 0 ? std::nullopt : std::optional<std::uint32_t>(days),
                      (op & 0x80) != 0);
      return;
    }
    case 4: e = caps.set_implementation(in.slice()); break;
    case 5: caps.set_utf8((op & 0x80) != 0); return;
    case 6:
    case 7: e = caps.add_line(in.slice()); break;
    default: caps.clear(); return;
  }
  if (e != errc{}) FUZZ_CHECK(caps == before);
}

/// The CAPA body lines of `caps` as response_writer.hpp documents them, or
/// the first error among them.
struct capa_model {
  errc error = errc{};
  std::vector<std::string> lines;
};

capa_model model_capa(const capabilities& caps) {
  capa_model m;
  const auto add = [&m](std::string line) {
    if (m.error == errc{} && line.size() + 2 > kItemLimit) m.error = errc::line_too_long;
    m.lines.push_back(std::move(line));
  };
  const auto user = [](bool u) { return std::string(u ? " USER" : ""); };
  for (int i = 0; m.error == errc{} && i <= static_cast<int>(capability::lang); ++i) {
    const auto c = static_cast<capability>(i);
    if (!caps.has(c)) continue;
    switch (c) {
      case capability::sasl: {
        std::string line = "SASL";
        for (int k = 0; k <= static_cast<int>(sasl_mechanism::anonymous); ++k)
          if (caps.has_mechanism(static_cast<sasl_mechanism>(k)))
            line += " " + std::string(mailwire::name(static_cast<sasl_mechanism>(k)));
        for (const std::string_view other : caps.other_mechanisms())
          line += " " + std::string(other);
        if (line == "SASL") m.error = errc::missing_argument;
        add(line);
        break;
      }
      case capability::login_delay:
        add("LOGIN-DELAY " + decimal(caps.login_delay()) + user(caps.login_delay_per_user()));
        break;
      case capability::expire:
        add("EXPIRE " +
            (caps.expire_never() ? std::string("NEVER") : decimal(caps.expire_days().value_or(0))) +
            user(caps.expire_per_user()));
        break;
      case capability::implementation: {
        const std::string_view t = caps.implementation();
        const auto wsp = [](char ch) { return ch == ' ' || ch == '\t'; };
        if (t.empty())
          m.error = errc::missing_argument;
        else if (const errc e = model_text_error(t); e != errc{})
          m.error = e;
        else if (wsp(t.front()) || wsp(t.back()) || t.find('\t') != std::string_view::npos)
          m.error = errc::invalid_argument;
        add("IMPLEMENTATION " + std::string(t));
        break;
      }
      case capability::utf8: add("UTF8" + user(caps.utf8_user())); break;
      case capability::top:
      case capability::user:
      case capability::resp_codes:
      case capability::pipelining:
      case capability::uidl:
      case capability::stls:
      case capability::auth_resp_code:
      case capability::lang: add(std::string(tag(c))); break;
    }
  }
  for (const std::string_view line : caps.unknown()) {
    if (m.error != errc{}) break;
    if (rfc::has_ctl(line)) m.error = errc::invalid_argument;
    add(std::string(line));
  }
  return m;
}

/// A capability event for a written line: the tag and the rest.
event capability_event(const std::string& line) {
  event e;
  e.kind = client_event_kind::capability;
  const std::size_t sp = line.find(' ');
  e.timestamp = line.substr(0, sp);
  e.text = sp == std::string::npos ? std::string() : line.substr(sp + 1);
  return e;
}

constexpr std::size_t kWriters = 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::field_reader in(data, size);
  const std::size_t which = in.byte() % kWriters;
  const std::uint8_t flags = in.byte();
  fuzz::sinks out;
  out.options.prefix = (flags & 1) != 0;
  out.small = in.u16();
  feed_options feed;
  feed.trailer = (flags & 2) != 0;
  feed.split = (flags & 4) != 0;
  feed.how = in.byte();
  feed.seed = fuzz::fnv1a(data, size);
  const std::uint8_t body = in.byte();

  expectation x;
  static constexpr std::uint64_t kMaxSize[] = {0, 1, 7, 100, 1000, 4096, 0, 0};
  static constexpr std::size_t kMaxLine[] = {0, 1, 8, 78, 1000, 0, 0, 0};
  x.body.max_size = kMaxSize[body & 7];
  x.body.max_line_length = kMaxLine[(body >> 3) & 7];
  dot::encoder_options enc_options;
  enc_options.refuse_bare_line_ends = (body & 0x40) != 0;

  // The status line alone, answering x.entry.
  const auto status_only = [&](const status_model& m, response_status st, std::string_view code,
                               std::string_view text, const auto& write) {
    const fuzz::sink_run r = out.run(write, m.error);
    if (r.error != errc{}) return;
    FUZZ_CHECK(r.bytes == m.line + "\r\n");
    x.bytes = r.bytes;
    x.events.push_back(response_event(x.entry, st, code, text));
    x.barrier = st == response_status::ok && x.entry.verb == verb::stls;
    if (x.events.back().multi_line) {
      // An empty body: the terminator alone.
      const fuzz::sink_run end = out.run([](auto& s) { return write_end(s); }, errc{});
      FUZZ_CHECK(end.bytes == ".\r\n");
      x.bytes += end.bytes;
      if (x.entry.verb == verb::retr || x.entry.verb == verb::top)
        add_body(x, x.entry.verb, {}, r.bytes.size());
      else
        add_items(x, r.bytes.size(), {}, x.entry.verb, [](const std::string&) { return event{}; });
      if (x.entry.verb == verb::capa) x.caps = capabilities{};
    }
    fuzz::check_lines(x.bytes);
    check_read(x, feed);
  };

  switch (which) {
    case 0:
    case 1:
    case 2: {
      const response_status st =
          which == 0   ? response_status::ok
          : which == 1 ? response_status::err
                       : ((in.byte() & 1) != 0 ? response_status::err : response_status::ok);
      x.entry = entry_from(in.byte(), st);
      const std::string_view code = which == 2 ? in.slice() : std::string_view();
      const std::string_view text = in.slice();
      status_only(model_status(st, code, text), st, code, text, [&](auto& s) {
        return which == 0   ? write_ok(s, text)
               : which == 1 ? write_err(s, text)
                            : write_response(s, st, code, text);
      });
      break;
    }
    case 3: {
      const std::string_view text = in.slice();
      const std::string_view stamp = in.slice();
      x.entry = expected{verb::unknown, false, true};
      status_model m = model_status(response_status::ok, {}, text);
      if (m.error == errc{} || m.error == errc::line_too_long) {
        bool bad_stamp = false;
        if (!stamp.empty()) {
          bad_stamp =
              stamp.size() < 3 || stamp.front() != '<' || rfc::apop_timestamp(stamp) != stamp;
          for (const char c : stamp)
            bad_stamp = bad_stamp || static_cast<unsigned char>(c) < 0x21 ||
                        static_cast<unsigned char>(c) > 0x7E;
        }
        if (!rfc::apop_timestamp(text).empty() || bad_stamp) {
          m.error = errc::invalid_argument;
        } else {
          m.line = "+OK" + (text.empty() ? "" : " " + std::string(text)) +
                   (stamp.empty() ? "" : " " + std::string(stamp));
          m.error = m.line.size() + 2 > kStatusLimit ? errc::line_too_long : errc{};
        }
      }
      const fuzz::sink_run r =
          out.run([&](auto& s) { return write_greeting(s, text, stamp); }, m.error);
      if (r.error != errc{}) break;
      FUZZ_CHECK(r.bytes == m.line + "\r\n");
      x.bytes = r.bytes;
      event e = response_event(x.entry, response_status::ok, {},
                               m.line.substr(m.line.size() > 3 ? 4 : 3));
      e.timestamp = std::string(stamp);
      x.events.push_back(e);
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    case 4:
    case 5: {
      const std::string_view challenge = in.slice();
      const std::uint8_t mode = in.byte();
      const bool custom = (mode & 0x80) != 0;
      const std::size_t max_line = custom ? in.u16() % (kBigLine + 1) : 512;
      x.entry = expected_for(verb::auth, true);
      std::string text;
      errc model{};
      if (which == 4) {
        text = fuzz::base64_model(challenge);
        if (max_line < 4 || text.size() > max_line - 4) model = errc::line_too_long;
      } else if (rfc::has_ctl(challenge)) {
        model = errc::invalid_argument;
      } else if (!fuzz::base64_model_decode(challenge)) {
        model = errc::invalid_base64;
      } else {
        text = std::string(challenge);
        if (text.size() + 4 > max_line) model = errc::line_too_long;
      }
      const fuzz::sink_run r = out.run(
          [&](auto& s) {
            if (which == 4)
              return custom ? write_challenge(s, challenge, max_line)
                            : write_challenge(s, challenge);
            return custom ? write_challenge_base64(s, challenge, max_line)
                          : write_challenge_base64(s, challenge);
          },
          model);
      if (r.error != errc{}) break;
      FUZZ_CHECK(r.bytes == "+ " + text + "\r\n");
      if (which == 4) FUZZ_CHECK(fuzz::base64_model_decode(text) == std::string(challenge));
      x.bytes = r.bytes;
      x.status_limit = max_line > 512 ? max_line : 512;
      x.auth_stays = true;
      event e;
      e.kind = client_event_kind::challenge;
      e.v = verb::auth;
      e.text = text;
      x.events.push_back(e);
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    case 6:
    case 7:
    case 8: {
      const std::uint64_t n = in.count();
      const std::uint64_t octets = which == 8 ? 0 : in.count();
      const std::string_view uid = which == 8 ? in.slice() : std::string_view();
      errc model{};
      if ((which != 6 && n == 0) || n > 0xFFFFFFFFull)
        model = errc::invalid_message_number;
      else if (which == 8 && rfc::has_ctl(uid))
        model = errc::invalid_argument;
      else if (which == 8 && !model_uid(uid))
        model = errc::invalid_uid;
      const fuzz::sink_run r = out.run(
          [&](auto& s) {
            return which == 6   ? write_drop_listing(s, n, octets)
                   : which == 7 ? write_scan_listing(s, n, octets)
                                : write_unique_id_listing(s, n, uid);
          },
          model);
      if (r.error != errc{}) break;
      const std::string text = decimal(n) + " " + (which == 8 ? std::string(uid) : decimal(octets));
      FUZZ_CHECK(r.bytes == "+OK " + text + "\r\n");
      x.entry = which == 6 ? expected_for(verb::stat, false)
                           : expected_for(which == 7 ? verb::list : verb::uidl, true);
      x.bytes = r.bytes;
      event e = response_event(x.entry, response_status::ok, {}, text);
      e.number = static_cast<std::uint32_t>(n);
      e.size = which == 8 ? 0 : octets;
      e.uid = std::string(uid);
      x.events.push_back(e);
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    case 9:
    case 10: {
      const bool list = which == 9;
      const std::string_view text = in.slice();
      const std::uint8_t count = in.byte();
      const bool null = count == 255;
      std::vector<scan_entry> scans;
      std::vector<unique_id_entry> uids;
      for (std::size_t i = 0; !null && i < count; ++i) {
        if (list) {
          scan_entry s;
          s.message = in.count();
          s.size = in.count();
          scans.push_back(s);
        } else {
          unique_id_entry u;
          u.message = in.count();
          u.uid = in.slice();
          uids.push_back(u);
        }
      }
      const std::size_t n = null ? 3 : count;
      // The whole form: null entries, the text, each entry, the status length.
      errc model{};
      const status_model st = model_status(response_status::ok, {}, text);
      std::vector<std::string> lines;
      if (null) {
        model = errc::invalid_argument;
      } else if (st.error != errc{} && st.error != errc::line_too_long) {
        model = st.error;
      } else {
        for (std::size_t i = 0; model == errc{} && i < n; ++i) {
          const std::uint64_t msg = list ? scans[i].message : uids[i].message;
          if (msg == 0 || msg > 0xFFFFFFFFull)
            model = errc::invalid_message_number;
          else if (!list && rfc::has_ctl(uids[i].uid))
            model = errc::invalid_argument;
          else if (!list && !model_uid(uids[i].uid))
            model = errc::invalid_uid;
          else
            lines.push_back(decimal(msg) + " " +
                            (list ? decimal(scans[i].size) : std::string(uids[i].uid)));
        }
        if (model == errc{}) model = st.error;
      }
      const fuzz::sink_run r = out.run(
          [&](auto& s) {
            if (list) return write_scan_listings(s, text, null ? nullptr : scans.data(), n);
            return write_unique_id_listings(s, text, null ? nullptr : uids.data(), n);
          },
          model);
      // Line by line: write_ok, the items, write_end; each call on its own.
      std::string by_line;
      errc first{};
      {
        const fuzz::sink_run ok = out.run([&](auto& s) { return write_ok(s, text); }, st.error);
        first = ok.error;
        by_line = ok.bytes;
      }
      for (std::size_t i = 0; first == errc{} && !null && i < n; ++i) {
        const std::uint64_t msg = list ? scans[i].message : uids[i].message;
        errc item{};
        if (msg == 0 || msg > 0xFFFFFFFFull)
          item = errc::invalid_message_number;
        else if (!list && rfc::has_ctl(uids[i].uid))
          item = errc::invalid_argument;
        else if (!list && !model_uid(uids[i].uid))
          item = errc::invalid_uid;
        const fuzz::sink_run one = out.run(
            [&](auto& s) {
              return list ? write_scan_item(s, msg, scans[i].size)
                          : write_unique_id_item(s, msg, uids[i].uid);
            },
            item);
        first = one.error;
        by_line += one.bytes;
      }
      if (first == errc{} && !null)
        by_line += out.run([](auto& s) { return write_end(s); }, errc{}).bytes;
      if (null) FUZZ_CHECK(r.error == errc::invalid_argument);
      // The two forms agree: both write the same bytes, or both refuse.
      FUZZ_CHECK((first == errc{} && !null) == (r.error == errc{}));
      if (r.error != errc{}) break;
      FUZZ_CHECK(by_line == r.bytes);
      std::string wire = st.line + "\r\n";
      for (const std::string& l : lines) wire += l + "\r\n";
      FUZZ_CHECK(r.bytes == wire + ".\r\n");
      x.entry = expected_for(list ? verb::list : verb::uidl, false);
      x.bytes = r.bytes;
      x.events.push_back(response_event(x.entry, response_status::ok, {}, text));
      std::size_t i = 0;
      add_items(x, st.line.size() + 2, lines, x.entry.verb, [&](const std::string&) {
        event e;
        e.kind = list ? client_event_kind::list_item : client_event_kind::uidl_item;
        const std::uint64_t msg = list ? scans[i].message : uids[i].message;
        e.number = static_cast<std::uint32_t>(msg);
        if (list)
          e.size = scans[i].size;
        else
          e.uid = std::string(uids[i].uid);
        ++i;
        return e;
      });
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    case 11: {
      const std::string_view text = in.slice();
      const status_model st = model_status(response_status::ok, {}, text);
      const fuzz::sink_run ok = out.run([&](auto& s) { return write_ok(s, text); }, st.error);
      if (ok.error != errc{}) break;
      x.bytes = ok.bytes;
      std::vector<std::string> lines;
      bool failed = false;
      for (std::size_t count = in.byte() % 8; count > 0 && !failed; --count) {
        const std::string_view t = in.slice();
        const std::string_view description = in.slice();
        errc item{};
        std::string line =
            std::string(t) + (description.empty() ? "" : " " + std::string(description));
        if (rfc::has_ctl(t))
          item = errc::invalid_argument;
        else if (!model_language_tag(t))  // "*" is a range, not a tag
          item = errc::invalid_language_range;
        else if (const errc e = model_text_error(description); e != errc{})
          item = e;
        else if (line.size() + 2 > kItemLimit)
          item = errc::line_too_long;
        const fuzz::sink_run one =
            out.run([&](auto& s) { return write_language_item(s, t, description); }, item);
        if (one.error != errc{}) {
          failed = true;
          break;
        }
        FUZZ_CHECK(one.bytes == line + "\r\n");
        x.bytes += one.bytes;
        lines.push_back(line);
      }
      if (failed) break;
      x.bytes += out.run([](auto& s) { return write_end(s); }, errc{}).bytes;
      x.entry = expected_for(verb::lang, false);
      x.events.push_back(response_event(x.entry, response_status::ok, {}, text));
      add_items(x, ok.bytes.size(), lines, verb::lang, [](const std::string& line) {
        event e;
        e.kind = client_event_kind::line;
        e.text = line;
        return e;
      });
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    case 12: {
      const std::string_view text = in.slice();
      capabilities caps;
      for (std::size_t n = in.byte(); n > 0; --n) apply(in, caps);
      const status_model st = model_status(response_status::ok, {}, text);
      capa_model m;
      if (st.error == errc{}) m = model_capa(caps);
      const fuzz::sink_run r = out.run([&](auto& s) { return write_capa_response(s, caps, text); },
                                       st.error != errc{} ? st.error : m.error);
      if (r.error != errc{}) break;
      std::string wire = st.line + "\r\n";
      for (const std::string& l : m.lines) wire += l + "\r\n";
      FUZZ_CHECK(r.bytes == wire + ".\r\n");
      x.entry = expected_for(verb::capa, false);
      x.bytes = r.bytes;
      x.events.push_back(response_event(x.entry, response_status::ok, {}, text));
      add_items(x, st.line.size() + 2, m.lines, verb::capa, capability_event);
      x.caps = caps;
      fuzz::check_lines(x.bytes);
      check_read(x, feed);
      break;
    }
    default: {  // 13-15: a message, three ways
      const std::string_view text = in.slice();
      const std::string_view content = in.slice();
      x.entry = expected_for((in.byte() & 1) != 0 ? verb::top : verb::retr, true);
      const status_model st = model_status(response_status::ok, {}, text);
      const bool nul = content.find('\0') != std::string_view::npos;
      const bare_end bare = model_first_bare(content);
      const bool refused_bare = enc_options.refuse_bare_line_ends && bare.kind != errc{};
      errc model{};
      if (st.error != errc{} && st.error != errc::line_too_long)
        model = st.error;
      else if (nul)
        model = errc::body_nul;
      else
        model = st.error != errc{} ? st.error : refused_bare ? bare.kind : errc{};
      // The copy form, the reference for the other two.
      const fuzz::sink_run r =
          out.run([&](auto& s) { return write_message(s, text, content, enc_options); }, model);
      const std::string wire =
          r.error == errc{} ? st.line + "\r\n" + model_stuff(model_normalise(content), nullptr)
                            : std::string();
      if (r.error == errc{}) FUZZ_CHECK(r.bytes == wire);
      std::string bytes;
      errc error{};
      if (which == 14) {
        // write_ok, then the content in chunks cut by the input, then the end.
        const fuzz::sink_run ok = out.run([&](auto& s) { return write_ok(s, text); }, st.error);
        if (ok.error != errc{}) break;
        bytes = ok.bytes;
        // The content in up to eight chunks (lengths from the input, maybe
        // empty), the rest in a last one.
        std::vector<std::size_t> starts;
        std::size_t at = 0;
        for (int k = 0; k < 7 && at < content.size(); ++k) {
          starts.push_back(at);
          at += in.u16() % (content.size() - at + 1);
        }
        starts.push_back(at);
        dot::encoder enc(enc_options);
        for (std::size_t k = 0; k <= starts.size() && error == errc{}; ++k) {
          const bool end = k == starts.size();
          const std::size_t from = end ? content.size() : starts[k];
          const std::size_t stop = end || k + 1 == starts.size() ? content.size() : starts[k + 1];
          const std::string_view chunk = content.substr(from, stop - from);
          // The call that must fail, and why: the first chunk with a NUL, or
          // the call where the encoder sees the first bare line end (a bare
          // LF where it is, a bare CR at the octet after it or at the end).
          errc want{};
          if (chunk.find('\0') != std::string_view::npos)
            want = errc::body_nul;
          else if (refused_bare && bare.kind == errc::body_bare_lf && bare.at < stop)
            want = bare.kind;
          else if (refused_bare && bare.kind == errc::body_bare_cr &&
                   (bare.at + 1 < stop || (end && bare.at + 1 == content.size())))
            want = bare.kind;
          // Each call into the four sinks with a copy of the encoder, then for
          // real: the same bytes, and on error the encoder is as it was.
          const dot::encoder before = enc;
          const fuzz::sink_run one = out.run(
              [&](auto& s) {
                dot::encoder copy = before;
                return end ? write_body_end(s, copy) : write_body(s, copy, chunk);
              },
              want);
          std::string scratch;
          appendable_sink<std::string> real(scratch);
          const errc e = end ? write_body_end(real, enc) : write_body(real, enc, chunk);
          FUZZ_CHECK(e == one.error && scratch == one.bytes);
          error = e;
          bytes += one.bytes;
        }
        if (error == errc{}) {
          // Finished: more content is refused and writes nothing.
          std::string more;
          appendable_sink<std::string> ms(more);
          FUZZ_CHECK(write_body(ms, enc, "x") == errc::invalid_argument && more.empty());
        }
        FUZZ_CHECK((error == errc{}) == (r.error == errc{}));
      } else if (which == 15) {
        // The gather form, with few segments so that it takes several calls.
        const std::size_t max_segments = 4 + in.byte() % 6;
        std::vector<std::string_view> segments(max_segments);
        dot::encoder enc(enc_options);
        gather_progress g = gather_message(enc, text, content, segments.data(), max_segments);
        std::size_t at = 0;
        for (;;) {
          if (g.error != errc{}) {
            FUZZ_CHECK(g.count == 0 && g.consumed == 0);
            error = g.error;
            break;
          }
          FUZZ_CHECK(g.count <= max_segments && g.consumed <= content.size() - at);
          for (std::size_t i = 0; i < g.count; ++i) {
            // Views of the content or of static storage, never of the input copy.
            bytes.append(segments[i].data(), segments[i].size());
          }
          at += g.consumed;
          if (g.done) break;
          FUZZ_CHECK(g.count > 0);  // progress, else the caller loops forever
          g = gather_body(enc, content.substr(at), segments.data(), max_segments);
        }
        if (error == errc{}) FUZZ_CHECK(at == content.size());
        FUZZ_CHECK((error == errc{}) == (r.error == errc{}));
        if (error != errc{}) {
          // A documented reason: the text, its length, a NUL, a refused bare CR/LF.
          FUZZ_CHECK(error == st.error || (error == errc::body_nul && nul) ||
                     (refused_bare && error == bare.kind));
        }
      } else {
        bytes = r.bytes;
        error = r.error;
      }
      if (error != errc{}) break;
      FUZZ_CHECK(bytes == wire);
      x.bytes = bytes;
      x.events.push_back(response_event(x.entry, response_status::ok, {}, text));
      add_body(x, x.entry.verb, content, st.line.size() + 2);
      check_read(x, feed);
      break;
    }
  }
  return 0;
}
