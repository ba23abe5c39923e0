package io.nubo.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code nubo up}: the all-in-one cloud in the foreground, until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the all-in-one cloud: embedded PostgreSQL, control plane, API and a local agent.")
public final class UpCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8773", description = "HTTP port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--data-dir", defaultValue = "${sys:user.home}/.nubo", description = "state directory (default ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--driver", defaultValue = "qemu", description = "hypervisor driver: qemu or fake (default ${DEFAULT-VALUE})")
    String driver;

    @picocli.CommandLine.Mixin
    FakeDriverOptions fake;

    @picocli.CommandLine.Mixin
    StorageMixin storage;

    @picocli.CommandLine.Mixin
    ApiMixin api;

    @Override
    public Integer call() throws InterruptedException {
        if (!driver.equals("qemu") && !driver.equals("fake")) {
            System.err.println("error: unknown driver '" + driver + "': use qemu or fake");
            return 2;
        }
        ServerOptions options = new ServerOptions(dataDir.toAbsolutePath(), bind, port, Optional.empty(), Optional.empty(),
                Optional.empty(), true, driver, fake.options(), storage.options(), api.scale());
        return ServerRunner.run(options, true);
    }
}
