package io.nubo.store;

import org.jdbi.v3.core.Handle;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Monthly budgets per account and the thresholds each month has crossed. */
public final class Budgets {
    private final Handle h;

    Budgets(Handle h) {
        this.h = h;
    }

    /** A budget: thresholds are percents of {@code amountMinor}, ascending; {@code webhookUrl} may carry a secret (never log it). */
    public record Budget(String accountId, long amountMinor, List<Integer> thresholds, Optional<String> webhookUrl, Instant updatedAt) {
        @Override
        public String toString() {
            return "Budget[" + accountId + " " + amountMinor + " " + thresholds + (webhookUrl.isPresent() ? " webhook=***" : "") + "]";
        }
    }

    /** One threshold crossed in one month. */
    public record Alert(String accountId, LocalDate month, int threshold, long totalMinor, long budgetMinor, Instant crossedAt) {
    }

    public Optional<Budget> find(String accountId) {
        return h.createQuery("SELECT * FROM budgets WHERE account_id = :a").bind("a", accountId).map((rs, ctx) -> map(rs)).findOne();
    }

    public void upsert(Budget b, String by) {
        h.createUpdate("""
                INSERT INTO budgets (account_id, amount_minor, thresholds, webhook_url, updated_at, updated_by)
                VALUES (:a, :amt, :th, :url, :at, :by)
                ON CONFLICT (account_id) DO UPDATE SET amount_minor = :amt, thresholds = :th, webhook_url = :url, updated_at = :at,
                    updated_by = :by""")
                .bind("a", b.accountId()).bind("amt", b.amountMinor()).bind("th", b.thresholds().toArray(new Integer[0]))
                .bind("url", b.webhookUrl().orElse(null)).bind("at", Rows.utc(b.updatedAt())).bind("by", by).execute();
    }

    public boolean delete(String accountId) {
        return h.createUpdate("DELETE FROM budgets WHERE account_id = :a").bind("a", accountId).execute() > 0;
    }

    /**
     * The budgets that still have a threshold to cross in {@code month}: those with fewer alerts
     * that month than thresholds.
     */
    public List<Budget> open(LocalDate month) {
        return h.createQuery("""
                SELECT b.* FROM budgets b
                WHERE cardinality(b.thresholds) > (SELECT count(*) FROM budget_alerts a WHERE a.account_id = b.account_id AND a.month = :m)
                ORDER BY b.account_id""")
                .bind("m", month).map((rs, ctx) -> map(rs)).list();
    }

    /** Records a crossing; false when this threshold was already recorded for the month (by this or another server). */
    public boolean insertAlert(Alert a) {
        return h.createUpdate("""
                INSERT INTO budget_alerts (account_id, month, threshold, total_minor, budget_minor, crossed_at)
                VALUES (:a, :m, :t, :total, :budget, :at) ON CONFLICT DO NOTHING""")
                .bind("a", a.accountId()).bind("m", a.month()).bind("t", a.threshold()).bind("total", a.totalMinor())
                .bind("budget", a.budgetMinor()).bind("at", Rows.utc(a.crossedAt())).execute() == 1;
    }

    public List<Alert> alerts(String accountId, LocalDate month) {
        return h.createQuery("SELECT * FROM budget_alerts WHERE account_id = :a AND month = :m ORDER BY threshold")
                .bind("a", accountId).bind("m", month)
                .map((rs, ctx) -> new Alert(rs.getString("account_id"), rs.getObject("month", LocalDate.class), rs.getInt("threshold"),
                        rs.getLong("total_minor"), rs.getLong("budget_minor"), Rows.instant(rs, "crossed_at"))).list();
    }

    private static Budget map(ResultSet rs) throws SQLException {
        Array arr = rs.getArray("thresholds");
        List<Integer> thresholds = new ArrayList<>();
        for (Object o : (Object[]) arr.getArray()) {
            thresholds.add(((Number) o).intValue());
        }
        return new Budget(rs.getString("account_id"), rs.getLong("amount_minor"), List.copyOf(thresholds),
                Optional.ofNullable(rs.getString("webhook_url")), Rows.instant(rs, "updated_at"));
    }
}
