package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.store.WebhookDeliveries;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Budgets (issue 7): thresholds crossed once per month, bad input, and webhook calls made off the request path from a durable outbox. */
class BillingBudgetTest {
    private static final Instant T0 = Instant.parse("2025-05-10T00:00:00Z");
    private static final WebhookSettings FAST = new WebhookSettings(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofMillis(50),
            Duration.ofMillis(200), 4, Duration.ofMillis(50), true);

    private static String run(BillingFixture f, Principal p, String type) {
        String id = f.cp.compute().run(p, new LaunchRequest(f.imageId, type, 1, 1, null, null, null)).instances().get(0).id();
        f.observe(Set.of());
        return id;
    }

    private static long thresholdEvents(BillingFixture f, String accountId) {
        return f.count("SELECT count(*) FROM events WHERE type = 'budget.threshold' AND account_id = '" + accountId + "'");
    }

    @Test
    void eachThresholdIsCrossedOncePerMonthEvenWithTwoServersChecking() throws Exception {
        try (BillingFixture f = new BillingFixture(T0); WebhookServer hooks = new WebhookServer()) {
            Principal t = f.tenant("spender");
            BudgetService budgets = f.cp.budgets();
            budgets.set(t, "1.00", Optional.empty(), Optional.of(hooks.url("/ok/spender")));
            run(f, t, "t3.xlarge"); // 16.64 cents an hour
            f.clock.advance(Duration.ofHours(2)); // 33 cents
            assertThat(budgets.check()).isZero();
            f.clock.advance(Duration.ofHours(2)); // 67 cents: 50% crossed, by either of two servers but once
            BudgetService other = new BudgetService(f.db, f.clock, f.cp.billing(), () -> { });
            CyclicBarrier start = new CyclicBarrier(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> both = List.of(pool.submit(() -> {
                start.await();
                return budgets.check();
            }), pool.submit(() -> {
                start.await();
                return other.check();
            }));
            assertThat(both.get(0).get() + both.get(1).get()).isEqualTo(1);
            pool.shutdown();
            assertThat(budgets.check()).isZero();
            f.clock.advance(Duration.ofHours(1)); // 83 cents
            assertThat(budgets.check()).isEqualTo(1);
            f.clock.advance(Duration.ofHours(2)); // 116 cents
            assertThat(budgets.check()).isEqualTo(1);
            assertThat(budgets.check()).isZero();
            assertThat(thresholdEvents(f, t.accountId())).isEqualTo(3);
            BudgetService.Status st = budgets.status(t);
            assertThat(st.alerts()).extracting(a -> a.threshold()).containsExactly(50, 80, 100);
            assertThat(st.totalMinor()).isEqualTo(116);
            // A new month starts from nothing: its first 10 hours cross all three at once.
            f.clock.advance(Duration.ofDays(22));
            assertThat(budgets.check()).isEqualTo(3);
            assertThat(thresholdEvents(f, t.accountId())).isEqualTo(6);
            // Every crossing with a webhook is one call in the outbox, and nothing was called yet: no sender runs.
            assertThat(f.count("SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL")).isEqualTo(6);
            assertThat(hooks.calls("/ok/spender")).isZero();
            try (WebhookSender sender = new WebhookSender(f.db, Clock.systemUTC(), FAST)) {
                sender.start();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> f.count("SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NOT NULL AND attempts = 1") == 6);
            }
            assertThat(hooks.calls("/ok/spender")).isEqualTo(6);
            assertThat(hooks.bodies).anySatisfy(b -> assertThat(b).contains("\"type\":\"budget.threshold\"", "\"thresholdPercent\":80",
                    "\"accountId\":\"" + t.accountId() + "\"", "\"month\":\"2025-05\"", "\"budgetMinor\":100", "\"currency\":\"USD\""));
        }
    }

