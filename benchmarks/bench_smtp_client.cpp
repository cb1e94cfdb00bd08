// smtp::client_parser throughput against a memchr line split and memcpy of
// the same stream (Google Benchmark).
//
//   mailwire_bench_smtp_client [--benchmark_filter=...] [--benchmark_repetitions=N]
//   MAILWIRE_BENCH_MB=4 mailwire_bench_smtp_client   # a small stream (default 64 MiB)
//
// One server stream (benchmarks/smtp_reply_corpus.hpp), MAILWIRE_BENCH_MB
// long: what servers send to a pipelining client, session after session:
// the greeting, a 10-15 line EHLO reply, then per transaction the replies to
// MAIL, 1-5 RCPT (some refused, some multi-line), DATA (354) and the message
// (250 2.0.0 queued as ...), RSET now and then, and 221 at the end.
//
// The parse benchmarks do what a client does with the events: they walk the
// whole stream, fed in 64 KiB pieces (a socket read) or whole, then
// feed_eof(); for every line event they read the code, the enhanced code
// and the text (its size and first octet), for every reply event the code,
// the enhanced code's parts and the text. The sums are compared with the
// generator's before timing (whole and in 64 KiB, 4093- and 7-octet
// pieces) and after every timed pass; a difference stops the benchmark and
// makes the exit status 1.
//
// References, on the same bytes in the same run: memcpy, and a memchr line
// split (find each '\n', count the lines), the least any line protocol
// parser must do. Throughput is bytes of input per second of CPU time, as in
// bench_dot. The summary at the end prints each benchmark's GB/s, replies
// and lines per second, ns per line, and the ratio to both references, with
// the target: parsing at >= 0.3x the line split (aim 0.5x).

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
#include "mailwire/smtp/client_parser.hpp"
#include "smtp_reply_corpus.hpp"

