#!/bin/sh
# Nubo's fence watchdog: one per host, beside the agent, outliving it. Usage: fence-watchdog.sh FENCE_DIR INSTANCES_DIR
#
# The agent writes FENCE_DIR/deadline (milliseconds since the epoch: until when its lease is safe,
# a margin before the control plane may restart its HA instances elsewhere) after every renewal,
# and FENCE_DIR/ha (one instance ID a line) before it starts an HA instance. Once the deadline has
# passed, this kills the QEMU of every listed instance, so that an agent that died (kill -9, OOM)
# or hangs cannot leave a VM running that the control plane is about to start on another host.
# A QEMU is killed only while its command line names its own instance directory, so a reused pid
# is never hit. It exits when FENCE_DIR goes away.
fence="$1"
instances="$2"
[ -d "$fence" ] && [ -n "$instances" ] || exit 2
echo $$ > "$fence/watchdog.pid"
while [ -d "$fence" ]; do
    deadline=""
    [ -f "$fence/deadline" ] && read -r deadline < "$fence/deadline"
    now=$(date +%s%3N)
    case "$deadline" in
        ''|*[!0-9]*) deadline="" ;;
    esac
    if [ -n "$deadline" ] && [ "$now" -ge "$deadline" ] && [ -f "$fence/ha" ]; then
        while read -r id; do
            case "$id" in
                i-*[!0-9a-f]*) continue ;;
                i-?*) ;;
                *) continue ;;
            esac
            dir="$instances/$id"
            pid=""
            [ -f "$dir/qemu.pid" ] && read -r pid < "$dir/qemu.pid"
            case "$pid" in
                ''|*[!0-9]*) continue ;;
            esac
            if tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$dir/"; then
                : > "$dir/fenced"
                kill -9 "$pid" 2>/dev/null && echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) fenced $id: killed QEMU pid $pid (deadline $deadline)" >> "$fence/watchdog.log"
            fi
        done < "$fence/ha"
    fi
    sleep 0.5
done
