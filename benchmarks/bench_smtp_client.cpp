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

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/smtp/client_parser.hpp"
#include "smtp_reply_corpus.hpp"

namespace {

namespace smtp = mailwire::smtp;
using mailwire_bench::reply_expect;
using mailwire_bench::reply_stream;

constexpr std::size_t kPiece = 64 * 1024;  // socket-sized reads

// ---- references ---------------------------------------------------------------

void bm_memcpy(benchmark::State& st, std::string_view src, char* dst) {
  for (auto _ : st) {
    std::memcpy(dst, src.data(), src.size());
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(src.size()));
}

/// Lines of `s` as a memchr loop finds them (each '\n' ends one).
std::size_t count_lines(std::string_view s) noexcept {
  std::size_t lines = 0;
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const void* q = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (q == nullptr) break;
    ++lines;
    p = static_cast<const char*>(q) + 1;
  }
  return lines;
}

/// Lines per second, for the summary's Mlines/s and ns per line.
void set_line_rate(benchmark::State& st, const reply_stream& s) {
  st.counters["lines"] =
      benchmark::Counter(static_cast<double>(st.iterations()) * static_cast<double>(s.stats.lines),
                         benchmark::Counter::kIsRate);
}

void bm_line_split(benchmark::State& st, const reply_stream& s) {
  for (auto _ : st) {
    const std::size_t lines = count_lines(s.bytes);
    benchmark::DoNotOptimize(lines);
    if (lines != s.stats.lines) {
      st.SkipWithError("line count differs from the generator's");
      break;
    }
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(s.bytes.size()));
  set_line_rate(st, s);
}

// ---- the client loop ------------------------------------------------------------

/// What the loop saw; compared with the generator's reply_expect.
struct tally {
  reply_expect seen;
  std::uint64_t lines_in_replies = 0;  // sum of reply events' `lines`
  std::uint64_t errors = 0;
  mailwire::errc first_error = mailwire::errc{};
  std::uint64_t first_error_offset = 0;

  void error(mailwire::errc e, std::uint64_t at) noexcept {
    if (errors++ == 0) {
      first_error = e;
      first_error_offset = at;
    }
  }
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
  char buf[256];
  if (t.errors != 0) {
    const std::string_view what = mailwire::name(t.first_error);
    std::snprintf(buf, sizeof buf, "%llu errors, the first %.*s at offset %llu",
                  static_cast<unsigned long long>(t.errors), static_cast<int>(what.size()),
                  what.data(), static_cast<unsigned long long>(t.first_error_offset));
    return buf;
  }
  const struct {
    const char* name;
    std::uint64_t seen, expected;
  } fields[] = {
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
  };
  for (const auto& f : fields) {
    if (f.seen != f.expected) {
      std::snprintf(buf, sizeof buf, "%s: parsed %llu, generated %llu", f.name,
                    static_cast<unsigned long long>(f.seen),
                    static_cast<unsigned long long>(f.expected));
      return buf;
    }
  }
  return {};
}

void bm_parse(benchmark::State& st, const reply_stream& s, std::size_t piece) {
  for (auto _ : st) {
    const tally t = parse_stream(s.bytes, piece);
    benchmark::DoNotOptimize(t);
    // A dozen compares next to millions of events: every sum, every pass.
    if (!mismatch(t, s.expect).empty()) {
      st.SkipWithError("the parse differs from the generated stream");
      break;
    }
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(s.bytes.size()));
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(s.expect.replies));
  set_line_rate(st, s);
}

/// One full check of the stream, whole and in odd-sized pieces (so lines
/// are split everywhere), before anything is timed.
bool check_stream(const char* name, const reply_stream& s) {
  for (const std::size_t piece : {std::size_t{0}, kPiece, std::size_t{4093}, std::size_t{7}}) {
    const std::string m = mismatch(parse_stream(s.bytes, piece), s.expect);
    if (!m.empty()) {
      std::cerr << name << " stream, pieces of " << piece << ": " << m << "\n";
      return false;
    }
  }
  return true;
}

// ---- summary ----------------------------------------------------------------------

