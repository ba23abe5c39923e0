package io.nubo.store;

import io.nubo.core.model.PlacementGroup;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Placement groups and their members, scoped by account where a caller names them. */
public final class PlacementGroups {
    private final Handle h;

    PlacementGroups(Handle h) {
        this.h = h;
    }

    /** Inserts the group; returns false if the account already has one with that name. */
    public boolean insert(PlacementGroup g) {
        return h.createUpdate("""
                INSERT INTO placement_groups (id, account_id, name, strategy, partition_count, created_at)
                VALUES (:id, :a, :name, :strategy, :partitions, :at) ON CONFLICT (account_id, name) DO NOTHING""")
                .bind("id", g.id()).bind("a", g.accountId()).bind("name", g.name()).bind("strategy", g.strategy().apiName())
                .bind("partitions", g.partitionCount()).bind("at", Rows.utc(g.createdAt())).execute() == 1;
    }

    public List<PlacementGroup> list(String accountId) {
        return h.createQuery("SELECT * FROM placement_groups WHERE account_id = :a ORDER BY name").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    /** The account's group with this name, locked until the transaction ends. */
    public Optional<PlacementGroup> lockByName(String accountId, String name) {
        return h.createQuery("SELECT * FROM placement_groups WHERE account_id = :a AND name = :n FOR UPDATE")
                .bind("a", accountId).bind("n", name).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<PlacementGroup> find(String accountId, String nameOrId) {
        return h.createQuery("SELECT * FROM placement_groups WHERE account_id = :a AND (name = :v OR id = :v)")
                .bind("a", accountId).bind("v", nameOrId).map((rs, ctx) -> map(rs)).findOne();
    }

    public void delete(String id) {
        h.createUpdate("DELETE FROM placement_groups WHERE id = :id").bind("id", id).execute();
    }

    /** How many of the group's instances are not terminated. */
    public long liveMembers(String groupId) {
        return h.createQuery("""
                SELECT count(*) FROM placement_group_members m JOIN instances i ON i.id = m.instance_id
                WHERE m.group_id = :g AND i.state <> 'terminated'""").bind("g", groupId).mapTo(Long.class).one();
    }

    /** The live members of the group per partition (partition groups), for choosing the next ones' partitions. */
    public Map<Integer, Long> liveMembersByPartition(String groupId) {
        Map<Integer, Long> out = new HashMap<>();
        h.createQuery("""
                SELECT m.partition_number, count(*) FROM placement_group_members m JOIN instances i ON i.id = m.instance_id
                WHERE m.group_id = :g AND i.state <> 'terminated' AND m.partition_number IS NOT NULL GROUP BY m.partition_number""")
                .bind("g", groupId).map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Adds instances to a group, each with its partition (null outside partition groups). */
    public void addMembers(String groupId, Map<String, Integer> partitionByInstance) {
        if (partitionByInstance.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO placement_group_members (instance_id, group_id, partition_number) VALUES (:i, :g, :p)");
        partitionByInstance.forEach((instance, partition) -> batch.bind("i", instance).bind("g", groupId)
                .bind("p", partition).add());
        batch.execute();
    }

    /** An instance's membership: its group, and its partition in a partition group. */
    public record Membership(PlacementGroup group, Integer partition) {
    }

    /** The memberships of these instances (those in no group are absent). */
    public Map<String, Membership> memberships(Collection<String> instanceIds) {
        Map<String, Membership> out = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("""
                SELECT g.*, m.instance_id, m.partition_number FROM placement_group_members m JOIN placement_groups g ON g.id = m.group_id
                WHERE m.instance_id IN (SELECT unnest(:ids))""").bind("ids", InstancePages.textArray(instanceIds))
                .map((rs, ctx) -> Map.entry(rs.getString("instance_id"), new Membership(map(rs), (Integer) rs.getObject("partition_number"))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** Where a group's live members are placed: host ID to the partitions on it (an empty set outside partition groups). */
    public Map<String, Map<String, Set<Integer>>> placedMembers(Collection<String> groupIds) {
        Map<String, Map<String, Set<Integer>>> out = new HashMap<>();
        if (groupIds.isEmpty()) {
            return out;
        }
        record Placed(String group, String host, Integer partition) {
        }
        h.createQuery("""
                SELECT m.group_id, i.host_id, m.partition_number FROM placement_group_members m JOIN instances i ON i.id = m.instance_id
                WHERE m.group_id IN (SELECT unnest(:ids)) AND i.host_id IS NOT NULL AND i.state <> 'terminated'""")
                .bind("ids", InstancePages.textArray(groupIds))
                .map((rs, ctx) -> new Placed(rs.getString(1), rs.getString(2), (Integer) rs.getObject(3)))
                .forEach(p -> {
                    Set<Integer> partitions = out.computeIfAbsent(p.group(), g -> new HashMap<>()).computeIfAbsent(p.host(), x -> new HashSet<>());
                    if (p.partition() != null) {
                        partitions.add(p.partition());
                    }
                });
        return out;
    }

    static PlacementGroup map(ResultSet rs) throws SQLException {
        return new PlacementGroup(rs.getString("id"), rs.getString("account_id"), rs.getString("name"),
                PlacementGroup.Strategy.of(rs.getString("strategy")).orElseThrow(), rs.getInt("partition_count"), Rows.instant(rs, "created_at"));
    }
}
