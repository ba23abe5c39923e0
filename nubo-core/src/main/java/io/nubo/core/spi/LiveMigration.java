package io.nubo.core.spi;

import io.nubo.core.agent.MigrationProgress;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * An optional hypervisor ability: moving a running VM to another host. Every method is
 * idempotent and may be called again by a restarted agent: the VM's own state (QEMU's
 * {@code query-migrate}, its run state) says how far a migration got.
 */
public interface LiveMigration {
    /** Where a destination VM waits: the memory stream's address, and the NBD export of its local disks (or null). */
    record Incoming(String host, int port, Integer nbdPort) {
    }

    /** Where to send a VM, and how long the whole migration may take before it is cancelled. */
    record Target(String migrationId, String host, int port, Integer nbdPort, Duration timeout) {
    }

    /** How an outgoing migration ended. {@code completed} false: the source VM still runs (or can be resumed). */
    record Result(boolean completed, MigrationProgress last, String reason) {
    }

    /**
     * Destination: creates the VM from {@code spec} with the same device model as the source's,
     * paused and waiting for the incoming migration, with its local disks exported for mirroring.
     * Returns the same endpoints when called again for a VM that already waits.
     */
    Incoming prepareIncoming(VmSpec spec, String migrationId);

    /** Destination: lets a VM whose migration the control plane recorded complete run. Idempotent. */
    void resumeIncoming(String instanceId);

    /**
     * Source: migrates the VM to {@code target}, or, when a migration of it is already under way
     * (the agent restarted), follows that one; blocks until it ends, passing each reading to
     * {@code progress}. A completed migration leaves the source VM paused; a failed one leaves it
     * running.
     */
    Result migrateOut(String instanceId, Target target, Consumer<MigrationProgress> progress);

    /** Source: cancels an unfinished migration and resumes the VM if a migration paused it. Idempotent. */
    void abortOutgoing(String instanceId);
}
