#!/usr/bin/env bash
# Nubo's EC2 Query API against moto_server, side by side in one run on this machine (issue 4,
# "Performance"). See docs/benchmarks.md, section "EC2 API against moto".
#
#   bench/ec2/run.sh                   # builds the server jar from the working tree (mvn -o, under the lock)
#   bench/ec2/run.sh --jar PATH        # measures that jar instead (copied first)
#   bench/ec2/run.sh --commit REV      # builds and measures a committed revision (git archive REV, built in
#                                      # the work dir): others' half-done edits in a shared tree stay out
#   options: --duration S (20) --connections N (8) --threads N (2) --instances N (1000)
#            --calls N (200) --warmup S (5) --moto-full-min N (30) --moto-full-extra S (120)
#            --keep (keep the work dir: logs, data dirs, scripts, raw results)
#
# It starts both servers on 127.0.0.1 (free ports), creates the instances in each, signs one
# DescribeInstances per server and query with botocore and replays it with wrk, times
# RunInstances one call at a time from boto3, stops both servers by pid and prints a table.
# The measurement runs under the shared Maven lock (/tmp/nubo-mvn.lock), after the machine has
# been idle for 3 s; set NUBO_BENCH_LOCKED=1 if the caller already holds that lock
# (e.g. `flock /tmp/nubo-mvn.lock env NUBO_BENCH_LOCKED=1 bench/ec2/run.sh --jar ...`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

jar="" commit="" duration=20 connections=8 threads=2 instances=1000 calls=200 warmup=5 keep=""
moto_full_min=30 moto_full_extra=120 quiet_timeout=900
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --commit) commit="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --instances) instances="$2"; shift 2 ;;
    --calls) calls="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --moto-full-min) moto_full_min="$2"; shift 2 ;;
    --moto-full-extra) moto_full_extra="$2"; shift 2 ;;
    --quiet-timeout) quiet_timeout="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "ec2-bench: $*" >&2; }
die() { log "$*"; exit 1; }

# --- tools -------------------------------------------------------------------------------
command -v wrk >/dev/null || die "wrk is missing: apt-get install -y wrk"
[ -x "$JAVA_HOME/bin/java" ] || die "no JDK at $JAVA_HOME"
py=""
for cand in "${PYTHON:-}" python3.11 python3; do
  [ -n "$cand" ] || continue
  if p=$("$cand" -c 'import sys, boto3, moto; print(sys.executable)' 2>/dev/null); then py="$p"; break; fi
done
[ -n "$py" ] || die "no Python with boto3 and moto (pip install 'moto[server]' boto3)"
helper=("$py" "$here/ec2bench.py")

# --- the jar -----------------------------------------------------------------------------
work="$(mktemp -d /tmp/nubo-bench-ec2.XXXXXX)"
res="$work/results"; mkdir -p "$res"
nubo_pid="" moto_pid="" pg_pid=""

stop_pid() {  # stop_pid PID NAME: SIGTERM, up to 30 s, then SIGKILL
  local pid="$1" name="$2" i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) still running after 30 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_pid "$nubo_pid" nubo
  # The embedded PostgreSQL is not our child (it daemonizes): the server stops it on SIGTERM;
  # wait for it by pid, and stop it ourselves only if the server did not.
  if [ -n "$pg_pid" ]; then
    for i in $(seq 300); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pg_pid" 2>/dev/null; then log "postgres ($pg_pid) left behind: SIGTERM"; kill -TERM "$pg_pid" 2>/dev/null || true; fi
  fi
  stop_pid "$moto_pid" moto
  if [ -n "$keep" ] || [ $rc -ne 0 ]; then log "work dir kept: $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -z "$jar" ] || [ -z "$commit" ] || die "--jar and --commit exclude each other"
if [ -n "$commit" ]; then
  [ -z "${NUBO_BENCH_LOCKED:-}" ] || die "the caller holds the Maven lock: pass --jar (cannot build under it)"
  rev="$(git -C "$root" rev-parse --short "$commit^{commit}")" || die "no commit $commit"
  mkdir -p "$work/src"
  git -C "$root" archive "$rev" | tar -x -C "$work/src"
  log "building commit $rev in $work/src (mvn -o -DskipTests package -pl nubo-server -am, under the lock)"
  (cd "$work/src" && flock /tmp/nubo-mvn.lock mvn -q -B -o package -DskipTests -pl nubo-server -am >&2)
  jar="$work/src/nubo-server/target/nubo.jar"
  code="commit $rev"
