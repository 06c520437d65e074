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
ratchet="$build/bin/ratchet"
results="$build/bench-results/allocs-$allocator.json"

case "$allocator" in glibc|mimalloc|jemalloc) ;; *)
  echo "bench-allocs-check: error: ALLOCATOR must be glibc, mimalloc or jemalloc (got '$allocator')" >&2
  exit 2 ;;
esac

if [[ "$mode" == "explain" ]]; then
  detector=${2:?usage: bench-allocs-check.sh explain DETECTOR}
  exec "$ratchet" explain "$detector" --bench "$attribution"
fi

if [[ ! "$reps" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-allocs-check: error: REPS must be a positive integer (got '$reps')" >&2
  exit 2
fi
if [[ ! -x "$bench" || ! -x "$ratchet" ]]; then
  echo "bench-allocs-check: error: $bench or $ratchet is missing (make bench-build)" >&2
  exit 2
fi

mkdir -p "$(dirname "$results")"
rm -f "$results"
# The gated counts are defined for the default window count; a timing override must not leak
# into the gate.
unset ALLOCGATE_BENCH_WINDOWS
start=$(date +%s.%N)
# Console output goes to the log; the JSON (every repetition) is what the gate reads. A
# benchmark that fails to run is a configuration error (2), never a breach (1).
log="$build/bench-results/allocs-$allocator.log"
if ! "$bench" --benchmark_repetitions="$reps" --benchmark_out="$results" \
  --benchmark_out_format=json --benchmark_format=console >"$log" 2>&1; then
  echo "bench-allocs-check: error: $bench failed; its output:" >&2
  tail -20 "$log" >&2
  exit 2
fi
bench_done=$(date +%s.%N)

status=0
case "$mode" in
  check)
    "$ratchet" check --registry "$registry" --results "$results" --explain-with "$attribution" \
      --tighten-hint "make bench-ratchet" || status=$?
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
      "$ratchet" check --registry "$registry" --results "$results" --format markdown \
        --tighten-hint "make bench-ratchet" >>"$GITHUB_STEP_SUMMARY" || true
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
