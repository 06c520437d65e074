#!/usr/bin/env bash
# Every detector's allocations over K warm windows are identical under glibc, mimalloc and
# jemalloc. The detectors are the ones the first probe lists (`--list`); every probe must list
# the same ones, and an empty list fails.
# Usage: same_counts_across_allocators.sh K PROBE_GLIBC PROBE_MIMALLOC PROBE_JEMALLOC
set -euo pipefail
k=$1; shift
detectors=$("$1" --list)
if [[ -z "$detectors" ]]; then echo "FAIL: $1 --list names no detector" >&2; exit 1; fi
readarray -t names <<<"$detectors"
for probe in "$@"; do
  if [[ "$("$probe" --list)" != "$detectors" ]]; then
    echo "FAIL: $probe lists other detectors than $1" >&2; exit 1
  fi
done
failed=0
printf '%-18s %-28s %-28s %-28s\n' detector glibc mimalloc jemalloc
for detector in "${names[@]}"; do
  lines=()
  for probe in "$@"; do lines+=("$("$probe" "$detector" "$k")"); done
  printf '%-18s %-28s %-28s %-28s\n' "$detector" "${lines[@]}"
  for l in "${lines[@]}"; do [[ "$l" == "${lines[0]}" ]] || failed=1; done
done
if [[ $failed -ne 0 ]]; then echo "FAIL: counts differ between allocators" >&2; exit 1; fi
echo "identical across allocators for all ${#names[@]} detectors"