    @Test
    void aBadBudgetIsRejectedAndChangesNothing() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal t = f.tenant("careful");
            BudgetService budgets = f.cp.budgets();
            budgets.set(t, "10", Optional.of(List.of(90)), Optional.of("https://hooks.example.com/budget?token=abc"));
            String before = state(f);
            for (String bad : new String[]{"-1", "0", "0.00", "abc", "1.001", "1e3", "", "10000000000001"}) {
                rejected(f, before, "InvalidParameterValue", () -> budgets.set(t, bad, Optional.empty(), Optional.empty()));
            }
            rejected(f, before, "MissingParameter", () -> budgets.set(t, null, Optional.empty(), Optional.empty()));
            for (List<Integer> bad : List.of(List.<Integer>of(), List.of(0), List.of(1001), List.of(50, 50), List.of(-5),
                    List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))) {
                rejected(f, before, "InvalidParameterValue", () -> budgets.set(t, "10", Optional.of(bad), Optional.empty()));
            }
            for (String bad : new String[]{"ftp://hooks.example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "not a url",
                    "hooks.example.com/x", "http://hooks.example.com/x#frag", "gopher://127.0.0.1:25/", "", "http://" + "a".repeat(2050)}) {
                rejected(f, before, "InvalidParameterValue", () -> budgets.set(t, "10", Optional.empty(), Optional.of(bad)));
            }
            // The error names the scheme, never the URL with its token.
            assertThatThrownBy(() -> budgets.set(t, "10", Optional.empty(), Optional.of("ftp://u:secret@example.com/?token=secret")))
                    .hasMessageNotContaining("secret");
            assertThat(budgets.set(t, "99.50", Optional.of(List.of(100, 25)), Optional.empty()).thresholds()).containsExactly(25, 100);
            assertThat(budgets.status(t).budget().orElseThrow().amountMinor()).isEqualTo(9950);
            assertThat(budgets.delete(t)).isTrue();
            assertThat(budgets.delete(t)).isFalse();
        }
    }

    @Test
    void webhooksAreRetriedWithBackoffAndOneThatNeverAnswersIsGivenUpWithoutHoldingUpTheOthers() throws Exception {
        try (BillingFixture f = new BillingFixture(T0); WebhookServer hooks = new WebhookServer()) {
            Principal flaky = f.tenant("flaky");
            Principal hanging = f.tenant("hanging");
            Principal fine = f.tenant("fine");
            f.cp.budgets().set(flaky, "0.01", Optional.of(List.of(100)), Optional.of(hooks.url("/flaky/b")));
            f.cp.budgets().set(hanging, "0.01", Optional.of(List.of(100)), Optional.of(hooks.url("/hang/c")));
            f.cp.budgets().set(fine, "0.01", Optional.of(List.of(100)), Optional.of(hooks.url("/ok/d")));
            run(f, flaky, "t3.xlarge");
            run(f, hanging, "t3.xlarge");
            run(f, fine, "t3.xlarge");
            f.clock.advance(Duration.ofHours(1));
            assertThat(f.cp.budgets().check()).isEqualTo(3);
            try (WebhookSender sender = new WebhookSender(f.db, Clock.systemUTC(), FAST)) {
                sender.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> delivery(f, fine).deliveredAt().isPresent());
                await().atMost(Duration.ofSeconds(20)).until(() -> delivery(f, flaky).deliveredAt().isPresent());
                await().atMost(Duration.ofSeconds(20)).until(() -> delivery(f, hanging).failedAt().isPresent());
            }
            assertThat(hooks.calls("/flaky/b")).isEqualTo(3);
            assertThat(delivery(f, flaky).attempts()).isEqualTo(3);
            WebhookDeliveries.Delivery hung = delivery(f, hanging);
            assertThat(hung.attempts()).isEqualTo(FAST.maxAttempts());
            assertThat(hung.lastError()).hasValueSatisfying(e -> assertThat(e).contains("no answer").doesNotContain("/hang/c"));
            assertThat(delivery(f, fine).attempts()).isEqualTo(1);
        }
    }

    @Test
    void aCallQueuedOrHeldByAServerThatDiedIsMadeByAnotherOnceItsLeaseRunsOut() throws Exception {
        try (BillingFixture f = new BillingFixture(T0); WebhookServer hooks = new WebhookServer()) {
            Principal t = f.tenant("survivor");
            long held = f.db.inTransaction(s -> s.webhookDeliveries().insert(t.accountId(), hooks.url("/ok/held"), "{}", T0));
            // A server claims the call and dies before it makes it (it never runs its attempt).
            WebhookSender dead = new WebhookSender(f.db, Clock.systemUTC(), FAST);
            assertThat(dead.claim()).extracting(WebhookDeliveries.Delivery::id).containsExactly(held);
            long queued = f.db.inTransaction(s -> s.webhookDeliveries().insert(t.accountId(), hooks.url("/ok/queued"), "{}", T0));
            try (WebhookSender next = new WebhookSender(f.db, Clock.systemUTC(), FAST)) {
                next.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> find(f, queued).deliveredAt().isPresent());
                await().atMost(Duration.ofSeconds(20)).until(() -> find(f, held).deliveredAt().isPresent());
            }
            dead.close();
            assertThat(find(f, held).attempts()).as("the dead server's attempt counts").isEqualTo(2);
            assertThat(hooks.calls("/ok/held")).isEqualTo(1);
            assertThat(hooks.calls("/ok/queued")).isEqualTo(1);
        }
    }

    @Test
    void aWebhookOnAPrivateAddressIsRefusedUnlessTheInstallationAllowsIt() throws Exception {
        try (BillingFixture f = new BillingFixture(T0); WebhookServer hooks = new WebhookServer()) {
            Principal t = f.tenant("prober");
            long id = f.db.inTransaction(s -> s.webhookDeliveries().insert(t.accountId(), hooks.url("/ok/internal"), "{}", T0));
            WebhookSettings strict = new WebhookSettings(FAST.timeout(), FAST.lease(), FAST.firstRetry(), FAST.maxRetry(), FAST.maxAttempts(),
                    FAST.poll(), false);
            try (WebhookSender sender = new WebhookSender(f.db, Clock.systemUTC(), strict)) {
                sender.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> find(f, id).failedAt().isPresent());
            }
            assertThat(find(f, id).lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("refused"));
            assertThat(hooks.calls("/ok/internal")).isZero();
        }
    }

    private static WebhookDeliveries.Delivery delivery(BillingFixture f, Principal p) {
        return f.db.read(s -> s.webhookDeliveries().forAccount(p.accountId(), 10)).get(0);
    }

    private static WebhookDeliveries.Delivery find(BillingFixture f, long id) {
        return f.db.read(s -> s.webhookDeliveries().find(id)).orElseThrow();
    }

    private static String state(BillingFixture f) {
        return f.db.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM events) || '/' || (SELECT coalesce(string_agg(account_id || amount_minor || thresholds::text
                       || coalesce(webhook_url, ''), ','), '') FROM budgets) || '/' || (SELECT count(*) FROM webhook_deliveries)""")
                .mapTo(String.class).one());
    }

    private static void rejected(BillingFixture f, String before, String code, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(NuboException.class)
                .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo(code));
        assertThat(state(f)).as("a rejected budget changes nothing").isEqualTo(before);
    }
}
