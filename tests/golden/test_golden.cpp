// Golden traces: tests/golden/<parser>/*.trace, each an escaped input and the
// exact event log expected, replayed whole, byte by byte, at every split and
// at random splits. File format (one item per line):
//   # comment
//   ! key=value ...        parser options
//   > escaped input        lines are concatenated; the file's newlines are not input
//   < expected log line    exactly as the parser's session logs it
// Escapes: \r \n \t \0 \\ \xHH.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/dot_session.hpp"
#include "support/smtp_server_session.hpp"
#include "support/split_feed.hpp"

namespace fs = std::filesystem;
using namespace mailwire;

namespace {

struct golden_case {
  std::vector<std::pair<std::string, std::string>> options;
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
  FAIL("no session for tests/golden/" << parser);
  return {};
}

}  // namespace

TEST_CASE("golden traces replay whole, byte by byte and at every split", "[golden]") {
  const fs::path root = fs::path(MAILWIRE_SOURCE_DIR) / "tests" / "golden";
  std::size_t files = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      if (entry.path().extension() != ".trace") continue;
      ++files;
      const golden_case c = load(entry.path());
      INFO("trace " << entry.path().filename().string());
      CHECK(run(dir.path().filename().string(), c) == c.expected);
    }
  }
  CHECK(files >= 10);
}
