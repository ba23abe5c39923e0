#!/usr/bin/env bash
# Build Nubo's default guest image from Debian packages only.
#
#   images/build-default-image.sh <output.qcow2>
#
# Writes <output>.qcow2, <output>.qcow2.manifest (package versions, sha256s), and
# <output>.vmlinuz + <output>.initrd (the same kernel and initramfs as in the
# image, for the agent's host probe: booted with "nubo.probe" they print
# NUBO-PROBE-OK on ttyS0 and power off).
#
# The image is a BIOS-bootable qcow2 disk (MBR + syslinux, see images/README.md):
#   partition 1  FAT16, 64 MiB  syslinux (ldlinux.sys), vmlinuz, initrd.img
#   partition 2  ext4, rest     root filesystem: busybox, dropbear, init scripts
# Boot: SeaBIOS -> syslinux mbr.bin -> ldlinux.sys -> Debian kernel + small
# initramfs (virtio/ATA/ext4/iso9660/vfat modules) -> switch_root -> busybox init.
#
# Everything comes from Debian packages fetched with `apt-get download`
# (versions pinned in images/default-image.packages); nothing is installed on
# the host except the tools needed to build (installed with apt-get if missing).
#
# Environment:
#   NUBO_IMAGE_CACHE     cache of downloaded .debs (default ~/.cache/nubo/debs)
#   NUBO_IMAGE_PINS      "latest": use the mirror's current versions instead of
#                        the pinned ones (prints the list to pin)
#   NUBO_IMAGE_SIZE_MIB  virtual disk size in MiB (default 2048)
#   SOURCE_DATE_EPOCH    timestamp of every file in the image (default 2025-01-01)
#   NUBO_IMAGE_KERNEL_FLAVOUR  cloud-amd64 (default: Debian's cloud kernel, LZ4-
#                        compressed, about 2 s faster to boot under TCG; no ahci
#                        driver) or amd64 (linux-image-amd64's kernel)
#   NUBO_IMAGE_KEEP_WORK set to 1 to keep the work directory (debugging)
#   NUBO_IMAGE_CMDLINE_EXTRA  appended to the kernel command line (debugging,
#                        e.g. "nubo.debug" for boot step timestamps)
#
# It needs root only to apt-get install missing build tools; without root it
# runs mkfs.ext4 under fakeroot so that the files are owned by root in the image.

set -euo pipefail
umask 022
export LC_ALL=C TZ=UTC

PROG=build-default-image
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

if [ $# -ne 1 ] || [ "${1:0:1}" = - ]; then
    echo "usage: $0 <output.qcow2>" >&2
    exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
[ -d "$(dirname "$OUT")" ] || die "directory $(dirname "$OUT") does not exist"

CACHE=${NUBO_IMAGE_CACHE:-$HOME/.cache/nubo/debs}
PINS_FILE=$HERE/default-image.packages
GUEST=$HERE/guest
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}   # 2025-01-01T00:00:00Z
DISK_MIB=${NUBO_IMAGE_SIZE_MIB:-2048}
# The cloud kernel by default: LZ4 instead of XZ saves about 2 s of boot under TCG, which keeps
# the boot to the READY marker well inside 10 s; Nubo's VMs use virtio, so its lack of ahci is moot.
FLAVOUR=${NUBO_IMAGE_KERNEL_FLAVOUR:-cloud-amd64}
BOOT_MIB=64
# Fixed identities, so that two builds give the same filesystems.
ROOT_UUID=4e75626f-2d72-4f6f-8e74-2d6673000001
ROOT_LABEL=nubo-root
BOOT_VOLID=4E55424F            # FAT volume serial
DISK_ID=0x4e55424f             # MBR disk signature
# cryptomgr.notests: no crypto self-tests at boot (about 0.4 s under TCG).
KERNEL_CMDLINE="root=UUID=$ROOT_UUID console=ttyS0,115200 quiet cryptomgr.notests${NUBO_IMAGE_CMDLINE_EXTRA:+ $NUBO_IMAGE_CMDLINE_EXTRA}"

