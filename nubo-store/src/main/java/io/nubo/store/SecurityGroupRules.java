package io.nubo.store;

import io.nubo.core.model.SecurityGroupRule;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** The rules of security groups. Callers check that the group is the caller's first. */
public final class SecurityGroupRules {
    private final Handle h;

    SecurityGroupRules(Handle h) {
        this.h = h;
    }

    /** Inserts the rule; returns false if the group already has the same rule. */
    public boolean insert(SecurityGroupRule r, Instant at) {
        return h.createUpdate("""
                INSERT INTO security_group_rules (id, group_id, egress, protocol, from_port, to_port, cidr_ipv4, cidr_ipv6,
                                                  ref_group_id, description, created_at)
                VALUES (:id, :g, :egress, :proto, :from, :to, :v4, :v6, :ref, :d, :at) ON CONFLICT DO NOTHING""")
                .bind("id", r.id()).bind("g", r.groupId()).bind("egress", r.egress()).bind("proto", r.protocol())
                .bind("from", r.fromPort()).bind("to", r.toPort()).bind("v4", r.cidrIpv4()).bind("v6", r.cidrIpv6())
                .bind("ref", r.referencedGroupId()).bind("d", r.description() == null ? "" : r.description())
                .bind("at", Rows.utc(at)).execute() == 1;
    }

    /** The rules of these groups, in the order they were added. */
    public List<SecurityGroupRule> forGroups(Collection<String> groupIds) {
        if (groupIds.isEmpty()) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM security_group_rules WHERE group_id = ANY(:ids) ORDER BY created_at, id")
                .bindArray("ids", String.class, groupIds).map((rs, ctx) -> map(rs)).list();
    }

    public void delete(Collection<String> ruleIds) {
        if (!ruleIds.isEmpty()) {
            h.createUpdate("DELETE FROM security_group_rules WHERE id = ANY(:ids)").bindArray("ids", String.class, ruleIds).execute();
        }
    }

    private static SecurityGroupRule map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new SecurityGroupRule(rs.getString("id"), rs.getString("group_id"), rs.getBoolean("egress"), rs.getString("protocol"),
                (Integer) rs.getObject("from_port"), (Integer) rs.getObject("to_port"), rs.getString("cidr_ipv4"),
                rs.getString("cidr_ipv6"), rs.getString("ref_group_id"), rs.getString("description"));
    }
}
