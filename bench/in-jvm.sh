#!/usr/bin/env bash
# Runs one of the in-JVM benchmarks (bench/<name>/, a shaded jar nubo-<name>-bench.jar) the same
# way: it builds nubo-control and the benchmark under the shared Maven lock, then runs it while
# still holding the lock, so that no build on this 2-core machine runs alongside; it prints the
# commit, the machine and the load first.
#
#   bench/in-jvm.sh <name> [benchmark options...]
set -euo pipefail
name="$1"
shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
exec flock /tmp/nubo-mvn.lock bash -c '
  set -euo pipefail
  cd "$0"
  name="$1"
  shift
  mvn -B -ntp -o -q install -DskipTests -pl nubo-control -am >&2
  mvn -B -ntp -o -q -f "bench/$name/pom.xml" package >&2
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- nubo-core nubo-store nubo-control "bench/$name" || echo +dirty), $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(awk "/MemTotal/ {printf \"%d GiB\", \$2/1048576}" /proc/meminfo), $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "load before: $(cut -d" " -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -Xmx2g -XX:+UseG1GC -jar "bench/$name/target/nubo-$name-bench.jar" "$@"
' "$root" "$name" "$@"
