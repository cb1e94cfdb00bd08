// mailwire-trace: a raw protocol byte stream in, one JSON object per event out
// (schema: docs/trace.md).
//
//   mailwire-trace smtp-server [--split N | --split-seed S] [--allow-bare-lf]
//                              [--keep-starttls-barrier] [FILE]
//   mailwire-trace smtp-client [--split N | --split-seed S] [--ehlo]
//                              [--starttls-after K [--keep-starttls-barrier]] [FILE]
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

#include "cli.hpp"
#include "trace/smtp_client_trace.hpp"
#include "trace/smtp_server_trace.hpp"

namespace {

int usage() {
  std::fputs(
      "usage: mailwire-trace smtp-server [--split N | --split-seed S] [--allow-bare-lf]\n"
      "                                  [--keep-starttls-barrier] [FILE]\n"
      "       mailwire-trace smtp-client [--split N | --split-seed S] [--ehlo]\n"
      "                                  [--starttls-after K [--keep-starttls-barrier]] [FILE]\n",
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
  const bool server = mode == "smtp-server";
  if (!server && mode != "smtp-client") {
    std::fprintf(stderr, "mailwire-trace: unknown mode '%s'\n", argv[1]);
    return usage();
  }

  mailwire::trace::smtp_server_trace_options server_options;
  mailwire::trace::smtp_client_trace_options client_options;
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
    } else if (server && arg == "--allow-bare-lf") {
      server_options.parser.allow_bare_lf = true;
    } else if (!server && arg == "--ehlo") {
      client_options.ehlo = true;
    } else if (!server && arg == "--starttls-after" && i + 1 < argc) {
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
  if (!server && client_options.keep_starttls_barrier && !client_options.starttls_after)
    return usage();

  std::string input;
  const bool from_stdin = file == nullptr || std::strcmp(file, "-") == 0;
  std::FILE* in = from_stdin ? stdin : std::fopen(file, "rb");
  if (in == nullptr) {
    std::perror(file);
    return 2;
  }
  const bool read_ok = read_all(in, input);
  if (!from_stdin) std::fclose(in);
  if (!read_ok) {
    std::fputs("mailwire-trace: read error\n", stderr);
    return 2;
  }

  std::string out;
  if (server) {
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
