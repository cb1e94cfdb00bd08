// smtp::server_parser throughput against a memchr line split and memcpy of
// the same stream (Google Benchmark).
//
//   mailwire_bench_smtp_server [--benchmark_filter=...] [--benchmark_repetitions=N]
//   MAILWIRE_BENCH_MB=4 mailwire_bench_smtp_server   # small streams (default 64 MiB each)
//
// Two client streams (benchmarks/smtp_corpus.hpp), each MAILWIRE_BENCH_MB
// long: `commands`, pipelined sessions of EHLO, MAIL with SIZE/BODY (and
// RET/ENVID, SMTPUTF8, AUTH), 1-5 RCPT with NOTIFY/ORCPT, DATA (refused: the
// next command follows), RSET, QUIT; and `mixed`, the same sessions with
// every DATA accepted and a 1-20 KiB dot-stuffed body after it.
//
// The parse benchmarks do what a server does with the events: they walk the
// whole stream, fed in 64 KiB pieces (a socket read) or whole, read the typed
// values of every MAIL and RCPT (declared_size(), body(), notify(), orcpt(),
// the path), set SMTPUTF8 for the transaction, call accept_data() after DATA
// in the mixed stream, and count the body bytes. The sums are compared with
// the generator's before timing (whole and in 64 KiB and 4093-octet pieces)
// and after every timed pass; a difference stops the benchmark and makes the
// exit status 1.
//
// References, on the same bytes in the same run: memcpy, and a memchr line
// split (find each '\n', count the lines), the least any line protocol
// parser must do. Throughput is bytes of input per second of CPU time, as in
// bench_dot. The summary at the end prints each benchmark's GB/s, commands
// per second, and its ratio to both references, with the target: full
// parsing at >= 0.3x the line split (aim 0.5x).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "bench_support.hpp"
#include "corpus.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "smtp_corpus.hpp"

