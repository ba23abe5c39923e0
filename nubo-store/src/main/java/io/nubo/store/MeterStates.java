package io.nubo.store;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageType;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The meter's state per metered resource. */
public final class MeterStates {
    private final Handle h;

    MeterStates(Handle h) {
        this.h = h;
    }

    public List<MeterState> find(Collection<String> resourceIds) {
        return h.createQuery("SELECT * FROM meter_state WHERE resource_id = ANY(:ids)")
                .bind("ids", resourceIds.toArray(new String[0])).map((rs, ctx) -> map(rs)).list();
    }

    public void upsert(MeterState m) {
        upsertAll(List.of(m));
    }

    /** Stores these meter states in one batch. */
    public void upsertAll(Collection<MeterState> states) {
        if (states.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("""
                INSERT INTO meter_state (resource_id, account_id, usage_type, sku, size, started_at, start_event_id, last_event_id)
                VALUES (:r, :a, :t, :sku, :size, :started, :se, :le)
                ON CONFLICT (resource_id) DO UPDATE SET account_id = :a, usage_type = :t, sku = :sku, size = :size,
                    started_at = :started, start_event_id = :se, last_event_id = :le""");
        for (MeterState m : states) {
            batch.bind("r", m.resourceId()).bind("a", m.accountId()).bind("t", m.type().apiName()).bind("sku", m.sku())
                    .bind("size", m.size()).bind("started", Rows.utc(m.startedAt().orElse(null))).bind("se", m.startEventId())
                    .bind("le", m.lastEventId()).add();
        }
        batch.execute();
    }

    /** The resources accruing now, of one account or (null) of all. */
    public List<MeterState> accruing(String accountId) {
        String sql = "SELECT * FROM meter_state WHERE started_at IS NOT NULL" + (accountId == null ? "" : " AND account_id = :a")
                + " ORDER BY resource_id";
        var q = h.createQuery(sql);
        if (accountId != null) {
            q.bind("a", accountId);
        }
        return q.map((rs, ctx) -> map(rs)).list();
    }

    /** The resources of these accounts accruing now. */
    public List<MeterState> accruing(Collection<String> accountIds) {
        if (accountIds.size() == 1) {
            return accruing(accountIds.iterator().next());
        }
        return h.createQuery("SELECT * FROM meter_state WHERE started_at IS NOT NULL AND account_id = ANY(:a) ORDER BY resource_id")
                .bind("a", accountIds.toArray(new String[0])).map((rs, ctx) -> map(rs)).list();
    }

    public List<MeterState> all() {
        return h.createQuery("SELECT * FROM meter_state ORDER BY resource_id").map((rs, ctx) -> map(rs)).list();
    }

    public Optional<MeterState> find(String resourceId) {
        return h.createQuery("SELECT * FROM meter_state WHERE resource_id = :r").bind("r", resourceId).map((rs, ctx) -> map(rs)).findOne();
    }

    private static MeterState map(ResultSet rs) throws SQLException {
        return new MeterState(rs.getString("resource_id"), rs.getString("account_id"),
                UsageType.fromApiName(rs.getString("usage_type")).orElseThrow(), rs.getString("sku"), rs.getLong("size"),
                Optional.ofNullable(Rows.instant(rs, "started_at")), rs.getLong("start_event_id"), rs.getLong("last_event_id"));
    }
}
