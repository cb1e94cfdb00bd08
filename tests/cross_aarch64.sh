#!/usr/bin/env bash
# Builds the unit, golden and property tests for aarch64 and runs them under
# qemu, so the NEON scan kernel is compared with the scalar reference on every
# test run (x86 machines cannot execute it natively).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .ci/deps.sh
ensure_packages g++-aarch64-linux-gnu qemu-user catch2

out=build/test-aarch64
mkdir -p "$out/include/catch2"
# The cross compiler does not search the host's /usr/include; Catch2 v2 is a
# single portable header, so expose just that.
ln -sf /usr/include/catch2/catch.hpp "$out/include/catch2/catch.hpp"
aarch64-linux-gnu-g++ -std=c++17 -O1 -Wall -Wextra -Wpedantic -Werror -Wshadow \
  -Iinclude -Itests -Iexamples -isystem "$out/include" -DMAILWIRE_SOURCE_DIR="\"$root\"" \
  tests/main.cpp tests/core/test_*.cpp tests/dot/test_*.cpp tests/smtp/test_*.cpp tests/pop3/test_*.cpp \
  tests/golden/test_*.cpp \
  -o "$out/mailwire_tests"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/mailwire_tests"
