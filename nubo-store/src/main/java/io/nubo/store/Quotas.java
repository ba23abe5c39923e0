package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Quota defaults and per-account overrides for the resources beyond the instance count (which
 * stays in {@code accounts.instance_quota}). A resource with neither has no limit.
 */
public final class Quotas {
    private final Handle h;

    Quotas(Handle h) {
        this.h = h;
    }

    public Map<String, Long> defaults() {
        return h.createQuery("SELECT resource, value FROM quota_defaults").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public Map<String, Long> overrides(String accountId) {
        return h.createQuery("SELECT resource, value FROM account_quotas WHERE account_id = :a").bind("a", accountId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public void setDefault(String resource, long value) {
        h.createUpdate("INSERT INTO quota_defaults (resource, value) VALUES (:r, :v) ON CONFLICT (resource) DO UPDATE SET value = :v")
                .bind("r", resource).bind("v", value).execute();
    }

    public void setOverride(String accountId, String resource, long value) {
        h.createUpdate("""
                INSERT INTO account_quotas (account_id, resource, value) VALUES (:a, :r, :v)
                ON CONFLICT (account_id, resource) DO UPDATE SET value = :v""")
                .bind("a", accountId).bind("r", resource).bind("v", value).execute();
    }

    public void setInstanceQuota(String accountId, int value) {
        h.createUpdate("UPDATE accounts SET instance_quota = :v WHERE id = :a").bind("a", accountId).bind("v", value).execute();
    }

    /** What an account's instances that are not terminated hold: instances, vCPUs and MiB of memory. */
    public record InUse(long instances, long vcpus, long memoryMib) {
    }

    public InUse inUse(String accountId) {
        return h.createQuery("""
                SELECT count(*), coalesce(sum(vcpus), 0), coalesce(sum(memory_mib), 0)
                FROM instances WHERE account_id = :a AND state <> 'terminated'""")
                .bind("a", accountId).map((rs, ctx) -> new InUse(rs.getLong(1), rs.getLong(2), rs.getLong(3))).one();
    }
}
