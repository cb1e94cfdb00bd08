// Fuzz target: every writer of pop3/command_writer.hpp, fed fields taken raw
// from the input, against pop3::server_parser.
//
// Input: a header, then the chosen writer's fields in the order of its
// signature.
//   byte 0     the writer (mod 27): 0 write_user; 1 write_pass; 2 write_apop
//              (digest as given); 3 write_apop with apop_digest(timestamp,
//              secret); 4-10 write_stat/noop/rset/quit/capa/stls/utf8;
//              11-12 write_list(), write_list(n); 13-14 write_uidl(),
//              write_uidl(n); 15 write_retr; 16 write_dele; 17 write_top;
//              18-19 write_lang(), write_lang(range); 20 write_auth();
//              21 write_auth(mech); 22 write_auth(mech, raw initial
//              response); 23 write_auth_base64; 24 write_sasl_response;
//              25 write_sasl_response_base64; 26 write_sasl_cancel
//   byte 1     bit 0  five octets are already in the sinks (they must survive)
//              bit 1  "NOOP\r\n" follows the written line in the stream
//              bit 2  feed the stream in pieces (fuzz::split_plan, byte 4)
//   bytes 2-3  the capacity of a second, small sink
//   byte 4     how the stream is cut (fuzz::split_plan's `how`)
//   byte 5     entries already queued in a client_parser<1024, 4> for the
//              write_expecting() check (mod 5; 4 is a full queue)
// Fields (class `input`, as in smtp_command_roundtrip.cpp): a text field is a
// slice (a length octet < 0xE0 and the octets; 0xE0-0xEF and one more octet: a
// 12-bit length; 0xF0-0xFF: a 16-bit length and a unit of 0-15 octets repeated
// to it), each in an exact-size heap block of its own. A number is a mode
// octet and then (mode % 4) 0: one octet, 1: four octets, 2: eight octets,
// 3: one octet indexing {0, 1, 2^32-1, 2^32, 2^64-1, 10^10}. A digest (writer
// 2) is a mode octet: odd, 16 octets written as 32 hex digits (upper case where
// the mode's bit 1 says), else a slice.
//
// Checked:
// - all or nothing, as in smtp_command_roundtrip: a growing sink (the
//   reference), a fixed one of exactly its size (the same bytes), a small one
//   (the reference's error, or its bytes if they fit, else buffer_too_small:
//   errors come before the sink) and one already failed (the field error,
//   else buffer_too_small);
// - the writer's error is exactly the one a model of the rules written here
//   gives (command_writer.hpp's order: each field's control check first, then
//   its grammar, then the line's length): a CR, LF, NUL or other control in a
//   text field, an SP in a name, an empty field, message number 0 or over
//   2^32-1, a line over 255 octets (12288 for SASL lines), bad base64, a bad
//   mechanism, digest or language range must be refused, and anything else
//   must be written;
// - a written line is exactly the model's bytes (keyword and mechanism upper
//   case, digest lower case, decimal numbers), ends in the one CRLF and holds
//   no other CR, LF or NUL;
// - a default server_parser<> reads it (whole, or in the pieces of the split
//   plan, each piece in an exact-size block freed when done) as exactly one
//   command event at offset 0, never an error and never a second command, and
//   consumes every octet: the same verb (verb_text upper case), argument, and
//   typed fields (name, password verbatim, digest, message/has_message,
//   lines, mechanism, has_initial_response, the initial response as the
//   canonical base64 of the raw octets, which decodes back to them, language);
//   AUTH with a mechanism allows expect_sasl_response(), nothing else does;
//   with the trailer, the NOOP that follows is the second command at the
//   written line's length (after STLS: one data_after_starttls error there);
// - SASL lines after "AUTH X" and expect_sasl_response(): sasl_data pieces
//   whose concatenation is the base64 text (decoding to the raw octets), then
//   one sasl_end (cancelled for "*");
// - write_expecting() with a client_parser whose queue holds byte 5 entries:
//   queue_full and nothing written when full, else the writer's result and
//   bytes, and one more entry exactly when it wrote; expected_for() gives the
//   verb and whether a +OK to it has a body as RFC 1939/2449/6856 say.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/pop3/apop.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "mailwire/pop3/command_writer.hpp"
#include "mailwire/pop3/server_parser.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::pop3;

