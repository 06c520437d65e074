#!/usr/bin/env bash
# Writes the run record of a CI run's results (benchhist export --results): the file CI
# uploads as the artifact bench-record-<run id>, from which any history store can be rebuilt.
# Commit, parent, merge-base and branch come from git; GITHUB_HEAD_REF names the branch of a
# pull request (its checkout is detached).
#
# Usage: scripts/history-record-run.sh RESULTS OUT_DIR   (no RESULTS: says so, writes nothing)
# Environment: BUILD_DIR (build), BENCHHIST, ALLOCATOR (glibc), BASE_REF (main: the merge-base
#              is taken with origin/BASE_REF when fetched).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 RESULTS OUT_DIR" >&2; exit 2; }
results=$1
out=$2
build=${BUILD_DIR:-build}
benchhist=${BENCHHIST:-$build/bin/benchhist}
# A run that failed before it measured anything has no record to write; that is its own failure.
if [[ ! -f "$results" ]]; then
  echo "history-record-run: $results does not exist: no record written"
  exit 0
fi
args=(export --results "$results" --out "$out" --allocator "${ALLOCATOR:-glibc}")
branch=${GITHUB_HEAD_REF:-${GITHUB_REF_NAME:-}}
[[ -n "$branch" ]] && args+=(--branch "$branch")
if base=$(git merge-base HEAD "origin/${BASE_REF:-main}" 2>/dev/null); then
  args+=(--merge-base "$base")
fi
"$benchhist" "${args[@]}"
