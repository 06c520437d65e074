#!/usr/bin/env bash
# Command-line contract of `ratchet`: exit codes, messages, and what tighten/raise write.
# Usage: ratchet_cli_test.sh RATCHET_BINARY
set -uo pipefail
ratchet=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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

# A results file as Google Benchmark writes it: 3 repetitions of two detector benchmarks.
results() {  # results FILE ALLOCS_A ALLOCS_B
  local a=$2 b=$3
  cat >"$1" <<JSON
{"context": {"date": "2026-11-22"}, "benchmarks": [
 {"name": "BM_ADetector/iterations:64", "run_name": "BM_ADetector/iterations:64", "run_type": "iteration", "repetition_index": 0, "iterations": 64, "real_time": 10, "cpu_time": 10, "time_unit": "us", "allocs/op": $a, "bytes/op": 100, "window": 1024},
 {"name": "BM_ADetector/iterations:64", "run_name": "BM_ADetector/iterations:64", "run_type": "iteration", "repetition_index": 1, "iterations": 64, "real_time": 10, "cpu_time": 10, "time_unit": "us", "allocs/op": $a, "bytes/op": 100, "window": 1024},
 {"name": "BM_ADetector/iterations:64", "run_name": "BM_ADetector/iterations:64", "run_type": "iteration", "repetition_index": 2, "iterations": 64, "real_time": 10, "cpu_time": 10, "time_unit": "us", "allocs/op": $a, "bytes/op": 100, "window": 1024},
 {"name": "BM_BDetector/iterations:64", "run_name": "BM_BDetector/iterations:64", "run_type": "iteration", "repetition_index": 0, "iterations": 64, "real_time": 10, "cpu_time": 10, "time_unit": "us", "allocs/op": $b, "bytes/op": 0, "window": 1024}
]}
JSON
}
registry() {  # registry FILE CEIL_A CEIL_B
  printf '# ceilings\nBM_ADetector window=1024 allocs_per_event=%s\nBM_BDetector window=1024 allocs_per_event=%s\n' "$2" "$3" >"$1"
}

results "$work/r.json" 2048 0
registry "$work/ok.txt" 2.0 0
expect "pass: measured == ceiling" 0 "BM_ADetector +2.000000 +2.000000" -- \
  "$ratchet" check --registry "$work/ok.txt" --results "$work/r.json"

registry "$work/tight.txt" 1.999 0
expect "breach: ceiling below the measurement" 1 "BREACH BM_ADetector: 2.000000 allocs/event > ceiling 1.999000" -- \
  "$ratchet" check --registry "$work/tight.txt" --results "$work/r.json"

expect "breach in markdown" 1 "Allocation gate: ❌ breach" -- \
  "$ratchet" check --registry "$work/tight.txt" --results "$work/r.json" --format markdown

printf 'BM_ADetector window=1024 allocs_per_event=2\nBM_BDetector window=1024 allocs_per_event=0\nBM_CDetector window=1024 allocs_per_event=1\n' >"$work/extra.txt"
expect "error: gated benchmark missing from results" 2 "gated benchmark 'BM_CDetector' \(registry line 3\) has no 'allocs/op'" -- \
  "$ratchet" check --registry "$work/extra.txt" --results "$work/r.json"

printf 'BM_ADetector window=1024 allocs_per_event=2\n' >"$work/ungated.txt"
expect "error: ungated detector benchmark" 2 "'BM_BDetector' publishes allocation counters but has no ceiling" -- \
  "$ratchet" check --registry "$work/ungated.txt" --results "$work/r.json"

printf 'BM_ADetector window=1024 allocs_per_event=two\n' >"$work/bad.txt"
expect "error: malformed registry names file, line, field" 2 "bad.txt:1: field 'allocs_per_event'" -- \
  "$ratchet" check --registry "$work/bad.txt" --results "$work/r.json"

head -c 300 "$work/r.json" >"$work/truncated.json"
expect "error: truncated results" 2 "truncated.json:[0-9]+: not valid JSON" -- \
  "$ratchet" check --registry "$work/ok.txt" --results "$work/truncated.json"

echo '{"foo": 1}' >"$work/other.json"
expect "error: not Google Benchmark JSON" 2 "not Google Benchmark JSON" -- \
  "$ratchet" check --registry "$work/ok.txt" --results "$work/other.json"

expect "error: missing registry" 2 "cannot open the ceiling registry" -- \
  "$ratchet" check --registry "$work/none.txt" --results "$work/r.json"

expect "error: missing results" 2 "nothing.json: cannot open" -- \
  "$ratchet" check --registry "$work/ok.txt" --results "$work/nothing.json"

expect "error: unknown option" 2 "" -- "$ratchet" check --bogus
expect "help exits 0" 0 "Usage:" -- "$ratchet" check --help

