#!/usr/bin/env bash
# Runs the history workflow scripts (scripts/history-*.sh) as the nightly does, against a fake
# artifacts directory: records written by history-record-run.sh, fetched by
# history-fetch-records.sh through a fake `gh` (as `gh run download` lays them out), through a
# `gh` that fails (no network: the local fallback, said so) and offline, then imported and
# reported by history-build-reports.sh into SQLite and, when the test server is up
# (ALLOCGATE_TEST_PG_STATE, see store/postgres/pg_test_server.sh), into PostgreSQL.
# Usage: history_scripts_test.sh BENCHHIST_BINARY REPO_ROOT
set -uo pipefail
bh=$1
root=$2
inputs=$root/tools/benchhist/testdata/inputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export BENCHHIST=$bh GIT_DIR=$work/no-git
unset ALLOCGATE_HISTORY_DB GITHUB_STEP_SUMMARY GITHUB_HEAD_REF GITHUB_REF_NAME
# The caller's PG* variables would apply to the test server (PGSERVICE, PGOPTIONS…).
while read -r var; do unset "$var"; done < <(compgen -e | grep '^PG' || true)
cd "$work" || exit 2

# ---- the fake artifacts: one bench-record-<id> folder per CI run, as CI uploads them ----
id=100
for i in 00 01 02 03 04 05 06 07 08 09 10 11 12; do
  id=$((id + 1))
  # history-record-run.sh takes the commit from git: a throwaway repository per run.
  out=$("$root/scripts/history-record-run.sh" "$inputs/r$i.json" "artifacts/$id" 2>&1) \
    || true
  [[ "$out" == *"no commit known"* ]] || fail "record without git: $out"
  "$bh" export --results "$inputs/r$i.json" --out "artifacts/$id" --commit "c${i}000000" \
    --platform test-plat --date "2026-11-$((10 + 10#$i))T03:17:00Z" >/dev/null \
    || fail "export r$i"
  touch -d "2026-11-$((10 + 10#$i)) 03:17" artifacts/$id/*.json
done
[[ $(find artifacts -name '*.json' | wc -l) -eq 13 ]] || fail "13 records expected"
(
  mkdir -p repo && cd repo && unset GIT_DIR && git init -q && git -c user.email=a@b -c \
    user.name=t commit -q --allow-empty -m x && GITHUB_HEAD_REF=feature/x \
    "$root/scripts/history-record-run.sh" "$inputs/r00.json" ../own >/dev/null
) || fail "history-record-run.sh in a repository"
grep -q '"branch": "feature/x"' own/*.json || fail "the record names the pull request's branch"

# ---- fetch: through gh ----
mkdir -p bin
cat >bin/gh <<'GH'
#!/usr/bin/env bash
# Fake gh: `run list` lists the fake artifact folders newest first, `run download ID` copies
# one (into DIR/<artifact name>/, as gh does); FAKE_GH_FAIL makes every call fail.
[[ -z "${FAKE_GH_FAIL:-}" ]] || { echo "error connecting to api.github.com" >&2; exit 1; }
case "$1 $2" in
  "run list") ls "$FAKE_ARTIFACTS" | sort -rn | head -n "$(sed 's/.*--limit \([0-9]*\).*/\1/' <<<"$*")" ;;
  "run download")
    dir=$(sed 's/.*--dir \([^ ]*\).*/\1/' <<<"$*")
    [[ -d "$FAKE_ARTIFACTS/$3" ]] || { echo "no valid artifacts found to download" >&2; exit 1; }
    mkdir -p "$dir/bench-record-$3" && cp "$FAKE_ARTIFACTS/$3"/*.json "$dir/bench-record-$3/" ;;
  *) exit 2 ;;
esac
GH
chmod +x bin/gh
export FAKE_ARTIFACTS=$work/artifacts GITHUB_REPOSITORY=owner/allocgate
msg=$(PATH=$work/bin:$PATH HISTORY_RUNS=5 "$root/scripts/history-fetch-records.sh" fetched-gh) \
  || fail "fetch through gh: $msg"
[[ "$msg" == *"gh run download: records of 5 of the last 5 runs"* ]] || fail "gh: $msg"
[[ $(find fetched-gh/github -name '*.json' | wc -l) -eq 5 ]] || fail "gh: 5 records expected"
[[ -d fetched-gh/github/113 && ! -d fetched-gh/github/108 ]] || fail "gh: not the newest five"

# ---- fetch: gh fails (no network), then offline: the local directory, and it says so ----
msg=$(PATH=$work/bin:$PATH FAKE_GH_FAIL=1 RECORDS_DIR=artifacts HISTORY_RUNS=4 \
  "$root/scripts/history-fetch-records.sh" fetched-local) || fail "fallback: $msg"
[[ "$msg" == *"gh run list failed"*"using the local records in artifacts"* ]] || fail "$msg"
[[ $(find fetched-local/local -name '*.json' | wc -l) -eq 4 ]] \
  || fail "fallback: 4 newest records expected"
compgen -G 'fetched-local/local/c12000000-*.json' >/dev/null \
  || fail "fallback: the newest record is missing"
msg=$(HISTORY_OFFLINE=1 "$root/scripts/history-fetch-records.sh" fetched-none) || fail "$msg"
[[ "$msg" == *"offline (HISTORY_OFFLINE=1), and no RECORDS_DIR: no earlier records"* ]] \
  || fail "offline: $msg"
HISTORY_RUNS=x "$root/scripts/history-fetch-records.sh" bad 2>/dev/null && fail "HISTORY_RUNS=x"

# ---- build the store and the reports: SQLite, twice (nothing new the second time) ----
build_reports() {  # OUT: every record fetched, as the nightly passes them
  "$root/scripts/history-build-reports.sh" "$1" artifacts own
}
out=$(build_reports sqlite 2>&1) || fail "reports (SQLite): $out"
grep -q "imported 14 runs" sqlite/import.txt || fail "first import: $(cat sqlite/import.txt)"
for f in cv.md rolling-median.txt changes.txt report/index.html bench-history.db; do
  [[ -s sqlite/$f ]] || fail "reports (SQLite): $f missing"
done
grep -q "BM_ADetector" sqlite/changes.txt || fail "changes: $(cat sqlite/changes.txt)"
out=$(build_reports sqlite 2>&1) || fail "reports again: $out"
grep -q "imported 0 runs .*(14 already stored" sqlite/import.txt \
  || fail "second import: $(cat sqlite/import.txt)"

# ---- a malformed record: exit 2, named, nothing imported ----
mkdir -p broken && cp artifacts/101/*.json broken/ && echo '{"format": "allocgate-bench-record"' \
  >broken/zz-truncated.json
out=$("$root/scripts/history-build-reports.sh" bad-out broken 2>&1)
status=$?
[[ $status -eq 2 && "$out" == *"zz-truncated.json"* ]] || fail "malformed ($status): $out"
[[ ! -e bad-out/bench-history.db ]] || fail "malformed: a store was created"

# ---- the team's PostgreSQL server ----
state=${ALLOCGATE_TEST_PG_STATE:-}
if [[ -z "$state" || ! -f "$state/uri" ]]; then
  echo "SKIP (PostgreSQL part): no test server ($(cat "$state/skip" 2>/dev/null || echo unset))"
else
  admin=$(cat "$state/uri")
  psql -q "$admin" -c "CREATE DATABASE scripts_test_$$" || fail "createdb"
  export ALLOCGATE_HISTORY_DB=${admin%/*}/scripts_test_$$
  out=$(build_reports pg 2>&1) || fail "reports (PostgreSQL): $out"
  [[ "$out" == *"store: the PostgreSQL server"* ]] || fail "pg: $out"
  grep -q "imported 14 runs" pg/import.txt || fail "pg import: $(cat pg/import.txt)"
  [[ ! -e pg/bench-history.db ]] || fail "pg: a SQLite file was written too"
  diff <(sed 's/ in .*//' sqlite/changes.txt) <(sed 's/ in .*//' pg/changes.txt) \
    || fail "SQLite and PostgreSQL disagree on the change points"
  out=$(build_reports pg 2>&1) || fail "pg again: $out"
  grep -q "imported 0 runs" pg/import.txt || fail "pg second import: $(cat pg/import.txt)"
fi
echo "PASS"
