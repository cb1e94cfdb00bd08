#!/usr/bin/env bash
# Packaging test: builds and runs tests/consumer against mailwire consumed
#   (a) find_package from an install prefix (cmake --install), plus version checks
#       and a relocated copy of the prefix,
#   (b) add_subdirectory,
#   (c) FetchContent from SOURCE_DIR, and from a file:// git clone of a snapshot,
#   (d) find_package from the build-tree export (mailwire_DIR = a configured build dir).
# Needs cmake (>= 3.14), a C++17 compiler, and git for (c)'s second half. No network.
#
# usage: run.sh <mailwire source dir> <scratch dir>
# The generator and compiler come from the environment (CMAKE_GENERATOR, CXX), so
# ctest can pass on its own; with neither set, Ninja is used if installed.
# Only subdirectories this script names are deleted under <scratch dir>.

set -u -o pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <mailwire source dir> <scratch dir>" >&2
  exit 2
fi
src=$(cd "$1" && pwd) || { echo "no such source dir: $1" >&2; exit 2; }
mkdir -p "$2" && scratch=$(cd "$2" && pwd) || { echo "cannot create scratch dir: $2" >&2; exit 2; }
consumer="$src/tests/consumer"
[[ -f "$src/include/mailwire/version.hpp" && -f "$consumer/CMakeLists.txt" ]] ||
  { echo "$src does not look like the mailwire source tree" >&2; exit 2; }

if [[ -z "${CMAKE_GENERATOR:-}" ]] && command -v ninja >/dev/null 2>&1; then
  export CMAKE_GENERATOR=Ninja
fi
config=Release
# Never let a user or system package registry stand in for the package under test.
common=(--no-warn-unused-cli -DCMAKE_BUILD_TYPE=$config -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
        -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)

# The version, read from the header as CMakeLists.txt does.
hdr_num() { sed -n "s/^#define MAILWIRE_VERSION_$1 \([0-9][0-9]*\).*/\1/p" "$src/include/mailwire/version.hpp"; }
major=$(hdr_num MAJOR) minor=$(hdr_num MINOR) patch=$(hdr_num PATCH)
[[ -n "$major" && -n "$minor" && -n "$patch" ]] || { echo "cannot read the version from version.hpp" >&2; exit 2; }
version="$major.$minor.$patch"
wanted="$major.$minor"                        # what a consumer asks for
too_new_major="$((major + 1)).0"              # never compatible
too_new_minor="$major.$((minor + 1))"         # SameMinorVersion: not compatible either

log=""       # the current mode's log file
step() {     # step <description> <command...>: run, log, fail loudly
  local what=$1; shift
  echo "+ $*" >>"$log"
  if ! "$@" >>"$log" 2>&1; then
    echo "    step failed: $what" 
    return 1
  fi
}

# build_and_run <consumer build dir> <cmake args...>: configure, build, run, check output.
build_and_run() {
  local dir=$1; shift
  rm -rf "$dir"
  step "configure consumer in ${dir##*/}" cmake -S "$consumer" -B "$dir" "${common[@]}" \
    -DMAILWIRE_EXPECT_VERSION="$version" "$@" || return 1
  step "build consumer in ${dir##*/}" cmake --build "$dir" --config $config || return 1
  local exe="$dir/bin/consumer"
  [[ -x "$exe" ]] || exe="$dir/bin/consumer.exe"
  local out
  echo "+ $exe" >>"$log"
  if ! out=$("$exe" 2>&1); then
    echo "$out" >>"$log"
    echo "    consumer program failed in ${dir##*/}" 
    return 1
  fi
  echo "$out" >>"$log"
  if [[ "$out" != *"mailwire $version"* || "$out" != *'"bare_lf"'* ]]; then
    echo "    unexpected consumer output: $out" 
    return 1
  fi
}

# configure_mailwire <build dir> <cmake args...>: a plain library build (no tests).
configure_mailwire() {
  local dir=$1; shift
  rm -rf "$dir"
  step "configure mailwire" cmake -S "$src" -B "$dir" "${common[@]}" \
    -DMAILWIRE_DEVELOPER_MODE=OFF "$@" || return 1
  step "build mailwire" cmake --build "$dir" --config $config
}