# Kernel modules (their dependencies are added from modules.dep), in groups:
#   boot   loaded by the initramfs: what it takes to mount the root fs on virtio-blk
#   extra  IDE/SATA disks and CD-ROMs: loaded by the initramfs only when the root
#          device does not show up with the boot group, else by the boot scripts
#          when the config drive is not on a virtio disk (saves the slow ATA probe)
#   late   loaded by the boot scripts (modprobe) from the root filesystem
MODULES_BOOT="virtio_pci virtio_blk crc32c_generic crc32c_intel ext4"
MODULES_EXTRA="ata_piix ahci? sd_mod sr_mod"      # NAME? = only if the kernel has it
MODULES_LATE="isofs vfat nls_cp437 nls_ascii virtio_net button evdev"

[ "$DISK_MIB" -ge $((BOOT_MIB + 128)) ] 2>/dev/null || die "NUBO_IMAGE_SIZE_MIB must be a number >= $((BOOT_MIB + 128))"
[ -f "$PINS_FILE" ] || die "missing $PINS_FILE"
[ -d "$GUEST/rootfs" ] && [ -f "$GUEST/initramfs/init" ] || die "missing $GUEST (run from the Nubo source tree)"

# --- host tools -----------------------------------------------------------------
# command -> Debian package providing it
TOOLS="apt-get:apt dpkg-deb:dpkg mkfs.ext4:e2fsprogs debugfs:e2fsprogs mkfs.fat:dosfstools mcopy:mtools
       mdir:mtools cpio:cpio sfdisk:fdisk qemu-img:qemu-utils depmod:kmod gzip:gzip
       sha256sum:coreutils truncate:coreutils"
[ "$(id -u)" -eq 0 ] || TOOLS="$TOOLS fakeroot:fakeroot"
export PATH=$PATH:/usr/sbin:/sbin
missing=()
for t in $TOOLS; do
    command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [ "$(id -u)" -ne 0 ]; then
        die "missing build tools; as root, run: apt-get install --no-install-recommends ${missing[*]}"
    fi
    log "installing build tools: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
        die "could not install ${missing[*]} with apt-get (run 'apt-get update' first, or install them by hand)"
    for t in $TOOLS; do
        command -v "${t%%:*}" >/dev/null 2>&1 || die "${t%%:*} still missing after installing ${t#*:}"
    done
fi
mke2fs_version=$(mkfs.ext4 -V 2>&1 || true)
[[ $mke2fs_version =~ mke2fs\ 1\.(4[3-9]|[5-9][0-9]) ]] ||
    die "mkfs.ext4 from e2fsprogs >= 1.43 is needed (for -d)"

# --- work dir -------------------------------------------------------------------
W=$(mktemp -d "${TMPDIR:-/tmp}/nubo-image.XXXXXX")
cleanup() {
    if [ "${NUBO_IMAGE_KEEP_WORK:-0}" = 1 ]; then log "work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
START=$(date +%s)

# --- package list -----------------------------------------------------------------
declare -a PKG_NAMES PKG_VERS
case "$FLAVOUR" in amd64|cloud-amd64) ;; *) die "NUBO_IMAGE_KERNEL_FLAVOUR must be amd64 or cloud-amd64" ;; esac
if [ "${NUBO_IMAGE_PINS:-}" = latest ]; then
    candidate() { apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'; }
    kpkg=$(apt-cache depends "linux-image-$FLAVOUR" | awk '/Depends: linux-image-/ { print $2; exit }')
    [ -n "$kpkg" ] || die "cannot resolve linux-image-$FLAVOUR (apt-get update?)"
    for p in "$kpkg" $(awk '!/^#/ && NF == 2 && $1 !~ /^linux-image-/ { print $1 }' "$PINS_FILE"); do
        v=$(candidate "$p")
        [ -n "$v" ] && [ "$v" != "(none)" ] || die "no candidate version for $p (apt-get update?)"
        PKG_NAMES+=("$p"); PKG_VERS+=("$v")
    done
    log "NUBO_IMAGE_PINS=latest; to pin these versions put this in $PINS_FILE:"
    for i in "${!PKG_NAMES[@]}"; do echo "${PKG_NAMES[$i]} ${PKG_VERS[$i]}" >&2; done
else
    while read -r p v rest; do
        case "$p" in ''|'#'*) continue ;; esac
        [ -n "$v" ] || die "bad line in $PINS_FILE: $p"
        # the pinned kernel is the amd64 flavour; the cloud one has the same version
        [ "$FLAVOUR" = cloud-amd64 ] && [[ $p == linux-image-*-amd64 ]] && [[ $p != *-cloud-amd64 ]] &&
            p=${p%-amd64}-cloud-amd64
        PKG_NAMES+=("$p"); PKG_VERS+=("$v")
    done < "$PINS_FILE"
