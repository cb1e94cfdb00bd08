#pragma once
// What the benchmark programs share (Google Benchmark): the memcpy and memchr
// line split references, the timing loop of a benchmark that checks every
// pass, the check of a stream in pieces before anything is timed, the sums
// such checks compare, the reporter that keeps every benchmark's rates for
// the summary lines, and the exit status.
//
// The exit status is the point of the checks: a pass that misparses stops its
// benchmark (ERROR OCCURRED in the table), and exit_status() then returns 1,
// as a failed check before timing does, so CI fails on a misparse instead of
// printing figures for work that went wrong.
//
// Each program keeps what is its own: its streams and their descriptions, its
// parse loop and sums, the wording of its summary lines and its targets.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "mailwire/core/error.hpp"

namespace mailwire_bench {

// ---- small helpers ------------------------------------------------------------------

/// Google Benchmark's arguments; false (after reporting them) if some are not
/// its own.
inline bool initialize(int& argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  return !benchmark::ReportUnrecognizedArguments(argc, argv);
}

/// printf into a std::string: the description and summary lines, without a
/// fixed buffer that a longer line could outgrow. (The attribute has the
/// compiler check the arguments against the format, as it does for printf.)
[[gnu::format(printf, 1, 2)]] inline std::string format(const char* fmt, ...) {
  std::va_list args;
  va_start(args, fmt);
  std::va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string s;
  if (n > 0) {
    s.resize(static_cast<std::size_t>(n));
    std::vsnprintf(&s[0], s.size() + 1, fmt, again);  // the terminator goes to s[n]
  }
  va_end(again);
  return s;
}

/// `part` in percent of `whole` (0 for an empty whole).
inline double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

/// Octets in MiB, for the descriptions.
inline double mib(std::size_t bytes) { return static_cast<double>(bytes) / kMiB; }

/// The middle value, or the mean of the two middle ones; 0 for none.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// Wall seconds since t0, for the "built in ... checked in ..." lines.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- timed passes -------------------------------------------------------------------

/// `n` per pass, over all the passes of the run (for Set*Processed).
inline std::int64_t run_total(const benchmark::State& st, std::size_t n) {
  return static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(n);
}

/// The timing loop of a benchmark that checks what each pass did: pass()
/// does the work once and says whether the result is right. The first wrong
/// pass stops the benchmark with SkipWithError(error), which the table shows
/// and summary_reporter::failed() turns into exit status 1. Throughput is
/// `bytes` per pass.
template <class Pass>
void timed_passes(benchmark::State& st, std::size_t bytes, const char* error, Pass&& pass) {
  for (auto _ : st) {
    if (!pass()) {
      st.SkipWithError(error);
      break;
    }
  }
  st.SetBytesProcessed(run_total(st, bytes));
}

// ---- references ---------------------------------------------------------------------

/// The memcpy destination, faulted in once so page faults are not measured.
inline std::unique_ptr<char[]> memcpy_destination(std::size_t size) {
  std::unique_ptr<char[]> dst(new char[size]);
  std::memset(dst.get(), 0x5a, size);
  return dst;
}

inline void bm_memcpy(benchmark::State& st, std::string_view src, char* dst) {
  for (auto _ : st) {
    std::memcpy(dst, src.data(), src.size());
    benchmark::DoNotOptimize(dst);
    benchmark::ClobberMemory();
  }
  st.SetBytesProcessed(run_total(st, src.size()));
}

/// Registers memcpy of `src` into `dst` (from memcpy_destination()) as `name`.
inline void register_memcpy(const std::string& name, std::string_view src, char* dst) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [src, dst](benchmark::State& st) { bm_memcpy(st, src, dst); });
}

