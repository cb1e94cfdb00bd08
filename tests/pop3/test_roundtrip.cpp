// POP3 writers against the POP3 parsers: every command written by
// command_writer.hpp reads back through server_parser as the same command,
// and every response written by response_writer.hpp reads back through
// client_parser as written (message content as normalised by dot::encoder).
// Random values, thousands of iterations, random split points, and hostile
// values that must be refused and never yield a second command.
#include <mailwire/pop3/client_parser.hpp>
#include <mailwire/pop3/command_writer.hpp>
#include <mailwire/pop3/response_writer.hpp>
#include <mailwire/pop3/server_parser.hpp>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support/split_feed.hpp"

using namespace mailwire;
using namespace mailwire::pop3;
using test::escape;
using test::random_plan;
using test::split_plan;

namespace {

using rng_t = std::mt19937;

std::size_t pick(rng_t& rng, std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}

bool chance(rng_t& rng, int percent) { return static_cast<int>(pick(rng, 100)) < percent; }

/// Feeds `wire` in the pieces `plan` names (each in its own heap block,
/// scribbled over after use), calling `drain` after each feed and after EOF.
template <class Feed, class Eof, class Drain>
void feed_split(std::string_view wire, const split_plan& plan, Feed&& feed, Eof&& eof,
                Drain&& drain) {
  std::size_t from = 0;
  auto piece = [&](std::size_t to) {
    std::vector<char> block(wire.begin() + static_cast<std::ptrdiff_t>(from),
                            wire.begin() + static_cast<std::ptrdiff_t>(to));
    block.push_back('#');
    feed(std::string_view(block.data(), to - from));
    drain();
    std::fill(block.begin(), block.end(), '#');
    from = to;
  };
  for (const std::size_t cut : plan) piece(cut);
  piece(wire.size());
  eof();
  drain();
}

// ---------------------------------------------------------------------------
// Server side: commands

/// A server_parser event, copied out of the parser.
struct command_copy {
  server_event_kind kind = server_event_kind::need_more;
  errc error = errc{};
  verb v = verb::unknown;
  std::string argument, name, password, digest, mechanism, initial_response, language, bytes;
  std::uint32_t message = 0, lines = 0;
  bool has_message = false, has_initial_response = false, cancelled = false;

