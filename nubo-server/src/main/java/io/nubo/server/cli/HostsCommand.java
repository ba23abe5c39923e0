package io.nubo.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code nubo hosts ...} (operators). */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "Hypervisor hosts (admin).", subcommands = {HostsCommand.ListCmd.class, HostsCommand.Overcommit.class})
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

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List hosts with their capacity and accelerator.")
    static final class ListCmd extends ClientCommand {
        @Override
        protected int run(NuboClient client, Output out) {
            JsonNode r = client.get("/hosts");
            out.rows(r, r, List.of(Output.Column.of("ID", "hostId"), Output.Column.of("NAME", "name"),
                    Output.Column.of("STATE", "state"), Output.Column.of("DRIVER", "driver"),
                    Output.Column.of("ACCEL", "accelerator"), Output.Column.of("ZONE", "zone"),
                    new Output.Column("VCPUS(ALLOC/TOTAL)", n -> n.path("allocated").path("vcpus").asText() + "/" + n.path("capacity").path("vcpus").asText()),
                    new Output.Column("MEM_MIB(ALLOC/TOTAL)", n -> n.path("allocated").path("memoryMib").asText() + "/" + n.path("capacity").path("memoryMib").asText()),
                    Output.Column.of("HEARTBEAT", "lastHeartbeat")));
            return 0;
        }
    }
}
