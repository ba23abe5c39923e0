package io.nubo.core.model;

import java.time.Instant;
import java.util.Optional;

/**
 * An instance as the control plane records it: the EC2 state, the internal task, and where it
 * runs ({@code zone} is its availability zone, {@code hostId} its host once placed). {@code ha}:
 * restarted on another host when its host goes down. {@code rootSizeGib}: the size its root disk
 * was launched with (null: the image's size).
 */
public record Instance(String id, String accountId, String reservationId, String imageId, String instanceType,
                       int vcpus, int memoryMib, InstanceState state, InstanceTask task, String hostId,
                       String name, String keyName, String userData, String stateReason,
                       Instant launchTime, Instant updatedAt, Instant terminatedAt, long rebootGeneration,
                       boolean forceStop, long desiredSeq, String publicKey, String sshHost, Integer sshPort, String zone,
                       boolean ha, Integer rootSizeGib) {
    public Optional<String> host() {
        return Optional.ofNullable(hostId);
    }

    @Override
    public String toString() {
        // User data can hold secrets: keep it out of logs.
        return "Instance[" + id + " " + state.apiName() + " task=" + task.apiName() + " host=" + hostId + "]";
    }
}
