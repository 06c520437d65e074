#!/usr/bin/env bash
# File: pg_test_server_test.sh
# The throwaway server's lifetime (pg_test_server.sh start --watch): it goes away with the
# process it watches (a test run killed before its cleanup leaves no server or directory), and
# a second start on the same STATE waits for the first server instead of stopping it under
# its tests; the caller's PG* variables do not reach it. Exit 77 (skipped) without the server
# binaries.
set -euo pipefail
script=$1
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "no PostgreSQL server binaries"; exit 77; }

# The caller's own PostgreSQL settings must not reach the throwaway server.
export PGSERVICE=allocgate-no-such-service PGOPTIONS="-c statement_timeout=1" PGHOST=/nonexistent

work=$(mktemp -d "${TMPDIR:-/tmp}/pg_server_test.XXXXXX")
watched=()
cleanup() {
  for p in "${watched[@]}"; do kill "$p" 2>/dev/null || true; done
  "$script" stop "$work/state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Waits up to 30 s for a condition (a command), then fails naming it.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done
  fail "$what"
}
server_up() { [[ -f "$1/data/postmaster.pid" ]]; }
server_gone() { [[ ! -e "$1" ]]; }

sleep 600 & watched+=($!)
first_owner=$!
"$script" start "$work/state" --watch "$first_owner" >/dev/null 2>&1
first=$(cat "$work/state/server_dir")
server_up "$first" || fail "first server did not start"

# A second run on the same state while the first is in use: it must not take the server over.
sleep 600 & watched+=($!)
second_owner=$!
"$script" start "$work/state" --watch "$second_owner" >"$work/second.log" 2>&1 &
second_start=$!
sleep 2
server_up "$first" || fail "a second start stopped the first run's server"
[[ $(cat "$work/state/server_dir") == "$first" ]] || fail "a second start replaced the state"
kill -0 "$second_start" 2>/dev/null || fail "the second start did not wait: $(cat "$work/second.log")"

# The first run dies without its cleanup: its server and directory go, the second starts.
kill -9 "$first_owner"
wait "$first_owner" 2>/dev/null || true
wait_for "the first server outlived the process it watched" server_gone "$first"
wait "$second_start" || fail "second start failed: $(cat "$work/second.log")"
second=$(cat "$work/state/server_dir")
[[ $second != "$first" ]] || fail "second start reused the first server"
server_up "$second" || fail "second server did not start"

kill -9 "$second_owner"
wait "$second_owner" 2>/dev/null || true
wait_for "the second server outlived the process it watched" server_gone "$second"
# stop_server removes the server's directory first, then the state.
wait_for "state left behind" server_gone "$work/state"
echo "ok: each server went away with the process it watched; the second start waited"
