package io.nubo.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server, run as a child process from binaries that come from Maven, with its
 * data kept in {@code <dir>/pg}. Not thread-safe: one owner starts and closes it.
 *
 * <p>If an earlier server process was killed, its PostgreSQL may still run on the same data
 * directory. Start stops that orphan first (by the pid in its own {@code postmaster.pid}), so a
 * restart after a crash always works.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A durable server for the control plane. */
    public static EmbeddedDatabase start(Path dataDir) {
        return start(dataDir, true);
    }

    /**
     * Starts the server. {@code durable} false keeps zonky's test settings (no fsync, asynchronous
     * commits): fine for throwaway test databases, never for a cloud's state.
     */
    public static EmbeddedDatabase start(Path dataDir, boolean durable) {
        Path pgData = dataDir.resolve("pg");
        try {
            Files.createDirectories(pgData);
            stopOrphan(pgData);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(dataDir.resolve("pg-bin").toFile())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "128MB")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (durable) {
                // zonky turns durability off (-F, synchronous_commit=off) to make tests fast; the
                // control plane's state must survive a power loss, so it goes back on here.
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            EmbeddedPostgres pg = builder.start();
            return new EmbeddedDatabase(pg);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + pgData, e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl("postgres", database);
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }

    /** Stops a PostgreSQL left running on {@code pgData} by a process that died, after checking it really is one. */
    static void stopOrphan(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 2) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        boolean isOurPostgres = process.isPresent() && process.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)
                && Path.of(lines.get(1).trim()).toRealPath().equals(pgData.toRealPath());
        if (!isOurPostgres) {
            return;
        }
        LOG.info("stopping PostgreSQL pid {} left running on {} by an earlier process", pid, pgData);
        // SIGINT is PostgreSQL's "fast" shutdown: it rolls back open transactions and checkpoints.
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (process.get().isAlive() && System.nanoTime() < deadline) {
            try {
                process.get().onExit().get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // still shutting down; check again
            }
        }
    }
}
