#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR/fuzz briefly (ASan + UBSan). A detector's target is
# seeded with that detector's generated lines; a target with a <target>.seeds file (written by
# allocgate_fuzz_target's SEEDS) starts from the folder it names; any other starts empty.
# Usage: scripts/fuzz-smoke.sh [BUILD_DIR]   Environment: FUZZ_SECONDS (per target, 15).
# Exit: 0 when no target crashed or reported; non-zero otherwise (the reproducer is kept in
# BUILD_DIR/fuzz-artifacts/).
set -euo pipefail
build=${1:-build-sanitize}
seconds=${FUZZ_SECONDS:-15}
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
shopt -s nullglob
targets=("$build"/fuzz/*_fuzz)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz-smoke: error: no fuzz targets in $build/fuzz (configure with -DALLOCGATE_FUZZ=ON)" >&2
  exit 2
fi
for target in "${targets[@]}"; do
  name=$(basename "$target" _fuzz)
  seeds="$build/fuzz-seeds/$name"
  rm -rf "$seeds"; mkdir -p "$seeds"
  if [[ -f "$target.seeds" ]]; then
    seed_dir=$(cat "$target.seeds")
    cp "$seed_dir"/* "$seeds"/
  elif "$build/bin/corpus-gen" --detector "$name" --events 400 --seed 7 --malformed-permille 50 \
      >"$seeds.lines" 2>/dev/null; then
    # A detector's target: the detector's own generated lines, ten to a file.
    split -l 10 "$seeds.lines" "$seeds/seed-"
  fi
  # Any other target without a seeds file (a shared format's reader) starts from nothing.
  rm -f "$seeds.lines"
  log="$artifacts/$name.log"
  status=0
  "$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
    "$seeds" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if [[ $status -ne 0 ]]; then
    echo "fuzz-smoke: $name: FAILED (exit $status); log and reproducer in $artifacts" >&2
    grep -E "ERROR|SUMMARY|runtime error" "$log" | head -20 >&2 || true
    exit 1
  fi
  echo "fuzz-smoke: $name: ${runs:-?} inputs in ${seconds}s, no crash"
done
echo "fuzz-smoke: ${#targets[@]} targets, no crash, no sanitizer report"
