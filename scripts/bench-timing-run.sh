#!/usr/bin/env bash
# Runs the detector benchmarks for timing: more windows per repetition and many repetitions,
# so the U test behind the timing gates has enough samples. Shared by bench-check.sh and
# capture-baseline.sh.
#
# Usage: scripts/bench-timing-run.sh OUT.json
# Environment: BUILD_DIR (build), ALLOCATOR (glibc), TIMING_REPS (10),
#              ALLOCGATE_BENCH_WINDOWS (256: windows per repetition), BENCH (the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench-timing-run.sh OUT.json}
build=${BUILD_DIR:-build}
allocator=${ALLOCATOR:-glibc}
bench=${BENCH:-$build/bench/detector_bench_$allocator}
reps=${TIMING_REPS:-10}
export ALLOCGATE_BENCH_WINDOWS=${ALLOCGATE_BENCH_WINDOWS:-256}
if [[ ! -x "$bench" ]]; then
  echo "bench-timing-run: error: $bench not built (make bench-build ALLOCATOR=$allocator)" >&2
  exit 2
fi
mkdir -p "$(dirname "$out")"
echo "bench-timing-run: $bench, $reps repetitions x $ALLOCGATE_BENCH_WINDOWS windows -> $out" >&2
"$bench" --benchmark_repetitions="$reps" --benchmark_out="$out" --benchmark_out_format=json \
  --benchmark_format=console >"${out%.json}.log"
