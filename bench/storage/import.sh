#!/usr/bin/env bash
# Image import benchmark (issue 5): import a raw image as qcow2 through Nubo, and compare with a
# bare `qemu-img convert -f raw -O qcow2` of the same file in the same run. Target: the import
# takes at most 1.1 times the bare conversion.
#
#   bench/storage/import.sh [--commit REV] [--port N] [--runs N] [--size-gib N] [--kinds "path url upload"]
#
#   --commit REV  measure a committed revision (git archive REV, built in a temporary directory
#                 under the Maven lock) instead of the working tree, where others' half-done
#                 edits may not even build; also how to record figures for a known commit.
#
# The source is a raw disk of --size-gib GiB (default 2): its first half random data, its second
# half zeros written out (not a hole), as a disk exported from a hypervisor is. The page cache is
# warm for every run (the file was just written; 23 GB of RAM). Each round runs, in turn:
#
#   bare    qemu-img convert -f raw -O qcow2 disk.raw out.qcow2. Its default cache mode for the
#           output is unsafe: it does not flush, and returns while its output is still in the
#           page cache (strace shows fdatasync only while it creates the file);
#   synced  the same, then `sync out.qcow2` (an fsync of the output): what an import that records
#           the image as available must pay, so that a host crash cannot leave it half on disk;
#   path    POST /api/v1/images/import {"path": disk.raw, "format": "qcow2"} as the operator, then
#           GET /images/{id} every 20 ms until it is available: the whole import, request to
#           available (inspection, conversion, check of the result, fsync, the database);
#   url     the same from http://127.0.0.1 (python3 -m http.server, ~0.9 GB/s here): download onto the pool, then
#           convert;
#   upload  `nubo images import disk.raw --format qcow2 --wait` (the CLI, a new JVM): SHA-256 of the
#           file on the client, the upload streamed through the REST API and hashed again on the
#           server, then conversion.
#
# Each image is deregistered after its run, and the next measurement waits until its file is swept
# and starts with no dirty page on the file system (sync -f), so that no step is billed for the
# one before.
# Medians over --runs rounds (default 3) are printed as `RESULT import.*` lines; the ratio is
# against the bare conversion's median. The server runs with the fake driver on a temporary data
# dir, from a snapshot of the launcher and jar (lib.sh), and is stopped by its pid. It holds the
# shared Maven lock while it measures, after waiting for the machine to be idle (lib.sh).
# NUBO_BENCH_KEEP=1 keeps the temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
port=30775
runs=3
size_gib=2
commit=""
kinds="path url upload"
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="$2"; shift 2 ;;
    --kinds) kinds="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --size-gib) size_gib="$2"; shift 2 ;;
    *) echo "usage: $0 [--commit REV] [--port N] [--runs N] [--size-gib N] [--kinds \"path url upload\"]" >&2; exit 2 ;;
  esac
done
http_port=$((port + 1))
for p in "$port" "$http_port"; do
  if bench_port_busy "$p"; then echo "bench: port $p is in use; pick another with --port" >&2; exit 1; fi
done

work="$(mktemp -d /tmp/nubo-bench-import.XXXXXX)"
pid=""
http_pid=""
cleanup() {
  [ -n "$http_pid" ] && kill "$http_pid" 2>/dev/null || true
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
  rm -rf "$work/src"
  what="commit $rev"
else
  bench_build_server || { echo "bench: the working tree does not build; use --commit HEAD" >&2; exit 1; }
  bench_snapshot "$work/checkout"
  what="working tree at $(git -C "$bench_root" rev-parse --short HEAD)"
  [ -z "$(git -C "$bench_root" status --porcelain --untracked-files=no -- . ':!bench' ':!docs')" ] || what="$what, with uncommitted changes"
fi
echo "bench: measuring $what on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1e6}' /proc/meminfo), $(uname -r)" >&2
nubo="$work/checkout/nubo"

echo "bench: writing a ${size_gib} GiB raw disk (half random, half zeros)" >&2
half=$((size_gib * 512))
dd if=/dev/urandom of="$work/disk.raw" bs=1M count="$half" status=none
dd if=/dev/zero of="$work/disk.raw" bs=1M count="$half" seek="$half" conv=notrunc status=none
qemu-img info "$work/disk.raw" | sed 's/^/bench:   /' >&2

"$nubo" up --driver fake --data-dir "$work/data" --port "$port" >"$work/server.log" 2>&1 9>&- &
pid=$!
for _ in $(seq 1 600); do bench_healthy "$port" && break; sleep 0.1; done
bench_healthy "$port" || { echo "bench: the server did not start; see $work/server.log" >&2; exit 1; }
key=$(awk -F' = ' '/aws_access_key_id/ {print $2}' "$work/data/credentials")
secret=$(awk -F' = ' '/aws_secret_access_key/ {print $2}' "$work/data/credentials")
api="http://127.0.0.1:$port/api/v1"
auth="Authorization: Bearer $key:$secret"
/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$work" "$http_port" >"$work/http.log" 2>&1 9>&- &
http_pid=$!
for _ in $(seq 1 100); do bench_port_busy "$http_port" && break; sleep 0.1; done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# A string field of a JSON object, without starting an interpreter per poll (pyenv's python3 takes 0.3 s to start).
json_field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }

