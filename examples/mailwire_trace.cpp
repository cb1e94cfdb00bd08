// mailwire-trace: a raw protocol byte stream in, one JSON object per event out
// (schema: docs/trace.md).
//
//   mailwire-trace smtp-server [--split N | --split-seed S] [--allow-bare-lf]
//                              [--keep-starttls-barrier] [FILE]
//   mailwire-trace smtp-client [--split N | --split-seed S] [--ehlo]
//                              [--starttls-after K [--keep-starttls-barrier]] [FILE]
//   mailwire-trace pop3-server [--split N | --split-seed S] [--allow-bare-lf]
//                              [--allow-extra-spaces] [--keep-starttls-barrier] [FILE]
//   mailwire-trace pop3-client [--split N | --split-seed S] [--commands CMDS]
//                              [--keep-starttls-barrier] [FILE]
//
// FILE "-" or no FILE: stdin.
// smtp-server: FILE (or stdin) is what a client sent; the tool acts as a
// permissive server (accepts every DATA, answers AUTH with 334, resets after
// STARTTLS).
// smtp-client: FILE (or stdin) is what a server sent; the tool prints its
// replies. --ehlo adds the capabilities the reply to EHLO advertises;
// --starttls-after K: the client sent STARTTLS after K replies, and after a
// 2xx answer the rest is the protected session (or, with
// --keep-starttls-barrier, plaintext injected behind the answer).
// pop3-server: FILE (or stdin) is what a POP3 client sent; the tool acts as a
// permissive server (accepts every command, answers "+ " to AUTH until the
// mechanism has had its responses, resets after STLS).
// pop3-client: FILE (or stdin) is what a POP3 server sent; CMDS holds the
// command lines the client sent, one per line, so the tool knows which
// responses have a body. After +OK to STLS the rest is the protected session
// (or, with --keep-starttls-barrier, plaintext injected behind the +OK).
// --split N feeds the parser N octets at a time; --split-seed S feeds it
// pieces of random sizes (1-64 octets) drawn from seed S. The output is the
// same for every split.
// Exit status: 0 when the stream parsed without error events, 1 when there
// were error events, 2 on a read or write error, 64 on a usage error.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "trace/pop3_client_trace.hpp"
#include "trace/pop3_server_trace.hpp"
#include "trace/smtp_client_trace.hpp"
#include "trace/smtp_server_trace.hpp"

namespace {

int usage() {
  std::fputs(
      "usage: mailwire-trace smtp-server [--split N | --split-seed S] [--allow-bare-lf]\n"
      "                                  [--keep-starttls-barrier] [FILE]\n"
      "       mailwire-trace smtp-client [--split N | --split-seed S] [--ehlo]\n"
      "                                  [--starttls-after K [--keep-starttls-barrier]] [FILE]\n"
      "       mailwire-trace pop3-server [--split N | --split-seed S] [--allow-bare-lf]\n"
      "                                  [--allow-extra-spaces] [--keep-starttls-barrier] [FILE]\n"
      "       mailwire-trace pop3-client [--split N | --split-seed S] [--commands CMDS]\n"
      "                                  [--keep-starttls-barrier] [FILE]\n",
      stderr);
  return 64;
}

using mailwire::cli::parse_number;

bool read_all(std::FILE* f, std::string& out) {
  char buf[65536];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (n < sizeof buf) return std::ferror(f) == 0;
  }
}

// Reads a whole file ("-": stdin); false (with a message) on an error.
bool read_file(const char* file, std::string& out) {
  const bool from_stdin = file == nullptr || std::strcmp(file, "-") == 0;
  std::FILE* in = from_stdin ? stdin : std::fopen(file, "rb");
  if (in == nullptr) {
    std::perror(file);
    return false;
  }
  const bool read_ok = read_all(in, out);
  if (!from_stdin) std::fclose(in);
  if (!read_ok)
    std::fprintf(stderr, "mailwire-trace: read error%s%s\n", file ? ": " : "", file ? file : "");
  return read_ok;
}

// The command lines of a --commands file: one per line (LF or CRLF), empty
// lines skipped.
std::vector<std::string> command_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t from = 0;
  while (from < text.size()) {
    std::size_t nl = text.find('\n', from);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(from, nl - from);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    from = nl + 1;
  }
  return lines;
}

