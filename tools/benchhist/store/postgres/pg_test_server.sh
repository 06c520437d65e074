#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests.
#   pg_test_server.sh start STATE  initdb into a fresh directory under $TMPDIR (short enough
#                                  for a Unix socket path, reachable by the server's user),
#                                  listen only on a Unix socket there (listen_addresses=''),
#                                  create database "benchhist", and write its URI to
#                                  STATE/uri. Without the server binaries it writes the reason
#                                  to STATE/skip and exits 0: the tests then skip, saying why.
#   pg_test_server.sh start STATE --watch PID|parent
#                                  the same, and the server outlives PID (`parent`: the
#                                  caller, ctest) by at most a second: a test run that is
#                                  interrupted or killed before its cleanup leaves no server or
#                                  directory behind. It also holds STATE.lock while the server
#                                  runs, so a second run with the same STATE (two ctest
#                                  invocations in one build directory) waits for the first
#                                  instead of stopping its server under it.
#   pg_test_server.sh stop STATE   stop that server and remove its directory and STATE; safe to
#                                  repeat, and to run after a failed start.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
# (Debian's postgresql package creates it) and its directory is handed to that user. A failed
# start stops what it started and removes what it created.
set -euo pipefail

usage() { echo "usage: $0 start STATE [--watch PID|parent] | stop STATE" >&2; exit 2; }
[[ $# -eq 2 || ($# -eq 4 && $1 == start && $3 == --watch) ]] || usage
action=$1
state=$2
watch=${4:-}
[[ $watch == parent ]] && watch=$PPID
[[ -z $watch || $watch =~ ^[0-9]+$ ]] || usage

# The caller's PG* variables (PGSERVICE, PGOPTIONS, PGHOST…) are for the caller's own servers:
# libpq in initdb, pg_ctl and createdb would apply them to this one.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^PG' || true)

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && bindir=$d
done

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  local server=""
  [[ -f "$state/server_dir" ]] && server=$(cat "$state/server_dir")
  if [[ -n "$server" && -n "$bindir" && -f "$server/data/postmaster.pid" ]]; then
    as_server_user "$bindir/pg_ctl" -D "$server/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [[ -n "$server" ]] && rm -rf "$server"
  rm -rf "$state"
}

case "$action" in
  stop)
    stop_server
    ;;
  start)
    if [[ -n $watch ]]; then
      # Held by the watcher below for the server's life; a stale server of a killed run whose
      # watcher is gone too is stopped just after.
      mkdir -p "$(dirname "$state")"
      exec 9>"$state.lock"
      if ! flock -w 900 9; then
        echo "pg_test_server: $state.lock: another test run's server is still up" >&2
        exit 1
      fi
    fi
    stop_server
    mkdir -p "$state"
    if [[ -z "$bindir" ]]; then
      echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin" \
           "(scripts/install-deps.sh installs postgresql)" >"$state/skip"
      cat "$state/skip" >&2
      exit 0
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "pg_test_server: running as root and there is no postgres user to run the server" >&2
      exit 1
    fi
    trap 'stop_server' ERR
    server=$(mktemp -d "${TMPDIR:-/tmp}/allocgate-pg.XXXXXX")
    echo "$server" >"$state/server_dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$server"
    as_server_user "$bindir/initdb" -D "$server/data" -U benchhist -A trust --no-sync \
      >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; false; }
    # Every user is trusted on the socket except bh_secure, which must give its password: the
    # tests of wrong and missing credentials log in as it.
    printf 'local all bh_secure scram-sha-256\nlocal all all trust\n' >"$state/pg_hba.conf"
    as_server_user cp "$state/pg_hba.conf" "$server/data/pg_hba.conf" 2>/dev/null \
      || cp "$state/pg_hba.conf" "$server/data/pg_hba.conf"
    # Durability is not under test (the server is thrown away): fsync off keeps it quick.
    as_server_user "$bindir/pg_ctl" -D "$server/data" -l "$server/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k '$server' -c fsync=off -c full_page_writes=off" \
      start >/dev/null 9>&- || { cat "$server/server.log" >&2; false; }
    as_server_user "$bindir/createdb" -h "$server" -U benchhist benchhist
    # The socket directory percent-encoded as the host: libpq reads a leading '/' as a path.
    host=$(printf '%s' "$server" | sed 's|%|%25|g; s|/|%2F|g')
    printf 'postgresql://benchhist@%s/benchhist\n' "$host" >"$state/uri"
    trap - ERR
    if [[ -n $watch ]]; then
      # Detached from the caller's output (ctest waits for every writer of its pipe) and deaf
      # to the signals that interrupt the run; keeps fd 9, the lock.
      (
        trap '' HUP INT TERM
        while kill -0 "$watch" 2>/dev/null && [[ -f "$server/data/postmaster.pid" ]]; do
          sleep 1
        done
        [[ -f "$state/server_dir" && $(cat "$state/server_dir") == "$server" ]] && stop_server
      ) </dev/null >/dev/null 2>&1 &
    fi
    exec 9>&-
    echo "pg_test_server: $(cat "$state/uri")"
    ;;
  *) usage ;;
esac
