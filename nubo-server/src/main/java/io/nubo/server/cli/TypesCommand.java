package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.math.BigDecimal;
import java.util.List;

/** {@code nubo types ...}. */
@Command(name = "types", mixinStandardHelpOptions = true, description = "Instance types.", subcommands = TypesCommand.ListCmd.class)
public final class TypesCommand {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the instance types and their prices.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/instance-types");
            out.rows(r, r, List.of(Output.Column.of("NAME", "name"), Output.Column.of("VCPUS", "vcpus"),
                    Output.Column.of("MEMORY_MIB", "memoryMib"),
                    new Output.Column("PRICE_PER_HOUR", n -> BigDecimal.valueOf(n.path("priceMicrosPerHour").asLong(), 6).toPlainString()),
                    new Output.Column("ACCEL", n -> n.path("requiresAccelerator").isTextual() ? n.path("requiresAccelerator").asText() : "any")));
            return 0;
        }
    }
}