  std::string str() const {
    std::string s = std::to_string(static_cast<int>(kind)) + " " + std::string(name_of(v)) + " e" +
                    std::to_string(static_cast<int>(error)) + " arg=" + escape(argument) +
                    " name=" + escape(name) + " pw=" + escape(password) + " d=" + digest +
                    " m=" + mechanism + " ir=" + initial_response +
                    (has_initial_response ? "!" : "") + " lang=" + language +
                    " msg=" + std::to_string(message) + (has_message ? "!" : "") +
                    " n=" + std::to_string(lines) + " b=" + bytes + (cancelled ? " cancelled" : "");
    return s;
  }
  static std::string_view name_of(verb x) { return x == verb::unknown ? "?" : pop3::name(x); }
};

/// Parses `wire` split per `plan`. After an AUTH with a mechanism, and after
/// every sasl_end that was not cancelled, the next `sasl_lines` lines in
/// total are read as SASL responses (as a server that sent "+ " would).
std::vector<command_copy> parse_commands(std::string_view wire, const split_plan& plan,
                                         int sasl_lines = 0) {
  server_parser<> p;
  std::vector<command_copy> out;
  int sasl_left = sasl_lines;
  auto drain = [&] {
    for (;;) {
      const server_event& ev = p.next();
      if (ev.kind == server_event_kind::need_more) return;
      if (ev.kind == server_event_kind::sasl_data && !out.empty() &&
          out.back().kind == server_event_kind::sasl_data) {
        out.back().bytes += std::string(ev.bytes);
        continue;
      }
      command_copy c;
      c.kind = ev.kind;
      c.error = ev.error;
      c.v = ev.command.verb;
      c.argument = std::string(ev.command.argument);
      c.name = std::string(ev.command.name);
      c.password = std::string(ev.command.password);
      c.digest = std::string(ev.command.digest);
      c.mechanism = std::string(ev.command.mechanism);
      c.initial_response = std::string(ev.command.initial_response);
      c.language = std::string(ev.command.language);
      c.bytes = std::string(ev.bytes);
      c.message = ev.command.message;
      c.has_message = ev.command.has_message;
      c.lines = ev.command.lines;
      c.has_initial_response = ev.command.has_initial_response;
      c.cancelled = ev.cancelled;
      out.push_back(c);
      const bool opens = (ev.kind == server_event_kind::command && ev.command.verb == verb::auth &&
                          !ev.command.mechanism.empty()) ||
                         (ev.kind == server_event_kind::sasl_end && !ev.cancelled);
      if (opens && sasl_left > 0 && p.expect_sasl_response()) --sasl_left;
    }
  };
  feed_split(
      wire, plan, [&](std::string_view b) { p.feed(b); }, [&] { p.feed_eof(); }, drain);
  return out;
}

std::string joined(const std::vector<command_copy>& v) {
  std::string s;
  for (const auto& c : v) s += c.str() + "\n";
  return s;
}

// Random field values. Pools lean towards the octets the grammar cares about.
std::string random_text(rng_t& rng, std::string_view pool, std::size_t min, std::size_t max) {
  std::string s;
  const std::size_t n = min + pick(rng, max - min + 1);
  for (std::size_t i = 0; i < n; ++i) s += pool[pick(rng, pool.size())];
  return s;
}

const std::string_view vchars =
    "abcXYZ019!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "abcdefghijklmnopqrstuvwxyz";

std::string random_utf8(rng_t& rng) {
  static const std::string_view seqs[] = {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  return std::string(seqs[pick(rng, 3)]);
}

std::string random_name(rng_t& rng) {
  std::string s = random_text(rng, vchars, 1, chance(rng, 5) ? 240 : 24);
  if (chance(rng, 20)) s.insert(pick(rng, s.size() + 1), random_utf8(rng));
  return s;
}

std::string random_password(rng_t& rng) {
  std::string s = random_text(rng, std::string(vchars) + "    ", 1, chance(rng, 5) ? 240 : 30);
  if (chance(rng, 20)) s.insert(pick(rng, s.size() + 1), random_utf8(rng));
  return s;
}

std::uint64_t random_number(rng_t& rng, std::uint64_t least) {
  switch (pick(rng, 4)) {
    case 0: return least;
    case 1: return 4294967295u;
    case 2: return least + pick(rng, 100);
    default:
      return least + std::uniform_int_distribution<std::uint64_t>(0, 4294967295u - least)(rng);
  }
}

std::string random_mechanism(rng_t& rng) {
  return random_text(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789-_", 1, 20);
}

std::string random_language(rng_t& rng) {
  if (chance(rng, 10)) return "*";
  std::string s = random_text(rng, "abcdefghijklmnopqrstuvwxyzABC", 1, 8);
  for (std::size_t k = pick(rng, 3); k > 0; --k)
    s += "-" + random_text(rng, "abcdefghijklmnopqrstuvwxyz0123456789", 1, 8);
  return s;
}

std::string random_bytes(rng_t& rng, std::size_t max) {
  std::string s;
  for (std::size_t n = pick(rng, max + 1); n > 0; --n) s += static_cast<char>(pick(rng, 256));
  return s;
}

std::string base64_of(std::string_view raw) {
  std::string s;
  appendable_sink<std::string> sink(s);
  REQUIRE(base64::encode(raw, sink).ok());
  return s;
}

/// One random command: its bytes and the command the server must read.
struct command_case {
  std::string wire;
  command_copy expect;
};

command_case random_command(rng_t& rng) {
  command_case c;
  appendable_sink<std::string> sink(c.wire);
  command_copy& e = c.expect;
  e.kind = server_event_kind::command;
  const auto number_arg = [&](std::uint64_t n) {
    e.message = static_cast<std::uint32_t>(n);
    e.has_message = true;
    e.argument = std::to_string(n);
  };
  errc r{};
  switch (pick(rng, 19)) {
    case 0: {
      const std::string n = random_name(rng);
      r = write_user(sink, n);
      e.v = verb::user;
      e.name = e.argument = n;
      if (n.size() > 255 - 7) {
        CHECK(r == errc::line_too_long);
        return random_command(rng);
      }
      break;
    }
    case 1: {
      const std::string pw = random_password(rng);
      r = write_pass(sink, pw);
      e.v = verb::pass;
      e.password = e.argument = pw;
      if (pw.size() > 255 - 7) {
        CHECK(r == errc::line_too_long);
        return random_command(rng);
      }
      break;
    }
    case 2: {
      const std::string n = random_name(rng).substr(0, 100);
      const std::string secret = random_bytes(rng, 20);
      const apop_digest_text d = apop_digest("<" + std::to_string(pick(rng, 1000)) + "@h>", secret);
      r = write_apop(sink, n, d.view());
      if (r != errc{}) {  // a cut UTF-8 sequence
        CHECK(r == errc::invalid_utf8);
        return random_command(rng);
      }
      e.v = verb::apop;
      e.name = n;
      e.digest = std::string(d.view());
      e.argument = n + " " + e.digest;
      break;
    }
    case 3:
      r = write_stat(sink);
      e.v = verb::stat;
      break;
    case 4:
      r = write_noop(sink);
      e.v = verb::noop;
      break;
    case 5:
      r = write_rset(sink);
      e.v = verb::rset;
      break;
    case 6:
      r = write_quit(sink);
      e.v = verb::quit;
      break;
    case 7:
      r = write_capa(sink);
      e.v = verb::capa;
      break;
    case 8:
      r = write_utf8(sink);
      e.v = verb::utf8;
      break;
    case 9: {
      e.v = verb::list;
      if (chance(rng, 50)) {
        r = write_list(sink);
      } else {
        const std::uint64_t n = random_number(rng, 1);
        r = write_list(sink, n);
        number_arg(n);
      }
      break;
    }
    case 10: {
      e.v = verb::uidl;
      if (chance(rng, 50)) {
        r = write_uidl(sink);
      } else {
        const std::uint64_t n = random_number(rng, 1);
        r = write_uidl(sink, n);
        number_arg(n);
      }
      break;
    }
    case 11: {
      const std::uint64_t n = random_number(rng, 1);
      r = write_retr(sink, n);
      e.v = verb::retr;
      number_arg(n);
      break;
    }
    case 12: {
      const std::uint64_t n = random_number(rng, 1);
      r = write_dele(sink, n);
      e.v = verb::dele;
      number_arg(n);
      break;
    }
    case 13: {
      const std::uint64_t n = random_number(rng, 1);
      const std::uint64_t l = random_number(rng, 0);
      r = write_top(sink, n, l);
      e.v = verb::top;
      number_arg(n);
      e.lines = static_cast<std::uint32_t>(l);
      e.argument += " " + std::to_string(l);
      break;
    }
    case 14: {
      e.v = verb::lang;
      if (chance(rng, 30)) {
        r = write_lang(sink);
      } else {
        e.language = e.argument = random_language(rng);
        r = write_lang(sink, e.language);
      }
      break;
    }
    case 15: {
      e.v = verb::auth;
      if (chance(rng, 10)) {
        r = write_auth(sink);
        break;
      }
      const std::string m = random_mechanism(rng);
      std::string upper = m;
      for (char& ch : upper) ch = ascii::to_upper(ch);
      e.mechanism = e.argument = upper;
      switch (pick(rng, 3)) {
        case 0: r = write_auth(sink, m); break;
        case 1: {
          const std::string raw = random_bytes(rng, 200);
          r = write_auth(sink, m, raw);
          if (!auth_initial_response_fits(m, raw.size())) {
            CHECK(r == errc::line_too_long);
            return random_command(rng);
          }
          e.has_initial_response = true;
          e.initial_response = base64_of(raw);
          e.argument += " " + (raw.empty() ? std::string("=") : e.initial_response);
          break;
        }
        default: {
          const std::string b64 = base64_of(random_bytes(rng, 150));
          r = write_auth_base64(sink, m, b64);
          e.has_initial_response = true;
          e.initial_response = b64;
          e.argument += " " + (b64.empty() ? std::string("=") : b64);
          break;
        }
      }
      break;
    }
    case 16:
      r = write_stls(sink);
      e.v = verb::stls;
      break;
    case 17: {
      // A password at and over the line limit.
      std::string pw(pick(rng, 260) + 1, 'p');
      r = write_pass(sink, pw);
      if (pw.size() > 248) {
        CHECK(r == errc::line_too_long);
        return random_command(rng);
      }
      e.v = verb::pass;
      e.password = e.argument = pw;
      break;
    }
    default: {
      const std::string n = random_text(rng, vchars, 248, 248);
      r = write_user(sink, n);
      e.v = verb::user;
      e.name = e.argument = n;
      break;
    }
  }
  REQUIRE(r == errc{});
  return c;
}

// ---------------------------------------------------------------------------
// Client side: responses

struct response_copy {
  client_event_kind kind = client_event_kind::need_more;
  errc error = errc{};
  verb v = verb::unknown;
  bool greeting = false, multi_line = false;
  response_status status = response_status::ok;
  response_code_kind code_kind = response_code_kind::none;
  std::string code, text, timestamp, uid;
  std::uint32_t number = 0;
  std::uint64_t size = 0;
  std::size_t lines = 0;
  bool flagged = false;

  std::string str() const {
    return std::to_string(static_cast<int>(kind)) + " e" + std::to_string(static_cast<int>(error)) +
           " " + std::string(command_copy::name_of(v)) + (greeting ? " greeting" : "") +
           (multi_line ? " multi" : "") + (status == response_status::ok ? " +OK" : " -ERR") +
           " [" + code + "] k" + std::to_string(static_cast<int>(code_kind)) +
           " text=" + escape(text) + " ts=" + timestamp + " n=" + std::to_string(number) +
           " size=" + std::to_string(size) + " uid=" + uid + " lines=" + std::to_string(lines) +
           (flagged ? " FLAGGED" : "");
  }
};

struct client_run {
  std::vector<response_copy> events;
  capabilities caps;
};

client_run parse_responses(std::string_view wire, const std::vector<expected>& queue,
                           const split_plan& plan) {
  client_parser<> p;
  for (const expected& x : queue) REQUIRE(p.expect(x) == errc{});
  client_run out;
  auto drain = [&] {
    for (;;) {
      const client_event& ev = p.next();
      if (ev.kind == client_event_kind::need_more) return;
      if (ev.kind == client_event_kind::data && !out.events.empty() &&
          out.events.back().kind == client_event_kind::data) {
        out.events.back().text += std::string(ev.text);
        continue;
      }
      response_copy r;
      r.kind = ev.kind;
      r.error = ev.error;
      r.v = ev.verb;
      r.greeting = ev.greeting;
      r.multi_line = ev.multi_line;
      r.status = ev.status;
      r.code_kind = ev.code.kind;
      r.code = std::string(ev.code.text);
      r.text = std::string(ev.text);
      r.timestamp = std::string(ev.timestamp);
      r.uid = std::string(ev.uid);
      r.number = ev.number;
      r.size = ev.size;
      r.lines = ev.lines;
      r.flagged = ev.flags.any();
      out.events.push_back(r);
    }
  };
  feed_split(
      wire, plan, [&](std::string_view b) { p.feed(b); }, [&] { p.feed_eof(); }, drain);
  out.caps = p.capabilities();
  CHECK(p.pending() == 0);
  return out;
}

std::string joined(const std::vector<response_copy>& v) {
  std::string s;
  for (const auto& c : v) s += c.str() + "\n";
  return s;
}

/// Parses whole and at a few random splits; all must agree. Returns the
/// whole run.
client_run parse_responses_split(std::string_view wire, const std::vector<expected>& queue,
                                 rng_t& rng, int rounds = 2) {
  client_run whole = parse_responses(wire, queue, {});
  for (int i = 0; i < rounds; ++i) {
    const client_run part = parse_responses(wire, queue, random_plan(wire.size(), rng));
    INFO("wire: " << escape(wire));
    REQUIRE(joined(part.events) == joined(whole.events));
  }
  return whole;
}

/// Content as a client reads it back: every line end CRLF (a bare CR or LF
/// becomes one), and a final CRLF unless empty.
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

std::string random_status_text(rng_t& rng) {
  std::string s = random_text(rng, " [ ] / a b X - . 0 \t", 0, chance(rng, 5) ? 520 : 20);
  if (chance(rng, 20)) s.insert(pick(rng, s.size() + 1), random_utf8(rng));
  if (chance(rng, 5)) s.insert(pick(rng, s.size() + 1), 1, "\r\n\0\x7f\x01"[pick(rng, 5)]);
  if (chance(rng, 3)) s.insert(pick(rng, s.size() + 1), "\xC3");
  return s;
}

std::string random_code(rng_t& rng) {
  if (chance(rng, 30)) return {};
  static const std::string_view known[] = {"IN-USE", "LOGIN-DELAY", "SYS/TEMP",  "SYS/PERM",
                                           "AUTH",   "UTF8",        "sys/temp/x"};
  if (chance(rng, 50)) return std::string(known[pick(rng, 7)]);
  return random_text(rng, "AZaz09-[\\/]. ", 0, 12);  // often invalid
}

std::string random_message(rng_t& rng) {
  static const std::string_view pool[] = {"a",  "b",    ".",     ". ",        "\r",
                                          "\n", "\r\n", "\r\n.", "\r\n.\r\n", "\n.\n",
                                          "..", " ",    "-ERR",  "+OK",       "\r\r\n"};
  std::string m;
  for (std::size_t n = pick(rng, chance(rng, 10) ? 200 : 20); n > 0; --n) m += pool[pick(rng, 15)];
  return m;
}

capabilities random_capabilities(rng_t& rng) {
  capabilities c;
  for (std::size_t i = 0; i <= static_cast<std::size_t>(capability::lang); ++i) {
    if (!chance(rng, 40)) continue;
    const auto cap = static_cast<capability>(i);
    switch (cap) {
      case capability::sasl: {
        for (std::size_t k = pick(rng, 5) + 1; k > 0; --k) {
          if (chance(rng, 50))
            REQUIRE(c.add_mechanism(mailwire::name(static_cast<sasl_mechanism>(
                        pick(rng, mailwire::detail::mechanism_count)))) == errc{});
          else
            (void)c.add_mechanism(random_mechanism(rng));  // the arena may fill up
        }
        break;
      }
      case capability::login_delay:
        c.set_login_delay(static_cast<std::uint32_t>(random_number(rng, 0)), chance(rng, 50));
        break;
      case capability::expire:
        c.set_expire(chance(rng, 30) ? std::nullopt
                                     : std::optional<std::uint32_t>(
                                           static_cast<std::uint32_t>(random_number(rng, 0))),
                     chance(rng, 50));
        break;
      case capability::implementation: {
        std::string t = random_text(rng, "ab. -/", 1, 40);
        if (chance(rng, 30)) t += random_utf8(rng);
        t = "v" + t + "x";
        REQUIRE(c.set_implementation(t) == errc{});
        break;
      }
      case capability::utf8: c.set_utf8(chance(rng, 50)); break;
      case capability::top:
      case capability::user:
      case capability::resp_codes:
      case capability::pipelining:
      case capability::uidl:
      case capability::stls:
      case capability::auth_resp_code:
      case capability::lang: c.set(cap); break;
    }
  }
  for (std::size_t k = pick(rng, 4); k > 0; --k) {
    const std::string line = "X-" + random_text(rng, "ABCxyz-", 1, 8) +
                             (chance(rng, 50) ? " " + random_text(rng, "ab=1 ", 1, 20) : "");
    (void)c.add_line(line);  // duplicates with other parameters are refused
  }
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------
// Commands

TEST_CASE(
    "pop3 round trip: every command reads back as written (RFC 1939 §5-7, RFC 2449, RFC "
    "5034 §4, RFC 6856)",
    "[pop3][roundtrip][command]") {
  rng_t rng(1939);
  for (int i = 0; i < 4000; ++i) {
    const command_case c = random_command(rng);
    INFO("wire: " << escape(c.wire));
    const std::vector<command_copy> whole = parse_commands(c.wire, {});
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].str() == c.expect.str());
    CHECK(joined(parse_commands(c.wire, random_plan(c.wire.size(), rng))) == joined(whole));
  }
}

TEST_CASE("pop3 round trip: pipelined commands read back in order at any split (RFC 2449 §6.6)",
          "[pop3][roundtrip][command]") {
  rng_t rng(2449);
  for (int i = 0; i < 200; ++i) {
    std::string wire;
    std::string expect;
    for (std::size_t n = pick(rng, 20) + 1; n > 0; --n) {
      command_case c = random_command(rng);
      if (c.expect.v == verb::stls) continue;  // a barrier: nothing after it is read
      wire += c.wire;
      expect += c.expect.str() + "\n";
    }
    INFO("wire: " << escape(wire));
    CHECK(joined(parse_commands(wire, {})) == expect);
    CHECK(joined(parse_commands(wire, random_plan(wire.size(), rng))) == expect);
    CHECK(joined(parse_commands(wire, test::every_byte(wire.size()))) == expect);
  }
}

TEST_CASE(
    "pop3 round trip: hostile values are refused and never make a second command "
    "(docs/security.md §3)",
    "[pop3][roundtrip][command][security]") {
  using writer = std::function<errc(appendable_sink<std::string>&, const std::string&)>;
  struct field {
    const char* what;
    writer write;
    std::function<std::string(const command_copy&)> read;
  };
  const std::string digest(32, 'a');
  const std::vector<field> fields = {
      {"USER", [](auto& s, const std::string& v) { return write_user(s, v); },
       [](const command_copy& c) { return c.name; }},
      {"PASS", [](auto& s, const std::string& v) { return write_pass(s, v); },
       [](const command_copy& c) { return c.password; }},
      {"APOP name", [&](auto& s, const std::string& v) { return write_apop(s, v, digest); },
       [](const command_copy& c) { return c.name; }},
      {"APOP digest", [](auto& s, const std::string& v) { return write_apop(s, "u", v); },
       [](const command_copy& c) { return c.digest; }},
      {"AUTH", [](auto& s, const std::string& v) { return write_auth(s, v); },
       [](const command_copy& c) { return c.mechanism; }},
      {"AUTH b64", [](auto& s, const std::string& v) { return write_auth_base64(s, "X", v); },
       [](const command_copy& c) { return c.initial_response; }},
      {"LANG", [](auto& s, const std::string& v) { return write_lang(s, v); },
       [](const command_copy& c) { return c.language; }},
  };
  std::vector<std::string> hostile = {"a\r\nDELE 1", "a\nDELE 1",
                                      "a\rDELE 1",   std::string("a\0DELE 1", 8),
                                      "\r\n",        "a\r\n.\r\nQUIT",
                                      "a b",         "a\tb",
                                      "a\x7f",       "",
                                      " ",           "\xC3",
                                      "*",           "=",
                                      "AAAA\r\nQUIT"};
  rng_t rng(3);
  for (int i = 0; i < 3000; ++i) {
    std::string v = random_bytes(rng, 12);
    if (chance(rng, 50)) v = random_text(rng, "aAz9 \r\n\t*=+/.-", 0, 12);
    hostile.push_back(v);
  }
  for (const field& f : fields) {
    for (const std::string& v : hostile) {
      std::string out;
      appendable_sink<std::string> sink(out);
      const errc e = f.write(sink, v);
      INFO(f.what << " value " << escape(v));
      if (e != errc{}) {
        CHECK(out.empty());
        continue;
      }
      // Accepted: exactly one line, one command, the same value.
      CHECK(out.find('\n') == out.size() - 1);
      const std::vector<command_copy> got = parse_commands(out, {});
      REQUIRE(got.size() == 1);
      CHECK(got[0].kind == server_event_kind::command);
      std::string expect = v;
      if (std::string_view(f.what) == "AUTH")
        for (char& ch : expect) ch = ascii::to_upper(ch);
      if (std::string_view(f.what) == "APOP digest")
        for (char& ch : expect) ch = ascii::to_lower(ch);
      CHECK(f.read(got[0]) == expect);
    }
  }
  // The CR/LF/NUL hostile values above are all refused, whatever the field.
  for (const field& f : fields)
    for (std::size_t i = 0; i < 5; ++i) {
      std::string out;
      appendable_sink<std::string> sink(out);
      CHECK(f.write(sink, hostile[i]) != errc{});
    }
}

TEST_CASE("pop3 round trip: an AUTH exchange, responses and cancel (RFC 5034 §4)",
          "[pop3][roundtrip][auth]") {
  rng_t rng(5034);
  for (int i = 0; i < 500; ++i) {
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_auth(sink, "SCRAM-SHA-256") == errc{});
    std::vector<std::string> raws;
    for (std::size_t n = pick(rng, 3) + 1; n > 0; --n) {
      raws.push_back(random_bytes(rng, chance(rng, 5) ? 9213 : 60));
      REQUIRE(write_sasl_response(sink, raws.back()) == errc{});
    }
    const bool cancel = chance(rng, 30);
    if (cancel) REQUIRE(write_sasl_cancel(sink) == errc{});
    REQUIRE(write_quit(sink) == errc{});
    const int lines = static_cast<int>(raws.size()) + (cancel ? 1 : 0);
    const std::vector<command_copy> got =
        parse_commands(wire, random_plan(wire.size(), rng), lines);
    std::size_t at = 0;
    REQUIRE(got.size() > at);
    CHECK(got[at++].mechanism == "SCRAM-SHA-256");
    for (const std::string& raw : raws) {
      // An empty response is an empty line: sasl_end with no data before it.
      if (!raw.empty()) {
        REQUIRE(got.size() > at);
        CHECK(got[at].kind == server_event_kind::sasl_data);
        CHECK(got[at++].bytes == base64_of(raw));
      }
      REQUIRE(got.size() > at);
      CHECK(got[at].kind == server_event_kind::sasl_end);
      CHECK_FALSE(got[at++].cancelled);
    }
    if (cancel) {
      REQUIRE(got.size() > at);
      CHECK(got[at].kind == server_event_kind::sasl_end);
      CHECK(got[at++].cancelled);
    }
    REQUIRE(got.size() == at + 1);
    CHECK(got[at].v == verb::quit);
  }
}

// ---------------------------------------------------------------------------
// Responses

TEST_CASE("pop3 round trip: status lines read back as written (RFC 1939 §3, RFC 2449 §8)",
          "[pop3][roundtrip][response]") {
  rng_t rng(8);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    const response_status st = chance(rng, 50) ? response_status::ok : response_status::err;
    const std::string code = random_code(rng);
    const std::string text = random_status_text(rng);
    std::string wire;
    appendable_sink<std::string> sink(wire);
    const errc e = write_response(sink, st, code, text);
    INFO("code " << escape(code) << " text " << escape(text));
    if (e != errc{}) {
      CHECK(wire.empty());
      continue;
    }
    ++accepted;
    CHECK(wire.size() <= 512);
    const client_run r = parse_responses_split(wire, {expected_for(verb::noop, false)}, rng);
    REQUIRE(r.events.size() == 1);
    const response_copy& ev = r.events[0];
    CHECK(ev.kind == client_event_kind::response);
    CHECK(ev.status == st);
    CHECK(ev.code == code);
    CHECK(ev.text == text);
  }
  CHECK(accepted > 1000);
}

