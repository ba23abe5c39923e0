#!/usr/bin/env bash
# The billing benchmark of issue 7 (see BillingBench): a month of events for 10,000 instances and
# 20,000 volumes across 1,000 accounts (about 1 million), metered, rated and invoiced; and the
# draft invoice of an account with 1,000 resources. Targets: <= 30 s, draft p99 <= 50 ms.
#
#   bench/billing/run.sh [-- <BillingBench options: --accounts N --instances N --volumes N --draft-calls N>]
#
# It builds the modules it needs and the benchmark jar under the shared Maven lock, then runs the
# benchmark while still holding the lock, so that no build on this 2-core machine runs alongside.
# Everything runs on 127.0.0.1 (an embedded PostgreSQL in a temporary directory).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ "${1:-}" = "--" ] && shift
exec flock /tmp/nubo-mvn.lock bash -c '
  set -euo pipefail
  cd "$0"
  mvn -B -ntp -o -q install -DskipTests -pl nubo-control -am >&2
  mvn -B -ntp -o -q -f bench/billing/pom.xml package >&2
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet -- nubo-core nubo-store nubo-control bench/billing || echo +dirty), $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(awk "/MemTotal/ {printf \"%d GiB\", \$2/1048576}" /proc/meminfo), $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | xargs), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "load before: $(cut -d" " -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -Xmx2g -XX:+UseG1GC -jar bench/billing/target/nubo-billing-bench.jar "$@"
' "$root" "$@"
