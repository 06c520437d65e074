#!/usr/bin/env bash
# Every detector's allocations over K warm windows are identical under glibc, mimalloc and
# jemalloc. Usage: same_counts_across_allocators.sh K PROBE_GLIBC PROBE_MIMALLOC PROBE_JEMALLOC
set -euo pipefail
k=$1; shift
failed=0
printf '%-18s %-28s %-28s %-28s\n' detector glibc mimalloc jemalloc
for detector in pod_evicted xid_correlation hbm_ecc nccl_hang thermal_throttle pcie_aer; do
  lines=()
  for probe in "$@"; do lines+=("$("$probe" "$detector" "$k")"); done
  printf '%-18s %-28s %-28s %-28s\n' "$detector" "${lines[@]}"
  for l in "${lines[@]}"; do [[ "$l" == "${lines[0]}" ]] || failed=1; done
done
if [[ $failed -ne 0 ]]; then echo "FAIL: counts differ between allocators" >&2; exit 1; fi
echo "identical across allocators for all detectors"