TEST_CASE("pop3 round trip: greetings and their APOP timestamp (RFC 1939 §4, §7)",
          "[pop3][roundtrip][greeting]") {
  rng_t rng(7);
  int with_timestamp = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = random_text(rng, "ab <>@.[]", 0, 20);
    std::string ts;
    if (chance(rng, 40))
      ts = "<" + random_text(rng, "ab.1", 0, 8) + "@" + random_text(rng, "ab.1", 0, 8) + ">";
    else if (chance(rng, 50))
      ts = "<" + random_text(rng, "ab.@<> 1", 0, 10) + ">";  // often no msg-id
    std::string wire;
    appendable_sink<std::string> sink(wire);
    if (write_greeting(sink, text, ts) != errc{}) {
      CHECK(wire.empty());
      continue;
    }
    with_timestamp += !ts.empty();
    expected g;
    g.greeting = true;
    const client_run r = parse_responses_split(wire, {g}, rng);
    REQUIRE(r.events.size() == 1);
    INFO("wire: " << escape(wire));
    CHECK(r.events[0].greeting);
    CHECK(r.events[0].timestamp == ts);
    CHECK(r.events[0].text == text + (text.empty() || ts.empty() ? "" : " ") + ts);
  }
  CHECK(with_timestamp > 300);
}