/// The console table as usual, plus bytes, items and lines per second of
/// every run.
class summary_reporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& reports) override {
    benchmark::ConsoleReporter::ReportRuns(reports);
    for (const Run& r : reports) {
      if (r.error_occurred) failed_ = true;
      const bool median_aggregate = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median_aggregate) continue;
      const auto bytes = r.counters.find("bytes_per_second");
      if (bytes == r.counters.end()) continue;  // skipped or failed run
      entry& e = find(r.run_name.function_name);
      e.add(bytes->second.value, median_aggregate, &e.bytes);
      const auto items = r.counters.find("items_per_second");
      if (items != r.counters.end()) e.add(items->second.value, median_aggregate, &e.items);
      const auto lines = r.counters.find("lines");
      if (lines != r.counters.end()) e.add(lines->second.value, median_aggregate, &e.lines);
    }
  }

  /// Per benchmark: name, GB/s, replies/s, lines/s, ns per line, ratios to
  /// memcpy and to the line split, and the target check; with repetitions,
  /// medians.
  void print_summary(std::ostream& os, const std::string& header) const {
    if (results_.empty()) return;
    std::size_t width = 6;
    for (const auto& e : results_) width = std::max(width, e.name.size());
    char line[320];
    os << "\n" << header << "\n";
    for (const auto& e : results_) {
      const std::string stream = e.name.substr(0, e.name.find('/'));
      const double v = e.bytes.value();
      const double mem = value_of(stream + "/memcpy");
      const double split = value_of(stream + "/line_split");
      std::snprintf(line, sizeof line, "%-*s %7.3f GB/s", static_cast<int>(width), e.name.c_str(),
                    v / 1e9);
      os << line;
      const double items = e.items.value();
      if (items > 0) {
        std::snprintf(line, sizeof line, "  %6.2f Mreplies/s", items / 1e6);
      } else {
        std::snprintf(line, sizeof line, "  %17s", "");
      }
      os << line;
      const double lines = e.lines.value();
      if (lines > 0) {
        std::snprintf(line, sizeof line, "  %7.2f Mlines/s (%5.1f ns/line)", lines / 1e6,
                      1e9 / lines);
      } else {
        std::snprintf(line, sizeof line, "  %32s", "");
      }
      os << line;
      if (mem > 0) {
        std::snprintf(line, sizeof line, "  %6.3fx memcpy", v / mem);
        os << line;
      }
      if (split > 0) {
        const double ratio = v / split;
        std::snprintf(line, sizeof line, "  %6.3fx line split", ratio);
        os << line;
        if (e.name.find("/parse") != std::string::npos) {
          std::snprintf(line, sizeof line, "   target >= %.1fx: %s (aim %.1fx: %s)", kTarget,
                        ratio >= kTarget ? "met" : "MISSED", kAim,
                        ratio >= kAim ? "met" : "not yet");
          os << line;
        }
      }
      os << "\n";
    }
    os.flush();
  }

  /// True if a run was skipped with an error (a pass that misparsed).
  bool failed() const noexcept { return failed_; }

 private:
  static constexpr double kTarget = 0.3;  // parse >= 0.3x the memchr line split
  static constexpr double kAim = 0.5;

  struct samples {
    std::vector<double> runs;
    double aggregate_median = 0;
    double value() const {
      if (runs.empty()) return aggregate_median;
      std::vector<double> v = runs;
      std::sort(v.begin(), v.end());
      const std::size_t n = v.size();
      return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
  };
  struct entry {
    std::string name;  // without the BM_ prefix
    samples bytes, items, lines;
    void add(double v, bool median_aggregate, samples* s) {
      if (median_aggregate)
        s->aggregate_median = v;
      else
        s->runs.push_back(v);
    }
  };

  entry& find(std::string name) {
    if (name.compare(0, 3, "BM_") == 0) name.erase(0, 3);
    for (entry& e : results_)
      if (e.name == name) return e;
    results_.push_back(entry{name, {}, {}, {}});
    return results_.back();
  }
  double value_of(const std::string& name) const {
    for (const entry& e : results_)
      if (e.name == name) return e.bytes.value();
    return 0;
  }

  std::vector<entry> results_;
  bool failed_ = false;
};

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

void describe(const char* name, const reply_stream& s) {
  const auto& t = s.stats;
  char info[1024];
  std::snprintf(
      info, sizeof info,
      "%s stream: %.2f MiB, %zu sessions (%.1f%% with enhanced codes, %zu ended by 421), %zu "
      "transactions, %zu replies in %zu lines (%.1f octets a line; %.1f%% of replies "
      "multi-line, %.1f%% of lines in EHLO replies); RCPT: %zu accepted, %zu refused; %zu DATA "
      "refused, %zu messages refused",
      name, static_cast<double>(s.bytes.size()) / mailwire_bench::kMiB, t.sessions,
      percent(t.enhanced_sessions, t.sessions), t.unprompted_421, t.transactions, t.replies,
      t.lines, static_cast<double>(s.bytes.size()) / static_cast<double>(t.lines),
      percent(t.multiline_replies, t.replies), percent(t.ehlo_lines, t.lines), t.rcpt_accepted,
      t.rcpt_refused, t.data_refused, t.messages_refused);
  std::cout << info << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const reply_stream replies =
      mailwire_bench::make_reply_stream(mailwire_bench::corpus_bytes_from_env());
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  describe("replies", replies);
  const auto t1 = std::chrono::steady_clock::now();
  if (!check_stream("replies", replies)) return 1;
  const double check_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf(
      "built in %.2f s; parsed and checked (whole, 64 KiB, 4093- and 7-octet pieces) in %.2f s\n",
      build_s, check_s);
  std::fflush(stdout);

  // The memcpy destination, faulted in once so page faults are not measured.
  std::unique_ptr<char[]> dst(new char[replies.bytes.size()]);
  std::memset(dst.get(), 0x5a, replies.bytes.size());
  char* const dst_ptr = dst.get();

  const reply_stream& s = replies;
  benchmark::RegisterBenchmark("BM_replies/memcpy", [&s, dst_ptr](benchmark::State& st) {
    bm_memcpy(st, s.bytes, dst_ptr);
  });
  benchmark::RegisterBenchmark("BM_replies/line_split",
                               [&s](benchmark::State& st) { bm_line_split(st, s); });
  for (const std::size_t piece : {kPiece, std::size_t{0}}) {
    const std::string label = piece == 0 ? "BM_replies/parse/whole" : "BM_replies/parse/64KiB";
    benchmark::RegisterBenchmark(label.c_str(),
                                 [&s, piece](benchmark::State& st) { bm_parse(st, s, piece); });
  }

  summary_reporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_ColorTabular
                                                       : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      "summary (GB/s = 10^9 bytes/s, Mreplies/s = 10^6 replies/s, Mlines/s = 10^6 lines/s; "
      "ratios to memcpy and to the memchr line split of the same stream in this run; target: "
      "parse >= 0.3x line split, aim 0.5x):");
  benchmark::Shutdown();
  if (reporter.failed()) {
    std::cerr << "a timed pass failed its check (see ERROR OCCURRED above)\n";
    return 1;
  }
  return 0;
}
