#!/usr/bin/env bash
# Cold start of `nubo up` with the fake driver: the time from running the command until
# GET /healthz answers 200, on a data directory that an earlier start already initialised
# (database created and migrated, admin account made). The jar is built before, not measured.
#
#   bench/cold-start.sh [--launcher PATH] [--data-dir DIR] [--port N] [--runs N]
#
#   --launcher  the `nubo` launcher to run. Default: build this checkout's jar if it is stale
#               (under the shared Maven lock), then copy the launcher and the jar to a temporary
#               directory and run that copy, so that source edits made while it runs can neither
#               make the launcher rebuild nor change what is measured. `--launcher ./nubo` measures
#               the checkout's launcher itself, including its staleness check over the sources
#               (a run during which it rebuilt is discarded).
#   --data-dir  an initialised data directory; without one, a temporary one is made and
#               initialised by one start that is not measured.
#   --port      HTTP port on 127.0.0.1 (default 18774)
#   --runs      measured starts (default 5)
#
# Each run starts the server in the background, polls /healthz every 10 ms over a raw TCP
# connection (bash /dev/tcp, so that the probe itself costs almost nothing), then stops the
# server with SIGTERM to its pid and waits until it and its PostgreSQL have exited. The page
# cache is warm: this is a process cold start, not a machine cold boot.
# Prints each run, then `RESULT cold_start.*` lines (seconds). NUBO_BENCH_KEEP=1 keeps a temporary
# data dir it made (with the server logs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$bench_root"
launcher=""
data=""
port=18774
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --launcher) launcher="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--launcher PATH] [--data-dir DIR] [--port N] [--runs N]" >&2; exit 2 ;;
  esac
done
if bench_port_busy "$port"; then
  echo "cold-start: port $port is already in use; pick another with --port" >&2
  exit 1
fi
snapshot=""
owned_data=""
if [ -z "$launcher" ]; then
  bench_build_server
  snapshot="$(mktemp -d /tmp/nubo-cold-start-install.XXXXXX)"
  bench_snapshot "$snapshot"
  launcher="$snapshot/nubo"
fi

pid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  # the server stops its PostgreSQL itself; wait until it has, so runs do not overlap
  for _ in $(seq 1 300); do [ -e "$data/pg/postmaster.pid" ] || break; sleep 0.1; done
}
cleanup() {
  stop_server
  [ -z "$snapshot" ] || rm -rf "$snapshot"
  [ -z "$owned_data" ] || [ -n "${NUBO_BENCH_KEEP:-}" ] || rm -rf "$owned_data"
}
trap cleanup EXIT

start() { # $1: log file. Sets pid.
  "$launcher" up --driver fake --fake-boot-ms 0 --data-dir "$data" --port "$port" >"$1" 2>&1 &
  pid=$!
}

if [ -z "$data" ]; then
  data="$(mktemp -d /tmp/nubo-cold-start.XXXXXX)"
  owned_data="$data"
fi
mkdir -p "$data"
if [ ! -f "$data/credentials" ]; then
  echo "cold-start: initialising $data (first start, not measured)" >&2
  start "$data/cold-start-init.log"
  for _ in $(seq 1 1200); do bench_healthy "$port" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  bench_healthy "$port" || { echo "cold-start: the initialising start failed; see $data/cold-start-init.log" >&2; cat "$data/cold-start-init.log" >&2; exit 1; }
  stop_server
fi

samples=()
for n in $(seq 1 "$runs"); do
  sleep 1
  log="$data/cold-start-$n.log"
  t0=$EPOCHREALTIME
  start "$log"
  ok=0
  while kill -0 "$pid" 2>/dev/null; do
    if bench_healthy "$port"; then ok=1; break; fi
    sleep 0.01
  done
  t1=$EPOCHREALTIME
  if [ "$ok" != 1 ]; then
    echo "cold-start: run $n: the server exited before /healthz answered 200; see $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  if grep -q "nubo: building" "$log"; then
    echo "cold-start: run $n included a build (sources changed during the run); discarding it" >&2
    stop_server
    continue
  fi
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  samples+=("$s")
  echo "cold-start run $n: $s s"
  stop_server
done

[ ${#samples[@]} -gt 0 ] || { echo "cold-start: no valid run" >&2; exit 1; }
printf '%s\n' "${samples[@]}" | sort -n | awk '
  { v[NR] = $1 }
  END {
    median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "RESULT cold_start.runs=%d\nRESULT cold_start.min_s=%.3f\nRESULT cold_start.median_s=%.3f\nRESULT cold_start.max_s=%.3f\n", NR, v[1], median, v[NR]
  }'