TEST_CASE("pop3 round trip: SASL challenges decode to the raw bytes (RFC 5034 §4)",
          "[pop3][roundtrip][auth]") {
  rng_t rng(34);
  for (int i = 0; i < 1000; ++i) {
    const std::string raw = random_bytes(rng, 381);
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_challenge(sink, raw) == errc{});
    REQUIRE(write_ok(sink, "authenticated") == errc{});
    const client_run r = parse_responses_split(wire, {expected_for(verb::auth, true)}, rng);
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0].kind == client_event_kind::challenge);
    std::string decoded;
    appendable_sink<std::string> d(decoded);
    CHECK(base64::decode(r.events[0].text, d).ok());
    CHECK(decoded == raw);
    CHECK(r.events[1].status == response_status::ok);
  }
}

TEST_CASE("pop3 round trip: STAT, LIST n and UIDL n answers (RFC 1939 §5, §7)",
          "[pop3][roundtrip][listing]") {
  rng_t rng(5);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t count = random_number(rng, 0);
    const std::uint64_t size = chance(rng, 10) ? ~std::uint64_t{0} : random_number(rng, 0);
    const std::uint64_t msg = random_number(rng, 1);
    const std::string uid = random_text(rng, vchars, 1, 70);
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_drop_listing(sink, count, size) == errc{});
    REQUIRE(write_scan_listing(sink, msg, size) == errc{});
    REQUIRE(write_unique_id_listing(sink, msg, uid) == errc{});
    const client_run r =
        parse_responses_split(wire,
                              {expected_for(verb::stat, false), expected_for(verb::list, true),
                               expected_for(verb::uidl, true)},
                              rng, 1);
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0].number == count);
    CHECK(r.events[0].size == size);
    CHECK(r.events[1].number == msg);
    CHECK(r.events[1].size == size);
    CHECK(r.events[2].number == msg);
    CHECK(r.events[2].uid == uid);
    for (const auto& ev : r.events) CHECK(ev.kind == client_event_kind::response);
  }
}

