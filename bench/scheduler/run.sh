#!/usr/bin/env bash
# The scheduler-at-scale benchmark of issue 6 (see SchedulerBench): 1,000 simulated hosts and
# 20,000 instances of mixed types from 20 concurrent clients. Targets: >= 2,000 placements/s
# sustained, and zero oversubscribed hosts (checked from the database afterwards).
#
#   bench/scheduler/run.sh [-- <SchedulerBench options: --hosts N --instances N --clients N --per-call N>]
#
# It builds the modules it needs and the benchmark jar under the shared Maven lock, then runs the
# benchmark while still holding the lock, so that no build on this 2-core machine runs alongside.
# Everything runs on 127.0.0.1 (an embedded PostgreSQL in a temporary directory, deleted at the end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ "${1:-}" = "--" ] && shift
exec flock /tmp/nubo-mvn.lock bash -c '
  set -euo pipefail
  cd "$0"
  mvn -B -ntp -o -q install -DskipTests -pl nubo-control -am >&2
  mvn -B -ntp -o -q -f bench/scheduler/pom.xml package >&2
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- nubo-core nubo-store nubo-control bench/scheduler || echo +dirty), $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(awk "/MemTotal/ {printf \"%d GiB\", \$2/1048576}" /proc/meminfo), $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "load before: $(cut -d" " -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -Xmx2g -XX:+UseG1GC -jar bench/scheduler/target/nubo-scheduler-bench.jar "$@"
' "$root" "$@"
