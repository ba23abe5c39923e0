package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;

/**
 * {@code nubo access-keys ...}: API access keys. (SSH key pairs are {@code nubo keys}, as in the
 * AWS CLI, where key pairs are what "keys" means to a tenant.)
 */
@Command(name = "access-keys", mixinStandardHelpOptions = true, description = "API access keys.",
        subcommands = {AccessKeysCommand.Create.class, AccessKeysCommand.ListCmd.class, AccessKeysCommand.Revoke.class})
public final class AccessKeysCommand {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an access key for an account (admin); the secret is shown once.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String accountId;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/accounts/" + accountId + "/access-keys", Map.of()));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List an account's access keys.")
    static final class ListCmd extends ClientCommand {
        @Parameters(paramLabel = "ACCOUNT-ID")
        String accountId;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/accounts/" + accountId + "/access-keys");
            out.rows(r, r, List.of(Output.Column.of("ID", "accessKeyId"), Output.Column.of("ACCOUNT", "accountId"),
                    Output.Column.of("STATUS", "status"), Output.Column.of("CREATED", "createdAt")));
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an access key (admin).")
    static final class Revoke extends ClientCommand {
        @Parameters(paramLabel = "ACCESS-KEY-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.post("/access-keys/" + id + "/revoke", Map.of()));
            return 0;
        }
    }
}
