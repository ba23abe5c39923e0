package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nubo partners ...}: an operator makes an account a partner ({@code promote}); a partner
 * manages its customers and its price book. A partner reads a customer's keys, quotas, usage and
 * invoices with the ordinary commands and {@code --account} ({@code nubo billing invoices --account ID}).
 */
@Command(name = "partners", mixinStandardHelpOptions = true, description = "Partner (reseller) accounts and their customers.",
        subcommands = {PartnersCommand.Promote.class, PartnersCommand.Customers.class, PartnersCommand.CreateCustomer.class,
                PartnersCommand.DisableCustomer.class, PartnersCommand.EnableCustomer.class, PartnersCommand.SetCustomerQuotas.class,
                PartnersCommand.QuotaDefaults.class, PartnersCommand.Prices.class, PartnersCommand.SetPrice.class,
                PartnersCommand.SetMarkup.class})
public final class PartnersCommand {
    private static String micros(JsonNode n) {
        return BigDecimal.valueOf(n.path("microsPerUnit").asLong(), 6).stripTrailingZeros().toPlainString();
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Make an account a partner (admin).")
    static final class Promote extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/accounts/" + id + "/partner", Map.of()));
            return 0;
        }
    }

    @Command(name = "customers", mixinStandardHelpOptions = true, description = "List your customer accounts (partners).")
    static final class Customers extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/partner/customers");
            out.rows(r, r, AccountsCommand.COLUMNS);
            return 0;
        }
    }

    @Command(name = "create-customer", mixinStandardHelpOptions = true,
            description = "Create a customer account (partners); prints its first access key once.")
    static final class CreateCustomer extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--instance-quota", description = "how many instances it may have (default 100)")
        Integer quota;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (quota != null) {
                body.put("instanceQuota", quota);
            }
            JsonNode r = client.post("/partner/customers", body);
            if (out.isJson()) {
                out.object(r);
            } else {
                System.out.println("customer:          " + r.path("account").path("accountId").asText() + " (" + name + ")");
                System.out.println("access key id:     " + r.path("accessKey").path("accessKeyId").asText());
                System.out.println("secret access key: " + r.path("accessKey").path("secretAccessKey").asText() + "  (shown once)");
            }
            return 0;
        }
    }

    @Command(name = "disable-customer", mixinStandardHelpOptions = true, description = "Disable a customer: its keys stop working.")
    static final class DisableCustomer extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/partner/customers/" + id + "/disable", Map.of()));
            return 0;
        }
    }

    @Command(name = "enable-customer", mixinStandardHelpOptions = true, description = "Enable a customer again.")
    static final class EnableCustomer extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/partner/customers/" + id + "/enable", Map.of()));
            return 0;
        }
    }

    /** The quota options shared by the two quota commands. */
    static Map<String, Object> quotaBody(Long instances, Long vcpus, Long memoryMib) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (instances != null) {
            body.put("instances", instances);
        }
        if (vcpus != null) {
            body.put("vcpus", vcpus);
        }
        if (memoryMib != null) {
            body.put("memoryMib", memoryMib);
        }
        return body;
    }

    @Command(name = "set-customer-quotas", mixinStandardHelpOptions = true, description = "Set a customer's quotas.")
    static final class SetCustomerQuotas extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;
        @Option(names = "--instances")
        Long instances;
        @Option(names = "--vcpus")
        Long vcpus;
        @Option(names = "--memory-mib")
        Long memoryMib;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.put("/partner/customers/" + id + "/quotas", quotaBody(instances, vcpus, memoryMib));
            out.rows(r, r, List.of(Output.Column.of("RESOURCE", "resource"), Output.Column.of("LIMIT", "limit"), Output.Column.of("USED", "used")));
            return 0;
        }
    }

    @Command(name = "quota-defaults", mixinStandardHelpOptions = true,
            description = "Show, or with options set, your default vCPU and memory quotas for your customers.")
    static final class QuotaDefaults extends ClientCommand {
        @Option(names = "--vcpus")
        Long vcpus;
        @Option(names = "--memory-mib")
        Long memoryMib;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = quotaBody(null, vcpus, memoryMib);
            out.object(body.isEmpty() ? client.get("/partner/quota-defaults") : client.put("/partner/quota-defaults", body));
            return 0;
        }
    }

    @Command(name = "prices", mixinStandardHelpOptions = true,
            description = "Your price book: your own prices, your markups, and what your customers pay.")
    static final class Prices extends ClientCommand {
        @Option(names = "--customer-prices", description = "show only the prices your customers pay")
        boolean customer;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/partner/prices");
            List<Output.Column> cols = List.of(Output.Column.of("TYPE", "usageType"), Output.Column.of("SKU", "sku"),
                    Output.Column.of("FROM", "effectiveFrom"), new Output.Column("PRICE", PartnersCommand::micros),
                    Output.Column.of("PER", "priceUnit"));
            if (customer || out.isJson()) {
                out.rows(r, customer ? r.path("customerPrices") : r, cols);
                return 0;
            }
            System.out.println("Markups:");
            out.rows(r, r.path("markups"), List.of(Output.Column.of("FROM", "effectiveFrom"), Output.Column.of("PERCENT", "percent")));
            System.out.println("Your own prices:");
            out.rows(r, r.path("prices"), cols);
            return 0;
        }
    }

    @Command(name = "set-price", mixinStandardHelpOptions = true, description = "Set a price your customers pay, from a time on.")
    static final class SetPrice extends ClientCommand {
        @Parameters(index = "0", paramLabel = "USAGE-TYPE", description = "instance, volume, snapshot or image")
        String usageType;
        @Parameters(index = "1", paramLabel = "SKU", description = "e.g. t3.nano, gp3, standard")
        String sku;
        @Parameters(index = "2", paramLabel = "PRICE", description = "a decimal per hour or GiB-month, e.g. 0.0062")
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
            out.object(client.post("/partner/prices", body));
            return 0;
        }
    }

    @Command(name = "set-markup", mixinStandardHelpOptions = true,
            description = "Set your markup on the hoster's prices, in percent, from a time on.")
    static final class SetMarkup extends ClientCommand {
        @Parameters(paramLabel = "PERCENT", description = "e.g. 20 or 12.5")
        String percent;
        @Option(names = "--from", description = "when it takes effect, ISO-8601 (default: now)")
        String from;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("percent", percent);
            if (from != null) {
                body.put("effectiveFrom", from);
            }
            out.object(client.post("/partner/markups", body));
            return 0;
        }
    }
}
