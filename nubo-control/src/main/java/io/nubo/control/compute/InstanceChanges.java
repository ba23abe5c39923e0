package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;

import java.time.Instant;

/** Pure functions that derive an instance's next version; they never touch the store. */
public final class InstanceChanges {
    private InstanceChanges() {
    }

    public static Instance withState(Instance i, InstanceState state, InstanceTask task, String reason, Instant now) {
        Instant terminatedAt = state == InstanceState.TERMINATED ? now : i.terminatedAt();
        return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                state, task, i.hostId(), i.name(), i.keyName(), i.userData(), reason, i.launchTime(), now, terminatedAt,
                i.rebootGeneration(), i.forceStop(), i.desiredSeq());
    }

    public static Instance placedOn(Instance i, String hostId, Instant now) {
        return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                i.state(), InstanceTask.SPAWNING, hostId, i.name(), i.keyName(), i.userData(), i.stateReason(), i.launchTime(),
                now, i.terminatedAt(), i.rebootGeneration(), i.forceStop(), i.desiredSeq());
    }

    public static Instance stopping(Instance i, boolean force, Instant now) {
        return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                InstanceState.STOPPING, InstanceTask.POWERING_OFF, i.hostId(), i.name(), i.keyName(), i.userData(),
                "Client.UserInitiatedShutdown: User initiated shutdown", i.launchTime(), now, i.terminatedAt(),
                i.rebootGeneration(), force, i.desiredSeq());
    }

    public static Instance rebooted(Instance i, Instant now) {
        return new Instance(i.id(), i.accountId(), i.reservationId(), i.imageId(), i.instanceType(), i.vcpus(), i.memoryMib(),
                i.state(), i.task(), i.hostId(), i.name(), i.keyName(), i.userData(), i.stateReason(), i.launchTime(), now,
                i.terminatedAt(), i.rebootGeneration() + 1, i.forceStop(), i.desiredSeq());
    }
}
