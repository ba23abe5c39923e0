package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.billing.BudgetService;
import io.nubo.control.billing.Invoice;
import io.nubo.control.billing.InvoiceCsv;
import io.nubo.control.billing.UsageQuery;
import io.nubo.control.quota.QuotaService;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.billing.Money;
import io.nubo.core.billing.Price;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static io.nubo.api.rest.Route.QueryParam;

/** The billing and quota part of the REST route table (see {@link RestRoutes}); handlers only translate. */
final class BillingRoutes {
    private static final QueryParam ACCOUNT = new QueryParam("account", "string", "operators: another account's ID");

    private BillingRoutes() {
    }

    /** Set a price: {@code price} as a decimal in the currency's unit, or {@code micros}; {@code effectiveFrom} defaults to now. */
    record SetPrice(String usageType, String sku, String price, Long micros, Instant effectiveFrom) {
    }

    /** A monthly budget: {@code amount} in the currency's unit ("250"), thresholds in percent (default 50, 80, 100), an optional http(s) webhook. */
    record SetBudget(String amount, List<Integer> thresholds, String webhookUrl) {
    }

    /** Quotas to set; absent ones stay as they are. */
    record SetQuotas(Long instances, Long vcpus, Long memoryMib, Long volumes, Long volumeGib, Long snapshots, Long snapshotGib,
                     Long images) {
        Map<String, Long> asMap() {
            Map<String, Long> m = new LinkedHashMap<>();
            if (images != null) {
                m.put(QuotaService.IMAGES, images);
            }
            if (volumes != null) {
                m.put(QuotaService.VOLUMES, volumes);
            }
            if (volumeGib != null) {
                m.put(QuotaService.VOLUME_GIB, volumeGib);
            }
            if (snapshots != null) {
                m.put(QuotaService.SNAPSHOTS, snapshots);
            }
            if (snapshotGib != null) {
                m.put(QuotaService.SNAPSHOT_GIB, snapshotGib);
            }
            if (instances != null) {
                m.put(QuotaService.INSTANCES, instances);
            }
            if (vcpus != null) {
                m.put(QuotaService.VCPUS, vcpus);
            }
            if (memoryMib != null) {
                m.put(QuotaService.MEMORY_MIB, memoryMib);
            }
            return m;
        }
    }

