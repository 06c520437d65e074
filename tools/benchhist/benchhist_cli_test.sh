#!/usr/bin/env bash
# Command-line contract of `benchhist`: every exit code, the one-line errors, and what each
# subcommand prints or writes. Runs in a temporary directory outside any git repository.
# Usage: benchhist_cli_test.sh BENCHHIST_BINARY FIXTURE_DIR
set -uo pipefail
bh=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
export ALLOCGATE_HISTORY_DB="$work/env.db"
passed=0; failed=0

# expect NAME EXIT_CODE PATTERN -- command...   (PATTERN: grep -E on stdout+stderr; "" = any)
expect() {
  local name=$1 code=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]]; then
    echo "FAIL $name: exit $rc, expected $code"; echo "$out" | sed 's/^/    /'; ((failed++)); return
  fi
  if [[ -n "$pattern" ]] && ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: output lacks /$pattern/"; echo "$out" | sed 's/^/    /'; ((failed++)); return
  fi
  echo "ok   $name"; ((passed++))
}

# gb FILE "NS_A..." [ALLOCS_A]: BM_ADetector with one repetition per ns value, BM_BDetector
# constant (5 repetitions of 50 ns).
gb() {
  local file=$1 a=${3:-2} i=0 sep=""
  {
    echo '{"context": {"date": "2026-11-22", "host_name": "ci", "num_cpus": 2}, "benchmarks": ['
    for v in $2; do
      printf '%s{"name": "BM_ADetector/iterations:8", "run_name": "BM_ADetector/iterations:8", "run_type": "iteration", "repetition_index": %d, "iterations": 8, "real_time": 1, "cpu_time": 1, "time_unit": "us", "ns/event": %s, "allocs/event": %s, "bytes/event": 64}\n' "$sep" $i "$v" "$a"
      sep=","; ((i++))
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
      sep=","; ((i++))
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

# ---- help and usage ----
expect "help exits 0" 0 "Exit codes: 0 ok, 1 regression" -- "$bh" --help
expect "no subcommand is a usage error" 2 "" -- "$bh"
expect "unknown option is a usage error" 2 "" -- "$bh" list --bogus

# ---- ingest / list / show ----
expect "ingest" 0 "stored run 1: commit aaaa1111" -- \
  "$bh" --db h.db ingest base.json --commit aaaa1111 --branch main
expect "ingest with merge-base" 0 "stored run 2" -- \
  "$bh" --db h.db ingest slow.json --commit bbbb2222 --merge-base aaaa1111 --branch feature
expect "duplicate run: exit 2, one line" 2 "^benchhist: error: duplicate run: .* already stored as run 2$" -- \
  "$bh" --db h.db ingest slow.json --commit bbbb2222
expect "truncated JSON: exit 2" 2 "truncated\.json:[0-9]+: not valid JSON" -- \
  "$bh" --db h.db ingest "$data/truncated.json" --commit cccc3333
expect "not Google Benchmark JSON: exit 2" 2 "not Google Benchmark JSON" -- \
  "$bh" --db h.db ingest "$data/not_gbench.json" --commit cccc3333
expect "missing file: exit 2" 2 "nope\.json" -- "$bh" --db h.db ingest nope.json --commit c1
expect "no commit outside git: exit 2" 2 "no commit known" -- "$bh" --db h.db ingest same.json
expect "nothing written by the failures" 0 "^  2  bbbb2222" -- "$bh" --db h.db list
[[ $("$bh" --db h.db list | grep -c '^ *[0-9]') -eq 2 ]] && { echo "ok   list shows exactly 2 runs"; ((passed++)); } || { echo "FAIL list count"; ((failed++)); }
expect "show by commit prefix" 0 "merge-base: aaaa1111" -- "$bh" --db h.db show bbbb
expect "show keeps every repetition" 0 "BM_ADetector +ns/event +5 +120 +119 120 121 122 118" -- \
  "$bh" --db h.db show 2
expect "show unknown run: exit 2" 2 "no run with id 9" -- "$bh" --db h.db show 9
expect "env ALLOCGATE_HISTORY_DB" 0 "stored run 1" -- "$bh" ingest base.json --commit e1
[[ -f env.db ]] && { echo "ok   env database created"; ((passed++)); } || { echo "FAIL env.db missing"; ((failed++)); }

# ---- compare ----
expect "compare newest vs its merge-base: regression, exit 1" 1 "BM_ADetector +ns/event .* \+20\.00% +0\.008 +5/5 +REGRESSION" -- \
  "$bh" --db h.db compare
expect "compare previous" 1 "result: 1 regression" -- "$bh" --db h.db compare --base previous
expect "compare files, no change: exit 0" 0 "result: no regression" -- \
  "$bh" compare --base base.json --head same.json
expect "exactly at the threshold passes" 0 "\+10\.00% .*~ \(within threshold\)" -- \
  "$bh" compare --base base.json --head edge.json --threshold 10
expect "just below the threshold fails" 1 "REGRESSION" -- \
  "$bh" compare --base base.json --head edge.json --threshold 9.99
expect "exactly at the threshold passes, non-integer medians" 0 "\+10\.00% .*~ \(within threshold\)" -- \
  "$bh" compare --base nibase.json --head niedge.json --threshold 10
expect "just below the threshold fails, non-integer medians" 1 "REGRESSION" -- \
  "$bh" compare --base nibase.json --head niedge.json --threshold 9.99
expect "compare: a vanished benchmark is reported, exit 0" 0 "BM_ADetector +ns/event .*missing in head" -- \
  "$bh" compare --base base.json --head bonly.json
expect "too few repetitions: ~ with the number needed" 0 "~ \(too few samples: need >= 4 per side, have 3/3\)" -- \
  "$bh" compare --base fewbase.json --head few.json
expect "allocations exact: any increase fails" 1 "allocs/event .*REGRESSION" -- \
  "$bh" compare --base base.json --head moreallocs.json
expect "markdown for the job summary" 1 "^### Benchmark comparison: ❌ 1 regression\(s\)" -- \
  "$bh" compare --base base.json --head slow.json --format markdown
expect "markdown table" 1 "^\| benchmark +\| metric" -- \
  "$bh" compare --base base.json --head slow.json --format markdown
expect "head without a merge-base: exit 2" 2 "the head has no known merge-base" -- \
  "$bh" --db h.db compare --head 1 --base merge-base --metric ns/event
"$bh" --db h.db ingest same.json --commit dddd4444 --merge-base ffff9999 >/dev/null
expect "merge-base not stored: exit 2" 2 "no stored run of the merge-base ffff999" -- "$bh" --db h.db compare
expect "bad format value: exit 2" 2 "" -- "$bh" compare --base base.json --head same.json --format html

# ---- check against the committed baseline ----
expect "baseline capture (first)" 0 "every benchmark starts soft" -- \
  "$bh" baseline --results base.json --out bl.json --commit aaaa1111 --platform test-plat
grep -q '"gate": "soft"' bl.json && { echo "ok   new benchmarks start soft"; ((passed++)); } || { echo "FAIL soft default"; ((failed++)); }
expect "soft benchmark: regression reported, exit 0" 0 "REGRESSION \(soft: reported only\)" -- \
  "$bh" check --baseline bl.json --results slow.json
sed -i '0,/"gate": "soft"/s//"gate": "hard"/' bl.json   # BM_ADetector comes first
expect "hard benchmark: regression fails, exit 1" 1 "BM_ADetector +ns/event .*REGRESSION$" -- \
  "$bh" check --baseline bl.json --results slow.json
expect "hard benchmark, no change: exit 0" 0 "result: no regression" -- \
  "$bh" check --baseline bl.json --results same.json
expect "soft benchmark missing from the results: reported, exit 0" 0 "BM_BDetector +ns/event .*missing in head" -- \
  "$bh" check --baseline bl.json --results aonly.json
expect "hard benchmark missing from the results: exit 2, names it" 2 "^benchhist: error: bonly\.json: no measurement of hard-gated benchmark\(s\) BM_ADetector \(ns/event\):" -- \
  "$bh" check --baseline bl.json --results bonly.json
out=$("$bh" check --baseline bl.json --results bonly.json 2>&1)
[[ $(wc -l <<<"$out") -eq 1 ]] && ! grep -q BM_BDetector <<<"$out" \
  && { echo "ok   missing hard benchmark: one line, soft one not named"; ((passed++)); } || { echo "FAIL missing hard benchmark output"; echo "$out" | sed 's/^/    /'; ((failed++)); }
expect "re-capture keeps the gate and prints the diff" 0 "committed \(commit aaaa1111\)" -- \
  "$bh" baseline --results slow.json --out bl.json --commit bbbb2222 --platform test-plat
grep -q '"gate": "hard"' bl.json && { echo "ok   gate level carried over"; ((passed++)); } || { echo "FAIL gate carried"; ((failed++)); }
expect "missing baseline: exit 2" 2 "no timing baseline for this platform" -- \
  "$bh" check --baseline nope.json --results same.json
echo '{"allocgate_baseline": 1, "platform": "p", "benchmarks": {"BM_A": {"gate": "firm", "metrics": {}}}}' >badbl.json
expect "malformed baseline: exit 2" 2 "benchmarks\.BM_A\.gate" -- \
  "$bh" check --baseline badbl.json --results same.json
expect "platform" 0 "^linux-" -- "$bh" platform
"$bh" baseline --results nibase.json --out nibl.json --commit aaaa1111 --platform test-plat >/dev/null
sed -i 's/"gate": "soft"/"gate": "hard"/' nibl.json
expect "check: exactly at the threshold passes, non-integer medians" 0 "result: no regression" -- \
  "$bh" check --baseline nibl.json --results niedge.json --threshold 10
expect "check: just below the threshold fails, non-integer medians" 1 "BM_ADetector +ns/event .*REGRESSION$" -- \
  "$bh" check --baseline nibl.json --results niedge.json --threshold 9.99

# ---- history reports: rolling median, cv, changes ----
# 12 runs: ns/event level 100 for 6 runs, then 130 from commit c06 on.
for k in 00 01 02 03 04 05 06 07 08 09 10 11; do
  if ((10#$k < 6)); then gb r$k.json "9$((10#$k % 3)) 100 101 102 99"; else gb r$k.json "12$((10#$k % 3)) 130 131 132 129"; fi
  "$bh" --db t.db ingest r$k.json --commit c${k}aaaaaa >/dev/null || echo "FAIL ingest r$k"
done
expect "median over budget: exit 1" 1 "BM_ADetector +5 +130 +129 +OVER BUDGET" -- \
  "$bh" --db t.db median --last 5 --metric ns/event --max 129 --benchmark BM_ADetector
expect "median exactly at budget: exit 0" 0 "BM_ADetector +5 +130 +130 +ok" -- \
  "$bh" --db t.db median --last 5 --metric ns/event --max 130 --benchmark BM_ADetector
expect "median with fewer runs than asked: warning" 0 "need >= 50 runs .* have 12" -- \
  "$bh" --db t.db median --last 50 --metric ns/event --max 1000
expect "median of an unknown metric: exit 2" 2 "no runs with metric 'zzz'" -- \
  "$bh" --db t.db median --last 5 --metric zzz --max 1
# Per-run medians 0.1 and 0.2: their median is 0.15000000000000002 as a double.
gb1 m1.json BM_ADetector "0.1"; gb1 m2.json BM_ADetector "0.2"
"$bh" --db m.db ingest m1.json --commit m1aaaaaa >/dev/null && "$bh" --db m.db ingest m2.json --commit m2aaaaaa >/dev/null
expect "median exactly at a non-integer budget: exit 0" 0 "BM_ADetector +2 +0\.15 +0\.15 +ok" -- \
  "$bh" --db m.db median --last 2 --metric ns/event --max 0.15
expect "median just above a non-integer budget: exit 1" 1 "OVER BUDGET" -- \
  "$bh" --db m.db median --last 2 --metric ns/event --max 0.1499

# ---- numeric options are validated: exit 2, one line naming the option ----
bad() {  # bad NAME OPTION -- command...
  local name=$1 option=$2; shift 3
  expect "$name" 2 "^benchhist: error: $option: .* \(see --help\)$" -- "$@"
  local lines; lines=$("$@" 2>&1 | wc -l)
  [[ $lines -eq 1 ]] && { echo "ok   $name: one line"; ((passed++)); } || { echo "FAIL $name: $lines lines"; ((failed++)); }
}
bad "median --max nan" --max -- "$bh" --db m.db median --last 2 --max nan
bad "median --max inf" --max -- "$bh" --db m.db median --last 2 --max inf
bad "median --max -1" --max -- "$bh" --db m.db median --last 2 --max -1
bad "median --last -3 (no unsigned wrap)" --last -- "$bh" --db m.db median --last -3 --max 1
bad "median --last 0" --last -- "$bh" --db m.db median --last 0 --max 1
bad "median --last 1.5" --last -- "$bh" --db m.db median --last 1.5 --max 1
bad "compare --threshold nan" --threshold -- "$bh" compare --base base.json --head slow.json --threshold nan
bad "compare --threshold -5" --threshold -- "$bh" compare --base base.json --head slow.json --threshold -5
bad "compare --threshold 1e999" --threshold -- "$bh" compare --base base.json --head slow.json --threshold 1e999
bad "compare --threshold abc" --threshold -- "$bh" compare --base base.json --head slow.json --threshold abc
bad "check --threshold nan" --threshold -- "$bh" check --baseline nibl.json --results niedge.json --threshold nan
bad "baseline --threshold -1" --threshold -- "$bh" baseline --results base.json --out nbl.json --threshold -1
[[ ! -e nbl.json ]] && { echo "ok   rejected baseline wrote nothing"; ((passed++)); } || { echo "FAIL nbl.json written"; ((failed++)); }
bad "cv --threshold nan" --threshold -- "$bh" --db t.db cv --threshold nan
bad "cv --last 1" --last -- "$bh" --db t.db cv --last 1
bad "cv --last -1" --last -- "$bh" --db t.db cv --last -1
bad "list --last -3" --last -- "$bh" --db t.db list --last -3
bad "list --last 0" --last -- "$bh" --db t.db list --last 0
bad "changes --last -1" --last -- "$bh" --db t.db changes --metric ns/event --last -1
bad "trend --last 0" --last -- "$bh" --db t.db trend --last 0 --out badcharts
bad "trend --ceiling nan" --ceiling -- "$bh" --db t.db trend --out badcharts --ceiling nan
bad "report --last -3" --last -- "$bh" --db t.db report --out badreport --last -3
[[ ! -e badcharts && ! -e badreport ]] && { echo "ok   rejected trend/report wrote nothing"; ((passed++)); } || { echo "FAIL badcharts/badreport written"; ((failed++)); }
expect "changes --last 0 means all runs" 0 "method: E-Divisive" -- "$bh" --db t.db changes --metric ns/event --last 0
expect "cv report states the formula" 0 "FPR ~= 1 - Phi\(T / \(CV \* sqrt\(2/r\)\)\)" -- \
  "$bh" --db t.db cv --last 10
expect "cv: allocation metrics deterministic" 0 "BM_ADetector +allocs/event .* 0\.00 .*deterministic" -- \
  "$bh" --db t.db cv --last 10
gb r12.json "130 130 131 132 129" 3
"$bh" --db t.db ingest r12.json --commit c12aaaaaa >/dev/null
expect "cv: varying allocations flagged, exit 1" 1 "NONDETERMINISTIC" -- "$bh" --db t.db cv --last 10
expect "changes attributes the shift to its commit" 0 "BM_ADetector +7 +c06aaaaaa +100 +130 +\+30\.00%" -- \
  "$bh" --db t.db changes --metric ns/event --benchmark BM_ADetector
expect "changes: a flat series has none" 0 "no change points" -- \
  "$bh" --db t.db changes --metric ns/event --benchmark BM_BDetector

# ---- charts ----
expect "trend writes one SVG per benchmark" 0 "BM_BDetector\.svg" -- \
  "$bh" --db t.db trend --last 13 --metric ns/event --out charts --ceiling 125
[[ $(ls charts/*.svg | wc -l) -eq 2 ]] && { echo "ok   2 SVG files"; ((passed++)); } || { echo "FAIL svg count"; ((failed++)); }
grep -q 'class="changepoint"' charts/BM_ADetector.svg && grep -q 'class="reference"' charts/BM_ADetector.svg \
  && { echo "ok   change point and reference line drawn"; ((passed++)); } || { echo "FAIL svg marks"; ((failed++)); }
expect "report writes index.html" 0 "report/index\.html" -- "$bh" --db t.db report --out report
[[ $(grep -c '<svg' report/index.html) -eq 2 ]] && ! grep -qE '<script|https?://[a-z]' <(sed 's#http://www.w3.org/2000/svg##g' report/index.html) \
  && { echo "ok   report: 2 charts, no scripts or external URLs"; ((passed++)); } || { echo "FAIL report content"; ((failed++)); }

echo "benchhist_cli_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