namespace {

namespace smtp = mailwire::smtp;
using mailwire_bench::smtp_expect;
using mailwire_bench::smtp_stream;

constexpr std::size_t kPiece = 64 * 1024;  // socket-sized reads

// ---- the server loop ------------------------------------------------------------

/// What the loop saw; compared with the generator's smtp_expect.
struct tally : mailwire_bench::error_tally {
  smtp_expect seen;
  std::uint64_t data_octets = 0;  // sum of data event sizes (equals the decoded bodies)
};

std::uint64_t notify_bits(const smtp::notify_flags& f) noexcept {
  return (f.success ? 1u : 0u) | (f.failure ? 2u : 0u) | (f.delay ? 4u : 0u) | (f.never ? 8u : 0u);
}

/// A server's work on one command: the typed values of MAIL and RCPT, the
/// SMTPUTF8 state of the transaction, accept_data() when bodies follow.
template <bool Bodies>
void on_command(smtp::server_parser<>& p, const smtp::server_event& ev, tally& t) noexcept {
  const smtp::command& c = ev.command;
  ++t.seen.commands;
  switch (c.verb) {
    case smtp::verb::mail: {
      ++t.seen.mail;
      const auto size = c.parameters.declared_size();
      const auto body = c.parameters.body();
      if (!size.ok() || !body.ok()) t.error(mailwire::errc::invalid_parameter_value, ev.offset);
      t.seen.size_sum += size.value;
      t.seen.eight_bit += body.value == smtp::body_type::eight_bit_mime ? 1 : 0;
      t.seen.path_octets += c.path.local_part.size() + c.path.domain.size();
      if (c.parameters.contains(smtp::parameter_kind::smtputf8)) p.set_smtputf8(true);
      break;
    }
    case smtp::verb::rcpt: {
      ++t.seen.rcpt;
      const auto notify = c.parameters.notify();
      const auto orcpt = c.parameters.orcpt();
      if (!notify.ok() || !orcpt.ok()) t.error(mailwire::errc::invalid_parameter_value, ev.offset);
      t.seen.notify_bits += notify_bits(notify.value);
      t.seen.orcpt_octets += orcpt.value.address.size();
      t.seen.path_octets += c.path.local_part.size() + c.path.domain.size();
      break;
    }
    case smtp::verb::data:
      ++t.seen.data;
      // Without bodies the server refused DATA: the next line is a command.
      if (Bodies && !p.accept_data()) t.error(mailwire::errc::invalid_syntax, ev.offset);
      break;
    case smtp::verb::helo:
    case smtp::verb::ehlo:
    case smtp::verb::lhlo:
    case smtp::verb::rset:
    case smtp::verb::quit: p.set_smtputf8(false); break;
    case smtp::verb::unknown:
    case smtp::verb::bdat:
    case smtp::verb::vrfy:
    case smtp::verb::expn:
    case smtp::verb::help:
    case smtp::verb::noop:
    case smtp::verb::starttls:
    case smtp::verb::auth:
    case smtp::verb::etrn: break;
  }
}

/// Parses all of `stream`, fed in pieces of `piece` octets (all of it when
/// 0), as a server would; the tally says what it saw.
template <bool Bodies>
tally parse_stream(std::string_view stream, std::size_t piece) noexcept {
  tally t;
  smtp::server_parser<> p;
  const std::size_t step = piece == 0 ? stream.size() : piece;
  std::size_t fed = std::min(step, stream.size());
  p.feed(stream.substr(0, fed));
  for (;;) {
    const smtp::server_event& ev = p.next();
    switch (ev.kind) {
      case smtp::server_event_kind::need_more: {
        if (fed == stream.size()) {
          if (p.buffered()) t.error(mailwire::errc::unexpected_eof, ev.offset);
          return t;
        }
        const std::size_t n = std::min(step, stream.size() - fed);
        p.feed(stream.substr(fed, n));
        fed += n;
        break;
      }
      case smtp::server_event_kind::command: on_command<Bodies>(p, ev, t); break;
      case smtp::server_event_kind::data:
        t.data_octets += ev.bytes.size();
        benchmark::DoNotOptimize(ev.bytes.data());  // "store" the piece
        break;
      case smtp::server_event_kind::data_end:
        ++t.seen.bodies;
        t.seen.body_octets += ev.size;
        if (ev.error != mailwire::errc{} || ev.flags.any()) t.error(ev.error, ev.error_offset);
        p.set_smtputf8(false);  // the transaction is over
        break;
      case smtp::server_event_kind::sasl_data:
      case smtp::server_event_kind::sasl_end:
        t.error(mailwire::errc::invalid_syntax, ev.offset);
        break;
      case smtp::server_event_kind::error: t.error(ev.error, ev.offset); break;
    }
  }
}

/// Empty if `t` is what the generator wrote, else what differs.
std::string mismatch(const tally& t, const smtp_expect& e) {
  if (t.errors != 0) return mailwire_bench::error_text(t, mailwire::name(t.first_error));
  return mailwire_bench::first_difference({
      {"commands", t.seen.commands, e.commands},
      {"MAIL", t.seen.mail, e.mail},
      {"RCPT", t.seen.rcpt, e.rcpt},
      {"DATA", t.seen.data, e.data},
      {"SIZE sum", t.seen.size_sum, e.size_sum},
      {"BODY=8BITMIME", t.seen.eight_bit, e.eight_bit},
      {"NOTIFY bits", t.seen.notify_bits, e.notify_bits},
      {"ORCPT octets", t.seen.orcpt_octets, e.orcpt_octets},
      {"path octets", t.seen.path_octets, e.path_octets},
      {"bodies", t.seen.bodies, e.bodies},
      {"body octets", t.seen.body_octets, e.body_octets},
      {"data event octets", t.data_octets, e.body_octets},
  });
}

template <bool Bodies>
void bm_parse(benchmark::State& st, const smtp_stream& s, std::size_t piece) {
  mailwire_bench::timed_passes(st, s.bytes.size(), "the parse differs from the generated stream",
                               [&] {
                                 const tally t = parse_stream<Bodies>(s.bytes, piece);
                                 benchmark::DoNotOptimize(t);
                                 // Cheap next to the parse; catches a pass that went wrong.
                                 return t.errors == 0 && t.seen.commands == s.expect.commands &&
                                        t.seen.body_octets == s.expect.body_octets;
                               });
  st.SetItemsProcessed(mailwire_bench::run_total(st, s.expect.commands));
}

/// One full check of a stream, whole and in odd-sized pieces (so lines and
/// bodies are split everywhere), before anything is timed.
template <bool Bodies>
bool check_stream(const char* name, const smtp_stream& s) {
  return mailwire_bench::check_in_pieces(
      name, {std::size_t{0}, kPiece, std::size_t{4093}},
      [&s](std::size_t piece) { return mismatch(parse_stream<Bodies>(s.bytes, piece), s.expect); });
}

// ---- summary ----------------------------------------------------------------------

constexpr double kTarget = 0.3;  // parse >= 0.3x the memchr line split
constexpr double kAim = 0.5;

/// Per stream: name, GB/s, commands/s, ratios to memcpy and to the line
/// split, and the target check; with repetitions, medians.
std::string summary_row(const mailwire_bench::summary_reporter& reporter,
                        const mailwire_bench::summary_reporter::entry& e, int width) {
  using mailwire_bench::format;
  std::string line = format("%-*s %7.3f GB/s", width, e.name.c_str(), e.bytes() / 1e9);
  const double items = e.items();
  line += items > 0 ? format("  %6.2f Mcmd/s", items / 1e6) : format("  %13s", "");
  line += mailwire_bench::line_split_ratios(reporter, e, kTarget, kAim);
  return line;
}

void describe(const char* name, const smtp_stream& s) {
  using mailwire_bench::percent;
  const auto& t = s.stats;
  std::cout << mailwire_bench::format(
      "%s stream: %.2f MiB, %zu sessions, %zu commands (%.1f octets on average; "
      "%zu MAIL, %zu RCPT, %.2f RCPT per MAIL), %.1f%% SMTPUTF8 and %.1f%% RET/ENVID "
      "MAILs; paths: %.1f%% quoted, %.1f%% UTF-8, %.2f%% null; %zu IPv4 and %zu IPv6 "
      "literals",
      name, mailwire_bench::mib(s.bytes.size()), t.sessions, t.commands,
      static_cast<double>(t.command_bytes) / static_cast<double>(t.commands), t.mail, t.rcpt,
      static_cast<double>(t.rcpt) / static_cast<double>(t.mail), percent(t.smtputf8_mail, t.mail),
      percent(t.dsn_mail, t.mail), percent(t.quoted_local, t.paths), percent(t.utf8_paths, t.paths),
      percent(t.null_paths, t.paths), t.ipv4_literal, t.ipv6_literal);
  if (t.bodies > 0) {
    std::cout << mailwire_bench::format(
        "; %zu bodies (%.1f KiB on average, %.1f%% of the stream, %zu stuffed dots)", t.bodies,
        static_cast<double>(t.body_bytes) / static_cast<double>(t.bodies) / 1024.0,
        percent(t.body_bytes, s.bytes.size()), t.stuffed_dots);
  }
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (!mailwire_bench::initialize(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t bytes = mailwire_bench::corpus_bytes_from_env();
  const smtp_stream commands = mailwire_bench::make_command_stream(bytes);
  const smtp_stream mixed = mailwire_bench::make_mixed_stream(bytes);
  const double build_s = mailwire_bench::seconds_since(t0);
  describe("commands", commands);
  describe("mixed", mixed);
  const auto t1 = std::chrono::steady_clock::now();
  if (!check_stream<false>("commands", commands) || !check_stream<true>("mixed", mixed)) return 1;
  const double check_s = mailwire_bench::seconds_since(t1);
  std::printf(
      "built in %.2f s; parsed and checked (whole, 64 KiB and 4093-octet pieces) in %.2f s\n",
      build_s, check_s);
  std::fflush(stdout);

  const auto dst =
      mailwire_bench::memcpy_destination(std::max(commands.bytes.size(), mixed.bytes.size()));
  char* const dst_ptr = dst.get();

  const auto register_stream = [dst_ptr](const std::string& name, const smtp_stream& s,
                                         bool bodies) {
    const std::string base = "BM_" + name + "/";
    mailwire_bench::register_memcpy(base + "memcpy", s.bytes, dst_ptr);
    benchmark::RegisterBenchmark((base + "line_split").c_str(), [&s](benchmark::State& st) {
      mailwire_bench::bm_line_split(st, s.bytes, s.stats.lines);
    });
    for (const std::size_t piece : {kPiece, std::size_t{0}}) {
      const std::string label = base + (piece == 0 ? "parse/whole" : "parse/64KiB");
      if (bodies)
        benchmark::RegisterBenchmark(
            label.c_str(), [&s, piece](benchmark::State& st) { bm_parse<true>(st, s, piece); });
      else
        benchmark::RegisterBenchmark(
            label.c_str(), [&s, piece](benchmark::State& st) { bm_parse<false>(st, s, piece); });
    }
  };
  register_stream("commands", commands, false);
  register_stream("mixed", mixed, true);

  mailwire_bench::summary_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      "summary (GB/s = 10^9 bytes/s, Mcmd/s = 10^6 commands/s; ratios to memcpy and to the "
      "memchr line split of the same stream in this run; target: parse >= 0.3x line split, "
      "aim 0.5x):",
      [&reporter](const auto& e, int width) { return summary_row(reporter, e, width); });
  benchmark::Shutdown();
  return mailwire_bench::exit_status(reporter);
}
