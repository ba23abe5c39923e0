# shellcheck shell=bash
# Shared by bench/run.sh and bench/cold-start.sh (sourced, not run).

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

# Every Maven run on this machine goes through one lock (2 cores, several people building).
bench_mvn() {
  if [ -n "${NUBO_BENCH_LOCKED:-}" ]; then
    echo "bench: cannot run Maven while this benchmark holds the Maven lock" >&2
    return 1
  fi
  (cd "$bench_root" && flock /tmp/nubo-mvn.lock mvn -q -B -ntp "$@")
}

# Percentage of the machine's CPU time that was busy over $1 seconds.
bench_busy_percent() {
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  sleep "$1"
  b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }'
}

# Benchmarks on a 2-core machine that others build on mean nothing while those builds run.
# bench_lock_and_wait_quiet takes the shared Maven lock (so that no Maven build or test run
# starts while we measure), then waits until the machine is idle (bench_wait_quiet). It holds the
# lock on file descriptor 9 until the calling script exits; child processes must be started with
# 9>&- so that they do not inherit it. Sets NUBO_BENCH_LOCKED, so that a nested script neither
# locks again nor runs Maven. Work that is not Maven (a QEMU test, an image build) can still start
# while we measure: the scripts check for it afterwards (bench_foreign_percent).
bench_lock_and_wait_quiet() {
  [ -z "${NUBO_BENCH_LOCKED:-}" ] || return 0
  exec 9>>/tmp/nubo-mvn.lock
  echo "bench: waiting for the shared Maven lock (/tmp/nubo-mvn.lock)" >&2
  flock 9
  export NUBO_BENCH_LOCKED=1
  bench_wait_quiet "${1:-900}"
  echo "bench: holding the Maven lock while measuring" >&2
}

# Waits, up to $1 seconds (default 900), until the machine is idle: under 15% busy over 3 s.
bench_wait_quiet() {
  local deadline=$((SECONDS + ${1:-900})) busy
  while :; do
    busy=$(bench_busy_percent 3)
    [ "$busy" -lt 15 ] && break
    if [ $SECONDS -ge $deadline ]; then
      echo "bench: WARNING: the machine is still ${busy}% busy; measuring anyway" >&2
      return 0
    fi
    echo "bench: the machine is ${busy}% busy (other processes); waiting for it to be idle" >&2
    ps -eo pcpu,pid,comm --sort=-pcpu | sed -n 2,4p | sed 's/^/bench:   /' >&2
    sleep 10
  done
  echo "bench: the machine is idle (${busy}% busy)" >&2
}

# True when ./nubo would rebuild the jar: the launcher's own staleness rule.
bench_jar_stale() {
  local jar="$bench_root/nubo-server/target/nubo.jar"
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$bench_root" -path "$bench_root/*/target" -prune -o \( -name '*.java' -o -name 'pom.xml' \
      -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]
}

# Builds the server jar exactly as ./nubo does (mvn -DskipTests package), under the lock, if stale.
bench_build_server() {
  if bench_jar_stale; then
    echo "bench: building the server jar (mvn -DskipTests package)" >&2
    bench_mvn -DskipTests package >&2
  fi
}

# Copies the launcher and the jar of checkout $2 (default: this one) to $1, laid out as in a
# checkout, so that `$1/nubo up` runs exactly what was built, and edits to the sources while the
# benchmark runs can neither make the launcher rebuild (it checks every source file against the
# jar) nor change what is measured.
bench_snapshot() {
  local src="${2:-$bench_root}"
  mkdir -p "$1/nubo-server/target"
  cp "$src/nubo" "$1/nubo"
  cp "$src/nubo-server/target/nubo.jar" "$1/nubo-server/target/nubo.jar"
}

# Polls GET /healthz on 127.0.0.1:$1 over a raw TCP connection; true on 200.
bench_healthy() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 status <&3 || exit 1
    [[ "$status" == "HTTP/1.1 200"* ]] ) 2>/dev/null
}

# True when something listens on 127.0.0.1:$1.
bench_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# CPU accounting, in clock ticks (USER_HZ), to tell our own load from other people's.
# bench_busy_ticks: busy ticks of the whole machine so far.
bench_busy_ticks() {
  awk '/^cpu / {print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}

# bench_our_ticks [PID...]: CPU ticks used so far by this script's process tree (every live
# descendant, with the children it has reaped, and every child already reaped), plus the trees of
# the given PIDs: the embedded PostgreSQL daemonizes (its postmaster's parent is init), so
# callers pass its postmaster's PID (bench_pg_pid).
bench_our_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$$" -v extra="$*" '
    { pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
      ppid[pid] = f[2]; own[pid] = f[12] + f[13]; kids[pid] = f[14] + f[15] }
    END {
      mine[root] = 1; n = split(extra, e, " "); for (i = 1; i <= n; i++) if (e[i] in ppid) mine[e[i]] = 1
      total = 0
      for (p in ppid) { q = p; d = 0
        while (!(q in mine) && q + 0 > 1 && d++ < 64) q = ppid[q]
        if (q in mine) total += own[p] + kids[p] }
      print total }'
}

# The PID of the PostgreSQL postmaster running on data dir $1, if any.
bench_pg_pid() {
  if [ -f "$1/pg/postmaster.pid" ]; then head -1 "$1/pg/postmaster.pid" 2>/dev/null || true; fi
}

# Percentage of the machine (all cores) that processes outside this script's tree used between
# two samples: bench_foreign_percent BUSY0 OURS0 BUSY1 OURS1 SECONDS.
bench_foreign_percent() {
  awk -v b0="$1" -v o0="$2" -v b1="$3" -v o1="$4" -v s="$5" -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" \
    'BEGIN { f = (b1 - b0) - (o1 - o0); if (f < 0) f = 0; printf "%.0f", (s > 0 ? 100 * f / (hz * n * s) : 0) }'
}
