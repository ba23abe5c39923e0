package io.nubo.server;

import io.nubo.server.cli.AccessKeysCommand;
import io.nubo.server.cli.AccountsCommand;
import io.nubo.server.cli.BillingCommand;
import io.nubo.server.cli.HostsCommand;
import io.nubo.server.cli.ImagesCommand;
import io.nubo.server.cli.InstancesCommand;
import io.nubo.server.cli.KeysCommand;
import io.nubo.server.cli.PartnersCommand;
import io.nubo.server.cli.PoolsCommand;
import io.nubo.server.cli.TypesCommand;
import io.nubo.server.cli.SnapshotsCommand;
import io.nubo.server.cli.VolumesCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nubo} command: servers, agent and the CLI in one jar. */
@Command(name = "nubo", mixinStandardHelpOptions = true, version = "nubo " + NuboServer.VERSION,
        description = "Nubo: an IaaS cloud on QEMU/KVM.",
        subcommands = {UpCommand.class, ServerCommand.class, AgentCommand.class, InstancesCommand.class, ImagesCommand.class,
                TypesCommand.class, HostsCommand.class, AccountsCommand.class, AccessKeysCommand.class, KeysCommand.class,
                BillingCommand.class, PoolsCommand.class, PartnersCommand.class, VolumesCommand.class,
                SnapshotsCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
