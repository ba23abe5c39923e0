package io.nubo.control.billing;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.NuboException;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Acceptance 5 of issue 7: a partner's customer is billed at the partner's prices and the partner
 * at the hoster's (for its customers' usage too); a partner sees only its own customers.
 */
class BillingPartnerTest {
    private static final Instant T0 = Instant.parse("2025-05-10T10:00:00Z");

    static Principal partner(BillingFixture f, String name) {
        Principal p = f.tenant(name);
        f.cp.identity().makePartner(f.admin, p.accountId());
        return new Principal(p.accountId(), Role.PARTNER, p.accessKeyId());
    }

    static Principal customer(BillingFixture f, Principal partner, String name) {
        NewAccessKey k = f.cp.identity().createCustomer(partner, name, Optional.empty());
        return new Principal(k.accountId(), Role.MEMBER, k.accessKeyId());
    }

    private static String runFor(BillingFixture f, Principal p, String type, Duration d) {
        String id = f.cp.compute().run(p, new LaunchRequest(f.imageId, type, 1, 1, null, null, null)).instances().get(0).id();
        f.observe(Set.of());
        f.clock.advance(d);
        f.cp.compute().stop(p, id, false);
        f.observe(Set.of());
        return id;
    }

    private static void notFound(String code, Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(NuboException.class)
                .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo(code));
    }

    @Test
    void aCustomerPaysThePartnersPricesAndThePartnerPaysTheHostersForItsCustomersUsage() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            Principal p = partner(f, "reseller");
            Principal c1 = customer(f, p, "shop");
            Principal c2 = customer(f, p, "bakery");
            Principal q = partner(f, "other-reseller");
            Principal d1 = customer(f, q, "their-customer");
            Principal direct = f.tenant("direct");
            // +20% on everything, except t3.micro, which the partner prices itself.
            b.setMarkup(p, "20", Optional.empty());
            b.setPartnerPrice(p, "instance", "t3.micro", Optional.of("0.02"), Optional.empty(), Optional.empty());

            String nano = runFor(f, c1, "t3.nano", Duration.ofHours(1));
            String micro = runFor(f, c2, "t3.micro", Duration.ofHours(2));
            String own = runFor(f, p, "t3.nano", Duration.ofHours(1));
            String theirs = runFor(f, d1, "t3.nano", Duration.ofHours(3));
            runFor(f, direct, "t3.nano", Duration.ofHours(1));

            f.clock.advance(Duration.ofDays(30));
            b.closeMonth(f.admin, YearMonth.of(2025, 5));
            String month = "-202505";

            Invoice shop = b.invoice(c1, "inv-" + c1.accountId() + month);
            assertThat(shop.issuer()).isEqualTo(p.accountId());
            // Each instance's root volume has a line of its own (rated like any volume); the instances' lines are checked here.
            assertThat(instanceLines(shop)).singleElement().satisfies(l -> {
                assertThat(l.resourceId()).isEqualTo(nano);
                assertThat(l.unitPriceMicros()).as("5200 + 20%").isEqualTo(6240);
                assertThat(l.quantity()).isEqualTo(3600);
                assertThat(l.amountMinor()).as("0.00624 rounds to 1 cent").isEqualTo(1);
            });
            assertThat(shop.totalMinor()).isEqualTo(shop.lines().stream().mapToLong(Invoice.Line::amountMinor).sum());
            Invoice bakery = b.invoice(c2, "inv-" + c2.accountId() + month);
            assertThat(instanceLines(bakery)).singleElement().satisfies(l -> {
                assertThat(l.unitPriceMicros()).isEqualTo(20_000);
                assertThat(l.amountMinor()).isEqualTo(4);
            });

            // The partner's invoice has its own usage and its customers', all at the hoster's prices.
            Invoice reseller = b.invoice(p, "inv-" + p.accountId() + month);
            assertThat(reseller.issuer()).isEqualTo("hoster");
            assertThat(instanceLines(reseller)).extracting(Invoice.Line::resourceId).containsExactlyInAnyOrder(nano, micro, own);
            assertThat(reseller.lines()).filteredOn(l -> l.resourceId().equals(micro)).singleElement().satisfies(l -> {
                assertThat(l.unitPriceMicros()).isEqualTo(10_400);
                assertThat(l.accountId()).isEqualTo(c2.accountId());
            });
            assertThat(reseller.lines()).filteredOn(l -> l.resourceId().equals(nano)).singleElement()
                    .satisfies(l -> assertThat(l.unitPriceMicros()).isEqualTo(5200));
            assertThat(reseller.lines()).extracting(Invoice.Line::resourceId).doesNotContain(theirs);
            Invoice other = b.invoice(q, "inv-" + q.accountId() + month);
            assertThat(instanceLines(other)).extracting(Invoice.Line::resourceId).containsExactly(theirs);

            // The partner sees its customer's invoice as the customer does.
            assertThat(b.invoice(p, shop.id())).isEqualTo(shop);
            assertThat(b.invoices(p, Optional.of(c1.accountId()))).extracting(Invoice::id).contains(shop.id());
            // Usage of a customer is priced with the partner's book, for the customer and the partner alike.
            UsageQuery q1 = new UsageQuery(Optional.of(c1.accountId()), LocalDate.of(2025, 5, 1), LocalDate.of(2025, 6, 1),
                    Optional.empty(), Optional.empty(), UsageQuery.GroupBy.RESOURCE);
            assertThat(b.usage(p, q1)).filteredOn(g -> g.key().equals(nano)).singleElement()
                    .satisfies(g -> assertThat(g.amountMicros()).isEqualTo(6240));
            // And the customer's price list is the partner's.
            assertThat(b.prices(c1)).filteredOn(x -> x.type() == UsageType.INSTANCE && x.sku().equals("t3.micro"))
                    .extracting(x -> x.microsPerUnit()).last().isEqualTo(20_000L);
        }
    }

    @Test
    void aPartnerSeesAndManagesOnlyItsOwnCustomers() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = partner(f, "reseller");
            Principal c1 = customer(f, p, "shop");
            Principal q = partner(f, "other-reseller");
            Principal d1 = customer(f, q, "their-customer");
            Principal direct = f.tenant("direct");
            String cKey = f.db.read(s -> s.accessKeys().listForAccount(d1.accountId())).get(0).id();

            assertThat(f.cp.identity().listCustomers(p)).extracting(a -> a.id()).containsExactly(c1.accountId());
            assertThat(f.cp.identity().getAccount(p, c1.accountId()).partnerId()).isEqualTo(p.accountId());
            for (String foreign : List.of(d1.accountId(), q.accountId(), direct.accountId(), f.admin.accountId())) {
                String nf = "InvalidAccountID.NotFound";
                notFound(nf, () -> f.cp.identity().getAccount(p, foreign));
                notFound(nf, () -> f.cp.identity().createAccessKey(p, foreign));
                notFound(nf, () -> f.cp.identity().listAccessKeys(p, foreign));
                notFound(nf, () -> f.cp.identity().setAccountEnabled(p, foreign, false));
                notFound(nf, () -> f.cp.quotas().quotas(p, foreign));
                notFound(nf, () -> f.cp.quotas().setQuotas(p, foreign, Map.of("instances", 1000L)));
                notFound(nf, () -> f.cp.billing().invoices(p, Optional.of(foreign)));
                notFound(nf, () -> f.cp.billing().usage(p, new UsageQuery(Optional.of(foreign), LocalDate.of(2025, 5, 1),
                        LocalDate.of(2025, 6, 1), Optional.empty(), Optional.empty(), UsageQuery.GroupBy.TYPE)));
                notFound("InvalidInvoiceID.NotFound", () -> f.cp.billing().invoice(p, "inv-" + foreign + "-202505"));
            }
            notFound("InvalidAccessKeyId.NotFound", () -> f.cp.identity().revokeAccessKey(p, cKey));
            // Nor can a partner raise its own quotas.
            notFound("InvalidAccountID.NotFound", () -> f.cp.quotas().setQuotas(p, p.accountId(), Map.of("instances", 1000L)));
            // Its customers it manages: keys, quotas, disabling.
            NewAccessKey second = f.cp.identity().createAccessKey(p, c1.accountId());
            assertThat(second.accountId()).isEqualTo(c1.accountId());
            f.cp.identity().revokeAccessKey(p, second.accessKeyId());
            f.cp.quotas().setQuotas(p, c1.accountId(), Map.of("instances", 3L));
            assertThat(f.cp.quotas().quotas(c1, c1.accountId())).filteredOn(u -> u.resource().equals("instances"))
                    .singleElement().satisfies(u -> assertThat(u.limit()).contains(3L));
            assertThat(f.cp.identity().setAccountEnabled(p, c1.accountId(), false).enabled()).isFalse();
            // A customer or a plain tenant is no partner.
            notFound("UnauthorizedOperation", () -> f.cp.identity().createCustomer(c1, "nested", Optional.empty()));
            notFound("UnauthorizedOperation", () -> f.cp.identity().createCustomer(direct, "nope", Optional.empty()));
            notFound("UnauthorizedOperation", () -> f.cp.billing().setMarkup(direct, "10", Optional.empty()));
            notFound("UnauthorizedOperation", () -> f.cp.identity().listCustomers(direct));
            notFound("UnauthorizedOperation", () -> f.cp.identity().makePartner(p, direct.accountId()));
            // Only the hoster's own members become partners.
            notFound("InvalidParameterValue", () -> f.cp.identity().makePartner(f.admin, d1.accountId()));
            notFound("InvalidParameterValue", () -> f.cp.identity().makePartner(f.admin, f.admin.accountId()));
            notFound("InvalidAccountID.NotFound", () -> f.cp.identity().makePartner(f.admin, "999999999999"));
            assertThat(f.cp.identity().makePartner(f.admin, p.accountId()).role()).isEqualTo(Role.PARTNER);
        }
    }

    @Test
    void aPartnersDefaultQuotasBindItsCustomersAndItsOverridesWin() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            Principal p = partner(f, "reseller");
            Principal c1 = customer(f, p, "shop");
            Principal direct = f.tenant("direct");
            f.cp.quotas().setPartnerDefaults(p, Map.of("vcpus", 2L));
            f.cp.compute().run(c1, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null));
            notFound("VcpuLimitExceeded", () -> f.cp.compute().run(c1, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null)));
            // Other accounts are not bound by this partner's defaults.
            f.cp.compute().run(direct, new LaunchRequest(f.imageId, "t3.nano", 2, 2, null, null, null));
            f.cp.quotas().setQuotas(p, c1.accountId(), Map.of("vcpus", 4L));
            f.cp.compute().run(c1, new LaunchRequest(f.imageId, "t3.nano", 1, 1, null, null, null));
            notFound("InvalidParameterValue", () -> f.cp.quotas().setPartnerDefaults(p, Map.of("instances", 5L)));
            notFound("InvalidParameterValue", () -> f.cp.quotas().setPartnerDefaults(p, Map.of("vcpus", -1L)));
            notFound("UnauthorizedOperation", () -> f.cp.quotas().setPartnerDefaults(direct, Map.of("vcpus", 1L)));
            assertThat(f.cp.quotas().partnerDefaults(p)).containsEntry("vcpus", 2L);
        }
    }

    @Test
    void badMarkupsAndPartnerPricesAreRejectedAndChangeNothing() throws Exception {
        try (BillingFixture f = new BillingFixture(T0)) {
            BillingService b = f.cp.billing();
            Principal p = partner(f, "reseller");
            String before = book(f, p);
            for (String bad : new String[]{"abc", "-5", "10000.01", "1.234", "", "1e3", "20%"}) {
                notFound("InvalidParameterValue", () -> b.setMarkup(p, bad, Optional.empty()));
            }
            notFound("InvalidParameterValue", () -> b.setMarkup(p, "10", Optional.of(T0.minusSeconds(60))));
            notFound("InvalidParameterValue", () -> b.setPartnerPrice(p, "instance", "t3.nano", Optional.of("-1"), Optional.empty(),
                    Optional.empty()));
            notFound("InvalidParameterValue", () -> b.setPartnerPrice(p, "instance", "x9.huge", Optional.of("1"), Optional.empty(),
                    Optional.empty()));
            notFound("InvalidParameterValue", () -> b.setPartnerPrice(p, "volume", "gp9", Optional.of("1"), Optional.empty(),
                    Optional.empty()));
            assertThat(book(f, p)).isEqualTo(before);
            b.setMarkup(p, "12.5", Optional.of(T0.plusSeconds(3600)));
            notFound("InvalidParameterValue", () -> b.setMarkup(p, "15", Optional.of(T0.plusSeconds(60))));
            assertThat(b.partnerBook(p).markups()).singleElement().satisfies(m -> assertThat(m.basisPoints()).isEqualTo(1250));
            // Before the markup starts the customers pay the hoster's price; from then on 12.5% more, rounded half-up.
            assertThat(b.partnerBook(p).effective()).filteredOn(x -> x.sku().equals("t3.nano")).extracting(x -> x.microsPerUnit())
                    .containsExactly(5200L, 5850L);
        }
    }

    private static String book(BillingFixture f, Principal p) {
        return f.db.read(s -> s.prices().list(p.accountId()).toString() + s.partners().markups(p.accountId()) + s.events().list(null, null, 0,
                1000).size());
    }

    private static List<Invoice.Line> instanceLines(Invoice invoice) {
        return invoice.lines().stream().filter(l -> l.usageType().equals("instance")).toList();
    }
}
