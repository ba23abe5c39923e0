package io.nubo.store;

import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.Query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a page of listed instances shows besides their own rows: their tags and their security
 * groups, each read for the whole page in one statement.
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

    /** The account's tags on these resources, by resource ID, each list ordered by key. */
    public Map<String, List<Tag>> tags(String accountId, Collection<String> resourceIds) {
        Map<String, List<Tag>> out = new HashMap<>();
        if (resourceIds.isEmpty()) {
            return out;
        }
        Query q = h.createQuery("SELECT resource_id, key, value FROM tags WHERE account_id = :a AND "
                + in("resource_id", resourceIds.size()) + " ORDER BY resource_id, key");
        bindIds(q, resourceIds).bind("a", accountId)
                .map((rs, ctx) -> Map.entry(rs.getString("resource_id"), new Tag(rs.getString("key"), rs.getString("value"))))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    /**
     * The security groups of these instances, by instance ID, each list ordered by group ID. One
     * row per group with its instances' IDs: a page's instances share a few groups, and a row per
     * instance made PostgreSQL join, sort and send 1,000 copies of the same few rows.
     */
    public Map<String, List<SecurityGroup>> groups(Collection<String> instanceIds) {
        Map<String, List<SecurityGroup>> out = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        Query q = h.createQuery("SELECT sg.*, m.instance_ids FROM ("
                + "SELECT group_id, array_agg(instance_id) AS instance_ids FROM instance_security_groups WHERE "
                + in("instance_id", instanceIds.size()) + " GROUP BY group_id) m "
                + "JOIN security_groups sg ON sg.id = m.group_id ORDER BY sg.id");
        bindIds(q, instanceIds)
                .map((rs, ctx) -> Map.entry(SecurityGroups.map(rs), (String[]) rs.getArray("instance_ids").getArray()))
                .forEach(e -> {
                    for (String instance : e.getValue()) {
                        out.computeIfAbsent(instance, k -> new ArrayList<>(1)).add(e.getKey());
                    }
                });
        return out;
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
