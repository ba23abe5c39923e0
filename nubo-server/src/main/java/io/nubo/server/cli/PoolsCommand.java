package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;

/** {@code nubo pools ...} (operators): the storage pools. */
@Command(name = "pools", mixinStandardHelpOptions = true, description = "Storage pools (admin).", subcommands = PoolsCommand.ListCmd.class)
public final class PoolsCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List storage pools with their capacity and hosts.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/storage-pools");
            out.rows(r, r, List.of(Output.Column.of("ID", "poolId"), Output.Column.of("NAME", "name"), Output.Column.of("KIND", "kind"),
                    new Output.Column("USED/TOTAL", n -> gib(n.path("usedBytes").asLong()) + "/" + gib(n.path("totalBytes").asLong())),
                    new Output.Column("HOSTS", n -> {
                        StringBuilder b = new StringBuilder();
                        n.path("hosts").forEach(h -> b.append(b.isEmpty() ? "" : ",").append(h.path("hostId").asText()));
                        return b.isEmpty() ? "-" : b.toString();
                    }),
                    Output.Column.of("PATH", "path")));
            return 0;
        }

        private static String gib(long bytes) {
            return String.format(Locale.ROOT, "%.1fG", bytes / (double) (1L << 30));
        }
    }
}