TEST_CASE(
    "pop3 round trip: LIST, UIDL and LANG bodies item by item (RFC 1939 §5, §7, RFC 6856 "
    "§3)",
    "[pop3][roundtrip][listing]") {
  rng_t rng(6);
  for (int i = 0; i < 500; ++i) {
    std::vector<scan_entry> scans(pick(rng, 6));
    for (auto& s : scans) s = {random_number(rng, 1), random_number(rng, 0)};
    std::vector<std::string> uid_text(pick(rng, 6));
    std::vector<unique_id_entry> uids;
    for (auto& u : uid_text) {
      u = random_text(rng, vchars, 1, 70);
      uids.push_back({random_number(rng, 1), u});
    }
    std::vector<std::string> langs(pick(rng, 4));
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_scan_listings(sink, "", scans.data(), scans.size()) == errc{});
    REQUIRE(write_unique_id_listings(sink, "x", uids.data(), uids.size()) == errc{});
    REQUIRE(write_ok(sink, "languages") == errc{});
    for (auto& l : langs) {
      std::string tag = random_language(rng);
      if (tag == "*") tag = "en";
      l = tag + (chance(rng, 50) ? " " + random_text(rng, "ab .\t", 1, 20) + random_utf8(rng) : "");
      const std::size_t sp = l.find(' ');
      REQUIRE(write_language_item(sink, l.substr(0, sp),
                                  sp == std::string::npos ? std::string() : l.substr(sp + 1)) ==
              errc{});
    }
    REQUIRE(write_end(sink) == errc{});
    const client_run r =
        parse_responses_split(wire,
                              {expected_for(verb::list, false), expected_for(verb::uidl, false),
                               expected_for(verb::lang, false)},
                              rng, 1);
    std::size_t at = 0;
    REQUIRE(r.events.size() == 3 + scans.size() + uids.size() + langs.size() + 3);
    CHECK(r.events[at++].multi_line);
    for (const auto& s : scans) {
      CHECK(r.events[at].kind == client_event_kind::list_item);
      CHECK(r.events[at].number == s.message);
      CHECK(r.events[at++].size == s.size);
    }
    CHECK(r.events[at].kind == client_event_kind::end);
    CHECK(r.events[at++].lines == scans.size());
    CHECK(r.events[at++].text == "x");
    for (const auto& u : uids) {
      CHECK(r.events[at].kind == client_event_kind::uidl_item);
      CHECK(r.events[at].number == u.message);
      CHECK(r.events[at++].uid == u.uid);
    }
    CHECK(r.events[at++].kind == client_event_kind::end);
    CHECK(r.events[at++].text == "languages");
    for (const auto& l : langs) {
      CHECK(r.events[at].kind == client_event_kind::line);
      CHECK(r.events[at++].text == l);
    }
    CHECK(r.events[at++].kind == client_event_kind::end);
  }
}

