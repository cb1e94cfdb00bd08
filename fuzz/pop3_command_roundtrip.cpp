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
// Fields (fuzz::field_reader in support.hpp): a text field is a slice (a
// length octet < 0xE0 and the octets; 0xE0-0xEF and one more octet: a 12-bit
// length; 0xF0-0xFF: a 16-bit length and a unit of 0-15 octets repeated to
// it), each in an exact-size heap block of its own. A number is a count(): a
// mode octet and then (mode % 4) 0: one octet, 1: four octets, 2: eight
// octets, 3: one octet indexing {0, 1, 2^32-1, 2^32, 2^64-1, 10^10}. A digest
// (writer 2) is a mode octet: odd, 16 octets written as 32 hex digits (upper
// case where the mode's bit 1 says), else a slice.
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
//   must be written (the character models: fuzz::pop3_model in
//   pop3_support.hpp; base64: roundtrip_support.hpp);
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
#include "pop3_support.hpp"
#include "roundtrip_support.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
using namespace mailwire::pop3;

// The independent models of pop3_support.hpp (`model` here names an outcome).
namespace rfc = fuzz::pop3_model;

// --- the input -------------------------------------------------------------------

/// A digest: a mode octet; odd: 32 hex digits made from 16 octets (upper case
/// where bit 1 says), else a slice.
std::string_view digest_from(fuzz::field_reader& in) {
  const std::uint8_t mode = in.byte();
  if ((mode & 1) == 0) return in.slice();
  const char* digits = (mode & 2) != 0 ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    const std::uint8_t b = in.byte();
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return in.keep(out);
}

// --- models written from the RFCs --------------------------------------------------

bool model_hex(unsigned char c) {
  return rfc::digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// sasl-mech = 1*20 mech-char (RFC 4422 §3.1), lower case taken too.
bool model_mechanism(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!rfc::alpha(c) && !rfc::digit(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool model_digest(std::string_view s) {
  if (s.size() != 32) return false;
  for (const char c : s)
    if (!model_hex(static_cast<unsigned char>(c))) return false;
  return true;
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
    if (rfc::ctl(c) || c == ' ') return errc::invalid_argument;
  }
  return rfc::utf8(name) ? errc{} : errc::invalid_utf8;
}

errc model_message_error(std::uint64_t n) {
  return n == 0 || n > 0xFFFFFFFFull ? errc::invalid_message_number : errc{};
}

errc model_mechanism_error(std::string_view m) {
  if (m.empty()) return errc::missing_argument;
  if (rfc::has_ctl(m)) return errc::invalid_argument;
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

// --- the writes ----------------------------------------------------------------------

struct run_context {
  fuzz::sinks out;
  std::uint8_t queued = 0;  ///< entries already in the client_parser's queue
};

/// write_expecting() around `write`: refused with queue_full (nothing
/// written, nothing queued) when the queue is full, else the reference's
/// result and bytes and one entry more exactly when written.
template <class Write>
void check_expecting(const Write& write, const run_context& ctx, const expected& entry,
                     const fuzz::sink_run& ref) {
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

/// Runs `write` into the sinks, checks its error against `model`, and on
/// success the line's bytes and shape; returns the bytes ("" on error).
template <class Write>
std::optional<std::string> run(const run_context& ctx, const Write& write, const outcome& model,
                               std::size_t limit, std::optional<expected> entry) {
  const fuzz::sink_run ref = ctx.out.run(write, model.error);
  if (entry) {
    check_expecting(write, ctx, *entry, ref);
    // Whether a +OK to it has a body (RFC 1939 §5, §7; RFC 2449 §5; RFC 6856
    // §3; a bare AUTH: the mechanism list, client_parser.hpp).
    FUZZ_CHECK(entry->multi_line() == rfc::multi_line(*entry));
    FUZZ_CHECK(!entry->greeting);
  }
  if (ref.error != errc{}) return std::nullopt;
  const std::string& b = ref.bytes;
  FUZZ_CHECK(b == model.line + "\r\n");
  fuzz::check_line(b, limit);
  return b;
}

constexpr std::size_t kWriters = 27;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::field_reader in(data, size);
  const std::size_t which = in.byte() % kWriters;
  const std::uint8_t flags = in.byte();
  run_context ctx;
  ctx.out.options.prefix = (flags & 1) != 0;
  const bool trailer = (flags & 2) != 0;
  ctx.out.small = in.u16();
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
      else if (rfc::has_ctl(password))
        model = refuse(errc::invalid_argument);
      else if (!rfc::utf8(password))
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
        digest = digest_from(in);
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
      else if (rfc::has_ctl(digest))
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
      else if (rfc::has_ctl(range))
        model = refuse(errc::invalid_argument);
      else if (!rfc::language_range(range))
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
        text = fuzz::base64_model(response);
        model = fit("AUTH " + upper(mechanism) + " " + (text.empty() ? "=" : text));
      } else if (rfc::has_ctl(response)) {
        model = refuse(errc::invalid_argument);
      } else if (!fuzz::base64_model_decode(response)) {
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
              const std::optional<std::string> raw = fuzz::base64_model_decode(c.initial_response);
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
        text = fuzz::base64_model(response);
        model = fit(text, kSaslLimit, errc::auth_line_too_long);
      } else if (rfc::has_ctl(response)) {
        model = refuse(errc::invalid_argument);
      } else if (!fuzz::base64_model_decode(response)) {
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
        const std::optional<std::string> raw = fuzz::base64_model_decode(text);
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
