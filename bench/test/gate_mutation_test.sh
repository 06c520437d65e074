#!/usr/bin/env bash
# The allocation gate on real benchmark output, and mutations that must trip it:
#   the committed ceilings pass (0); a ceiling below the measurement is a breach (1) that
#   names the responsible call site; a gated benchmark with no measurement and an ungated
#   benchmark are configuration errors (2); the registry lists exactly the benchmarks.
# Usage: gate_mutation_test.sh BENCH ATTRIBUTION_BENCH RATCHET REGISTRY
set -uo pipefail
bench=$1; attribution=$2; ratchet=$3; registry=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/test/expect.sh
source "$(dirname "$0")/expect.sh"

run_bench() {  # run_bench FILTER OUT
  "$bench" --benchmark_filter="$1" --benchmark_repetitions=3 --benchmark_out="$2" \
    --benchmark_out_format=json >/dev/null
}

# Two fast detectors, warm and cold: four gated benchmarks.
run_bench '^BM_(ThermalThrottle|PcieAer)Detector' "$work/four.json"
grep -E '^#|^BM_(ThermalThrottle|PcieAer)Detector' "$registry" >"$work/registry.txt"

expect "the committed ceilings pass" 0 "BM_PcieAerDetectorCold .* ok" -- \
  "$ratchet" check --registry "$work/registry.txt" --results "$work/four.json"

# The cold benchmark still allocates (a fresh detector builds its state); the warm one is at 0.
sed -E 's/^(BM_PcieAerDetectorCold +window=1024 allocs_per_event=)[0-9.]+/\10.000000/' \
  "$work/registry.txt" >"$work/tightened.txt"
expect "a ceiling below the measurement breaches and names the call site" 1 \
  "detectors/pcie_aer/pcie_aer[a-z_]*\.cpp:[0-9]+" -- \
  "$ratchet" check --registry "$work/tightened.txt" --results "$work/four.json" \
  --explain-with "$attribution"
expect "the breach line says by how much" 1 "BREACH BM_PcieAerDetectorCold: 0\.[0-9]+ allocs/event > ceiling 0\.000000" -- \
  "$ratchet" check --registry "$work/tightened.txt" --results "$work/four.json"

run_bench '^BM_(ThermalThrottleDetector|ThermalThrottleDetectorCold|PcieAerDetector)/' "$work/three.json"
expect "a gated benchmark without a measurement is a configuration error" 2 \
  "gated benchmark 'BM_PcieAerDetectorCold' .* has no 'allocs/op' measurement" -- \
  "$ratchet" check --registry "$work/registry.txt" --results "$work/three.json"

grep -v '^BM_ThermalThrottleDetectorCold' "$work/registry.txt" >"$work/ungated.txt"
expect "an ungated detector benchmark is a configuration error" 2 \
  "'BM_ThermalThrottleDetectorCold' publishes allocation counters but has no ceiling" -- \
  "$ratchet" check --registry "$work/ungated.txt" --results "$work/four.json"

# The MemoryManager's allocs_per_iter is the counters' allocs/op plus a constant: Google
# Benchmark 1.7.1's own allocations in its 16-iteration memory run (its ThreadManager, and
# copying this benchmark's 9 user counters into the run's results: 11 allocations, 11/16).
memory_manager_matches() {
  awk -F': ' '/"allocs\/op"/ { gsub(/,/, "", $2); op = $2 }
              /"allocs_per_iter"/ { gsub(/,/, "", $2); it = $2 }
              /^    }/ { if (op != "" && it != "") { n++; d = it - op; if (n == 1) first = d;
                           if (d != first) { bad++; print "differs: " op " -> " it } } op = ""; it = "" }
              END { printf "%d entries, allocs_per_iter - allocs/op = %.4f = %g/16\n", n, first, first * 16;
                    exit (n == 0 || bad > 0) }' "$1"
}
expect "MemoryManager allocs_per_iter = allocs/op + a constant library overhead" 0 \
  "^12 entries, allocs_per_iter - allocs/op = 0.6875 = 11/16" -- memory_manager_matches "$work/four.json"

expect "explain refuses an unknown detector" 2 "ran no window of 'BM_NopeDetector'" -- \
  "$ratchet" explain nope --bench "$attribution"

# Every benchmark the binary registers is in the registry, and nothing else is.
listed=$("$bench" --benchmark_list_tests | sed 's|/.*||' | grep -E 'Detector(Cold)?$' | sort -u)
gated=$(grep -oE '^BM_[A-Za-z]+' "$registry" | sort -u)
expect "the registry gates exactly the benchmarks the binary has" 0 "" -- \
  diff <(echo "$listed") <(echo "$gated")

expect_summary