TEST_CASE(
    "pop3 round trip: CAPA written from a capabilities value folds back to it (RFC 2449 "
    "§5-6)",
    "[pop3][roundtrip][capa]") {
  rng_t rng(2595);
  for (int i = 0; i < 2000; ++i) {
    const capabilities caps = random_capabilities(rng);
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_capa_response(sink, caps, chance(rng, 50) ? "Capability list follows" : "") ==
            errc{});
    const client_run r = parse_responses_split(wire, {expected_for(verb::capa, false)}, rng, 1);
    INFO("wire: " << escape(wire));
    for (const auto& ev : r.events) CHECK(ev.kind != client_event_kind::error);
    CHECK(r.events.back().kind == client_event_kind::end);
    CHECK(r.caps == caps);
  }
}

TEST_CASE(
    "pop3 round trip: RETR content decodes to the normalised message at any split (RFC "
    "1939 §3, §5)",
    "[pop3][roundtrip][body]") {
  rng_t rng(1);
  const std::vector<std::string> fixed = {"",   ".",  ".\r\n", "\r\n.\r\n", "a\n.\nb", "a\r",
                                          "\r", "\n", "..",    "a\r\n",     "a"};
  for (int i = 0; i < 2000; ++i) {
    const std::string m = i < static_cast<int>(fixed.size()) ? fixed[i] : random_message(rng);
    std::string wire;
    appendable_sink<std::string> sink(wire);
    REQUIRE(write_message(sink, "message follows", m) == errc{});
    REQUIRE(write_ok(sink, "bye") == errc{});  // the next response, right behind the body
    INFO("message: " << escape(m));
    const client_run r = parse_responses_split(
        wire, {expected_for(verb::retr, true), expected_for(verb::quit, false)}, rng, 3);
    std::string data;
    std::size_t at = 0;
    REQUIRE(r.events.size() >= 3);
    CHECK(r.events[at].multi_line);
    CHECK(r.events[at++].text == "message follows");
    if (r.events[at].kind == client_event_kind::data) data = r.events[at++].text;
    CHECK(data == normalise(m));
    REQUIRE(r.events.size() == at + 2);
    CHECK(r.events[at].kind == client_event_kind::end);
    CHECK_FALSE(r.events[at].flagged);
    CHECK(r.events[at++].size == normalise(m).size());
    CHECK(r.events[at].text == "bye");
  }
}

