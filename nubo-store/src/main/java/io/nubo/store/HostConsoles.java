package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Optional;

/** Remote hosts' console ports, one per host, replaced at each announcement. Not thread-safe (bound to one handle). */
public final class HostConsoles {
    private final Handle h;

    public HostConsoles(Handle h) {
        this.h = h;
    }

    /** A host's console port, with its key as sealed. */
    public record Port(String address, int port, byte[] keySealed) {
    }

    public void put(String hostId, String address, int port, byte[] keySealed, Instant at) {
        h.createUpdate("""
                INSERT INTO host_consoles (host_id, address, port, key_sealed, announced_at) VALUES (:h, :a, :p, :k, :at)
                ON CONFLICT (host_id) DO UPDATE SET address = excluded.address, port = excluded.port, key_sealed = excluded.key_sealed,
                  announced_at = excluded.announced_at""")
                .bind("h", hostId).bind("a", address).bind("p", port).bind("k", keySealed).bind("at", Rows.utc(at)).execute();
    }

    public Optional<Port> find(String hostId) {
        return h.createQuery("SELECT address, port, key_sealed FROM host_consoles WHERE host_id = :h").bind("h", hostId)
                .map((rs, c) -> new Port(rs.getString("address"), rs.getInt("port"), rs.getBytes("key_sealed"))).findOne();
    }
}
