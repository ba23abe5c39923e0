package io.nubo.core.model;

import java.time.Instant;
import java.util.List;

/**
 * A directory that holds disk files. A {@code local} pool is one host's own ({@code hostId});
 * a {@code shared} pool is mounted by several hosts, which is what lets a disk follow its VM
 * to another host. {@code totalBytes} is the size of the file system under it when last
 * measured, {@code usedBytes} what Nubo's own files there take.
 *
 * @param mounts the hosts that reach the pool, each with the path it is mounted at there
 */
public record StoragePool(String id, String name, Kind kind, String path, String hostId, long totalBytes, long usedBytes,
                          List<Mount> mounts, Instant createdAt, Instant updatedAt) {
    public StoragePool {
        mounts = List.copyOf(mounts);
    }

    public enum Kind {
        LOCAL, SHARED;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One host's view of a pool. */
    public record Mount(String hostId, String path) {
    }

    public long freeBytes() {
        return Math.max(0, totalBytes - usedBytes);
    }
}
