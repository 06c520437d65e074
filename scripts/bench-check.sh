#!/usr/bin/env bash
# The timing gate: runs the detector benchmarks with repetitions and compares ns/event with the
# committed per-platform baseline (baselines/<platform>.json). A significant slowdown beyond
# the threshold fails on "hard" benchmarks; "soft" ones are reported only.
#
# Environment: BUILD_DIR (build), ALLOCATOR (glibc), TIMING_REPS (10), THRESHOLD (10, percent),
#              BASELINE (baselines/<platform>.json), BENCHHIST (the binary),
#              ALLOCGATE_HISTORY_DB + INGEST=1 (also store the run in the history),
#              GITHUB_STEP_SUMMARY (markdown appended).
# Exit codes: 0 pass, 1 regression on a hard benchmark, 2 configuration error.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
allocator=${ALLOCATOR:-glibc}
benchhist=${BENCHHIST:-$build/bin/benchhist}
threshold=${THRESHOLD:-10}
platform=$("$benchhist" platform)
baseline=${BASELINE:-baselines/$platform.json}
results="$build/bench-results/timing-$allocator.json"
if [[ ! -f "$baseline" ]]; then
  echo "bench-check: error: no timing baseline $baseline for this platform; capture one with scripts/capture-baseline.sh" >&2
  exit 2
fi
scripts/bench-timing-run.sh "$results"
if [[ "${INGEST:-0}" == 1 ]]; then
  "$benchhist" ingest "$results" --allocator "$allocator"
fi
status=0
"$benchhist" check --baseline "$baseline" --results "$results" --threshold "$threshold" || status=$?
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  "$benchhist" check --baseline "$baseline" --results "$results" --threshold "$threshold" \
    --format markdown >>"$GITHUB_STEP_SUMMARY" || true
fi
exit $status
