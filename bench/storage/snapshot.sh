#!/usr/bin/env bash
# Snapshot benchmark (issue 5): the time to snapshot a 1 GiB volume with 100 MiB written while its
# VM runs, and the guest-visible write latency during the snapshot against without it.
#
#   bench/storage/snapshot.sh [--commit REV] [--port N] [--writes N]
#
#   --commit REV  measure a committed revision (git archive REV, built in a temporary directory
#                 under the Maven lock) instead of the working tree.
#   --writes N    4 KiB writes per latency sample (default 300).
#
# One all-in-one server with the QEMU driver (TCG here) on a temporary data dir, one running VM of
# the default image (1 vCPU, 256 MiB) and one 1 GiB volume attached to it, into which the guest
# writes 100 MiB of random data (O_DIRECT). Then:
#
#   baseline  the guest writes N single 4 KiB blocks, O_DIRECT and synced, at random offsets in
#             those 100 MiB, one dd each, timed in the guest with the kernel's monotonic clock
#             (/proc/timer_list's "now at ... nsecs": the guest's busybox has neither date +%N nor
#             dd's timing line); so each figure is one dd's life, its process start included, as
#             a guest application that opens, writes and syncs would see it;
#   snapshot  the same writes run again in the guest, started just before POST /api/v1/snapshots;
#             the snapshot time is from that POST to the API showing it `completed` (polled every
#             50 ms); the writes that ended before it completed are the "during" sample. A write
#             to a cluster the backup job has not copied yet waits for its old data to be copied
#             first (copy-before-write): that is the cost the guest sees.
#
# Percentiles are nearest-rank. The VM is terminated and the server stopped by its pid at the end.
# It holds the shared Maven lock while it measures, after waiting for the machine to be idle
# (lib.sh). NUBO_BENCH_KEEP=1 keeps the temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
port=30786
writes=300
commit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --writes) writes="$2"; shift 2 ;;
    *) echo "usage: $0 [--commit REV] [--port N] [--writes N]" >&2; exit 2 ;;
  esac
done
if bench_port_busy "$port"; then echo "bench: port $port is in use; pick another with --port" >&2; exit 1; fi

work="$(mktemp -d /tmp/nubo-bench-snapshot.XXXXXX)"
api=""
auth=""
pid=""
instance=""
cleanup() {
  if [ -n "$instance" ] && [ -n "$pid" ]; then
    curl -sf -X POST -H "$auth" "$api/instances/$instance/terminate" >/dev/null || true
    for _ in $(seq 1 600); do [ -d "$work/data/instances/$instance" ] || break; sleep 0.1; done
  fi
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ -z "${NUBO_BENCH_KEEP:-}" ]; then rm -rf "$work"; else echo "bench: kept $work" >&2; fi
}
trap cleanup EXIT

if [ -n "$commit" ]; then
  rev="$(git -C "$bench_root" rev-parse --short "$commit^{commit}")"
  mkdir -p "$work/src"
  git -C "$bench_root" archive "$rev" | tar -x -C "$work/src"
  echo "bench: building commit $rev in $work/src (mvn -DskipTests package -pl nubo-server -am, under the lock)" >&2
  (cd "$work/src" && flock /tmp/nubo-mvn.lock mvn -q -B -ntp -DskipTests package -pl nubo-server -am >&2)
  bench_snapshot "$work/checkout" "$work/src"
  cp -r "$work/src/images" "$work/checkout/images"
  rm -rf "$work/src"
  what="commit $rev"
else
  bench_build_server || { echo "bench: the working tree does not build; use --commit HEAD" >&2; exit 1; }
  bench_snapshot "$work/checkout"
  cp -r "$bench_root/images" "$work/checkout/images"
  what="working tree at $(git -C "$bench_root" rev-parse --short HEAD)"
fi
echo "bench: measuring $what on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1e6}' /proc/meminfo), $(uname -r)" >&2
nubo="$work/checkout/nubo"

NUBO_HOME="$work/checkout" "$nubo" up --data-dir "$work/data" --port "$port" >"$work/server.log" 2>&1 9>&- &
pid=$!
for _ in $(seq 1 3000); do bench_healthy "$port" && break; sleep 0.1; done
bench_healthy "$port" || { echo "bench: the server did not start; see $work/server.log" >&2; exit 1; }
key=$(awk -F' = ' '/aws_access_key_id/ {print $2}' "$work/data/credentials")
secret=$(awk -F' = ' '/aws_secret_access_key/ {print $2}' "$work/data/credentials")
api="http://127.0.0.1:$port/api/v1"
auth="Authorization: Bearer $key:$secret"
json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
call() { curl -sf -X "$1" -H "$auth" -H 'Content-Type: application/json' ${3:+-d "$3"} "$api$2"; }

call POST /key-pairs '{"keyName":"bench","keyType":"ed25519"}' | grep -o '"keyMaterial":"[^"]*"' | cut -d'"' -f4 \
  | sed 's/\\n/\n/g' > "$work/bench.pem"
