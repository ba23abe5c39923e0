package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** {@code nubo volumes ...}: volumes, as {@code aws ec2 *-volume(s)}. */
@Command(name = "volumes", mixinStandardHelpOptions = true, description = "Create, attach, grow, detach and delete volumes.",
        subcommands = {VolumesCommand.Create.class, VolumesCommand.ListCmd.class, VolumesCommand.Show.class, VolumesCommand.Attach.class,
                VolumesCommand.Detach.class, VolumesCommand.Grow.class, VolumesCommand.Delete.class})
public final class VolumesCommand {
    static final List<Output.Column> COLUMNS = List.of(Output.Column.of("ID", "volumeId"), Output.Column.of("STATE", "state"),
            Output.Column.of("SIZE-GIB", "sizeGib"), Output.Column.of("TYPE", "volumeType"), Output.Column.of("MULTI", "multiAttach"),
            new Output.Column("ATTACHED-TO", VolumesCommand::attachments), Output.Column.of("NAME", "tags.Name"));
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private VolumesCommand() {
    }

    static String attachments(JsonNode v) {
        List<String> out = new ArrayList<>();
        v.path("attachments").forEach(a -> out.add(a.path("instanceId").asText() + ":" + a.path("device").asText() + "("
                + a.path("state").asText() + ")"));
        return out.isEmpty() ? "-" : String.join(",", out);
    }

    /** Waits until the volume satisfies {@code done}, printing each state it sees to stderr; fails if it ends in error. */
    static JsonNode await(NuboClient client, String id, String what, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            JsonNode v = client.get("/volumes/" + id);
            String seen = v.path("state").asText() + " " + attachments(v);
            if (!seen.equals(last)) {
                System.err.println(id + ": " + seen);
                last = seen;
            }
            if (done.test(v)) {
                return v;
            }
            if (v.path("state").asText().equals("error")) {
                throw new CliException("VolumeFailed", id + " failed: " + v.path("stateReason").asText());
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        throw new CliException("Timeout", id + " did not become " + what + " within " + LIMIT.toMinutes() + " minutes");
    }

    static boolean attachment(JsonNode v, String instance, String state) {
        for (JsonNode a : v.path("attachments")) {
            if ((instance == null || a.path("instanceId").asText().equals(instance)) && a.path("state").asText().equals(state)) {
                return true;
            }
        }
        return false;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a volume.")
    static final class Create extends ClientCommand {
        @Option(names = "--size", description = "size in GiB (required unless --snapshot; then at least the snapshot's)")
        Integer size;
        @Option(names = "--snapshot", description = "make it from this snapshot")
        String snapshot;
        @Option(names = "--type", description = "gp3 (default), gp2, io1, io2 or standard")
        String type;
        @Option(names = "--zone", defaultValue = "nubo-1a", description = "availability zone (default ${DEFAULT-VALUE})")
        String zone;
        @Option(names = "--iops", description = "IOPS (io1 and io2 need them)")
        Integer iops;
        @Option(names = "--multi-attach", description = "let several instances attach it at once (io1 and io2 only)")
        boolean multiAttach;
        @Option(names = "--name", description = "its Name tag")
        String name;
        @Option(names = "--wait", description = "wait until it is available")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("sizeGib", size);
            body.put("snapshotId", snapshot);
            body.put("volumeType", type);
            body.put("availabilityZone", zone);
            body.put("iops", iops);
            body.put("multiAttach", multiAttach ? Boolean.TRUE : null);
            body.put("tags", name == null ? null : Map.of("Name", name));
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode v = client.post("/volumes", body);
            if (await) {
                v = VolumesCommand.await(client, v.path("volumeId").asText(), "available", x -> x.path("state").asText().equals("available"));
            }
            out.rows(v, new ObjectMapper().createArrayNode().add(v), COLUMNS);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List volumes.")
    static final class ListCmd extends ClientCommand {
        @Option(names = "--state", description = "only in these states (comma-separated)")
        String state;
        @Option(names = "--instance", description = "only those attached to these instances")
        String instance;

        @Override
        protected int run(NuboClient client, Output out) {
            var mapper = new ObjectMapper();
            var all = mapper.createArrayNode();
            String token = null;
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("status", state);
                q.put("instance", instance);
                q.put("limit", "500");
                q.put("nextToken", token);
                JsonNode page = client.get("/volumes", q);
                page.path("volumes").forEach(all::add);
                token = page.path("nextToken").isTextual() ? page.path("nextToken").asText() : null;
            } while (token != null);
            out.rows(mapper.createObjectNode().set("volumes", all), all, COLUMNS);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe one volume.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "VOLUME-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.get("/volumes/" + id));
            return 0;
        }
    }

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = "Attach a volume to an instance: hot when it runs, at its next start when it is stopped.")
    static final class Attach extends ClientCommand {
        @Parameters(index = "0", paramLabel = "VOLUME-ID")
        String id;
        @Parameters(index = "1", paramLabel = "INSTANCE-ID")
        String instance;
        @Option(names = "--device", defaultValue = "/dev/sdf", description = "device name (default ${DEFAULT-VALUE}); "
                + "the guest finds the disk by its serial, the volume ID without the dash")
        String device;
        @Option(names = "--wait", description = "wait until it is attached")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.post("/volumes/" + id + "/attach", Map.of("instanceId", instance, "device", device));
            if (await) {
                r = VolumesCommand.await(client, id, "attached", v -> attachment(v, instance, "attached"));
            }
            out.object(r);
            return 0;
        }
    }

