package io.nubo.core.model;

import java.time.Instant;

/**
 * An EBS-style volume: a raw disk file named after its ID on a storage pool ({@code poolId}),
 * multi-attach ones always on the shared pool. {@code sizeGib} is the size the volume has (or
 * grows to: a grown volume's file is extended by whoever holds it next, see the agent).
 * {@code iops} and {@code throughput} are recorded as asked and shown; Nubo does not throttle.
 *
 * @param modification the last ModifyVolume, if any
 */
public record Volume(String id, String accountId, String zone, int sizeGib, VolumeType type, Integer iops, Integer throughput,
                     boolean multiAttach, String poolId, String format, VolumeState state, String stateReason,
                     Instant createdAt, Instant updatedAt, Modification modification) {
    public static final long GIB = 1L << 30;

    public long sizeBytes() {
        return sizeGib * GIB;
    }

    /**
     * A size change in progress or done: {@code modifying} until every VM that holds the volume
     * sees the new size (or at once for an unattached volume), then {@code completed}.
     */
    public record Modification(String state, int originalSizeGib, int targetSizeGib, VolumeType originalType, VolumeType targetType,
                               Instant startedAt, Instant endedAt) {
        public static final String MODIFYING = "modifying";
        public static final String COMPLETED = "completed";
    }

    @Override
    public String toString() {
        return "Volume[" + id + " " + state.apiName() + " " + sizeGib + "GiB " + type.apiName() + (multiAttach ? " multi" : "") + "]";
    }
}
