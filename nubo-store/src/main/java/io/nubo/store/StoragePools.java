package io.nubo.store;

import io.nubo.core.model.StoragePool;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Storage pools, which hosts reach them, and the bytes Nubo's files take on each. */
public final class StoragePools {
    private final Handle h;

    StoragePools(Handle h) {
        this.h = h;
    }

    /** Adds the shared pool of that name, or refreshes its path and size. Returns its ID. */
    public String upsertShared(String newId, String name, String path, long totalBytes, Instant now) {
        return h.createQuery("""
                INSERT INTO storage_pools (id, name, kind, path, host_id, total_bytes, created_at, updated_at)
                VALUES (:id, :name, 'shared', :path, NULL, :total, :now, :now)
                ON CONFLICT (name) DO UPDATE SET path = :path, total_bytes = :total, updated_at = :now
                RETURNING id""")
                .bind("id", newId).bind("name", name).bind("path", path).bind("total", totalBytes).bind("now", Rows.utc(now))
                .mapTo(String.class).one();
    }

    /** Adds the local pool of a host, or refreshes its path and size. Returns its ID. */
    public String upsertLocal(String newId, String hostId, String name, String path, long totalBytes, Instant now) {
        String id = h.createQuery("""
                INSERT INTO storage_pools (id, name, kind, path, host_id, total_bytes, created_at, updated_at)
                VALUES (:id, :name, 'local', :path, :host, :total, :now, :now)
                ON CONFLICT (host_id) WHERE kind = 'local' DO UPDATE SET path = :path, total_bytes = :total, updated_at = :now
                RETURNING id""")
                .bind("id", newId).bind("name", name).bind("path", path).bind("host", hostId).bind("total", totalBytes)
                .bind("now", Rows.utc(now)).mapTo(String.class).one();
        mount(id, hostId, path);
        return id;
    }

    /**
     * Records a local pool of {@code totalBytes} for a host that has none yet (a remote agent's, whose
     * path on its machine the server does not know); a host's existing pool is left as it is.
     */
    public void ensureLocal(String newId, String hostId, String name, long totalBytes, Instant now) {
        h.createUpdate("""
                INSERT INTO storage_pools (id, name, kind, path, host_id, total_bytes, created_at, updated_at)
                VALUES (:id, :name, 'local', '', :host, :total, :now, :now)
                ON CONFLICT DO NOTHING""")
                .bind("id", newId).bind("name", name).bind("host", hostId).bind("total", totalBytes).bind("now", Rows.utc(now)).execute();
    }

    /**
     * The local pools of these hosts and the shared pool called {@code sharedName}, locked in one
     * order (so two passes never wait for each other in a cycle) and read as locked. Their mounts
     * are left out: {@link #mountsOf} reads those.
     */
    public List<StoragePool> lockForHosts(java.util.Collection<String> hostIds, String sharedName) {
        return h.createQuery("""
                SELECT * FROM storage_pools WHERE (kind = 'shared' AND name = :shared) OR (kind = 'local' AND host_id IN (<hosts>))
                ORDER BY id FOR UPDATE""")
                .bind("shared", sharedName).bindList("hosts", hostIds.isEmpty() ? List.of("") : List.copyOf(hostIds))
                .map((rs, ctx) -> map(rs, List.of())).list();
    }

    /** The free bytes of each host's local pool, by host ID: admission's unlocked view. */
    public Map<String, Long> localFreeByHost() {
        return h.createQuery("SELECT host_id, greatest(0, total_bytes - used_bytes) AS free FROM storage_pools WHERE kind = 'local'")
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("free"))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The shared pool of that name, without its mounts ({@link #mountsOf} reads those). */
    public Optional<StoragePool> sharedNamed(String name) {
        return h.createQuery("SELECT * FROM storage_pools WHERE kind = 'shared' AND name = :n").bind("n", name)
                .map((rs, ctx) -> map(rs, List.of())).findOne();
    }

    /** The IDs of the hosts that mount the pool. */
    public java.util.Set<String> mountsOf(String poolId) {
        return new java.util.HashSet<>(h.createQuery("SELECT host_id FROM storage_pool_hosts WHERE pool_id = :p").bind("p", poolId)
                .mapTo(String.class).list());
    }

    /** The IDs of the hosts that announced which pools they reach (a remote agent does not yet). */
    public java.util.Set<String> hostsWithMounts() {
        return new java.util.HashSet<>(h.createQuery("SELECT DISTINCT host_id FROM storage_pool_hosts").mapTo(String.class).list());
    }

    /** Records that {@code hostId} reaches the pool at {@code path}. */
    public void mount(String poolId, String hostId, String path) {
        h.createUpdate("""
                INSERT INTO storage_pool_hosts (pool_id, host_id, path) VALUES (:p, :h, :path)
                ON CONFLICT (pool_id, host_id) DO UPDATE SET path = :path""")
                .bind("p", poolId).bind("h", hostId).bind("path", path).execute();
    }

    public Optional<StoragePool> find(String id) {
        return list().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    public Optional<StoragePool> findByName(String name) {
        return list().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Locks the pool's row, to check and change its usage. */
    public Optional<StoragePool> lock(String id) {
        boolean exists = h.createQuery("SELECT id FROM storage_pools WHERE id = :id FOR UPDATE").bind("id", id)
                .mapTo(String.class).findOne().isPresent();
        return exists ? find(id) : Optional.empty();
    }

    public List<StoragePool> list() {
        Map<String, List<StoragePool.Mount>> mounts = h.createQuery("SELECT * FROM storage_pool_hosts ORDER BY host_id")
                .map((rs, ctx) -> Map.entry(rs.getString("pool_id"), new StoragePool.Mount(rs.getString("host_id"), rs.getString("path"))))
                .list().stream().collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        return h.createQuery("SELECT * FROM storage_pools ORDER BY kind DESC, name")
                .map((rs, ctx) -> map(rs, mounts.getOrDefault(rs.getString("id"), List.of()))).list();
    }

    /** The shared pools, each with only {@code hostId}'s mount of it (none if that host announced none). */
    public List<StoragePool> sharedSeenBy(String hostId) {
        Map<String, List<StoragePool.Mount>> mounts = h.createQuery("SELECT * FROM storage_pool_hosts WHERE host_id = :h")
                .bind("h", hostId)
                .map((rs, ctx) -> Map.entry(rs.getString("pool_id"), new StoragePool.Mount(rs.getString("host_id"), rs.getString("path"))))
                .list().stream().collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        return h.createQuery("SELECT * FROM storage_pools WHERE kind = 'shared' ORDER BY name")
                .map((rs, ctx) -> map(rs, mounts.getOrDefault(rs.getString("id"), List.of()))).list();
    }

    /** The pools a host reaches. */
    public List<StoragePool> reachableFrom(String hostId) {
        return list().stream().filter(p -> p.mounts().stream().anyMatch(m -> m.hostId().equals(hostId))).toList();
    }

    /** Changes a pool's used bytes by {@code delta}, never below zero. */
    public void addUsed(String id, long delta) {
        h.createUpdate("UPDATE storage_pools SET used_bytes = greatest(0, used_bytes + :d) WHERE id = :id")
                .bind("d", delta).bind("id", id).execute();
    }

    private static StoragePool map(ResultSet rs, List<StoragePool.Mount> mounts) throws SQLException {
        return new StoragePool(rs.getString("id"), rs.getString("name"),
                StoragePool.Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT)), rs.getString("path"),
                rs.getString("host_id"), rs.getLong("total_bytes"), rs.getLong("used_bytes"), mounts,
                Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"));
    }
}
