package io.nubo.store;

import io.nubo.core.model.SecurityGroup;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Security groups (always scoped by account) and the groups each instance was launched with. */
public final class SecurityGroups {
    private final Handle h;

    SecurityGroups(Handle h) {
        this.h = h;
    }

    /** Inserts the group; returns false if its VPC already has a group of that name. */
    public boolean insert(SecurityGroup g) {
        return h.createUpdate("""
                INSERT INTO security_groups (id, account_id, vpc_id, name, description, created_at)
                VALUES (:id, :a, :vpc, :name, :d, :at) ON CONFLICT (account_id, vpc_id, name) DO NOTHING""")
                .bind("id", g.id()).bind("a", g.accountId()).bind("vpc", g.vpcId()).bind("name", g.name())
                .bind("d", g.description()).bind("at", Rows.utc(g.createdAt())).execute() == 1;
    }

    public Optional<SecurityGroup> find(String id, String accountId) {
        return h.createQuery("SELECT * FROM security_groups WHERE id = :id AND account_id = :a").bind("id", id).bind("a", accountId)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    /** Locks the group's row until the transaction ends, to serialise changes to its rules. */
    public Optional<SecurityGroup> lock(String id, String accountId) {
        return h.createQuery("SELECT * FROM security_groups WHERE id = :id AND account_id = :a FOR UPDATE")
                .bind("id", id).bind("a", accountId).map((rs, ctx) -> map(rs)).findOne();
    }

    public Optional<SecurityGroup> findByName(String accountId, String vpcId, String name) {
        return h.createQuery("SELECT * FROM security_groups WHERE account_id = :a AND vpc_id = :vpc AND name = :n")
                .bind("a", accountId).bind("vpc", vpcId).bind("n", name).map((rs, ctx) -> map(rs)).findOne();
    }

    public List<SecurityGroup> list(String accountId) {
        return h.createQuery("SELECT * FROM security_groups WHERE account_id = :a ORDER BY id").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    public void delete(String id) {
        h.createUpdate("DELETE FROM instance_security_groups WHERE group_id = :id").bind("id", id).execute();
        h.createUpdate("DELETE FROM security_groups WHERE id = :id").bind("id", id).execute();
    }

    /** The instances that use the group and are not terminated. */
    public List<String> activeInstancesUsing(String groupId) {
        return h.createQuery("""
                SELECT i.id FROM instance_security_groups g JOIN instances i ON i.id = g.instance_id
                WHERE g.group_id = :g AND i.state <> 'terminated' ORDER BY i.id""")
                .bind("g", groupId).mapTo(String.class).list();
    }

    /** The other groups whose rules name this group as their peer. */
    public List<String> referencingGroups(String groupId) {
        return h.createQuery("SELECT DISTINCT group_id FROM security_group_rules WHERE ref_group_id = :g AND group_id <> :g ORDER BY 1")
                .bind("g", groupId).mapTo(String.class).list();
    }

    /** Takes the instance out of all its groups. */
    public void detachAll(String instanceId) {
        h.createUpdate("DELETE FROM instance_security_groups WHERE instance_id = :i").bind("i", instanceId).execute();
    }

    public void attach(String instanceId, Collection<String> groupIds) {
        attachAll(Map.of(instanceId, groupIds));
    }

    /** Puts each instance (key) in its groups (value), in one batch. */
    public void attachAll(Map<String, ? extends Collection<String>> groupsByInstance) {
        PreparedBatch batch = h.prepareBatch(
                "INSERT INTO instance_security_groups (instance_id, group_id) VALUES (:i, :g) ON CONFLICT DO NOTHING");
        groupsByInstance.forEach((instance, groups) -> groups.forEach(g -> batch.bind("i", instance).bind("g", g).add()));
        if (batch.size() > 0) {
            batch.execute();
        }
    }

    /** The groups of each of these instances, by instance ID, each list ordered by group ID. */
    public Map<String, List<SecurityGroup>> forInstances(Collection<String> instanceIds) {
        Map<String, List<SecurityGroup>> out = new LinkedHashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("""
                SELECT isg.instance_id, sg.* FROM instance_security_groups isg JOIN security_groups sg ON sg.id = isg.group_id
                WHERE isg.instance_id = ANY(:ids) ORDER BY isg.instance_id, sg.id""")
                .bindArray("ids", String.class, instanceIds)
                .map((rs, ctx) -> Map.entry(rs.getString("instance_id"), map(rs)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue()));
        return out;
    }

    static SecurityGroup map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new SecurityGroup(rs.getString("id"), rs.getString("account_id"), rs.getString("vpc_id"), rs.getString("name"),
                rs.getString("description"), Rows.instant(rs, "created_at"));
    }
}
