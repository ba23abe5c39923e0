package io.nubo.store.testing;

import io.nubo.store.Database;
import io.nubo.store.EmbeddedDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real PostgreSQL for tests: one embedded server per test JVM, and a fresh, migrated database
 * for each caller, so tests never see each other's rows. Thread-safe.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedDatabase server;

    private TestDatabase() {
    }

    /** A new empty database with the current schema. Close it when done. */
    public static synchronized Database fresh() {
        EmbeddedDatabase pg = server();
        String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", ""); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Database.open(pg.jdbcUrl(name), "postgres", "", 20);
    }

    private static EmbeddedDatabase server() {
        if (server == null) {
            try {
                Path dir = Files.createTempDirectory("nubo-test-pg");
                server = EmbeddedDatabase.start(dir, false);
                EmbeddedDatabase s = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    s.close();
                    TempDirs.delete(dir);
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }
}