namespace {

namespace smtp = mailwire::smtp;
using mailwire_bench::reply_expect;
using mailwire_bench::reply_stream;

constexpr std::size_t kPiece = 64 * 1024;  // socket-sized reads

/// Lines per second (of the line split and the parses), for the summary's
/// Mlines/s and ns per line.
void set_line_rate(benchmark::State& st, const reply_stream& s) {
  st.counters["lines"] =
      benchmark::Counter(static_cast<double>(st.iterations()) * static_cast<double>(s.stats.lines),
                         benchmark::Counter::kIsRate);
}

// ---- the client loop ------------------------------------------------------------

/// What the loop saw; compared with the generator's reply_expect.
struct tally : mailwire_bench::error_tally {
  reply_expect seen;
  std::uint64_t lines_in_replies = 0;  // sum of reply events' `lines`
};

/// A client's reading of one event: every line's code, enhanced code and
/// text (EHLO keywords are read from line texts), every reply's outcome.
inline void on_event(const smtp::client_event& ev, tally& t) noexcept {
  switch (ev.kind) {
    case smtp::client_event_kind::line:
      ++t.seen.lines;
      t.seen.line_code_sum += ev.code;
      t.seen.enhanced_lines += ev.enhanced.present() ? 1u : 0u;
      t.seen.text_octets += ev.text.size();
      if (!ev.text.empty()) t.seen.text_first_sum += static_cast<unsigned char>(ev.text[0]);
      break;
    case smtp::client_event_kind::reply:
      ++t.seen.replies;
      t.seen.code_sum += ev.code;
      t.lines_in_replies += ev.lines;
      t.seen.last_text_octets += ev.text.size();
      if (ev.enhanced.present()) {
        ++t.seen.enhanced_replies;
        t.seen.class_sum += ev.enhanced.status_class;
        t.seen.subject_sum += ev.enhanced.subject;
        t.seen.detail_sum += ev.enhanced.detail;
      }
      break;
    case smtp::client_event_kind::error: t.error(ev.error, ev.offset); break;
    case smtp::client_event_kind::need_more: break;
  }
}

/// Parses all of `stream`, fed in pieces of `piece` octets (all of it when
/// 0) and then closed with feed_eof(), as a client would; the tally says
/// what it saw.
tally parse_stream(std::string_view stream, std::size_t piece) noexcept {
  tally t;
  smtp::client_parser<> p;
  const std::size_t step = piece == 0 ? stream.size() : piece;
  std::size_t fed = std::min(step, stream.size());
  bool closed = false;
  p.feed(stream.substr(0, fed));
  for (;;) {
    const smtp::client_event ev = p.next();
    if (ev.kind != smtp::client_event_kind::need_more) {
      on_event(ev, t);
      continue;
    }
    if (fed == stream.size()) {
      if (closed) return t;
      // An unfinished reply at the end would be an unexpected_eof error.
      p.feed_eof();
      closed = true;
      continue;
    }
    const std::size_t n = std::min(step, stream.size() - fed);
    p.feed(stream.substr(fed, n));
    fed += n;
  }
}

/// Empty if `t` is what the generator wrote, else what differs.
std::string mismatch(const tally& t, const reply_expect& e) {
  if (t.errors != 0) return mailwire_bench::error_text(t, mailwire::name(t.first_error));
  return mailwire_bench::first_difference({
      {"replies", t.seen.replies, e.replies},
      {"lines", t.seen.lines, e.lines},
      {"lines counted by replies", t.lines_in_replies, e.lines},
      {"reply code sum", t.seen.code_sum, e.code_sum},
      {"line code sum", t.seen.line_code_sum, e.line_code_sum},
      {"replies with an enhanced code", t.seen.enhanced_replies, e.enhanced_replies},
      {"lines with an enhanced code", t.seen.enhanced_lines, e.enhanced_lines},
      {"enhanced class sum", t.seen.class_sum, e.class_sum},
      {"enhanced subject sum", t.seen.subject_sum, e.subject_sum},
      {"enhanced detail sum", t.seen.detail_sum, e.detail_sum},
      {"line text octets", t.seen.text_octets, e.text_octets},
      {"first text octet sum", t.seen.text_first_sum, e.text_first_sum},
      {"reply text octets", t.seen.last_text_octets, e.last_text_octets},
  });
}

void bm_parse(benchmark::State& st, const reply_stream& s, std::size_t piece) {
  mailwire_bench::timed_passes(st, s.bytes.size(), "the parse differs from the generated stream",
                               [&] {
                                 const tally t = parse_stream(s.bytes, piece);
                                 benchmark::DoNotOptimize(t);
                                 // A dozen compares next to millions of events: every sum,
                                 // every pass.
                                 return mismatch(t, s.expect).empty();
                               });
  st.SetItemsProcessed(mailwire_bench::run_total(st, s.expect.replies));
  set_line_rate(st, s);
}

/// One full check of the stream, whole and in odd-sized pieces (so lines
/// are split everywhere), before anything is timed.
bool check_stream(const char* name, const reply_stream& s) {
  return mailwire_bench::check_in_pieces(
      name, {std::size_t{0}, kPiece, std::size_t{4093}, std::size_t{7}},
      [&s](std::size_t piece) { return mismatch(parse_stream(s.bytes, piece), s.expect); });
}

// ---- summary ----------------------------------------------------------------------

constexpr double kTarget = 0.3;  // parse >= 0.3x the memchr line split
constexpr double kAim = 0.5;

/// Per benchmark: name, GB/s, replies/s, lines/s, ns per line, ratios to
/// memcpy and to the line split, and the target check; with repetitions,
/// medians.
std::string summary_row(const mailwire_bench::summary_reporter& reporter,
                        const mailwire_bench::summary_reporter::entry& e, int width) {
  using mailwire_bench::format;
  std::string line = format("%-*s %7.3f GB/s", width, e.name.c_str(), e.bytes() / 1e9);
  const double items = e.items();
  line += items > 0 ? format("  %6.2f Mreplies/s", items / 1e6) : format("  %17s", "");
  const double lines = e.rate("lines");
  line += lines > 0 ? format("  %7.2f Mlines/s (%5.1f ns/line)", lines / 1e6, 1e9 / lines)
                    : format("  %32s", "");
  line += mailwire_bench::line_split_ratios(reporter, e, kTarget, kAim);
  return line;
}

void describe(const char* name, const reply_stream& s) {
  using mailwire_bench::percent;
  const auto& t = s.stats;
  std::cout << mailwire_bench::format(
                   "%s stream: %.2f MiB, %zu sessions (%.1f%% with enhanced codes, %zu ended by "
                   "421), %zu transactions, %zu replies in %zu lines (%.1f octets a line; %.1f%% "
                   "of replies multi-line, %.1f%% of lines in EHLO replies); RCPT: %zu accepted, "
                   "%zu refused; %zu DATA refused, %zu messages refused",
                   name, mailwire_bench::mib(s.bytes.size()), t.sessions,
                   percent(t.enhanced_sessions, t.sessions), t.unprompted_421, t.transactions,
                   t.replies, t.lines,
                   static_cast<double>(s.bytes.size()) / static_cast<double>(t.lines),
                   percent(t.multiline_replies, t.replies), percent(t.ehlo_lines, t.lines),
                   t.rcpt_accepted, t.rcpt_refused, t.data_refused, t.messages_refused)
            << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (!mailwire_bench::initialize(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const reply_stream replies =
      mailwire_bench::make_reply_stream(mailwire_bench::corpus_bytes_from_env());
  const double build_s = mailwire_bench::seconds_since(t0);
  describe("replies", replies);
  const auto t1 = std::chrono::steady_clock::now();
  if (!check_stream("replies", replies)) return 1;
  const double check_s = mailwire_bench::seconds_since(t1);
  std::printf(
      "built in %.2f s; parsed and checked (whole, 64 KiB, 4093- and 7-octet pieces) in %.2f s\n",
      build_s, check_s);
  std::fflush(stdout);

  const auto dst = mailwire_bench::memcpy_destination(replies.bytes.size());
  const reply_stream& s = replies;
  mailwire_bench::register_memcpy("BM_replies/memcpy", s.bytes, dst.get());
  benchmark::RegisterBenchmark("BM_replies/line_split", [&s](benchmark::State& st) {
    mailwire_bench::bm_line_split(st, s.bytes, s.stats.lines);
    set_line_rate(st, s);
  });
  for (const std::size_t piece : {kPiece, std::size_t{0}}) {
    const std::string label = piece == 0 ? "BM_replies/parse/whole" : "BM_replies/parse/64KiB";
    benchmark::RegisterBenchmark(label.c_str(),
                                 [&s, piece](benchmark::State& st) { bm_parse(st, s, piece); });
  }

  mailwire_bench::summary_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      "summary (GB/s = 10^9 bytes/s, Mreplies/s = 10^6 replies/s, Mlines/s = 10^6 lines/s; "
      "ratios to memcpy and to the memchr line split of the same stream in this run; target: "
      "parse >= 0.3x line split, aim 0.5x):",
      [&reporter](const auto& e, int width) { return summary_row(reporter, e, width); });
  benchmark::Shutdown();
  return mailwire_bench::exit_status(reporter);
}
