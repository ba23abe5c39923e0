package io.nubo.control.hosts;

import io.nubo.core.model.Host;
import io.nubo.core.model.Instance;
import io.nubo.store.Store;

import java.util.List;

/**
 * An up host's free capacity while one pass (the scheduler's, or a failover's) places instances on
 * it, under the pass's locks on the host's row and on the pools its root disks go to. Not
 * thread-safe: one pass, one thread.
 */
final class HostSlot {
    final Host host;
    private final PoolSpace pools;
    private int addedVcpus;
    private int addedMemory;

    HostSlot(Host host, PoolSpace pools) {
        this.host = host;
        this.pools = pools;
    }

    /** The slots of these hosts, whose rows the caller has locked; locks the pools their disks go to. */
    static Slots lock(Store s, List<Host> hosts) {
        PoolSpace pools = PoolSpace.lock(s, hosts);
        return new Slots(hosts.stream().map(h -> new HostSlot(h, pools)).toList(), pools);
    }

    /** One pass's slots and the pool space they share. */
    record Slots(List<HostSlot> hosts, PoolSpace pools) {
        /** Writes what the pass took on each host to its allocation, and its disks' claims. */
        void write(Store s, java.time.Instant now) {
            for (HostSlot h : hosts) {
                if (h.addedVcpus > 0) {
                    s.hosts().allocate(h.host.id(), h.addedVcpus, h.addedMemory);
                }
            }
            pools.write(s, now);
        }
    }

    long freeMemory() {
        return (long) host.schedulableMemoryMib() - host.allocatedMemoryMib() - addedMemory;
    }

    boolean inZoneOf(Instance i) {
        return i.zone() == null || i.zone().equals(host.zone());
    }

    /**
     * Whether the host can still take the instance: vCPUs and memory (overcommit included), the
     * image's architecture, the type's accelerator, and room for its root disk in a pool it reaches.
     */
    boolean fits(Instance i, PlacementNeed need) {
        return host.schedulableVcpus() - host.allocatedVcpus() - addedVcpus >= i.vcpus() && freeMemory() >= i.memoryMib()
                && runs(host, need) && pools.fits(host.id(), need);
    }

    /** Whether the host runs guests as the instance needs: its architecture, and the accelerator its type asks for. */
    static boolean runs(Host h, PlacementNeed need) {
        return need.architecture().equals(h.architecture()) && (need.accelerator() == null || need.accelerator().equals(h.accelerator()));
    }

    void take(Instance i, PlacementNeed need) {
        addedVcpus += i.vcpus();
        addedMemory += i.memoryMib();
        pools.take(i, host.id(), need);
    }
}
