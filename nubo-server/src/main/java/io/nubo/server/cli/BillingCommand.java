package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nubo billing ...}: usage, invoices, and the operator's prices, month closing and meter check. */
@Command(name = "billing", mixinStandardHelpOptions = true, description = "Usage, invoices and prices.",
        subcommands = {BillingCommand.Usage.class, BillingCommand.Invoices.class, BillingCommand.InvoiceCmd.class,
                BillingCommand.Prices.class, BillingCommand.SetPrice.class, BillingCommand.Close.class, BillingCommand.Check.class,
                BillingCommand.Budget.class})
public final class BillingCommand {
    private static String micros(JsonNode n, String field) {
        return BigDecimal.valueOf(n.path(field).asLong(), 6).stripTrailingZeros().toPlainString();
    }

    @Command(name = "usage", mixinStandardHelpOptions = true, description = "Metered usage and its cost.")
    static final class Usage extends ClientCommand {
        @Option(names = "--from", description = "first UTC day, YYYY-MM-DD (default: the month's first)")
        String from;
        @Option(names = "--to", description = "the UTC day after the last (default: tomorrow)")
        String to;
        @Option(names = "--resource", description = "one resource ID")
        String resource;
        @Option(names = "--type", description = "a usage type (instance) or an instance type")
        String type;
        @Option(names = "--group-by", description = "day, type (default) or resource")
        String groupBy;
        @Option(names = "--account", description = "operators: another account")
        String account;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("from", from);
            q.put("to", to);
            q.put("resource", resource);
            q.put("type", type);
            q.put("groupBy", groupBy);
            q.put("account", account);
            JsonNode r = client.get("/billing/usage", q);
            out.rows(r, r.path("usage"), List.of(Output.Column.of("KEY", "key"), Output.Column.of("TYPE", "usageType"),
                    Output.Column.of("QUANTITY", "quantity"), Output.Column.of("UNIT", "unit"),
                    new Output.Column("COST", n -> micros(n, "amountMicros"))));
            return 0;
        }
    }

    @Command(name = "invoices", mixinStandardHelpOptions = true, description = "Invoices, newest first (the current month is a draft).")
    static final class Invoices extends ClientCommand {
        @Option(names = "--account", description = "operators: another account")
        String account;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("account", account);
            JsonNode r = client.get("/billing/invoices", q);
            out.rows(r, r, List.of(Output.Column.of("ID", "invoiceId"), Output.Column.of("MONTH", "month"),
                    Output.Column.of("STATUS", "status"), Output.Column.of("TOTAL", "total"), Output.Column.of("FORECAST", "forecast"),
                    Output.Column.of("CURRENCY", "currency"), Output.Column.of("LINES", "lineCount")));
            return 0;
        }
    }

    @Command(name = "invoice", mixinStandardHelpOptions = true, description = "One invoice with its lines, or as CSV.")
    static final class InvoiceCmd extends ClientCommand {
        @Parameters(paramLabel = "INVOICE-ID")
        String id;
        @Option(names = "--csv", description = "print the CSV export")
        boolean csv;

        @Override
        protected int run(NuboClient client, Output out) {
            if (csv) {
                System.out.print(client.getText("/billing/invoices/" + id + "/csv"));
                return 0;
            }
            JsonNode r = client.get("/billing/invoices/" + id);
            if (!out.isJson()) {
                System.out.println(r.path("invoiceId").asText() + "  " + r.path("month").asText() + "  " + r.path("status").asText()
                        + "  total " + r.path("total").asText() + " " + r.path("currency").asText()
                        + (r.has("forecast") ? "  (forecast " + r.path("forecast").asText() + ")" : ""));
            }
            out.rows(r, r.path("lines"), List.of(Output.Column.of("LINE", "line"), Output.Column.of("TYPE", "usageType"),
                    Output.Column.of("RESOURCE", "resourceId"), Output.Column.of("SKU", "sku"), Output.Column.of("QUANTITY", "quantity"),
                    Output.Column.of("UNIT", "unit"), new Output.Column("UNIT_PRICE", n -> micros(n, "unitPriceMicros") + "/" + n.path("priceUnit").asText()),
                    Output.Column.of("AMOUNT", "amount")));
            return 0;
        }
    }

    @Command(name = "prices", mixinStandardHelpOptions = true, description = "The price book.")
    static final class Prices extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/billing/prices");
            out.rows(r, r, List.of(Output.Column.of("TYPE", "usageType"), Output.Column.of("SKU", "sku"),
                    Output.Column.of("FROM", "effectiveFrom"), new Output.Column("PRICE", n -> micros(n, "microsPerUnit")),
                    Output.Column.of("PER", "priceUnit")));
            return 0;
        }
    }

    @Command(name = "set-price", mixinStandardHelpOptions = true, description = "Set a price from a time on (admin).")
    static final class SetPrice extends ClientCommand {
        @Parameters(index = "0", paramLabel = "USAGE-TYPE", description = "instance, volume, snapshot or image")
        String usageType;
        @Parameters(index = "1", paramLabel = "SKU", description = "e.g. t3.nano")
        String sku;
        @Parameters(index = "2", paramLabel = "PRICE", description = "a decimal per hour or GiB-month, e.g. 0.0052")
        String price;
        @Option(names = "--from", description = "when it takes effect, ISO-8601 (default: now)")
        String from;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("usageType", usageType);
            body.put("sku", sku);
            body.put("price", price);
            if (from != null) {
                body.put("effectiveFrom", from);
            }
            out.object(client.post("/billing/prices", body));
            return 0;
        }
    }

    @Command(name = "budget", mixinStandardHelpOptions = true,
            description = "Show your monthly budget and this month's standing; with --amount set it, with --delete remove it.")
    static final class Budget extends ClientCommand {
        @Option(names = "--amount", description = "the monthly budget in the currency's unit, e.g. 250")
        String amount;
        @Option(names = "--threshold", split = ",", description = "percent of the budget to be alerted at (default 50,80,100)")
        List<Integer> thresholds;
        @Option(names = "--webhook", description = "an http(s) URL to POST a JSON alert to when a threshold is crossed")
        String webhook;
        @Option(names = "--delete", description = "remove the budget")
        boolean delete;

        @Override
        protected int run(NuboClient client, Output out) {
            if (delete) {
                out.object(client.delete("/billing/budget"));
                return 0;
            }
            JsonNode r;
            if (amount != null) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("amount", amount);
                if (thresholds != null) {
                    body.put("thresholds", thresholds);
                }
                if (webhook != null) {
                    body.put("webhookUrl", webhook);
                }
                r = client.put("/billing/budget", body);
            } else if (thresholds != null || webhook != null) {
                throw new CliException(null, "--threshold and --webhook need --amount (setting a budget replaces it whole)");
            } else {
                r = client.get("/billing/budget");
            }
            if (out.isJson()) {
                out.object(r);
                return 0;
            }
            JsonNode b = r.path("budget");
            System.out.println(b.isNull() || b.isMissingNode() ? "No budget set." : "Budget " + b.path("amount").asText() + " "
                    + r.path("currency").asText() + " a month, thresholds " + b.path("thresholds") + (b.path("webhookUrl").isNull()
                    ? "" : ", with a webhook"));
            System.out.println(r.path("month").asText() + " to date: " + r.path("total").asText() + " " + r.path("currency").asText());
            out.rows(r, r.path("alerts"), List.of(Output.Column.of("CROSSED", "threshold"), Output.Column.of("AT", "crossedAt")));
            return 0;
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true, description = "Close a month (YYYY-MM): freeze its invoices (admin).")
    static final class Close extends ClientCommand {
        @Parameters(paramLabel = "MONTH")
        String month;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/billing/months/" + month + "/close", Map.of()));
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Compare a rebuild of usage from the event log with the stored records (admin); exit 1 when they differ.")
    static final class Check extends ClientCommand {
        @Option(names = "--rebuild", description = "rebuild the stored usage from the event log first")
        boolean rebuild;

        @Override
        protected int run(NuboClient client, Output out) {
            if (rebuild) {
                client.post("/billing/meter/rebuild", Map.of());
            }
            JsonNode r = client.get("/billing/meter/check");
            out.object(r);
            return r.path("consistent").asBoolean() ? 0 : 1;
        }
    }
}
