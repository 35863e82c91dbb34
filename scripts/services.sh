#!/usr/bin/env bash
# Starts and stops the local services Freshet's integration tests use (scripts/test.sh calls it when
# FRESHET_SERVICES=1; developers can run it by hand).
#
#   scripts/services.sh start [name...]   start the services (all by default); returns once each accepts connections
#   scripts/services.sh stop [name...]    stop them (in reverse order)
#   scripts/services.sh status [name...]  print each one's state; exit non-zero if any is down
#
# Services: kafka (scripts/kafka.sh: a single-node KRaft broker on 127.0.0.1:${FRESHET_KAFKA_PORT:-19092}).
# FRESHET_SERVICES_ONLY="kafka ..." restricts the default set. With FRESHET_SERVICES_STARTED_FILE=<file>, start
# appends to the file the services it started itself (not those already running) and stop stops only those, so a
# test run leaves a developer's own running services alone. To add a service: write scripts/<name>.sh with
# start|stop|status subcommands (idempotent start, quiet stop) and add its name to ALL below.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ALL=(kafka redis postgres flink)  # redis: scripts/redis.sh, 127.0.0.1:${FRESHET_REDIS_PORT:-16379}

cmd="${1:-}"
shift || true
if [[ $# -gt 0 ]]; then
  names=("$@")
elif [[ -n "${FRESHET_SERVICES_ONLY:-}" ]]; then
  read -r -a names <<<"$FRESHET_SERVICES_ONLY"
else
  names=("${ALL[@]}")
fi

for n in "${names[@]}"; do
  [[ -f "$here/$n.sh" ]] || { echo "services: unknown service '$n' (known: ${ALL[*]})" >&2; exit 2; }
done

rc=0
case "$cmd" in
  start)
    for n in "${names[@]}"; do
      t0=$SECONDS
      was_up=0
      bash "$here/$n.sh" status >/dev/null 2>&1 && was_up=1
      if bash "$here/$n.sh" start; then
        if [[ "$was_up" == 0 && -n "${FRESHET_SERVICES_STARTED_FILE:-}" ]]; then echo "$n" >>"$FRESHET_SERVICES_STARTED_FILE"; fi
        echo "services: $n up ($((SECONDS - t0)) s)"
      else
        echo "services: $n failed to start" >&2
        rc=1
      fi
    done
    ;;
  stop)
    if [[ -n "${FRESHET_SERVICES_STARTED_FILE:-}" ]]; then
      mine=()
      if [[ -f "$FRESHET_SERVICES_STARTED_FILE" ]]; then mapfile -t mine <"$FRESHET_SERVICES_STARTED_FILE"; fi
      kept=()
      for n in "${names[@]}"; do
        for m in "${mine[@]+"${mine[@]}"}"; do [[ "$m" == "$n" ]] && kept+=("$n"); done
      done
      names=("${kept[@]+"${kept[@]}"}")
    fi
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
      bash "$here/${names[$i]}.sh" stop || rc=1
    done
    ;;
  status)
    for n in "${names[@]}"; do bash "$here/$n.sh" status || rc=1; done
    ;;
  *)
    echo "usage: scripts/services.sh start|stop|status [service...]   (services: ${ALL[*]})" >&2
    exit 2
    ;;
esac
exit "$rc"
