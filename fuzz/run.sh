#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each one for a while.
#
#   fuzz/run.sh [seconds-per-target]        (default 30)
#
# Environment:
#   MAILWIRE_FUZZ_BUILD      build directory (default: build/fuzz-clang)
#   MAILWIRE_FUZZ_ARTIFACTS  where crash inputs go (default: fuzz/artifacts, git-ignored)
#   MAILWIRE_FUZZ_TARGETS    space-separated subset of the targets (default: all)
#   CXX                      the compiler (default: clang++; must be clang)
#
# The seed corpus fuzz/corpus/<target>/ is copied into a scratch directory
# that libFuzzer grows, so the repository is not modified. Exits non-zero if
# any target crashes, and says where the crashing input is; replay it with
# `<build>/fuzz/<target> <input>`. Once the bug is understood, keep the input
# as fuzz/regressions/<target>/<what>.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/.ci/deps.sh"
ensure_packages cmake ninja-build clang libclang-rt-14-dev libfmt-dev
seconds=${1:-30}
case $seconds in
  '' | *[!0-9]*) echo "usage: fuzz/run.sh [seconds-per-target]" >&2; exit 2 ;;
esac
build=${MAILWIRE_FUZZ_BUILD:-$root/build/fuzz-clang}
artifacts=${MAILWIRE_FUZZ_ARTIFACTS:-$root/fuzz/artifacts}
targets=${MAILWIRE_FUZZ_TARGETS:-dot_decode dot_roundtrip dot_split scan_diff line_reader base64 smtp_server smtp_server_split smtp_trace_split smtp_fast_path smtp_client smtp_client_split smtp_command_roundtrip smtp_reply_roundtrip smtp_capabilities pop3_server pop3_server_split pop3_client pop3_client_split pop3_command_roundtrip pop3_response_roundtrip sasl_server fmt_events}
cxx=${CXX:-clang++}

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [[ -f $build/CMakeCache.txt ]]; then generator=(); fi  # keep the existing one

echo "== configure $build"
cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAILWIRE_DEVELOPER_MODE=ON -DMAILWIRE_FUZZ=ON >/dev/null
echo "== build"
build_targets=()
for t in $targets; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$build" "${build_targets[@]}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mailwire-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

failed=()
for t in $targets; do
  bin=$build/fuzz/$t
  work=$scratch/$t
  art=$artifacts/$t
  mkdir -p "$work" "$art"
  # Seeds only: fuzz/regressions/ is replayed by ctest (fuzz_replay_<target>),
  # and a known, still-open failure there would stop the session at once.
  if [[ -d $root/fuzz/corpus/$t ]]; then cp -R "$root/fuzz/corpus/$t/." "$work/"; fi
  # The target's dictionary: fuzz/dict/<target>.dict, else that of the target it
  # splits (smtp_client_split -> smtp_client.dict), else its family's (dot_decode -> dot.dict).
  dict=()
  for d in "$t" "${t%_split}" "${t%%_*}"; do
    if [[ -f $root/fuzz/dict/$d.dict ]]; then dict=(-dict="$root/fuzz/dict/$d.dict"); break; fi
  done
  log=$art/last-run.log
  echo "== $t: ${seconds}s (log: $log)"
  status=0
  "$bin" "$work" \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    "${dict[@]}" -artifact_prefix="$art/" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  # Summary: executions, speed, coverage.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -n1 || true)
  echo "   runs=${runs:-?} exec/s=${speed:-?} ${cov}"
  if [[ $status -ne 0 ]]; then
    crash=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n1)
    echo "!! $t failed (exit $status); crash input: ${crash:-see $art/}"
    grep -E 'check failed|differs|ERROR: (Address|UndefinedBehavior)Sanitizer|ERROR: libFuzzer' \
      "$log" | head -n5 | sed 's/^/   /' || true
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  echo "== FAILED: ${failed[*]} (artifacts in $artifacts)"
  exit 1
fi
echo "== all targets ran ${seconds}s without a crash"
