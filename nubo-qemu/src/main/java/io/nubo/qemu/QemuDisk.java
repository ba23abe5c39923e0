package io.nubo.qemu;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A disk of a VM: an image file in a format QEMU reads ({@code qcow2}, {@code raw}, {@code vpc},
 * {@code vhdx}, {@code vmdk}, ...), attached as a virtio-blk disk or as an IDE CD-ROM. Disks
 * boot in list order. {@code backing}: for a qcow2 overlay, the base image QEMU opens under it
 * instead of the one its header names (null: the header's), for a disk made on another host whose
 * header names that host's path and that cannot be rewritten while another VM has it open.
 * Immutable.
 */
public record QemuDisk(Path path, String format, Bus bus, boolean readOnly, Backing backing) {
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+");

    /** A base image file and its format. */
    public record Backing(Path path, String format) {
        public Backing {
            if (!path.isAbsolute() || path.toString().chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("backing path must be absolute, without control characters: " + path);
            }
            if (!FORMAT.matcher(format).matches()) {
                throw new IllegalArgumentException("not a QEMU block driver name: " + format);
            }
        }
    }

    public QemuDisk(Path path, String format, Bus bus, boolean readOnly) {
        this(path, format, bus, readOnly, null);
    }

    /** How the guest sees the disk. */
    public enum Bus {
        /** {@code virtio-blk-pci}: fast, needs the guest's virtio_blk driver. */
        VIRTIO,
        /** {@code ide-cd}: always read-only; for a config drive ISO, which guests find with no extra driver. */
        CDROM
    }

    public QemuDisk {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("disk path must be absolute: " + path);
        }
        if (path.toString().chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("disk path must not contain control characters: " + path);
        }
        if (!FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("not a QEMU block driver name: " + format);
        }
        if (bus == Bus.CDROM) {
            readOnly = true;
        }
        if (backing != null && !format.equals("qcow2")) {
            throw new IllegalArgumentException("only a qcow2 disk has a backing image, not " + format);
        }
    }

    /** A writable virtio-blk disk. */
    public static QemuDisk virtio(Path path, String format) {
        return new QemuDisk(path, format, Bus.VIRTIO, false);
    }

    /** A CD-ROM holding a raw image, such as a config drive ISO (label {@code cidata} or {@code config-2}). */
    public static QemuDisk cdrom(Path iso) {
        return new QemuDisk(iso, "raw", Bus.CDROM, true);
    }

    public QemuDisk asReadOnly() {
        return new QemuDisk(path, format, bus, true, backing);
    }

    /** The same disk over {@code base} rather than the base image its header names. */
    public QemuDisk over(Path base, String baseFormat) {
        return new QemuDisk(path, format, bus, readOnly, new Backing(base, baseFormat));
    }
}