// --- the input -------------------------------------------------------------------

class input {
 public:
  input(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}

  std::uint8_t byte() { return at_ < n_ ? p_[at_++] : 0; }
  std::uint64_t number(int octets) {
    std::uint64_t v = 0;
    for (int i = 0; i < octets; ++i) v |= std::uint64_t{byte()} << (8 * i);
    return v;
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(number(2)); }

  /// A message number or line count, biased towards the edges.
  std::uint64_t count() {
    static constexpr std::uint64_t kEdges[] = {
        0, 1, 0xFFFFFFFFull, 0x100000000ull, ~0ull, 10000000000ull};
    const std::uint8_t mode = byte();
    switch (mode % 4) {
      case 0: return byte();
      case 1: return number(4);
      case 2: return number(8);
      default: return kEdges[byte() % (sizeof kEdges / sizeof kEdges[0])];
    }
  }

  std::string_view slice() {
    const std::uint8_t b = byte();
    std::string bytes;
    if (b < 0xE0) {
      bytes = raw(b);
    } else if (b < 0xF0) {
      bytes = raw(static_cast<std::size_t>(b - 0xE0) << 8 | byte());
    } else {
      const std::size_t length = u16();
      const std::string unit = raw(byte() & 15);
      while (!unit.empty() && bytes.size() < length) bytes += unit;
      bytes.resize(unit.empty() ? 0 : length);
    }
    return keep(bytes);
  }

  /// A digest: 32 hex digits made from 16 octets, or a slice.
  std::string_view digest() {
    const std::uint8_t mode = byte();
    if ((mode & 1) == 0) return slice();
    const char* digits = (mode & 2) != 0 ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
      const std::uint8_t b = byte();
      out += digits[b >> 4];
      out += digits[b & 15];
    }
    return keep(out);
  }

 private:
  std::string raw(std::size_t n) {
    const std::size_t take = n < n_ - at_ ? n : n_ - at_;
    std::string s(reinterpret_cast<const char*>(p_) + at_, take);
    at_ += take;
    return s;
  }

  std::string_view keep(const std::string& bytes) {
    blocks_.push_back(fuzz::exact_copy(bytes.data(), bytes.size()));
    return {blocks_.back().get(), bytes.size()};
  }

  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t at_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

// --- models written from the RFCs --------------------------------------------------

bool model_ctl(unsigned char c) { return c < 0x20 || c == 0x7F; }

bool has_ctl(std::string_view s) {
  for (const char c : s)
    if (model_ctl(static_cast<unsigned char>(c))) return true;
  return false;
}

/// RFC 3629 §4: shortest form, no surrogates, nothing above U+10FFFF.
bool model_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      cp = cp << 6 | (t & 0x3F);
    }
    static constexpr std::uint32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kLeast[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

bool model_alpha(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool model_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool model_hex(unsigned char c) {
  return model_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// sasl-mech = 1*20 mech-char (RFC 4422 §3.1), lower case taken too.
bool model_mechanism(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!model_alpha(c) && !model_digit(c) && c != '-' && c != '_') return false;
  }
  return true;
}

/// "*" or a basic language range, 1*8ALPHA *("-" 1*8alphanum) (RFC 4647 §2.1).
bool model_language_range(std::string_view s) {
  if (s == "*") return true;
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const std::size_t dash = s.find('-', start);
    const std::string_view part =
        s.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start);
    if (part.empty() || part.size() > 8) return false;
    for (const char ch : part) {
      const auto c = static_cast<unsigned char>(ch);
      if (!model_alpha(c) && (first || !model_digit(c))) return false;
    }
    if (dash == std::string_view::npos) return true;
    start = dash + 1;
  }
}

