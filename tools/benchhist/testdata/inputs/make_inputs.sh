#!/usr/bin/env bash
# Writes the small Google Benchmark JSON files the CLI cases (../cli/) read. They are committed;
# run this only to change them, then refresh the cases (ALLOCGATE_UPDATE_GOLDEN=1) and review.
# Usage: make_inputs.sh [DIR]   (default: this script's folder)
set -euo pipefail
cd "${1:-$(dirname "$0")}"

# instr_*.json are written by hand in the shape of the instruction measurement's results
# (one repetition per benchmark, counters instr/event and instr/window); this script leaves
# them alone.

# gb FILE "NS_A..." [ALLOCS_A]: BM_ADetector with one repetition per ns value, BM_BDetector
# constant (5 repetitions of 50..54 ns).
gb() {
  local file=$1 a=${3:-2} i=0 sep=""
  {
    echo '{"context": {"date": "2026-11-22", "host_name": "ci", "num_cpus": 2}, "benchmarks": ['
    for v in $2; do
      printf '%s{"name": "BM_ADetector/iterations:8", "run_name": "BM_ADetector/iterations:8", "run_type": "iteration", "repetition_index": %d, "iterations": 8, "real_time": 1, "cpu_time": 1, "time_unit": "us", "ns/event": %s, "allocs/event": %s, "bytes/event": 64}\n' "$sep" $i "$v" "$a"
      sep=","; i=$((i + 1))
    done
    for r in 0 1 2 3 4; do
      printf ',{"name": "BM_BDetector/iterations:8", "run_name": "BM_BDetector/iterations:8", "run_type": "iteration", "repetition_index": %d, "iterations": 8, "real_time": 1, "cpu_time": 1, "time_unit": "us", "ns/event": 5%d, "allocs/event": 0, "bytes/event": 0}\n' $r $r
    done
    echo ']}'
  } >"$file"
}

# gb1 FILE NAME "NS...": one benchmark, one repetition per ns value.
gb1() {
  local file=$1 name=$2 i=0 sep=""
  {
    echo '{"context": {"date": "2026-11-22", "host_name": "ci", "num_cpus": 2}, "benchmarks": ['
    for v in $3; do
      printf '%s{"name": "%s", "run_name": "%s", "run_type": "iteration", "repetition_index": %d, "iterations": 8, "real_time": 1, "cpu_time": 1, "time_unit": "us", "ns/event": %s, "allocs/event": 0, "bytes/event": 0}\n' "$sep" "$name" "$name" $i "$v"
      sep=","; i=$((i + 1))
    done
    echo ']}'
  } >"$file"
}

gb base.json "98 99 100 101 102"
gb same.json "99 100 101 102 98"
gb slow.json "119 120 121 122 118"        # +20 %, separated: p = 2/252
gb edge.json "108 109 110 111 112"        # exactly +10 %
gb few.json "300 310 320"                 # 3 repetitions only
gb fewbase.json "99 100 101"
gb moreallocs.json "98 99 100 101 102" 2.5
gb1 nibase.json BM_ADetector "101 101.25 101.5 101.75 102"   # median 101.5
gb1 niedge.json BM_ADetector "111 111.5 111.65 111.8 112"    # 111.65: exactly +10 %, as a
                                                             # double 10.000000000000005 %
gb1 aonly.json BM_ADetector "99 100 101 102 98"
gb1 bonly.json BM_BDetector "50 51 52 53 54"

# A history of 12 runs: ns/event level 100 for 6 runs, then 130 from r06 on; r12 has varying
# allocations.
for k in 00 01 02 03 04 05 06 07 08 09 10 11; do
  if ((10#$k < 6)); then gb r$k.json "9$((10#$k % 3)) 100 101 102 99"; else gb r$k.json "12$((10#$k % 3)) 130 131 132 129"; fi
done
gb r12.json "130 130 131 132 129" 3

# Per-run medians 0.1 and 0.2: their median is 0.15000000000000002 as a double.
gb1 m1.json BM_ADetector "0.1"
gb1 m2.json BM_ADetector "0.2"
