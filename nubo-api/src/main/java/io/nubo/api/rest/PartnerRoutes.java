package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.store.Partners;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/**
 * The partner (reseller) part of the REST route table: an operator makes an account a partner;
 * a partner manages its customers and its price book under {@code /partner}. A partner reads its
 * customers' accounts, access keys, quotas, usage and invoices through the ordinary routes with the
 * customer's ID. Handlers only translate; the rules are in the services.
 */
final class PartnerRoutes {
    private PartnerRoutes() {
    }

    /** A markup on the hoster's prices, in percent with at most 2 decimals ("20", "12.5"); {@code effectiveFrom} defaults to now. */
    record SetMarkup(String percent, Instant effectiveFrom) {
    }

    static List<Route> all(ControlPlane cp) {
        var identity = cp.identity();
        var quotas = cp.quotas();
        var billing = cp.billing();
        return List.of(
                route(HandlerType.POST, "/accounts/{accountId}/partner", "makePartner",
                        "Make an account a partner: it may then create, manage and bill customer accounts (admin)", true, 200,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.account(identity.makePartner(c.principal(), c.path("accountId")));
                        }),
                route(HandlerType.GET, "/partner/customers", "listCustomers", "A partner's customer accounts (partners)", false, 200, null,
                        List.of(), c -> identity.listCustomers(c.principal()).stream().map(Views::account).toList()),
                route(HandlerType.POST, "/partner/customers", "createCustomer",
                        "Create a customer account and its first access key (partners); the secret is shown only in this answer", false, 201,
                        Bodies.CreateAccount.class, List.of(),
                        c -> {
                            var b = c.body(Bodies.CreateAccount.class);
                            var key = identity.createCustomer(c.principal(), b.name(), Optional.ofNullable(b.instanceQuota()));
                            return new Views.AccountCreated(Views.account(identity.getAccount(c.principal(), key.accountId())), Views.newKey(key));
                        }),
                route(HandlerType.POST, "/partner/customers/{accountId}/disable", "disableCustomer",
                        "Disable a customer account: its keys stop working (partners)", false, 200, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.account(identity.setAccountEnabled(c.principal(), c.path("accountId"), false));
                        }),
                route(HandlerType.POST, "/partner/customers/{accountId}/enable", "enableCustomer", "Enable a customer account again (partners)",
                        false, 200, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Views.account(identity.setAccountEnabled(c.principal(), c.path("accountId"), true));
                        }),
                route(HandlerType.PUT, "/partner/customers/{accountId}/quotas", "setCustomerQuotas",
                        "Set a customer's quotas (partners); below current use is allowed and blocks new creates", false, 200,
                        BillingRoutes.SetQuotas.class, List.of(),
                        c -> BillingRoutes.quotas(quotas.setQuotas(c.principal(), c.path("accountId"),
                                c.body(BillingRoutes.SetQuotas.class).asMap()))),
                route(HandlerType.GET, "/partner/quota-defaults", "getPartnerQuotaDefaults",
                        "The partner's default vCPU and memory quotas for its customers (partners)", false, 200, null, List.of(),
                        c -> quotas.partnerDefaults(c.principal())),
                route(HandlerType.PUT, "/partner/quota-defaults", "setPartnerQuotaDefaults",
                        "Set the partner's default vCPU and memory quotas for its customers (partners)", false, 200,
                        BillingRoutes.SetQuotas.class, List.of(),
                        c -> quotas.setPartnerDefaults(c.principal(), c.body(BillingRoutes.SetQuotas.class).asMap())),
                route(HandlerType.GET, "/partner/prices", "getPartnerPrices",
                        "The partner's book: its own prices, its markups, and the prices its customers pay (partners)", false, 200, null,
                        List.of(),
                        c -> {
                            var book = billing.partnerBook(c.principal());
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("currency", billing.currency().getCurrencyCode());
                            out.put("prices", book.prices().stream().map(BillingRoutes::price).toList());
                            out.put("markups", book.markups().stream().map(PartnerRoutes::markup).toList());
                            out.put("customerPrices", book.effective().stream().map(BillingRoutes::price).toList());
                            return out;
                        }),
                route(HandlerType.POST, "/partner/prices", "setPartnerPrice",
                        "Set a price the partner's customers pay from a time on, instead of the hoster's plus the markup (partners)", false,
                        200, BillingRoutes.SetPrice.class, List.of(),
                        c -> {
                            var b = c.body(BillingRoutes.SetPrice.class);
                            return BillingRoutes.price(billing.setPartnerPrice(c.principal(), b.usageType(), b.sku(), Optional.ofNullable(b.price()),
                                    Optional.ofNullable(b.micros()), Optional.ofNullable(b.effectiveFrom())));
                        }),
                route(HandlerType.POST, "/partner/markups", "setPartnerMarkup",
                        "Set the partner's markup on the hoster's prices from a time on (partners)", false, 200, SetMarkup.class, List.of(),
                        c -> {
                            var b = c.body(SetMarkup.class);
                            return markup(billing.setMarkup(c.principal(), b.percent(), Optional.ofNullable(b.effectiveFrom())));
                        }));
    }

    private static Map<String, Object> markup(Partners.Markup m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("effectiveFrom", m.effectiveFrom());
        out.put("basisPoints", m.basisPoints());
        out.put("percent", java.math.BigDecimal.valueOf(m.basisPoints(), 2).stripTrailingZeros().toPlainString());
        return out;
    }
}
