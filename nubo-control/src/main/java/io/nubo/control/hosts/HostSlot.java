package io.nubo.control.hosts;

import io.nubo.core.model.Host;
import io.nubo.core.model.Instance;
import io.nubo.store.Store;

import java.util.List;

/**
 * An up host's free capacity while one pass (the scheduler's, or a failover's) places instances on
 * it, under the pass's lock on the host's row. Not thread-safe: one pass, one thread.
 */
final class HostSlot {
    final Host host;
    private int addedVcpus;
    private int addedMemory;

    HostSlot(Host host) {
        this.host = host;
    }

    static List<HostSlot> of(List<Host> hosts) {
        return hosts.stream().map(HostSlot::new).toList();
    }

    long freeMemory() {
        return (long) host.schedulableMemoryMib() - host.allocatedMemoryMib() - addedMemory;
    }

    boolean inZoneOf(Instance i) {
        return i.zone() == null || i.zone().equals(host.zone());
    }

    /** Whether the host still has room for the instance, overcommit included. */
    boolean fits(Instance i) {
        return host.schedulableVcpus() - host.allocatedVcpus() - addedVcpus >= i.vcpus() && freeMemory() >= i.memoryMib();
    }

    void take(Instance i) {
        addedVcpus += i.vcpus();
        addedMemory += i.memoryMib();
    }

    /** Writes what the pass took on each host to its allocation. */
    static void allocate(Store s, List<HostSlot> slots) {
        for (HostSlot h : slots) {
            if (h.addedVcpus > 0) {
                s.hosts().allocate(h.host.id(), h.addedVcpus, h.addedMemory);
            }
        }
    }
}