/// Lines of `s` as a memchr loop finds them (each '\n' ends one).
inline std::size_t count_lines(std::string_view s) noexcept {
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

/// The memchr line split of `bytes`, the least any line protocol parser must
/// do; every pass must find the generator's `lines`.
inline void bm_line_split(benchmark::State& st, std::string_view bytes, std::size_t lines) {
  timed_passes(st, bytes.size(), "line count differs from the generator's", [&] {
    const std::size_t found = count_lines(bytes);
    benchmark::DoNotOptimize(found);
    return found == lines;
  });
}

// ---- checks -------------------------------------------------------------------------

/// The errors a parse loop met: how many, and the first one's code and offset.
struct error_tally {
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

/// "N errors, the first <what> at offset O", `what` naming t.first_error.
inline std::string error_text(const error_tally& t, std::string_view what) {
  return format("%llu errors, the first %.*s at offset %llu",
                static_cast<unsigned long long>(t.errors), static_cast<int>(what.size()),
                what.data(), static_cast<unsigned long long>(t.first_error_offset));
}

/// A sum a parse loop recomputed from the events, and the generator's.
struct sum_check {
  const char* name;
  std::uint64_t seen, expected;
};

/// Empty if every sum matches, else "<name>: parsed S, generated E" for the
/// first that does not.
inline std::string first_difference(std::initializer_list<sum_check> sums) {
  for (const sum_check& f : sums) {
    if (f.seen != f.expected) {
      return format("%s: parsed %llu, generated %llu", f.name,
                    static_cast<unsigned long long>(f.seen),
                    static_cast<unsigned long long>(f.expected));
    }
  }
  return {};
}

/// The check before timing: mismatch(piece) parses all of the stream fed in
/// pieces of `piece` octets (all at once for 0) and says what differs from
/// the generator, empty if nothing. False, with the first difference on
/// stderr, if a split went wrong; the program then exits with status 1.
template <class Mismatch>
bool check_in_pieces(const char* name, std::initializer_list<std::size_t> pieces,
                     Mismatch&& mismatch) {
  for (const std::size_t piece : pieces) {
    const std::string m = mismatch(piece);
    if (!m.empty()) {
      std::cerr << name << " stream, pieces of " << piece << ": " << m << "\n";
      return false;
    }
  }
  return true;
}

// ---- summary ------------------------------------------------------------------------

/// The console table as usual (in colour on a terminal only), plus the rates
/// of every run by benchmark name, without the BM_ prefix, in the order they
/// ran: bytes_per_second, items_per_second and the user counters (such as a
/// "lines" rate). With repetitions a rate is the median of the runs, or the
/// reported median aggregate when only aggregates are reported. A run
/// skipped with an error (a pass that failed its check) has no rates and
/// makes failed() true.
class summary_reporter : public benchmark::ConsoleReporter {
 public:
  summary_reporter()
      : benchmark::ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_ColorTabular : OO_Tabular) {}

  struct entry {
    std::string name;

    /// The rate of `counter` (0 if the runs had none).
    double rate(std::string_view counter) const {
      for (const auto& r : rates)
        if (r.first == counter) return r.second.value();
      return 0;
    }
    double bytes() const { return rate("bytes_per_second"); }
    double items() const { return rate("items_per_second"); }

    struct samples {
      std::vector<double> runs;
      double aggregate_median = 0;
      double value() const { return runs.empty() ? aggregate_median : median(runs); }
    };
    std::vector<std::pair<std::string, samples>> rates;  // by counter name

    void add(const std::string& counter, double v, bool median_aggregate) {
      samples* s = nullptr;
      for (auto& r : rates)
        if (r.first == counter) s = &r.second;
      if (s == nullptr) {
        rates.emplace_back(counter, samples{});
        s = &rates.back().second;
      }
      if (median_aggregate)
        s->aggregate_median = v;
      else
        s->runs.push_back(v);
    }
  };

  void ReportRuns(const std::vector<Run>& reports) override {
    benchmark::ConsoleReporter::ReportRuns(reports);
    for (const Run& r : reports) {
      if (r.error_occurred) failed_ = true;
      const bool median_aggregate = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median_aggregate) continue;
      if (r.counters.find("bytes_per_second") == r.counters.end()) continue;  // skipped or failed
      entry& e = find(r.run_name.function_name);
      for (const auto& counter : r.counters)
        e.add(counter.first, counter.second.value, median_aggregate);
    }
  }

  /// bytes() of the benchmark `name` (without BM_), 0 if it did not run.
  double bytes_of(std::string_view name) const {
    for (const entry& e : results_)
      if (e.name == name) return e.bytes();
    return 0;
  }

  /// An empty line, `header`, then row(e, width) and a newline for every
  /// benchmark, `width` being the longest name's (at least 6) for alignment.
  /// Nothing if no benchmark ran.
  template <class Row>
  void print_summary(std::ostream& os, const std::string& header, Row&& row) const {
    if (results_.empty()) return;
    std::size_t width = 6;
    for (const entry& e : results_) width = std::max(width, e.name.size());
    os << "\n" << header << "\n";
    for (const entry& e : results_) os << row(e, static_cast<int>(width)) << "\n";
    os.flush();
  }

  /// True if a run was skipped with an error (a pass that misparsed).
  bool failed() const noexcept { return failed_; }

 private:
  entry& find(std::string name) {
    if (name.compare(0, 3, "BM_") == 0) name.erase(0, 3);
    for (entry& e : results_)
      if (e.name == name) return e;
    results_.push_back(entry{name, {}});
    return results_.back();
  }

  std::vector<entry> results_;
  bool failed_ = false;
};

/// The end of a line-protocol parser's summary row: "  0.123x memcpy  0.456x
/// line split", each ratio to the benchmark's own stream ("<stream>/memcpy",
/// "<stream>/line_split") when that ran, and for a parse benchmark the check
/// against `target` (and `aim`) times the line split.
inline std::string line_split_ratios(const summary_reporter& reporter,
                                     const summary_reporter::entry& e, double target, double aim) {
  const std::string stream = e.name.substr(0, e.name.find('/'));
  const double v = e.bytes();
  const double mem = reporter.bytes_of(stream + "/memcpy");
  const double split = reporter.bytes_of(stream + "/line_split");
  std::string line;
  if (mem > 0) line += format("  %6.3fx memcpy", v / mem);
  if (split > 0) {
    const double ratio = v / split;
    line += format("  %6.3fx line split", ratio);
    if (e.name.find("/parse") != std::string::npos) {
      line += format("   target >= %.1fx: %s (aim %.1fx: %s)", target,
                     ratio >= target ? "met" : "MISSED", aim, ratio >= aim ? "met" : "not yet");
    }
  }
  return line;
}

/// The exit status once everything ran: 1, with a note on stderr, if a timed
/// pass failed its check, in the table (reporter.failed()) or in a loop of
/// the program's own (`ok` false); else 0.
inline int exit_status(const summary_reporter& reporter, bool ok = true) {
  if (reporter.failed()) {
    std::cerr << "a timed pass failed its check (see ERROR OCCURRED above)\n";
    return 1;
  }
  if (!ok) {
    std::cerr << "a timed pass failed its check\n";
    return 1;
  }
  return 0;
}

}  // namespace mailwire_bench
