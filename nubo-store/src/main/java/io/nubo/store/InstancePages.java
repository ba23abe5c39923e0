package io.nubo.store;

import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a page of listed instances shows besides their own rows: their tags and their security
 * groups, each read for the whole page in one statement.
 *
 * <p>The IDs are matched with {@code IN (SELECT unnest(:ids))}, not {@code = ANY(:ids)}: once
 * PostgreSQL switches a prepared statement to its generic plan, {@code = ANY($1)} on a small
 * table becomes a sequential scan that compares every row with every element of the array, which
 * for a page of 1,000 instances took 16 ms; the semi-join hashes the IDs or probes the index, and
 * stays linear. The array is bound with {@link #textArray}: Jdbi's {@code bindArray} resolves
 * generic types by reflection on every call, which was a tenth of a one-instance describe's JVM
 * time.
 */
public final class InstancePages {
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
        h.createQuery("""
                SELECT resource_id, key, value FROM tags
                WHERE account_id = :a AND resource_id IN (SELECT unnest(:ids))
                ORDER BY resource_id, key""")
                .bind("a", accountId).bind("ids", textArray(resourceIds))
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
        h.createQuery("""
                SELECT sg.*, m.instance_ids FROM (
                    SELECT group_id, array_agg(instance_id) AS instance_ids FROM instance_security_groups
                    WHERE instance_id IN (SELECT unnest(:ids)) GROUP BY group_id) m
                JOIN security_groups sg ON sg.id = m.group_id
                ORDER BY sg.id""")
                .bind("ids", textArray(instanceIds))
                .map((rs, ctx) -> Map.entry(SecurityGroups.map(rs), (String[]) rs.getArray("instance_ids").getArray()))
                .forEach(e -> {
                    for (String instance : e.getValue()) {
                        out.computeIfAbsent(instance, k -> new ArrayList<>(1)).add(e.getKey());
                    }
                });
        return out;
    }

    /** The strings as one {@code text[]} parameter. */
    static Argument textArray(Collection<String> values) {
        String[] array = values.toArray(String[]::new);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("text", array));
    }
}
