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
#               (it stops if the sources change meanwhile, rather than let ./nubo build).
#   --data-dir  an initialised data directory; without one, a temporary one is made and
#               initialised by one start that is not measured.
#   --port      HTTP port on 127.0.0.1 (default 28774)
#   --runs      measured starts (default 5)
#
# Each run starts the server in the background, polls /healthz every 10 ms over a raw TCP
# connection (bash /dev/tcp, so that the probe itself costs almost nothing), then stops the
# server with SIGTERM to its pid and waits until it and its PostgreSQL have exited. The page
# cache is warm: this is a process cold start, not a machine cold boot. A run during which other
# processes (someone's build, a QEMU test) used over 10% of the machine is discarded and repeated
# (NUBO_BENCH_MAX_FOREIGN changes the 10).
# Prints each run, then `RESULT cold_start.*` lines (seconds). NUBO_BENCH_KEEP=1 keeps a temporary
# data dir it made (with the server logs). It holds the shared Maven lock while it measures, after
# waiting for the machine to be idle (lib.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
launcher=""
data=""
port=28774
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
in_tree=""
if [ -z "$launcher" ]; then
  bench_build_server
  snapshot="$(mktemp -d /tmp/nubo-cold-start-install.XXXXXX)"
  bench_snapshot "$snapshot"
  launcher="$snapshot/nubo"
elif [ "$(readlink -f "$launcher")" = "$(readlink -f "$bench_root/nubo")" ]; then
  in_tree=1
  bench_build_server
fi
bench_lock_and_wait_quiet 900

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
  # The checkout's launcher would build a stale jar itself, without the shared Maven lock.
  if [ -n "$in_tree" ] && bench_jar_stale; then
    echo "cold-start: the sources changed during the run, so ./nubo would rebuild; stopping (use the default snapshot)" >&2
    exit 1
  fi
  "$launcher" up --driver fake --fake-boot-ms 0 --data-dir "$data" --port "$port" >"$1" 2>&1 9>&- &
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

# A run during which other processes used more than $max_foreign% of the machine (all cores)
# is discarded and repeated, up to as many extra attempts as runs.
max_foreign=${NUBO_BENCH_MAX_FOREIGN:-10}
samples=()
attempt=0
discarded=0
while [ ${#samples[@]} -lt "$runs" ] && [ "$attempt" -lt $((2 * runs)) ]; do
  attempt=$((attempt + 1))
  sleep 1
  log="$data/cold-start-$attempt.log"
  b0=$(bench_busy_ticks); o0=$(bench_our_ticks)
  t0=$EPOCHREALTIME
  start "$log"
  ok=0
  while kill -0 "$pid" 2>/dev/null; do
    if bench_healthy "$port"; then ok=1; break; fi
    sleep 0.01
  done
  t1=$EPOCHREALTIME
  b1=$(bench_busy_ticks); o1=$(bench_our_ticks "$(bench_pg_pid "$data")")
  if [ "$ok" != 1 ]; then
    echo "cold-start: attempt $attempt: the server exited before /healthz answered 200; see $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  foreign=$(bench_foreign_percent "$b0" "$o0" "$b1" "$o1" "$s")
  stop_server
  if grep -q "nubo: building" "$log"; then
    echo "cold-start: attempt $attempt included a build (sources changed meanwhile); discarded" >&2
    discarded=$((discarded + 1))
  elif [ "$foreign" -gt "$max_foreign" ]; then
    echo "cold-start: attempt $attempt: $s s, but other processes used ${foreign}% of the machine meanwhile; discarded" >&2
    discarded=$((discarded + 1))
    bench_wait_quiet 600
  else
    samples+=("$s")
    echo "cold-start run ${#samples[@]}: $s s (other processes: ${foreign}% of the machine)"
  fi
done

[ ${#samples[@]} -gt 0 ] || { echo "cold-start: no valid run: the machine stayed busy" >&2; exit 1; }
[ ${#samples[@]} -ge "$runs" ] || echo "cold-start: WARNING: only ${#samples[@]} valid runs of $runs (the machine stayed busy)" >&2
printf '%s\n' "${samples[@]}" | sort -n | awk '
  { v[NR] = $1 }
  END {
    median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "RESULT cold_start.discarded='"$discarded"'\nRESULT cold_start.runs=%d\nRESULT cold_start.min_s=%.3f\nRESULT cold_start.median_s=%.3f\nRESULT cold_start.max_s=%.3f\n", NR, v[1], median, v[NR]
  }'
