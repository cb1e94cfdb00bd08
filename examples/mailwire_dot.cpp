// mailwire-dot: dot-stuffing codec on stdin/stdout.
//
//   mailwire-dot encode [--policy normalize|reject] [--split N]
//   mailwire-dot decode [--policy reject|normalize|allow] [--split N]
//                       [--max-size N] [--max-line N]
//
// encode: message content in, SMTP DATA / POP3 RETR payload out (terminator
//   included). Bare CR/LF are normalized to CRLF; with --policy reject they
//   are refused: exit 1, the offending offset on stderr, the payload so far
//   on stdout.
// decode: payload in, content out. The last line on stderr is
//   consumed=<input octets up to and including the terminator>.
//   Exit 0: terminator found, nothing flagged. 1: terminator found, content
//   flagged (named on stderr with its offset). 2: input ended first.
// Both: exit 2 on a read or write error, 64 on a usage error.
// --split N feeds the codec N octets at a time (default: 64 KiB reads).
// --max-size and --max-line take 0 for "no limit" (the default).

#include <mailwire/mailwire.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"

namespace {

using namespace mailwire;

int usage() {
  std::fputs(
      "usage: mailwire-dot encode [--policy normalize|reject] [--split N]\n"
      "       mailwire-dot decode [--policy reject|normalize|allow] [--split N]\n"
      "                           [--max-size N] [--max-line N]\n",
      stderr);
  return 64;
}

using cli::parse_number;

/// Reads stdin in pieces of at most `piece` octets and hands each to `sink`
/// until it returns false or input ends. Returns false on a read error.
template <class Sink>
bool read_stdin(std::size_t piece, Sink&& sink) {
  std::vector<char> buf(piece);
  for (;;) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), stdin);
    if (n != 0 && !sink(std::string_view(buf.data(), n))) return true;
    if (n < buf.size()) return !std::ferror(stdin);
  }
}

void write_out(std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stdout); }

/// Flushes stdout; false (with a message) if any write failed.
bool output_ok() {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return true;
  std::perror("mailwire-dot: write");
  return false;
}

int encode(bool refuse, std::size_t split) {
  dot::encoder_options options;
  options.refuse_bare_line_ends = refuse;
  dot::encoder enc(options);
  char out[65536];
  errc error{};
  std::uint64_t offset = 0;
  const bool ok = read_stdin(split, [&](std::string_view in) {
    while (!in.empty()) {
      const auto r = enc.encode(in, out, sizeof out);
      write_out({out, r.written});
      offset += r.consumed;
      in.remove_prefix(r.consumed);
      if (r.error != errc{}) {
        error = r.error;
        return false;
      }
    }
    return true;
  });
  if (!ok) {
    std::perror("mailwire-dot: read");
    return 2;
  }
  while (error == errc{} && !enc.finished()) {
    const auto r = enc.finish(out, sizeof out);
    write_out({out, r.written});
    error = r.error;  // a CR ending the content is bare too
  }
  if (!output_ok()) return 2;
  if (error != errc{}) {
    // A refused bare CR was consumed before its successor showed it bare; a
    // refused bare LF was not consumed.
    if (error == errc::body_bare_cr) --offset;
    std::fprintf(stderr, "%.*s at offset %llu: %.*s\n", static_cast<int>(name(error).size()),
                 name(error).data(), static_cast<unsigned long long>(offset),
                 static_cast<int>(describe(error).size()), describe(error).data());
    return 1;
  }
  return 0;
}

int decode(const dot::decoder_options& options, std::size_t split) {
  dot::decoder dec(options);
  dot::decoder_event end;
  bool ended = false;
  const bool ok = read_stdin(split, [&](std::string_view in) {
    dec.feed(in);
    for (;;) {
      const auto ev = dec.next();
      switch (ev.kind) {
        case dot::event_kind::data: write_out(ev.bytes); continue;
        case dot::event_kind::end:
          end = ev;
          ended = true;
          return false;
        case dot::event_kind::need_more:
        case dot::event_kind::error: return true;
      }
    }
  });
  if (!output_ok()) return 2;
  if (!ok) {
    std::perror("mailwire-dot: read");
    return 2;
  }
  if (!ended) {
    dec.feed_eof();
    dot::decoder_event ev;
    while ((ev = dec.next()).kind == dot::event_kind::data) write_out(ev.bytes);
    if (!output_ok()) return 2;
    std::fprintf(stderr, "unexpected_eof at offset %llu: input ended before the terminator\n",
                 static_cast<unsigned long long>(dec.consumed()));
    std::fprintf(stderr, "consumed=%llu\n", static_cast<unsigned long long>(dec.consumed()));
    return 2;
  }
  for (errc e : {errc::body_bare_cr, errc::body_bare_lf, errc::body_nul, errc::body_line_too_long,
                 errc::message_too_large}) {
    if (!end.flags.has(e)) continue;
    std::fprintf(stderr, "flagged %.*s%s\n", static_cast<int>(name(e).size()), name(e).data(),
                 e == end.error ? " (first)" : "");
  }
  if (end.error != errc{}) {
    const auto reply = suggested_reply(end.error);
    std::fprintf(stderr, "%.*s at offset %llu: %.*s (suggested reply %u %.*s)\n",
                 static_cast<int>(name(end.error).size()), name(end.error).data(),
                 static_cast<unsigned long long>(end.error_offset),
                 static_cast<int>(describe(end.error).size()), describe(end.error).data(),
                 static_cast<unsigned>(reply.code), static_cast<int>(reply.enhanced.size()),
                 reply.enhanced.data());
  }
  std::fprintf(stderr, "consumed=%llu\n", static_cast<unsigned long long>(end.consumed()));
  return end.flags.any() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view mode = argv[1];
  if (mode != "encode" && mode != "decode") return usage();
  dot::decoder_options options;
  bool refuse = false;
  std::size_t split = 65536;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    const std::string_view v = value;
    if (arg == "--policy") {
      if (v == "reject") {
        options.policy = dot::line_end_policy::reject;
        refuse = true;
      } else if (v == "normalize") {
        options.policy = dot::line_end_policy::normalize;
      } else if (v == "allow" && mode == "decode") {
        options.policy = dot::line_end_policy::allow;
      } else {
        return usage();
      }
    } else if (arg == "--split") {
      std::uint64_t n = 0;
      if (!parse_number(value, 1u << 30, n) || n == 0) return usage();
      split = static_cast<std::size_t>(n);
    } else if (arg == "--max-size" && mode == "decode") {
      if (!parse_number(value, UINT64_MAX, options.max_size)) return usage();
    } else if (arg == "--max-line" && mode == "decode") {
      std::uint64_t n = 0;
      if (!parse_number(value, SIZE_MAX, n)) return usage();
      options.max_line_length = static_cast<std::size_t>(n);
    } else {
      return usage();
    }
  }
  return mode == "encode" ? encode(refuse, split) : decode(options, split);
}
