#!/usr/bin/env bash
# Freshet's local Apache Flink session cluster (one JobManager, one TaskManager with 2 slots) for development and
# CI, run from Maven Central jars (Flink's binary distribution is not published there; scripts/flink/pom.xml lists
# the modules it bundles).
#
#   scripts/flink.sh start    resolve the jars (once per machine), write the configuration, start the JobManager and
#                             the TaskManager in the background and return when GET /overview reports a TaskManager;
#                             does nothing if the cluster already runs
#   scripts/flink.sh stop     stop both processes (SIGTERM, then SIGKILL after 30 s)
#   scripts/flink.sh status   print whether it runs; exit 0 when the REST API answers with a TaskManager, 3 otherwise
#   scripts/flink.sh clean    stop it and delete its state (checkpoints, savepoints, uploaded jars, logs)
#   scripts/flink.sh kill-taskmanager   SIGKILL the TaskManager (recovery tests); `start` starts a new one
#   scripts/flink.sh logs [jobmanager|taskmanager] [lines]   print the end of a process log (default: both)
#   scripts/flink.sh classpath   print the cluster's classpath (resolving it first)
#
# Environment:
#   FRESHET_FLINK_PORT           REST port on 127.0.0.1 (default 18081); the JobManager's RPC port is PORT+1
#   FRESHET_FLINK_HOME           working folder (default <repo>/.cache/flink): classpath, conf/, logs, state, pids
#   FRESHET_FLINK_JM_HEAP        JobManager heap (default 512m; it also runs the jobs' main(), i.e. the SQL planner)
#   FRESHET_FLINK_TM_TASK_HEAP   TaskManager task heap (default 384m; the TaskManager's JVM heap adds 128m of
#                                framework heap)
#   FRESHET_FLINK_START_TIMEOUT  seconds to wait for the cluster (default 120)
#
# Memory (sized for a 2-core machine shared with the Kafka broker): JobManager about 0.9 GB (heap 512m, metaspace
# 256m, direct 128m), TaskManager about 1.3 GB (heap 512m, managed 128m, network 64m, metaspace 320m).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$repo/scripts/flink"
port="${FRESHET_FLINK_PORT:-18081}"
rpc_port=$((port + 1))
home="${FRESHET_FLINK_HOME:-$repo/.cache/flink}"
jm_heap="${FRESHET_FLINK_JM_HEAP:-512m}"
tm_task_heap="${FRESHET_FLINK_TM_TASK_HEAP:-384m}"
timeout="${FRESHET_FLINK_START_TIMEOUT:-120}"

conf_dir="$home/conf"
cpfile="$home/classpath.txt"
jm_pid="$home/jobmanager-$port.pid"
tm_pid="$home/taskmanager-$port.pid"
jm_log="$home/log/jobmanager-$port.log"
tm_log="$home/log/taskmanager-$port.log"
jm_out="$home/log/jobmanager-$port.out"
tm_out="$home/log/taskmanager-$port.out"

say() { echo "flink: $*"; }
die() { echo "flink: error: $*" >&2; exit 1; }

# The flags Flink's distribution adds for Java 17 (its default env.java.opts.all): Flink reflects into these JDK
# packages (serializers, Netty, the planner's code generator). jdk.compiler is absent from a JRE; the JVM only warns.
JAVA_MODULE_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
if java --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
  JAVA_MODULE_OPTS+=(
    --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
    --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  )
fi

