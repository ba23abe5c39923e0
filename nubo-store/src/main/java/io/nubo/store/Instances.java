package io.nubo.store;

import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Instances. Queries that serve callers are scoped by account. */
public final class Instances {
    private final Handle h;

    Instances(Handle h) {
        this.h = h;
    }

    /** Where a page of a listing starts: after this (launch time, id). */
    public record Cursor(Instant launchTime, String id) {
    }

    private static final String INSERT = """
            INSERT INTO instances (id, account_id, reservation_id, image_id, instance_type, vcpus, memory_mib, state, task,
                                   host_id, name, key_name, user_data, state_reason, launch_time, updated_at, public_key,
                                   availability_zone, ha, root_size_gib)
            VALUES (:id, :acct, :res, :image, :type, :vcpus, :mem, :state, :task, :host, :name, :key, :ud, :reason, :launch, :launch, :pk,
                    :zone, :ha, :root)""";

    public void insert(Instance i) {
        insertAll(List.of(i));
    }

    /** Inserts new instances in one batch (one round trip). */
    /** These instances' root volumes outlive them (DeleteOnTermination=false); the claim that places each disk says so too. */
    public void keepRootVolumes(java.util.Collection<String> ids) {
        if (!ids.isEmpty()) {
            h.createUpdate("UPDATE instances SET root_delete_on_termination = false WHERE id = ANY(:ids)")
                    .bindArray("ids", String.class, List.copyOf(ids)).execute();
        }
    }

    public void insertAll(List<Instance> instances) {
        if (instances.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch(INSERT);
        for (Instance i : instances) {
            batch.bind("id", i.id()).bind("acct", i.accountId()).bind("res", i.reservationId()).bind("image", i.imageId())
                    .bind("type", i.instanceType()).bind("vcpus", i.vcpus()).bind("mem", i.memoryMib())
                    .bind("state", i.state().apiName()).bind("task", i.task().apiName()).bind("host", i.hostId())
                    .bind("name", i.name()).bind("key", i.keyName()).bind("ud", i.userData()).bind("reason", i.stateReason())
                    .bind("launch", Rows.utc(i.launchTime())).bind("pk", i.publicKey()).bind("zone", i.zone()).bind("ha", i.ha())
                    .bind("root", i.rootSizeGib()).add();
        }
        batch.execute();
    }

    /** The instance, if {@code accountId} owns it and it is still visible (terminated ones stay an hour). */
    public Optional<Instance> find(String id, String accountId, Instant visibleSince) {
        return h.createQuery("SELECT * FROM instances WHERE id = :id AND account_id = :a AND " + VISIBLE)
                .bind("id", id).bind("a", accountId).bind("since", Rows.utc(visibleSince)).map(Instances::map).findOne();
    }

    /** Locks the instance's row for a state change. Not scoped: callers check ownership first. */
    public Optional<Instance> lock(String id) {
        return h.createQuery("SELECT * FROM instances WHERE id = :id FOR UPDATE").bind("id", id).map(Instances::map).findOne();
    }

    public Optional<Instance> findAny(String id) {
        return h.createQuery("SELECT * FROM instances WHERE id = :id").bind("id", id).map(Instances::map).findOne();
    }

    private static final String VISIBLE = "(state <> 'terminated' OR terminated_at >= :since)";

    /** One page of the account's visible instances matching {@code filter}, in launch order. */
    public List<Instance> list(String accountId, InstanceFilter filter, Instant visibleSince, Optional<Cursor> after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM instances WHERE account_id = :a AND " + VISIBLE);
        Map<String, Object> binds = new java.util.HashMap<>();
        binds.put("a", accountId);
        binds.put("since", Rows.utc(visibleSince));
        anyOf(sql, binds, "id", filter.ids(), Function.identity());
        anyOf(sql, binds, "state", filter.states(), InstanceState::apiName);
        anyOf(sql, binds, "instance_type", filter.types(), Function.identity());
        anyOf(sql, binds, "image_id", filter.imageIds(), Function.identity());
        anyOf(sql, binds, "name", filter.names(), Function.identity());
        InstanceConditions.append(sql, binds, filter.conditions());
        after.ifPresent(c -> {
            sql.append(" AND (launch_time, id) > (:afterTime, :afterId)");
            binds.put("afterTime", Rows.utc(c.launchTime()));
            binds.put("afterId", c.id());
        });
        sql.append(" ORDER BY launch_time, id LIMIT :limit");
        binds.put("limit", limit);
        Query q = h.createQuery(sql.toString());
        binds.forEach(q::bind);
        return q.map(Instances::map).list();
    }

    /** Appends {@code AND (column = v1 OR column LIKE v2 ...)} for a non-empty list, with EC2's wildcards. */
    private static <T> void anyOf(StringBuilder sql, Map<String, Object> binds, String column, List<T> values,
                                  Function<T, String> text) {
        if (values.isEmpty()) {
            return;
        }
        List<String> terms = new ArrayList<>();
        for (T v : values) {
            String name = column + binds.size();
            String value = text.apply(v);
            if (Wildcards.has(value)) {
                binds.put(name, Wildcards.toLike(value));
                terms.add(column + " LIKE :" + name + " ESCAPE '!'");
            } else {
                binds.put(name, Wildcards.literal(value));
                terms.add(column + " = :" + name);
            }
        }
        sql.append(" AND (").append(String.join(" OR ", terms)).append(')');
    }

    /** The instances of one reservation of the account, in launch order. */
    public List<Instance> listByReservation(String accountId, String reservationId) {
        return h.createQuery("SELECT * FROM instances WHERE account_id = :a AND reservation_id = :r ORDER BY launch_time, id")
                .bind("a", accountId).bind("r", reservationId).map(Instances::map).list();
    }

    /** Which of these IDs name instances of the account that are still visible. */
    public java.util.Set<String> visibleIds(String accountId, java.util.Collection<String> ids, Instant visibleSince) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(h.createQuery("SELECT id FROM instances WHERE account_id = :a AND id = ANY(:ids) AND " + VISIBLE)
                .bind("a", accountId).bindArray("ids", String.class, ids).bind("since", Rows.utc(visibleSince))
                .mapTo(String.class).list());
    }