// Feeds `input` to `session` whole or in pieces and returns the JSON lines.
template <class Session>
std::string run(Session& session, const std::string& input, std::uint64_t split, bool seeded,
                std::uint64_t seed) {
  std::string out;
  std::mt19937 rng(static_cast<std::uint32_t>(seed));
  std::uniform_int_distribution<std::size_t> piece(1, 64);
  std::size_t at = 0;
  while (at < input.size()) {
    std::size_t n = input.size() - at;
    if (split != 0 && split < n) n = static_cast<std::size_t>(split);
    if (seeded) n = std::min(n, piece(rng));
    // Each piece in its own copy, so a view kept past its feed reads garbage.
    const std::string copy = input.substr(at, n);
    session.feed(copy, out);
    at += n;
  }
  session.finish(out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view mode = argv[1];
  const bool pop3 = mode == "pop3-server" || mode == "pop3-client";
  const bool server = mode == "smtp-server" || mode == "pop3-server";
  if (!pop3 && !server && mode != "smtp-client") {
    std::fprintf(stderr, "mailwire-trace: unknown mode '%s'\n", argv[1]);
    return usage();
  }

  mailwire::trace::smtp_server_trace_options server_options;
  mailwire::trace::smtp_client_trace_options client_options;
  mailwire::trace::pop3_server_trace_options pop3_server_options;
  mailwire::trace::pop3_client_trace_options pop3_client_options;
  const char* commands_file = nullptr;
  std::uint64_t split = 0;
  std::uint64_t seed = 0;
  bool seeded = false;
  const char* file = nullptr;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--split" && i + 1 < argc) {
      if (!parse_number(argv[++i], SIZE_MAX, split) || split == 0) return usage();
    } else if (arg == "--split-seed" && i + 1 < argc) {
      if (!parse_number(argv[++i], UINT32_MAX, seed)) return usage();
      seeded = true;
    } else if (arg == "--keep-starttls-barrier") {
      server_options.keep_starttls_barrier = true;
      client_options.keep_starttls_barrier = true;
      pop3_server_options.keep_starttls_barrier = true;
      pop3_client_options.keep_starttls_barrier = true;
    } else if (server && arg == "--allow-bare-lf") {
      server_options.parser.allow_bare_lf = true;
      pop3_server_options.parser.allow_bare_lf = true;
    } else if (pop3 && server && arg == "--allow-extra-spaces") {
      pop3_server_options.parser.allow_extra_spaces = true;
    } else if (pop3 && !server && arg == "--commands" && i + 1 < argc && commands_file == nullptr) {
      commands_file = argv[++i];
    } else if (!pop3 && !server && arg == "--ehlo") {
      client_options.ehlo = true;
    } else if (!pop3 && !server && arg == "--starttls-after" && i + 1 < argc) {
      std::uint64_t k = 0;
      if (!parse_number(argv[++i], UINT64_MAX, k)) return usage();
      client_options.starttls_after = k;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usage();
    } else if (file == nullptr) {
      file = argv[i];
    } else {
      return usage();
    }
  }
  if (split != 0 && seeded) return usage();
  // Without a STARTTLS there is no barrier to keep.
  if (!pop3 && !server && client_options.keep_starttls_barrier && !client_options.starttls_after)
    return usage();
  // Both cannot be stdin.
  const auto is_stdin = [](const char* f) { return f == nullptr || std::strcmp(f, "-") == 0; };
  if (commands_file != nullptr && is_stdin(commands_file) && is_stdin(file)) return usage();

  std::string input;
  if (!read_file(file, input)) return 2;
  if (commands_file != nullptr) {
    std::string text;
    if (!read_file(commands_file, text)) return 2;
    pop3_client_options.commands = command_lines(text);
  }

  std::string out;
  if (pop3 && server) {
    mailwire::trace::pop3_server_trace session(pop3_server_options);
    out = run(session, input, split, seeded, seed);
  } else if (pop3) {
    mailwire::trace::pop3_client_trace session(std::move(pop3_client_options));
    out = run(session, input, split, seeded, seed);
  } else if (server) {
    mailwire::trace::smtp_server_trace session(server_options);
    out = run(session, input, split, seeded, seed);
  } else {
    mailwire::trace::smtp_client_trace session(client_options);
    out = run(session, input, split, seeded, seed);
  }

  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0)
    return 2;
  return out.find("\"event\":\"error\"") != std::string::npos ? 1 : 0;
}
