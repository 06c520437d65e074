# shellcheck shell=bash
# Sourced by the gate tests: `expect NAME CODE PATTERN -- command...` runs the command and
# checks its exit code and (when PATTERN is not empty) that its output matches the ERE PATTERN,
# printing "ok" or "FAIL" with the output; `expect_summary` prints the counts and fails when any
# expectation did.
passed=0; failed=0

expect() {
  local name=$1 code=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -ne $code ]] || { [[ -n "$pattern" ]] && ! grep -qE -- "$pattern" <<<"$out"; }; then
    echo "FAIL $name: exit $rc (expected $code), pattern /$pattern/"; echo "$out" | sed 's/^/    /'
    ((failed++)); return
  fi
  echo "ok   $name"; ((passed++))
}

expect_summary() {
  echo "$passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