# expect_config_failure <find version> <dir> <cmake args...>: the configure must
# fail, and because of the version (not, say, because nothing was found).
expect_config_failure() {
  local v=$1 dir=$2; shift 2
  rm -rf "$dir"
  local out
  echo "+ (must fail) find_package(mailwire $v)" >>"$log"
  if out=$(cmake -S "$consumer" -B "$dir" "${common[@]}" -DMAILWIRE_FIND_VERSION="$v" "$@" 2>&1); then
    echo "$out" >>"$log"
    echo "    find_package(mailwire $v) accepted mailwire $version" 
    return 1
  fi
  echo "$out" >>"$log"
  if [[ "$out" != *"compatible with requested version"*"version: $version"* ]]; then
    echo "    find_package(mailwire $v) failed, but not because of the version" 
    return 1
  fi
}

mode_install() {
  local build="$scratch/install-build" prefix="$scratch/install-prefix" moved="$scratch/install-moved"
  rm -rf "$prefix" "$moved"
  configure_mailwire "$build" || return 1
  step "cmake --install" cmake --install "$build" --config $config --prefix "$prefix" || return 1
  local cfg
  cfg=$(find "$prefix" -name mailwireConfig.cmake -print -quit)
  [[ -n "$cfg" ]] || { echo "    no mailwireConfig.cmake under $prefix"; return 1; }
  local f
  for f in "$prefix/include/mailwire/mailwire.hpp" "$prefix/include/mailwire/version.hpp" \
           "$(dirname "$cfg")/mailwireConfigVersion.cmake" "$(dirname "$cfg")/mailwireTargets.cmake"; do
    [[ -f "$f" ]] || { echo "    not installed: ${f#"$prefix"/}"; return 1; }
  done
  if grep -rqF "$src" "$(dirname "$cfg")"; then
    echo "    installed package files refer to the source tree $src" 
    return 1
  fi
  build_and_run "$scratch/consumer-install" -DMAILWIRE_CONSUME=find_package \
    -DMAILWIRE_FIND_VERSION="$wanted" -DCMAKE_PREFIX_PATH="$prefix" || return 1
  grep -q "^mailwire_DIR:PATH=$prefix/" "$scratch/consumer-install/CMakeCache.txt" ||
    { echo "    mailwire was not found in $prefix"; return 1; }
  build_and_run "$scratch/consumer-install-exact" -DMAILWIRE_CONSUME=find_package \
    -DMAILWIRE_FIND_VERSION="$version" -DCMAKE_PREFIX_PATH="$prefix" || return 1
  local v
  for v in "$too_new_major" "$too_new_minor"; do
    expect_config_failure "$v" "$scratch/consumer-install-$v" \
      -DMAILWIRE_CONSUME=find_package -DCMAKE_PREFIX_PATH="$prefix" || return 1
  done
  # ARCH_INDEPENDENT: a consumer with another pointer size must accept the package too.
  local probe="$scratch/arch-probe.cmake"
  cat >"$probe" <<EOF
cmake_minimum_required(VERSION 3.14)
set(PACKAGE_FIND_NAME mailwire)
set(PACKAGE_FIND_VERSION $wanted)
set(PACKAGE_FIND_VERSION_MAJOR $major)
set(PACKAGE_FIND_VERSION_MINOR $minor)
set(PACKAGE_FIND_VERSION_COUNT 2)
set(CMAKE_SIZEOF_VOID_P 4)
include("$(dirname "$cfg")/mailwireConfigVersion.cmake")
if(NOT PACKAGE_VERSION_COMPATIBLE OR PACKAGE_VERSION_UNSUITABLE)
  message(FATAL_ERROR "a 32-bit consumer rejects mailwire \${PACKAGE_VERSION}: not ARCH_INDEPENDENT")
endif()
EOF
  step "version file is ARCH_INDEPENDENT" cmake -P "$probe" || return 1
  # The prefix must be relocatable: nothing absolute baked into the package files.
  step "relocate prefix" mv "$prefix" "$moved" || return 1
  build_and_run "$scratch/consumer-install-moved" -DMAILWIRE_CONSUME=find_package \
    -DMAILWIRE_FIND_VERSION="$wanted" -DCMAKE_PREFIX_PATH="$moved"
}

