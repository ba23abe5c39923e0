package io.nubo.control.billing;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.billing.Money;
import io.nubo.core.model.Account;
import io.nubo.core.model.Principal;
import io.nubo.store.Budgets;
import io.nubo.store.Database;
import io.nubo.store.WebhookDeliveries;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Monthly budgets: an account sets an amount and thresholds (percent of it). The metering pass
 * ({@link #check()}) compares each budget with the total to date of the account's draft invoice
 * for the current month; crossing a threshold records a {@code budget.threshold} event once per
 * threshold and month (the database's key settles races between servers) and, when the budget has
 * a webhook URL, queues a call in the outbox in the same transaction, which the
 * {@link WebhookSender} makes later. Nothing here ever calls out on a request path. Thread-safe.
 */
public final class BudgetService {
    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    public static final int MAX_THRESHOLDS = 10;
    public static final int MAX_THRESHOLD_PERCENT = 1000;
    private static final long MAX_AMOUNT_UNITS = 1_000_000_000_000L;
    private static final Pattern AMOUNT = Pattern.compile("(\\d{1,13})(?:\\.(\\d{1,6}))?");

    private final Database db;
    private final Clock clock;
    private final BillingService billing;
    private final Runnable queued;

    public BudgetService(Database db, Clock clock, BillingService billing, Runnable queued) {
        this.db = db;
        this.clock = clock;
        this.billing = billing;
        this.queued = queued;
    }

    /** The caller's budget (if any) and how the current month stands against it. */
    public record Status(Optional<Budgets.Budget> budget, YearMonth month, long totalMinor, List<Budgets.Alert> alerts,
                         List<WebhookDeliveries.Delivery> webhookCalls) {
    }

    public Status status(Principal caller) {
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        billing.metering().catchUp();
        return db.read(s -> {
            Account a = s.accounts().find(caller.accountId()).orElseThrow();
            long total = billing.draft(s, a, month, now).totalMinor();
            return new Status(s.budgets().find(a.id()), month, total, s.budgets().alerts(a.id(), month.atDay(1)),
                    s.webhookDeliveries().forAccount(a.id(), 20));
        });
    }

    /**
     * Sets (replaces) the caller's monthly budget: {@code amount} a decimal in the currency's unit
     * ("250", "99.50"), {@code thresholds} percents of it (default 50, 80, 100), {@code webhookUrl}
     * an http or https URL to call when one is crossed (none if absent). Everything is checked
     * before anything is written.
     */
    public Budgets.Budget set(Principal caller, String amount, Optional<List<Integer>> thresholds, Optional<String> webhookUrl) {
        long amountMinor = parseAmount(amount);
        List<Integer> ts = thresholds(thresholds.orElse(DEFAULT_THRESHOLDS));
        webhookUrl.ifPresent(WebhookUrls::check);
        Instant now = clock.instant();
        Budgets.Budget b = new Budgets.Budget(caller.accountId(), amountMinor, ts, webhookUrl, now);
        db.inTransaction(s -> {
            s.budgets().upsert(b, caller.accessKeyId());
            s.events().append(now, caller.accountId(), "budget", "budget.set", null, Money.format(amountMinor, billing.currency()),
                    "thresholds " + ts + (webhookUrl.isPresent() ? " with a webhook" : "") + " by " + caller.accessKeyId());
            return null;
        });
        return b;
    }

    /** Removes the caller's budget; false when it had none. */
    public boolean delete(Principal caller) {
        return db.inTransaction(s -> {
            boolean deleted = s.budgets().delete(caller.accountId());
            if (deleted) {
                s.events().append(clock.instant(), caller.accountId(), "budget", "budget.deleted", null, null, "by " + caller.accessKeyId());
            }
            return deleted;
        });
    }

    /**
     * Meters the event log, then compares every budget that still has a threshold to cross this
     * month with its account's draft total, and records what was crossed; returns how many
     * thresholds were crossed now. This is the metering pass every server runs; it is safe to run
     * on several servers at once.
     */
    public int check() {
        billing.metering().catchUp();
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        List<Budgets.Budget> open = db.read(s -> s.budgets().open(month.atDay(1)));
        int crossed = 0;
        boolean calls = false;
        for (Budgets.Budget b : open) {
            int[] result = db.inTransaction(s -> {
                Optional<Account> a = s.accounts().find(b.accountId());
                Optional<Budgets.Budget> current = s.budgets().find(b.accountId());
                if (a.isEmpty() || current.isEmpty()) {
                    return new int[]{0, 0};
                }
                Budgets.Budget budget = current.get();
                long total = billing.draft(s, a.get(), month, now).totalMinor();
                Set<Integer> done = new HashSet<>();
                s.budgets().alerts(budget.accountId(), month.atDay(1)).forEach(x -> done.add(x.threshold()));
                int n = 0;
                int queuedCalls = 0;
                for (int t : budget.thresholds()) {
                    if (done.contains(t) || Math.multiplyExact(total, 100L) < Math.multiplyExact(budget.amountMinor(), (long) t)) {
                        continue;
                    }
                    if (!s.budgets().insertAlert(new Budgets.Alert(budget.accountId(), month.atDay(1), t, total, budget.amountMinor(), now))) {
                        continue; // another server recorded it first
                    }
                    n++;
                    s.events().append(now, budget.accountId(), "budget/" + month, "budget.threshold", null, t + "%",
                            "total " + Money.format(total, billing.currency()) + " of a budget of "
                                    + Money.format(budget.amountMinor(), billing.currency()) + " " + billing.currency().getCurrencyCode());
                    if (budget.webhookUrl().isPresent()) {
                        s.webhookDeliveries().insert(budget.accountId(), budget.webhookUrl().get(), body(budget, month, t, total, now), now);
                        queuedCalls++;
                    }
                }
                return new int[]{n, queuedCalls};
            });
            crossed += result[0];
            calls |= result[1] > 0;
        }
        if (calls) {
            queued.run();
        }
        return crossed;
    }

    /** The JSON a webhook receives. Every value is a number or made of digits, letters and '-', so nothing needs escaping. */
    private String body(Budgets.Budget b, YearMonth month, int threshold, long total, Instant at) {
        var c = billing.currency();
        return "{\"type\":\"budget.threshold\",\"accountId\":\"" + b.accountId() + "\",\"month\":\"" + month + "\",\"thresholdPercent\":"
                + threshold + ",\"currency\":\"" + c.getCurrencyCode() + "\",\"budget\":\"" + Money.format(b.amountMinor(), c)
                + "\",\"budgetMinor\":" + b.amountMinor() + ",\"total\":\"" + Money.format(total, c) + "\",\"totalMinor\":" + total
                + ",\"crossedAt\":\"" + at + "\"}";
    }

    private long parseAmount(String text) {
        if (text == null) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter amount");
        }
        var m = AMOUNT.matcher(text);
        int digits = Math.max(0, billing.currency().getDefaultFractionDigits());
        if (!m.matches() || (m.group(2) != null && m.group(2).length() > digits)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid budget amount '%s': use a positive decimal with at most %d decimal places, e.g. 250 or 99.50", text, digits);
        }
        long units = Long.parseLong(m.group(1));
        String frac = m.group(2) == null ? "" : m.group(2);
        long minor = Math.multiplyExact(units, pow10(digits)) + (digits == 0 ? 0 : Long.parseLong((frac + "000000").substring(0, digits)));
        if (minor <= 0 || units > MAX_AMOUNT_UNITS) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid budget amount '%s': it must be above 0 and at most %d", text,
                    MAX_AMOUNT_UNITS);
        }
        return minor;
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }

    private static List<Integer> thresholds(List<Integer> given) {
        if (given.isEmpty() || given.size() > MAX_THRESHOLDS) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Give 1 to %d thresholds", MAX_THRESHOLDS);
        }
        TreeSet<Integer> sorted = new TreeSet<>();
        for (Integer t : given) {
            if (t == null || t < 1 || t > MAX_THRESHOLD_PERCENT) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid threshold %s: use a percentage from 1 to %d", t,
                        MAX_THRESHOLD_PERCENT);
            }
            if (!sorted.add(t)) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The threshold %d%% is given twice", t);
            }
        }
        return List.copyOf(new ArrayList<>(sorted));
    }
}
