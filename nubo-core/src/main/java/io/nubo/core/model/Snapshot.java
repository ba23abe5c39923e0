package io.nubo.core.model;

import java.time.Instant;

/**
 * A point-in-time copy of a volume, a raw file named after its ID on a storage pool
 * ({@code poolId}). {@code volumeSizeGib} is the volume's size when it was taken (the least a
 * volume made from it may have). {@code copier} says who makes the file: the instance ID whose
 * host copies it from the running VM with a block job, or null for the volume controller, which
 * copies the file of a volume no running VM holds. {@code progress} is 0 to 100.
 */
public record Snapshot(String id, String accountId, String volumeId, int volumeSizeGib, String poolId, String description,
                       SnapshotState state, String stateReason, int progress, String copier, String sourceSnapshotId,
                       Instant startedAt, Instant updatedAt) {
    public long sizeBytes() {
        return volumeSizeGib * Volume.GIB;
    }

    public Snapshot with(SnapshotState newState, int newProgress, String reason, Instant now) {
        return new Snapshot(id, accountId, volumeId, volumeSizeGib, poolId, description, newState, reason, newProgress, copier,
                sourceSnapshotId, startedAt, now);
    }

    @Override
    public String toString() {
        return "Snapshot[" + id + " of " + volumeId + " " + state.apiName() + " " + progress + "%]";
    }
}
