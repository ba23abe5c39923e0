package io.nubo.control.compute;

import io.nubo.control.storage.StoragePoolService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Architectures;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.Image;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The up hosts' free capacity as one batch admits launches, by the scheduler's filters: vCPUs and
 * memory, the image's architecture, the type's accelerator, and room for the root disk on the
 * host's local pool (or on the shared pool, for HA instances). Admission only checks that the
 * instances could fit; the scheduler makes the claim under its locks. So this reads without
 * locking. Not thread-safe: one transaction, one thread.
 */
final class LaunchCapacity {
    /** What a launch needs of a host, as the scheduler will judge it. */
    record Need(String architecture, String accelerator, long rootBytes, boolean onShared) {
    }

    private final List<Host> hosts;
    /** Every host that is not removed, whatever its state: what the cloud runs at all. */
    private final List<Host> all;
    private final long[] freeVcpus;
    private final long[] freeMemory;
    private final long[] freeDisk;
    private final boolean[] reachesShared;
    private final Optional<StoragePool> shared;
    private long sharedFree;

    private LaunchCapacity(List<Host> all, Map<String, Long> localFree, Optional<StoragePool> shared, Set<String> sharedMounts,
                           Set<String> hostsWithMounts) {
        this.all = all;
        this.hosts = all.stream().filter(h -> h.state() == HostState.UP).toList();
        this.shared = shared;
        this.sharedFree = shared.map(StoragePool::freeBytes).orElse(0L);
        int n = hosts.size();
        freeVcpus = new long[n];
        freeMemory = new long[n];
        freeDisk = new long[n];
        reachesShared = new boolean[n];
        for (int k = 0; k < n; k++) {
            Host h = hosts.get(k);
            freeVcpus[k] = (long) h.schedulableVcpus() - h.allocatedVcpus();
            freeMemory[k] = (long) h.schedulableMemoryMib() - h.allocatedMemoryMib();
            freeDisk[k] = localFree.getOrDefault(h.id(), 0L);
            // As the scheduler judges it: a host that announced no mounts (a remote agent) is taken to reach it.
            reachesShared[k] = shared.isPresent() && (sharedMounts.contains(h.id()) || !hostsWithMounts.contains(h.id()));
        }
    }

    static LaunchCapacity read(Store s) {
        Optional<StoragePool> shared = s.storagePools().sharedNamed(StoragePoolService.SHARED);
        return new LaunchCapacity(s.hosts().list(), s.storagePools().localFreeByHost(), shared,
                shared.map(p -> s.storagePools().mountsOf(p.id())).orElse(Set.of()),
                shared.isPresent() ? s.storagePools().hostsWithMounts() : Set.of());
    }

    int hostCount() {
        return hosts.size();
    }

    /**
     * What a launch of this image and type needs. Refuses a launch no host of this cloud could ever
     * take: no host of the image's architecture at all is EC2's answer to a type whose architecture
     * does not match the AMI's ({@code InvalidParameterValue}), and no host with the accelerator
     * the type requires is EC2's answer to a type not offered where asked ({@code Unsupported}).
     * Hosts that exist but are full, down or in maintenance give {@code InsufficientInstanceCapacity}
     * instead, as EC2 does when capacity is short for now.
     */
    Need need(Image image, InstanceType type, LaunchRequest r) {
        String arch = Architectures.hostArchitectureFor(image.architecture());
        // A cloud without hosts yet runs nothing: that is short capacity, not a mismatch.
        if (!all.isEmpty() && all.stream().noneMatch(h -> h.architecture().equals(arch))) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "The architecture '%s' of the specified AMI %s is not one the instance type %s runs on: no host of this cloud runs %s "
                            + "guests. Specify an AMI of an architecture the cloud runs (%s), and try launching again.",
                    image.architecture(), image.id(), type.name(), arch,
                    all.stream().map(Host::architecture).distinct().sorted().collect(Collectors.joining(", ")));
        }
        String accel = type.requiresAccelerator();
        if (accel != null && !all.isEmpty() && all.stream().noneMatch(h -> h.architecture().equals(arch) && accel.equals(h.accelerator()))) {
            throw NuboException.of(ErrorCode.UNSUPPORTED,
                    "Your requested instance type (%s) is not supported: it requires %s, and no %s host of this cloud runs guests with it",
                    type.name(), accel, arch);
        }
        long root = r.rootSizeGib() != null ? (long) r.rootSizeGib() << 30 : image.virtualSizeBytes();
        return new Need(arch, accel, root, r.ha() && shared.isPresent());
    }

    /** How many instances of this type and need the up hosts could take. */
    long slots(InstanceType t, Need need) {
        long n = 0;
        for (int h = 0; h < freeVcpus.length; h++) {
            n += room(h, t, need);
        }
        return need.onShared() && need.rootBytes() > 0 ? Math.min(n, sharedFree / need.rootBytes()) : n;
    }

    private long room(int h, InstanceType t, Need need) {
        if (!runs(hosts.get(h), need) || (need.onShared() && !reachesShared[h])) {
            return 0;
        }
        long n = Math.max(0, Math.min(freeVcpus[h] / t.vcpus(), freeMemory[h] / t.memoryMib()));
        if (!need.onShared() && need.rootBytes() > 0) {
            n = Math.min(n, Math.max(0, freeDisk[h]) / need.rootBytes());
        }
        return n;
    }

    private static boolean runs(Host h, Need need) {
        return h.architecture().equals(need.architecture()) && (need.accelerator() == null || need.accelerator().equals(h.accelerator()));
    }

    /** Takes room for {@code count} instances, each from the host with the most free memory that fits it, as the scheduler would. */
    void take(InstanceType t, Need need, int count) {
        for (int k = 0; k < count; k++) {
            int best = -1;
            for (int h = 0; h < freeVcpus.length; h++) {
                if (room(h, t, need) > 0 && (best < 0 || freeMemory[h] > freeMemory[best])) {
                    best = h;
                }
            }
            if (best < 0) {
                return;
            }
            freeVcpus[best] -= t.vcpus();
            freeMemory[best] -= t.memoryMib();
            if (need.onShared()) {
                sharedFree -= need.rootBytes();
            } else {
                freeDisk[best] -= need.rootBytes();
            }
        }
    }
}
