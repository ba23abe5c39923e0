package io.nubo.control.compute;

import io.nubo.control.ControlFixture;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Reservation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchBatchTest {
    private static LaunchRequest nano(ControlFixture f, String keyName, String token) {
        return new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, keyName, null, null, null, List.of(), List.of(), List.of(), token);
    }

    @Test
    void aLaunchThatFailsItsChecksLeavesNoTraceAndTheRestOfItsBatchCommits() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            f.registerHost("h", 64, 64 * 1024);
            Principal tenant = f.tenant("batch");
            long eventsBefore = f.count("SELECT count(*) FROM events");
            List<Object> outcomes = f.db.inTransaction(s -> {
                LaunchBatch batch = new LaunchBatch(s, Instant.now());
                List<LaunchRequest> requests = List.of(nano(f, null, null), nano(f, "no-such-key", null), nano(f, null, null));
                batch.lockAll(List.of(tenant, tenant, tenant), requests);
                List<Object> out = new ArrayList<>();
                for (LaunchRequest r : requests) {
                    try {
                        out.add(batch.launch(tenant, r));
                    } catch (NuboException e) {
                        out.add(e);
                    }
                }
                batch.write();
                return out;
            });
            assertThat(outcomes.get(0)).isInstanceOf(Reservation.class);
            assertThat(outcomes.get(1)).isInstanceOf(NuboException.class);
            assertThat(((NuboException) outcomes.get(1)).errorCode().code()).isEqualTo("InvalidKeyPair.NotFound");
            assertThat(outcomes.get(2)).isInstanceOf(Reservation.class);
            assertThat(f.count("SELECT count(*) FROM instances WHERE account_id = '" + tenant.accountId() + "'")).isEqualTo(2);
            assertThat(f.count("SELECT count(*) FROM instance_security_groups")).isEqualTo(2);
            assertThat(f.count("SELECT count(*) FROM events") - eventsBefore).isEqualTo(2);
        }
    }

    @Test
    void aClientTokenUsedTwiceInOneBatchLaunchesOnceAndADifferentRequestWithItIsRefused() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            f.registerHost("h", 64, 64 * 1024);
            Principal tenant = f.tenant("tokens");
            LaunchRequest first = nano(f, null, "tok-1");
            LaunchRequest other = new LaunchRequest(f.image.id(), "t3.micro", 1, 1, null, null, null, null, null, List.of(), List.of(),
                    List.of(), "tok-1");
            List<Object> outcomes = f.db.inTransaction(s -> {
                LaunchBatch batch = new LaunchBatch(s, Instant.now());
                batch.lockAll(List.of(tenant, tenant, tenant), List.of(first, first, other));
                List<Object> out = new ArrayList<>();
                out.add(batch.launch(tenant, first));
                out.add(batch.launch(tenant, first));
                try {
                    out.add(batch.launch(tenant, other));
                } catch (NuboException e) {
                    out.add(e);
                }
                batch.write();
                return out;
            });
            assertThat(((Reservation) outcomes.get(1)).reservationId()).isEqualTo(((Reservation) outcomes.get(0)).reservationId());
            assertThat(((NuboException) outcomes.get(2)).errorCode().code()).isEqualTo("IdempotentParameterMismatch");
            assertThat(f.count("SELECT count(*) FROM instances")).isEqualTo(1);
            assertThat(f.count("SELECT count(*) FROM client_tokens")).isEqualTo(1);
            // A later retry, in another transaction, finds the stored token.
            Reservation again = f.cp.compute().run(tenant, first);
            assertThat(again.reservationId()).isEqualTo(((Reservation) outcomes.get(0)).reservationId());
            assertThat(f.count("SELECT count(*) FROM instances")).isEqualTo(1);
        }
    }

    @Test
    void concurrentLaunchesOfOneAccountStopExactlyAtItsInstanceQuota() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            f.registerHost("h", 256, 256 * 1024);
            Principal tenant = f.tenant("quota");
            f.cp.quotas().setQuotas(f.admin, tenant.accountId(), Map.of("instances", 15L));
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<String>> results = new ArrayList<>();
            for (int n = 0; n < 40; n++) {
                results.add(pool.submit(() -> {
                    try {
                        f.cp.compute().run(tenant, nano(f, null, null));
                        return "ok";
                    } catch (NuboException e) {
                        return e.errorCode().code();
                    }
                }));
            }
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (Future<String> r : results) {
                counts.merge(r.get(), 1L, Long::sum);
            }
            pool.shutdown();
            assertThat(counts).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("ok", 15L, "InstanceLimitExceeded", 25L)));
            assertThat(f.count("SELECT count(*) FROM instances WHERE account_id = '" + tenant.accountId() + "'")).isEqualTo(15);
        }
    }
}
