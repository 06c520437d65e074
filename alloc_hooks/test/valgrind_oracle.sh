#!/usr/bin/env bash
# Independent oracle for the hook's counts: valgrind memcheck's heap summary.
#
# The hook runs natively; memcheck counts every malloc the program makes (the hook's operator
# new forwards to malloc once per allocation). Start-up allocations (libstdc++'s emergency
# pool, stdio buffers) differ between the two, so compare *differences*: the workload at K
# rounds minus the workload at 0 rounds, natively (hook) and under valgrind.
# Usage: valgrind_oracle.sh BINARY K   (exit 0 equal, 1 differ, 77 skipped: no valgrind)
set -euo pipefail
bin=$1; k=$2
if ! command -v valgrind >/dev/null; then
  echo "SKIP: valgrind is not installed (apt-get install valgrind)"
  exit 77
fi
hook_allocs() { "$bin" "$1" | sed -n 's/^allocs=\([0-9]*\).*/\1/p'; }
valgrind_allocs() {
  valgrind --tool=memcheck --leak-check=no "$bin" "$1" 2>&1 >/dev/null |
    sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
hook_k=$(hook_allocs "$k"); hook_0=$(hook_allocs 0)
vg_k=$(valgrind_allocs "$k"); vg_0=$(valgrind_allocs 0)
if [[ -z "$hook_k" || -z "$hook_0" || -z "$vg_k" || -z "$vg_0" ]]; then
  echo "FAIL: could not read counts (hook: '$hook_k' '$hook_0', valgrind: '$vg_k' '$vg_0')" >&2
  exit 1
fi
hook_diff=$((hook_k - hook_0)); vg_diff=$((vg_k - vg_0))
printf '%-10s %12s %12s %12s\n' source "K=$k" "K=0" difference
printf '%-10s %12s %12s %12s\n' hook "$hook_k" "$hook_0" "$hook_diff"
printf '%-10s %12s %12s %12s\n' valgrind "$vg_k" "$vg_0" "$vg_diff"
if [[ $hook_diff -ne $vg_diff || $hook_diff -le 0 ]]; then
  echo "FAIL: the hook counted $hook_diff allocations for $k rounds, valgrind $vg_diff" >&2
  exit 1
fi
echo "OK: hook and valgrind agree on $hook_diff allocations for $k rounds"
