#!/usr/bin/env bash
# Measures what the counting hook adds to a new/delete pair, per allocator (bench/hook_overhead).
# Usage: scripts/hook-overhead.sh [BUILD_DIR] [OUT_DIR]   Prints a markdown table.
set -euo pipefail
build=${1:-build}; out=${2:-$build/hook-overhead}
mkdir -p "$out"
for allocator in glibc mimalloc jemalloc; do
  for variant in none hook counts; do
    "$build/bench/hook_overhead_${allocator}_${variant}" --benchmark_repetitions=7 \
      --benchmark_min_time=0.1 --benchmark_report_aggregates_only=true \
      --benchmark_format=json >"$out/${allocator}_${variant}.json"
  done
done
"$build/bench/hook_overhead_report" "$out"
