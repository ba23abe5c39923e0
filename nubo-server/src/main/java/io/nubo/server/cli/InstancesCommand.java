package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code nubo instances ...}: launch, list and manage instances. */
@Command(name = "instances", mixinStandardHelpOptions = true, description = "Launch, list and manage instances.",
        subcommands = {InstancesCommand.Run.class, InstancesCommand.ListCmd.class, InstancesCommand.Show.class,
                InstancesCommand.Start.class, InstancesCommand.Stop.class, InstancesCommand.Reboot.class,
                InstancesCommand.Terminate.class, SshCommand.class, InstancesCommand.Console.class, MigrateCommand.class,
                CreateImageCommand.class})
public final class InstancesCommand {
    static final List<Output.Column> COLUMNS = List.of(
            Output.Column.of("ID", "instanceId"), Output.Column.of("NAME", "name"), Output.Column.of("STATE", "state.name"),
            Output.Column.of("TYPE", "instanceType"), Output.Column.of("IMAGE", "imageId"),
            Output.Column.of("LAUNCHED", "launchTime"), Output.Column.of("REASON", "stateReason"));

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Launch instances.")
    static final class Run extends ClientCommand {
        @Option(names = "--image", description = "image ID (default: the default image)")
        String image;
        @Option(names = "--type", defaultValue = "t3.micro", description = "instance type (default ${DEFAULT-VALUE})")
        String type;
        @Option(names = "--count", defaultValue = "1", description = "how many (default ${DEFAULT-VALUE})")
        int count;
        @Option(names = "--name", description = "a name for the instances")
        String name;
        @Option(names = "--key-name", description = "key pair to install")
        String keyName;
        @Option(names = "--user-data", description = "user data text")
        String userData;
        @Option(names = "--user-data-file", description = "file whose contents are the user data")
        Path userDataFile;
        @Option(names = "--wait", description = "wait until the instances are running")
        boolean await;
        @Option(names = "--ha", description = "high availability: the root disk lives on the shared pool, and the instance is "
                + "restarted on another host when its host goes down")
        boolean ha;
        @Option(names = "--root-size", paramLabel = "GIB", description = "root disk size in GiB (default: the image's size)")
        Integer rootSize;

        @Override
        protected int run(NuboClient client, Output out) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (ha) {
                body.put("ha", true);
            }
            body.put("imageId", image != null ? image : defaultImage(client));
            body.put("instanceType", type);
            body.put("count", count);
            body.put("name", name);
            body.put("keyName", keyName);
            body.put("rootDiskGib", rootSize);
            byte[] ud = userDataBytes();
            if (ud != null) {
                body.put("userData", Base64.getEncoder().encodeToString(ud));
            }
            body.values().removeIf(java.util.Objects::isNull);
            JsonNode r = client.post("/instances", body);
            if (await) {
                for (JsonNode i : r.path("instances")) {
                    Waiter.await(client, i.path("instanceId").asText(), "running");
                }
                r = client.get("/instances", Map.of("id", String.join(",", ids(r))));
            }
            out.rows(r, r.path("instances"), COLUMNS);
            return 0;
        }

        private byte[] userDataBytes() {
            if (userData != null && userDataFile != null) {
                throw new CliException("give --user-data or --user-data-file, not both");
            }
            try {
                return userDataFile != null ? Files.readAllBytes(userDataFile)
                        : userData != null ? userData.getBytes(StandardCharsets.UTF_8) : null;
            } catch (java.io.IOException e) {
                throw new CliException("cannot read " + userDataFile + ": " + e.getMessage());
            }
        }

        private static List<String> ids(JsonNode r) {
            List<String> ids = new java.util.ArrayList<>();
            r.path("instances").forEach(i -> ids.add(i.path("instanceId").asText()));
            return ids;
        }