# Tighten lowers what is under, never raises what breaches.
registry "$work/loose.txt" 5.0 0.5
cp "$work/tight.txt" "$work/tight-before.txt"
expect "tighten lowers ceilings well above the measurement" 0 "\+ BM_ADetector allocs_per_event=2.020000" -- \
  "$ratchet" tighten --registry "$work/loose.txt" --results "$work/r.json"
registry "$work/only.txt" 5.0 0.5
expect "tighten --only touches only the named benchmark" 0 "\+ BM_BDetector allocs_per_event=0.000000" -- \
  "$ratchet" tighten --registry "$work/only.txt" --results "$work/r.json" --only BM_BDetector
expect "the other ceiling kept its value" 0 "BM_ADetector window=1024 allocs_per_event=5.000000" -- \
  cat "$work/only.txt"
expect "tighten wrote the new ceilings" 0 "BM_BDetector window=1024 allocs_per_event=0.000000" -- \
  cat "$work/loose.txt"
expect "tighten kept the comment" 0 "^# ceilings" -- cat "$work/loose.txt"
expect "tighten never raises a breached ceiling" 0 "nothing to tighten" -- \
  "$ratchet" tighten --registry "$work/tight.txt" --results "$work/r.json"
expect "registry unchanged after a no-op tighten" 0 "" -- cmp "$work/tight.txt" "$work/tight-before.txt"
registry "$work/dry.txt" 5.0 0
cp "$work/dry.txt" "$work/dry-before.txt"
"$ratchet" tighten --registry "$work/dry.txt" --results "$work/r.json" --dry-run >/dev/null
expect "tighten --dry-run writes nothing" 0 "" -- cmp "$work/dry.txt" "$work/dry-before.txt"

# Raise: the only way up, and it needs a reason.
expect "raise without a reason is refused" 2 "reason" -- \
  "$ratchet" raise BM_ADetector 3 --registry "$work/ok.txt"
expect "raise with an empty reason is refused" 2 "--reason is required" -- \
  "$ratchet" raise BM_ADetector 3 --reason " " --registry "$work/ok.txt"
expect "raise below the current ceiling is refused" 2 "is not above the current ceiling" -- \
  "$ratchet" raise BM_ADetector 1 --reason "x" --registry "$work/ok.txt"
expect "raise with a reason records it" 0 "\+ BM_ADetector allocs_per_event=3.000000" -- \
  "$ratchet" raise BM_ADetector 3 --reason "parser keeps a copy (issue 9)" --registry "$work/ok.txt"
expect "the reason is in the registry" 0 'reason="parser keeps a copy \(issue 9\)"' -- cat "$work/ok.txt"
expect "raise records a new benchmark's first ceiling" 0 "\+ BM_NewDetector window=1024" -- \
  "$ratchet" raise BM_NewDetector 1.5 --reason "new detector" --registry "$work/ok.txt"
expect "raise refuses a non-finite value" 2 "VALUE must be a number between 0 and 1e9" -- \
  "$ratchet" raise BM_ADetector inf --reason "x" --registry "$work/ok.txt"
expect "raise refuses a negative value" 2 "" -- \
  "$ratchet" raise BM_NewDetector2 -1 --reason "x" --registry "$work/ok.txt"
expect "raise refuses a zero window" 2 "--window must be positive" -- \
  "$ratchet" raise BM_NewDetector3 1 --window 0 --reason "x" --registry "$work/ok.txt"
expect "raise refuses a multi-line reason" 2 "must be one line" -- \
  "$ratchet" raise BM_ADetector 9 --reason "$(printf 'a\nb')" --registry "$work/ok.txt"
expect "raise refuses a name that would corrupt the line" 2 "is not a benchmark name" -- \
  "$ratchet" raise 'BM_X window=1 #' 1 --reason "x" --registry "$work/ok.txt"
expect "the registry still loads after the refused raises" 0 "allocs_per_event=4.000000" -- \
  "$ratchet" raise BM_ADetector 4 --reason "still readable" --registry "$work/ok.txt"
expect "tighten refuses a negative slack" 2 "--slack-percent must be between 0 and 100" -- \
  "$ratchet" tighten --registry "$work/loose.txt" --results "$work/r.json" --slack-percent -50
printf 'BM_ADetector window=1024 allocs_per_event=1 bytes_per_event=100\nBM_BDetector window=1024 allocs_per_event=0\n' >"$work/bytes.txt"
sed 's/"bytes\/op": [0-9]*, //' "$work/r.json" >"$work/nobytes.json"
expect "a bytes ceiling without a bytes measurement is an error, even in a breach" 2 "counter 'bytes/op' is missing" -- \
  "$ratchet" tighten --registry "$work/bytes.txt" --results "$work/nobytes.json"
expect "a directory is not a registry" 2 "not a regular file" -- \
  "$ratchet" check --registry "$work" --results "$work/r.json"
expect "no temporary files left behind" 0 "" -- bash -c "! ls '$work' | grep -q tmp"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
