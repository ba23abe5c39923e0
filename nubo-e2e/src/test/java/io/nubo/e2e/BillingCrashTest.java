package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.store.Database;
import io.nubo.store.EmbeddedDatabase;
import io.nubo.store.testing.UsageLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance 2 of issue 7: a server is killed with SIGKILL in the middle of metering, and then two
 * server replicas meter one PostgreSQL at once while new events keep arriving (and one of them is
 * killed too). Afterwards the rebuild-compare check finds no usage record missing and none
 * unexpected, no interval is recorded twice, and every account's invoice totals what an
 * independent calculation from the generated lifecycles says; a rebuild and the month's closing
 * change no total.
 */
class BillingCrashTest {
    private static final YearMonth MONTH = YearMonth.now(ZoneOffset.UTC).minusMonths(2);

    @Test
    void killingAServerDuringMeteringAndRunningTwoReplicasLeavesNoGapNoDuplicateAndTheSameTotals(@TempDir Path dir) throws Exception {
        EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("postgres"), true);
        try (pg; Database db = Database.open(pg.jdbcUrl(), pg.user(), "", 4)) {
            UsageLoad base = new UsageLoad(new UsageLoad.Shape(MONTH, 40, 3000, 6000, 20, 3, 0, 0, 0, 7));
            UsageLoad late = new UsageLoad(new UsageLoad.Shape(MONTH, 40, 400, 800, 20, 3, 0, 0, 1_000_000, 8));
            base.insert(db, true);
            late.insertRows(db, false);
            long lastBaseEvent = db.jdbi().withHandle(h -> h.createQuery("SELECT max(id) FROM events").mapTo(Long.class).one());

            Path shared = dir.resolve("shared");
            ServerProcess a = ServerProcess.replica(dir.resolve("a"), pg.jdbcUrl(), pg.user(), "--shared-pool", shared.toString()).start();
            ServerProcess b = null;
            try {
                // SIGKILL in the middle of the first metering run: some passes committed, others not.
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10)).until(() -> cursor(db) > 0);
                long atKill = cursor(db);
                a.crash();
                assertThat(atKill).as("the kill landed during metering").isLessThan(lastBaseEvent);

                // A second replica with the same secret key and operator credentials; both run at once.
                Files.createDirectories(dir.resolve("b"));
                Files.copy(a.dataDir.resolve("secret.key"), dir.resolve("b/secret.key"));
                Files.copy(a.dataDir.resolve("credentials"), dir.resolve("b/credentials"));
                a.start();
                b = ServerProcess.replica(dir.resolve("b"), pg.jdbcUrl(), pg.user(), "--shared-pool", shared.toString()).start();

                // New events keep arriving while both meter; one replica dies halfway through and comes back.
                int n = late.events();
                int chunks = 20;
                for (int c = 0; c < chunks; c++) {
                    late.insertEvents(db, c * n / chunks, (c + 1) * n / chunks);
                    if (c == chunks / 2) {
                        b.crash();
                        b.start();
                    }
                }
                ServerProcess checker = a;
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> checker.call("GET", "/billing/meter/check", null).json().path("consistent").asBoolean());
                JsonNode check = a.call("GET", "/billing/meter/check", null).json();
                assertThat(check.path("missing")).isEmpty();
                assertThat(check.path("unexpected")).isEmpty();
                assertThat(check.path("storedRecords").asLong()).isPositive().isEqualTo(check.path("rebuiltRecords").asLong());
                assertThat(duplicates(db)).as("no interval recorded twice").isZero();

                Map<String, Long> expected = new HashMap<>(base.expectedMinor());
                late.expectedMinor().forEach((k, v) -> expected.merge(k, v, Long::sum));
                assertThat(totals(b, base)).as("every invoice, read from the replica that was killed twice").isEqualTo(expected);

                // A rebuild from the log changes nothing, and neither does closing the month.
                assertThat(a.call("POST", "/billing/meter/rebuild", "{}").status()).isEqualTo(200);
                assertThat(b.call("GET", "/billing/meter/check", null).json().path("consistent").asBoolean()).isTrue();
                assertThat(totals(a, base)).isEqualTo(expected);
                ServerProcess.Reply closed = b.call("POST", "/billing/months/" + MONTH + "/close", "{}");
                assertThat(closed.status()).as(closed.json().toString()).isEqualTo(200);
                assertThat(closed.json().path("totalMinor").asLong()).isEqualTo(base.expectedTotalMinor() + late.expectedTotalMinor());
                assertThat(totals(a, base)).isEqualTo(expected);
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    private static long cursor(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT last_event_id FROM meter_cursor").mapTo(Long.class).one());
    }

    private static long duplicates(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                SELECT count(*) FROM (SELECT resource_id, start_at, day FROM usage_records GROUP BY 1, 2, 3 HAVING count(*) > 1) d""")
                .mapTo(Long.class).one());
    }

    private static Map<String, Long> totals(ServerProcess s, UsageLoad load) throws Exception {
        Map<String, Long> out = new HashMap<>();
        String month = MONTH.toString().replace("-", "");
        for (String account : load.accounts()) {
            ServerProcess.Reply r = s.call("GET", "/billing/invoices/inv-" + account + "-" + month, null);
            assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
            out.put(account, r.json().path("totalMinor").asLong());
        }
        return out;
    }
}
