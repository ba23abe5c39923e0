package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.InstanceType;

import java.time.Instant;

/** Pure functions that derive an instance's next version; they never touch the store. */
public final class InstanceChanges {
    private InstanceChanges() {
    }

    /** The fields a transition may change; everything else is copied. */
    private record Mutable(InstanceState state, InstanceTask task, String hostId, String reason, Instant terminatedAt,
                           long rebootGeneration, boolean forceStop, String sshHost, Integer sshPort) {
        static Mutable of(Instance i) {
            return new Mutable(i.state(), i.task(), i.hostId(), i.stateReason(), i.terminatedAt(), i.rebootGeneration(),
                    i.forceStop(), i.sshHost(), i.sshPort());
        }

        Instance applyTo(Instance i, Instant now) {
            return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                    state, task, hostId, i.name(), i.keyName(), i.userData(), reason, i.launchTime(), now, terminatedAt,
                    rebootGeneration, forceStop, i.desiredSeq(), i.publicKey(), sshHost, sshPort, i.zone(), i.ha(), i.rootSizeGib());
        }
    }

    public static Instance withState(Instance i, InstanceState state, InstanceTask task, String reason, Instant now) {
        Mutable m = Mutable.of(i);
        Instant terminatedAt = state == InstanceState.TERMINATED ? now : i.terminatedAt();
        // A VM that is not running has no SSH endpoint to show.
        boolean up = state == InstanceState.RUNNING;
        return new Mutable(state, task, m.hostId(), reason, terminatedAt, m.rebootGeneration(), m.forceStop(),
                up ? m.sshHost() : null, up ? m.sshPort() : null).applyTo(i, now);
    }

    public static Instance placedOn(Instance i, String hostId, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(m.state(), InstanceTask.SPAWNING, hostId, m.reason(), m.terminatedAt(), m.rebootGeneration(),
                m.forceStop(), m.sshHost(), m.sshPort()).applyTo(i, now);
    }

    public static Instance stopping(Instance i, boolean force, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(InstanceState.STOPPING, InstanceTask.POWERING_OFF, m.hostId(),
                "Client.UserInitiatedShutdown: User initiated shutdown", m.terminatedAt(), m.rebootGeneration(), force,
                m.sshHost(), m.sshPort()).applyTo(i, now);
    }

    public static Instance rebooted(Instance i, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(m.state(), m.task(), m.hostId(), m.reason(), m.terminatedAt(), m.rebootGeneration() + 1,
                m.forceStop(), m.sshHost(), m.sshPort()).applyTo(i, now);
    }

    /** The instance with another size; only a stopped instance is resized. */
    public static Instance resized(Instance i, InstanceType type, Instant now) {
        return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), type.name(), type.vcpus(), type.memoryMib(),
                i.state(), i.task(), i.hostId(), i.name(), i.keyName(), i.userData(), i.stateReason(), i.launchTime(), now,
                i.terminatedAt(), i.rebootGeneration(), i.forceStop(), i.desiredSeq(), i.publicKey(), i.sshHost(), i.sshPort(), i.zone(), i.ha(),
                i.rootSizeGib());
    }

    /** Records where the guest's SSH can be reached, as its host reports it. */
    public static Instance withSsh(Instance i, String sshHost, Integer sshPort, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(m.state(), m.task(), m.hostId(), m.reason(), m.terminatedAt(), m.rebootGeneration(),
                m.forceStop(), sshHost, sshPort).applyTo(i, now);
    }

    /** The instance with another task, nothing else changed (a migration starts or ends). */
    public static Instance withTask(Instance i, InstanceTask task, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(m.state(), task, m.hostId(), m.reason(), m.terminatedAt(), m.rebootGeneration(), m.forceStop(),
                m.sshHost(), m.sshPort()).applyTo(i, now);
    }

    /** A live-migrated instance on its new host; its SSH endpoint is the new host's to report. */
    public static Instance migratedTo(Instance i, String hostId, Instant now) {
        Mutable m = Mutable.of(i);
        return new Mutable(m.state(), InstanceTask.NONE, hostId, m.reason(), m.terminatedAt(), m.rebootGeneration(), m.forceStop(),
                null, null).applyTo(i, now);
    }
}
