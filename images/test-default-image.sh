#!/usr/bin/env bash
# Boot test of Nubo's default guest image under QEMU TCG.
#
#   images/test-default-image.sh <image.qcow2>
#
# The image itself is not modified: the VM runs on a qcow2 overlay.
#   boot 1: config drive = vfat on a virtio disk; waits for NUBO-GUEST-READY,
#           checks the user-data ran (ssh cat /root/hello), that another key is
#           refused, writes a file, then QMP system_powerdown -> graceful poweroff
#   boot 2: config drive = iso9660 on an IDE CD-ROM, same instance-id; checks the
#           file persisted, that user-data did not run again, graceful poweroff.
#
# Environment: NUBO_TEST_TIMEOUT (seconds per wait, default 90),
#              NUBO_TEST_KEEP=1 keeps the work directory.
# Only the QEMU processes started here are ever killed, by their pid files.

set -euo pipefail
export LC_ALL=C

PROG=test-default-image
if [ $# -ne 1 ]; then
    echo "usage: $0 <image.qcow2>" >&2
    exit 2
fi
IMAGE=$(readlink -f "$1")
TIMEOUT=${NUBO_TEST_TIMEOUT:-90}
IID=i-0123456789abcdef0

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
FAILED=0
fail() { printf '%s: FAIL: %s\n' "$PROG" "$*" >&2; FAILED=1; }
ok() { printf '%s: ok: %s\n' "$PROG" "$*" >&2; }
abort() {
    printf '%s: FAIL: %s\n' "$PROG" "$*" >&2
    [ -n "${W:-}" ] && [ -f "$W/serial.log" ] && { echo "--- serial console (last 40 lines) ---" >&2; tail -n 40 "$W/serial.log" >&2; }
    echo "RESULT: FAIL" >&2
    exit 1
}
[ -f "$IMAGE" ] || abort "no such image: $1"

# --- tools --------------------------------------------------------------------
need=()
for t in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils ssh:openssh-client ssh-keygen:openssh-client \
         mkfs.vfat:dosfstools mcopy:mtools genisoimage:genisoimage; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
command -v python3 >/dev/null 2>&1 || command -v socat >/dev/null 2>&1 || need+=(socat)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        log "installing: ${need[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 ||
            abort "could not install ${need[*]} with apt-get"
    else
        abort "missing tools; install (as root): apt-get install ${need[*]}"
    fi
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/nubo-image-test.XXXXXX")
cleanup() {
    local pid
    if [ -f "$W/qemu.pid" ]; then
        pid=$(cat "$W/qemu.pid" 2>/dev/null || true)
        # only the QEMU we started: its pid file, and it must still be a qemu
        if [ -n "$pid" ] && grep -q qemu "/proc/$pid/cmdline" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    fi
    if [ "${NUBO_TEST_KEEP:-0}" = 1 ]; then log "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        local p
        for _ in $(seq 1 50); do
            p=$((20000 + RANDOM % 20000))
            (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
        done
        return 1
    fi
}

# --- config drive ---------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C nubo-test -f "$W/key"
ssh-keygen -q -t ed25519 -N '' -C other -f "$W/otherkey"
mkdir "$W/cidata"
cat > "$W/cidata/meta-data" <<EOF
instance-id: $IID
local-hostname: nubo-test.example.internal
public-keys:
  - $(cat "$W/key.pub")
EOF
printf '#!/bin/sh\necho hello > /root/hello\n' > "$W/cidata/user-data"

# vfat, label in the boot sector (mkfs.vfat -n)
truncate -s 2M "$W/cidata.vfat"
mkfs.vfat -n cidata "$W/cidata.vfat" >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -i "$W/cidata.vfat" "$W/cidata/meta-data" "$W/cidata/user-data" ::/
# iso9660 with Rock Ridge and Joliet, volume id cidata
genisoimage -quiet -output "$W/cidata.iso" -volid cidata -joliet -rock "$W/cidata/meta-data" "$W/cidata/user-data"

qemu-img create -q -f qcow2 -F qcow2 -b "$IMAGE" "$W/overlay.qcow2"
PORT=$(free_port) || abort "no free TCP port"
SSH=(ssh -F /dev/null -i "$W/key" -p "$PORT" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20
     -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$W/known_hosts" -o LogLevel=ERROR root@127.0.0.1)

# --- QEMU -------------------------------------------------------------------------
start_vm() {   # $1: config drive option
    rm -f "$W/qemu.pid" "$W/qmp.sock"
    BOOT_START=$(now_ms)
    qemu-system-x86_64 -accel tcg -cpu max -m 128 -display none -monitor none \
        -drive "file=$W/overlay.qcow2,if=virtio,format=qcow2" \
        $1 \
        -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:22" -device virtio-net-pci,netdev=n0 \
        -chardev "file,id=ser0,path=$W/serial.log,append=on" -serial chardev:ser0 \
        -qmp "unix:$W/qmp.sock,server=on,wait=off" \
        -daemonize -pidfile "$W/qemu.pid" || abort "QEMU did not start"
    QEMU_PID=$(cat "$W/qemu.pid")
    log "QEMU started, pid $QEMU_PID, ssh port $PORT"
}

# wait_for TEXT: polls the serial log (from offset $LOG_MARK) until TEXT shows up
wait_for() {
    local deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
    while :; do
        tail -c +"$((LOG_MARK + 1))" "$W/serial.log" 2>/dev/null | tr -d '\r' > "$W/serial.part" || true
        grep -qF "$1" "$W/serial.part" && return 0
        kill -0 "$QEMU_PID" 2>/dev/null || return 1
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

qmp() {   # qmp COMMAND: runs one QMP command after the capabilities handshake
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$W/qmp.sock" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
def cmd(c):
    f.write(json.dumps({"execute": c}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r
json.loads(f.readline())                      # greeting
cmd("qmp_capabilities")
r = cmd(sys.argv[2])
sys.exit(0 if "return" in r else 1)
EOF
    else
        printf '{"execute":"qmp_capabilities"}\n{"execute":"%s"}\n' "$1" |
            socat -t 2 - "UNIX-CONNECT:$W/qmp.sock" >/dev/null
    fi
}

# powerdown: ACPI power button via QMP, then wait for QEMU to exit by itself
powerdown() {
    local deadline t0
    t0=$(now_ms)
    qmp system_powerdown || { fail "QMP system_powerdown failed"; return 1; }
    deadline=$(( t0 + TIMEOUT * 1000 ))
    while kill -0 "$QEMU_PID" 2>/dev/null; do
        if [ "$(now_ms)" -ge "$deadline" ]; then
            fail "QEMU still running ${TIMEOUT}s after system_powerdown (killing pid $QEMU_PID)"
            kill "$QEMU_PID" 2>/dev/null || true
            return 1
        fi
        sleep 0.1
    done
    ok "QEMU exited $(( $(now_ms) - t0 )) ms after system_powerdown"
    local tailtext
    tailtext=$(tail -c +"$((LOG_MARK + 1))" "$W/serial.log" | tr -d '\r')
    if grep -q "^NUBO-GUEST-SHUTDOWN $IID" <<<"$tailtext" && grep -q '^NUBO-GUEST-SHUTDOWN-COMPLETE' <<<"$tailtext" &&
       grep -q 'root filesystem is read-only' <<<"$tailtext"; then
        ok "graceful shutdown on the console (NUBO-GUEST-SHUTDOWN ... COMPLETE, root fs read-only)"
    else
        fail "no graceful shutdown on the console"
    fi
}

boot_and_wait() {  # $1: config drive option, $2: description
    LOG_MARK=$(stat -c %s "$W/serial.log" 2>/dev/null || echo 0)
    start_vm "$1"
    if wait_for "NUBO-GUEST-READY $IID"; then
        READY_MS=$(( $(now_ms) - BOOT_START ))
        ok "$2: NUBO-GUEST-READY $IID after $READY_MS ms (QEMU start to marker)"
    else
        abort "$2: no NUBO-GUEST-READY $IID within ${TIMEOUT}s"
    fi
    # host keys published on the console -> known_hosts (strict host key checking)
    tail -c +"$((LOG_MARK + 1))" "$W/serial.log" | tr -d '\r' |
        sed -n '/^-----BEGIN SSH HOST KEY KEYS-----/,/^-----END SSH HOST KEY KEYS-----/p' |
        { grep -E '^(ssh-|ecdsa-)' || true; } | sed "s/^/[127.0.0.1]:$PORT /" > "$W/known_hosts.new"
    [ -s "$W/known_hosts.new" ] || fail "no SSH host keys on the console"
    if [ -f "$W/known_hosts" ] && ! cmp -s "$W/known_hosts" "$W/known_hosts.new"; then
        fail "SSH host keys changed across reboots of the same instance"
    fi
    mv "$W/known_hosts.new" "$W/known_hosts"
}

# --- boot 1 ------------------------------------------------------------------------
boot_and_wait "-drive file=$W/cidata.vfat,if=virtio,format=raw,readonly=on" "boot 1 (vfat config drive on virtio)"
READY1=$READY_MS
out=$("${SSH[@]}" cat /root/hello 2>&1) || true
[ "$out" = hello ] && ok "ssh with the key: 'cat /root/hello' printed hello (user-data ran)" ||
    fail "ssh cat /root/hello printed: $out"
out=$("${SSH[@]}" hostname 2>&1) || true
[ "$out" = nubo-test ] && ok "hostname is nubo-test" || fail "hostname is '$out', expected nubo-test"
if ssh -F /dev/null -i "$W/otherkey" -p "$PORT" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20 \
       -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$W/known_hosts" -o LogLevel=ERROR \
       -o PasswordAuthentication=no root@127.0.0.1 true 2>/dev/null; then
    fail "ssh with another key was accepted"
else
    ok "ssh with another key was refused"
fi
TOKEN="persist-$$-$RANDOM"
"${SSH[@]}" "echo $TOKEN > /root/persist" || fail "could not write /root/persist"
powerdown

# --- boot 2 ------------------------------------------------------------------------
boot_and_wait "-drive file=$W/cidata.iso,if=ide,media=cdrom,readonly=on" "boot 2 (iso9660 config drive on IDE CD-ROM)"
READY2=$READY_MS
out=$("${SSH[@]}" cat /root/persist 2>&1) || true
[ "$out" = "$TOKEN" ] && ok "/root/persist survived the reboot" || fail "/root/persist after reboot: '$out', expected $TOKEN"
n=$(tr -d '\r' < "$W/serial.log" | grep -c 'nubo: running user-data' || true)
[ "$n" = 1 ] && ok "user-data ran once for the instance (not again on reboot)" || fail "user-data ran $n times"
powerdown

echo "boot 1 (virtio vfat cidata): READY after ${READY1} ms; boot 2 (IDE cdrom iso9660 cidata): READY after ${READY2} ms" >&2
if [ "$FAILED" = 0 ]; then
    echo "RESULT: PASS" >&2
else
    echo "--- serial console ---" >&2
    tr -d '\r' < "$W/serial.log" | tail -n 80 >&2
    echo "RESULT: FAIL" >&2
    exit 1
fi
