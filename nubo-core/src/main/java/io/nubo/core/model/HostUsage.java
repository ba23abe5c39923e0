package io.nubo.core.model;

/**
 * What a host's VMs use, as opposed to what is allocated there: the vCPUs and memory of the
 * instances whose VMs exist on it (pending, running or stopping; a stopped instance keeps its
 * allocation but uses nothing), and the bytes Nubo's files take in its local pool.
 */
public record HostUsage(int vcpus, int memoryMib, long diskBytes) {
    public static final HostUsage NONE = new HostUsage(0, 0, 0);
}
