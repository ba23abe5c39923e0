package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.NuboException;
import io.nubo.core.billing.Money;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BillingBadInputTest {
    private static final Instant T0 = Instant.parse("2025-01-20T08:00:00Z");

    private static String fingerprint(BillingFixture f) {
        return f.db.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM prices) || '/' ||
                       (SELECT coalesce(string_agg(sku || effective_from || micros_per_unit, ',' ORDER BY sku, effective_from), '') FROM prices) || '/' ||
                       (SELECT count(*) FROM closed_months) || '/' || (SELECT count(*) FROM invoices) || '/' ||
                       (SELECT coalesce(sum(total_minor), 0) FROM invoices) || '/' || (SELECT count(*) FROM invoice_lines)""")
                .mapTo(String.class).one());
    }

    private static void rejected(BillingFixture f, String code, String message, Runnable call) {
        String before = fingerprint(f);
        assertThatThrownBy(call::run).isInstanceOf(NuboException.class)
                .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo(code))
                .hasMessageContaining(message);
        assertThat(fingerprint(f)).as("a rejected request changes nothing").isEqualTo(before);
    }

    @Test
    void negativeMalformedOrAmbiguousPricesAreRejectedAndChangeNothing() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            rejected(f, "InvalidParameterValue", "must not be negative",
                    () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(), Optional.of(-1L), Optional.empty()));
            for (String bad : new String[]{"-0.01", "abc", "1.2.3", "0.0000001", "", "1e3", "12345678"}) {
                rejected(f, "InvalidParameterValue", "Invalid price",
                        () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.of(bad), Optional.empty(), Optional.empty()));
            }
            rejected(f, "InvalidParameterCombination", "either",
                    () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.of("1"), Optional.of(1L), Optional.empty()));
            rejected(f, "InvalidParameterValue", "Unknown usage type",
                    () -> b.setPrice(f.admin, "bandwidth", "t3.nano", Optional.empty(), Optional.of(1L), Optional.empty()));
            rejected(f, "InvalidParameterValue", "InstanceType",
                    () -> b.setPrice(f.admin, "instance", "x9.huge", Optional.empty(), Optional.of(1L), Optional.empty()));
            rejected(f, "InvalidParameterValue", "at most",
                    () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(), Optional.of(Long.MAX_VALUE), Optional.empty()));
            Principal tenant = f.tenant("t");
            rejected(f, "UnauthorizedOperation", "not authorized",
                    () -> b.setPrice(tenant, "instance", "t3.nano", Optional.empty(), Optional.of(1L), Optional.empty()));
            assertThat(b.setPrice(f.admin, "instance", "t3.nano", Optional.of("0.0104"), Optional.empty(), Optional.empty()).microsPerUnit())
                    .isEqualTo(10_400);
        }
    }

    @Test
    void aPriceThatDoesNotStartAfterTheLastPeriodOfItsSkuOverlapsAndIsRejected() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            Instant later = T0.plus(Duration.ofDays(2));
            b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(), Optional.of(7000L), Optional.of(later));
            rejected(f, "InvalidParameterValue", "overlaps the price period that starts at " + later,
                    () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(), Optional.of(8000L), Optional.of(later)));
            rejected(f, "InvalidParameterValue", "overlaps",
                    () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(), Optional.of(8000L), Optional.of(T0)));
            // Another sku has its own periods.
            b.setPrice(f.admin, "instance", "t3.micro", Optional.empty(), Optional.of(8000L), Optional.of(T0));
        }
    }

    @Test
    void aClosedMonthCannotBeChangedOrClosedAgainAndAMonthCannotCloseBeforeItEnds() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            Principal p = f.tenant("closing");
            f.cp.compute().run(p, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null));
            f.observe(Set.of());
            rejected(f, "InvalidParameterValue", "can be closed from", () -> b.closeMonth(f.admin, YearMonth.of(2025, 1)));
            f.clock.advance(Duration.ofDays(12)); // 2025-02-01T08:00Z
            rejected(f, "UnauthorizedOperation", "not authorized", () -> b.closeMonth(p, YearMonth.of(2025, 1)));
            BillingService.ClosedMonth closed = b.closeMonth(f.admin, YearMonth.of(2025, 1));
            assertThat(closed.totalMinor()).isPositive();
            Invoice jan = b.invoice(p, InvoiceIds.of(p.accountId(), YearMonth.of(2025, 1)));
            assertThat(jan.status()).isEqualTo(Invoice.Status.CLOSED);
            // 11 days and 16 hours (280 h) of a t3.nano at 5,200 micro-units an hour: 1,456,000 micros, 145.6 cents -> 146.
            assertThat(jan.lines()).filteredOn(l -> l.usageType().equals("instance")).singleElement().satisfies(l -> {
                assertThat(l.quantity()).isEqualTo((11 * 24 + 16) * 3600L);
                assertThat(l.amountMinor()).isEqualTo(146);
            });
            // Its root volume (1 GiB of gp3) existed as long.
            assertThat(jan.lines()).filteredOn(l -> l.usageType().equals("volume")).singleElement().satisfies(l -> {
                assertThat(l.sku()).isEqualTo("gp3");
                assertThat(l.quantity()).isEqualTo((11 * 24 + 16) * 3600L);
            });
            rejected(f, "BillingPeriodClosed", "already closed", () -> b.closeMonth(f.admin, YearMonth.of(2025, 1)));
            rejected(f, "BillingPeriodClosed", "closed billing month", () -> b.setPrice(f.admin, "instance", "t3.nano", Optional.empty(),
                    Optional.of(1L), Optional.of(Instant.parse("2025-01-31T00:00:00Z"))));
            String before = fingerprint(f);
            assertThatThrownBy(() -> f.db.jdbi().useHandle(h -> h.execute("UPDATE invoices SET total_minor = 0")))
                    .hasMessageContaining("immutable");
            assertThatThrownBy(() -> f.db.jdbi().useHandle(h -> h.execute("DELETE FROM invoice_lines")))
                    .hasMessageContaining("immutable");
            assertThat(fingerprint(f)).isEqualTo(before);
            // Usage keeps accruing into February's draft, and January does not move.
            f.clock.advance(Duration.ofDays(3));
            assertThat(b.invoice(p, InvoiceIds.of(p.accountId(), YearMonth.of(2025, 1)))).isEqualTo(jan);
            assertThat(b.invoice(p, InvoiceIds.of(p.accountId(), YearMonth.of(2025, 2))).status()).isEqualTo(Invoice.Status.DRAFT);
        }
    }

    @Test
    void invoicesOfOtherTenantsAndMalformedIdsAreNotFound() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            Principal a = f.tenant("a");
            Principal other = f.tenant("b");
            String id = InvoiceIds.of(a.accountId(), YearMonth.of(2025, 1));
            assertThat(b.invoice(a, id).accountId()).isEqualTo(a.accountId());
            rejected(f, "InvalidInvoiceID.NotFound", "does not exist", () -> b.invoice(other, id));
            rejected(f, "InvalidInvoiceID.NotFound", "does not exist", () -> b.invoice(a, InvoiceIds.of(a.accountId(), YearMonth.of(2024, 12))));
            rejected(f, "InvalidInvoiceID.NotFound", "does not exist", () -> b.invoice(a, InvoiceIds.of(a.accountId(), YearMonth.of(2025, 2))));
            rejected(f, "InvalidInvoiceID.Malformed", "Invalid invoice id", () -> b.invoice(a, "inv-1-2"));
            rejected(f, "InvalidInvoiceID.Malformed", "Invalid invoice id", () -> b.invoice(a, "inv-" + a.accountId() + "-202513"));
            rejected(f, "InvalidAccountID.NotFound", "does not exist",
                    () -> b.invoices(a, Optional.of(other.accountId())));
        }
    }

    @Test
    void roundingIsHalfUpToTheMinorUnitInIntegers() {
        assertThat(Money.divideHalfUp(5_000, 10_000)).isEqualTo(1);
        assertThat(Money.divideHalfUp(4_999, 10_000)).isZero();
        assertThat(Money.divideHalfUp(15_000, 10_000)).isEqualTo(2);
        assertThat(Money.format(1234, java.util.Currency.getInstance("USD"))).isEqualTo("12.34");
        assertThat(Money.format(5, java.util.Currency.getInstance("USD"))).isEqualTo("0.05");
        assertThat(Money.format(5, java.util.Currency.getInstance("JPY"))).isEqualTo("5");
        assertThat(Money.microsPerMinor(java.util.Currency.getInstance("JPY"))).isEqualTo(1_000_000);
        assertThat(BillingService.parseDecimal("0.0104")).isEqualTo(10_400);
        assertThat(BillingService.parseDecimal("12")).isEqualTo(12_000_000);
    }
}
