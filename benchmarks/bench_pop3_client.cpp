// pop3::client_parser on a RETR-heavy server stream, against memcpy of the
// same stream (Google Benchmark, then an interleaved comparison).
//
//   mailwire_bench_pop3_client [--benchmark_filter=...] [--benchmark_repetitions=N]
//   MAILWIRE_BENCH_MB=4 mailwire_bench_pop3_client   # a small stream (default 64 MiB)
//   MAILWIRE_BENCH_ROUNDS=40 ...                     # interleaved rounds (default 20)
//
// One server stream (benchmarks/pop3_corpus.hpp), MAILWIRE_BENCH_MB long:
// sessions of a pipelining client downloading a maildrop: greeting, CAPA,
// USER, PASS, STAT, LIST, UIDL, then RETR of every message (the foundation's
// message corpus, dot-stuffed) and QUIT.
//
// The parse benchmarks do what a client does: one client_parser per session,
// the session's commands queued with expect() as a pipelining client writes
// them (the queue holds 32, so it is topped up after every response), the
// bytes fed in 16 KiB or 64 KiB pieces (socket reads; sessions end with
// feed_eof()). Every event is read: responses and their STAT/LIST/UIDL values,
// capability and item events, and every data slice (its size and first
// octet: the slice is touched, and nothing can be optimised away). Each
// message's decoded size (data slices summed, and the end event's size) is
// compared with the generator's, and the sums with pop3_expect, on every
// timed pass; before timing, the stream is parsed whole, in 64 KiB, 16 KiB,
// 4093- and 7-octet pieces with every data slice compared byte for byte with
// the message. A difference makes the exit status 1.
//
// Throughput is bytes of input per second of CPU time, as in bench_dot. After
// the Google Benchmark table comes an interleaved run: MAILWIRE_BENCH_ROUNDS
// rounds of memcpy, parse in 16 KiB and parse in 64 KiB pieces, one after the
// other, each timed on the thread's CPU clock; the ratio to memcpy is taken
// per round and the median reported, so a change of load between benchmarks
// (other tenants of a shared machine) does not skew it. Target: parse >=
// 0.9x memcpy (bodies are zero copy).

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.hpp"
#include "corpus.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/pop3/client_parser.hpp"
#include "pop3_corpus.hpp"

