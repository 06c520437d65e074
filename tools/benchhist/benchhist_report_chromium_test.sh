#!/usr/bin/env bash
# Renders `benchhist report` in headless Chromium and checks that the page shows one chart per
# benchmark, offline (no external resources), and takes a screenshot. Skips (exit 77) when
# Chromium is not installed (scripts/install-deps.sh --with-optional installs it).
# Usage: benchhist_report_chromium_test.sh BENCHHIST_BINARY FIXTURE_DIR [SCREENSHOT.png]
set -uo pipefail
bh=$1
data=$2
shot=${3:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  echo "SKIP: $chromium not found; install Debian's chromium package to run this test"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2
fail() { echo "FAIL: $*"; exit 1; }

"$bh" --db h.db ingest "$data/run_a.json" --commit aaaa111122223333 --branch main >/dev/null ||
  fail "ingest run_a"
"$bh" --db h.db ingest "$data/run_b.json" --commit bbbb111122223333 --branch main >/dev/null ||
  fail "ingest run_b"
"$bh" --db h.db report --out report >/dev/null || fail "report"
benchmarks=$(grep -o '"name": "BM_[A-Za-z]*' "$data/run_a.json" | sort -u | wc -l)
[[ $benchmarks -eq 12 ]] || fail "fixture has $benchmarks benchmarks, expected 12"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$work/profile")
# The DOM after rendering: each chart is an <svg class="chart">.
"$chromium" "${flags[@]}" --dump-dom "file://$work/report/index.html" >dom.html 2>chromium.log ||
  fail "chromium --dump-dom failed: $(tail -3 chromium.log)"
charts=$(grep -o '<svg[^>]*class="chart"' dom.html | wc -l)
[[ $charts -eq $benchmarks ]] || fail "rendered $charts charts, expected $benchmarks"
groups=$(grep -o '<section class="group"' dom.html | wc -l)
[[ $groups -eq 6 ]] || fail "rendered $groups detector groups, expected 6"
grep -q 'id="comparison"' dom.html || fail "no comparison table"
grep -q 'class="regression"' dom.html || fail "the +25 % PodEvicted slowdown is not marked"
# Self-contained: no scripts, no fetched resources.
if grep -qE '<script|<link|src="https?:' report/index.html; then fail "external resources"; fi

"$chromium" "${flags[@]}" --window-size=1600,2400 --screenshot="$work/shot.png" \
  "file://$work/report/index.html" >>chromium.log 2>&1 || fail "chromium --screenshot failed"
[[ -s shot.png ]] || fail "no screenshot"
[[ -n "$shot" ]] && cp shot.png "$shot"
echo "ok: $charts charts in $groups groups rendered, screenshot $(stat -c %s shot.png) bytes"
