#!/usr/bin/env bash
# The scheduler-at-scale benchmark of issue 6 (see SchedulerBench): 1,000 simulated hosts and
# 20,000 instances of mixed types from 20 concurrent clients. Targets: >= 2,000 placements/s
# sustained, and zero oversubscribed hosts (checked from the database afterwards).
#
#   bench/scheduler/run.sh [-- <SchedulerBench options: --hosts N --instances N --clients N --per-call N>]
#
# bench/in-jvm.sh builds it and runs it under the shared Maven lock.
# Everything runs on 127.0.0.1 (an embedded PostgreSQL in a temporary directory, deleted at the end).
set -euo pipefail
[ "${1:-}" = "--" ] && shift
exec "$(dirname "${BASH_SOURCE[0]}")/../in-jvm.sh" scheduler "$@"
