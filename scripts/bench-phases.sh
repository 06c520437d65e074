#!/usr/bin/env bash
# The phase profile: where each detector's per-event time and allocations go (reject, parse,
# state, emit), cold and warm, and a Pareto table. A separate build (bench/phases, on
# detectors_phased), never the gate's numbers.
#
# Usage: scripts/bench-phases.sh [DETECTOR]
# Environment: BUILD_DIR (build), FORMAT (text|markdown|json), WINDOWS (64),
#              GITHUB_STEP_SUMMARY (with FORMAT=markdown, the report is appended to it too).
# Exit codes: 0 ok, 2 usage or configuration error (from detector_phases).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
bin="$build/bin/detector_phases"
format=${FORMAT:-text}
args=(--format "$format" --windows "${WINDOWS:-64}")
if [[ -n "${1:-}" ]]; then args+=(--detector "$1"); fi
if [[ ! -x "$bin" ]]; then
  echo "bench-phases: error: $bin is missing (cmake --build $build --target detector_phases)" >&2
  exit 2
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && "$format" == markdown ]]; then
  "$bin" "${args[@]}" | tee -a "$GITHUB_STEP_SUMMARY"
else
  "$bin" "${args[@]}"
fi
