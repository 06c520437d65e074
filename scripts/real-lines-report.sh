#!/usr/bin/env bash
# What `detect` makes of the real published lines kept in detectors/*/testdata/real_lines/
# (sources in each folder's SOURCES.md): per file, the lines, the lines the folder's detector
# recognised, the malformed ones, and its findings (with the critical ones across detectors).
# A markdown table on stdout, for notes and reviews.
#   scripts/real-lines-report.sh [DETECT_BINARY]   (default: build/bin/detect)
set -euo pipefail
detect=${1:-build/bin/detect}
root=$(cd "$(dirname "$0")/.." && pwd)
[[ -x $detect ]] || { echo "real-lines-report: $detect: not an executable (build it: make build)" >&2; exit 2; }
printf '| detector | file | lines | recognised | malformed | findings | critical (all) |\n'
printf '|---|---|---:|---:|---:|---:|---:|\n'
for dir in "$root"/detectors/*/testdata/real_lines; do
  det=$(basename "$(dirname "$(dirname "$dir")")")
  for f in "$dir"/*; do
    [[ $(basename "$f") == SOURCES.md ]] && continue
    summary=$("$detect" --format none "$f" 2>&1 >/dev/null) || { echo "real-lines-report: $f: detect failed" >&2; exit 2; }
    lines=$(wc -l < "$f")
    row=$(awk -v d="$det" '$1==d {print $2, $3, $4}' <<<"$summary")
    crit=$(sed -n 's/.*findings: \([0-9]*\) critical.*/\1/p' <<<"$summary")
    read -r rec mal fin <<<"$row"
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$det" "$(basename "$f")" "$lines" "$rec" "$mal" "$fin" "$crit"
  done
done
