#!/usr/bin/env bash
# Command-line contract of `detector_phases`: exit codes, the one-line error for an unknown
# detector, and the shape of the text, markdown and JSON reports. No timing assertions.
# Usage: phase_cli_test.sh DETECTOR_PHASES_BINARY
set -uo pipefail
bin=$1
passed=0; failed=0

# expect NAME EXIT_CODE PATTERN -- command...   (PATTERN: grep -E on stdout+stderr; "" = any)
expect() {
  local name=$1 code=$2 pattern=$3; shift 4
  local rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]]; then
    echo "FAIL $name: exit $rc, expected $code"; echo "$out" | sed 's/^/    /'; ((failed++)); return 1
  fi
  if [[ -n "$pattern" ]] && ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output lacks /$pattern/"; echo "$out" | sed 's/^/    /'; ((failed++)); return 1
  fi
  echo "ok   $name"; ((passed++))
}
check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; ((passed++)); else echo "FAIL $name"; ((failed++)); fi
}

expect "--help exits 0 with usage" 0 "Usage: .*detector_phases" -- "$bin" --help

if expect "unknown detector exits 2" 2 "^detector_phases: error: unknown detector 'no_such' \(known: [a-z_]+(, [a-z_]+)*\)$" \
  -- "$bin" --detector no_such; then
  check "unknown detector: exactly one line" test "$(wc -l <<<"$out")" -eq 1
fi
expect "bad --format exits 2" 2 "format" -- "$bin" --format xml
expect "--windows 0 exits 2" 2 "windows" -- "$bin" --windows 0
expect "--repetitions 0 exits 2" 2 "repetitions" -- "$bin" --repetitions 0
expect "stray argument exits 2" 2 "" -- "$bin" extra

if expect "text report" 0 "^== pcie_aer ==" -- "$bin" --detector pcie_aer --windows 16; then
  check "text: overhead and exactness stated" grep -q "carry instrumentation overhead.*Allocation counts are exact" <<<"$out"
  check "text: aligned phase table" grep -qE "^phase +events entered +% events +ns/event +allocs/event +bytes/event +share of time$" <<<"$out"
  check "text: warm" grep -qE "^warm \(steady state, 16 windows x 1024 events; per-window median of 5 runs\)" <<<"$out"
  check "text: cold" grep -qE "^cold \(first window of 16 fresh detectors" <<<"$out"
  check "text: pareto table" grep -qE "^rank +detector +phase +warm ns/event +share +cumulative" <<<"$out"
  check "text: every event counted" grep -qE "^total +16384 " <<<"$out"
fi

if expect "markdown report" 0 "" -- "$bin" --detector hbm_ecc --windows 16 --repetitions 1 --format markdown; then
  check "markdown: header row then alignment row" \
    grep -qzE '\| phase \| events entered \| % events \| ns/event \| allocs/event \| bytes/event \| share of time \|
\|:--\|--:\|' <<<"$out"
  check "markdown: section per detector" grep -q "^### hbm_ecc$" <<<"$out"
fi

if expect "json report" 0 "" -- "$bin" --detector nccl_hang --windows 16 --format json; then
  check "json: parses, one detector, 16 warm windows, non-negative times" \
    jq -e '(.detectors | length) == 1 and .detectors[0].warm.windows == 16
           and .detectors[0].warm.repetitions == 5
           and .detectors[0].cold.windows == 16
           and ([.detectors[0].warm.phases[].ns_per_event, .detectors[0].cold.phases[].ns_per_event,
                 .calibration.interval_overhead_ns] | all(. >= 0))
           and (.pareto | length) >= 1' <<<"$out" >/dev/null
fi

echo "phase_cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
