#!/usr/bin/env bash
# The allocation gate: runs the detector benchmarks (with repetitions) and checks their
# median allocs/event against baselines/alloc-ceilings.txt.
#
# Usage: scripts/bench-allocs-check.sh [check|tighten|explain DETECTOR]
# Environment: BUILD_DIR (build), ALLOCATOR (glibc|mimalloc|jemalloc), REPS (5),
#              REGISTRY (baselines/alloc-ceilings.txt), GITHUB_STEP_SUMMARY (markdown appended).
# Exit codes: 0 pass, 1 breach, 2 configuration error (from ratchet).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
build=${BUILD_DIR:-build}
allocator=${ALLOCATOR:-glibc}
reps=${REPS:-5}
registry=${REGISTRY:-baselines/alloc-ceilings.txt}
bench="$build/bench/detector_bench_$allocator"
attribution="$build/bench/detector_bench_attribution"
ratchet="$build/tools/ratchet"
results="$build/bench-results/allocs-$allocator.json"

case "$allocator" in glibc|mimalloc|jemalloc) ;; *)
  echo "bench-allocs-check: error: ALLOCATOR must be glibc, mimalloc or jemalloc (got '$allocator')" >&2
  exit 2 ;;
esac

if [[ "$mode" == "explain" ]]; then
  detector=${2:?usage: bench-allocs-check.sh explain DETECTOR}
  exec "$ratchet" explain "$detector" --bench "$attribution"
fi

mkdir -p "$(dirname "$results")"
start=$(date +%s.%N)
# Console output goes to the log; the JSON (every repetition) is what the gate reads.
"$bench" --benchmark_repetitions="$reps" --benchmark_out="$results" \
  --benchmark_out_format=json --benchmark_format=console >"$build/bench-results/allocs-$allocator.log"
bench_done=$(date +%s.%N)

status=0
case "$mode" in
  check)
    "$ratchet" check --registry "$registry" --results "$results" --explain-with "$attribution" || status=$?
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
      "$ratchet" check --registry "$registry" --results "$results" --format markdown \
        >>"$GITHUB_STEP_SUMMARY" || true
    fi ;;
  tighten)
    "$ratchet" tighten --registry "$registry" --results "$results" || status=$? ;;
  *)
    echo "bench-allocs-check: error: unknown mode '$mode' (check, tighten, explain)" >&2
    exit 2 ;;
esac
end=$(date +%s.%N)
awk -v a="$allocator" -v s="$start" -v b="$bench_done" -v e="$end" -v r="$results" 'BEGIN {
  printf "\nbench-allocs-check (%s): benchmarks %.1f s, gate %.1f s; results in %s\n", a, b - s, e - b, r }' 
exit $status
