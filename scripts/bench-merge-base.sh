#!/usr/bin/env bash
# Per-change timing against the merge-base: builds the merge-base's detector benchmarks in a
# worktree, runs them, and compares with this change's results (benchhist compare, U test +
# threshold). Report-only unless GATE=hard: a regression is then exit 1.
#
# Usage: scripts/bench-merge-base.sh HEAD_RESULTS
# Environment: BASE_REF (main), GATE (soft | hard), BUILD_DIR (build),
#              GITHUB_STEP_SUMMARY (the comparison is appended to it when set).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 HEAD_RESULTS" >&2; exit 2; }
head_results=$1
base_ref=${BASE_REF:-main}
build=${BUILD_DIR:-build}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
git fetch --no-tags origin "$base_ref"
base=$(git merge-base HEAD "origin/$base_ref")
echo "merge-base: $base"
tree=../merge-base
git worktree add "$tree" "$base"
cmake -S "$tree" -B "$tree/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALLOCGATE_BUILD_TESTS=OFF
cmake --build "$tree/build" -j "$(nproc)" --target detector_bench_glibc
BENCH=$tree/build/bench/detector_bench_glibc \
  scripts/bench-timing-run.sh "$build/bench-results/merge-base.json"
status=0
"$build/bin/benchhist" compare --base-file "$build/bench-results/merge-base.json" \
  --head-file "$head_results" --format markdown | tee -a "$summary" || status=$?
if [[ $status -eq 1 && "${GATE:-soft}" != hard ]]; then
  echo "::warning::timing regression against the merge-base (report-only)"
  status=0
fi
exit $status
