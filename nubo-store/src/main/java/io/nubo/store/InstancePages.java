package io.nubo.store;

import io.nubo.core.model.AttachmentState;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;
import io.nubo.core.model.VolumeAttachment;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.Query;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a page of listed instances shows besides their own rows: their tags, their security groups,
 * their private addresses, their placement groups and their block devices, each read for the whole page in one statement, and the statements
 * sent in one round trip to PostgreSQL (the driver sends them together and reads every result).
 *
 * <p>How the IDs are matched matters once PostgreSQL plans a prepared statement once for all
 * (its generic plan), without seeing the values:
 * <ul>
 *   <li>A page of more than {@link #FEW} IDs is matched with {@code IN (SELECT unnest(:ids))}.
 *       With {@code = ANY(:ids)}, the generic plan for a small table was a sequential scan that
 *       compared every row with every element of the array: 16 ms for a page of 1,000. The
 *       semi-join hashes the IDs (or probes the index on a large table) and stays linear.</li>
 *   <li>A few IDs (one instance described, say) are bound one by one, {@code IN (:id0, :id1)}:
 *       that generic plan probes the index, where the semi-join's hashes and scans the table.</li>
 * </ul>
 * The array is bound with {@link #textArray}: Jdbi's {@code bindArray} resolves generic types by
 * reflection on every call, which was a tenth of a one-instance describe's JVM time.
 */
public final class InstancePages {
    /** Up to this many IDs are bound one by one (one statement text per count, so a few texts). */
    static final int FEW = 16;

    private final Handle h;

    InstancePages(Handle h) {
        this.h = h;
    }

    /**
     * The tags (by resource ID, each list ordered by key) and the security groups (by instance ID,
     * each list ordered by group ID) of some of an account's instances.
     */
    public record Details(Map<String, List<Tag>> tags, Map<String, List<SecurityGroup>> groups,
                          Map<String, InstanceAddresses.Held> addresses, Map<String, PlacementGroups.Membership> placementGroups,
                          Map<String, List<VolumeAttachment>> blockDevices) {
    }

    /** The device a root volume is to its instance (the root disk is not a volume_attachments row). */
    public static final String ROOT_DEVICE = "/dev/vda";

    /** Every instance's block devices: its root volume (column {@code o} 0), and its attached volumes (1). */
    static final String BLOCK_DEVICES = "SELECT instance_id, volume_id, '" + ROOT_DEVICE + "' AS device, 'attached' AS state,"
            + " delete_on_termination, attached_at, 0 AS o FROM instance_root_disks WHERE volume_id IS NOT NULL"
            + " UNION ALL SELECT instance_id, volume_id, device, state, delete_on_termination, attached_at, 1 FROM volume_attachments";

    /**
     * The tags and groups of these instances of the account. The groups come as one row per group
     * with its instances' IDs: a page's instances share a few groups, and a row per instance made
     * PostgreSQL join, sort and send 1,000 copies of the same few rows.
     */
    public Details details(String accountId, Collection<String> instanceIds) {
        Map<String, List<Tag>> tags = new HashMap<>();
        Map<String, List<SecurityGroup>> groups = new HashMap<>();
        Map<String, InstanceAddresses.Held> addresses = new HashMap<>();
        Map<String, PlacementGroups.Membership> placementGroups = new HashMap<>();
        Map<String, List<VolumeAttachment>> blockDevices = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return new Details(tags, groups, addresses, placementGroups, blockDevices);
        }
        Query q = h.createQuery("SELECT resource_id, key, value FROM tags WHERE account_id = :a AND "
                + in("resource_id", instanceIds.size()) + " ORDER BY resource_id, key;\n"
                + "SELECT sg.*, m.instance_ids FROM ("
                + "SELECT group_id, array_agg(instance_id) AS instance_ids FROM instance_security_groups WHERE "
                + in("instance_id", instanceIds.size()) + " GROUP BY group_id) m "
                + "JOIN security_groups sg ON sg.id = m.group_id ORDER BY sg.id;\n"
                + "SELECT instance_id, zone, host_number FROM instance_addresses WHERE NOT released AND " + in("instance_id", instanceIds.size()) + ";\n"
                + "SELECT g.*, m.instance_id, m.partition_number FROM placement_group_members m JOIN placement_groups g ON g.id = m.group_id WHERE "
                + in("m.instance_id", instanceIds.size()) + ";\n"
                + "SELECT * FROM (" + BLOCK_DEVICES + ") b WHERE " + in("b.instance_id", instanceIds.size()) + " ORDER BY o, device");
        bindIds(q, instanceIds).bind("a", accountId);
        return q.execute((statement, ctx) -> {
            PreparedStatement st = statement.get();
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    tags.computeIfAbsent(rs.getString("resource_id"), k -> new ArrayList<>())
                            .add(new Tag(rs.getString("key"), rs.getString("value")));
                }
            }
            if (!st.getMoreResults()) {
                throw new IllegalStateException("no result from the groups statement");
            }
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    SecurityGroup g = SecurityGroups.map(rs);
                    for (String instance : (String[]) rs.getArray("instance_ids").getArray()) {
                        groups.computeIfAbsent(instance, k -> new ArrayList<>(1)).add(g);
                    }
                }
            }
            if (!st.getMoreResults()) {
                throw new IllegalStateException("no result from the addresses statement");
            }
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    addresses.put(rs.getString(1), new InstanceAddresses.Held(rs.getString(2), rs.getInt(3)));
                }
            }
            if (!st.getMoreResults()) {
                throw new IllegalStateException("no result from the placement groups statement");
            }
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    placementGroups.put(rs.getString("instance_id"),
                            new PlacementGroups.Membership(PlacementGroups.map(rs), (Integer) rs.getObject("partition_number")));
                }
            }
            if (!st.getMoreResults()) {
                throw new IllegalStateException("no result from the block devices statement");
            }
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    java.time.Instant at = Rows.instant(rs, "attached_at");
                    blockDevices.computeIfAbsent(rs.getString("instance_id"), k -> new ArrayList<>(1)).add(new VolumeAttachment(
                            rs.getString("volume_id"), rs.getString("instance_id"), rs.getString("device"),
                            AttachmentState.fromApiName(rs.getString("state")), rs.getBoolean("delete_on_termination"), false, at, at));
                }
            }
            return new Details(tags, groups, addresses, placementGroups, blockDevices);
        });
    }

    /** {@code column IN (...)} for this many IDs, bound by {@link #bindIds}. */
    private static String in(String column, int count) {
        if (count > FEW) {
            return column + " IN (SELECT unnest(:ids))";
        }
        StringBuilder b = new StringBuilder(column).append(" IN (");
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? ":id" : ", :id").append(i);
        }
        return b.append(')').toString();
    }

    private static Query bindIds(Query q, Collection<String> ids) {
        if (ids.size() > FEW) {
            return q.bind("ids", textArray(ids));
        }
        int i = 0;
        for (String id : ids) {
            q.bind("id" + i++, id);
        }
        return q;
    }

    /** The strings as one {@code text[]} parameter. */
    static Argument textArray(Collection<String> values) {
        String[] array = values.toArray(String[]::new);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("text", array));
    }
}
