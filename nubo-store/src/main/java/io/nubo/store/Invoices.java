package io.nubo.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/** Closed months and their frozen invoices. Rows are insert-only (the database refuses changes). */
public final class Invoices {
    private final Handle h;

    Invoices(Handle h) {
        this.h = h;
    }

    /** A frozen invoice's header; {@code issuer} is "hoster" or the partner that bills the account. */
    public record Stored(String id, String accountId, LocalDate month, String currency, long totalMinor, Instant closedAt,
                         String issuer) {
    }

    /** A frozen invoice line; {@code accountId} is the account whose resource it is (a partner's customer on a partner's invoice). */
    public record StoredLine(int lineNo, String usageType, String resourceId, String sku, long quantity, long unitPriceMicros,
                             long amountMinor, String accountId) {
    }

    /** Serialises month closing across servers until the transaction ends. */
    public void lockClosing() {
        h.execute("SELECT pg_advisory_xact_lock(4251)");
    }

    public boolean isClosed(LocalDate month) {
        return h.createQuery("SELECT count(*) FROM closed_months WHERE month = :m").bind("m", month).mapTo(Long.class).one() > 0;
    }

    public List<LocalDate> closedMonths() {
        return h.createQuery("SELECT month FROM closed_months ORDER BY month").mapTo(LocalDate.class).list();
    }

    public void closeMonth(LocalDate month, Instant at, String by) {
        h.createUpdate("INSERT INTO closed_months (month, closed_at, closed_by) VALUES (:m, :at, :by)")
                .bind("m", month).bind("at", Rows.utc(at)).bind("by", by).execute();
    }

    public void insert(Stored inv, List<StoredLine> lines) {
        h.createUpdate("""
                INSERT INTO invoices (id, account_id, month, currency, total_minor, closed_at, issuer)
                VALUES (:id, :a, :m, :c, :t, :at, :issuer)""")
                .bind("id", inv.id()).bind("a", inv.accountId()).bind("m", inv.month()).bind("c", inv.currency())
                .bind("t", inv.totalMinor()).bind("at", Rows.utc(inv.closedAt())).bind("issuer", inv.issuer()).execute();
        if (lines.isEmpty()) {
            return;
        }
        PreparedBatch b = h.prepareBatch("""
                INSERT INTO invoice_lines (invoice_id, line_no, usage_type, resource_id, sku, quantity, unit_price_micros, amount_minor,
                                           account_id)
                VALUES (:id, :n, :t, :r, :sku, :q, :p, :amt, :a)""");
        for (StoredLine l : lines) {
            b.bind("id", inv.id()).bind("n", l.lineNo()).bind("t", l.usageType()).bind("r", l.resourceId()).bind("sku", l.sku())
                    .bind("q", l.quantity()).bind("p", l.unitPriceMicros()).bind("amt", l.amountMinor()).bind("a", l.accountId()).add();
        }
        b.execute();
    }

    public Optional<Stored> find(String accountId, LocalDate month) {
        return h.createQuery("SELECT * FROM invoices WHERE account_id = :a AND month = :m").bind("a", accountId).bind("m", month)
                .map((rs, ctx) -> map(rs)).findOne();
    }

    public List<Stored> forAccount(String accountId) {
        return h.createQuery("SELECT * FROM invoices WHERE account_id = :a ORDER BY month").bind("a", accountId)
                .map((rs, ctx) -> map(rs)).list();
    }

    public List<StoredLine> lines(String invoiceId) {
        return h.createQuery("""
                SELECT l.*, coalesce(l.account_id, i.account_id) AS owner FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                WHERE l.invoice_id = :id ORDER BY l.line_no""").bind("id", invoiceId)
                .map((rs, ctx) -> new StoredLine(rs.getInt("line_no"), rs.getString("usage_type"), rs.getString("resource_id"),
                        rs.getString("sku"), rs.getLong("quantity"), rs.getLong("unit_price_micros"), rs.getLong("amount_minor"),
                        rs.getString("owner")))
                .list();
    }

    private static Stored map(ResultSet rs) throws SQLException {
        return new Stored(rs.getString("id"), rs.getString("account_id"), rs.getObject("month", LocalDate.class),
                rs.getString("currency"), rs.getLong("total_minor"), Rows.instant(rs, "closed_at"), rs.getString("issuer"));
    }
}
