#!/usr/bin/env bash
# Control-plane benchmarks (issue: foundation), fake driver with 0 ms boot, all on 127.0.0.1:
#
#   1. launch 1,000 instances through the REST API from 10 parallel clients (count=1 each,
#      100 requests per client): accepted rate, and time until a listing shows all running;
#   2. list 1,000 instances (GET /api/v1/instances?limit=1000), 1,000 sequential calls after a
#      warm-up: p50 and p99;
#   3. cold start of `nubo up` on an initialised data dir, until /healthz answers 200.
#
#   bench/run.sh [--commit REV] [--port N] [--cold-runs N] [--attempts N] [-- <load driver options>]
#
#   --commit REV  benchmark a committed revision (git archive REV, built in a temporary
#                 directory) instead of the working tree; use it when the working tree is in
#                 the middle of an edit, and to record figures for a known commit.
#
# It builds the server jar (if stale) and the load driver, both under the shared Maven lock;
# snapshots the launcher and jar to a temporary directory (see lib.sh); starts a fresh server
# on a new temporary data dir; runs the load driver (bench/src/main/java/.../ControlPlaneBench);
# stops the server by its pid; runs bench/cold-start.sh twice (on a freshly initialised data
# dir, then on the benchmark's data dir that now holds 2,000 running instances); and prints
# the figures against the targets. NUBO_BENCH_KEEP=1 keeps the temporary directory (logs).
# While it measures, it holds the shared Maven lock and first waits for the machine to be idle
# (see bench_lock_and_wait_quiet in lib.sh): on 2 cores, a concurrent build halves every figure.
#
# The load driver runs two launch rounds, each in a new account of its own: "cold" right after
# the server started (cold JIT), then "warm". The simulated host gets --fake-vcpus 1024
# (4,096 schedulable vCPUs at the 4x overcommit) so that both rounds' 2,000 t3.nano fit; the
# default 512 holds only 1,024.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root="$bench_root"
port=28773
cold_runs=5
attempts=3
commit=""
driver_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --cold-runs) cold_runs="$2"; shift 2 ;;
    --attempts) attempts="$2"; shift 2 ;;
    --) shift; driver_args=("$@"); break ;;
    *) echo "usage: $0 [--commit REV] [--port N] [--cold-runs N] [--attempts N] [-- <load driver options>]" >&2; exit 2 ;;
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
if [ -n "$commit" ]; then
  rev="$(git -C "$root" rev-parse --short "$commit^{commit}")"
  src="$work/src"
  mkdir -p "$src"
  git -C "$root" archive "$rev" | tar -x -C "$src"
  echo "bench: building commit $rev in $src (mvn -DskipTests package)" >&2
  (cd "$src" && flock /tmp/nubo-mvn.lock mvn -q -B -ntp -DskipTests package >&2)
  what="commit $rev"
else
  src="$root"
  if ! bench_build_server; then
    echo "bench: the working tree does not build; benchmark a commit instead, e.g. $0 --commit HEAD" >&2
    exit 1
  fi
  what="working tree at $(git -C "$root" rev-parse --short HEAD)"
  [ -z "$(git -C "$root" status --porcelain --untracked-files=no -- . ':!bench' ':!docs/benchmarks.md')" ] || what="$what, with uncommitted changes"
fi
echo "bench: building the load driver (mvn -f bench/pom.xml package)" >&2
bench_mvn -f bench/pom.xml package >&2
bench_snapshot "$work/install" "$src"
cp "$root/bench/target/nubo-bench.jar" "$work/install/nubo-bench.jar"
[ -z "$commit" ] || rm -rf "$src"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
bench_lock_and_wait_quiet 900

# --- the machine ------------------------------------------------------------------------------
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "code:    $what"
echo "cpu:     $(nproc) x $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "memory:  $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
echo "kernel:  $(uname -r)"
echo "jdk:     $("$java" -version 2>&1 | head -1)"
# What the checkout's launcher adds to every start: its staleness check over the sources.
t0=$EPOCHREALTIME; bench_jar_stale || true; t1=$EPOCHREALTIME
echo "launcher staleness check in this checkout: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms (not part of the figures below)"

