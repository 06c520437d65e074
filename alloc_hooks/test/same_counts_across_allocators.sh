#!/usr/bin/env bash
# The same workload must produce identical hook counts under glibc, mimalloc and jemalloc.
# Usage: same_counts_across_allocators.sh ROUNDS BINARY...
set -euo pipefail
rounds=$1; shift
first=""
for bin in "$@"; do
  line=$("$bin" "$rounds")
  echo "$(basename "$bin"): $line"
  if [[ -z "$first" ]]; then
    first=$line
  elif [[ "$line" != "$first" ]]; then
    echo "FAIL: counts differ between allocators" >&2
    exit 1
  fi
done
echo "identical across $# allocator builds"