    @Command(name = "detach", mixinStandardHelpOptions = true,
            description = "Detach a volume; the guest is asked to let go of the disk first, unless --force.")
    static final class Detach extends ClientCommand {
        @Parameters(paramLabel = "VOLUME-ID")
        String id;
        @Option(names = "--instance", description = "the instance to detach it from (needed when a multi-attach volume has several)")
        String instance;
        @Option(names = "--force", description = "do not wait for the guest (it loses unwritten data)")
        boolean force;
        @Option(names = "--wait", description = "wait until it is detached")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("instanceId", instance);
            body.put("force", force ? Boolean.TRUE : null);
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode r = client.post("/volumes/" + id + "/detach", body);
            if (await) {
                String from = r.path("instanceId").asText();
                r = VolumesCommand.await(client, id, "detached", v -> !attachment(v, from, "detaching") && !attachment(v, from, "attached"));
            }
            out.object(r);
            return 0;
        }
    }

    @Command(name = "grow", mixinStandardHelpOptions = true, description = "Grow a volume (online when attached); it never shrinks.")
    static final class Grow extends ClientCommand {
        @Parameters(index = "0", paramLabel = "VOLUME-ID")
        String id;
        @Option(names = "--size", required = true, description = "the new size in GiB")
        int size;
        @Option(names = "--wait", description = "wait until every instance that has it sees the new size")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.post("/volumes/" + id + "/modify", Map.of("sizeGib", size));
            if (await) {
                r = VolumesCommand.await(client, id, "grown", v -> v.path("modification").path("state").asText().equals("completed"));
            }
            out.object(r);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a volume that nothing has attached.")
    static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "VOLUME-ID", arity = "1..*")
        List<String> ids;
        @Option(names = "--wait", description = "wait until it is deleted")
        boolean await;

        @Override
        protected int run(NuboClient client, Output out) {
            var mapper = new ObjectMapper();
            var done = mapper.createArrayNode();
            for (String id : ids) {
                done.add(client.delete("/volumes/" + id));
            }
            if (await) {
                for (String id : ids) {
                    awaitGone(client, id);
                }
            }
            boolean gone = await;
            out.rows(mapper.createObjectNode().set("volumes", done), done, List.of(Output.Column.of("ID", "volumeId"),
                    new Output.Column("STATE", n -> gone ? "deleted" : n.path("state").asText())));
            return 0;
        }

        private static void awaitGone(NuboClient client, String id) {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    client.get("/volumes/" + id);
                } catch (CliException e) {
                    if ("InvalidVolume.NotFound".equals(e.code())) {
                        System.err.println(id + ": deleted");
                        return;
                    }
                    throw e;
                }
                LockSupport.parkNanos(POLL.toNanos());
            }
            throw new CliException("Timeout", id + " was not deleted within " + LIMIT.toMinutes() + " minutes");
        }
    }
}
