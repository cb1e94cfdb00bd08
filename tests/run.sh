#!/usr/bin/env bash
# The whole test suite, as README's Quick start runs it:
#   1. g++,     C++17, Debug                 -> every ctest test
#   2. clang++, C++20, ASan + UBSan          -> every ctest test but packaging
#   3. aarch64 g++ under qemu                -> unit, golden and property tests,
#                                               so the NEON kernel runs too
# Both builds use -Wall -Wextra -Wpedantic -Werror and must find {fmt} (for
# the optional formatters' tests). Installs missing Debian packages first.
# Build trees go to build/test-*.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. .ci/deps.sh
ensure_packages cmake ninja-build g++ clang libclang-rt-14-dev catch2 libfmt-dev libbenchmark-dev git \
  python3

jobs=$(nproc 2>/dev/null || echo 2)

echo "== g++ C++17 =="
cmake -S . -B build/test-gcc -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_CXX_STANDARD=17 -DMAILWIRE_REQUIRE_FMT=ON >/dev/null
cmake --build build/test-gcc -j "$jobs"
ctest --test-dir build/test-gcc -j "$jobs" --output-on-failure

echo "== clang++ C++20 ASan+UBSan =="
cmake -S . -B build/test-clang-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_STANDARD=20 -DMAILWIRE_REQUIRE_FMT=ON \
  "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  >/dev/null
cmake --build build/test-clang-asan -j "$jobs"
ctest --test-dir build/test-clang-asan -j "$jobs" --output-on-failure -LE packaging

echo "== aarch64 (NEON) under qemu =="
bash tests/cross_aarch64.sh
