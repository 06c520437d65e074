#!/bin/sh
# usage: scripts/same-events-instr.sh BASE_DETECT NEW_DETECT INPUT [OUTDIR] [DETECTORS...]
# Two builds of `detect` (e.g. a merge-base's and this tree's) compared on the same input.
# Runs both detect binaries on the same input under callgrind and prints, per detector, the
# instructions executed inside <detector>::on_event per input line. detect runs with
# --format none (findings counted, not printed), so more findings cost only their building.
# Collection is toggled on only inside that one detector's on_event (one callgrind run per
# detector and side). Counts are exact; a rerun gives the same numbers.
# Both binaries need --format none and, for .env input, --input envelope (an older tree can be
# given both as a measurement-only patch of tools/detect). Make the input with
#   corpus-gen --detector X --events 100000 --format envelope -o X.env
set -eu
base=$1; new=$2; in=$3; out=${4:-$(mktemp -d)}
shift 3; [ $# -gt 0 ] && shift
dets=${*:-pod_evicted xid_correlation hbm_ecc nccl_hang thermal_throttle pcie_aer}
mkdir -p "$out"

lines=$(wc -l < "$in")
# An envelope file (.env, from corpus-gen --format envelope) is read as given: both sides see
# exactly the same events (time, node, source), nothing inferred from the text.
input_format=text; case "$in" in *.env) input_format=envelope;; esac
total() {  # total Ir collected in a callgrind profile
  awk '/^(summary|totals):/ {print $2; exit}' "$1"
}
printf '%-18s %12s %12s %8s %9s %9s   (%s lines of %s)\n' detector base/line new/line delta \
  base-find new-find "$lines" "$(basename "$in")"
for d in $dets; do
  for side in base new; do
    bin=$base; [ $side = new ] && bin=$new
    valgrind --tool=callgrind --collect-atstart=no \
      --toggle-collect="detectors::${d}_detector::on_event(*" \
      --callgrind-out-file="$out/$side.$d.cg" "$bin" --format none --input "$input_format" "$in" > /dev/null 2> "$out/$side.$d.err"
  done
  b=$(total "$out/base.$d.cg"); n=$(total "$out/new.$d.cg")
  bf=$(awk -v d="$d" '$1==d {print $4}' "$out/base.$d.err"); nf=$(awk -v d="$d" '$1==d {print $4}' "$out/new.$d.err")
  awk -v d="$d" -v b="$b" -v n="$n" -v l="$lines" -v bf="$bf" -v nf="$nf" \
    'BEGIN{printf "%-18s %12.1f %12.1f %+7.2f%% %9d %9d\n", d, b/l, n/l, (n-b)*100/b, bf, nf}'
done
