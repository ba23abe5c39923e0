package io.nubo.qemu;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A volume on a VM: a disk file attached as a virtio-blk device whose QEMU ID and block node are
 * both {@code id} (its file node {@code <id>-file}), so that the agent finds it again by name in
 * {@code query-block} and {@code query-named-block-nodes}, whether it was put on the command line
 * or hot-plugged. {@code serial} is what the guest reads (virtio-blk keeps 20 bytes);
 * {@code shareable} lets other VMs write the same file at the same time ({@code share-rw=on}).
 * Immutable.
 */
public record QemuVolume(String id, Path path, String format, String serial, boolean shareable) {
    // QEMU IDs and node names: a letter, then letters, digits, '-', '.', '_'; node names at most 31 characters with "-file"/"-null".
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,25}");
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_-]{1,20}");
    private static final Pattern FORMAT = Pattern.compile("raw|qcow2");

    public QemuVolume {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a usable QEMU ID for a volume: " + id);
        }
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw new IllegalArgumentException("a virtio-blk serial is 1 to 20 letters, digits, '-' or '_': " + serial);
        }
        if (format == null || !FORMAT.matcher(format).matches()) {
            throw new IllegalArgumentException("volumes are raw or qcow2: " + format);
        }
        if (!path.isAbsolute() || path.toString().chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a volume's path must be absolute, with no control characters: " + path);
        }
    }

    /** The block node of the file under the format node. */
    public String fileNode() {
        return id + "-file";
    }

    /** The null node a forced detach puts under the format node, to let go of the file before the guest lets go of the disk. */
    public static String nullNode(String id) {
        return id + "-null";
    }
}