    static List<Route> all(ControlPlane cp) {
        var billing = cp.billing();
        var budgets = cp.budgets();
        var quotas = cp.quotas();
        Currency currency = billing.currency();
        return List.of(
                route(HandlerType.GET, "/billing/usage", "getUsage", "Metered usage and its cost, grouped by day, type or resource", false,
                        null, List.of(new QueryParam("from", "string", "first UTC day, YYYY-MM-DD (default: the month's first)"),
                                new QueryParam("to", "string", "UTC day after the last, YYYY-MM-DD (default: tomorrow)"),
                                new QueryParam("resource", "string", "one resource ID"),
                                new QueryParam("type", "string", "a usage type (instance) or sku (t3.nano)"),
                                new QueryParam("groupBy", "string", "day, type (default) or resource"), ACCOUNT),
                        c -> {
                            LocalDate today = billing.today();
                            LocalDate from = c.query("from").map(v -> day(v, "from")).orElse(today.withDayOfMonth(1));
                            LocalDate to = c.query("to").map(v -> day(v, "to")).orElse(today.plusDays(1));
                            UsageQuery.GroupBy group = c.query("groupBy").map(BillingRoutes::groupBy).orElse(UsageQuery.GroupBy.TYPE);
                            var groups = billing.usage(c.principal(), new UsageQuery(c.query("account"), from, to, c.query("resource"),
                                    c.query("type"), group));
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("from", from);
                            out.put("to", to);
                            out.put("groupBy", group.name().toLowerCase(Locale.ROOT));
                            out.put("currency", currency.getCurrencyCode());
                            out.put("usage", groups);
                            return out;
                        }),
                route(HandlerType.GET, "/billing/invoices", "listInvoices",
                        "The account's invoices, newest first: the current month's draft and every earlier month", false, null, List.of(ACCOUNT),
                        c -> billing.invoices(c.principal(), c.query("account")).stream().map(i -> summary(i)).toList()),
                route(HandlerType.GET, "/billing/invoices/{invoiceId}", "getInvoice", "One invoice with its lines", false, null, List.of(),
                        c -> invoice(billing.invoice(c.principal(), c.path("invoiceId")))),
                route(HandlerType.GET, "/billing/invoices/{invoiceId}/csv", "getInvoiceCsv", "One invoice as CSV (text/csv)", false, null,
                        List.of(),
                        c -> new RawBody("text/csv; charset=utf-8",
                                InvoiceCsv.of(billing.invoice(c.principal(), c.path("invoiceId"))).getBytes(StandardCharsets.UTF_8))),
                route(HandlerType.POST, "/billing/months/{month}/close", "closeMonth",
                        "Close a month (YYYY-MM): freeze every account's invoice for it (admin)", true, Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            var closed = billing.closeMonth(c.principal(), month(c.path("month")));
                            return Map.of("month", closed.month().toString(), "invoices", closed.invoices(), "totalMinor", closed.totalMinor(),
                                    "total", Money.format(closed.totalMinor(), currency), "currency", currency.getCurrencyCode());
                        }),
                route(HandlerType.GET, "/billing/prices", "listPrices",
                        "The prices the caller pays, each with the time it took effect (a partner's customer: the partner's)", false,
                        null, List.of(), c -> billing.prices(c.principal()).stream().map(BillingRoutes::price).toList()),
                route(HandlerType.POST, "/billing/prices", "setPrice",
                        "Set a price from a time on (admin); it must start after the last price of its sku", true, SetPrice.class, List.of(),
                        c -> {
                            var b = c.body(SetPrice.class);
                            return price(billing.setPrice(c.principal(), b.usageType(), b.sku(), Optional.ofNullable(b.price()),
                                    Optional.ofNullable(b.micros()), Optional.ofNullable(b.effectiveFrom())));
                        }),
                route(HandlerType.GET, "/billing/meter/check", "checkMeter",
                        "Meter, then compare a rebuild from the event log with the stored usage (admin)", true, null, List.of(),
                        c -> {
                            var r = billing.metering().check();
                            return Map.of("consistent", r.consistent(), "storedRecords", r.storedRecords(), "rebuiltRecords", r.rebuiltRecords(),
                                    "missing", r.missing().stream().limit(100).toList(), "unexpected", r.unexpected().stream().limit(100).toList());
                        }),
                route(HandlerType.POST, "/billing/meter/rebuild", "rebuildMeter", "Rebuild all usage from the event log (admin)", true,
                        Bodies.Empty.class, List.of(),
                        c -> {
                            c.body(Bodies.Empty.class);
                            return Map.of("eventsApplied", billing.metering().rebuild());
                        }),
                route(HandlerType.GET, "/billing/budget", "getBudget",
                        "The caller's monthly budget, this month's total to date, the thresholds crossed and the recent webhook calls", false,
                        null, List.of(), c -> budget(budgets.status(c.principal()), currency)),
                route(HandlerType.PUT, "/billing/budget", "setBudget",
                        "Set (replace) the caller's monthly budget; crossing a threshold records an event and calls the webhook", false,
                        SetBudget.class, List.of(),
                        c -> {
                            var b = c.body(SetBudget.class);
                            budgets.set(c.principal(), b.amount(), Optional.ofNullable(b.thresholds()), Optional.ofNullable(b.webhookUrl()));
                            return budget(budgets.status(c.principal()), currency);
                        }),
                route(HandlerType.DELETE, "/billing/budget", "deleteBudget", "Remove the caller's budget", false, null, List.of(),
                        c -> Map.of("deleted", budgets.delete(c.principal()))),
                route(HandlerType.GET, "/accounts/{accountId}/quotas", "getQuotas", "An account's quotas and what it uses of them", false,
                        null, List.of(), c -> quotas(quotas.quotas(c.principal(), c.path("accountId")))),
                route(HandlerType.PUT, "/accounts/{accountId}/quotas", "setQuotas",
                        "Set an account's quotas (admin); below current use is allowed and blocks new creates", true, SetQuotas.class,
                        List.of(), c -> quotas(quotas.setQuotas(c.principal(), c.path("accountId"), c.body(SetQuotas.class).asMap()))),
                route(HandlerType.PUT, "/quota-defaults", "setQuotaDefaults", "Set the default vCPU and memory quotas (admin)", true,
                        SetQuotas.class, List.of(), c -> quotas.setDefaults(c.principal(), c.body(SetQuotas.class).asMap())));
    }

    static List<Map<String, Object>> quotas(List<QuotaService.Usage> usage) {
        return usage.stream().map(u -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("resource", u.resource());
            m.put("limit", u.limit().orElse(null));
            m.put("used", u.used());
            return m;
        }).toList();
    }

    private static Map<String, Object> budget(BudgetService.Status st, Currency currency) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget", st.budget().map(b -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("amount", Money.format(b.amountMinor(), currency));
            v.put("amountMinor", b.amountMinor());
            v.put("thresholds", b.thresholds());
            v.put("webhookUrl", b.webhookUrl().orElse(null));
            v.put("updatedAt", b.updatedAt());
            return v;
        }).orElse(null));
        m.put("month", st.month().toString());
        m.put("currency", currency.getCurrencyCode());
        m.put("totalMinor", st.totalMinor());
        m.put("total", Money.format(st.totalMinor(), currency));
        m.put("alerts", st.alerts().stream().map(a -> Map.of("threshold", a.threshold(), "totalMinor", a.totalMinor(),
                "budgetMinor", a.budgetMinor(), "crossedAt", a.crossedAt())).toList());
        m.put("webhookCalls", st.webhookCalls().stream().map(d -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", d.id());
            v.put("state", d.deliveredAt().isPresent() ? "delivered" : d.failedAt().isPresent() ? "failed" : "pending");
            v.put("attempts", d.attempts());
            v.put("lastError", d.lastError().orElse(null));
            v.put("createdAt", d.createdAt());
            v.put("nextAttemptAt", d.deliveredAt().isPresent() || d.failedAt().isPresent() ? null : d.nextAttemptAt());
            v.put("finishedAt", d.deliveredAt().or(d::failedAt).orElse(null));
            return v;
        }).toList());
        return m;
    }

    private static Map<String, Object> summary(Invoice i) {
        Currency c = Currency.getInstance(i.currency());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("invoiceId", i.id());
        m.put("accountId", i.accountId());
        m.put("month", i.month().toString());
        m.put("status", i.status().name().toLowerCase(Locale.ROOT));
        m.put("currency", i.currency());
        m.put("issuer", i.issuer());
        m.put("asOf", i.asOf());
        m.put("totalMinor", i.totalMinor());
        m.put("total", Money.format(i.totalMinor(), c));
        i.forecastMinor().ifPresent(f -> {
            m.put("forecastMinor", f);
            m.put("forecast", Money.format(f, c));
        });
        m.put("lineCount", i.lines().size());
        return m;
    }

    private static Map<String, Object> invoice(Invoice i) {
        Currency c = Currency.getInstance(i.currency());
        Map<String, Object> m = summary(i);
        m.remove("lineCount");
        m.put("lines", i.lines().stream().map(l -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", l.lineNo());
            line.put("usageType", l.usageType());
            line.put("resourceId", l.resourceId());
            line.put("accountId", l.accountId());
            line.put("sku", l.sku());
            line.put("quantity", l.quantity());
            line.put("unit", l.unit());
            line.put("unitPriceMicros", l.unitPriceMicros());
            line.put("priceUnit", l.priceUnit());
            line.put("amountMinor", l.amountMinor());
            line.put("amount", Money.format(l.amountMinor(), c));
            return line;
        }).toList());
        return m;
    }

    static Map<String, Object> price(Price p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("usageType", p.type().apiName());
        m.put("sku", p.sku());
        m.put("effectiveFrom", p.effectiveFrom());
        m.put("microsPerUnit", p.microsPerUnit());
        m.put("priceUnit", p.type().priceUnit());
        return m;
    }

    private static LocalDate day(String v, String name) {
        try {
            return LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s: expected a date, YYYY-MM-DD", v, name);
        }
    }

    private static YearMonth month(String v) {
        try {
            return YearMonth.parse(v);
        } catch (DateTimeParseException e) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid month '%s': expected YYYY-MM", v);
        }
    }

    private static UsageQuery.GroupBy groupBy(String v) {
        return switch (v) {
            case "day" -> UsageQuery.GroupBy.DAY;
            case "type" -> UsageQuery.GroupBy.TYPE;
            case "resource" -> UsageQuery.GroupBy.RESOURCE;
            default -> throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid groupBy '%s': use day, type or resource", v);
        };
    }

    private static Route route(HandlerType method, String path, String operationId, String summary, boolean adminOnly,
                               Class<? extends Record> body, List<QueryParam> query, Route.RestHandler handler) {
        return new Route(method, RestRoutes.BASE + path, operationId, summary, adminOnly, 200, Optional.ofNullable(body), query, handler);
    }
}
