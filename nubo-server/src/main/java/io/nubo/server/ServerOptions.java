package io.nubo.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to run a server: where its data lives, which port it listens on, which database it uses
 * (embedded unless a JDBC URL is given), and whether it runs a local agent with which driver.
 */
public record ServerOptions(Path dataDir, String bindAddress, int port, Optional<String> jdbcUrl, Optional<String> dbUser,
                            Optional<String> dbPassword, boolean localAgent, String driver, FakeOptions fake) {

    /** The simulated host of the fake driver. */
    public record FakeOptions(int vcpus, int memoryMib, int diskGib, Duration bootTime, Duration shutdownTime) {
    }
}
