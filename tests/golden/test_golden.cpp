// Golden traces: tests/golden/<parser>/*.trace, each an escaped input and the
// exact event log expected, replayed whole, byte by byte, at every split and
// at random splits. File format (one item per line):
//   # comment
//   ! key=value ...        parser options
//   > escaped input        lines are concatenated; the file's newlines are not input
//   < expected log line    exactly as the parser's session logs it
//   $ escaped command      pop3-client only: one command line the client sent
//                          (without CRLF), in order (mailwire-trace --commands)
// Escapes: \r \n \t \0 \\ \xHH.
// Options by folder: dot-decoder policy= max_size= max_line=; smtp-server
// keep_starttls_barrier= allow_bare_lf=; smtp-client ehlo= starttls_after=
// keep_starttls_barrier=; pop3-server keep_starttls_barrier= allow_bare_lf=
// allow_extra_spaces=; pop3-client keep_starttls_barrier= (the
// mailwire-trace flags of docs/trace.md).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/dot_session.hpp"
#include "support/smtp_server_session.hpp"
#include "support/split_feed.hpp"
#include "trace/pop3_client_trace.hpp"
#include "trace/pop3_server_trace.hpp"
#include "trace/smtp_client_trace.hpp"

namespace fs = std::filesystem;
using namespace mailwire;

namespace {

// The smtp-client session of mailwire-trace, one log line per JSON event (the
// client twin of support/smtp_server_session.hpp).
struct smtp_client_session {
  trace::smtp_client_trace trace;

  void feed(std::string_view piece, test::event_log& log) {
    std::string out;
    trace.feed(piece, out);
    test::smtp_server_session::log_lines(out, log);
  }
  void finish(test::event_log& log) {
    std::string out;
    trace.finish(out);
    test::smtp_server_session::log_lines(out, log);
  }
};

// Any mailwire-trace session (examples/trace/), one log line per JSON event.
template <class Trace>
struct trace_session {
  Trace trace;

  void feed(std::string_view piece, test::event_log& log) {
    std::string out;
    trace.feed(piece, out);
    test::smtp_server_session::log_lines(out, log);
  }
  void finish(test::event_log& log) {
    std::string out;
    trace.finish(out);
    test::smtp_server_session::log_lines(out, log);
  }
};

struct golden_case {
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> commands;
  std::string input;
  std::string expected;
};

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case 'x':
        REQUIRE(i + 2 < s.size());
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
        break;
      default: out += e;
    }
  }
  return out;
}

golden_case load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  golden_case c;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    REQUIRE(line.size() >= 2);
    const std::string body = line.substr(2);
    if (line[0] == '>') {
      c.input += unescape(body);
    } else if (line[0] == '<') {
      c.expected += body + "\n";
    } else if (line[0] == '$') {
      c.commands.push_back(unescape(body));
    } else if (line[0] == '!') {
      std::istringstream words(body);
      std::string word;
      while (words >> word) {
        const auto eq = word.find('=');
        REQUIRE(eq != std::string::npos);
        c.options.emplace_back(word.substr(0, eq), word.substr(eq + 1));
      }
    } else {
      FAIL("bad line in " << file << ": " << line);
    }
  }
  return c;
}

dot::decoder_options decoder_options_from(const golden_case& c) {
  dot::decoder_options o;
  for (const auto& [key, value] : c.options) {
    if (key == "policy") {
      REQUIRE((value == "reject" || value == "normalize" || value == "allow"));
      o.policy = value == "reject"      ? dot::line_end_policy::reject
                 : value == "normalize" ? dot::line_end_policy::normalize
                                        : dot::line_end_policy::allow;
    } else if (key == "max_size") {
      o.max_size = std::stoull(value);
    } else if (key == "max_line") {
      o.max_line_length = std::stoul(value);
    } else {
      FAIL("unknown option " << key);
    }
  }
  return o;
}

