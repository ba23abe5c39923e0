package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code nubo hosts ...} (operators). */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "Hypervisor hosts (admin).", subcommands = {HostsCommand.ListCmd.class, HostsCommand.Overcommit.class,
        HostsCommand.Show.class, HostsCommand.Disable.class, HostsCommand.Drain.class, HostsCommand.Enable.class,
        HostsCommand.Remove.class, HostsCommand.Weigher.class, HostsCommand.Token.class, HostsCommand.Tokens.class, HostsCommand.RevokeToken.class,
        HostsCommand.RevokeCredentials.class})
public final class HostsCommand {
    @Command(name = "overcommit", mixinStandardHelpOptions = true, description = "Set a host's vCPU and memory overcommit ratios.")
    static final class Overcommit extends ClientCommand {
        @picocli.CommandLine.Parameters(paramLabel = "HOST-ID")
        String id;
        @picocli.CommandLine.Option(names = "--cpu", required = true, description = "vCPUs per physical CPU, e.g. 4.0")
        double cpu;
        @picocli.CommandLine.Option(names = "--memory", defaultValue = "1.0", description = "memory ratio (default ${DEFAULT-VALUE})")
        double memory;

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(client.put("/hosts/" + id + "/overcommit", java.util.Map.of("cpuRatio", cpu, "memoryRatio", memory)));
            return 0;
        }
    }

    /** A command on one host or token: the answer of one call, shown as an object. */
    abstract static class OnId extends ClientCommand {
        @picocli.CommandLine.Parameters(paramLabel = "ID")
        String id;

        abstract JsonNode call(NuboClient client);

        @Override
        protected int run(NuboClient client, Output out) {
            out.object(call(client));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe one host.")
    static final class Show extends OnId {
        @Override
        JsonNode call(NuboClient client) {
            JsonNode host = client.get("/hosts/" + id);
            if (host instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                try {
                    o.set("drain", client.get("/hosts/" + id + "/drain"));
                } catch (CliException e) {
                    // never drained
                }
            }
            return host;
        }
    }

    /** The host actions: the verb is the route's last segment. */
    abstract static class HostAction extends ClientCommand {
        @picocli.CommandLine.Parameters(paramLabel = "HOST-ID")
        String id;

        abstract String verb();

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.post("/hosts/" + id + "/" + verb(), java.util.Map.of());
            if (out.isJson()) {
                out.object(r);
            } else {
                out.println(r.path("host").path("hostId").asText() + " (" + r.path("host").path("name").asText() + ") is "
                        + r.path("host").path("state").asText() + "; " + r.path("instancesLeft").asText() + " instances on it");
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "No new instances on this host; what runs there stays.")
    static final class Disable extends HostAction {
        @Override
        String verb() {
            return "disable";
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "Drain for maintenance: no new instances on this host, its running instances live-migrate away (two at a time), "
                    + "and it is in maintenance once nothing more can leave; `hosts show` lists what stayed and why.")
    static final class Drain extends HostAction {
        @Override
        String verb() {
            return "drain";
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = {"Put a disabled, drained or down host back in service.",
            "A down host (its lease ran out and its HA instances were restarted elsewhere) stays down while its agent calls in again,",
            "until it is enabled (its agent must have renewed its lease) or its agent restarts and registers afresh."})
    static final class Enable extends HostAction {
        @Override
        String verb() {
            return "enable";
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Create a join token for './nubo agent --join-token'; its secret is shown only now.")
    static final class Token extends ClientCommand {
        @picocli.CommandLine.Option(names = "--ttl", defaultValue = "PT24H",
                description = "how long it may be used, ISO-8601 (default ${DEFAULT-VALUE}; at most P30D)")
        java.time.Duration ttl;

        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode t = client.post("/host-join-tokens", java.util.Map.of("ttlSeconds", ttl.toSeconds()));
            if (out.isJson()) {
                out.object(t);
            } else {
                out.println(t.path("token").asText());
                System.err.println("Join token " + t.path("id").asText() + ", valid until " + t.path("expiresAt").asText()
                        + ". On the new host: ./nubo agent --server <this server's URL> --join-token <token> --name <host>");
            }
            return 0;
        }
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true, description = "List join tokens (never their secrets).")
    static final class Tokens extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/host-join-tokens");
            out.rows(r, r, List.of(Output.Column.of("ID", "id"), Output.Column.of("STATE", "state"),
                    Output.Column.of("CREATED", "createdAt"), Output.Column.of("EXPIRES", "expiresAt")));
            return 0;
        }
    }

    @Command(name = "revoke-token", mixinStandardHelpOptions = true, description = "Revoke a join token: no new host can join with it.")
    static final class RevokeToken extends OnId {
        @Override
        JsonNode call(NuboClient client) {
            return client.post("/host-join-tokens/" + id + "/revoke", java.util.Map.of());
        }
    }

    @Command(name = "weigher", mixinStandardHelpOptions = true, description = {
            "Show each zone's weigher, or set one: spread (the default: the host with the most free memory first) or pack",
            "(the least first, to fill hosts before starting on empty ones)."})
    static final class Weigher extends ClientCommand {
        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "spread|pack")
        String weigher;
        @picocli.CommandLine.Option(names = "--zone", defaultValue = "nubo-1a", description = "zone (default ${DEFAULT-VALUE})")
        String zone;

        @Override
        protected int run(NuboClient client, Output out) {
            if (weigher == null) {
                JsonNode all = client.get("/zone-weighers");
                out.rows(all, all, List.of(Output.Column.of("ZONE", "zone"), Output.Column.of("WEIGHER", "weigher")));
            } else {
                out.object(client.put("/zone-weighers", java.util.Map.of("zone", zone, "weigher", weigher)));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = {
            "Remove a host from the cloud: it must be disabled, drained (maintenance) or down, with no instance left on it.",
            "Its credentials are revoked and it is no longer listed; joining again with a new token brings it back."})
    static final class Remove extends OnId {
        @Override
        JsonNode call(NuboClient client) {
            return client.delete("/hosts/" + id);
        }
    }

    @Command(name = "revoke-credentials", mixinStandardHelpOptions = true,
            description = "Revoke a host's credentials: its agent can no longer call in.")
    static final class RevokeCredentials extends OnId {
        @Override
        JsonNode call(NuboClient client) {
            return client.post("/hosts/" + id + "/revoke-credentials", java.util.Map.of());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hosts with their capacity and accelerator.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/hosts");
            out.rows(r, r, List.of(Output.Column.of("ID", "hostId"), Output.Column.of("NAME", "name"),
                    Output.Column.of("STATE", "state"), Output.Column.of("DRIVER", "driver"),
                    Output.Column.of("ARCH", "architecture"), Output.Column.of("ACCEL", "accelerator"), Output.Column.of("ZONE", "zone"),
                    new Output.Column("VCPUS(USED/ALLOC/TOTAL)", n -> n.path("used").path("vcpus").asText() + "/"
                            + n.path("allocated").path("vcpus").asText() + "/" + n.path("capacity").path("vcpus").asText()),
                    new Output.Column("MEM_MIB(USED/ALLOC/TOTAL)", n -> n.path("used").path("memoryMib").asText() + "/"
                            + n.path("allocated").path("memoryMib").asText() + "/" + n.path("capacity").path("memoryMib").asText()),
                    Output.Column.of("HEARTBEAT", "lastHeartbeat")));
            return 0;
        }
    }
}
