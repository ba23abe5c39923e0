package io.nubo.core.agent;

/**
 * A snapshot an instance's host should take of one of the VM's volumes while the VM runs (or
 * copy from its file while the VM is down): the finished file goes to {@code path}, written
 * first at {@code scratchPath} (both as the host sees them) and moved into place whole. The
 * agent reports its progress until it is no longer desired.
 */
public record DesiredSnapshot(String snapshotId, String volumeId, String volumePath, String scratchPath, String path, long sizeBytes) {
}