std::string run(const std::string& parser, const golden_case& c) {
  if (parser == "dot-decoder") {
    const auto o = decoder_options_from(c);
    return test::check_split_invariance(
        [&] {
          return test::decoder_session{dot::decoder(o), false, {}};
        },
        c.input);
  }
  if (parser == "smtp-server") {
    trace::smtp_server_trace_options o;
    for (const auto& [key, value] : c.options) {
      if (key == "keep_starttls_barrier") {
        o.keep_starttls_barrier = value == "1";
      } else if (key == "allow_bare_lf") {
        o.parser.allow_bare_lf = value == "1";
      } else {
        FAIL("unknown option " << key);
      }
    }
    return test::smtp_server_trace_of(c.input, o);
  }
  if (parser == "smtp-client") {
    trace::smtp_client_trace_options o;
    for (const auto& [key, value] : c.options) {
      if (key == "ehlo") {
        o.ehlo = value == "1";
      } else if (key == "starttls_after") {
        o.starttls_after = std::stoull(value);
      } else if (key == "keep_starttls_barrier") {
        o.keep_starttls_barrier = value == "1";
      } else {
        FAIL("unknown option " << key);
      }
    }
    return test::check_split_invariance(
        [&] { return smtp_client_session{trace::smtp_client_trace(o)}; }, c.input);
  }
  if (parser == "pop3-server") {
    trace::pop3_server_trace_options o;
    for (const auto& [key, value] : c.options) {
      if (key == "keep_starttls_barrier") {
        o.keep_starttls_barrier = value == "1";
      } else if (key == "allow_bare_lf") {
        o.parser.allow_bare_lf = value == "1";
      } else if (key == "allow_extra_spaces") {
        o.parser.allow_extra_spaces = value == "1";
      } else {
        FAIL("unknown option " << key);
      }
    }
    return test::check_split_invariance(
        [&] { return trace_session<trace::pop3_server_trace>{trace::pop3_server_trace(o)}; },
        c.input);
  }
  if (parser == "pop3-client") {
    trace::pop3_client_trace_options o;
    o.commands = c.commands;
    for (const auto& [key, value] : c.options) {
      if (key == "keep_starttls_barrier") {
        o.keep_starttls_barrier = value == "1";
      } else {
        FAIL("unknown option " << key);
      }
    }
    return test::check_split_invariance(
        [&] { return trace_session<trace::pop3_client_trace>{trace::pop3_client_trace(o)}; },
        c.input);
  }
  FAIL("no session for tests/golden/" << parser);
  return {};
}

}  // namespace

TEST_CASE("golden traces replay whole, byte by byte and at every split", "[golden]") {
  const fs::path root = fs::path(MAILWIRE_SOURCE_DIR) / "tests" / "golden";
  std::size_t files = 0;
  std::size_t client_files = 0;
  std::size_t pop3_server_files = 0;
  std::size_t pop3_client_files = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.path().extension() != ".trace") continue;
      ++files;
      if (dir.path().filename() == "smtp-client") ++client_files;
      if (dir.path().filename() == "pop3-server") ++pop3_server_files;
      if (dir.path().filename() == "pop3-client") ++pop3_client_files;
      const golden_case c = load(entry.path());
      // Commands are the pop3-client's input only.
      CHECK((c.commands.empty() || dir.path().filename() == "pop3-client"));
      INFO("trace " << entry.path().filename().string());
      CHECK(run(dir.path().filename().string(), c) == c.expected);
    }
  }
  CHECK(files >= 10);
  CHECK(client_files >= 20);
  CHECK(pop3_server_files >= 12);
  CHECK(pop3_client_files >= 12);
}

