package io.nubo.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to run a server: where its data lives, which port it listens on, which database it uses
 * (embedded unless a JDBC URL is given), and whether it runs a local agent with which driver.
 */
public record ServerOptions(Path dataDir, String bindAddress, int port, Optional<String> jdbcUrl, Optional<String> dbUser,
                            Optional<String> dbPassword, boolean localAgent, String driver, FakeOptions fake, StorageOptions storage,
                            double ec2RateScale) {

    /** With EC2's request rates (scale 1). */
    public ServerOptions(Path dataDir, String bindAddress, int port, Optional<String> jdbcUrl, Optional<String> dbUser,
                         Optional<String> dbPassword, boolean localAgent, String driver, FakeOptions fake, StorageOptions storage) {
        this(dataDir, bindAddress, port, jdbcUrl, dbUser, dbPassword, localAgent, driver, fake, storage, 1);
    }

    /** With the default storage: both pools in the data dir, images up to 1 TiB. */
    public ServerOptions(Path dataDir, String bindAddress, int port, Optional<String> jdbcUrl, Optional<String> dbUser,
                         Optional<String> dbPassword, boolean localAgent, String driver, FakeOptions fake) {
        this(dataDir, bindAddress, port, jdbcUrl, dbUser, dbPassword, localAgent, driver, fake, StorageOptions.DEFAULT);
    }

    /**
     * Where the storage pools are and what imports may do. The shared pool defaults to
     * {@code <data-dir>/pools/shared}, the local agent's pool is {@code <data-dir>/pools/local}.
     */
    public record StorageOptions(Optional<Path> sharedPool, long maxImageVirtualSize, boolean allowPrivateImageUrls) {
        public static final StorageOptions DEFAULT = new StorageOptions(Optional.empty(), 1L << 40, false);
    }

    /** The simulated host of the fake driver. */
    public record FakeOptions(int vcpus, int memoryMib, int diskGib, Duration bootTime, Duration shutdownTime) {
    }
}
