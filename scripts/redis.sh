#!/usr/bin/env bash
# Freshet's local Redis for development and CI: Debian's redis-server, started by hand (no systemd) on 127.0.0.1.
#
#   scripts/redis.sh start    install redis-server when missing (apt-get), start it in the background and return when
#                             it answers PING; does nothing if it already runs
#   scripts/redis.sh stop     stop the server started by `start` (SHUTDOWN NOSAVE, then SIGTERM/SIGKILL)
#   scripts/redis.sh status   print whether it runs; exit 0 when it answers PING, 3 otherwise
#   scripts/redis.sh clean    stop it and delete its data folder
#
# Environment:
#   FRESHET_REDIS_PORT        port on 127.0.0.1 (default 16379)
#   FRESHET_REDIS_HOME        working folder (default <repo>/.cache/redis): config, data, log, pid
#   FRESHET_REDIS_APPENDONLY  'yes' turns on the append-only file with fsync every write (crash tests that kill the
#                             server); default 'no': tests need no persistence, and no RDB snapshots are taken either
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${FRESHET_REDIS_PORT:-16379}"
home="${FRESHET_REDIS_HOME:-$repo/.cache/redis}"
appendonly="${FRESHET_REDIS_APPENDONLY:-no}"
data="$home/data-$port"
conf="$home/redis-$port.conf"
pidfile="$home/redis-$port.pid"
logfile="$home/redis-$port.log"

say() { echo "redis: $*"; }
die() { echo "redis: error: $*" >&2; exit 1; }

cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
answers() { command -v redis-cli >/dev/null 2>&1 && [[ "$(cli ping 2>/dev/null)" == "PONG" ]]; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_server() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  say "installing redis-server (apt-get)"
  [[ "$(id -u)" == 0 ]] || die "redis-server is not installed and this user cannot apt-get; install it (apt-get install redis-server)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || die "apt-get did not install redis-server"
}

start() {
  if answers; then say "already running on 127.0.0.1:$port"; return 0; fi
  install_server
  mkdir -p "$data"
  if [[ "$home" == "$repo/.cache/"* && ! -f "$repo/.cache/.gitignore" ]]; then echo '*' >"$repo/.cache/.gitignore"; fi
  cat >"$conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile $pidfile
logfile $logfile
dir $data
save ""
appendonly $appendonly
appendfsync always
EOF
  redis-server "$conf" || die "redis-server did not start (see $logfile)"
  for _ in $(seq 1 100); do
    if answers; then say "running on 127.0.0.1:$port (pid $(cat "$pidfile" 2>/dev/null), appendonly $appendonly)"; return 0; fi
    sleep 0.1
  done
  die "redis-server did not answer within 10 s (see $logfile)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$pidfile"
    answers && say "a server answers on port $port but was not started by this script; left alone"
    return 0
  fi
  cli shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; say "stopped"; return 0; }; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  say "killed"
}

status() {
  if answers; then say "running on 127.0.0.1:$port"; return 0; fi
  say "not running (port $port)"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  clean) stop; rm -rf "$data"; say "data removed" ;;
  *) echo "usage: scripts/redis.sh start|stop|status|clean" >&2; exit 2 ;;
esac
