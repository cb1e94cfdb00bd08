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
// in the mixed stream, and count the body bytes. The sums are checked against
// the generator's after every pass, so a skipped or wrong parse fails the run.
//
// References, on the same bytes in the same run: memcpy, and a memchr line
// split (find each '\n', count the lines), the least any line protocol
// parser must do. Throughput is bytes of input per second of CPU time, as in
// bench_dot. The summary at the end prints each benchmark's GB/s, commands
// per second, and its ratio to both references, with the target: full
// parsing at >= 0.3x the line split (aim 0.5x).

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
#include "mailwire/smtp/command.hpp"
#include "mailwire/smtp/parameters.hpp"
#include "mailwire/smtp/server_parser.hpp"
#include "smtp_corpus.hpp"

namespace {

namespace smtp = mailwire::smtp;
using mailwire_bench::smtp_expect;
using mailwire_bench::smtp_stream;

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

void bm_line_split(benchmark::State& st, const smtp_stream& s) {
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
}

// ---- the server loop ------------------------------------------------------------

/// What the loop saw; compared with the generator's smtp_expect.
struct tally {
  smtp_expect seen;
  std::uint64_t data_octets = 0;  // sum of data event sizes (equals the decoded bodies)
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

template <bool Bodies>
void bm_parse(benchmark::State& st, const smtp_stream& s, std::size_t piece) {
  for (auto _ : st) {
    const tally t = parse_stream<Bodies>(s.bytes, piece);
    benchmark::DoNotOptimize(t);
    // Cheap next to the parse; catches a pass that went wrong.
    if (t.errors != 0 || t.seen.commands != s.expect.commands ||
        t.seen.body_octets != s.expect.body_octets) {
      st.SkipWithError("the parse differs from the generated stream");
      break;
    }
  }
  st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(s.bytes.size()));
  st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) *
                       static_cast<std::int64_t>(s.expect.commands));
}

/// One full check of a stream, whole and in odd-sized pieces (so lines and
/// bodies are split everywhere), before anything is timed.
template <bool Bodies>
bool check_stream(const char* name, const smtp_stream& s) {
  for (const std::size_t piece : {std::size_t{0}, kPiece, std::size_t{4093}}) {
    const std::string m = mismatch(parse_stream<Bodies>(s.bytes, piece), s.expect);
    if (!m.empty()) {
      std::cerr << name << " stream, pieces of " << piece << ": " << m << "\n";
      return false;
    }
  }
  return true;
}

// ---- summary ----------------------------------------------------------------------

/// The console table as usual, plus bytes and items per second of every run.
class summary_reporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& reports) override {
    benchmark::ConsoleReporter::ReportRuns(reports);
    for (const Run& r : reports) {
      const bool median_aggregate = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median_aggregate) continue;
      const auto bytes = r.counters.find("bytes_per_second");
      if (bytes == r.counters.end()) continue;  // skipped or failed run
      const auto items = r.counters.find("items_per_second");
      entry& e = find(r.run_name.function_name);
      e.add(bytes->second.value, median_aggregate, &e.bytes);
      if (items != r.counters.end()) e.add(items->second.value, median_aggregate, &e.items);
    }
  }

  /// Per stream: name, GB/s, commands/s, ratios to memcpy and to the line
  /// split, and the target check; with repetitions, medians.
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
        std::snprintf(line, sizeof line, "  %6.2f Mcmd/s", items / 1e6);
      } else {
        std::snprintf(line, sizeof line, "  %13s", "");
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
    samples bytes, items;
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
    results_.push_back(entry{name, {}, {}});
    return results_.back();
  }
  double value_of(const std::string& name) const {
    for (const entry& e : results_)
      if (e.name == name) return e.bytes.value();
    return 0;
  }

  std::vector<entry> results_;
};

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

void describe(const char* name, const smtp_stream& s) {
  const auto& t = s.stats;
  char info[768];
  std::snprintf(info, sizeof info,
                "%s stream: %.2f MiB, %zu sessions, %zu commands (%.1f octets on average; "
                "%zu MAIL, %zu RCPT, %.2f RCPT per MAIL), %.1f%% SMTPUTF8 and %.1f%% RET/ENVID "
                "MAILs; paths: %.1f%% quoted, %.1f%% UTF-8, %.2f%% null; %zu IPv4 and %zu IPv6 "
                "literals",
                name, static_cast<double>(s.bytes.size()) / mailwire_bench::kMiB, t.sessions,
                t.commands, static_cast<double>(t.command_bytes) / static_cast<double>(t.commands),
                t.mail, t.rcpt, static_cast<double>(t.rcpt) / static_cast<double>(t.mail),
                percent(t.smtputf8_mail, t.mail), percent(t.dsn_mail, t.mail),
                percent(t.quoted_local, t.paths), percent(t.utf8_paths, t.paths),
                percent(t.null_paths, t.paths), t.ipv4_literal, t.ipv6_literal);
  std::cout << info;
  if (t.bodies > 0) {
    std::snprintf(info, sizeof info,
                  "; %zu bodies (%.1f KiB on average, %.1f%% of the stream, %zu stuffed dots)",
                  t.bodies,
                  static_cast<double>(t.body_bytes) / static_cast<double>(t.bodies) / 1024.0,
                  percent(t.body_bytes, s.bytes.size()), t.stuffed_dots);
    std::cout << info;
  }
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t bytes = mailwire_bench::corpus_bytes_from_env();
  const smtp_stream commands = mailwire_bench::make_command_stream(bytes);
  const smtp_stream mixed = mailwire_bench::make_mixed_stream(bytes);
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  describe("commands", commands);
  describe("mixed", mixed);
  const auto t1 = std::chrono::steady_clock::now();
  if (!check_stream<false>("commands", commands) || !check_stream<true>("mixed", mixed)) return 1;
  const double check_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf(
      "built in %.2f s; parsed and checked (whole, 64 KiB and 4093-octet pieces) in %.2f s\n",
      build_s, check_s);
  std::fflush(stdout);

  // The memcpy destination, faulted in once so page faults are not measured.
  const std::size_t largest = std::max(commands.bytes.size(), mixed.bytes.size());
  std::unique_ptr<char[]> dst(new char[largest]);
  std::memset(dst.get(), 0x5a, largest);
  char* const dst_ptr = dst.get();

  const auto register_stream = [dst_ptr](const std::string& name, const smtp_stream& s,
                                         bool bodies) {
    const std::string base = "BM_" + name + "/";
    benchmark::RegisterBenchmark((base + "memcpy").c_str(), [&s, dst_ptr](benchmark::State& st) {
      bm_memcpy(st, s.bytes, dst_ptr);
    });
    benchmark::RegisterBenchmark((base + "line_split").c_str(),
                                 [&s](benchmark::State& st) { bm_line_split(st, s); });
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

  summary_reporter reporter(isatty(STDOUT_FILENO) != 0 ? benchmark::ConsoleReporter::OO_ColorTabular
                                                       : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      "summary (GB/s = 10^9 bytes/s, Mcmd/s = 10^6 commands/s; ratios to memcpy and to the "
      "memchr line split of the same stream in this run; target: parse >= 0.3x line split, "
      "aim 0.5x):");
  benchmark::Shutdown();
  return 0;
}