# Waits until image $1 is no longer pending; fails unless it is available.
await_available() {
  local state
  while :; do
    state=$(curl -sf -H "$auth" "$api/images/$1" | json_field state)
    [ "$state" != pending ] && break
    sleep 0.02
  done
  [ "$state" = available ] || { echo "bench: $1 ended $state: $(curl -sf -H "$auth" "$api/images/$1")" >&2; exit 1; }
}

# Deregisters image $1 and waits until the sweeper has deleted its file, so that the deletion
# does not overlap the next measurement.
deregister() {
  curl -sf -X DELETE -H "$auth" "$api/images/$1" >/dev/null
  for _ in $(seq 1 600); do
    compgen -G "$work/data/pools/shared/images/$1.*" >/dev/null || return 0
    sleep 0.05
  done
  echo "bench: the file of $1 was not deleted" >&2
  exit 1
}

# Every measurement starts with no dirty page on the file system: the one before cannot bill it.
settle() { sync -f "$work"; }

import_json() { # POST /images/import with body $1; prints the image ID
  curl -sf -X POST -H "$auth" -H 'Content-Type: application/json' -d "$1" "$api/images/import" | json_field imageId
}

bench_lock_and_wait_quiet
declare -a bare synced path url upload
for i in $(seq 1 "$runs"); do
  rm -f "$work/out.qcow2"
  settle
  t0=$(now); qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/out.qcow2"; t1=$(now)
  bare+=("$(elapsed "$t0" "$t1")")
  rm -f "$work/out.qcow2"
  settle
  t0=$(now); qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/out.qcow2"; sync "$work/out.qcow2"; t1=$(now)
  synced+=("$(elapsed "$t0" "$t1")")
  rm -f "$work/out.qcow2"

  for kind in $kinds; do
    settle
    t0=$(now)
    case "$kind" in
      path) id=$(import_json "{\"name\":\"bench-path-$i\",\"path\":\"$work/disk.raw\",\"format\":\"qcow2\"}")
            await_available "$id" ;;
      url) id=$(import_json "{\"name\":\"bench-url-$i\",\"url\":\"http://127.0.0.1:$http_port/disk.raw\",\"format\":\"qcow2\"}")
           await_available "$id" ;;
      upload) id=$("$nubo" images import "$work/disk.raw" --name "bench-upload-$i" --format qcow2 --wait \
                  --endpoint "http://127.0.0.1:$port" --data-dir "$work/data" 2>"$work/upload-$i.log" 9>&-) ;;
      *) echo "bench: unknown kind $kind" >&2; exit 2 ;;
    esac
    t1=$(now)
    declare -n times="$kind"
    times+=("$(elapsed "$t0" "$t1")")
    deregister "$id"
  done
  line="bench: round $i: bare ${bare[-1]} s, synced ${synced[-1]} s"
  for kind in $kinds; do declare -n times="$kind"; line="$line, $kind ${times[-1]} s"; done
  echo "$line" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
m_bare=$(median "${bare[@]}")
m_synced=$(median "${synced[@]}")
echo "RESULT import.what $what"
echo "RESULT import.bare_convert_s ${m_bare}"
echo "RESULT import.bare_convert_fsync_s ${m_synced}"
for kind in $kinds; do
  declare -n runs_of="$kind"
  m=$(median "${runs_of[@]}")
  echo "RESULT import.${kind}_s ${m} ratio_to_bare $(awk -v a="$m" -v b="$m_bare" 'BEGIN { printf "%.2f", a / b }')" \
    "ratio_to_bare_fsync $(awk -v a="$m" -v b="$m_synced" 'BEGIN { printf "%.2f", a / b }')"
done
echo "RESULT import.target path_ratio <= 1.10"
grep -o 'imported ami-[0-9a-f]* as qcow2 ([^)]*)' "$work/server.log" | sed 's/^/bench: server: /' >&2 || true
