#!/usr/bin/env bash
# Captures the timing baseline of this platform: runs the detector benchmarks with
# repetitions, writes baselines/<platform>.json atomically (gate levels of the committed file
# are kept; new benchmarks start soft), and prints what moved against the committed file:
# per benchmark and metric, how much, and whether it is significant (Mann-Whitney U).
#
# Usage: scripts/capture-baseline.sh [OUT_DIR]     (default: baselines)
# Environment: BUILD_DIR (build), ALLOCATOR (glibc), TIMING_REPS (10), BENCHHIST,
#              RESULTS (reuse an existing results JSON instead of running the benchmarks),
#              DIFF_OUT (also write the diff, as markdown, to this file).
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=${1:-baselines}
build=${BUILD_DIR:-build}
allocator=${ALLOCATOR:-glibc}
benchhist=${BENCHHIST:-$build/bin/benchhist}
if [[ ! -x "$benchhist" ]]; then
  echo "capture-baseline: error: $benchhist not built (cmake --build $build --target benchhist)" >&2
  exit 2
fi
platform=$("$benchhist" platform)
results=${RESULTS:-$build/bench-results/baseline-$platform.json}
if [[ -z "${RESULTS:-}" ]]; then
  scripts/bench-timing-run.sh "$results"
fi
mkdir -p "$out_dir"
target="$out_dir/$platform.json"
# Keep the committed file for the markdown diff: `baseline` replaces it atomically.
previous=$(mktemp)
trap 'rm -f "$previous"' EXIT
have_previous=0
if [[ -f "$target" ]]; then cp "$target" "$previous"; have_previous=1; fi
"$benchhist" baseline --results "$results" --out "$target" --allocator "$allocator"
if [[ -n "${DIFF_OUT:-}" ]]; then
  if [[ $have_previous == 1 ]]; then
    "$benchhist" compare --base "$previous" --head "$target" \
      --metric ns/event --metric allocs/event --metric bytes/event --format markdown \
      >"$DIFF_OUT" || true
  else
    echo "No previous baseline for $platform: every benchmark starts soft." >"$DIFF_OUT"
  fi
fi
echo "capture-baseline: $target written; review the diff above and commit it"