elif [ -z "$jar" ]; then
  [ -z "${NUBO_BENCH_LOCKED:-}" ] || die "the caller holds the Maven lock: pass --jar (cannot build under it)"
  log "building the server jar from $root (mvn -o -DskipTests package -pl nubo-server -am, under the lock)"
  (cd "$root" && flock /tmp/nubo-mvn.lock mvn -q -B -o package -DskipTests -pl nubo-server -am >&2)
  jar="$root/nubo-server/target/nubo.jar"
  code="commit $(git -C "$root" rev-parse --short HEAD)"
  if [ -n "$(git -C "$root" status --porcelain -- . ':!bench' ':!docs')" ]; then
    code="$code + the working tree's uncommitted changes"
  fi
else
  code="jar $(basename "$jar")"
fi
[ -f "$jar" ] || die "no jar at $jar"
cp "$jar" "$work/nubo.jar"   # a snapshot: a rebuild by someone else cannot change what is measured
rm -rf "$work/src"

# --- the lock and a quiet machine ---------------------------------------------------------
busy_percent() {  # the machine's busy percentage over $1 seconds
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat); sleep "$1"
  b=$(awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * (y[1] - x[1]) / t : 0) }'
}
wait_quiet() {
  local deadline=$((SECONDS + quiet_timeout)) busy
  while :; do
    busy=$(busy_percent 3)
    [ "$busy" -lt 15 ] && { log "the machine is idle (${busy}% busy over 3 s)"; return 0; }
    [ $SECONDS -ge $deadline ] && { log "WARNING: still ${busy}% busy after ${quiet_timeout} s; measuring anyway"; return 0; }
    log "the machine is ${busy}% busy; waiting: $(ps -eo pcpu,comm --sort=-pcpu | sed -n 2,3p | tr -s ' ' | tr '\n' ';')"
    sleep 10
  done
}
if [ -z "${NUBO_BENCH_LOCKED:-}" ]; then
  exec 9>>/tmp/nubo-mvn.lock
  log "waiting for the shared Maven lock (/tmp/nubo-mvn.lock)"
  flock 9
  export NUBO_BENCH_LOCKED=1
fi
log "holding the Maven lock"
wait_quiet

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nport=$(free_port); mport=$(free_port)
while [ "$mport" = "$nport" ]; do mport=$(free_port); done
nubo="http://127.0.0.1:$nport" moto="http://127.0.0.1:$mport"

# --- the servers ----------------------------------------------------------------------------
log "starting Nubo (fake driver) on $nubo"
# Throttling off: the benchmark measures what the server can serve, which EC2's per-account
# rates (100 describes at once, then 20/s) would hide.
"$JAVA_HOME/bin/java" -Dnubo.home="$root" -jar "$work/nubo.jar" up --driver fake --fake-boot-ms 0 --ec2-rate-limit 0 \
  --fake-vcpus 4096 --data-dir "$work/nubo" --port "$nport" >"$work/nubo.log" 2>&1 9>&- &
nubo_pid=$!
log "starting moto_server on $moto"
"$py" -m moto.server -H 127.0.0.1 -p "$mport" >"$work/moto.log" 2>&1 9>&- &
moto_pid=$!
for i in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$nubo/healthz" || true)" = 200 ] && break
  kill -0 "$nubo_pid" 2>/dev/null || die "Nubo exited; see $work/nubo.log"
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$nubo/healthz")" = 200 ] || die "Nubo not healthy after 60 s"
[ -f "$work/nubo/pg/postmaster.pid" ] && pg_pid=$(head -1 "$work/nubo/pg/postmaster.pid")
for i in $(seq 300); do
  curl -s -o /dev/null "$moto/" && break
  kill -0 "$moto_pid" 2>/dev/null || die "moto exited; see $work/moto.log"
  sleep 0.1
done
creds="$work/nubo/credentials"
[ -f "$creds" ] || die "no $creds"
nubo_args=(--endpoint "$nubo" --region nubo-1 --credentials "$creds" --profile nubo)
moto_args=(--endpoint "$moto" --region us-east-1)

