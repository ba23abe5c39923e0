package io.nubo.store;

import io.nubo.core.agent.HostRegistration;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.HostUsage;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Hypervisor hosts, their capacity and allocations, and their leases. */
public final class Hosts {
    private final Handle h;

    Hosts(Handle h) {
        this.h = h;
    }

    /** Registers a host by name, or refreshes the facts of the one with that name. Returns its ID. */
    public String upsert(String newId, HostRegistration r, Instant now, Instant leaseExpiry) {
        return h.createQuery("""
                INSERT INTO hosts (id, name, state, driver, accelerator, architecture, zone, vcpus, memory_mib, disk_gib,
                                   last_heartbeat, lease_expires_at, created_at)
                VALUES (:id, :name, 'up', :driver, :accel, :arch, :zone, :vcpus, :mem, :disk, :now, :lease, :now)
                ON CONFLICT (name) DO UPDATE SET driver = :driver, accelerator = :accel, architecture = :arch, zone = :zone, vcpus = :vcpus,
                    memory_mib = :mem, disk_gib = :disk, last_heartbeat = :now, lease_expires_at = :lease,
                    state = CASE WHEN hosts.state IN ('suspect', 'down', 'removed') THEN 'up' ELSE hosts.state END
                RETURNING id""")
                .bind("id", newId).bind("name", r.name()).bind("driver", r.driver()).bind("accel", r.accelerator())
                .bind("arch", r.architecture())
                .bind("zone", r.zone()).bind("vcpus", r.vcpus()).bind("mem", r.memoryMib()).bind("disk", r.diskGib())
                .bind("now", Rows.utc(now)).bind("lease", Rows.utc(leaseExpiry))
                .mapTo(String.class).one();
    }

    /** Renews a lease; a suspect host is up again. Returns false for an unknown host. */
    public boolean renewLease(String id, Instant now, Instant leaseExpiry) {
        return h.createUpdate("""
                UPDATE hosts SET last_heartbeat = :now, lease_expires_at = :lease,
                    state = CASE WHEN state = 'suspect' THEN 'up' ELSE state END
                WHERE id = :id""")
                .bind("id", id).bind("now", Rows.utc(now)).bind("lease", Rows.utc(leaseExpiry)).execute() == 1;
    }

    /**
     * Hosts whose lease ran out before {@code cutoff} and that are not down yet, nor in maintenance
     * (an operator emptied those on purpose), locked, skipping those another server's failover pass
     * holds: the hosts to mark down.
     */
    public List<Host> claimLeaseLost(Instant cutoff) {
        return h.createQuery("""
                SELECT * FROM hosts WHERE state NOT IN ('down', 'maintenance', 'removed') AND lease_expires_at < :cutoff
                ORDER BY id FOR UPDATE SKIP LOCKED""")
                .bind("cutoff", Rows.utc(cutoff)).map((rs, ctx) -> map(rs)).list();
    }

    /**
     * Down hosts that still hold HA instances to restart and whose lease ran out before
     * {@code cutoff} (a down host whose agent calls in again holds a lease, and may be running them
     * again), locked, skipping those another server's failover pass holds.
     */
    public List<Host> claimDownWithHaInstances(Instant cutoff) {
        return h.createQuery("""
                SELECT * FROM hosts h WHERE state = 'down' AND lease_expires_at < :cutoff
                  AND EXISTS (SELECT 1 FROM instances i WHERE i.host_id = h.id AND i.ha AND i.state IN ('pending', 'running'))
                ORDER BY id FOR UPDATE SKIP LOCKED""")
                .bind("cutoff", Rows.utc(cutoff)).map((rs, ctx) -> map(rs)).list();
    }

    /** Marks up hosts whose lease ran out as suspect; returns their IDs. */
    public List<String> markExpiredSuspect(Instant now) {
        return h.createQuery("UPDATE hosts SET state = 'suspect' WHERE state = 'up' AND lease_expires_at < :now RETURNING id")
                .bind("now", Rows.utc(now)).mapTo(String.class).list();
    }

