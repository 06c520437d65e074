#!/usr/bin/env bash
# The instruction gate: runs detector_instr_count under valgrind's callgrind (one process; the
# measured windows only, one profile per benchmark), turns the profiles into results JSON
# (instr-report results) and checks instr/event against baselines/instr-ceilings.txt (ratchet
# check --metric instr). A breach is explained by function from the same profiles.
#
# Usage: scripts/bench-instr-check.sh [check|tighten|restamp|explain BENCHMARK|DETECTOR|run]
#   check    the gate (exit 0 pass, 1 breach, 2 configuration error: fail closed)
#   tighten  lower ceilings to the measurements plus slack (never raises)
#   restamp  re-record the registry on this platform (REASON="..." required; may raise)
#   explain  instructions per event by function for one benchmark (BASE: diff against it)
#   run      only measure: profiles in $BUILD_DIR/bench-results/instr-$ALLOCATOR/, results JSON
# Environment: BUILD_DIR (build), ALLOCATOR (glibc|mimalloc|jemalloc), REGISTRY
#   (baselines/instr-ceilings.txt), BASE (a stored profile file or folder: breach and explain
#   tables then diff against it), TOP (10), FORMAT (text|markdown, explain), REASON (restamp),
#   GITHUB_STEP_SUMMARY (markdown appended).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}
build=${BUILD_DIR:-build}
allocator=${ALLOCATOR:-glibc}
registry=${REGISTRY:-baselines/instr-ceilings.txt}
top=${TOP:-10}
runner="$build/bench/detector_instr_count_$allocator"
ratchet="$build/bin/ratchet"
report="$build/bin/instr-report"
profiles="$build/bench-results/instr-$allocator"
results="$build/bench-results/instr-$allocator.json"

fail() { echo "bench-instr-check: error: $*" >&2; exit 2; }

case "$allocator" in glibc|mimalloc|jemalloc) ;; *)
  fail "ALLOCATOR must be glibc, mimalloc or jemalloc (got '$allocator')" ;;
esac
command -v valgrind >/dev/null || fail "valgrind is missing (scripts/install-deps.sh)"
for binary in "$runner" "$ratchet" "$report"; do
  [[ -x "$binary" ]] || fail "$binary is missing (make bench-instr-build)"
done

start=$(date +%s.%N)
# Instrumentation starts after setup (the runner's CALLGRIND_START_INSTRUMENTATION) and events
# are collected only around the measured windows (CALLGRIND_TOGGLE_COLLECT).
rm -rf "$profiles"
mkdir -p "$profiles"
if ! valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
  --callgrind-out-file="$profiles/callgrind.out" "$runner" \
  >"$profiles/runner.txt" 2>"$profiles/valgrind.log"; then
  echo "bench-instr-check: error: $runner failed under callgrind; its output:" >&2
  tail -20 "$profiles/valgrind.log" >&2
  exit 2
fi
"$report" results --profiles "$profiles" --out "$results" || exit 2
measured=$(date +%s.%N)

explain_args=(--profiles "$profiles" --top "$top")
[[ -n "${BASE:-}" ]] && explain_args+=(--base "$BASE")

status=0
case "$mode" in
  run) ;;
  check)
    out=$("$ratchet" check --metric instr --registry "$registry" --results "$results" --tighten-hint "make bench-instr-tighten") || status=$?
    echo "$out"
    # A breach explains itself from the profiles just measured: by function, and against BASE.
    breached=$(sed -n 's/^BREACH \([^:]*\):.*/\1/p' <<<"$out")
    for benchmark in $breached; do
      "$report" explain "$benchmark" "${explain_args[@]}" || true
    done
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
      { "$ratchet" check --metric instr --registry "$registry" --results "$results" --tighten-hint "make bench-instr-tighten" \
          --format markdown || true
        for benchmark in $breached; do
          "$report" explain "$benchmark" "${explain_args[@]}" --format markdown || true
        done; } >>"$GITHUB_STEP_SUMMARY"
    fi ;;
  tighten)
    "$ratchet" tighten --metric instr --registry "$registry" --results "$results" || status=$? ;;
  restamp)
    [[ -n "${REASON:-}" ]] || fail "restamp needs REASON=\"why the platform changed\""
    "$ratchet" restamp --metric instr --registry "$registry" --results "$results" \
      --reason "$REASON" || status=$? ;;
  explain)
    benchmark=${2:?usage: bench-instr-check.sh explain BENCHMARK|DETECTOR}
    "$report" explain "$benchmark" "${explain_args[@]}" --format "${FORMAT:-text}" || status=$? ;;
  *)
    fail "unknown mode '$mode' (check, tighten, restamp, explain, run)" ;;
esac
end=$(date +%s.%N)
awk -v a="$allocator" -v s="$start" -v m="$measured" -v e="$end" -v r="$results" -v p="$profiles" 'BEGIN {
  printf "\nbench-instr-check (%s): callgrind run %.1f s, gate %.1f s; results in %s, profiles in %s/\n", a, m - s, e - m, r, p }' >&2
exit $status
