package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/** {@code nubo snapshots ...}: snapshots, as {@code aws ec2 *-snapshot(s)}. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, description = "Snapshot volumes, copy, list and delete snapshots.",
        subcommands = {SnapshotsCommand.Create.class, SnapshotsCommand.ListCmd.class, SnapshotsCommand.Show.class, SnapshotsCommand.Copy.class,
                SnapshotsCommand.Delete.class})
public final class SnapshotsCommand {
    static final java.util.List<Output.Column> COLUMNS = java.util.List.of(Output.Column.of("ID", "snapshotId"),
            Output.Column.of("STATE", "state"), Output.Column.of("PROGRESS", "progress"), Output.Column.of("VOLUME", "volumeId"),
            Output.Column.of("SIZE-GIB", "volumeSizeGib"), Output.Column.of("DESCRIPTION", "description"), Output.Column.of("NAME", "tags.Name"));
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LIMIT = Duration.ofMinutes(30);

    private SnapshotsCommand() {
    }

    /** Waits until the snapshot is completed, printing its progress to stderr; fails if it ends in error. */
    static JsonNode await(NuboClient client, String id) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            JsonNode x = client.get("/snapshots/" + id);
            String seen = x.path("state").asText() + " " + x.path("progress").asText();
            if (!seen.equals(last)) {
                System.err.println(id + ": " + seen);
                last = seen;
            }
            if (x.path("state").asText().equals("completed")) {
                return x;
            }
            if (x.path("state").asText().equals("error")) {
                throw new CliException("SnapshotFailed", id + " failed: " + x.path("stateReason").asText());
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        throw new CliException("Timeout", id + " did not complete within " + LIMIT.toMinutes() + " minutes");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Snapshot a volume: crash-consistent while its VM runs, without pausing the guest.")
    static final class Create extends ClientCommand {
        @Parameters(paramLabel = "VOLUME-ID")
        String volume;
        @Option(names = "--description", description = "up to 255 characters")
        String description;
        @Option(names = "--name", description = "its Name tag")
        String name;
        @Option(names = "--wait", description = "wait until it is completed, showing its progress")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("volumeId", volume);
            body.put("description", description);
            body.put("tags", name == null ? null : Map.of("Name", name));
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode x = client.post("/snapshots", body);
            if (await) {
                x = SnapshotsCommand.await(client, x.path("snapshotId").asText());
            }
            out.rows(x, new ObjectMapper().createArrayNode().add(x), COLUMNS);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List snapshots.")
    static final class ListCmd extends ClientCommand {
        @Option(names = "--state", description = "only in these states (comma-separated)")
        String state;
        @Option(names = "--volume", description = "only those of these volumes")
        String volume;

        @Override
        protected int run(NuboClient client, Output out) {
            var mapper = new ObjectMapper();
            var all = mapper.createArrayNode();
            String token = null;
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("status", state);
                q.put("volume", volume);
                q.put("limit", "1000");
                q.put("nextToken", token);
                JsonNode page = client.get("/snapshots", q);
                page.path("snapshots").forEach(all::add);
                token = page.path("nextToken").isTextual() ? page.path("nextToken").asText() : null;
            } while (token != null);
            out.rows(mapper.createObjectNode().set("snapshots", all), all, COLUMNS);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe one snapshot.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "SNAPSHOT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.get("/snapshots/" + id));
            return 0;
        }
    }

    @Command(name = "copy", mixinStandardHelpOptions = true, description = "Copy a completed snapshot, to another storage pool with --destination.")
    static final class Copy extends ClientCommand {
        @Parameters(paramLabel = "SNAPSHOT-ID")
        String id;
        @Option(names = "--destination", description = "the storage pool's name (default: the source's pool)")
        String destination;
        @Option(names = "--description", description = "up to 255 characters")
        String description;
        @Option(names = "--wait", description = "wait until the copy is completed")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("destination", destination);
            body.put("description", description);
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode x = client.post("/snapshots/" + id + "/copy", body);
            if (await) {
                x = SnapshotsCommand.await(client, x.path("snapshotId").asText());
            }
            out.rows(x, new ObjectMapper().createArrayNode().add(x), COLUMNS);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a completed or failed snapshot.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "SNAPSHOT-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.delete("/snapshots/" + id));
            return 0;
        }
    }
}