namespace {

namespace pop3 = mailwire::pop3;
using mailwire_bench::pop3_expect;
using mailwire_bench::pop3_session;
using mailwire_bench::pop3_stream;

constexpr std::size_t k16KiB = 16 * 1024;
constexpr std::size_t k64KiB = 64 * 1024;
constexpr double kTarget = 0.9;  // parse >= 0.9x memcpy

// ---- the client loop ---------------------------------------------------------------

/// What the loop saw; compared with the generator's pop3_expect.
struct tally : mailwire_bench::error_tally {  // errc{} for a -ERR response
  pop3_expect seen;
  std::uint64_t ends = 0;                // end events
  std::uint64_t size_mismatches = 0;     // RETR bodies whose size differs from the message's
  std::uint64_t content_mismatches = 0;  // checked passes: slices that differ from the message
  std::uint64_t touch = 0;               // first octets of the data slices (depends on the split)
};

/// The i-th command the client writes in a session of n messages (the
/// greeting first): what the server stream of pop3_corpus.hpp answers.
inline pop3::expected script_entry(std::size_t i, std::uint32_t n) noexcept {
  switch (i) {
    case 0: return pop3::expected{pop3::verb::unknown, false, true};
    case 1: return pop3::expected{pop3::verb::capa, false};
    case 2: return pop3::expected{pop3::verb::user, true};
    case 3: return pop3::expected{pop3::verb::pass, true};
    case 4: return pop3::expected{pop3::verb::stat, false};
    case 5: return pop3::expected{pop3::verb::list, false};
    case 6: return pop3::expected{pop3::verb::uidl, false};
    default: break;
  }
  return i < 7 + std::size_t{n} ? pop3::expected{pop3::verb::retr, true}
                                : pop3::expected{pop3::verb::quit, false};
}

/// Parses one session fed in pieces of `piece` octets (all of it when 0),
/// then feed_eof(), into `t`. With Compare, every data slice is also
/// compared with the message's raw bytes.
template <bool Compare>
void parse_session(const pop3_stream& s, const pop3_session& ses, std::size_t piece,
                   tally& t) noexcept {
  using parser = pop3::client_parser<>;
  parser p;
  const std::string_view stream = std::string_view(s.bytes).substr(ses.begin, ses.end - ses.begin);
  const std::size_t commands = std::size_t{ses.messages} + 8;
  std::size_t written = 0;
  const auto top_up = [&]() noexcept {
    while (written < commands && p.pending() < parser::queue_capacity)
      (void)p.expect(script_entry(written++, ses.messages));  // room was checked
  };
  top_up();

  const std::uint32_t* size = s.message_sizes.data() + ses.first_message;
  std::size_t raw_at = 0;  // Compare: offset in s.raw of the current message's next octet
  if (Compare) {
    for (std::size_t i = 0; i < ses.first_message; ++i) raw_at += s.message_sizes[i];
  }
  std::uint64_t body = 0;  // octets of the current RETR body so far

  const std::size_t step = piece == 0 ? stream.size() : piece;
  std::size_t fed = std::min(step, stream.size());
  bool closed = false;
  p.feed(stream.substr(0, fed));
  for (;;) {
    const pop3::client_event& ev = p.next();
    switch (ev.kind) {
      case pop3::client_event_kind::data:
        body += ev.text.size();
        t.touch += static_cast<unsigned char>(ev.text[0]);
        if (Compare) {
          if (ev.text.size() > s.raw.size() - raw_at ||
              std::memcmp(ev.text.data(), s.raw.data() + raw_at, ev.text.size()) != 0)
            ++t.content_mismatches;
          raw_at += ev.text.size();
        }
        continue;
      case pop3::client_event_kind::end:
        ++t.ends;
        if (ev.verb == pop3::verb::retr) {
          ++t.seen.messages;
          t.seen.content_octets += body;
          if (ev.size != body || body != *size || ev.flags.any()) ++t.size_mismatches;
          ++size;
          body = 0;
        }
        continue;
      case pop3::client_event_kind::response:
        ++t.seen.responses;
        if (ev.status != pop3::response_status::ok) t.error(mailwire::errc{}, ev.offset);
        if (ev.multi_line) ++t.seen.multi_line;
        if (ev.verb == pop3::verb::stat) {
          t.seen.stat_count += ev.number;
          t.seen.stat_size += ev.size;
        }
        top_up();
        continue;
      case pop3::client_event_kind::capability: ++t.seen.capabilities; continue;
      case pop3::client_event_kind::list_item:
        ++t.seen.list_items;
        t.seen.list_size_sum += ev.size;
        continue;
      case pop3::client_event_kind::uidl_item:
        ++t.seen.uidl_items;
        t.seen.uid_octets += ev.uid.size();
        continue;
      case pop3::client_event_kind::challenge:
      case pop3::client_event_kind::line:
      case pop3::client_event_kind::error: t.error(ev.error, ev.offset); continue;
      case pop3::client_event_kind::need_more: break;
    }
    if (fed == stream.size()) {
      if (closed) break;
      p.feed_eof();  // the server closed after QUIT
      closed = true;
      continue;
    }
    const std::size_t n = std::min(step, stream.size() - fed);
    p.feed(stream.substr(fed, n));
    fed += n;
  }
  if (p.pending() != 0 || written != commands) t.error(mailwire::errc::unexpected_eof, 0);
}

template <bool Compare = false>
tally parse_stream(const pop3_stream& s, std::size_t piece) noexcept {
  tally t;
  for (const pop3_session& ses : s.sessions) parse_session<Compare>(s, ses, piece, t);
  return t;
}

/// Empty if `t` is what the generator wrote, else what differs.
std::string mismatch(const tally& t, const pop3_expect& e) {
  if (t.errors != 0) {
    return mailwire_bench::error_text(
        t, t.first_error == mailwire::errc{} ? "-ERR" : mailwire::name(t.first_error));
  }
  return mailwire_bench::first_difference({
      {"responses", t.seen.responses, e.responses},
      {"multi-line responses", t.seen.multi_line, e.multi_line},
      {"end events", t.ends, e.multi_line},
      {"capabilities", t.seen.capabilities, e.capabilities},
      {"LIST items", t.seen.list_items, e.list_items},
      {"LIST size sum", t.seen.list_size_sum, e.list_size_sum},
      {"UIDL items", t.seen.uidl_items, e.uidl_items},
      {"uid octets", t.seen.uid_octets, e.uid_octets},
      {"STAT message count", t.seen.stat_count, e.stat_count},
      {"STAT maildrop size", t.seen.stat_size, e.stat_size},
      {"messages", t.seen.messages, e.messages},
      {"content octets", t.seen.content_octets, e.content_octets},
      {"messages of the wrong size", t.size_mismatches, 0},
      {"data slices that differ from the message", t.content_mismatches, 0},
  });
}

void bm_parse(benchmark::State& st, const pop3_stream& s, std::size_t piece) {
  mailwire_bench::timed_passes(st, s.bytes.size(), "the parse differs from the generated stream",
                               [&] {
                                 const tally t = parse_stream(s, piece);
                                 benchmark::DoNotOptimize(t);
                                 // A dozen compares next to a million events: every sum,
                                 // every pass.
                                 return mismatch(t, s.expect).empty();
                               });
  st.SetItemsProcessed(mailwire_bench::run_total(st, s.expect.messages));
}

/// One full check of the stream, whole and in odd-sized pieces (so lines
/// and terminators are split everywhere), before anything is timed.
bool check_stream(const pop3_stream& s) {
  return mailwire_bench::check_in_pieces(
      "pop3", {std::size_t{0}, k64KiB, k16KiB, std::size_t{4093}, std::size_t{7}},
      [&s](std::size_t piece) { return mismatch(parse_stream<true>(s, piece), s.expect); });
}

// ---- interleaved rounds ---------------------------------------------------------------

double thread_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::size_t rounds_from_env() {
  if (const char* s = std::getenv("MAILWIRE_BENCH_ROUNDS"); s != nullptr && *s != '\0') {
    const long v = std::strtol(s, nullptr, 10);
    if (v > 0 && v <= 100000) return static_cast<std::size_t>(v);
  }
  return 20;
}

/// Rounds of memcpy, parse/16KiB, parse/64KiB; prints the medians. False if a
/// pass misparsed.
bool interleaved(const pop3_stream& s, char* dst, std::size_t rounds) {
  std::vector<double> mem, p16, p64, r16, r64;
  bool ok = true;
  for (std::size_t r = 0; r < rounds; ++r) {
    double t0 = thread_seconds();
    std::memcpy(dst, s.bytes.data(), s.bytes.size());
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
    const double tm = thread_seconds() - t0;
    double tp[2];
    const std::size_t pieces[2] = {k16KiB, k64KiB};
    for (int i = 0; i < 2; ++i) {
      t0 = thread_seconds();
      const tally t = parse_stream(s, pieces[i]);
      benchmark::DoNotOptimize(t);
      tp[i] = thread_seconds() - t0;
      if (!mismatch(t, s.expect).empty()) ok = false;
    }
    const double bytes = static_cast<double>(s.bytes.size());
    mem.push_back(bytes / tm);
    p16.push_back(bytes / tp[0]);
    p64.push_back(bytes / tp[1]);
    r16.push_back(tm / tp[0]);
    r64.push_back(tm / tp[1]);
  }
  using mailwire_bench::median;
  const double msgs = static_cast<double>(s.expect.messages);
  const double bytes = static_cast<double>(s.bytes.size());
  std::printf(
      "\ninterleaved, %zu rounds of memcpy, parse/16KiB, parse/64KiB (thread CPU time; medians; "
      "ratio = median of the per-round ratios; GB/s = 10^9 bytes/s):\n",
      rounds);
  std::printf("%-12s %7.2f GB/s  %19s  %6.3fx memcpy\n", "memcpy", median(mem) / 1e9, "", 1.0);
  const struct {
    const char* name;
    const std::vector<double>& rate;
    const std::vector<double>& ratio;
  } rows[] = {{"parse/16KiB", p16, r16}, {"parse/64KiB", p64, r64}};
  for (const auto& row : rows) {
    const double ratio = median(row.ratio);
    const auto [lo, hi] = std::minmax_element(row.ratio.begin(), row.ratio.end());
    std::printf(
        "%-12s %7.2f GB/s  %8.0f messages/s  %6.3fx memcpy (rounds %.3f-%.3f)   "
        "target >= %.1fx: %s\n",
        row.name, median(row.rate) / 1e9, median(row.rate) / bytes * msgs, ratio, *lo, *hi, kTarget,
        ratio >= kTarget ? "met" : "MISSED");
  }
  std::fflush(stdout);
  return ok;
}

// ---- summary ------------------------------------------------------------------------

/// Name, GB/s, messages/s, ratio to memcpy and the target check; with
/// repetitions, medians.
std::string summary_row(const mailwire_bench::summary_reporter& reporter,
                        const mailwire_bench::summary_reporter::entry& e, int width) {
  using mailwire_bench::format;
  const double mem = reporter.bytes_of("retr/memcpy");
  const double v = e.bytes();
  std::string line = format("%-*s %7.2f GB/s", width, e.name.c_str(), v / 1e9);
  const double items = e.items();
  line += items > 0 ? format("  %8.0f messages/s", items) : format("  %19s", "");
  if (mem > 0) {
    const double ratio = v / mem;
    line += format("  %6.3fx memcpy", ratio);
    if (e.name.find("/parse") != std::string::npos) {
      line += format("   target >= %.1fx: %s", kTarget, ratio >= kTarget ? "met" : "MISSED");
    }
  }
  return line;
}

void describe(const pop3_stream& s) {
  const auto& t = s.stats;
  std::cout << mailwire_bench::format(
                   "retr stream: %.2f MiB in %zu sessions; %zu messages (%.2f MiB raw, %.1f KiB "
                   "average, %zu lines, %zu dots stuffed); RETR bodies %.1f%% of the stream; %zu "
                   "status lines, %zu CAPA/LIST/UIDL item lines",
                   mailwire_bench::mib(s.bytes.size()), t.sessions, t.messages,
                   mailwire_bench::mib(s.raw.size()),
                   static_cast<double>(s.raw.size()) / 1024.0 / static_cast<double>(t.messages),
                   t.content_lines, t.stuffed_dots,
                   mailwire_bench::percent(t.body_octets, s.bytes.size()), t.status_lines,
                   t.item_lines)
            << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (!mailwire_bench::initialize(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const pop3_stream s = mailwire_bench::make_pop3_stream(mailwire_bench::corpus_bytes_from_env());
  const double build_s = mailwire_bench::seconds_since(t0);
  describe(s);
  const auto t1 = std::chrono::steady_clock::now();
  if (!check_stream(s)) return 1;
  const double check_s = mailwire_bench::seconds_since(t1);
  std::printf(
      "built in %.2f s; parsed and checked byte for byte (whole sessions, 64 KiB, 16 KiB, 4093- "
      "and 7-octet pieces) in %.2f s\n",
      build_s, check_s);
  std::fflush(stdout);

  const auto dst = mailwire_bench::memcpy_destination(s.bytes.size());
  mailwire_bench::register_memcpy("BM_retr/memcpy", s.bytes, dst.get());
  benchmark::RegisterBenchmark("BM_retr/parse/16KiB",
                               [&s](benchmark::State& st) { bm_parse(st, s, k16KiB); });
  benchmark::RegisterBenchmark("BM_retr/parse/64KiB",
                               [&s](benchmark::State& st) { bm_parse(st, s, k64KiB); });

  mailwire_bench::summary_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      "summary (GB/s = 10^9 bytes/s; ratios to memcpy of the same stream in this run; target: "
      "parse >= 0.9x memcpy):",
      [&reporter](const auto& e, int width) { return summary_row(reporter, e, width); });
  // The interleaved rounds check every pass too: a misparse there fails the run as well.
  const bool ok = interleaved(s, dst.get(), rounds_from_env());
  benchmark::Shutdown();
  return mailwire_bench::exit_status(reporter, ok);
}
