package io.nubo.store;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageType;
import org.jdbi.v3.core.Handle;

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

    /** Stores these meter states in one statement, each column as one array (times in microseconds, exactly). */
    public void upsertAll(Collection<MeterState> states) {
        if (states.isEmpty()) {
            return;
        }
        int n = states.size();
        String[] r = new String[n];
        String[] a = new String[n];
        String[] t = new String[n];
        String[] sku = new String[n];
        Long[] size = new Long[n];
        Long[] started = new Long[n];
        Long[] se = new Long[n];
        Long[] le = new Long[n];
        int i = 0;
        for (MeterState m : states) {
            r[i] = m.resourceId();
            a[i] = m.accountId();
            t[i] = m.type().apiName();
            sku[i] = m.sku();
            size[i] = m.size();
            started[i] = m.startedAt().map(x -> Math.addExact(Math.multiplyExact(x.getEpochSecond(), 1_000_000L), x.getNano() / 1000))
                    .orElse(null);
            se[i] = m.startEventId();
            le[i] = m.lastEventId();
            i++;
        }
        h.createUpdate("""
                INSERT INTO meter_state (resource_id, account_id, usage_type, sku, size, started_at, start_event_id, last_event_id)
                SELECT r, a, t, sku, size, TIMESTAMPTZ 'epoch' + started * INTERVAL '1 microsecond', se, le
                FROM unnest(:r, :a, :t, :sku, :size, :started, :se, :le) AS x(r, a, t, sku, size, started, se, le)
                ON CONFLICT (resource_id) DO UPDATE SET account_id = EXCLUDED.account_id, usage_type = EXCLUDED.usage_type,
                    sku = EXCLUDED.sku, size = EXCLUDED.size, started_at = EXCLUDED.started_at, start_event_id = EXCLUDED.start_event_id,
                    last_event_id = EXCLUDED.last_event_id""")
                .bind("r", r).bind("a", a).bind("t", t).bind("sku", sku).bind("size", size).bind("started", started).bind("se", se)
                .bind("le", le).execute();
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
