package io.nubo.store;

import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/** Closed usage, one row per resource per UTC day of an interval. Append-only but for a rebuild. */
public final class UsageRecords {
    private static final String ORDER = " ORDER BY day, resource_id, end_event_id";
    private final Handle h;

    UsageRecords(Handle h) {
        this.h = h;
    }

    public void insert(Collection<UsageRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        PreparedBatch b = h.prepareBatch("""
                INSERT INTO usage_records (account_id, resource_id, usage_type, sku, day, start_at, end_at, seconds, size,
                                           start_event_id, end_event_id)
                VALUES (:a, :r, :t, :sku, :day, :s, :e, :sec, :size, :se, :ee)""");
        for (UsageRecord u : records) {
            b.bind("a", u.accountId()).bind("r", u.resourceId()).bind("t", u.type().apiName()).bind("sku", u.sku())
                    .bind("day", u.day()).bind("s", Rows.utc(u.start())).bind("e", Rows.utc(u.end())).bind("sec", u.seconds())
                    .bind("size", u.size()).bind("se", u.startEventId()).bind("ee", u.endEventId()).add();
        }
        b.execute();
    }

    /** One account's records on days in [{@code from}, {@code to}). */
    public List<UsageRecord> forAccount(String accountId, LocalDate from, LocalDate to) {
        return h.createQuery("SELECT * FROM usage_records WHERE account_id = :a AND day >= :f AND day < :t" + ORDER)
                .bind("a", accountId).bind("f", from).bind("t", to).map((rs, ctx) -> map(rs)).list();
    }

    /** The records of several accounts (a partner and its customers) on days in [{@code from}, {@code to}). */
    public List<UsageRecord> forAccounts(Collection<String> accountIds, LocalDate from, LocalDate to) {
        if (accountIds.size() == 1) {
            return forAccount(accountIds.iterator().next(), from, to);
        }
        return h.createQuery("SELECT * FROM usage_records WHERE account_id = ANY(:a) AND day >= :f AND day < :t" + ORDER)
                .bind("a", accountIds.toArray(new String[0])).bind("f", from).bind("t", to).map((rs, ctx) -> map(rs)).list();
    }

    /** Every account's records on days in [{@code from}, {@code to}). */
    public List<UsageRecord> between(LocalDate from, LocalDate to) {
        return h.createQuery("SELECT * FROM usage_records WHERE day >= :f AND day < :t ORDER BY account_id, day, resource_id, end_event_id")
                .bind("f", from).bind("t", to).map((rs, ctx) -> map(rs)).list();
    }

    public List<UsageRecord> all() {
        return h.createQuery("SELECT * FROM usage_records" + ORDER).map((rs, ctx) -> map(rs)).list();
    }

    /** The first day with usage for an account, if any. */
    public java.util.Optional<LocalDate> firstDay(String accountId) {
        return h.createQuery("SELECT min(day) FROM usage_records WHERE account_id = :a").bind("a", accountId)
                .mapTo(LocalDate.class).findOne();
    }

    private static UsageRecord map(ResultSet rs) throws SQLException {
        return new UsageRecord(rs.getString("account_id"), rs.getString("resource_id"),
                UsageType.fromApiName(rs.getString("usage_type")).orElseThrow(), rs.getString("sku"),
                rs.getObject("day", LocalDate.class), Rows.instant(rs, "start_at"), Rows.instant(rs, "end_at"),
                rs.getLong("seconds"), rs.getLong("size"), rs.getLong("start_event_id"), rs.getLong("end_event_id"));
    }
}