bool model_digest(std::string_view s) {
  if (s.size() != 32) return false;
  for (const char c : s)
    if (!model_hex(static_cast<unsigned char>(c))) return false;
  return true;
}

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// base64 with padding (RFC 4648 §4); its output is the only canonical form.
std::string model_base64(std::string_view raw) {
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(raw[i])} << 16 |
                            std::uint32_t{static_cast<unsigned char>(raw[i + 1])} << 8 |
                            static_cast<unsigned char>(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < raw.size()) {
    const bool two = i + 2 == raw.size();
    const std::uint32_t v = std::uint32_t{static_cast<unsigned char>(raw[i])} << 16 |
                            (two ? std::uint32_t{static_cast<unsigned char>(raw[i + 1])} << 8 : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += two ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// Strict base64 (RFC 4648 §4, §3.5: canonical, zero pad bits) decoded; nullopt
/// when it is not.
std::optional<std::string> model_base64_decode(std::string_view t) {
  if (t.size() % 4 != 0) return std::nullopt;
  std::size_t pads = 0;
  while (pads < 2 && pads < t.size() && t[t.size() - 1 - pads] == '=') ++pads;
  std::uint32_t acc = 0;
  int bits = 0;
  std::string out;
  for (std::size_t i = 0; i + pads < t.size(); ++i) {
    const std::size_t v = kAlphabet.find(t[i]);
    if (v == std::string_view::npos) return std::nullopt;
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;  // non-zero pad bits
  // "A===", "AB=" and friends: the pads must complete the last group.
  if (pads != 0 && (t.size() - pads) % 4 != 4 - pads) return std::nullopt;
  if (model_base64(out) != t) return std::nullopt;
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

constexpr std::size_t kCommandLimit = 255;  // RFC 2449 §4, CRLF included
constexpr std::size_t kSaslLimit = 12288;   // server_parser's default auth line

/// What a writer must do: refuse with `error`, or write `line` + CRLF.
struct outcome {
  errc error = errc{};
  std::string line;  ///< without the CRLF
};

outcome refuse(errc e) { return {e, {}}; }

outcome fit(std::string line, std::size_t limit = kCommandLimit,
            errc too_long = errc::line_too_long) {
  if (line.size() + 2 > limit) return refuse(too_long);
  return {errc{}, std::move(line)};
}

/// USER and APOP names: 1*VCHAR with UTF-8 above 0x7F (RFC 2449 §3, RFC 6856
/// §2). A control or SP is invalid_argument wherever it is.
errc model_name_error(std::string_view name) {
  if (name.empty()) return errc::missing_argument;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (model_ctl(c) || c == ' ') return errc::invalid_argument;
  }
  return model_utf8(name) ? errc{} : errc::invalid_utf8;
}

errc model_message_error(std::uint64_t n) {
  return n == 0 || n > 0xFFFFFFFFull ? errc::invalid_message_number : errc{};
}

errc model_mechanism_error(std::string_view m) {
  if (m.empty()) return errc::missing_argument;
  if (has_ctl(m)) return errc::invalid_argument;
  return model_mechanism(m) ? errc{} : errc::invalid_mechanism;
}

std::string number_text(std::uint64_t n) { return std::to_string(n); }

// --- feeding the parser --------------------------------------------------------------

struct feed_plan {
  bool split = false;
  std::uint8_t how = 0;
  std::uint64_t seed = 0;
};

/// Feeds `bytes` to a default server_parser<> (whole, or as the plan cuts it,
/// each piece in its own exact-size block) and calls on_event(parser, event)
/// for every event but need_more. Every octet must be consumed.
template <class OnEvent>
void drive(std::string_view bytes, const feed_plan& plan, OnEvent&& on_event) {
  const auto p = std::make_unique<server_parser<>>();
  std::vector<std::size_t> pieces{bytes.size()};
  if (plan.split)
    pieces = fuzz::split_plan(bytes, plan.how, plan.seed,
                              [](char c) { return c == '\r' || c == '\n' || c == ' '; });
  std::size_t events = 0;
  fuzz::for_each_piece(bytes, pieces, [&](std::string_view piece, std::size_t at, bool) {
    p->feed(piece);
    for (;;) {
      const server_event& ev = p->next();
      if (ev.kind == server_event_kind::need_more) {
        FUZZ_CHECK(ev.offset == at + piece.size() && p->rest().empty());
        return true;
      }
      // sasl_data may come in as many pieces as the feed has.
      if (ev.kind != server_event_kind::sasl_data) FUZZ_CHECK(++events <= 4);
      on_event(*p, ev);
    }
  });
  FUZZ_CHECK(p->offset() == bytes.size());
  FUZZ_CHECK(!p->buffered());
}

/// `line` (the written bytes) must be one command that `check` accepts; with
/// `trailer`, "NOOP\r\n" follows and must be the second command (after STLS:
/// one data_after_starttls error where it starts).
template <class Check>
void expect_one_command(std::string_view line, const feed_plan& plan, bool trailer, Check&& check) {
  const std::string bytes = std::string(line) + (trailer ? "NOOP\r\n" : "");
  int commands = 0, barrier = 0, noops = 0;
  verb first = verb::unknown;
  drive(bytes, plan, [&](server_parser<>& p, const server_event& ev) {
    if (commands == 1 && trailer) {
      // What follows the written line.
      if (first == verb::stls) {
        FUZZ_CHECK(ev.kind == server_event_kind::error && ++barrier == 1);
        FUZZ_CHECK(ev.error == errc::data_after_starttls && ev.command.verb == verb::stls);
        FUZZ_CHECK(ev.offset == line.size());
      } else {
        FUZZ_CHECK(ev.kind == server_event_kind::command && ++noops == 1);
        FUZZ_CHECK(ev.command.verb == verb::noop && ev.command.argument.empty());
        FUZZ_CHECK(ev.offset == line.size());
      }
      return;
    }
    FUZZ_CHECK(ev.kind == server_event_kind::command);  // never an error
    FUZZ_CHECK(++commands == 1);
    FUZZ_CHECK(ev.offset == 0 && ev.error == errc{});
    FUZZ_CHECK(ev.command.verb_text == name(ev.command.verb));
    first = ev.command.verb;
    check(ev.command);
    // Only AUTH with a mechanism opens a SASL exchange. Asking changes the
    // mode, so only when nothing follows.
    if (!trailer)
      FUZZ_CHECK(p.expect_sasl_response() ==
                 (ev.command.verb == verb::auth && !ev.command.mechanism.empty()));
  });
  FUZZ_CHECK(commands == 1);
  if (trailer) FUZZ_CHECK((first == verb::stls ? barrier : noops) == 1);
}

/// `line` (a written SASL response line) after "AUTH X": its base64 text, or
/// the cancel when `text` is nullopt.
void expect_sasl_line(std::string_view line, const feed_plan& plan,
                      std::optional<std::string_view> text) {
  const std::string bytes = "AUTH X\r\n" + std::string(line);
  int commands = 0, ends = 0;
  std::string got;
  drive(bytes, plan, [&](server_parser<>& p, const server_event& ev) {
    switch (ev.kind) {
      case server_event_kind::command:
        FUZZ_CHECK(++commands == 1 && ev.command.verb == verb::auth);
        FUZZ_CHECK(ev.command.mechanism == "X" && !ev.command.has_initial_response);
        FUZZ_CHECK(p.expect_sasl_response());
        return;
      case server_event_kind::sasl_data:
        FUZZ_CHECK(commands == 1 && ends == 0 && !ev.bytes.empty());
        FUZZ_CHECK(ev.offset == 8 + got.size());
        got.append(ev.bytes.data(), ev.bytes.size());
        return;
      case server_event_kind::sasl_end:
        FUZZ_CHECK(commands == 1 && ++ends == 1);
        FUZZ_CHECK(ev.cancelled == !text.has_value());
        FUZZ_CHECK(ev.offset == 8);
        return;
      case server_event_kind::need_more:
      case server_event_kind::error: break;
    }
    FUZZ_CHECK(false);  // an error, or more than one command and one line
  });
  FUZZ_CHECK(commands == 1 && ends == 1);
  FUZZ_CHECK(got == (text ? *text : std::string_view()));
}

// --- the sinks ----------------------------------------------------------------------

constexpr std::string_view kPrefix = "pre\r\n";

struct sink_options {
  bool prefix = false;      ///< kPrefix is in the sink before the write
  bool pre_failed = false;  ///< the sink's failed() latch is set before the write
};

struct sink_run {
  errc error = errc{};
  std::string bytes;  ///< what the write added
};

/// Runs write(sink) into a fixed_sink over an exact-size heap block (a write
/// past it is an ASan report) and checks all or nothing.
template <class Write>
sink_run run_fixed(const Write& write, std::size_t capacity, const sink_options& o) {
  const std::size_t pre = o.prefix ? kPrefix.size() : 0;
  const auto block = fuzz::scribbled_block(pre + capacity);
  fixed_sink sink(block.get(), pre + capacity);
  if (o.prefix) FUZZ_CHECK(sink.append(kPrefix));
  if (o.pre_failed) FUZZ_CHECK(capacity == 0 && !sink.append("x") && sink.failed());
  sink_run r;
  r.error = write(sink);
  FUZZ_CHECK(sink.failed() == (o.pre_failed && r.error != errc{}));
  if (r.error != errc{}) {
    FUZZ_CHECK(sink.size() == pre && sink.view() == kPrefix.substr(0, pre));
    return r;
  }
  FUZZ_CHECK(!o.pre_failed && sink.size() >= pre);
  FUZZ_CHECK(sink.view().substr(0, pre) == kPrefix.substr(0, pre));
  r.bytes = std::string(sink.view().substr(pre));
  return r;
}

/// Runs write(sink) into an appendable_sink<std::string> (which never runs
/// out of room) that may hold kPrefix: the reference result.
template <class Write>
sink_run run_growing(const Write& write, const sink_options& o) {
  const std::size_t pre = o.prefix ? kPrefix.size() : 0;
  std::string out(kPrefix.substr(0, pre));
  appendable_sink<std::string> sink(out);
  sink_run r;
  r.error = write(sink);
  FUZZ_CHECK(!sink.failed() && r.error != errc::buffer_too_small);
  FUZZ_CHECK(out.size() >= pre && out.compare(0, pre, kPrefix.substr(0, pre)) == 0);
  if (r.error != errc{}) FUZZ_CHECK(out.size() == pre);
  r.bytes = out.substr(pre);
  return r;
}

/// The same write into fixed sinks: exactly the reference's size (the same
/// bytes), the small capacity (the reference's error, or its bytes if they
/// fit, else buffer_too_small), and one whose failed() latch is already set.
template <class Write>
void check_fixed_sinks(const Write& write, const sink_options& o, std::uint16_t small,
                       const sink_run& ref) {
  const std::size_t n = ref.bytes.size();
  if (ref.error == errc{}) {
    const sink_run exact = run_fixed(write, n, o);
    FUZZ_CHECK(exact.error == errc{} && exact.bytes == ref.bytes);
  }
  const std::size_t small_capacity = small % (n + 2);
  const sink_run s = run_fixed(write, small_capacity, o);
  if (ref.error != errc{}) {
    FUZZ_CHECK(s.error == ref.error);
  } else if (small_capacity >= n) {
    FUZZ_CHECK(s.error == errc{} && s.bytes == ref.bytes);
  } else {
    FUZZ_CHECK(s.error == errc::buffer_too_small);
  }
  sink_options failed = o;
  failed.pre_failed = true;
  const sink_run refused = run_fixed(write, 0, failed);
  FUZZ_CHECK(refused.error == (ref.error != errc{} ? ref.error : errc::buffer_too_small));
}

struct run_context {
  sink_options sink;
  std::uint16_t small = 0;
  std::uint8_t queued = 0;  ///< entries already in the client_parser's queue
};

/// write_expecting() around `write`: refused with queue_full (nothing
/// written, nothing queued) when the queue is full, else the reference's
/// result and bytes and one entry more exactly when written.
template <class Write>
void check_expecting(const Write& write, const run_context& ctx, const expected& entry,
                     const sink_run& ref) {
  using parser = client_parser<1024, 4>;
  const auto p = std::make_unique<parser>();
  const std::size_t queued = ctx.queued % (parser::queue_capacity + 1);
  for (std::size_t i = 0; i < queued; ++i)
    FUZZ_CHECK(p->expect(expected_for(verb::noop, false)) == errc{});
  std::string out;
  appendable_sink<std::string> sink(out);
  const errc e = write_expecting(sink, *p, entry, write);
  if (queued == parser::queue_capacity) {
    FUZZ_CHECK(e == errc::queue_full && out.empty() && p->pending() == queued);
    return;
  }
  FUZZ_CHECK(e == ref.error && out == ref.bytes);
  FUZZ_CHECK(p->pending() == queued + (e == errc{} ? 1 : 0));
}

/// Whether a +OK to `v` has a body (RFC 1939 §5, §7; RFC 2449 §5; RFC 6856
/// §3), and a bare AUTH, which servers answer with their mechanism list
/// (the form before CAPA SASL; client_parser.hpp).
bool model_multi_line(verb v, bool has_argument) {
  switch (v) {
    case verb::capa:
    case verb::retr:
    case verb::top: return true;
    case verb::list:
    case verb::uidl:
    case verb::lang:
    case verb::auth: return !has_argument;
    case verb::unknown:
    case verb::user:
    case verb::pass:
    case verb::apop:
    case verb::stls:
    case verb::utf8:
    case verb::stat:
    case verb::dele:
    case verb::noop:
    case verb::rset:
    case verb::quit: return false;
  }
  return false;
}

/// Runs `write` into the sinks, checks its error against `model`, and on
/// success the line's bytes and shape; returns the bytes ("" on error).
template <class Write>
std::optional<std::string> run(const run_context& ctx, const Write& write, const outcome& model,
                               std::size_t limit, std::optional<expected> entry) {
  const sink_run ref = run_growing(write, ctx.sink);
  check_fixed_sinks(write, ctx.sink, ctx.small, ref);
  FUZZ_CHECK(ref.error == model.error);
  if (entry) {
    check_expecting(write, ctx, *entry, ref);
    FUZZ_CHECK(entry->multi_line() == model_multi_line(entry->verb, entry->has_argument));
    FUZZ_CHECK(!entry->greeting);
  }
  if (ref.error != errc{}) return std::nullopt;
  const std::string& b = ref.bytes;
  FUZZ_CHECK(b == model.line + "\r\n");
  FUZZ_CHECK(b.size() >= 2 && b.size() <= limit);
  FUZZ_CHECK(b.find_first_of(std::string_view("\r\n\0", 3)) == b.size() - 2);
  return b;
}

constexpr std::size_t kWriters = 27;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in(data, size);
  const std::size_t which = in.byte() % kWriters;
  const std::uint8_t flags = in.byte();
  run_context ctx;
  ctx.sink.prefix = (flags & 1) != 0;
  const bool trailer = (flags & 2) != 0;
  ctx.small = in.u16();
  feed_plan plan;
  plan.split = (flags & 4) != 0;
  plan.how = in.byte();
  ctx.queued = in.byte();
  plan.seed = fuzz::fnv1a(data, size);

  // Runs the writer and, if it wrote, the parser over what it wrote.
  const auto command = [&](const auto& write, const outcome& model, const expected& entry,
                           const auto& check) {
    const std::optional<std::string> b = run(ctx, write, model, kCommandLimit, entry);
    if (b)
      expect_one_command(*b, plan, trailer, [&](const pop3::command& c) {
        FUZZ_CHECK(c.verb == entry.verb);  // expected_for() names the command written
        check(c);
      });
  };
  // A command without arguments.
  const auto bare = [&](verb v, const auto& write) {
    command(write, fit(std::string(name(v))), expected_for(v, false), [v](const pop3::command& c) {
      FUZZ_CHECK(c.verb == v && c.argument.empty() && !c.has_message);
      FUZZ_CHECK(c.mechanism.empty() && c.language.empty() && !c.has_initial_response);
    });
  };
  // A command with a message number: RETR, DELE, LIST n, UIDL n.
  const auto numbered = [&](verb v, const auto& write, std::uint64_t n) {
    const errc e = model_message_error(n);
    const outcome model =
        e != errc{} ? refuse(e) : fit(std::string(name(v)) + " " + number_text(n));
    command(write, model, expected_for(v, true), [&](const pop3::command& c) {
      FUZZ_CHECK(c.verb == v && c.argument == number_text(n));
      FUZZ_CHECK(c.has_message && c.message == n);
    });
  };

  switch (which) {
    case 0: {
      const std::string_view user = in.slice();
      const errc e = model_name_error(user);
      command([&](auto& s) { return write_user(s, user); },
              e != errc{} ? refuse(e) : fit("USER " + std::string(user)),
              expected_for(verb::user, true),
              [&](const pop3::command& c) {
                FUZZ_CHECK(c.verb == verb::user && c.name == user && c.argument == user);
              });
      break;
    }
    case 1: {
      const std::string_view password = in.slice();
      outcome model;
      if (password.empty())
        model = refuse(errc::missing_argument);
      else if (has_ctl(password))
        model = refuse(errc::invalid_argument);
      else if (!model_utf8(password))
        model = refuse(errc::invalid_utf8);
      else
        model = fit("PASS " + std::string(password));
      command([&](auto& s) { return write_pass(s, password); }, model,
              expected_for(verb::pass, true),
              [&](const pop3::command& c) {
                // The rest of the line, spaces included (RFC 1939 §7).
                FUZZ_CHECK(c.verb == verb::pass && c.password == password);
                FUZZ_CHECK(c.argument == password);
              });
      break;
    }
    case 2:
    case 3: {
      const std::string_view user = in.slice();
      apop_digest_text computed;
      std::string_view digest;
      if (which == 2) {
        digest = in.digest();
      } else {
        const std::string_view timestamp = in.slice();
        const std::string_view secret = in.slice();
        computed = apop_digest(timestamp, secret);
        digest = computed.view();
        // Lower-case hex, always (RFC 1939 §7), and what a server accepts, in
        // either case.
        FUZZ_CHECK(digest.size() == 32 && lower(digest) == digest && model_digest(digest));
        FUZZ_CHECK(verify_apop(timestamp, secret, digest));
        FUZZ_CHECK(verify_apop(timestamp, secret, upper(digest)));
      }
      outcome model;
      if (const errc e = model_name_error(user); e != errc{})
        model = refuse(e);
      else if (has_ctl(digest))
        model = refuse(errc::invalid_argument);
      else if (!model_digest(digest))
        model = refuse(errc::invalid_digest);
      else
        model = fit("APOP " + std::string(user) + " " + lower(digest));
      command([&](auto& s) { return write_apop(s, user, digest); }, model,
              expected_for(verb::apop, true),
              [&](const pop3::command& c) {
                FUZZ_CHECK(c.verb == verb::apop && c.name == user);
                FUZZ_CHECK(c.digest == lower(digest));
                FUZZ_CHECK(c.argument == std::string(user) + " " + lower(digest));
              });
      break;
    }
    case 4: bare(verb::stat, [](auto& s) { return write_stat(s); }); break;
    case 5: bare(verb::noop, [](auto& s) { return write_noop(s); }); break;
    case 6: bare(verb::rset, [](auto& s) { return write_rset(s); }); break;
    case 7: bare(verb::quit, [](auto& s) { return write_quit(s); }); break;
    case 8: bare(verb::capa, [](auto& s) { return write_capa(s); }); break;
    case 9: bare(verb::stls, [](auto& s) { return write_stls(s); }); break;
    case 10: bare(verb::utf8, [](auto& s) { return write_utf8(s); }); break;
    case 11: bare(verb::list, [](auto& s) { return write_list(s); }); break;
    case 12: {
      const std::uint64_t n = in.count();
      numbered(
          verb::list, [n](auto& s) { return write_list(s, n); }, n);
      break;
    }
    case 13: bare(verb::uidl, [](auto& s) { return write_uidl(s); }); break;
    case 14: {
      const std::uint64_t n = in.count();
      numbered(
          verb::uidl, [n](auto& s) { return write_uidl(s, n); }, n);
      break;
    }
    case 15: {
      const std::uint64_t n = in.count();
      numbered(
          verb::retr, [n](auto& s) { return write_retr(s, n); }, n);
      break;
    }
    case 16: {
      const std::uint64_t n = in.count();
      numbered(
          verb::dele, [n](auto& s) { return write_dele(s, n); }, n);
      break;
    }
    case 17: {
      const std::uint64_t n = in.count();
      const std::uint64_t lines = in.count();
      outcome model;
      if (const errc e = model_message_error(n); e != errc{})
        model = refuse(e);
      else if (lines > 0xFFFFFFFFull)  // 0 is valid: the headers only
        model = refuse(errc::invalid_line_count);
      else
        model = fit("TOP " + number_text(n) + " " + number_text(lines));
      command([&](auto& s) { return write_top(s, n, lines); }, model, expected_for(verb::top, true),
              [&](const pop3::command& c) {
                FUZZ_CHECK(c.verb == verb::top && c.has_message && c.message == n);
                FUZZ_CHECK(c.lines == lines);
              });
      break;
    }
    case 18: bare(verb::lang, [](auto& s) { return write_lang(s); }); break;
    case 19: {
      const std::string_view range = in.slice();
      outcome model;
      if (range.empty())
        model = refuse(errc::missing_argument);
      else if (has_ctl(range))
        model = refuse(errc::invalid_argument);
      else if (!model_language_range(range))
        model = refuse(errc::invalid_language_range);
      else
        model = fit("LANG " + std::string(range));
      command([&](auto& s) { return write_lang(s, range); }, model, expected_for(verb::lang, true),
              [&](const pop3::command& c) {
                FUZZ_CHECK(c.verb == verb::lang && c.language == range && c.argument == range);
              });
      break;
    }
    case 20: bare(verb::auth, [](auto& s) { return write_auth(s); }); break;
    case 21:
    case 22:
    case 23: {
      const std::string_view mechanism = in.slice();
      const std::string_view response = which == 21 ? std::string_view() : in.slice();
      // The base64 text on the wire ("" for none; "=" is written for empty).
      std::string text;
      outcome model;
      if (const errc e = model_mechanism_error(mechanism); e != errc{}) {
        model = refuse(e);
      } else if (which == 21) {
        model = fit("AUTH " + upper(mechanism));
      } else if (which == 22) {
        text = model_base64(response);
        model = fit("AUTH " + upper(mechanism) + " " + (text.empty() ? "=" : text));
      } else if (has_ctl(response)) {
        model = refuse(errc::invalid_argument);
      } else if (!model_base64_decode(response)) {
        model = refuse(errc::invalid_base64);
      } else {
        text = std::string(response);
        model = fit("AUTH " + upper(mechanism) + " " + (text.empty() ? "=" : text));
      }
      if (which == 22) {
        // auth_initial_response_fits() says what the model says about length.
        const bool fits = model_mechanism_error(mechanism) == errc{} && model.error == errc{};
        if (model_mechanism_error(mechanism) == errc{})
          FUZZ_CHECK(auth_initial_response_fits(mechanism, response.size()) == fits);
      }
      command(
          [&](auto& s) {
            return which == 21   ? write_auth(s, mechanism)
                   : which == 22 ? write_auth(s, mechanism, response)
                                 : write_auth_base64(s, mechanism, response);
          },
          model, expected_for(verb::auth, true),
          [&](const pop3::command& c) {
            FUZZ_CHECK(c.verb == verb::auth && c.mechanism == upper(mechanism));
            FUZZ_CHECK(c.has_initial_response == (which != 21));
            FUZZ_CHECK(c.initial_response == text);
            if (which == 22) {
              const std::optional<std::string> raw = model_base64_decode(c.initial_response);
              FUZZ_CHECK(raw && *raw == response);
            }
          });
      break;
    }
    case 24:
    case 25: {
      const std::string_view response = in.slice();
      std::string text;
      outcome model;
      if (which == 24) {
        text = model_base64(response);
        model = fit(text, kSaslLimit, errc::auth_line_too_long);
      } else if (has_ctl(response)) {
        model = refuse(errc::invalid_argument);
      } else if (!model_base64_decode(response)) {
        model = refuse(errc::invalid_base64);  // "=" and "*" included
      } else {
        text = std::string(response);
        model = fit(text, kSaslLimit, errc::auth_line_too_long);
      }
      const std::optional<std::string> b = run(
          ctx,
          [&](auto& s) {
            return which == 24 ? write_sasl_response(s, response)
                               : write_sasl_response_base64(s, response);
          },
          model, kSaslLimit, std::nullopt);
      if (b) {
        expect_sasl_line(*b, plan, std::string_view(text));
        const std::optional<std::string> raw = model_base64_decode(text);
        FUZZ_CHECK(raw && (which == 25 || *raw == response));
      }
      break;
    }
    default: {
      const std::optional<std::string> b = run(
          ctx, [](auto& s) { return write_sasl_cancel(s); }, fit("*", kSaslLimit), kSaslLimit,
          std::nullopt);
      FUZZ_CHECK(b.has_value());
      expect_sasl_line(*b, plan, std::nullopt);
      break;
    }
  }
  return 0;
}
