package io.nubo.server;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
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

    @Option(names = "--fake-vcpus", defaultValue = "512", description = "fake driver: the simulated host's vCPUs")
    int fakeVcpus;

    @Option(names = "--fake-memory-mib", defaultValue = "1048576", description = "fake driver: the simulated host's memory")
    int fakeMemoryMib;

    @Option(names = "--fake-boot-ms", defaultValue = "1000", description = "fake driver: simulated boot time")
    long fakeBootMs;

    @Option(names = "--fake-shutdown-ms", defaultValue = "500", description = "fake driver: simulated shutdown time")
    long fakeShutdownMs;

    @picocli.CommandLine.Mixin
    StorageMixin storage;

    @Override
    public Integer call() throws InterruptedException {
        if (!driver.equals("qemu") && !driver.equals("fake")) {
            System.err.println("error: unknown driver '" + driver + "': use qemu or fake");
            return 2;
        }
        ServerOptions options = new ServerOptions(dataDir.toAbsolutePath(), bind, port, Optional.empty(), Optional.empty(),
                Optional.empty(), true, driver, new ServerOptions.FakeOptions(fakeVcpus, fakeMemoryMib, 10_240,
                Duration.ofMillis(fakeBootMs), Duration.ofMillis(fakeShutdownMs)), storage.options());
        return ServerRunner.run(options, true);
    }
}
