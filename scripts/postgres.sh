#!/usr/bin/env bash
# Starts, stops or reports a local PostgreSQL for Freshet's integration tests (the PostgreSQL dictionary store).
#
#   bash scripts/postgres.sh start    # idempotent: installs Debian's postgresql if missing, creates the cluster in
#                                     # .cache/pg, starts it on 127.0.0.1:$FRESHET_PG_PORT (default 15432) and
#                                     # creates the database freshet_test; prints the URL on stdout
#   bash scripts/postgres.sh stop     # idempotent
#   bash scripts/postgres.sh status   # exit 0 when running
#   bash scripts/postgres.sh url      # the connection URL
#
# Runs the server as the 'postgres' user when invoked as root (PostgreSQL refuses to run as root), as the caller
# otherwise. Authentication is 'trust' on loopback only; fsync is off: this is a throwaway test server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PORT="${FRESHET_PG_PORT:-15432}"
BASE="${FRESHET_PG_DIR:-$ROOT/.cache/pg}"
DATA="$BASE/data"
RUN="$BASE/run"
LOG="$BASE/postgres.log"
DB=freshet_test
URL="postgres://postgres@127.0.0.1:$PORT/$DB"

find_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$d" && -x "$d/pg_ctl" ]] && echo "$d"
}

BIN="$(find_bin || true)"

ensure_installed() {
  if [[ -z "$BIN" ]]; then
    if [[ "$(id -u)" != 0 ]]; then echo "postgres.sh: PostgreSQL is not installed and installing needs root (apt-get install postgresql)" >&2; exit 1; fi
    echo "postgres.sh: installing Debian's postgresql package" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
  fi
}

# Runs a command as the server's owner.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

is_running() {
  [[ -n "$BIN" && -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

psql_q() {
  "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

start() {
  ensure_installed
  mkdir -p "$BASE" "$RUN"
  if [[ "$(id -u)" == 0 ]]; then chown -R postgres: "$BASE"; fi
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync >"$BASE/initdb.log" 2>&1 \
      || { echo "postgres.sh: initdb failed, see $BASE/initdb.log" >&2; exit 1; }
  fi
  if ! is_running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-p $PORT -k $RUN -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { echo "postgres.sh: the server did not start, see $LOG" >&2; tail -n 20 "$LOG" >&2 || true; exit 1; }
  fi
  for _ in $(seq 1 50); do
    if psql_q -c 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  if [[ "$(psql_q -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
    psql_q -c "CREATE DATABASE $DB" >/dev/null
  fi
  echo "$URL"
}

stop() {
  if is_running; then as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running: $URL"; else echo "stopped"; exit 1; fi ;;
  url) echo "$URL" ;;
  *) echo "usage: bash scripts/postgres.sh start|stop|status|url" >&2; exit 2 ;;
esac
