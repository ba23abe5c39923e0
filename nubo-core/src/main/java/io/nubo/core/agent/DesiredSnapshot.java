package io.nubo.core.agent;

/**
 * A snapshot an instance's host should take of one of the VM's volumes while the VM runs (or
 * copy from its file while the VM is down): the finished file goes to {@code path}, written
 * first at {@code scratchPath} (both as the host sees them) and moved into place whole. The
 * agent reports its progress until it is no longer desired.
 *
 * <p>With {@code rootDisk}, it is an image of the VM's root disk (CreateImage; the ID is the
 * image's): the whole disk, its overlay and the base under it, flattened into one standalone
 * qcow2 file; {@code volumeId} and {@code volumePath} are then unused (the host knows where
 * the root disk is).
 */
public record DesiredSnapshot(String snapshotId, String volumeId, String volumePath, String scratchPath, String path, long sizeBytes,
                              boolean rootDisk) {
    /** A snapshot of a volume. */
    public DesiredSnapshot(String snapshotId, String volumeId, String volumePath, String scratchPath, String path, long sizeBytes) {
        this(snapshotId, volumeId, volumePath, scratchPath, path, sizeBytes, false);
    }

    /** An image of the instance's root disk, flattened to a qcow2 file. */
    public static DesiredSnapshot rootDisk(String imageId, String scratchPath, String path) {
        return new DesiredSnapshot(imageId, "root", null, scratchPath, path, 0, true);
    }
}
