package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.model.Principal;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class BillingMeteringTest {
    private static final Instant T0 = Instant.parse("2025-03-10T10:00:00Z");

    private static String launchAndRun(BillingFixture f, Principal p, String type) {
        String id = f.cp.compute().run(p, new LaunchRequest(f.imageId, type, 1, 1, null, null, null)).instances().get(0).id();
        f.observe(Set.of());
        return id;
    }

    private static List<UsageRecord> records(BillingFixture f) {
        return f.db.read(s -> s.usageRecords().all());
    }

    @Test
    void aStartThatRanLessThanAMinuteIsBilledAMinuteAndLongerRunsBySecond() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("short");
            String a = launchAndRun(f, p, "t3.nano");
            f.clock.advance(Duration.ofSeconds(20));
            f.cp.compute().stop(p, a, false);
            f.observe(Set.of());
            f.cp.compute().start(p, a);
            f.observe(Set.of());
            f.clock.advance(Duration.ofSeconds(61));
            f.cp.compute().stop(p, a, false);
            f.cp.billing().metering().catchUp();
            assertThat(records(f)).extracting(UsageRecord::seconds).containsExactly(60L, 61L);
        }
    }

    @Test
    void anIntervalAcrossMidnightIsRecordedPerUtcDayAndAcrossAMonthEndInBothMonths() throws Exception {
        try (BillingFixture f = new BillingFixture(Instant.parse("2025-03-31T23:59:30Z"))) {
            Principal p = f.tenant("night");
            String a = launchAndRun(f, p, "t3.nano");
            f.clock.advance(Duration.ofSeconds(45));
            f.cp.compute().stop(p, a, false);
            f.cp.billing().metering().catchUp();
            // 45 s elapsed, billed 60: the top-up is on the first day.
            assertThat(records(f)).extracting(UsageRecord::day, UsageRecord::seconds)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(LocalDate.parse("2025-03-31"), 45L),
                            org.assertj.core.groups.Tuple.tuple(LocalDate.parse("2025-04-01"), 15L));
        }
    }

    @Test
    void meteringManyTimesOnTwoServersAtOnceWritesEachRecordOnce() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("busy");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ids.add(launchAndRun(f, p, i % 2 == 0 ? "t3.nano" : "m5.large"));
                f.clock.advance(Duration.ofSeconds(17 + i));
            }
            for (int round = 0; round < 3; round++) {
                for (String id : ids) {
                    f.cp.compute().stop(p, id, false);
                    f.clock.advance(Duration.ofSeconds(7));
                }
                f.observe(Set.of());
                for (String id : ids) {
                    f.cp.compute().start(p, id);
                }
                f.observe(Set.of());
                f.clock.advance(Duration.ofMinutes(3));
            }
            Metering serverA = new Metering(f.db);
            Metering serverB = new Metering(f.db);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CyclicBarrier go = new CyclicBarrier(8);
            List<Future<Integer>> passes = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Metering m = t % 2 == 0 ? serverA : serverB;
                passes.add(pool.submit(() -> {
                    go.await();
                    int n = 0;
                    for (int i = 0; i < 5; i++) {
                        n += m.catchUp();
                    }
                    return n;
                }));
            }
            int applied = 0;
            for (Future<Integer> r : passes) {
                applied += r.get();
            }
            pool.shutdown();
            // The metered events: the instances' states and types, and their root volumes' creation.
            long events = f.count("SELECT count(*) FROM events WHERE type IN ('instance.state', 'instance.resized', 'volume.state')");
            assertThat(applied).as("every event applied exactly once across all passes").isEqualTo((int) events);
            assertThat(records(f)).filteredOn(r -> r.type() == io.nubo.core.billing.UsageType.INSTANCE).hasSize(30 * 3);
            Metering.CheckResult check = serverA.check();
            assertThat(check.missing()).isEmpty();
            assertThat(check.unexpected()).isEmpty();
        }
    }

    @Test
    void anEventThatCommitsAfterOneWithALargerIdIsStillMetered() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("late");
            String early = "i-00000000000000001";
            String late = "i-00000000000000002";
            try (Handle slow = f.db.jdbi().open()) {
                slow.begin();
                slow.execute("INSERT INTO events (at, account_id, resource_id, type, from_state, to_state, cause) "
                        + "VALUES (?, ?, ?, 'instance.state', 'pending', 'running', 'test')", T0.atOffset(java.time.ZoneOffset.UTC), p.accountId(), early);
                f.db.jdbi().useHandle(h -> h.execute("INSERT INTO events (at, account_id, resource_id, type, from_state, to_state, cause) "
                        + "VALUES (?, ?, ?, 'instance.state', 'pending', 'running', 'test')", T0.atOffset(java.time.ZoneOffset.UTC), p.accountId(), late));
                f.cp.billing().metering().catchUp();
                assertThat(f.db.read(s -> s.meterStates().find(late)).orElseThrow().accruing()).isTrue();
                java.util.Optional<io.nubo.core.billing.MeterState> unseen = f.db.read(s -> s.meterStates().find(early));
                assertThat(unseen).isEmpty();
                slow.commit();
            }
            f.cp.billing().metering().catchUp();
            assertThat(f.db.read(s -> s.meterStates().find(early)).orElseThrow().accruing())
                    .as("the event with the smaller ID, committed later, is metered").isTrue();
            assertThat(f.cp.billing().metering().check().consistent()).isTrue();
        }
    }

    @Test
    void theCheckFindsARecordThatIsMissingOrForgedAndARebuildRepairsIt() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = f.tenant("tamper");
            String a = launchAndRun(f, p, "t3.micro");
            f.clock.advance(Duration.ofMinutes(10));
            f.cp.compute().stop(p, a, false);
            f.cp.billing().metering().catchUp();
            assertThat(f.cp.billing().metering().check().consistent()).isTrue();
            f.db.jdbi().useHandle(h -> h.execute("UPDATE usage_records SET seconds = seconds + 1"));
            Metering.CheckResult bad = f.cp.billing().metering().check();
            assertThat(bad.missing()).hasSize(1);
            assertThat(bad.unexpected()).hasSize(1);
            f.cp.billing().metering().rebuild();
            assertThat(f.cp.billing().metering().check().consistent()).isTrue();
            assertThat(records(f)).extracting(UsageRecord::seconds).containsExactly(600L);
        }
    }
}