chmod 600 "$work/bench.pem"
call PUT /instance-types/bench.small '{"vcpus":1,"memoryMib":256,"priceMicrosPerHour":1}' >/dev/null
image=$(call GET /images | json_field imageId)
instance=$(call POST /instances "{\"imageId\":\"$image\",\"instanceType\":\"bench.small\",\"keyName\":\"bench\"}" | json_field instanceId)
echo "bench: waiting for $instance to boot" >&2
for _ in $(seq 1 1800); do
  call GET "/instances/$instance/console" | grep -q "NUBO-GUEST-READY $instance" && break
  sleep 0.2
done
ssh_port=$(call GET "/instances/$instance" | grep -o '"port":[0-9]*' | cut -d: -f2)
ssh_opts=(-i "$work/bench.pem" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
  -o LogLevel=ERROR -o IdentitiesOnly=yes root@127.0.0.1)
guest() { ssh "${ssh_opts[@]}" "$@" 9>&-; }
volume=$(call POST /volumes '{"sizeGib":1,"availabilityZone":"nubo-1a"}' | json_field volumeId)
for _ in $(seq 1 300); do [ "$(call GET "/volumes/$volume" | json_field state)" = available ] && break; sleep 0.1; done
call POST "/volumes/$volume/attach" "{\"instanceId\":\"$instance\",\"device\":\"/dev/sdf\"}" >/dev/null
serial=${volume/-/}
disk=""
for _ in $(seq 1 300); do
  disk=$(guest "for d in /sys/block/vd*; do [ \"\$(cat \$d/serial 2>/dev/null)\" = $serial ] && echo \${d##*/}; done; true" || true)
  [ -n "$disk" ] && break
  sleep 0.2
done
[ -n "$disk" ] || { echo "bench: the guest never saw the volume" >&2; exit 1; }
echo "bench: the volume is /dev/$disk in the guest; writing 100 MiB of random data" >&2
guest "dd if=/dev/urandom of=/dev/$disk bs=1M count=100 oflag=direct status=none && sync"

# One synced 4 KiB write per dd at a random block of the first 100 MiB, timed in microseconds.
writer="t() { head -c 100 /proc/timer_list | sed -n 's/^now at \\([0-9]*\\) nsecs/\\1/p'; }; i=0; while [ \$i -lt $writes ]; do \
i=\$((i+1)); a=\$(t); dd if=/dev/urandom of=/dev/$disk bs=4k count=1 seek=\$((RANDOM % 25600)) oflag=direct conv=fsync 2>/dev/null; \
b=\$(t); echo \$(( (b - a) / 1000 )); done"

bench_lock_and_wait_quiet
echo "bench: baseline: $writes writes without a snapshot" >&2
guest "$writer" > "$work/baseline.txt"

echo "bench: the same writes while the volume is snapshotted" >&2
guest "$writer" > "$work/during-all.txt" &
writer_pid=$!
sleep 0.5
t0=$EPOCHREALTIME
snap=$(call POST /snapshots "{\"volumeId\":\"$volume\"}" | json_field snapshotId)
lines_at_start=$(wc -l < "$work/during-all.txt")
until [ "$(call GET "/snapshots/$snap" | json_field state)" = completed ]; do sleep 0.05; done
t1=$EPOCHREALTIME
lines_at_end=$(wc -l < "$work/during-all.txt")
wait "$writer_pid" || true
sed -n "$((lines_at_start + 1)),${lines_at_end}p" "$work/during-all.txt" > "$work/during.txt"
snapshot_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
snap_bytes=$(du -B1 "$work/data/pools/shared/snapshots/$snap.raw" | cut -f1)  # allocated, not apparent

stats() { # count p50 p90 p99 max of the durations in $1 (microseconds), in ms
  sort -g "$1" | awk '{ v[NR] = $1 / 1000 } END {
    if (NR == 0) { print "0 - - - -"; exit }
    split("50 90 99 100", ps, " "); out = NR
    for (i = 1; i <= 4; i++) { r = int((ps[i] * NR + 99) / 100); if (r < 1) r = 1; out = out " " sprintf("%.2f", v[r]) }
    print out }'
}
read -r bn b50 b90 b99 bmax <<<"$(stats "$work/baseline.txt")"
read -r dn d50 d90 d99 dmax <<<"$(stats "$work/during.txt")"
echo "RESULT snapshot.what $what"
echo "RESULT snapshot.time_s $snapshot_s (1 GiB volume, 100 MiB written, VM running; the file takes $((snap_bytes / 1048576)) MiB on disk)"
echo "RESULT snapshot.write_latency_ms.without n=$bn p50 $b50 p90 $b90 p99 $b99 max $bmax"
echo "RESULT snapshot.write_latency_ms.during n=$dn p50 $d50 p90 $d90 p99 $d99 max $dmax"
grep -E 'probe|accelerator' "$work/server.log" | head -2 | sed 's/^/bench: server: /' >&2 || true