TEST_CASE(
    "pop3 round trip: streamed and gathered content read back like the copy form (RFC 1939"
    " §3, §7)",
    "[pop3][roundtrip][body][gather]") {
  rng_t rng(2);
  for (int i = 0; i < 1000; ++i) {
    const std::string m = random_message(rng);
    std::string streamed;
    appendable_sink<std::string> sink(streamed);
    REQUIRE(write_ok(sink) == errc{});
    dot::encoder enc;
    for (std::size_t at = 0; at < m.size();) {
      const std::size_t n = pick(rng, 8) + 1;
      REQUIRE(write_body(sink, enc, std::string_view(m).substr(at, n)) == errc{});
      at += n;
    }
    REQUIRE(write_body_end(sink, enc) == errc{});
    std::string gathered;
    std::vector<std::string_view> segs(4 + pick(rng, 6));
    dot::encoder genc;
    gather_progress p = gather_message(genc, "", m, segs.data(), segs.size());
    std::string_view rest = m;
    for (;;) {
      REQUIRE(p.error == errc{});
      for (std::size_t k = 0; k < p.count; ++k) gathered += segs[k];
      rest.remove_prefix(p.consumed);
      if (p.done) break;
      p = gather_body(genc, rest, segs.data(), segs.size());
    }
    CHECK(gathered == streamed);
    const client_run r = parse_responses_split(streamed, {expected_for(verb::top, true)}, rng, 1);
    std::string data;
    for (const auto& ev : r.events)
      if (ev.kind == client_event_kind::data) data += ev.text;
    CHECK(data == normalise(m));
    CHECK(r.events.back().kind == client_event_kind::end);
    CHECK_FALSE(r.events.back().flagged);
  }
}