    /** Sets the instance's name (its {@code Name} tag); null clears it. */
    public void setName(String id, String name) {
        h.createUpdate("UPDATE instances SET name = :n WHERE id = :id").bind("n", name).bind("id", id).execute();
    }

    /** Claims up to {@code limit} pending instances that have no host yet; rows locked by another scheduler are skipped. */
    public List<Instance> claimUnscheduled(int limit) {
        return h.createQuery("""
                SELECT * FROM instances WHERE host_id IS NULL AND state = 'pending'
                ORDER BY launch_time, id LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .bind("limit", limit).map(Instances::map).list();
    }

    /** The instances a host should have: every one placed there that is not terminated. */
    public List<Instance> placedOn(String hostId) {
        return h.createQuery("SELECT * FROM instances WHERE host_id = :h AND state <> 'terminated' ORDER BY id")
                .bind("h", hostId).map(Instances::map).list();
    }

    /**
     * The instances on a host whose desired state changed after version {@code afterVersion} (see
     * {@link #update}), terminated ones included, in version order: what an agent that knows that
     * version lacks.
     */
    public List<Instance> changedOn(String hostId, long afterVersion) {
        return h.createQuery("SELECT * FROM instances WHERE host_id = :h AND desired_seq > :v ORDER BY desired_seq, id")
                .bind("h", hostId).bind("v", afterVersion).map(Instances::map).list();
    }

    /** Locks these instances, those of them placed on the host and not terminated, in ID order. */
    public List<Instance> lockOnHost(String hostId, java.util.Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return h.createQuery("""
                SELECT * FROM instances WHERE host_id = :h AND id = ANY(:ids) AND state <> 'terminated' ORDER BY id FOR UPDATE""")
                .bind("h", hostId).bindArray("ids", String.class, ids).map(Instances::map).list();
    }

    /** The version of a host's desired state (see {@link #update}). */
    public long desiredVersion(String hostId) {
        return h.createQuery("SELECT desired_version FROM hosts WHERE id = :h").bind("h", hostId).mapTo(Long.class).findOne().orElse(0L);
    }

    /** Counts by state, for metrics. */
    public Map<String, Long> countByState() {
        Map<String, Long> out = new java.util.TreeMap<>();
        h.createQuery("SELECT state, count(*) AS n FROM instances GROUP BY state")
                .map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getLong("n"))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Writes a changed instance. {@code desiredChanged} says whether the change alters what its
     * host should run: then the host's desired-state version goes up by one, in this transaction
     * and under the host's row lock, and the instance records that version in {@code desired_seq}.
     */
    public void update(Instance i, boolean desiredChanged) {
        updateAll(List.of(i), desiredChanged ? java.util.Set.of(i.id()) : java.util.Set.of());
    }

    /**
     * Writes changed instances in one batch. Those named in {@code desiredChanged} alter what their
     * hosts should run: each such host's desired-state version goes up by one (once, however many
     * of its instances changed), and those instances record the new version in {@code desired_seq}.
     * The bump takes the host's row lock until commit, so versions commit in order: an agent that
     * has seen version N has seen every change up to N. Hosts are bumped in ID order, so that two
     * transactions never wait for each other's hosts in a cycle.
     */
    public void updateAll(List<Instance> changed, java.util.Set<String> desiredChanged) {
        if (changed.isEmpty()) {
            return;
        }
        Map<String, Long> versions = new java.util.HashMap<>();
        changed.stream().filter(i -> i.hostId() != null && desiredChanged.contains(i.id())).map(Instance::hostId)
                .distinct().sorted().forEach(host -> versions.put(host, h.createQuery(
                        "UPDATE hosts SET desired_version = desired_version + 1 WHERE id = :h RETURNING desired_version")
                        .bind("h", host).mapTo(Long.class).one()));
        PreparedBatch batch = h.prepareBatch("""
                UPDATE instances SET state = :state, task = :task, host_id = :host, state_reason = :reason, updated_at = :now,
                       terminated_at = :term, reboot_generation = :reboot, force_stop = :force, instance_type = :type, vcpus = :vcpus,
                       memory_mib = :mem, ssh_host = :sshHost, ssh_port = :sshPort, desired_seq = coalesce(:seq, desired_seq)
                WHERE id = :id""");
        for (Instance i : changed) {
            Long seq = desiredChanged.contains(i.id()) && i.hostId() != null ? versions.get(i.hostId()) : null;
            batch.bind("id", i.id()).bind("state", i.state().apiName()).bind("task", i.task().apiName())
                    .bind("host", i.hostId()).bind("reason", i.stateReason()).bind("now", Rows.utc(i.updatedAt()))
                    .bind("term", Rows.utc(i.terminatedAt())).bind("reboot", i.rebootGeneration()).bind("force", i.forceStop())
                    .bind("type", i.instanceType()).bind("vcpus", i.vcpus()).bind("mem", i.memoryMib())
                    .bind("sshHost", i.sshHost()).bind("sshPort", i.sshPort()).bind("seq", seq).add();
        }
        batch.execute();
    }

    /**
     * Marks an instance's desired state as changed without changing its row otherwise (its volumes'
     * or snapshots' part changed): its host's version grows and the instance carries it. Nothing
     * happens for an instance on no host.
     */
    public void touchDesired(String instanceId) {
        h.createUpdate("""
                WITH v AS (UPDATE hosts SET desired_version = desired_version + 1
                           WHERE id = (SELECT host_id FROM instances WHERE id = :i) RETURNING desired_version)
                UPDATE instances SET desired_seq = (SELECT desired_version FROM v) WHERE id = :i AND EXISTS (SELECT 1 FROM v)""")
                .bind("i", instanceId).execute();
    }

    static Instance map(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Instance(rs.getString("id"), rs.getString("account_id"), rs.getString("reservation_id"),
                rs.getString("image_id"), rs.getString("instance_type"), rs.getInt("vcpus"), rs.getInt("memory_mib"),
                InstanceState.fromApiName(rs.getString("state")),
                InstanceTask.valueOf(rs.getString("task").toUpperCase(Locale.ROOT).replace('-', '_')),
                rs.getString("host_id"), rs.getString("name"), rs.getString("key_name"), rs.getString("user_data"),
                rs.getString("state_reason"), Rows.instant(rs, "launch_time"), Rows.instant(rs, "updated_at"),
                Rows.instant(rs, "terminated_at"), rs.getLong("reboot_generation"), rs.getBoolean("force_stop"), rs.getLong("desired_seq"),
                rs.getString("public_key"), rs.getString("ssh_host"), (Integer) rs.getObject("ssh_port"),
                rs.getString("availability_zone"), rs.getBoolean("ha"), (Integer) rs.getObject("root_size_gib"));
    }
}
