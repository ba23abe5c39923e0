package io.nubo.store;

import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import org.jdbi.v3.core.Handle;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Closed usage, one row per resource per UTC day of an interval. Append-only but for a rebuild. */
public final class UsageRecords {
    private static final String ORDER = " ORDER BY day, resource_id, end_event_id";
    private final Handle h;

    UsageRecords(Handle h) {
        this.h = h;
    }

    /**
     * Appends records (their times are whole seconds, as the meter cuts them) and adds them to the
     * monthly rollup, in two statements whatever their number: each column goes as one array.
     */
    public void insert(Collection<UsageRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        int n = records.size();
        String[] a = new String[n];
        String[] r = new String[n];
        String[] t = new String[n];
        String[] sku = new String[n];
        Integer[] day = new Integer[n];
        Long[] start = new Long[n];
        Long[] end = new Long[n];
        Long[] sec = new Long[n];
        Long[] size = new Long[n];
        Long[] se = new Long[n];
        Long[] ee = new Long[n];
        Map<List<Object>, Long> monthly = new LinkedHashMap<>();
        int i = 0;
        for (UsageRecord u : records) {
            a[i] = u.accountId();
            r[i] = u.resourceId();
            t[i] = u.type().apiName();
            sku[i] = u.sku();
            day[i] = Math.toIntExact(u.day().toEpochDay());
            start[i] = u.start().getEpochSecond();
            end[i] = u.end().getEpochSecond();
            sec[i] = u.seconds();
            size[i] = u.size();
            se[i] = u.startEventId();
            ee[i] = u.endEventId();
            monthly.merge(List.of(u.accountId(), u.day().withDayOfMonth(1).toEpochDay(), u.resourceId(), t[i], u.sku(), u.size()),
                    u.seconds(), Long::sum);
            i++;
        }
        h.createUpdate("""
                INSERT INTO usage_records (account_id, resource_id, usage_type, sku, day, start_at, end_at, seconds, size,
                                           start_event_id, end_event_id)
                SELECT a, r, t, sku, DATE '1970-01-01' + d, TIMESTAMPTZ 'epoch' + s * INTERVAL '1 second',
                       TIMESTAMPTZ 'epoch' + e * INTERVAL '1 second', sec, size, se, ee
                FROM unnest(:a, :r, :t, :sku, :d, :s, :e, :sec, :size, :se, :ee) AS x(a, r, t, sku, d, s, e, sec, size, se, ee)""")
                .bind("a", a).bind("r", r).bind("t", t).bind("sku", sku).bind("d", day).bind("s", start).bind("e", end)
                .bind("sec", sec).bind("size", size).bind("se", se).bind("ee", ee).execute();
        addMonthly(monthly);
    }

    /** Adds seconds to the rollup; keys are (account, epoch day of the month's first, resource, type, sku, size), each once. */
    private void addMonthly(Map<List<Object>, Long> sums) {
        int n = sums.size();
        String[] a = new String[n];
        Integer[] m = new Integer[n];
        String[] r = new String[n];
        String[] t = new String[n];
        String[] sku = new String[n];
        Long[] size = new Long[n];
        Long[] sec = new Long[n];
        int i = 0;
        for (Map.Entry<List<Object>, Long> e : sums.entrySet()) {
            List<Object> k = e.getKey();
            a[i] = (String) k.get(0);
            m[i] = Math.toIntExact((Long) k.get(1));
            r[i] = (String) k.get(2);
            t[i] = (String) k.get(3);
            sku[i] = (String) k.get(4);
            size[i] = (Long) k.get(5);
            sec[i] = e.getValue();
            i++;
        }
        h.createUpdate("""
                INSERT INTO usage_monthly (account_id, month, resource_id, usage_type, sku, size, seconds)
                SELECT a, DATE '1970-01-01' + m, r, t, sku, size, sec FROM unnest(:a, :m, :r, :t, :sku, :size, :sec) AS x(a, m, r, t, sku, size, sec)
                ON CONFLICT (account_id, month, resource_id, usage_type, sku, size)
                DO UPDATE SET seconds = usage_monthly.seconds + EXCLUDED.seconds""")
                .bind("a", a).bind("m", m).bind("r", r).bind("t", t).bind("sku", sku).bind("size", size).bind("sec", sec).execute();
    }

    /** The whole rollup as "account month resource type sku size seconds" lines, for the meter's check. */
    public List<String> monthlyLines() {
        return h.createQuery("""
                SELECT account_id || ' ' || month || ' ' || resource_id || ' ' || usage_type || ' ' || sku || ' ' || size || ' ' || seconds
                FROM usage_monthly ORDER BY 1""").mapTo(String.class).list();
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

    /**
     * The month's usage of these accounts from the rollup, per resource, usage type, sku and size,
     * except the skus ("type/sku") in {@code except}; each sum comes back as one record that starts
     * and ends at the month's first midnight and holds all its seconds.
     */
    public List<UsageRecord> monthlySums(Collection<String> accountIds, LocalDate month, Collection<String> except) {
        java.time.Instant at = month.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        return h.createQuery("""
                SELECT account_id, resource_id, usage_type, sku, size, seconds FROM usage_monthly
                WHERE account_id = ANY(:a) AND month = :m AND NOT (usage_type || '/' || sku = ANY(:except))""")
                .bind("a", accountIds.toArray(new String[0])).bind("m", month).bind("except", except.toArray(new String[0]))
                .map((rs, ctx) -> new UsageRecord(rs.getString(1), rs.getString(2), UsageType.fromApiName(rs.getString(3)).orElseThrow(),
                        rs.getString(4), month, at, at, rs.getLong(6), rs.getLong(5), 0, 0)).list();
    }

    /** The records of these accounts on days in [{@code from}, {@code to}) whose "type/sku" is in {@code only}. */
    public List<UsageRecord> forAccounts(Collection<String> accountIds, LocalDate from, LocalDate to, Collection<String> only) {
        if (only.isEmpty()) {
            return List.of();
        }
        return h.createQuery("""
                SELECT * FROM usage_records WHERE account_id = ANY(:a) AND day >= :f AND day < :t
                AND usage_type || '/' || sku = ANY(:only)""" + ORDER)
                .bind("a", accountIds.toArray(new String[0])).bind("f", from).bind("t", to).bind("only", only.toArray(new String[0]))
                .map((rs, ctx) -> map(rs)).list();
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
