#!/usr/bin/env bash
# File: detect_process_streams_test.sh
# The real build/bin/detect against broken standard streams, which the golden tests (they call
# the library with string streams) cannot reach: a full disk or a closed descriptor on stdout,
# a closed or directory stdin. Each must be exit 2 with one line on stderr, never a silent 0.
# Usage: detect_process_streams_test.sh <detect binary> <a log file with findings>
set -euo pipefail
detect=$1
log=$2
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect <name> <command...>: runs the command (its redirections included) and checks the result.
expect() {
  local name=$1
  shift
  local rc=0
  "$@" 2>"$tmp/err" || rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [[ $rc -ne 2 || $lines -ne 1 ]]; then
    echo "FAIL $name: exit $rc (want 2), $lines stderr lines (want 1):"
    cat "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$tmp/err")"
  fi
}

full_stdout() { "$detect" -q "$log" >/dev/full; }
closed_stdout() { "$detect" -q "$log" >&-; }
closed_stdin() { "$detect" -q <&-; }
directory_stdin() { "$detect" -q <"$tmp"; }
directory_argument() { "$detect" -q "$tmp"; }

expect "stdout is /dev/full" full_stdout
expect "stdout is closed" closed_stdout
expect "stdin is closed" closed_stdin
expect "stdin is a directory" directory_stdin
expect "a FILE is a directory" directory_argument

# The control: the same log to a working stdout is exit 0 with findings.
out=$("$detect" -q "$log")
if [[ -z $out ]]; then
  echo "FAIL control: no findings for $log"
  failures=$((failures + 1))
fi
exit $((failures > 0))