TEST_CASE(
    "smtp-client trace: random server streams print the same at every split "
    "(RFC 5321 §4.2, RFC 3207 §4)",
    "[golden][smtp-client]") {
  // Streams glued from reply fragments, good and broken, with the STARTTLS
  // answer at a random place: the session must print the same JSON lines
  // whatever the split (the reset after STARTTLS re-feeds the rest of a
  // piece), every line one event object, and nothing after
  // data_after_starttls.
  static const char* const fragments[] = {
      "220 mx.example ESMTP\r\n",
      "250-mx.example\r\n",
      "250-PIPELINING\r\n",
      "250-SIZE 1000\r\n",
      "250 STARTTLS\r\n",
      "250 2.1.0 Ok\r\n",
      "354 go\r\n",
      "220 2.0.0 Ready\r\n",
      "550-5.1.1 no\r\n",
      "550 5.1.1 such user\r\n",
      "251 other code\r\n",
      "421 4.7.0 bye\r\n",
      "250 a\nb\r\n",
      "250 a\rb\r\n",
      "199 x\r\n",
      "250x\r\n",
      "250 5.0.0 x\r\n",
      "250-",
      "\r\n",
      "\n",
      "\r",
      "x",
      "2",
      "5",
  };
  std::mt19937 rng(20240102);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(fragments) - 1);
  std::uniform_int_distribution<int> count(0, 24);
  std::uniform_int_distribution<int> starttls(-1, 4);
  std::uniform_int_distribution<int> coin(0, 1);
  for (int round = 0; round < 200; ++round) {
    std::string input;
    for (int n = count(rng); n > 0; --n) input += fragments[pick(rng)];
    if (coin(rng) == 1) input += std::string(600, 'y') + "\r\n";
    trace::smtp_client_trace_options o;
    o.ehlo = coin(rng) == 1;
    const int k = starttls(rng);
    if (k >= 0) o.starttls_after = static_cast<std::uint64_t>(k);
    o.keep_starttls_barrier = coin(rng) == 1;
    INFO("round " << round << ", starttls_after " << k << ", keep " << o.keep_starttls_barrier);
    const std::string log = test::check_split_invariance(
        [&] { return smtp_client_session{trace::smtp_client_trace(o)}; }, input, 8, 256);
    std::istringstream lines(log);
    std::string line;
    bool after_barrier = false;
    while (std::getline(lines, line)) {
      CHECK(line.rfind("{\"event\":\"", 0) == 0);
      CHECK(line.back() == '}');
      CHECK_FALSE(after_barrier);
      after_barrier = line.find("\"data_after_starttls\"") != std::string::npos;
    }
  }
}

