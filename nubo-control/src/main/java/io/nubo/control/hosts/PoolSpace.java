package io.nubo.control.hosts;

import io.nubo.control.storage.StoragePoolService;
import io.nubo.control.volumes.RootVolumes;
import io.nubo.core.model.Host;
import io.nubo.core.model.Instance;
import io.nubo.core.model.StoragePool;
import io.nubo.store.RootDisks;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The free space of the pools root disks go to (each host's local pool, and the shared pool)
 * while one pass places instances, under the pass's locks on the pools' rows, and the claims the
 * pass makes. Not thread-safe: one pass, one thread.
 */
final class PoolSpace {
    private final Map<String, Long> free = new HashMap<>();
    private final Map<String, String> localPoolOfHost = new HashMap<>();
    private final Optional<String> sharedId;
    private final Set<String> sharedMounts;
    private final Set<String> hostsWithMounts;
    private final List<RootDisks.Claim> claims = new ArrayList<>();
    private final Map<String, Instance> claimants = new HashMap<>();

    private PoolSpace(List<StoragePool> pools, Set<String> sharedMounts, Set<String> hostsWithMounts) {
        String shared = null;
        for (StoragePool p : pools) {
            free.put(p.id(), p.freeBytes());
            if (p.kind() == StoragePool.Kind.LOCAL) {
                localPoolOfHost.put(p.hostId(), p.id());
            } else {
                shared = p.id();
            }
        }
        this.sharedId = Optional.ofNullable(shared);
        this.sharedMounts = sharedMounts;
        this.hostsWithMounts = hostsWithMounts;
    }

    /** Locks and reads the pools of these hosts and the shared pool. Call it after locking the hosts' rows. */
    static PoolSpace lock(Store s, List<Host> hosts) {
        List<StoragePool> pools = s.storagePools().lockForHosts(hosts.stream().map(Host::id).toList(), StoragePoolService.SHARED);
        Optional<String> shared = pools.stream().filter(p -> p.kind() == StoragePool.Kind.SHARED).map(StoragePool::id).findFirst();
        return new PoolSpace(pools, shared.map(s.storagePools()::mountsOf).orElse(Set.of()),
                shared.isPresent() ? s.storagePools().hostsWithMounts() : Set.of());
    }

    boolean hasShared() {
        return sharedId.isPresent();
    }

    /**
     * The pool an instance's root disk goes to on {@code hostId}, if the host reaches it. A host
     * whose agent announced no mounts (a remote agent, which cannot yet) is taken to reach the
     * shared pool at its usual path, as {@link AgentGateway} does when it tells the agent where the
     * disk is.
     */
    Optional<String> poolFor(String hostId, PlacementNeed need) {
        if (need.onShared()) {
            return sharedId.filter(id -> sharedMounts.contains(hostId) || !hostsWithMounts.contains(hostId));
        }
        return Optional.ofNullable(localPoolOfHost.get(hostId));
    }

    /** Whether the host can hold the instance's root disk. */
    boolean fits(String hostId, PlacementNeed need) {
        Optional<String> pool = poolFor(hostId, need);
        return pool.isPresent() && (need.keepsDisk() || free.get(pool.get()) >= need.rootBytes());
    }

    /** Claims the disk's space on the host's pool; {@link #fits} said it fits. */
    void take(Instance i, String hostId, PlacementNeed need) {
        if (need.keepsDisk()) {
            return;
        }
        String pool = poolFor(hostId, need).orElseThrow();
        free.merge(pool, -need.rootBytes(), Long::sum);
        claims.add(new RootDisks.Claim(i.id(), pool, need.rootBytes()));
        claimants.put(i.id(), i);
    }

    /** Writes the pass's claims with their root volumes, and the pools' use. */
    void write(Store s, Instant now) {
        RootVolumes.claim(s, claims, claimants, now);
    }
}