alive() { [[ -f "$1" ]] && local pid && pid="$(cat "$1")" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
pid_of() { cat "$1" 2>/dev/null || true; }

# GET /overview as JSON, or nothing when the REST API does not answer.
overview() { curl -fsS --max-time 3 "http://127.0.0.1:$port/overview" 2>/dev/null || true; }
taskmanagers() { overview | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'; }

make_home() {
  mkdir -p "$home" "$conf_dir" "$home/log" "$home/checkpoints" "$home/savepoints" "$home/web-upload" "$home/tmp"
  # The cache folder keeps itself out of git (a .gitignore of `*` inside it).
  if [[ "$home" == "$repo/.cache/"* && ! -f "$repo/.cache/.gitignore" ]]; then echo '*' >"$repo/.cache/.gitignore"; fi
}

# The classpath file lists every jar; it is rebuilt when missing, when the pom changed, or when a jar is gone.
resolve_classpath() {
  make_home
  local stamp="$home/classpath.pom"
  if [[ -s "$cpfile" && -f "$stamp" ]] && cmp -s "$stamp" "$here/pom.xml"; then
    local missing=0 jar
    IFS=":" read -r -a jars <"$cpfile" || true  # no trailing newline: read returns 1
    for jar in "${jars[@]}"; do [[ -f "$jar" ]] || { missing=1; break; }; done
    [[ "$missing" == 0 ]] && return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (Debian package 'maven')"
  command -v java >/dev/null || die "java not found (Java 17 or newer is needed)"
  say "resolving the cluster's jars with Maven (once per machine)"
  local t0=$SECONDS
  if ! mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cpfile.tmp" >"$home/mvn.log" 2>&1; then
    cat "$home/mvn.log" >&2
    die "could not resolve the Flink jars (see above)"
  fi
  mv "$cpfile.tmp" "$cpfile"
  cp "$here/pom.xml" "$stamp"
  say "jars resolved in $((SECONDS - t0)) s"
}

write_config() {
  cat >"$conf_dir/config.yaml" <<EOF
# Generated by scripts/flink.sh: a session cluster on 127.0.0.1 only. Flink 2 reads config.yaml (flat keys).
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $port
web.upload.dir: $home/web-upload
web.submit.enable: true
web.cancel.enable: true
io.tmp.dirs: $home/tmp

jobmanager.memory.heap.size: $jm_heap
jobmanager.memory.off-heap.size: 128m
jobmanager.memory.jvm-metaspace.size: 256m
taskmanager.numberOfTaskSlots: 2
# Set explicitly because the TaskManager is launched without Flink's start scripts, which would compute these.
taskmanager.cpu.cores: 2
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: $tm_task_heap
taskmanager.memory.managed.size: 128m
taskmanager.memory.framework.off-heap.size: 64m
taskmanager.memory.task.off-heap.size: 0m
taskmanager.memory.network.min: 64m
taskmanager.memory.network.max: 64m
taskmanager.memory.jvm-metaspace.size: 320m
taskmanager.memory.jvm-overhead.min: 192m
taskmanager.memory.jvm-overhead.max: 192m
parallelism.default: 1

# State: heap state backend; checkpoints and savepoints on the local disk.
state.backend.type: hashmap
execution.checkpointing.storage: filesystem
execution.checkpointing.dir: file://$home/checkpoints
execution.checkpointing.savepoint-dir: file://$home/savepoints
execution.checkpointing.num-retained: 2

# A failing job fails within seconds instead of restarting forever.
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 2
restart-strategy.fixed-delay.delay: 2 s
jobmanager.execution.failover-strategy: region
EOF
}

# Starts one Flink process in the background (setsid: it outlives this script and the caller's Ctrl-C).
launch() { # pidfile logfile outfile main-class heap-opts...
  local pidfile="$1" logfile="$2" outfile="$3" main="$4"
  shift 4
  setsid bash -c 'exec "$@"' _ java "$@" -XX:+UseSerialGC -Djava.awt.headless=true "${JAVA_MODULE_OPTS[@]}" \
    -Dlog.file="$logfile" -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -Djava.io.tmpdir="$home/tmp" -cp "$(cat "$cpfile")" "$main" --configDir "$conf_dir" \
    >"$outfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# Waits until GET /overview reports at least one TaskManager; fails early when a process died.
wait_ready() {
  local t0="$1" deadline=$((SECONDS + timeout))
  while true; do
    local n; n="$(taskmanagers)"
    if [[ -n "$n" && "$n" -ge 1 ]]; then return 0; fi
    for p in "$jm_pid:$jm_log:$jm_out" "$tm_pid:$tm_log:$tm_out"; do
      IFS=: read -r pf lf of <<<"$p"
      if [[ -f "$pf" ]] && ! alive "$pf"; then
        tail -n 30 "$of" >&2 2>/dev/null || true
        tail -n 40 "$lf" >&2 2>/dev/null || true
        rm -f "$pf"
        die "a Flink process exited during start (logs above: $lf, $of)"
      fi
    done
    if [[ "$SECONDS" -ge "$deadline" ]]; then
      tail -n 40 "$jm_log" >&2 2>/dev/null || true
      die "the cluster did not report a TaskManager within ${timeout} s (started $((SECONDS - t0)) s ago)"
    fi
    sleep 0.5
  done
}

start() {
  local t0=$SECONDS
  if alive "$jm_pid" && alive "$tm_pid"; then
    wait_ready "$t0"
    say "already running (JobManager pid $(pid_of "$jm_pid"), TaskManager pid $(pid_of "$tm_pid"), http://127.0.0.1:$port)"
    return 0
  fi
  if ! alive "$jm_pid" && [[ -n "$(overview)" ]]; then
    die "port $port answers but not a JobManager started by this script; set FRESHET_FLINK_PORT to another port"
  fi
  resolve_classpath
  make_home
  write_config
  local jm_xmx="$jm_heap"
  local tm_xmx; tm_xmx="$(( ${tm_task_heap%m} + 128 ))m"
  if ! alive "$jm_pid"; then
    say "starting the JobManager on 127.0.0.1:$port (log: $jm_log)"
    launch "$jm_pid" "$jm_log" "$jm_out" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      "-Xms$jm_xmx" "-Xmx$jm_xmx" -XX:MaxMetaspaceSize=256m -XX:MaxDirectMemorySize=128m
  fi
  if ! alive "$tm_pid"; then
    say "starting the TaskManager (2 slots; log: $tm_log)"
    # Heap = framework heap + task heap; direct = framework off-heap + task off-heap + network (the memory options
    # of config.yaml, which the TaskManager checks against its own accounting).
    launch "$tm_pid" "$tm_log" "$tm_out" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
      "-Xms$tm_xmx" "-Xmx$tm_xmx" -XX:MaxMetaspaceSize=320m -XX:MaxDirectMemorySize=128m
  fi
  wait_ready "$t0"
  say "ready on http://127.0.0.1:$port in $((SECONDS - t0)) s"
}

stop_one() { # pidfile name
  local pidfile="$1" name="$2" pid
  if ! alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  local i=0
  while kill -0 "$pid" 2>/dev/null; do
    if [[ "$i" -ge 150 ]]; then
      say "$name still running after 30 s; killing"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    i=$((i + 1))
  done
  rm -f "$pidfile"
  say "$name stopped (pid $pid)"
}

stop() {
  if ! alive "$jm_pid" && ! alive "$tm_pid"; then
    rm -f "$jm_pid" "$tm_pid"
    say "not running"
    return 0
  fi
  stop_one "$tm_pid" TaskManager
  stop_one "$jm_pid" JobManager
}

status() {
  local n; n="$(taskmanagers)"
  if alive "$jm_pid" && [[ -n "$n" && "$n" -ge 1 ]]; then
    say "running (JobManager pid $(pid_of "$jm_pid"), $n TaskManager(s), http://127.0.0.1:$port)"
    return 0
  fi
  if [[ -n "$n" ]] && ! alive "$jm_pid"; then say "port $port answers, but not a cluster started by this script"; return 0; fi
  if alive "$jm_pid"; then say "JobManager runs (pid $(pid_of "$jm_pid")) but no TaskManager is registered"; return 3; fi
  say "not running"
  return 3
}

logs() {
  local which="${1:-both}" lines="${2:-60}"
  case "$which" in
    jobmanager) tail -n "$lines" "$jm_log" ;;
    taskmanager) tail -n "$lines" "$tm_log" ;;
    both | [0-9]*)
      [[ "$which" =~ ^[0-9]+$ ]] && lines="$which"
      echo "== $jm_log"; tail -n "$lines" "$jm_log" 2>/dev/null || true
      echo "== $tm_log"; tail -n "$lines" "$tm_log" 2>/dev/null || true
      ;;
    *) die "logs: expected jobmanager or taskmanager, got '$which'" ;;
  esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  clean)
    stop
    rm -rf "$home/checkpoints" "$home/savepoints" "$home/web-upload" "$home/tmp" "$home/log" "$conf_dir"
    say "state deleted"
    ;;
  logs) shift; logs "$@" ;;
  kill-taskmanager)
    if alive "$tm_pid"; then
      pid="$(pid_of "$tm_pid")"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      rm -f "$tm_pid"
      say "TaskManager killed (pid $pid)"
    else
      say "no TaskManager running"
    fi
    ;;
  classpath) resolve_classpath >&2; cat "$cpfile"; echo ;;
  *) echo "usage: scripts/flink.sh start|stop|status|clean|kill-taskmanager|logs [jobmanager|taskmanager] [lines]|classpath" >&2; exit 2 ;;
esac
