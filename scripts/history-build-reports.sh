#!/usr/bin/env bash
# Builds (or updates) the history store from run records and writes the history reports:
# the CV report (may a soft gate go hard?), rolling medians, change points and the HTML report.
#
# Usage: scripts/history-build-reports.sh OUT_DIR RECORDS... (files or directories)
# Environment:
#   ALLOCGATE_HISTORY_DB  the store: a PostgreSQL URI (the team's shared server; import adds
#                         only what it lacks) or a SQLite file; empty: OUT_DIR/bench-history.db,
#                         rebuilt from the records
#   BENCHHIST             (BUILD_DIR/bin/benchhist)   BASELINE   a baseline for the report
#   CV_LAST (20)  MEDIAN_LAST (10)  CHANGES_LAST (500)  METRIC (ns/event)
#   MEDIAN_MAX (the rolling median's budget; without it the medians are reported only)
#   GITHUB_STEP_SUMMARY   when set, the CV report and the change points are appended to it
# Exit 2 when a step fails on its input (a malformed record, an unreachable store); a report
# that finds something (noisy or nondeterministic benchmarks, an over-budget median) is a
# warning here: the gates are elsewhere.
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 OUT_DIR RECORDS..." >&2; exit 2; }
out=$1
shift
build=${BUILD_DIR:-build}
benchhist=${BENCHHIST:-$build/bin/benchhist}
[[ -x "$benchhist" ]] || { echo "history-build-reports: error: $benchhist not built" >&2; exit 2; }
mkdir -p "$out"
export ALLOCGATE_HISTORY_DB=${ALLOCGATE_HISTORY_DB:-$out/bench-history.db}
metric=${METRIC:-ns/event}
case "$ALLOCGATE_HISTORY_DB" in
  postgres://*|postgresql://*) echo "history-build-reports: store: the PostgreSQL server" ;;
  *) echo "history-build-reports: store: $ALLOCGATE_HISTORY_DB (SQLite)" ;;
esac

inputs=()
for p in "$@"; do [[ -e "$p" ]] && inputs+=("$p"); done
if [[ ${#inputs[@]} -gt 0 ]]; then
  "$benchhist" import "${inputs[@]}" | tee "$out/import.txt"
fi

# Runs one report; exit 1 (it found something) is a warning, anything else fails the script.
report() {
  local name=$1
  shift
  local status=0
  "$@" >"$out/$name" || status=$?
  if [[ $status -eq 1 ]]; then
    echo "::warning::history-build-reports: $name: $*: see $out/$name"
  elif [[ $status -ne 0 ]]; then
    echo "history-build-reports: error: $* failed (exit $status)" >&2
    exit "$status"
  fi
}

report cv.md "$benchhist" cv --last "${CV_LAST:-20}" --format markdown
report rolling-median.txt "$benchhist" median --last "${MEDIAN_LAST:-10}" --metric "$metric" \
  --max "${MEDIAN_MAX:-1e300}"
# The newest CHANGES_LAST runs: a shared server's history grows without bound, and
# E-Divisive's permutation test costs grow with the square of the runs.
report changes.txt "$benchhist" changes --metric "$metric" --last "${CHANGES_LAST:-500}"
baseline=()
[[ -n "${BASELINE:-}" && -f "${BASELINE:-}" ]] && baseline=(--baseline "$BASELINE")
report report.txt "$benchhist" report --out "$out/report" --metric "$metric" "${baseline[@]}"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  { cat "$out/cv.md"; echo; echo '```'; cat "$out/changes.txt"; echo '```'; } \
    >>"$GITHUB_STEP_SUMMARY"
fi
echo "history-build-reports: $out/cv.md $out/rolling-median.txt $out/changes.txt" \
  "$out/report/index.html"
