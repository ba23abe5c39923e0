#!/usr/bin/env bash
# Prints where Nubo's default guest image is, building it first if needed.
#
#   images/default-image.sh
#
# The image is cached in ${NUBO_IMAGE_STORE:-$HOME/.cache/nubo/images}, keyed by a hash of
# everything the build reads (the build script, the pinned package list and guest/), so a
# change to any of them builds a new image and an unchanged tree never rebuilds. Prints:
#   disk=<path of the qcow2>
#   kernel=<path of its kernel>     (the host probe boots these two)
#   initrd=<path of its initramfs>
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
store=${NUBO_IMAGE_STORE:-$HOME/.cache/nubo/images}
key=$(cd "$here" && { sha256sum build-default-image.sh default-image.packages; find guest -type f -print0 | sort -z | xargs -0 sha256sum; find guest -print0 | sort -z | xargs -0 stat -c '%n %a'; } | sha256sum | cut -c1-16)
base=$store/nubo-default-$key
if [ ! -f "$base.qcow2" ] || [ ! -f "$base.vmlinuz" ] || [ ! -f "$base.initrd" ]; then
    mkdir -p "$store"
    # One build at a time per store; a second caller waits and then finds the result.
    exec 9>"$store/.build.lock"
    flock 9
    if [ ! -f "$base.qcow2" ] || [ ! -f "$base.vmlinuz" ] || [ ! -f "$base.initrd" ]; then
        echo "default-image: building $base.qcow2" >&2
        rm -f "$base.tmp.qcow2" "$base.tmp.vmlinuz" "$base.tmp.initrd" "$base.tmp.qcow2.manifest"
        bash "$here/build-default-image.sh" "$base.tmp.qcow2" >&2
        mv "$base.tmp.qcow2.manifest" "$base.qcow2.manifest"
        mv "$base.tmp.vmlinuz" "$base.vmlinuz"
        mv "$base.tmp.initrd" "$base.initrd"
        mv "$base.tmp.qcow2" "$base.qcow2"
    fi
fi
echo "disk=$base.qcow2"
echo "kernel=$base.vmlinuz"
echo "initrd=$base.initrd"