mode_add_subdirectory() {
  build_and_run "$scratch/consumer-subdir" -DMAILWIRE_CONSUME=add_subdirectory \
    -DMAILWIRE_SOURCE_DIR="$src"
}

mode_fetchcontent() {
  build_and_run "$scratch/consumer-fetch-dir" -DMAILWIRE_CONSUME=fetchcontent \
    -DMAILWIRE_SOURCE_DIR="$src" || return 1
  # The git route: snapshot the working tree (tracked and untracked, minus ignored
  # files) into a local repository and let FetchContent clone it over file://.
  if ! command -v git >/dev/null 2>&1 || ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "    (git clone route skipped: no git or $src is not a work tree)"
    return 0
  fi
  local snap="$scratch/fetch-git-snapshot"
  rm -rf "$snap" && mkdir -p "$snap" || return 1
  echo "+ snapshot $src into $snap" >>"$log"
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
     while IFS= read -r -d '' f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done |
     tar --null -T - -cf -) | tar -xf - -C "$snap" || { echo "    snapshot failed"; return 1; }
  step "git init snapshot" git -C "$snap" init -q || return 1
  step "git add snapshot" git -C "$snap" add -A || return 1
  step "git commit snapshot" git -C "$snap" -c user.name=mailwire -c user.email=mailwire@invalid \
    -c commit.gpgsign=false commit -q -m snapshot || return 1
  local rev
  rev=$(git -C "$snap" rev-parse HEAD) || return 1
  build_and_run "$scratch/consumer-fetch-git" -DMAILWIRE_CONSUME=fetchcontent \
    -DMAILWIRE_GIT_URL="file://$snap" -DMAILWIRE_GIT_TAG="$rev"
}

mode_build_tree() {
  configure_mailwire "$scratch/buildtree-build" || return 1
  build_and_run "$scratch/consumer-buildtree" -DMAILWIRE_CONSUME=find_package \
    -DMAILWIRE_FIND_VERSION="$wanted" -Dmailwire_DIR="$scratch/buildtree-build" || return 1
  # The build-tree export must not depend on the install rules being enabled.
  configure_mailwire "$scratch/buildtree-noinstall-build" -DMAILWIRE_INSTALL=OFF || return 1
  build_and_run "$scratch/consumer-buildtree-noinstall" -DMAILWIRE_CONSUME=find_package \
    -DMAILWIRE_FIND_VERSION="$wanted" -Dmailwire_DIR="$scratch/buildtree-noinstall-build"
}

echo "mailwire $version packaging test: source $src, scratch $scratch, generator ${CMAKE_GENERATOR:-default}, CXX ${CXX:-default}"
failed=0
run_mode() {   # run_mode <label> <function>
  local label=$1 fn=$2
  log="$scratch/$fn.log"
  : >"$log"
  if "$fn"; then
    printf 'PASS  %s\n' "$label"
  else
    printf 'FAIL  %s (log: %s)\n' "$label" "$log"
    echo "----- last lines of $log -----"
    tail -n 60 "$log"
    echo "-----"
    failed=1
  fi
}
run_mode "(a) find_package($wanted) from cmake --install prefix; $too_new_major and $too_new_minor rejected" mode_install
run_mode "(b) add_subdirectory, no Catch2/fmt/benchmark, developer mode and install OFF" mode_add_subdirectory
run_mode "(c) FetchContent from SOURCE_DIR and from a file:// git clone" mode_fetchcontent
run_mode "(d) find_package from the build-tree export (mailwire_DIR=<build dir>)" mode_build_tree

if [[ $failed -ne 0 ]]; then
  echo "packaging: FAILED"
  exit 1
fi
echo "packaging: all modes passed"
