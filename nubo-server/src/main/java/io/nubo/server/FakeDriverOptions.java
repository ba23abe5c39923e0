package io.nubo.server;

import picocli.CommandLine.Option;

import java.time.Duration;

/** The simulated host of the fake driver, for `nubo up` and `nubo agent` alike. */
final class FakeDriverOptions {
    @Option(names = "--fake-vcpus", defaultValue = "512", description = "fake driver: the simulated host's vCPUs")
    int vcpus;

    @Option(names = "--fake-memory-mib", defaultValue = "1048576", description = "fake driver: the simulated host's memory")
    int memoryMib;

    @Option(names = "--fake-boot-ms", defaultValue = "1000", description = "fake driver: simulated boot time")
    long bootMs;

    @Option(names = "--fake-shutdown-ms", defaultValue = "500", description = "fake driver: simulated shutdown time")
    long shutdownMs;

    ServerOptions.FakeOptions options() {
        return new ServerOptions.FakeOptions(vcpus, memoryMib, 10_240, Duration.ofMillis(bootMs), Duration.ofMillis(shutdownMs));
    }
}
