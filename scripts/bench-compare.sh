#!/bin/sh
# usage: scripts/bench-compare.sh BASE_BENCH NEW_BENCH ROUNDS OUTDIR
# (two builds of bench/detector_bench_<allocator>, e.g. a merge-base's and this tree's)
# Runs the two allocation-gate benchmark binaries alternately (base, new, base, new, ...), each
# round with 5 repetitions, and prints per benchmark the median ns/event and allocs/event of
# each side over all its repetitions, and the ratio new/base.
set -eu
base=$1; new=$2; rounds=$3; out=$4
mkdir -p "$out"
i=1
while [ "$i" -le "$rounds" ]; do
  for side in base new; do
    bin=$base; [ $side = new ] && bin=$new
    "$bin" --benchmark_filter='Detector' --benchmark_repetitions=5 \
      --benchmark_out="$out/$side.$i.json" --benchmark_out_format=json >/dev/null 2>&1
  done
  i=$((i + 1))
done
python3 - "$out" <<'PY'
import glob, json, statistics, sys
out = sys.argv[1]
def load(side):
    r = {}
    for f in sorted(glob.glob(f"{out}/{side}.*.json")):
        for b in json.load(open(f))["benchmarks"]:
            if b.get("run_type") != "iteration": continue
            r.setdefault(b["run_name"], []).append(b)
    return r
b, n = load("base"), load("new")
print(f"| benchmark | base ns/event | new ns/event | new/base | base allocs/event | new allocs/event |")
print("|---|---:|---:|---:|---:|---:|")
for name in b:
    if name not in n: continue
    bt = statistics.median(x["ns/event"] for x in b[name] if "ns/event" in x) if any("ns/event" in x for x in b[name]) else None
    nt = statistics.median(x["ns/event"] for x in n[name] if "ns/event" in x) if any("ns/event" in x for x in n[name]) else None
    ba = statistics.median(x.get("allocs/event", float("nan")) for x in b[name])
    na = statistics.median(x.get("allocs/event", float("nan")) for x in n[name])
    if bt is None or nt is None: continue
    print(f"| {name} | {bt:.1f} | {nt:.1f} | {nt/bt:.3f} | {ba:.6f} | {na:.6f} |")
PY
