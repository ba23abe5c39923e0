package io.nubo.core.agent;

/**
 * What an agent tells the control plane about a migration it takes part in:
 * <ul>
 *   <li>{@code READY} (destination): its VM waits at {@code incomingHost:incomingPort}, with the NBD
 *       export of its local disks at {@code nbdPort} (null when nothing is mirrored);
 *   <li>{@code PROGRESS} (source): the latest reading;
 *   <li>{@code COMPLETED} (source): QEMU finished; the destination holds the whole VM, paused;
 *   <li>{@code FAILED} (either side), with the {@code reason}.
 * </ul>
 * Every update is idempotent: one about a migration that already ended changes nothing.
 */
public record MigrationUpdate(String migrationId, Kind kind, String incomingHost, Integer incomingPort, Integer nbdPort,
                              MigrationProgress progress, String reason) {
    public enum Kind { READY, PROGRESS, COMPLETED, FAILED }

    public static MigrationUpdate ready(String migrationId, String host, int port, Integer nbdPort) {
        return new MigrationUpdate(migrationId, Kind.READY, host, port, nbdPort, null, null);
    }

    public static MigrationUpdate progress(String migrationId, MigrationProgress p) {
        return new MigrationUpdate(migrationId, Kind.PROGRESS, null, null, null, p, null);
    }

    public static MigrationUpdate completed(String migrationId, MigrationProgress p) {
        return new MigrationUpdate(migrationId, Kind.COMPLETED, null, null, null, p, null);
    }

    public static MigrationUpdate failed(String migrationId, MigrationProgress p, String reason) {
        return new MigrationUpdate(migrationId, Kind.FAILED, null, null, null, p, reason);
    }
}
