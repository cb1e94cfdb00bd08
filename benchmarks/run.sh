#!/usr/bin/env bash
# Builds the benchmarks in Release (default flags: no -march, the run-time
# kernel choice is part of what is measured) and runs them: the dot codec, the
# SMTP server parser, the SMTP client (reply) parser, then the POP3 client
# parser on a RETR stream. Extra arguments go to Google Benchmark (every run);
# MAILWIRE_BENCH_MB sets the corpus and stream sizes (default 64),
# MAILWIRE_BENCH_ROUNDS the POP3 benchmark's interleaved rounds (default 20).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .ci/deps.sh
ensure_packages cmake ninja-build g++ libbenchmark-dev

cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_BUILD_TESTS=OFF >/dev/null
cmake --build build/bench --target mailwire_bench_dot mailwire_bench_smtp_server \
  mailwire_bench_smtp_client mailwire_bench_pop3_client
build/bench/benchmarks/mailwire_bench_dot "$@"
echo
build/bench/benchmarks/mailwire_bench_smtp_server "$@"
echo
build/bench/benchmarks/mailwire_bench_smtp_client "$@"
echo
build/bench/benchmarks/mailwire_bench_pop3_client "$@"
