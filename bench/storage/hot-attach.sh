#!/usr/bin/env bash
# Hot-attach benchmark (issue 5): the time from AttachVolume to the disk appearing in the guest,
# p50 over --runs attaches (default 20). Target: p50 <= 1 s.
#
#   bench/storage/hot-attach.sh [--commit REV] [--port N] [--runs N]
#
#   --commit REV  measure a committed revision (git archive REV, built in a temporary directory
#                 under the Maven lock) instead of the working tree.
#
# One all-in-one server with the QEMU driver (TCG here) on a temporary data dir, one running VM of
# the default image (1 vCPU, 256 MiB) and one 1 GiB volume. Inside the guest, over one SSH session
# opened before the first attach, `cat /dev/kmsg` follows the kernel log: virtio_blk logs a line
# with the new disk's name as it probes it, so the guest says when it has the disk without being
# polled. Each round:
#
#   t0   POST /api/v1/volumes/{id}/attach returns nothing before the request is sent: t0 is taken
#        just before it;
#   t1   the guest's "virtio_blk ...: [vdc] ..." line reaches this script (through SSH, on
#        loopback: a millisecond or two);
#   then the volume is detached, and the round waits (via the API) until it is available again,
#   and until the guest has let go of vdc, before the next attach.
#
# Also reported: the time until the API shows the attachment as `attached` (the agent's report).
# Percentiles are over the rounds (nearest rank). The server is stopped by its pid, after the VM is
# terminated. It holds the shared Maven lock while it measures, after waiting for the machine to be
# idle (lib.sh). NUBO_BENCH_KEEP=1 keeps the temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
port=30785
runs=20
commit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--commit REV] [--port N] [--runs N]" >&2; exit 2 ;;
  esac
done
if bench_port_busy "$port"; then echo "bench: port $port is in use; pick another with --port" >&2; exit 1; fi

work="$(mktemp -d /tmp/nubo-bench-attach.XXXXXX)"
api=""
auth=""
pid=""
instance=""
watch_pid=""
cleanup() {
  [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null || true
  if [ -n "$instance" ] && [ -n "$pid" ]; then
    # VMs outlive their server: terminate ours, and wait until its directory is gone.
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
  [ -z "$(git -C "$bench_root" status --porcelain --untracked-files=no -- . ':!bench' ':!docs')" ] || what="$what, with uncommitted changes"
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
volume=$(call POST /volumes '{"sizeGib":1,"availabilityZone":"nubo-1a"}' | json_field volumeId)
for _ in $(seq 1 300); do [ "$(call GET "/volumes/$volume" | json_field state)" = available ] && break; sleep 0.1; done

# The guest's kernel log, followed (cat writes each record as it comes; a filter in the guest would
# buffer its output): virtio_blk logs one line per disk it probes.
coproc WATCH { ssh "${ssh_opts[@]}" "cat /dev/kmsg" 9>&-; }
watch_pid=$WATCH_PID
next_disk() { # reads the log until virtio_blk's next "[vdX]" line, within $1 seconds
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    IFS= read -r -t "$1" line <&"${WATCH[0]}" || return 1
    [[ "$line" == *virtio_blk*"[vd"* ]] && return 0
  done
  return 1
}
# The log starts with what is already in it: the boot disks vda and vdb.
until next_disk 60 && [[ "$line" == *"[vdb]"* ]]; do :; done

attached_state() { call GET "/volumes/$volume" | grep -o '"attachments":\[[^]]*' | json_field state; }

bench_lock_and_wait_quiet
declare -a guest api_attached
for i in $(seq 1 "$runs"); do
  t0=$EPOCHREALTIME
  call POST "/volumes/$volume/attach" "{\"instanceId\":\"$instance\",\"device\":\"/dev/sdf\"}" >/dev/null
  next_disk 30 || { echo "bench: round $i: the guest saw no new disk within 30 s" >&2; exit 1; }
  t1=$EPOCHREALTIME
  until [ "$(attached_state)" = attached ]; do sleep 0.01; done
  t2=$EPOCHREALTIME
  guest+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  api_attached+=("$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.3f", b - a }')")
  echo "bench: round $i: guest has the disk after ${guest[-1]} s, the API says attached after ${api_attached[-1]} s (${line##*: })" >&2
  call POST "/volumes/$volume/detach" '{}' >/dev/null
  until [ "$(call GET "/volumes/$volume" | json_field state)" = available ]; do sleep 0.05; done
  until ssh "${ssh_opts[@]}" '! ls /sys/block | grep -q vdc' 9>&-; do sleep 0.1; done
done

percentile() { # nearest rank: percentile P of the rest
  local p=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v p="$p" '{ v[NR] = $1 } END { r = int((p * NR + 99) / 100); if (r < 1) r = 1; print v[r] }'
}
echo "RESULT hot_attach.what $what"
echo "RESULT hot_attach.runs $runs"
echo "RESULT hot_attach.guest_p50_s $(percentile 50 "${guest[@]}") p90 $(percentile 90 "${guest[@]}") max $(percentile 100 "${guest[@]}")"
echo "RESULT hot_attach.api_attached_p50_s $(percentile 50 "${api_attached[@]}") p90 $(percentile 90 "${api_attached[@]}")"
echo "RESULT hot_attach.target guest_p50 <= 1.0 s"
grep -E 'probe|accelerator' "$work/server.log" | head -2 | sed 's/^/bench: server: /' >&2 || true