fi

# --- download (cached) ---------------------------------------------------------------
# As root, let apt download straight into the cache (no _apt sandbox warning).
APT_OPTS=
[ "$(id -u)" -eq 0 ] && APT_OPTS="-o APT::Sandbox::User=root"
mkdir -p "$CACHE" || die "cannot create the cache directory $CACHE"
deb_file() {  # name version -> path of the cached .deb (apt-get names it with %3a for ':')
    local f
    for f in "$CACHE/${1}_${2//:/%3a}_"*.deb; do [ -f "$f" ] && { echo "$f"; return 0; }; done
    return 1
}
for i in "${!PKG_NAMES[@]}"; do
    p=${PKG_NAMES[$i]} v=${PKG_VERS[$i]}
    deb_file "$p" "$v" >/dev/null && continue
    log "downloading $p=$v"
    dl=$(mktemp -d "$CACHE/.download.XXXXXX")
    chmod 0755 "$dl"   # lets apt's _apt sandbox user write there
    if ! (cd "$dl" && apt-get download -q $APT_OPTS "$p=$v" >&2); then
        rm -rf "$dl"
        die "apt-get download $p=$v failed. The mirror may no longer carry this version:
    update $PINS_FILE (NUBO_IMAGE_PINS=latest prints the current versions), or run 'apt-get update'."
    fi
    mv "$dl"/*.deb "$CACHE"/
    rm -rf "$dl"
done

MANIFEST=$W/manifest
{
    echo "# Nubo default image - built $(date -u +%Y-%m-%dT%H:%M:%SZ) by build-default-image.sh"
    echo "# package version sha256(.deb)"
} > "$MANIFEST"
mkdir -p "$W/pkg"
KPKG=
for i in "${!PKG_NAMES[@]}"; do
    p=${PKG_NAMES[$i]} v=${PKG_VERS[$i]}
    f=$(deb_file "$p" "$v") || die "internal: $p=$v not in the cache"
    [ "$(dpkg-deb -f "$f" Package)" = "$p" ] && [ "$(dpkg-deb -f "$f" Version)" = "$v" ] ||
        die "$f is not $p=$v (corrupt cache? delete it)"
    echo "$p $v $(sha256sum "$f" | cut -d' ' -f1)" >> "$MANIFEST"
    dpkg-deb -x "$f" "$W/pkg/$p"
    case "$p" in linux-image-*) KPKG=$p ;; esac
done
for need in busybox-static dropbear-bin libc6 syslinux syslinux-common; do
    [ -d "$W/pkg/$need" ] || die "$PINS_FILE must list $need"
done
[ -n "$KPKG" ] || die "$PINS_FILE must list a linux-image-<abi>-amd64 package"

# --- kernel and modules ------------------------------------------------------------------
K=$W/pkg/$KPKG
KVER=$(ls "$K/lib/modules")
[ "$(echo "$KVER" | wc -l)" = 1 ] && [ -f "$K/boot/vmlinuz-$KVER" ] || die "unexpected layout of $KPKG"
depmod -b "$K" "$KVER"        # .debs carry no modules.dep (postinst makes it)
MODDIR=$K/lib/modules/$KVER

declare -A MOD_PATH MOD_DEPS MOD_SEEN MOD_BUILTIN
while IFS= read -r path; do           # built into this kernel: nothing to load
    n=${path##*/}; n=${n%.ko}; MOD_BUILTIN[${n//-/_}]=1
done < "$MODDIR/modules.builtin"
while IFS= read -r line; do
    path=${line%%:*}
    n=${path##*/}; n=${n%.ko}; n=${n//-/_}
    MOD_PATH[$n]=$path
    MOD_DEPS[$n]=${line#*:}
done < "$MODDIR/modules.dep"
MOD_ORDER=()
add_module() {   # depth first: a module comes after everything it needs
    local n=${1//-/_} d dn
    [ -n "${MOD_SEEN[$n]:-}" ] && return 0
    [ -n "${MOD_BUILTIN[$n]:-}" ] && return 0
    [ -n "${MOD_PATH[$n]:-}" ] || die "module $n not found in $KPKG (renamed?)"
    MOD_SEEN[$n]=1
    for d in ${MOD_DEPS[$n]}; do
        dn=${d##*/}; dn=${dn%.ko}
        add_module "$dn"
    done
    MOD_ORDER+=("${MOD_PATH[$n]}")
}
add_modules() {
    local m n
    MOD_ORDER=()
    for m in "$@"; do
        n=${m%\?}; n=${n//-/_}
        if [ "$n" != "$m" ] && [ -z "${MOD_PATH[$n]:-}" ]; then
            log "note: no module $n in $KPKG, skipped"
            continue
        fi
        add_module "$n"
    done
}
add_modules $MODULES_BOOT;  MODS_BOOT=("${MOD_ORDER[@]}")
add_modules $MODULES_EXTRA; MODS_EXTRA=("${MOD_ORDER[@]}")
add_modules $MODULES_LATE;  MODS_LATE=("${MOD_ORDER[@]}")

# --- initramfs ---------------------------------------------------------------------------------
BB=$W/pkg/busybox-static/bin/busybox
[ -x "$BB" ] || die "no bin/busybox in busybox-static"
install_busybox() {  # root dir: busybox + a symlink per applet
    local root=$1 a
    install -D -m 0755 "$BB" "$root/bin/busybox"
    while read -r a; do
        [ "$a" = bin/busybox ] && continue
        [ -e "$root/$a" ] || [ -L "$root/$a" ] && continue
        mkdir -p "$root/$(dirname "$a")"
        ln -s /bin/busybox "$root/$a"
    done < <("$BB" --list-full)
}

I=$W/initramfs
mkdir -p "$I"/{dev,proc,sys,newroot,run,tmp,etc,lib/modules}
install_busybox "$I"
install -m 0755 "$GUEST/initramfs/init" "$I/init"
for m in "${MODS_BOOT[@]}" "${MODS_EXTRA[@]}"; do
    install -D -m 0644 "$MODDIR/$m" "$I/lib/modules/$m"
done
printf '%s\n' "${MODS_BOOT[@]}" > "$I/etc/nubo-modules.boot"
printf '%s\n' "${MODS_EXTRA[@]}" > "$I/etc/nubo-modules.extra"
find "$I" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
CPIO_OPTS=(-o -H newc --null --quiet -R 0:0)
cpio --help 2>&1 | grep -q -- --reproducible && CPIO_OPTS+=(--reproducible)
(cd "$I" && find . -print0 | sort -z | cpio "${CPIO_OPTS[@]}") | gzip -9 -n > "$W/initrd.img"

# --- root filesystem -------------------------------------------------------------------------
R=$W/rootfs
mkdir -p "$R"/{dev,proc,sys,run,tmp,mnt,boot,root,etc/dropbear,var/log,var/lib/nubo,usr/sbin,usr/bin}
# Nubo's files first: busybox links are not made where they put a file (sbin/poweroff...).
cp -a "$GUEST/rootfs/." "$R/"
install_busybox "$R"
install -m 0755 "$W/pkg/dropbear-bin/usr/sbin/dropbear" "$R/usr/sbin/dropbear"
for b in dropbearkey dbclient; do
    install -m 0755 "$W/pkg/dropbear-bin/usr/bin/$b" "$R/usr/bin/$b"
done

# Shared libraries of dropbear, resolved with the dynamic loader of the libc6 .deb
# itself against the libraries unpacked from the .debs (never the host's).
ALL=$W/all
mkdir -p "$ALL"
for d in "$W"/pkg/lib* "$W"/pkg/zlib1g "$W"/pkg/dropbear-bin; do
    case "$d" in */linux-image-*) continue ;; esac
    [ -d "$d" ] && cp -a "$d/." "$ALL/"
done
LDSO=$ALL/lib64/ld-linux-x86-64.so.2
[ -e "$LDSO" ] || die "no lib64/ld-linux-x86-64.so.2 in libc6"
LIBPATH=$ALL/lib/x86_64-linux-gnu:$ALL/usr/lib/x86_64-linux-gnu
install -D -m 0755 "$(readlink -f "$LDSO")" "$R/lib/x86_64-linux-gnu/$(basename "$(readlink -f "$LDSO")")"
mkdir -p "$R/lib64"
ln -sf "/lib/x86_64-linux-gnu/$(basename "$(readlink -f "$LDSO")")" "$R/lib64/ld-linux-x86-64.so.2"
for bin in "$R/usr/sbin/dropbear" "$R/usr/bin/dropbearkey" "$R/usr/bin/dbclient"; do
    out=$("$LDSO" --library-path "$LIBPATH" --list "$bin") || die "cannot resolve the libraries of $bin"
    while read -r lib; do
        case "$lib" in "$ALL"/*) ;; *) die "$bin: library $lib does not come from the .debs" ;; esac
        rel=${lib#"$ALL"}
        [ -e "$R$rel" ] && continue
        install -D -m 0644 "$(readlink -f "$lib")" "$R$rel"
    done < <(echo "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
    echo "$out" | grep -q 'not found' && die "$bin: missing libraries: $out"
done

# All the modules above, with their own modules.dep, for busybox modprobe.
for m in "${MODS_BOOT[@]}" "${MODS_EXTRA[@]}" "${MODS_LATE[@]}"; do
    install -D -m 0644 "$MODDIR/$m" "$R/lib/modules/$KVER/$m"
done
cp "$MODDIR/modules.builtin" "$MODDIR/modules.builtin.modinfo" "$MODDIR/modules.order" "$R/lib/modules/$KVER/"
depmod -b "$R" "$KVER"

chmod 0755 "$R/etc/init.d/rcS" "$R/etc/init.d/rcK" "$R/etc/udhcpc/default.script" "$R/etc/acpi/PWRF/00000080" \
    "$R/sbin/poweroff" "$R/sbin/reboot" "$R/sbin/halt" "$R/sbin/nubo-hotplug"
chmod 0600 "$R/etc/shadow"
chmod 0700 "$R/root"
chmod 1777 "$R/tmp"
{
    echo "PRETTY_NAME=\"Nubo default guest image (Debian packages, busybox)\""
    echo "NAME=\"Nubo guest\""
    echo "ID=nubo-guest"
    echo "ID_LIKE=debian"
    echo "HOME_URL=\"https://github.com/nubo\""
} > "$R/etc/os-release"
{
    echo "kernel $KVER"
    echo "cmdline $KERNEL_CMDLINE"
    grep -v '^#' "$MANIFEST"
} > "$R/etc/nubo-image"
find "$R" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ext4 with a fixed feature set (not the host's mke2fs.conf) and fixed ids/times.
cat > "$W/mke2fs.conf" <<'EOF'
[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384
[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
EOF
# --- boot partition (FAT16) with syslinux ------------------------------------------------------
cat > "$W/syslinux.cfg" <<EOF
# Nubo default image
DEFAULT nubo
PROMPT 0
TIMEOUT 0
LABEL nubo
	LINUX /vmlinuz
	INITRD /initrd.img
	APPEND $KERNEL_CMDLINE
EOF
cp "$K/boot/vmlinuz-$KVER" "$W/vmlinuz"
touch -d "@$SOURCE_DATE_EPOCH" "$W/vmlinuz" "$W/initrd.img" "$W/syslinux.cfg"
truncate -s "${BOOT_MIB}M" "$W/boot.fat"
mkfs.fat -F 16 -n NUBOBOOT -h 2048 --invariant -i "$BOOT_VOLID" "$W/boot.fat" >/dev/null 2>&1 ||
    mkfs.fat -F 16 -n NUBOBOOT -i "$BOOT_VOLID" -h 2048 "$W/boot.fat" >/dev/null
export MTOOLS_SKIP_CHECK=1
mcopy -m -i "$W/boot.fat" "$W/vmlinuz" "$W/initrd.img" "$W/syslinux.cfg" ::/
# The syslinux installer from the pinned .deb (mtools flavour: works on an image
# file, no mount, no root); it writes ldlinux.sys + ldlinux.c32 and the boot sector.
"$W/pkg/syslinux/usr/bin/syslinux" --install "$W/boot.fat" || die "syslinux --install failed"
mdir -a -i "$W/boot.fat" ::/ | grep -qi "^ldlinux  *sys" || die "syslinux did not install ldlinux.sys"

# --- disk: MBR + 2 partitions ------------------------------------------------------------------------
RAW=$W/disk.raw
ROOT_MIB=$((DISK_MIB - 1 - BOOT_MIB))
truncate -s "${DISK_MIB}M" "$RAW"
sfdisk -q --no-reread --no-tell-kernel "$RAW" >/dev/null <<EOF
label: dos
label-id: $DISK_ID
unit: sectors
start=2048, size=$((BOOT_MIB * 2048)), type=e, bootable
start=$(((1 + BOOT_MIB) * 2048)), size=$((ROOT_MIB * 2048)), type=83
EOF
MBR=$W/pkg/syslinux-common/usr/lib/syslinux/mbr/mbr.bin
[ -f "$MBR" ] || die "no mbr.bin in syslinux-common"
dd if="$MBR" of="$RAW" bs=440 count=1 conv=notrunc status=none
dd if="$W/boot.fat" of="$RAW" bs=1M seek=1 conv=notrunc,sparse status=none
# The root filesystem is made in place, at the offset of partition 2 of the
# disk image (no loop device, no mount): mke2fs -E offset=, populated with -d.
# Inode tables and journal are zeroed now (free in the qcow2), not by the guest
# kernel's ext4lazyinit thread in the first minutes of every new instance.
MKFS=(mkfs.ext4 -q -F -t ext4 -L "$ROOT_LABEL" -U "$ROOT_UUID" -m 1
      -E "offset=$(((1 + BOOT_MIB) * 1024 * 1024)),hash_seed=$ROOT_UUID,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0,nodiscard"
      -d "$R" "$RAW" "$((ROOT_MIB * 1024))k")
if [ "$(id -u)" -eq 0 ]; then
    MKE2FS_CONFIG=$W/mke2fs.conf E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH "${MKFS[@]}"
else
    MKE2FS_CONFIG=$W/mke2fs.conf E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH fakeroot "${MKFS[@]}"
fi
# mke2fs -d copies each file's ctime, which no one can set: reset it with debugfs
# (it opens the partition inside the disk image with "?offset=").
(cd "$R" && find . -print) | LC_ALL=C sort | sed -e 's|^\.||' -e 's|^$|/|' |
    while IFS= read -r p; do printf 'set_inode_field "%s" ctime @%s\n' "$p" "$SOURCE_DATE_EPOCH"; done > "$W/ctime.cmds"
echo "ssv wtime @$SOURCE_DATE_EPOCH" >> "$W/ctime.cmds"     # the superblock's last write time
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$W/ctime.cmds" "$RAW?offset=$(((1 + BOOT_MIB) * 1024 * 1024))" >/dev/null 2>"$W/debugfs.err" ||
    { cat "$W/debugfs.err" >&2; die "debugfs failed"; }
grep -q -v -e '^debugfs [0-9]' "$W/debugfs.err" && { cat "$W/debugfs.err" >&2; die "debugfs reported errors"; }

qemu-img convert -q -f raw -O qcow2 -c -o compat=1.1 "$RAW" "$W/disk.qcow2"
# The kernel and initramfs also go next to the image: the agent's host probe boots
# them directly (-kernel/-initrd, "nubo.probe": prints NUBO-PROBE-OK, powers off).
STEM=${OUT%.qcow2}
cp "$W/vmlinuz" "$STEM.vmlinuz.tmp" && mv -f "$STEM.vmlinuz.tmp" "$STEM.vmlinuz"
cp "$W/initrd.img" "$STEM.initrd.tmp" && mv -f "$STEM.initrd.tmp" "$STEM.initrd"
touch -d "@$SOURCE_DATE_EPOCH" "$STEM.vmlinuz" "$STEM.initrd"
mv -f "$W/disk.qcow2" "$OUT"

{
    cat "$MANIFEST"
    echo "# kernel $KVER"
    echo "# cmdline $KERNEL_CMDLINE"
    echo "# initramfs modules: ${MODS_BOOT[*]##*/} (fallback: ${MODS_EXTRA[*]##*/})"
    echo "# rootfs modules: ${MODS_LATE[*]##*/}"
    echo "# $(basename "$OUT") sha256 $(sha256sum "$OUT" | cut -d' ' -f1)"
    echo "# $(basename "$STEM.vmlinuz") sha256 $(sha256sum "$STEM.vmlinuz" | cut -d' ' -f1)"
    echo "# $(basename "$STEM.initrd") sha256 $(sha256sum "$STEM.initrd" | cut -d' ' -f1)"
} > "$OUT.manifest"
cat "$OUT.manifest" >&2
log "built $OUT ($(du -k "$OUT" | cut -f1) KiB on disk, ${DISK_MIB} MiB virtual) in $(( $(date +%s) - START )) s"
