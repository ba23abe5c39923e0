package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code nubo instances migrate <id> [--to <host>] [--wait]}: live-migrate a running instance (admin). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Live-migrate a running instance to another host (admin); without --to the scheduler picks the host.")
final class MigrateCommand extends ClientCommand {
    @Parameters(paramLabel = "INSTANCE-ID")
    String id;
    @Option(names = "--to", description = "the destination host, by ID or name")
    String to;
    @Option(names = "--wait", description = "wait until the migration has ended, showing its progress")
    boolean await;

    @Override
    protected int run(NuboClient client, Output out) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (to != null) {
            body.put("toHost", to);
        }
        JsonNode m = client.post("/instances/" + id + "/migrate", body);
        if (await) {
            String last = "";
            long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
            while (m.path("state").asText().matches("preparing|migrating") && System.nanoTime() < deadline) {
                String line = describe(m);
                if (!line.equals(last) && !out.isJson()) {
                    out.println(line);
                    last = line;
                }
                sleep();
                m = client.get("/instances/" + id + "/migration");
            }
        }
        if (out.isJson()) {
            out.object(m);
        } else {
            out.println(describe(m));
        }
        return await && !"completed".equals(m.path("state").asText()) ? 1 : 0;
    }

    static String describe(JsonNode m) {
        StringBuilder b = new StringBuilder(m.path("migrationId").asText()).append(' ').append(m.path("state").asText())
                .append(": ").append(m.path("instanceId").asText()).append(' ').append(m.path("sourceHostId").asText())
                .append(" -> ").append(m.path("destinationHostId").asText("(none)"));
        if (m.hasNonNull("phase")) {
            b.append(", ").append(m.path("phase").asText()).append(", ").append(m.path("remainingBytes").asLong()).append(" bytes left");
        }
        if (m.hasNonNull("downtimeMs")) {
            b.append(", downtime ").append(m.path("downtimeMs").asInt()).append(" ms");
        }
        if (m.hasNonNull("totalMs")) {
            b.append(", total ").append(m.path("totalMs").asInt()).append(" ms");
        }
        if (m.hasNonNull("reason")) {
            b.append(" (").append(m.path("reason").asText()).append(')');
        }
        return b.toString();
    }

    /** An instance as {@code instances show} prints it: with its latest migration for an operator. */
    static JsonNode withMigration(NuboClient client, JsonNode instance) {
        if (instance instanceof ObjectNode o && instance.hasNonNull("hostId")) {
            try {
                o.set("migration", client.get("/instances/" + instance.path("instanceId").asText() + "/migration"));
            } catch (CliException e) {
                // never migrated: nothing to add
            }
        }
        return instance;
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }
}