TEST_CASE(
    "pop3 traces: random streams print the same at every split (RFC 1939 §3, RFC 2595 §4, "
    "RFC 5034 §4)",
    "[golden][pop3-server][pop3-client]") {
  // Streams glued from fragments, good and broken, with STLS, AUTH exchanges
  // and bodies at random places: both sessions must print the same JSON lines
  // whatever the split (the reset after STLS re-feeds the rest of a piece),
  // every line one event object, and nothing after data_after_starttls.
  static const char* const client_fragments[] = {
      "USER alice\r\n",
      "PASS a b c\r\n",
      "STAT\r\n",
      "LIST\r\n",
      "LIST 2\r\n",
      "RETR 1\r\n",
      "TOP 1 0\r\n",
      "STLS\r\n",
      "CAPA\r\n",
      "AUTH PLAIN\r\n",
      "AUTH LOGIN\r\n",
      "AUTH PLAIN =\r\n",
      "dGVzdA==\r\n",
      "*\r\n",
      "\r\n",
      "RETR 0\r\n",
      "FOO\r\n",
      "NOOP\n",
      "QUIT\r",
      "LIST  1\r\n",
      "UIDL 4294967296\r\n",
      "x",
      "\r\n",
      "\0",
      "LANG de\r\n",
  };
  static const char* const server_fragments[] = {
      "+OK ready <1.2@h>\r\n",
      "+OK\r\n",
      "-ERR [SYS/TEMP] no\r\n",
      "+OK 2 320\r\n",
      "+ \r\n",
      "+ dGVzdA==\r\n",
      "+ !!\r\n",
      "1 120\r\n",
      "2 x\r\n",
      "..dots\r\n",
      ".\r\n",
      "TOP\r\n",
      "SASL PLAIN\r\n",
      "+OK 1 abc\r\n",
      "a\nb\r\n",
      "+OKAY\r\n",
      "\r\n",
      "x",
      "\r",
      "\0",
  };
  static const char* const commands[] = {"STAT",   "LIST",    "LIST 1", "UIDL",   "UIDL 1",
                                         "RETR 1", "TOP 1 0", "CAPA",   "STLS",   "AUTH PLAIN",
                                         "LANG",   "LANG de", "USER a", "XTND x", "QUIT"};
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<std::size_t> pick_client(0, std::size(client_fragments) - 1);
  std::uniform_int_distribution<std::size_t> pick_server(0, std::size(server_fragments) - 1);
  std::uniform_int_distribution<std::size_t> pick_command(0, std::size(commands) - 1);
  std::uniform_int_distribution<int> count(0, 24);
  std::uniform_int_distribution<int> coin(0, 1);
  const auto check_lines = [](const std::string& log) {
    std::istringstream lines(log);
    std::string line;
    bool after_barrier = false;
    while (std::getline(lines, line)) {
      CHECK(line.rfind("{\"event\":\"", 0) == 0);
      CHECK(line.back() == '}');
      CHECK_FALSE(after_barrier);
      after_barrier = line.find("\"data_after_starttls\"") != std::string::npos;
    }
  };
  for (int round = 0; round < 150; ++round) {
    INFO("round " << round);
    std::string input;
    for (int n = count(rng); n > 0; --n) input += client_fragments[pick_client(rng)];
    if (coin(rng) == 1) input += std::string(300, 'y') + "\r\n";
    trace::pop3_server_trace_options so;
    so.keep_starttls_barrier = coin(rng) == 1;
    so.parser.allow_extra_spaces = coin(rng) == 1;
    check_lines(test::check_split_invariance(
        [&] { return trace_session<trace::pop3_server_trace>{trace::pop3_server_trace(so)}; },
        input, 8, 256));

    input.clear();
    for (int n = count(rng); n > 0; --n) input += server_fragments[pick_server(rng)];
    if (coin(rng) == 1) input += std::string(600, 'y') + "\r\n";
    trace::pop3_client_trace_options co;
    for (int n = count(rng); n > 0; --n) co.commands.emplace_back(commands[pick_command(rng)]);
    co.keep_starttls_barrier = coin(rng) == 1;
    check_lines(test::check_split_invariance(
        [&] { return trace_session<trace::pop3_client_trace>{trace::pop3_client_trace(co)}; },
        input, 8, 256));
  }
}

TEST_CASE("pop3-client trace: commands beyond the parser's queue are queued as it drains",
          "[golden][pop3-client]") {
  // 100 pipelined NOOPs (more than the queue holds) and their 100 +OKs: every
  // response is matched, none is unexpected.
  trace::pop3_client_trace_options o;
  std::string input = "+OK ready\r\n";
  for (int i = 0; i < 100; ++i) {
    o.commands.emplace_back("NOOP");
    input += "+OK " + std::to_string(i) + "\r\n";
  }
  input += "+OK one too many\r\n";
  const std::string log = test::check_split_invariance(
      [&] { return trace_session<trace::pop3_client_trace>{trace::pop3_client_trace(o)}; }, input,
      4, 0);
  std::size_t statuses = 0;
  for (std::size_t at = log.find("\"event\":\"status\""); at != std::string::npos;
       at = log.find("\"event\":\"status\"", at + 1))
    ++statuses;
  CHECK(statuses == 101);
  CHECK(log.find("\"text\":\"99\"") != std::string::npos);
  CHECK(log.find("\"error\":\"unexpected_response\",\"line\":\"+OK one too many\"") !=
        std::string::npos);
}
