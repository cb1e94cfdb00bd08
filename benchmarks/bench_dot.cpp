// Dot codec and scan kernel throughput against memcpy (Google Benchmark).
//
//   mailwire_bench_dot [--benchmark_filter=...] [--benchmark_repetitions=N]
//   MAILWIRE_BENCH_MB=4 mailwire_bench_dot        # small corpus (default 64 MiB)
//
// Every benchmark walks the whole corpus (benchmarks/corpus.hpp) once per
// iteration, so nothing runs from cache. Throughput is bytes of input per
// second of CPU time (Google Benchmark's default; on a shared machine wall
// time mostly measures the other tenants): the encoded stream for memcpy,
// decode and the dot scan, the raw content for encode and the CR/LF/NUL scan
// (the two differ by the stuffed dots and the terminator, about 0.01%).
//
// After the usual table a summary prints each benchmark's GB/s (10^9 bytes/s)
// and its ratio to BM_memcpy from the same run, with the codec targets. A
// pass whose output differs from the reference stops its benchmark and makes
// the exit status 1 (the corpus itself is checked when it is built).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_support.hpp"
#include "corpus.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/scan.hpp"
#include "mailwire/dot/decoder.hpp"
#include "mailwire/dot/encoder.hpp"

namespace {

namespace dot = mailwire::dot;
namespace scan = mailwire::scan;

constexpr std::size_t kPiece = 64 * 1024;  // socket-sized reads and writes
constexpr std::size_t kSegments = 1024;    // writev-sized segment array

// ---- decode -------------------------------------------------------------

/// Decodes `encoded` fed in pieces of `piece` bytes (all of it when piece is
/// 0); returns the decoded size, or -1 if the body did not end properly.
std::int64_t decode_stream(std::string_view encoded, std::size_t piece,
                           const dot::decoder_options& options = {}) {
  dot::decoder dec(options);
  const std::size_t step = piece == 0 ? encoded.size() : piece;
  std::size_t fed = std::min(step, encoded.size());
  dec.feed(encoded.substr(0, fed));
  std::uint64_t sum = 0;
  for (;;) {
    const dot::decoder_event ev = dec.next();
    switch (ev.kind) {
      case dot::event_kind::data: sum += ev.bytes.size(); break;
      case dot::event_kind::need_more: {
        if (fed == encoded.size()) return -1;
        const std::size_t n = std::min(step, encoded.size() - fed);
        dec.feed(encoded.substr(fed, n));
        fed += n;
        break;
      }
      case dot::event_kind::end:
        if (ev.size != sum || ev.consumed() != encoded.size() || ev.flags.any()) return -1;
        return static_cast<std::int64_t>(sum);
      case dot::event_kind::error: return -1;
    }
  }
}

void bm_decode(benchmark::State& st, const mailwire_bench::corpus& c, std::size_t piece,
               const dot::decoder_options& options = {}) {
  mailwire_bench::timed_passes(st, c.encoded.size(), "decoded size differs from the raw content",
                               [&] {
                                 const std::int64_t n = decode_stream(c.encoded, piece, options);
                                 benchmark::DoNotOptimize(n);
                                 return n == static_cast<std::int64_t>(c.raw.size());
                               });
}

// ---- encode, copy form ----------------------------------------------------

/// Encodes `raw` in input chunks of `piece` bytes into the reused buffer
/// out[0, cap) (as if each full buffer were written to a socket); returns the
/// encoded size, or -1 on error.
std::int64_t encode_copy_stream(std::string_view raw, std::size_t piece, char* out,
                                std::size_t cap) {
  dot::encoder enc;
  std::uint64_t written = 0;
  for (std::size_t off = 0; off < raw.size(); off += piece) {
    std::string_view in = raw.substr(off, piece);
    while (!in.empty()) {
      const dot::encode_result r = enc.encode(in, out, cap);
      if (r.error != mailwire::errc{} || (r.consumed == 0 && r.written == 0)) return -1;
      in.remove_prefix(r.consumed);
      written += r.written;
      benchmark::DoNotOptimize(out);  // "write" the buffer out
      benchmark::ClobberMemory();
    }
  }
  while (!enc.finished()) {
    const dot::encode_result r = enc.finish(out, cap);
    if (r.error != mailwire::errc{} || r.written == 0) return -1;
    written += r.written;
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  return static_cast<std::int64_t>(written);
}

void bm_encode_copy(benchmark::State& st, const mailwire_bench::corpus& c, std::size_t piece) {
  std::vector<char> out(kPiece, '\0');
  mailwire_bench::timed_passes(
      st, c.raw.size(), "encoded size differs from the reference encoding", [&] {
        const std::int64_t n = encode_copy_stream(c.raw, piece, out.data(), out.size());
        benchmark::DoNotOptimize(n);
        return n == static_cast<std::int64_t>(c.encoded.size());
      });
}

// ---- encode, gather form --------------------------------------------------

/// Encodes `raw` (in chunks of `piece` bytes, or whole when 0) as segment
/// lists of at most kSegments views; returns the total size the segments
/// describe, or -1 on error.
std::int64_t encode_gather_stream(std::string_view raw, std::size_t piece, std::string_view* segs) {
  dot::encoder enc;
  const std::size_t step = piece == 0 ? raw.size() : piece;
  std::uint64_t total = 0;
  for (std::size_t off = 0; off < raw.size(); off += step) {
    std::string_view in = raw.substr(off, step);
    while (!in.empty()) {
      const dot::gather_result r = enc.encode_gather(in, segs, kSegments);
      if (r.error != mailwire::errc{} || (r.consumed == 0 && r.count == 0)) return -1;
      in.remove_prefix(r.consumed);
      for (std::size_t i = 0; i < r.count; ++i) total += segs[i].size();  // "writev"
      benchmark::DoNotOptimize(segs);
      benchmark::ClobberMemory();
    }
  }
  while (!enc.finished()) {
    const dot::gather_result r = enc.finish_gather(segs, kSegments);
    if (r.error != mailwire::errc{} || r.count == 0) return -1;
    for (std::size_t i = 0; i < r.count; ++i) total += segs[i].size();
  }
  return static_cast<std::int64_t>(total);
}

void bm_encode_gather(benchmark::State& st, const mailwire_bench::corpus& c, std::size_t piece) {
  std::array<std::string_view, kSegments> segs{};
  mailwire_bench::timed_passes(
      st, c.raw.size(), "gathered size differs from the reference encoding", [&] {
        const std::int64_t n = encode_gather_stream(c.raw, piece, segs.data());
        benchmark::DoNotOptimize(n);
        return n == static_cast<std::int64_t>(c.encoded.size());
      });
}

// ---- scan kernels -----------------------------------------------------------

using find_fn = const char* (*)(const char*, const char*) noexcept;

constexpr unsigned kLineMode = scan::cr | scan::lf | scan::nul;
constexpr unsigned kStrictMode = scan::bare_cr | scan::bare_lf | scan::nul | scan::dot_after_lf;

/// Every stop of Find over buf, as a line or body scanner would make them.
/// Modes that look at the previous byte start at buf[1].
template <unsigned Mode, find_fn Find>
void bm_scan(benchmark::State& st, std::string_view buf) {
  const char* const first = buf.data() + (scan::needs_previous_byte(Mode) ? 1 : 0);
  const char* const last = buf.data() + buf.size();
  for (auto _ : st) {
    std::size_t stops = 0;
    for (const char* p = first; p != last;) {
      const char* q = Find(p, last);
      if (q == last) break;
      ++stops;
      p = q + 1;
    }
    benchmark::DoNotOptimize(stops);
  }
  st.SetBytesProcessed(mailwire_bench::run_total(st, buf.size()));
}

template <find_fn LineFind, find_fn StrictFind>
void register_scan(const char* kernel, const mailwire_bench::corpus& c) {
  const std::string base = std::string("BM_scan_") + kernel;
  benchmark::RegisterBenchmark((base + "/cr_lf_nul").c_str(), [&c](benchmark::State& st) {
    bm_scan<kLineMode, LineFind>(st, c.raw);
  });
  benchmark::RegisterBenchmark((base + "/strict").c_str(), [&c](benchmark::State& st) {
    bm_scan<kStrictMode, StrictFind>(st, c.encoded);
  });
}

// ---- summary ----------------------------------------------------------------

/// The codec targets of the issue, as a ratio to memcpy (0: none).
double target_of(const std::string& name) {
  // The targets cover the default options; an optional check has none.
  if (name.find("line_limit") != std::string::npos) return 0;
  if (name.compare(0, 7, "decode/") == 0) return 1.0;
  if (name.compare(0, 14, "encode_gather/") == 0) return 1.0;
  if (name.compare(0, 12, "encode_copy/") == 0) return 0.6;
  return 0;
}

/// A summary line: name, GB/s, ratio to memcpy and target check.
std::string summary_row(const mailwire_bench::summary_reporter& reporter,
                        const mailwire_bench::summary_reporter::entry& e, int width) {
  using mailwire_bench::format;
  const double mem = reporter.bytes_of("memcpy");
  const double v = e.bytes();
  if (mem <= 0) {
    return format("%-*s %7.2f GB/s  (no memcpy run)", width, e.name.c_str(), v / 1e9);
  }
  const double ratio = v / mem;
  std::string line =
      format("%-*s %7.2f GB/s  %5.2fx memcpy", width, e.name.c_str(), v / 1e9, ratio);
  const double target = target_of(e.name);
  if (target > 0) {
    line += format("   target >= %.1fx: %s", target, ratio >= target ? "met" : "MISSED");
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (!mailwire_bench::initialize(argc, argv)) return 1;

  const auto t0 = std::chrono::steady_clock::now();
  const mailwire_bench::corpus c =
      mailwire_bench::make_corpus(mailwire_bench::corpus_bytes_from_env());
  const double build_s = mailwire_bench::seconds_since(t0);
  const auto& s = c.stats;
  std::cout << mailwire_bench::format(
                   "corpus: %.2f MiB raw, %.2f MiB encoded; %zu messages, %zu lines "
                   "(%.2f%% start with '.', %zu over 800 octets, %zu base64); built and "
                   "checked in %.2f s; scan::find uses %s",
                   mailwire_bench::mib(c.raw.size()), mailwire_bench::mib(c.encoded.size()),
                   s.messages, s.lines, mailwire_bench::percent(s.dot_lines, s.lines), s.long_lines,
                   s.base64_lines, build_s, scan::name(scan::best_kernel()))
            << "\n"
            << std::flush;

  const auto dst = mailwire_bench::memcpy_destination(c.encoded.size());
  mailwire_bench::register_memcpy("BM_memcpy", c.encoded, dst.get());
  benchmark::RegisterBenchmark("BM_decode/whole",
                               [&c](benchmark::State& st) { bm_decode(st, c, 0); });
  benchmark::RegisterBenchmark("BM_decode/64KiB",
                               [&c](benchmark::State& st) { bm_decode(st, c, kPiece); });
  benchmark::RegisterBenchmark("BM_decode/64KiB_line_limit", [&c](benchmark::State& st) {
    dot::decoder_options o;  // RFC 5321's 1000-octet lines checked (the corpus keeps them)
    o.max_line_length = dot::rfc5321_max_line_length;
    bm_decode(st, c, kPiece, o);
  });
  benchmark::RegisterBenchmark("BM_encode_copy/64KiB",
                               [&c](benchmark::State& st) { bm_encode_copy(st, c, kPiece); });
  benchmark::RegisterBenchmark("BM_encode_gather/whole",
                               [&c](benchmark::State& st) { bm_encode_gather(st, c, 0); });
  benchmark::RegisterBenchmark("BM_encode_gather/64KiB",
                               [&c](benchmark::State& st) { bm_encode_gather(st, c, kPiece); });

  register_scan<&scan::scalar::find<kLineMode>, &scan::scalar::find<kStrictMode>>("scalar", c);
#if defined(__x86_64__) || defined(_M_X64)
  register_scan<&scan::sse2::find<kLineMode>, &scan::sse2::find<kStrictMode>>("sse2", c);
  if (scan::available(scan::kernel::avx2))
    register_scan<&scan::avx2::find<kLineMode>, &scan::avx2::find<kStrictMode>>("avx2", c);
#endif
#if defined(__aarch64__)
  register_scan<&scan::neon::find<kLineMode>, &scan::neon::find<kStrictMode>>("neon", c);
#endif

  mailwire_bench::summary_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary(
      std::cout,
      mailwire_bench::format("summary (GB/s = 10^9 bytes/s; ratios to memcpy of "
                             "the %.1f MiB encoded stream in this run):",
                             mailwire_bench::mib(c.encoded.size())),
      [&reporter](const auto& e, int width) { return summary_row(reporter, e, width); });
  benchmark::Shutdown();
  return mailwire_bench::exit_status(reporter);
}
