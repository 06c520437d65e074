#!/usr/bin/env bash
# Every detector's allocations over K warm windows, as the hook counts them, equal valgrind
# memcheck's heap-summary difference between processing K windows and 0 windows (the
# differential cancels start-up, corpus generation and warm-up, which both runs share). The
# detectors are the ones the probe lists (`--list`); an empty list fails.
# Usage: valgrind_oracle.sh PROBE K   (exit 0 equal, 1 differ, 77 skipped: no valgrind)
set -euo pipefail
probe=$1; k=$2
if ! command -v valgrind >/dev/null; then
  echo "SKIP: valgrind is not installed (apt-get install valgrind)"; exit 77
fi
detectors=$("$probe" --list)
if [[ -z "$detectors" ]]; then echo "FAIL: $probe --list names no detector" >&2; exit 1; fi
readarray -t names <<<"$detectors"
heap_allocs() {
  valgrind --tool=memcheck --leak-check=no "$probe" "$1" "$2" 2>&1 >/dev/null |
    sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
failed=0
printf '%-18s %12s %16s %16s %12s\n' detector "hook(K=$k)" "valgrind(K=$k)" "valgrind(K=0)" difference
for detector in "${names[@]}"; do
  hook=$("$probe" "$detector" "$k" | sed -n 's/^allocs=\([0-9]*\).*/\1/p')
  vk=$(heap_allocs "$detector" "$k"); v0=$(heap_allocs "$detector" 0)
  diff=$((vk - v0))
  verdict=ok; [[ "$hook" == "$diff" ]] || { verdict=DIFFER; failed=1; }
  printf '%-18s %12s %16s %16s %12s  %s\n' "$detector" "$hook" "$vk" "$v0" "$diff" "$verdict"
done
[[ $failed -eq 0 ]] || { echo "FAIL: the hook and valgrind disagree" >&2; exit 1; }
echo "OK: hook counts equal valgrind's for every detector"
