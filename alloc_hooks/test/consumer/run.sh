#!/usr/bin/env bash
# The consumer test: allocgate used by another project, the three ways a project can take it.
#   1. find_package: allocgate installed to a temporary prefix (hook + tools; no tests,
#      benchmarks or detectors), the consumer built against it; `ratchet init`, then
#      `ratchet check` passes (0); a planted extra allocation fails it (1) and explain names the
#      planted line.
#   2. add_subdirectory of this checkout, 3. FetchContent from this checkout's git repository
#      (file://, HEAD: committed changes only): the consumer builds and passes the gate recorded
#      in 1. These two build the hook alone (ALLOCGATE_BUILD_TOOLS=OFF: the tools come from 1),
#      which is also the proof that the hook needs none of the tools' dependencies.
#
# Usage: alloc_hooks/test/consumer/run.sh
# Environment: ALLOCGATE_INSTALL_FROM=<build dir>  install from an existing allocgate build
#              instead of configuring a fresh one (CI reuses its test build);
#              CONSUMER_WORK=<dir> keep the work there (default: a temporary folder, removed);
#              JOBS (2).
# Exit codes: 0 pass, 1 a step did not do what it must.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
consumer="$src/alloc_hooks/test/consumer"
jobs=${JOBS:-2}
work=${CONSUMER_WORK:-}
if [[ -z "$work" ]]; then
  work=$(mktemp -d /tmp/allocgate-consumer-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
prefix="$work/prefix"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

step() { printf '\n---- consumer: %s\n' "$*"; }
fail() { echo "consumer: FAIL: $*" >&2; exit 1; }
elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }'; }

run_bench() {  # <build dir> <results file>
  "$1/consumer_bench" --benchmark_repetitions=3 --benchmark_min_time=0.05 \
    --benchmark_out="$2" --benchmark_out_format=json >"$2.log" 2>&1 || {
    cat "$2.log" >&2
    fail "$1/consumer_bench did not run"
  }
}

build_consumer() {  # <build dir> <cmake args...>
  local dir=$1
  shift
  cmake -S "$consumer" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" >"$dir.log" 2>&1 &&
    cmake --build "$dir" -j "$jobs" >>"$dir.log" 2>&1 || {
    tail -30 "$dir.log" >&2
    fail "building the consumer in $dir"
  }
}

step "install allocgate (hook and tools) to $prefix"
start=$(date +%s.%N)
if [[ -n "${ALLOCGATE_INSTALL_FROM:-}" ]]; then
  cmake --install "$ALLOCGATE_INSTALL_FROM" --prefix "$prefix" >"$work/install.log"
else
  cmake -S "$src" -B "$work/allocgate-build" -DCMAKE_BUILD_TYPE=Release -DALLOCGATE_DEVELOPER=OFF \
    -DCMAKE_INSTALL_PREFIX="$prefix" "${launcher[@]}" >"$work/install.log" 2>&1
  cmake --build "$work/allocgate-build" -j "$jobs" >>"$work/install.log" 2>&1 ||
    { tail -30 "$work/install.log" >&2; fail "building allocgate"; }
  cmake --install "$work/allocgate-build" >>"$work/install.log"
fi
ratchet="$prefix/bin/ratchet"
[[ -x "$ratchet" && -x "$prefix/bin/benchhist" ]] || fail "ratchet/benchhist not installed"
echo "installed in $(elapsed "$start")"

step "find_package(allocgate): build, ratchet init, ratchet check"
start=$(date +%s.%N)
build_consumer "$work/package" -DCMAKE_PREFIX_PATH="$prefix"
echo "consumer built in $(elapsed "$start")"
registry="$work/alloc-ceilings.txt"
run_bench "$work/package" "$work/results.json"
"$ratchet" init --registry "$registry" --results "$work/results.json" ||
  fail "ratchet init"
grep -q '^"Join words / 16" window=16 ' "$registry" || fail "no ceiling for 'Join words / 16'"
grep -q '^Sum/array .*allocs_per_event=0.000000' "$registry" || fail "Sum/array is not at 0"
"$ratchet" check --registry "$registry" --results "$work/results.json" ||
  fail "ratchet check on the recorded registry must pass"

step "a planted allocation: check exits 1 and explain names its line"
build_consumer "$work/package" -DCONSUMER_PLANT_ALLOCATION=ON
run_bench "$work/package" "$work/planted.json"
status=0
"$ratchet" check --registry "$registry" --results "$work/planted.json" \
  --explain-with "$work/package/consumer_bench_attribution" >"$work/planted.txt" 2>&1 || status=$?
cat "$work/planted.txt"
[[ $status == 1 ]] || fail "ratchet check with the planted allocation exited $status, not 1"
line=$(grep -n 'std::vector<std::string> planted_copy' "$consumer/consumer_bench.cpp" | cut -d: -f1)
grep -q "consumer_bench.cpp:$line " "$work/planted.txt" ||
  fail "the explain table does not name consumer_bench.cpp:$line (the planted allocation)"

step "add_subdirectory(allocgate): build and pass the gate"
start=$(date +%s.%N)
build_consumer "$work/subdirectory" -DCONSUMER_ALLOCGATE=subdirectory -DALLOCGATE_SOURCE_DIR="$src" \
  -DALLOCGATE_BUILD_TOOLS=OFF
echo "consumer with allocgate as a subdirectory built in $(elapsed "$start")"
run_bench "$work/subdirectory" "$work/subdirectory.json"
"$ratchet" check --registry "$registry" --results "$work/subdirectory.json" ||
  fail "the gate through add_subdirectory"

step "FetchContent(allocgate) from file://$src at HEAD: build and pass the gate"
start=$(date +%s.%N)
build_consumer "$work/fetchcontent" -DCONSUMER_ALLOCGATE=fetchcontent \
  -DALLOCGATE_GIT_URL="file://$src" -DALLOCGATE_GIT_TAG="$(git -C "$src" rev-parse HEAD)" \
  -DALLOCGATE_BUILD_TOOLS=OFF
echo "consumer with allocgate through FetchContent built in $(elapsed "$start")"
run_bench "$work/fetchcontent" "$work/fetchcontent.json"
"$ratchet" check --registry "$registry" --results "$work/fetchcontent.json" ||
  fail "the gate through FetchContent"

echo
echo "consumer: pass (find_package, add_subdirectory, FetchContent)"
