package io.nubo.core.agent;

/**
 * One reading of an outgoing migration: the {@code phase} ({@code mirroring} the local disks,
 * {@code memory}, {@code switchover}, {@code done}), the bytes left and sent in that phase, the
 * downtime limit in force, QEMU's measured downtime once known (else null), and the time since the
 * migration started on the source.
 */
public record MigrationProgress(String phase, long remainingBytes, long transferredBytes, int downtimeLimitMs,
                                Integer downtimeMs, long totalMs) {
}
