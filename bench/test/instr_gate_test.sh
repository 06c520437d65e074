#!/usr/bin/env bash
# The instruction gate end to end on real callgrind runs, and mutations that must trip it:
#   two runs of one binary give identical counts; the committed ceilings pass (0); a ceiling
#   below the measurement is a breach (1) whose explanation names the detector's functions; a
#   gated benchmark with no measurement, an ungated benchmark and a platform other than the
#   registry's are configuration errors (2); tighten never raises; the reader's totals and
#   self costs agree with callgrind_annotate's; the registry gates exactly the runner's
#   detector benchmarks.
# Usage: instr_gate_test.sh RUNNER INSTR_REPORT RATCHET REGISTRY
# Exit 77 (skipped) without valgrind.
set -uo pipefail
runner=$1; report=$2; ratchet=$3; registry=$4
command -v valgrind >/dev/null || { echo "valgrind missing: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/test/expect.sh
source "$(dirname "$0")/expect.sh"

measure() {  # measure DIR RUNNER-ARGS...: profiles in DIR, results in DIR.json
  local dir=$1; shift
  mkdir -p "$dir"
  valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
    --callgrind-out-file="$dir/callgrind.out" "$runner" "$@" >"$dir/runner.txt" 2>"$dir/valgrind.log" &&
    "$report" results --profiles "$dir" --out "$dir.json"
}

# Two fast detectors, warm and cold (and their memchr references, never gated).
two=(--detector thermal_throttle --detector pcie_aer)
measure "$work/a" "${two[@]}" || { echo "FAIL: the runner did not run under callgrind"; exit 1; }
measure "$work/b" "${two[@]}" || exit 1
counts() { grep -E '"(name|instr)"' "$1"; }
expect "two runs of one binary count the same instructions" 0 "" -- \
  diff <(counts "$work/a.json") <(counts "$work/b.json")
expect "the counts are not all zero" 0 '"instr": [1-9][0-9]{5,}' -- cat "$work/a.json"

grep -E '^#|^platform|^BM_(ThermalThrottle|PcieAer)Detector' "$registry" >"$work/registry.txt"
check() { "$ratchet" check --metric instr --registry "$1" --results "$2"; }
expect "the committed ceilings pass" 0 "BM_PcieAerDetectorCold .* ok" -- \
  check "$work/registry.txt" "$work/a.json"

sed -E 's/^(BM_PcieAerDetectorCold +window=1024 instr_per_event=)[0-9.]+/\11.000000/' \
  "$work/registry.txt" >"$work/tightened.txt"
expect "a ceiling below the measurement breaches and points at the explanation" 1 \
  "by function: make bench-instr-explain BENCHMARK=BM_PcieAerDetectorCold" -- \
  check "$work/tightened.txt" "$work/a.json"
expect "the breach line says by how much" 1 \
  "BREACH BM_PcieAerDetectorCold: [0-9]+\.[0-9]{6} instr/event > ceiling 1\.000000" -- \
  check "$work/tightened.txt" "$work/a.json"
expect "the explanation names the detector's own functions" 0 \
  "project +detectors::pcie_aer[a-z_:]* +detectors/pcie_aer/pcie_aer[a-z_]*\.cpp" -- \
  "$report" explain BM_PcieAerDetectorCold --profiles "$work/a"

cp "$work/tightened.txt" "$work/tighten-me.txt"
"$ratchet" tighten --metric instr --registry "$work/tighten-me.txt" --results "$work/a.json" >/dev/null 2>&1
expect "tighten never raises a breached ceiling" 0 "" -- \
  diff <(grep PcieAerDetectorCold "$work/tightened.txt") <(grep PcieAerDetectorCold "$work/tighten-me.txt")

measure "$work/warm" "${two[@]}" --family warm || exit 1
expect "a gated benchmark without a measurement is a configuration error" 2 \
  "gated benchmark 'BM_ThermalThrottleDetectorCold' .* has no 'instr/op' measurement" -- \
  check "$work/registry.txt" "$work/warm.json"

grep -v '^BM_PcieAerDetector ' "$work/registry.txt" >"$work/ungated.txt"
expect "an ungated detector benchmark is a configuration error" 2 \
  "'BM_PcieAerDetector' publishes 'instr/op' but has no ceiling" -- \
  check "$work/ungated.txt" "$work/a.json"

sed -E 's/^(platform .*)compiler=[^ ]+/\1compiler=gcc-0.0.0/' "$work/registry.txt" >"$work/other.txt"
expect "results from another platform fail closed" 2 \
  "field 'platform': the ceilings were recorded on another platform; compiler: registry 'gcc-0.0.0'" -- \
  check "$work/other.txt" "$work/a.json"
grep -v '^platform' "$work/registry.txt" >"$work/unstamped.txt"
expect "an unstamped instruction registry fails closed" 2 "has no platform stamp" -- \
  check "$work/unstamped.txt" "$work/a.json"

# The reader against valgrind's own annotator: the same total, the same self cost for
# on_event (callgrind_annotate splits a function's self cost by source file, inlined headers
# apart: its rows for the function are summed).
profile=$(grep -l 'Trigger: Client Request: BM_PcieAerDetector ' "$work"/a/callgrind.out.*)
annotate_total=$(callgrind_annotate "$profile" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1 }')
reader_total=$(awk '/"name": "BM_PcieAerDetector"/ { f = 1 } f && /"instr":/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$work/a.json")
expect "the total agrees with callgrind_annotate's" 0 "" -- test "$annotate_total" = "$reader_total"
annotated_self=$(callgrind_annotate --auto=no --threshold=100 "$profile" 2>/dev/null |
  awk '/^ *[0-9,]+ .*:detectors::pcie_aer_detector::on_event\(/ { gsub(/,/, "", $1); sum += $1 }
       END { print sum }')
reader_self=$("$report" explain BM_PcieAerDetector --profiles "$work/a" --top 50 |
  awk '/ detectors::pcie_aer_detector::on_event / { print $2; exit }')
events=$(awk '/"name": "BM_PcieAerDetector"/ { f = 1 } f && /"events":/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$work/a.json")
expect "on_event's self cost agrees with callgrind_annotate's" 0 "" -- \
  test "$(awk -v a="$annotated_self" -v e="$events" 'BEGIN { printf "%.2f", a / e }')" = "$reader_self"

listed=$("$runner" --list | while read -r d; do
  printf 'BM_%sDetector\nBM_%sDetectorCold\n' "$(sed -E 's/(^|_)([a-z])/\U\2/g' <<<"$d")" \
    "$(sed -E 's/(^|_)([a-z])/\U\2/g' <<<"$d")"; done | sort)
gated=$(grep -oE '^BM_[A-Za-z]+' "$registry" | sort)
expect "the registry gates exactly the runner's detector benchmarks" 0 "" -- \
  diff <(echo "$listed") <(echo "$gated")

expect_summary
