#!/usr/bin/env bash
# Fetches the run records of the last N CI runs into DEST, so that the history can be
# rebuilt from them (benchhist import): each CI run uploads its record as an artifact named
# bench-record-<run id> (90-day retention). Records from any source end up in DEST/<source>/.
#
# Usage: scripts/history-fetch-records.sh DEST
# Environment:
#   HISTORY_RUNS      how many recent runs to look at (default 60)
#   GITHUB_REPOSITORY owner/name to download from (set in Actions)
#   GH_TOKEN          token for gh (in Actions: github.token, with actions: read)
#   RECORDS_DIR       a local directory of records: used when gh or the network is not there
#                     (or always with HISTORY_OFFLINE=1); searched recursively
#   ARTIFACT_PREFIX   artifact name prefix (default bench-record-)
# It always says where the records came from, and how many; having none is not an error (the
# first night has none).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 DEST" >&2; exit 2; }
dest=$1
runs=${HISTORY_RUNS:-60}
prefix=${ARTIFACT_PREFIX:-bench-record-}
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 1 ]] || {
  echo "history-fetch-records: error: HISTORY_RUNS must be a whole number >= 1, got '$runs'" >&2
  exit 2
}
mkdir -p "$dest"

count() { find "$1" -name '*.json' -type f | wc -l; }

from_github() {
  local repo=${GITHUB_REPOSITORY:-}
  [[ "${HISTORY_OFFLINE:-0}" != 1 ]] || { echo "offline (HISTORY_OFFLINE=1)"; return 1; }
  command -v gh >/dev/null || { echo "gh is not installed"; return 1; }
  [[ -n "$repo" ]] || { echo "GITHUB_REPOSITORY is not set"; return 1; }
  local ids
  if ! ids=$(gh run list --repo "$repo" --limit "$runs" --json databaseId --jq '.[].databaseId' \
      2>&1); then
    echo "gh run list failed (no network or no token?): ${ids//$'\n'/ }"
    return 1
  fi
  local id got=0
  for id in $ids; do
    # Runs without a record (failed early, expired, other workflows) have nothing to give.
    if gh run download "$id" --repo "$repo" --pattern "${prefix}*" --dir "$dest/github/$id" \
        >/dev/null 2>&1; then
      got=$((got + 1))
    else
      rm -rf "${dest:?}/github/$id"
    fi
  done
  echo "gh run download: records of $got of the last $runs runs of $repo"
  return 0
}

if why=$(from_github); then
  echo "history-fetch-records: $why"
elif [[ -n "${RECORDS_DIR:-}" ]]; then
  [[ -d "$RECORDS_DIR" ]] || {
    echo "history-fetch-records: error: RECORDS_DIR $RECORDS_DIR is not a directory" >&2
    exit 2
  }
  echo "history-fetch-records: $why; using the local records in $RECORDS_DIR"
  mkdir -p "$dest/local"
  # The newest N by modification time (artifacts keep upload order there), names kept unique.
  find "$RECORDS_DIR" -name '*.json' -type f -printf '%T@ %p\n' | sort -rn | head -n "$runs" \
    | cut -d' ' -f2- | while IFS= read -r f; do cp "$f" "$dest/local/"; done
else
  echo "history-fetch-records: $why, and no RECORDS_DIR: no earlier records"
fi
echo "history-fetch-records: $(count "$dest") record files in $dest"