# --- 1 and 2: launch and list ----------------------------------------------------------------
# On a fresh server each time; repeated (up to --attempts) when other processes used more than
# NUBO_BENCH_MAX_FOREIGN% (10) of the machine meanwhile.
max_foreign=${NUBO_BENCH_MAX_FOREIGN:-10}
for attempt in $(seq 1 "$attempts"); do
  rm -rf "$work/data"
  mkdir -p "$work/data"
  "$work/install/nubo" up --driver fake --fake-boot-ms 0 --fake-vcpus 1024 --data-dir "$work/data" --port "$port" \
    >"$work/server.log" 2>&1 9>&- &
  pid=$!
  for _ in $(seq 1 1200); do
    bench_healthy "$port" && break
    kill -0 "$pid" 2>/dev/null || { echo "bench: the server exited; its log:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  bench_healthy "$port" || { echo "bench: the server did not become healthy; its log:" >&2; tail -50 "$work/server.log" >&2; exit 1; }
  echo "server:  pid $pid, http://127.0.0.1:$port, data dir $work/data (attempt $attempt)"
  b0=$(bench_busy_ticks); o0=$(bench_our_ticks "$(bench_pg_pid "$work/data")"); t0=$EPOCHREALTIME
  "$java" -jar "$work/install/nubo-bench.jar" --url "http://127.0.0.1:$port" --credentials "$work/data/credentials" \
    "${driver_args[@]}" 9>&- | tee "$work/driver.out"
  b1=$(bench_busy_ticks); o1=$(bench_our_ticks "$(bench_pg_pid "$work/data")"); t1=$EPOCHREALTIME
  stop_server
  foreign=$(bench_foreign_percent "$b0" "$o0" "$b1" "$o1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  echo "RESULT load.foreign_percent=$foreign" | tee -a "$work/driver.out"
  echo "RESULT load.attempts=$attempt" >> "$work/driver.out"
  [ "$foreign" -gt "$max_foreign" ] || break
  echo "bench: WARNING: other processes used ${foreign}% of the machine during the load test: its figures are unreliable" >&2
  if [ "$attempt" -lt "$attempts" ]; then
    echo "bench: repeating it on a fresh server once the machine is idle" >&2
    bench_wait_quiet 900
  fi
done

# --- 3: cold start ----------------------------------------------------------------------------
echo "cold start, freshly initialised data dir:"
"$root/bench/cold-start.sh" --launcher "$work/install/nubo" --data-dir "$work/cold" --port "$cold_port" --runs "$cold_runs" 9>&- \
  | tee "$work/cold.out"
echo "cold start, the benchmark's data dir (2,000 running instances):"
"$root/bench/cold-start.sh" --launcher "$work/install/nubo" --data-dir "$work/data" --port "$cold_port" --runs "$cold_runs" 9>&- \
  | sed 's/RESULT cold_start\./RESULT cold_start_loaded./' | tee "$work/cold-loaded.out"

# --- summary ------------------------------------------------------------------------------------
declare -A r
while IFS='=' read -r k v; do r["${k#RESULT }"]="$v"; done < <(grep -h '^RESULT ' "$work/driver.out" "$work/cold.out" "$work/cold-loaded.out")
verdict() { # $1 value, $2 op (">=" or "<="), $3 target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
    if (v == "never") { print "MISSED"; exit }
    if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= t) : (v + 0 <= t); print ok ? "met" : "MISSED" }'
}
row() { printf '| %-62s | %15s | %-16s | %-6s |\n' "$1" "$2" "$3" "$4"; }
echo
row "figure" "measured" "target" "result"
row "---" "---" "---" "---"
for round in cold warm; do
  [ -n "${r[launch.$round.accept_per_s]:-}" ] || continue
  row "launch 1,000 (10 clients x 100, count=1), $round: accepted/s" "${r[launch.$round.accept_per_s]}" ">= 1000" "$(verdict "${r[launch.$round.accept_per_s]}" ">=" 1000)"
  row "launch 1,000, $round: first request -> all running (s)" "${r[launch.$round.all_running_s]}" "<= 5" "$(verdict "${r[launch.$round.all_running_s]}" "<=" 5)"
  row "launch 1,000, $round: request latency p50 / p99 (ms)" "${r[launch.$round.req_p50_ms]} / ${r[launch.$round.req_p99_ms]}" "-" "-"
  [ -z "${r[launch.$round.not_running]:-}" ] || echo "  (launch $round: never running: ${r[launch.$round.not_running]})"
  [ "${r[launch.$round.errors]:-0}" = 0 ] || echo "  (launch $round: ${r[launch.$round.errors]} launch requests failed)"
done
row "other processes' CPU during launch+list (% of machine)" "${r[load.foreign_percent]:-}" "<= 10 (validity)" "$(verdict "${r[load.foreign_percent]:-}" "<=" 10)"
row "list 1,000 instances, p50 (ms)" "${r[list.p50_ms]:-}" "<= 10" "$(verdict "${r[list.p50_ms]:-}" "<=" 10)"
row "list 1,000 instances, p99 (ms)" "${r[list.p99_ms]:-}" "<= 50" "$(verdict "${r[list.p99_ms]:-}" "<=" 50)"
row "cold start to /healthz 200, median of ${r[cold_start.runs]:-?} (s)" "${r[cold_start.median_s]:-}" "<= 4" "$(verdict "${r[cold_start.median_s]:-}" "<=" 4)"
row "cold start to /healthz 200, max of ${r[cold_start.runs]:-?} (s)" "${r[cold_start.max_s]:-}" "<= 4" "$(verdict "${r[cold_start.max_s]:-}" "<=" 4)"
row "cold start, data dir with 2,000 running instances, median (s)" "${r[cold_start_loaded.median_s]:-}" "<= 4" "$(verdict "${r[cold_start_loaded.median_s]:-}" "<=" 4)"
row "cold start, data dir with 2,000 running instances, max (s)" "${r[cold_start_loaded.max_s]:-}" "<= 4" "$(verdict "${r[cold_start_loaded.max_s]:-}" "<=" 4)"
