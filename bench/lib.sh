# Shared by bench/run.sh and bench/cold-start.sh (sourced, not run).

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi

# Every Maven run on this machine goes through one lock (2 cores, several people building).
bench_mvn() {
  (cd "$bench_root" && flock /tmp/nubo-mvn.lock mvn -q -B -ntp "$@")
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

# Copies the launcher and the jar to $1, laid out as in the checkout, so that `$1/nubo up` runs
# exactly what was built, and edits to the sources while the benchmark runs can neither make the
# launcher rebuild (it checks every source file against the jar) nor change what is measured.
bench_snapshot() {
  mkdir -p "$1/nubo-server/target"
  cp "$bench_root/nubo" "$1/nubo"
  cp "$bench_root/nubo-server/target/nubo.jar" "$1/nubo-server/target/nubo.jar"
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
