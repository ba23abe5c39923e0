package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What partners set for their customers: markups on the hoster's prices, and default quotas. */
public final class Partners {
    private final Handle h;

    Partners(Handle h) {
        this.h = h;
    }

    /** A markup of {@code basisPoints} (2000 = +20%) from {@code effectiveFrom} until the partner's next one. */
    public record Markup(String partnerId, Instant effectiveFrom, int basisPoints) {
    }

    /** A partner's markups in time order. */
    public List<Markup> markups(String partnerId) {
        return h.createQuery("SELECT * FROM partner_markups WHERE partner_id = :p ORDER BY effective_from").bind("p", partnerId)
                .map((rs, ctx) -> new Markup(rs.getString("partner_id"), Rows.instant(rs, "effective_from"), rs.getInt("basis_points")))
                .list();
    }

    public void insertMarkup(Markup m, Instant createdAt, String createdBy) {
        h.createUpdate("""
                INSERT INTO partner_markups (partner_id, effective_from, basis_points, created_at, created_by)
                VALUES (:p, :from, :bp, :at, :by)""")
                .bind("p", m.partnerId()).bind("from", Rows.utc(m.effectiveFrom())).bind("bp", m.basisPoints())
                .bind("at", Rows.utc(createdAt)).bind("by", createdBy).execute();
    }

    /** The partner's default quotas for its customers, by resource. */
    public Map<String, Long> quotaDefaults(String partnerId) {
        return h.createQuery("SELECT resource, value FROM partner_quota_defaults WHERE partner_id = :p").bind("p", partnerId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    public void setQuotaDefault(String partnerId, String resource, long value) {
        h.createUpdate("""
                INSERT INTO partner_quota_defaults (partner_id, resource, value) VALUES (:p, :r, :v)
                ON CONFLICT (partner_id, resource) DO UPDATE SET value = :v""")
                .bind("p", partnerId).bind("r", resource).bind("v", value).execute();
    }
}
