package io.nubo.store;

import io.nubo.core.billing.Price;
import io.nubo.core.billing.UsageType;
import org.jdbi.v3.core.Handle;

import java.time.Instant;
import java.util.List;

/** Price books: prices per usage type and sku, each in force from a timestamp until the next. */
public final class Prices {
    private final Handle h;

    Prices(Handle h) {
        this.h = h;
    }

    /** Every price of a book, by usage type, sku and time. */
    public List<Price> list(String book) {
        return h.createQuery("SELECT * FROM prices WHERE book = :b ORDER BY usage_type, sku, effective_from")
                .bind("b", book)
                .map((rs, ctx) -> new Price(rs.getString("book"), UsageType.fromApiName(rs.getString("usage_type")).orElseThrow(),
                        rs.getString("sku"), Rows.instant(rs, "effective_from"), rs.getLong("micros_per_unit"))).list();
    }

    /** Serialises changes to one book until the transaction ends. */
    public void lockBook(String book) {
        h.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 11))", "prices/" + book);
    }

    public void insert(Price p, Instant createdAt, String createdBy) {
        h.createUpdate("""
                INSERT INTO prices (book, usage_type, sku, effective_from, micros_per_unit, created_at, created_by)
                VALUES (:b, :t, :sku, :from, :p, :at, :by)""")
                .bind("b", p.book()).bind("t", p.type().apiName()).bind("sku", p.sku()).bind("from", Rows.utc(p.effectiveFrom()))
                .bind("p", p.microsPerUnit()).bind("at", Rows.utc(createdAt)).bind("by", createdBy).execute();
    }
}