    /** What the VMs of these hosts use (see {@link HostUsage}); a host with nothing is absent. */
    public java.util.Map<String, HostUsage> usage(java.util.Collection<String> hostIds) {
        if (hostIds.isEmpty()) {
            return java.util.Map.of();
        }
        java.util.Map<String, HostUsage> out = new java.util.HashMap<>();
        h.createQuery("""
                SELECT h.id,
                  coalesce(vm.vcpus, 0) AS vcpus, coalesce(vm.memory, 0) AS memory, coalesce(p.used_bytes, 0) AS disk
                FROM hosts h
                LEFT JOIN (SELECT host_id, sum(vcpus) AS vcpus, sum(memory_mib) AS memory FROM instances
                           WHERE host_id IN (<ids>) AND state IN ('pending', 'running', 'stopping') GROUP BY host_id) vm ON vm.host_id = h.id
                LEFT JOIN storage_pools p ON p.kind = 'local' AND p.host_id = h.id
                WHERE h.id IN (<ids>)""")
                .bindList("ids", List.copyOf(hostIds))
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("id"), new HostUsage(rs.getInt("vcpus"), rs.getInt("memory"), rs.getLong("disk"))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public Optional<Host> find(String id) {
        return h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Host> list() {
        return h.createQuery("SELECT * FROM hosts WHERE state <> 'removed' ORDER BY name").map((rs, ctx) -> map(rs)).list();
    }

    /** Locks one host's row for this transaction, to check and change its allocation. */
    public Optional<Host> lock(String id) {
        return h.createQuery("SELECT * FROM hosts WHERE id = :id FOR UPDATE").bind("id", id).map((rs, ctx) -> map(rs)).findOne();
    }

    /** Hosts that can take new instances, locked for this transaction in a stable order. */
    public List<Host> lockSchedulable() {
        return h.createQuery("SELECT * FROM hosts WHERE state = 'up' ORDER BY id FOR UPDATE")
                .map((rs, ctx) -> map(rs)).list();
    }

    /** How many instances of this size the up hosts could still take, by their free capacity. */
    public long freeSlots(int vcpus, int memoryMib) {
        return h.createQuery("""
                SELECT coalesce(sum(greatest(0, least((floor(vcpus * cpu_ratio)::int - allocated_vcpus) / :v,
                                                     (floor(memory_mib * memory_ratio)::int - allocated_memory_mib) / :m))), 0)
                FROM hosts WHERE state = 'up'""")
                .bind("v", vcpus).bind("m", memoryMib).mapTo(Long.class).one();
    }

    /** Sets a host's state (an operator's decision; leases only move hosts between up and suspect). */
    public void setState(String id, HostState state) {
        h.createUpdate("UPDATE hosts SET state = :s WHERE id = :id").bind("id", id).bind("s", state.apiName()).execute();
    }

    /** Raises a host's desired-state version, so that its agent's long-poll returns (a migration it takes part in changed). */
    public void bumpDesired(String id) {
        h.createUpdate("UPDATE hosts SET desired_version = desired_version + 1 WHERE id = :id").bind("id", id).execute();
    }

    /** Starts a drain: the host is {@code draining} from now. */
    public void startDrain(String id, Instant now) {
        h.createUpdate("UPDATE hosts SET state = 'draining', drain_started_at = :now WHERE id = :id")
                .bind("id", id).bind("now", Rows.utc(now)).execute();
    }

    /** When the host's current drain started, if it is draining or was drained. */
    public Optional<Instant> drainStartedAt(String id) {
        return h.createQuery("SELECT drain_started_at FROM hosts WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> Rows.instant(rs, "drain_started_at")).findOne().filter(java.util.Objects::nonNull);
    }

    /** Draining hosts, locked, skipping those another server's drain pass holds. */
    public List<Host> claimDraining() {
        return h.createQuery("SELECT * FROM hosts WHERE state = 'draining' ORDER BY id FOR UPDATE SKIP LOCKED")
                .map((rs, ctx) -> map(rs)).list();
    }

    /** Finds a host by ID or by name. */
    public Optional<Host> findByIdOrName(String idOrName) {
        return h.createQuery("SELECT * FROM hosts WHERE (id = :v OR name = :v) AND state <> 'removed' ORDER BY (id = :v) DESC LIMIT 1")
                .bind("v", idOrName)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** How many instances are placed on the host and not terminated. */
    public long instancesOn(String id) {
        return h.createQuery("SELECT count(*) FROM instances WHERE host_id = :id AND state <> 'terminated'")
                .bind("id", id).mapTo(Long.class).one();
    }

    public boolean setOvercommit(String id, double cpuRatio, double memoryRatio) {
        return h.createUpdate("UPDATE hosts SET cpu_ratio = :c, memory_ratio = :m WHERE id = :id")
                .bind("id", id).bind("c", cpuRatio).bind("m", memoryRatio).execute() == 1;
    }

    /** Changes a host's allocation by the given (possibly negative) amounts. */
    public void allocate(String id, int vcpus, int memoryMib) {
        h.createUpdate("""
                UPDATE hosts SET allocated_vcpus = allocated_vcpus + :v, allocated_memory_mib = allocated_memory_mib + :m
                WHERE id = :id""")
                .bind("id", id).bind("v", vcpus).bind("m", memoryMib).execute();
    }

    private static Host map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Host(rs.getString("id"), rs.getString("name"), HostState.valueOf(rs.getString("state").toUpperCase()),
                rs.getString("driver"), rs.getString("accelerator"), rs.getString("architecture"), rs.getString("zone"), rs.getInt("vcpus"),
                rs.getInt("memory_mib"), rs.getInt("disk_gib"), rs.getDouble("cpu_ratio"), rs.getDouble("memory_ratio"), rs.getInt("allocated_vcpus"), rs.getInt("allocated_memory_mib"),
                Rows.instant(rs, "last_heartbeat"), Rows.instant(rs, "lease_expires_at"), Rows.instant(rs, "created_at"));
    }
}
