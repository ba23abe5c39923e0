package io.nubo.control.hosts;

import io.nubo.control.storage.StoragePoolService;
import io.nubo.core.model.StoragePool;
import io.nubo.store.RootDisks;
import io.nubo.store.Store;

import java.util.List;
import java.util.Optional;

/**
 * A live migration's root disk space. A root disk on its host's local pool is copied by block
 * migration to the destination's local pool (an HA instance's, on the shared pool, stays where it
 * is and needs nothing): that space is reserved when the migration starts, under the
 * pool's lock, becomes the disk's claim when it completes (the source's pool gets its space back),
 * and is given back when it fails, each in the transaction that moves vCPUs and memory the same way.
 */
final class MigrationDisks {
    private MigrationDisks() {
    }

    /** Reserves room for the disk's copy on the destination's local pool. */
    static void reserve(Store s, String instanceId, String destinationHostId) {
        copied(s, instanceId).ifPresent(c -> localPool(s, destinationHostId)
                .ifPresent(pool -> s.rootDisks().addUsed(pool, c.bytes())));
    }

    /** The copy is now the disk: the claim moves to the destination's pool, and the source's pool gets its space back. */
    static void complete(Store s, String instanceId, String destinationHostId) {
        if (copied(s, instanceId).isEmpty()) {
            return;
        }
        localPool(s, destinationHostId).ifPresent(pool -> s.rootDisks().moveToReserved(instanceId, pool));
    }

    /** The copy is abandoned: the destination's pool gets back what was reserved for it. */
    static void fail(Store s, String instanceId, String destinationHostId) {
        Optional<RootDisks.Claim> claim = copied(s, instanceId);
        Optional<String> pool = localPool(s, destinationHostId);
        if (claim.isPresent() && pool.isPresent() && !claim.get().poolId().equals(pool.get())) {
            s.rootDisks().addUsed(pool.get(), -claim.get().bytes());
        }
    }

    /** The root disk's claim, when the migration copies the disk: on a local pool, not the shared one. */
    private static Optional<RootDisks.Claim> copied(Store s, String instanceId) {
        return s.rootDisks().of(instanceId)
                .filter(c -> s.storagePools().find(c.poolId()).map(p -> p.kind() == StoragePool.Kind.LOCAL).orElse(false));
    }

    /** The bytes the instance's root disk claims (nothing for an instance placed without a claim). */
    static long bytes(Store s, String instanceId) {
        return s.rootDisks().of(instanceId).map(RootDisks.Claim::bytes).orElse(0L);
    }

    /** The host's local pool, locked. */
    static Optional<String> localPool(Store s, String hostId) {
        return s.storagePools().lockForHosts(List.of(hostId), StoragePoolService.SHARED).stream()
                .filter(p -> p.kind() == StoragePool.Kind.LOCAL).map(StoragePool::id).findFirst();
    }

    /** The host's local pool's free bytes, locked; zero without one. */
    static long localFree(Store s, String hostId) {
        return s.storagePools().lockForHosts(List.of(hostId), StoragePoolService.SHARED).stream()
                .filter(p -> p.kind() == StoragePool.Kind.LOCAL).mapToLong(StoragePool::freeBytes).findFirst().orElse(0L);
    }
}
