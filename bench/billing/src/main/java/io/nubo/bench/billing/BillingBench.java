package io.nubo.bench.billing;

import io.nubo.control.billing.BillingService;
import io.nubo.control.billing.Invoice;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.EmbeddedDatabase;
import io.nubo.store.testing.TempDirs;
import io.nubo.store.testing.UsageLoad;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The billing benchmark of issue 7, in one JVM with the control plane's own metering and billing
 * code against a durable embedded PostgreSQL (as {@code nubo up} runs it):
 *
 * <ol>
 *   <li>a month of events for 10,000 instances and 20,000 volumes across 1,000 accounts (about
 *       1 million events) is written straight into the database ({@link UsageLoad}); the first
 *       account holds 400 instances and 600 volumes (1,000 resources);</li>
 *   <li>timed: meter every event ({@code Metering.catchUp}), then close the month
 *       ({@code BillingService.closeMonth}: rate every account's usage and freeze every invoice);</li>
 *   <li>the draft invoice of the 1,000-resource account, as {@code GET /billing/invoices/{id}}
 *       computes it (a catch-up, then the draft), between the two: after warm-up calls, the
 *       latency percentiles of sequential calls.</li>
 * </ol>
 *
 * Peak heap is the largest heap use sampled every 5 ms during the timed part. Every figure is
 * printed as {@code RESULT key=value}. The invoice totals are checked against the generator's own
 * reckoning, so a fast wrong answer cannot pass.
 */
public final class BillingBench {
    private static final YearMonth MONTH = YearMonth.of(2025, 6);

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int accounts = Integer.parseInt(o.getOrDefault("accounts", "1000"));
        int instances = Integer.parseInt(o.getOrDefault("instances", "10000"));
        int volumes = Integer.parseInt(o.getOrDefault("volumes", "20000"));
        int draftCalls = Integer.parseInt(o.getOrDefault("draft-calls", "1000"));
        Path dir = Files.createTempDirectory("nubo-billing-bench");
        Map<String, String> results = new LinkedHashMap<>();

        long g0 = System.nanoTime();
        UsageLoad load = new UsageLoad(new UsageLoad.Shape(MONTH, accounts, instances, volumes, 20, 3, 400, 600, 0, 42));
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir, true); Database db = Database.open(pg.jdbcUrl(), pg.user(), "", 8)) {
            load.insert(db, true);
            db.jdbi().useHandle(h -> h.execute("ANALYZE"));
            results.put("events", Integer.toString(load.events()));
            results.put("generate_and_insert_s", seconds(System.nanoTime() - g0));

            SettableClock clock = new SettableClock(MONTH.atEndOfMonth().atTime(23, 0).toInstant(ZoneOffset.UTC));
            BillingService billing = new BillingService(db, clock, Currency.getInstance("USD"));
            Principal operator = new Principal("000000000000", Role.ADMIN, "bench");
            HeapPeak heap = new HeapPeak();

            long t0 = System.nanoTime();
            int applied = billing.metering().catchUp();
            long meterNanos = System.nanoTime() - t0;
            results.put("events_metered", Integer.toString(applied));
            results.put("meter_s", seconds(meterNanos));

            // A server that has run for a while has statistics on its tables (autovacuum's ANALYZE);
            // right after a million rows went in, it may not yet.
            db.jdbi().useHandle(h -> h.execute("ANALYZE usage_records, meter_state"));
            long[] noop = new long[200];
            for (int i = 0; i < noop.length; i++) {
                long s = System.nanoTime();
                billing.metering().catchUp();
                noop[i] = System.nanoTime() - s;
            }
            Arrays.sort(noop);
            results.put("catch_up_with_nothing_new_p50_ms", millis(noop[percentile(noop.length, 50)]));

            // The draft of the 1,000-resource account, as the REST route computes it.
            String invoiceId = "inv-" + load.accounts().get(0) + "-" + MONTH.toString().replace("-", "");
            Invoice sample = billing.invoice(operator, invoiceId);
            results.put("draft_lines", Integer.toString(sample.lines().size()));
            for (int i = 0; i < 100; i++) {
                billing.invoice(operator, invoiceId);
            }
            long[] samples = new long[draftCalls];
            for (int i = 0; i < draftCalls; i++) {
                long s = System.nanoTime();
                billing.invoice(operator, invoiceId);
                samples[i] = System.nanoTime() - s;
            }
            Arrays.sort(samples);
            results.put("draft_p50_ms", millis(samples[percentile(draftCalls, 50)]));
            results.put("draft_p99_ms", millis(samples[percentile(draftCalls, 99)]));

            clock.set(MONTH.plusMonths(1).atDay(1).atTime(0, 10).toInstant(ZoneOffset.UTC));
            long t1 = System.nanoTime();
            BillingService.ClosedMonth closed = billing.closeMonth(operator, MONTH);
            long closeNanos = System.nanoTime() - t1;
            heap.stop();
            results.put("invoices", Integer.toString(closed.invoices()));
            results.put("close_s", seconds(closeNanos));
            results.put("meter_and_invoice_s", seconds(meterNanos + closeNanos));
            results.put("events_per_s", Long.toString(Math.round(load.events() / ((meterNanos + closeNanos) / 1e9))));
            results.put("peak_heap_mib", Long.toString(heap.peak() >> 20));
            results.put("max_heap_mib", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
            results.put("total_minor", Long.toString(closed.totalMinor()));
            results.put("expected_total_minor", Long.toString(load.expectedTotalMinor()));
            results.put("totals_match", Boolean.toString(closed.totalMinor() == load.expectedTotalMinor()));
        } finally {
            TempDirs.delete(dir); // 1.5 GB of database per run
        }
        results.forEach((k, v) -> System.out.println("RESULT " + k + "=" + v));
    }

    private static int percentile(int n, int p) {
        return Math.min(n - 1, Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1));
    }

    private static String seconds(long nanos) {
        return String.format("%.2f", nanos / 1e9);
    }

    private static String millis(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }

    /** A clock the benchmark moves: first inside the month (its draft), then after it (its closing). */
    private static final class SettableClock extends Clock {
        private final AtomicReference<Instant> now;

        SettableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    /** The largest heap use seen, sampled every 5 ms on a daemon thread. */
    private static final class HeapPeak {
        private final AtomicLong peak = new AtomicLong();
        private volatile boolean running = true;

        HeapPeak() {
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            Thread t = new Thread(() -> {
                while (running) {
                    peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-peak");
            t.setDaemon(true);
            t.start();
        }

        void stop() {
            running = false;
        }

        long peak() {
            return peak.get();
        }
    }
}