        private static String defaultImage(NuboClient client) {
            for (JsonNode i : client.get("/images")) {
                if (i.path("name").asText().equals("nubo-default")) {
                    return i.path("imageId").asText();
                }
            }
            throw new CliException("there is no default image: pass --image");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List instances.")
    static final class ListCmd extends ClientCommand {
        @Option(names = "--state", description = "only in these states (comma-separated)")
        String state;
        @Option(names = "--type", description = "only of these types")
        String type;
        @Option(names = "--image", description = "only from these images")
        String image;
        @Option(names = "--name", description = "only with these names (* and ? are wildcards)")
        String name;

        @Override
        protected int run(NuboClient client, Output out) {
            List<JsonNode> all = new java.util.ArrayList<>();
            String token = null;
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("state", state);
                q.put("type", type);
                q.put("image", image);
                q.put("name", name);
                q.put("limit", "1000");
                q.put("nextToken", token);
                JsonNode page = client.get("/instances", q);
                page.path("instances").forEach(all::add);
                token = page.path("nextToken").isTextual() ? page.path("nextToken").asText() : null;
            } while (token != null);
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var arr = mapper.createArrayNode().addAll(all);
            out.rows(mapper.createObjectNode().set("instances", arr), arr, COLUMNS);
            return 0;
        }
    }

    @Command(name = "console", mixinStandardHelpOptions = true, description = "Print the instance's serial console output.")
    static final class Console extends ClientCommand {
        @Parameters(paramLabel = "INSTANCE-ID")
        String id;
        @Option(names = "--bytes", defaultValue = "65536", description = "how much of the end to show (default ${DEFAULT-VALUE})")
        int bytes;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/instances/" + id + "/console", Map.of("bytes", Integer.toString(bytes)));
            if (out.isJson()) {
                out.object(r);
            } else {
                System.out.print(r.path("output").asText());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe one instance.")
    static final class Show extends ClientCommand {
        @Parameters(paramLabel = "INSTANCE-ID")
        String id;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(MigrateCommand.withMigration(client, client.get("/instances/" + id)));
            return 0;
        }
    }

    /** start, stop, reboot and terminate share their shape: one or more IDs, an action, a state to wait for. */
    abstract static class Action extends ClientCommand {
        @Parameters(paramLabel = "INSTANCE-ID", arity = "1..*")
        List<String> ids;
        @Option(names = "--wait", description = "wait until the operation has finished")
        boolean await;

        abstract String action();

        abstract String target();

        Object body() {
            return Map.of();
        }

        @Override
        protected int run(NuboClient client, Output out) {
            var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            var arr = mapper.createArrayNode();
            for (String id : ids) {
                arr.add(client.post("/instances/" + id + "/" + action(), body()));
            }
            if (await && target() != null) {
                for (String id : ids) {
                    Waiter.await(client, id, target());
                }
                arr.removeAll();
                ids.forEach(id -> arr.add(client.get("/instances/" + id)));
            }
            out.rows(mapper.createObjectNode().set("instances", arr), arr, COLUMNS);
            return 0;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start stopped instances.")
    static final class Start extends Action {
        String action() {
            return "start";
        }

        String target() {
            return "running";
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop instances: ACPI shutdown, forced after a timeout.")
    static final class Stop extends Action {
        @Option(names = "--force", description = "power off at once, without a graceful shutdown")
        boolean force;

        String action() {
            return "stop";
        }

        String target() {
            return "stopped";
        }

        @Override
        Object body() {
            return Map.of("force", force);
        }
    }

    @Command(name = "reboot", mixinStandardHelpOptions = true, description = "Reboot running instances.")
    static final class Reboot extends Action {
        String action() {
            return "reboot";
        }

        String target() {
            return "running";
        }
    }

    @Command(name = "terminate", mixinStandardHelpOptions = true, description = "Terminate instances.")
    static final class Terminate extends Action {
        String action() {
            return "terminate";
        }

        String target() {
            return "terminated";
        }
    }
}