# --- populate -------------------------------------------------------------------------------
log "creating $instances instances in Nubo"
"${helper[@]}" populate "${nubo_args[@]}" --count "$instances" >"$res/nubo-populate.json"
log "creating $instances instances in moto"
"${helper[@]}" populate "${moto_args[@]}" --count "$instances" >"$res/moto-populate.json"
pick() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["ids"][len(d["ids"])//2])' "$1"; }
nubo_one=$(pick "$res/nubo-populate.json"); moto_one=$(pick "$res/moto-populate.json")

# --- DescribeInstances with wrk -------------------------------------------------------------
cpu() { "${helper[@]}" cpu nubo="$nubo_pid" postgres="${pg_pid:-0}" moto="$moto_pid"; }
settle() {  # until both servers are idle (each measurement starts on idle servers)
  local s
  s=$("${helper[@]}" settle nubo="$nubo_pid" postgres="${pg_pid:-0}" moto="$moto_pid")
  log "servers idle after ${s} s"
}
wrk_run() {  # wrk_run NAME SCRIPT URL SECONDS CONNECTIONS THREADS: results in $res/NAME.*
  local name="$1" script="$2" url="$3" secs="$4" conns="$5" thr="$6"
  settle
  cpu >"$res/$name.cpu0"
  /usr/bin/time -f '%U %S' -o "$res/$name.clienttime" \
    wrk -t"$thr" -c"$conns" -d"${secs}s" --timeout 600s --latency -s "$script" "$url/" >"$res/$name.wrk" 9>&-
  cpu >"$res/$name.cpu1"
  grep '^WRKJSON ' "$res/$name.wrk" | sed 's/^WRKJSON //' >"$res/$name.json"
  log "$name: $(grep -E 'Requests/sec|requests in' "$res/$name.wrk" | tr -s ' ' | tr '\n' ' ')"
}
# A header signature is valid for 15 minutes: each request is signed right before its runs.
[ $((warmup + duration)) -lt 840 ] || die "--warmup + --duration must stay under 14 minutes (SigV4's 15-minute window)"
for q in full one; do
  for who in nubo moto; do
    if [ $who = nubo ]; then args=("${nubo_args[@]}"); one=$nubo_one; url=$nubo; else args=("${moto_args[@]}"); one=$moto_one; url=$moto; fi
    if [ $q = full ]; then sel=(--expect "$instances"); else sel=(--instance-id "$one"); fi
    "${helper[@]}" sign "${args[@]}" "${sel[@]}" --out "$work/$who-$q.lua" --done-lua "$here/done.lua" >"$res/$who-$q.sign"
    if [ "$warmup" -gt 0 ]; then
      log "$who $q: ${warmup} s warm-up"
      wrk_run "$who-$q-warmup" "$work/$who-$q.lua" "$url" "$warmup" "$connections" "$threads"
    fi
    log "$who $q: ${duration} s, $connections connections"
    wrk_run "$who-$q" "$work/$who-$q.lua" "$url" "$duration" "$connections" "$threads"
    "${helper[@]}" check --endpoint "$url" --saved "$work/$who-$q.lua.json" >"$res/$who-$q.check" \
      || die "$who $q: the replayed request no longer gets the same answer"
  done
done
# moto answers the full list so slowly that a 20 s run completes only a handful of requests
# (and none in flight at the end counts): measure it again for longer, for a steadier rate.
# (moto does not check signatures, so the script signed minutes ago still serves.)
if [ "$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$res/moto-full.json")" -lt "$moto_full_min" ] \
   && [ "$moto_full_extra" -gt 0 ]; then
  log "moto full: fewer than $moto_full_min requests in ${duration} s; again for ${moto_full_extra} s"
  wrk_run moto-full-extra "$work/moto-full.lua" "$moto" "$moto_full_extra" "$connections" "$threads"
fi

# --- RunInstances one at a time -----------------------------------------------------------
log "Nubo: $calls RunInstances, one at a time"
settle; cpu >"$res/nubo-run.cpu0"
/usr/bin/time -f '%U %S' -o "$res/nubo-run.clienttime" \
  "${helper[@]}" runlat "${nubo_args[@]}" --calls "$calls" >"$res/nubo-run.json"
cpu >"$res/nubo-run.cpu1"
log "moto: $calls RunInstances, one at a time"
settle; cpu >"$res/moto-run.cpu0"
/usr/bin/time -f '%U %S' -o "$res/moto-run.clienttime" \
  "${helper[@]}" runlat "${moto_args[@]}" --calls "$calls" >"$res/moto-run.json"
cpu >"$res/moto-run.cpu1"

# --- stop, describe the run, print ------------------------------------------------------------
stop_pid "$nubo_pid" nubo; nubo_pid_stopped=$nubo_pid; nubo_pid=""
stop_pid "$moto_pid" moto; moto_pid=""
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc=$(nproc)"
  echo "mem_gib=$(free -g | awk '/^Mem:/ {print $2}')"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "kernel=$(uname -r)"
  echo "jdk=$("$JAVA_HOME/bin/java" -version 2>&1 | head -2 | tail -1)"
  echo "python=$("$py" -V 2>&1)"
  echo "moto=$("$py" -c 'import moto; print(moto.__version__)')"
  echo "boto3=$("$py" -c 'import boto3; print(boto3.__version__)')"
  echo "wrk=$(wrk -v 2>&1 | head -1 | awk '{print $2}')"
  echo "code=$code"
  echo "jar_sha256=$(sha256sum "$work/nubo.jar" | cut -c1-12)"
  echo "instances=$instances"; echo "duration=$duration"; echo "connections=$connections"
  echo "threads=$threads"; echo "calls=$calls"; echo "warmup=$warmup"
} >"$res/meta.txt"
"${helper[@]}" report "$res"
