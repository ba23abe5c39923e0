package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nubo accounts ...} (operators). */
@Command(name = "accounts", mixinStandardHelpOptions = true, description = "Tenant accounts (admin).",
        subcommands = {AccountsCommand.Create.class, AccountsCommand.ListCmd.class, AccountsCommand.Disable.class,
                AccountsCommand.Enable.class})
public final class AccountsCommand {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.of("ID", "accountId"), Output.Column.of("NAME", "name"),
            Output.Column.of("ROLE", "role"), Output.Column.of("PARTNER", "partnerId"), Output.Column.of("ENABLED", "enabled"),
            Output.Column.of("QUOTA", "instanceQuota"),
            Output.Column.of("CREATED", "createdAt"));

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an account; prints its first access key once.")
    static final class Create extends ClientCommand {
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
            JsonNode r = client.post("/accounts", body);
            if (out.isJson()) {
                out.object(r);
            } else {
                System.out.println("account:           " + r.path("account").path("accountId").asText() + " (" + name + ")");
                System.out.println("access key id:     " + r.path("accessKey").path("accessKeyId").asText());
                System.out.println("secret access key: " + r.path("accessKey").path("secretAccessKey").asText() + "  (shown once)");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List accounts.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/accounts");
            out.rows(r, r, COLUMNS);
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an account: its keys stop working.")
    static final class Disable extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/accounts/" + id + "/disable", Map.of()));
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable an account again.")
    static final class Enable extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/accounts/" + id + "/enable", Map.of()));
            return 0;
        }
    }
}
