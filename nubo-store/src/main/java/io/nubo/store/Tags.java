package io.nubo.store;

import io.nubo.core.model.ResourceTag;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Tags, always the tagging account's own. */
public final class Tags {
    private final Handle h;

    Tags(Handle h) {
        this.h = h;
    }

    private static final String PUT = """
            INSERT INTO tags (account_id, resource_id, resource_type, key, value) VALUES (:a, :r, :t, :k, :v)
            ON CONFLICT (account_id, resource_id, key) DO UPDATE SET value = :v""";

    public void put(String accountId, String resourceId, ResourceType type, Tag tag) {
        putAll(accountId, type, Map.of(resourceId, List.of(tag)));
    }

    /** Sets the given tags on each resource (key) of the account, in one batch. */
    public void putAll(String accountId, ResourceType type, Map<String, List<Tag>> tagsByResource) {
        PreparedBatch batch = h.prepareBatch(PUT);
        tagsByResource.forEach((resource, tags) -> tags.forEach(tag -> batch.bind("a", accountId).bind("r", resource)
                .bind("t", type.apiName()).bind("k", tag.key()).bind("v", tag.value()).add()));
        if (batch.size() > 0) {
            batch.execute();
        }
    }

    /** Deletes one tag, or only if its value is {@code value} when that is not null; returns whether it did. */
    public boolean delete(String accountId, String resourceId, String key, String value) {
        return h.createUpdate("DELETE FROM tags WHERE account_id = :a AND resource_id = :r AND key = :k AND (CAST(:v AS text) IS NULL OR value = :v)")
                .bind("a", accountId).bind("r", resourceId).bind("k", key).bind("v", value).execute() == 1;
    }

    public void deleteAll(String accountId, String resourceId) {
        h.createUpdate("DELETE FROM tags WHERE account_id = :a AND resource_id = :r").bind("a", accountId).bind("r", resourceId).execute();
    }

    /** The keys the resource has now. */
    public List<String> keys(String accountId, String resourceId) {
        return h.createQuery("SELECT key FROM tags WHERE account_id = :a AND resource_id = :r ORDER BY key")
                .bind("a", accountId).bind("r", resourceId).mapTo(String.class).list();
    }

    /** The tags of each of these resources, by resource ID, each list ordered by key. */
    public Map<String, List<Tag>> forResources(String accountId, Collection<String> resourceIds) {
        Map<String, List<Tag>> out = new HashMap<>();
        if (resourceIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT resource_id, key, value FROM tags WHERE account_id = :a AND resource_id = ANY(:ids) ORDER BY resource_id, key")
                .bind("a", accountId).bindArray("ids", String.class, resourceIds)
                .map((rs, ctx) -> Map.entry(rs.getString("resource_id"), new Tag(rs.getString("key"), rs.getString("value"))))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    /** Every tag of the account on a resource that is still visible, ordered by resource and key. */
    public List<ResourceTag> list(String accountId, Instant instancesVisibleSince) {
        return h.createQuery("""
                SELECT t.* FROM tags t LEFT JOIN instances i ON t.resource_type = 'instance' AND i.id = t.resource_id
                WHERE t.account_id = :a AND (i.id IS NULL OR i.state <> 'terminated' OR i.terminated_at >= :since)
                ORDER BY t.resource_id, t.key""")
                .bind("a", accountId).bind("since", Rows.utc(instancesVisibleSince))
                .map((rs, ctx) -> new ResourceTag(rs.getString("resource_id"),
                        ResourceType.fromApiName(rs.getString("resource_type")).orElseThrow(), rs.getString("key"), rs.getString("value")))
                .list();
    }
}
