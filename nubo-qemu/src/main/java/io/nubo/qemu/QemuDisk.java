package io.nubo.qemu;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A disk of a VM: an image file in a format QEMU reads ({@code qcow2}, {@code raw}, {@code vpc},
 * {@code vhdx}, {@code vmdk}, ...), attached as a virtio-blk disk or as an IDE CD-ROM. Disks
 * boot in list order. Immutable.
 */
public record QemuDisk(Path path, String format, Bus bus, boolean readOnly) {
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9]+");

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
        return new QemuDisk(path, format, bus, true);
    }
}
