package io.nubo.core.model;

import java.time.Instant;

/**
 * A hypervisor host: its capacity and overcommit ratios, what is allocated on it, and its lease.
 * {@code architecture} is the guest architecture it runs ({@link Architectures}), {@code accelerator}
 * how ({@code kvm}, {@code tcg}, or {@code fake}).
 */
public record Host(String id, String name, HostState state, String driver, String accelerator, String architecture, String zone,
                   int vcpus, int memoryMib, int diskGib, double cpuRatio, double memoryRatio, int allocatedVcpus, int allocatedMemoryMib,
                   Instant lastHeartbeat, Instant leaseExpiresAt, Instant createdAt) {
    /** The vCPUs the scheduler may allocate here, overcommit included. */
    public int schedulableVcpus() {
        return (int) Math.floor(vcpus * cpuRatio);
    }

    /** The memory the scheduler may allocate here, overcommit included. */
    public int schedulableMemoryMib() {
        return (int) Math.floor(memoryMib * memoryRatio);
    }
}
