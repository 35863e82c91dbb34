# Shared by scripts/kafka.sh and scripts/flink.sh: the parts of running a JVM service from Maven Central jars that
# do not depend on the service. Sourced, not run. The caller defines say() and die() and the variables
#   repo    the checkout's root
#   here    the folder holding the service's pom.xml (its dependencies are the service's classpath)
#   home    the service's working folder (classpath file, config, logs, pids)
#   cpfile  the classpath file (one line, jars joined with ':')

# Creates $home (and the extra folders given). A home under <repo>/.cache keeps itself out of git: the cache folder
# gets a .gitignore of `*`, so no checkout shows it as untracked.
make_service_home() {
  mkdir -p "$home" "$@"
  if [[ "$home" == "$repo/.cache/"* && ! -f "$repo/.cache/.gitignore" ]]; then echo '*' >"$repo/.cache/.gitignore"; fi
}

# Writes $cpfile from the pom's dependencies. It is rebuilt only when missing, when the pom changed since it was
# written, or when one of its jars is gone (e.g. ~/.m2 was cleared); otherwise this costs no Maven run. Jars come
# through Maven's local repository, so a second checkout on the same machine downloads nothing.
resolve_service_classpath() { # what (for messages: "the broker's", "the cluster's")
  local what="$1" stamp="$home/classpath.pom"
  make_service_home
  if [[ -s "$cpfile" && -f "$stamp" ]] && cmp -s "$stamp" "$here/pom.xml"; then
    local missing=0 jar
    IFS=":" read -r -a jars <"$cpfile" || true  # no trailing newline: read returns 1
    for jar in "${jars[@]}"; do [[ -f "$jar" ]] || { missing=1; break; }; done
    [[ "$missing" == 0 ]] && return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (Debian package 'maven')"
  command -v java >/dev/null || die "java not found (Java 17 or newer is needed)"
  say "resolving $what jars with Maven (once per machine)"
  local t0=$SECONDS
  if ! mvn -q -B -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cpfile.tmp" >"$home/mvn.log" 2>&1; then
    cat "$home/mvn.log" >&2
    die "could not resolve $what jars (see above)"
  fi
  mv "$cpfile.tmp" "$cpfile"
  cp "$here/pom.xml" "$stamp"
  say "jars resolved in $((SECONDS - t0)) s"
}

# True when the pid file names a live process.
pid_alive() { [[ -f "$1" ]] && local pid && pid="$(cat "$1")" && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

# Stops the process of a pid file: SIGTERM, then SIGKILL after 30 s; removes the pid file. Prints what it did.
stop_pid_file() { # pidfile name
  local pidfile="$1" name="$2" pid
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return 1; fi
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
