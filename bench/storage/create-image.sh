#!/usr/bin/env bash
# CreateImage benchmark (issue 5): how long an image of a running instance's root disk takes, live
# (NoReboot: a blockdev-backup block job) and with EC2's default reboot (clean shutdown, qemu-img
# convert, start again), against a bare `qemu-img convert` of the same disk in the same run.
#
#   bench/storage/create-image.sh [--commit REV] [--port N]
#
#   --commit REV  measure a committed revision (git archive REV, built in a temporary directory
#                 under the Maven lock) instead of the working tree.
#
# One all-in-one server with the QEMU driver (TCG here) on a temporary data dir, one running VM of
# the default image (1 vCPU, 256 MiB, a 2 GiB disk), in which the guest writes 100 MiB of random
# data to a file and syncs. Then, holding the Maven lock on an idle machine:
#
#   bare     qemu-img convert -U -O qcow2 of the instance's root disk (its overlay through the base)
#            while the VM runs: what the copy costs with no API, agent, block job or import;
#   live     POST /instances/{id}/create-image with noReboot, until GET /images/{ami} shows it
#            available (polled every 50 ms): the API, the agent's block job, the move into the
#            import queue, the import's inspection and move into place;
#   reboot   the same without noReboot: until the image is available, and until the instance is
#            running again with its guest booted (its boot marker on the console a second time).
#
# The VM is terminated and the server stopped by its pid at the end. NUBO_BENCH_KEEP=1 keeps the
# temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
port=30787
commit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "usage: $0 [--commit REV] [--port N]" >&2; exit 2 ;;
  esac
done
if bench_port_busy "$port"; then echo "bench: port $port is in use; pick another with --port" >&2; exit 1; fi

work="$(mktemp -d /tmp/nubo-bench-create-image.XXXXXX)"
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
boots() { call GET "/instances/$instance/console" | grep -o "NUBO-GUEST-READY $instance" | wc -l; }

call POST /key-pairs '{"keyName":"bench","keyType":"ed25519"}' | grep -o '"keyMaterial":"[^"]*"' | cut -d'"' -f4 \
  | sed 's/\\n/\n/g' > "$work/bench.pem"
chmod 600 "$work/bench.pem"
call PUT /instance-types/bench.small '{"vcpus":1,"memoryMib":256,"priceMicrosPerHour":1}' >/dev/null
image=$(call GET /images | json_field imageId)
instance=$(call POST /instances "{\"imageId\":\"$image\",\"instanceType\":\"bench.small\",\"keyName\":\"bench\"}" | json_field instanceId)
echo "bench: waiting for $instance to boot" >&2
for _ in $(seq 1 1800); do [ "$(boots)" -ge 1 ] && break; sleep 0.2; done
ssh_port=$(call GET "/instances/$instance" | grep -o '"port":[0-9]*' | cut -d: -f2)
ssh_opts=(-i "$work/bench.pem" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
  -o LogLevel=ERROR -o IdentitiesOnly=yes root@127.0.0.1)
guest() { ssh "${ssh_opts[@]}" "$@" 9>&-; }
echo "bench: writing 100 MiB of random data to /root/blob in the guest" >&2
for _ in $(seq 1 60); do guest true 2>/dev/null && break; sleep 1; done
guest "dd if=/dev/urandom of=/root/blob bs=1M count=100 2>/dev/null && sync"

# Waits until image $1 is available; fails if it failed.
await_image() {
  local state
  while :; do
    state=$(call GET "/images/$1" | json_field state)
    [ "$state" = available ] && return 0
    [ "$state" = pending ] || { echo "bench: $1 ended $state" >&2; exit 1; }
    sleep 0.05
  done
}
pool="$work/data/pools/shared/images"

bench_lock_and_wait_quiet
echo "bench: bare qemu-img convert of the root disk" >&2
t0=$EPOCHREALTIME
qemu-img convert -U -f qcow2 -O qcow2 "$work/data/instances/$instance/disk.qcow2" "$work/bare.qcow2" 9>&-
t1=$EPOCHREALTIME
bare_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
bare_mib=$(( $(du -B1 "$work/bare.qcow2" | cut -f1) / 1048576 ))

echo "bench: CreateImage with noReboot" >&2
t0=$EPOCHREALTIME
live=$(call POST "/instances/$instance/create-image" '{"name":"bench-live","noReboot":true}' | json_field imageId)
await_image "$live"
t1=$EPOCHREALTIME
live_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
live_mib=$(( $(du -B1 "$pool/$live.qcow2" | cut -f1) / 1048576 ))

echo "bench: CreateImage with a reboot" >&2
t0=$EPOCHREALTIME
rebooted=$(call POST "/instances/$instance/create-image" '{"name":"bench-reboot"}' | json_field imageId)
await_image "$rebooted"
t1=$EPOCHREALTIME
until [ "$(call GET "/instances/$instance" | grep -o '"name":"running"')" != "" ] && [ "$(boots)" -ge 2 ]; do sleep 0.05; done
t2=$EPOCHREALTIME
reboot_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
back_s=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.2f", b - a }')
reboot_mib=$(( $(du -B1 "$pool/$rebooted.qcow2" | cut -f1) / 1048576 ))

echo "RESULT create_image.what $what"
echo "RESULT create_image.bare_convert_s $bare_s (qemu-img convert of the running VM's root disk, ${bare_mib} MiB on disk)"
echo "RESULT create_image.live_s $live_s (NoReboot, request to available; ${live_mib} MiB on disk; $(awk -v a="$live_s" -v b="$bare_s" 'BEGIN { printf "%.2f", a / b }') x bare)"
echo "RESULT create_image.reboot_s $reboot_s (request to available; ${reboot_mib} MiB on disk); instance running and booted again after $back_s s"
grep -E 'probe|accelerator' "$work/server.log" | head -2 | sed 's/^/bench: server: /' >&2 || true
