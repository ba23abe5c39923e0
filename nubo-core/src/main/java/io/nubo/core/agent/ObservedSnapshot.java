package io.nubo.core.agent;

/**
 * How far a host got with a desired snapshot: {@code running} with its {@code progress} (0 to
 * 100), {@code completed} once the whole file is in place, or {@code failed} with a
 * {@code reason} (the copy could not be made; the file is gone).
 */
public record ObservedSnapshot(String snapshotId, String state, int progress, String reason) {
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
}
