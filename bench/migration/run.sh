#!/usr/bin/env bash
# Live migration: Nubo against a bare QEMU migration driven by hand over QMP, in one run on this
# machine (issue 6, "Performance"). See docs/benchmarks.md, section "Live migration".
#
#   bench/migration/run.sh --jar nubo-server/target/nubo.jar [--runs N (3)] [--keep]
#
# Starts `nubo up` (host 1, the in-process agent) and `nubo agent` (host-b, its own data dir) from
# the jar on free loopback ports, runs bench/migration/migrate.py (idle and busy 256 MiB guests, on local and shared disks,
# each migrated through Nubo and then booted and migrated by hand), stops both by pid and prints the
# figures. Holds the shared Maven lock while it measures (set NUBO_BENCH_LOCKED=1 if the caller does).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar="$root/nubo-server/target/nubo.jar" runs=3 keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${NUBO_BENCH_LOCKED:-}" ]; then
  exec flock /tmp/nubo-mvn.lock env NUBO_BENCH_LOCKED=1 "$0" --jar "$jar" --runs "$runs" ${keep:+--keep}
fi
work="$(mktemp -d /tmp/nubo-bench-migration.XXXXXX)"
cp "$jar" "$work/nubo.jar"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
server_pid="" agent_pid=""
cleanup() {
  # VMs outlive the server and the agent: stop every QEMU of this run's data dirs, by pid.
  for pid in $(python3 - "$work" <<'PY'
import os, sys
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            args = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        except OSError:
            continue
        if args and b"qemu-system" in args[0] and any(sys.argv[1].encode() in a for a in args):
            print(p)
PY
  ); do kill "$pid" 2>/dev/null || true; done
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$keep" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
"$JAVA_HOME/bin/java" -Dnubo.home="$root" -jar "$work/nubo.jar" up --data-dir "$work/server" --port "$port" > "$work/server.out" 2>&1 &
server_pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 600); do curl -sf "$url/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
auth=$(python3 - "$work/server/credentials" <<'PY'
import sys
c = dict(l.split(" = ") for l in open(sys.argv[1]).read().split("\n") if " = " in l)
print("Bearer %s:%s" % (c["aws_access_key_id"], c["aws_secret_access_key"]))
PY
)
token=$(curl -sf -X POST -H "Authorization: $auth" -H 'Content-Type: application/json' -d '{"ttlSeconds":600}' "$url/api/v1/host-join-tokens" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$JAVA_HOME/bin/java" -Dnubo.home="$root" -jar "$work/nubo.jar" agent --server "$url" --join-token "$token" --name host-b \
  --data-dir "$work/host-b" > "$work/agent.out" 2>&1 &
agent_pid=$!
for _ in $(seq 1 600); do
  n=$(curl -sf -H "Authorization: $auth" "$url/api/v1/hosts" | python3 -c 'import json,sys; print(sum(1 for h in json.load(sys.stdin) if h["state"]=="up"))' || echo 0)
  [ "$n" = 2 ] && break; sleep 0.5
done
echo "commit $(git -C "$root" rev-parse --short HEAD), $(date -u +%FT%TZ), nproc $(nproc), $(qemu-system-x86_64 --version | head -1)"
python3 "$here/migrate.py" "$url" "$work/server" "$work/host-b" "$runs"
