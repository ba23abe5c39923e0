#!/usr/bin/env bash
# Control-plane benchmarks (issue: foundation), fake driver with 0 ms boot, all on 127.0.0.1:
#
#   1. launch 1,000 instances through the REST API from 10 parallel clients (count=1 each,
#      100 requests per client): accepted rate, and time until a listing shows all running;
#   2. list 1,000 instances (GET /api/v1/instances?limit=1000), 1,000 sequential calls after a
#      warm-up: p50 and p99;
#   3. cold start of `nubo up` on an initialised data dir, until /healthz answers 200.
#
#   bench/run.sh [--port N] [--cold-runs N] [-- <more options for the load driver>]
#
# It builds the server jar (if stale) and the load driver, both under the shared Maven lock;
# snapshots the launcher and jar to a temporary directory (see lib.sh); starts a fresh server
# on a new temporary data dir; runs the load driver (bench/src/main/java/.../ControlPlaneBench);
# stops the server by its pid; runs bench/cold-start.sh twice (on a freshly initialised data
# dir, then on the benchmark's data dir that now holds 2,000 running instances); and prints
# the figures against the targets. NUBO_BENCH_KEEP=1 keeps the temporary directory (logs).
#
# The load driver runs two launch rounds, each in a new account of its own: "cold" right after
# the server started (cold JIT), then "warm". The simulated host gets --fake-vcpus 1024
# (4,096 schedulable vCPUs at the 4x overcommit) so that both rounds' 2,000 t3.nano fit; the
# default 512 holds only 1,024.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$bench_root"
port=18773
cold_runs=5
driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --cold-runs) cold_runs="$2"; shift 2 ;;
    --) shift; driver_args=("$@"); break ;;
    *) echo "usage: $0 [--port N] [--cold-runs N] [-- <load driver options>]" >&2; exit 2 ;;
  esac
done
cold_port=$((port + 1))
for p in "$port" "$cold_port"; do
  if bench_port_busy "$p"; then echo "bench: port $p is in use; pick another with --port" >&2; exit 1; fi
done

work="$(mktemp -d /tmp/nubo-bench.XXXXXX)"
pid=""
stop_server() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  for _ in $(seq 1 300); do [ -e "$work/data/pg/postmaster.pid" ] || break; sleep 0.1; done
}
cleanup() {
  stop_server
  if [ -n "${NUBO_BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- build (not measured) ---------------------------------------------------------------------
bench_build_server
echo "bench: building the load driver (mvn -f bench/pom.xml package)" >&2
bench_mvn -f bench/pom.xml package >&2
bench_snapshot "$work/install"
cp "$root/bench/target/nubo-bench.jar" "$work/install/nubo-bench.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# --- the machine ------------------------------------------------------------------------------
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit:  $(git -C "$root" rev-parse --short HEAD)$( [ -n "$(git -C "$root" status --porcelain -- . ':!bench' ':!docs/benchmarks.md' 2>/dev/null)" ] && echo ' (with uncommitted changes)')"
echo "cpu:     $(nproc) x $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "kernel:  $(uname -r)"
echo "jdk:     $("$java" -version 2>&1 | head -1)"
# What the checkout's launcher adds to every start: its staleness check over the sources.
t0=$EPOCHREALTIME; bench_jar_stale || true; t1=$EPOCHREALTIME
echo "launcher staleness check in this checkout: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms (not part of the figures below)"

# --- 1 and 2: launch and list ----------------------------------------------------------------
mkdir -p "$work/data"
"$work/install/nubo" up --driver fake --fake-boot-ms 0 --fake-vcpus 1024 --data-dir "$work/data" --port "$port" \
  >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 1200); do
  bench_healthy "$port" && break
  kill -0 "$pid" 2>/dev/null || { echo "bench: the server exited; its log:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
bench_healthy "$port" || { echo "bench: the server did not become healthy; its log:" >&2; tail -50 "$work/server.log" >&2; exit 1; }
echo "server:  pid $pid, http://127.0.0.1:$port, data dir $work/data"

"$java" -jar "$work/install/nubo-bench.jar" --url "http://127.0.0.1:$port" --credentials "$work/data/credentials" \
  "${driver_args[@]}" | tee "$work/driver.out"
stop_server

# --- 3: cold start ----------------------------------------------------------------------------
echo "cold start, freshly initialised data dir:"
"$root/bench/cold-start.sh" --launcher "$work/install/nubo" --data-dir "$work/cold" --port "$cold_port" --runs "$cold_runs" \
  | tee "$work/cold.out"
echo "cold start, the benchmark's data dir (2,000 running instances):"
"$root/bench/cold-start.sh" --launcher "$work/install/nubo" --data-dir "$work/data" --port "$cold_port" --runs "$cold_runs" \
  | sed 's/RESULT cold_start\./RESULT cold_start_loaded./' | tee "$work/cold-loaded.out"

# --- summary ------------------------------------------------------------------------------------
declare -A r
while IFS='=' read -r k v; do r["${k#RESULT }"]="$v"; done < <(grep -h '^RESULT ' "$work/driver.out" "$work/cold.out" "$work/cold-loaded.out")
verdict() { # $1 value, $2 op (">=" or "<="), $3 target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "timeout") { print "MISSED"; exit }
    if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= t) : (v + 0 <= t); print ok ? "met" : "MISSED" }'
}
row() { printf '| %-58s | %10s | %-10s | %-6s |\n' "$1" "$2" "$3" "$4"; }
echo
row "figure" "measured" "target" "result"
row "---" "---" "---" "---"
for round in cold warm; do
  [ -n "${r[launch.$round.accept_per_s]:-}" ] || continue
  row "launch 1,000 (10 clients x 100, count=1), $round: accepted/s" "${r[launch.$round.accept_per_s]}" ">= 1000" "$(verdict "${r[launch.$round.accept_per_s]}" ">=" 1000)"
  row "launch 1,000, $round: first request -> all running (s)" "${r[launch.$round.all_running_s]}" "<= 5" "$(verdict "${r[launch.$round.all_running_s]}" "<=" 5)"
  row "launch 1,000, $round: request latency p50 / p99 (ms)" "${r[launch.$round.req_p50_ms]} / ${r[launch.$round.req_p99_ms]}" "-" "-"
done
row "list 1,000 instances, p50 (ms)" "${r[list.p50_ms]:-}" "<= 10" "$(verdict "${r[list.p50_ms]:-}" "<=" 10)"
row "list 1,000 instances, p99 (ms)" "${r[list.p99_ms]:-}" "<= 50" "$(verdict "${r[list.p99_ms]:-}" "<=" 50)"
row "cold start to /healthz 200, median of ${r[cold_start.runs]:-?} (s)" "${r[cold_start.median_s]:-}" "<= 4" "$(verdict "${r[cold_start.median_s]:-}" "<=" 4)"
row "cold start to /healthz 200, max of ${r[cold_start.runs]:-?} (s)" "${r[cold_start.max_s]:-}" "<= 4" "$(verdict "${r[cold_start.max_s]:-}" "<=" 4)"
row "cold start, data dir with 2,000 running instances, median (s)" "${r[cold_start_loaded.median_s]:-}" "<= 4" "$(verdict "${r[cold_start_loaded.median_s]:-}" "<=" 4)"
row "cold start, data dir with 2,000 running instances, max (s)" "${r[cold_start_loaded.max_s]:-}" "<= 4" "$(verdict "${r[cold_start_loaded.max_s]:-}" "<=" 4)"
