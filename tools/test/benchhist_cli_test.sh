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

gb base.json "98 99 100 101 102"
gb same.json "99 100 101 102 98"
gb slow.json "119 120 121 122 118"        # +20 %, separated: p = 2/252
gb edge.json "108 109 110 111 112"        # exactly +10 %
gb few.json "300 310 320"                 # 3 repetitions only
gb fewbase.json "99 100 101"
gb moreallocs.json "98 99 100 101 102" 2.5

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
expect "re-capture keeps the gate and prints the diff" 0 "committed \(commit aaaa1111\)" -- \
  "$bh" baseline --results slow.json --out bl.json --commit bbbb2222 --platform test-plat
grep -q '"gate": "hard"' bl.json && { echo "ok   gate level carried over"; ((passed++)); } || { echo "FAIL gate carried"; ((failed++)); }
expect "missing baseline: exit 2" 2 "no timing baseline for this platform" -- \
  "$bh" check --baseline nope.json --results same.json
echo '{"allocgate_baseline": 1, "platform": "p", "benchmarks": {"BM_A": {"gate": "firm", "metrics": {}}}}' >badbl.json
expect "malformed baseline: exit 2" 2 "benchmarks\.BM_A\.gate" -- \
  "$bh" check --baseline badbl.json --results same.json
expect "platform" 0 "^linux-" -- "$bh" platform

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
