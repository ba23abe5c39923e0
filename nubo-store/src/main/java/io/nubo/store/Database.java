package io.nubo.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.jdbi.v3.postgres.PostgresPlugin;

import java.util.function.Function;

/**
 * The connection pool and Jdbi over one PostgreSQL database, migrated to the current schema on
 * open. Thread-safe.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    public static Database open(String jdbcUrl, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("nubo");
        // Batched INSERTs become multi-row INSERTs: one statement for a whole launch or event batch.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // Every connection is READ COMMITTED from the start (and the pool puts it back after a
        // snapshot), so a transaction need not ask: Jdbi's inTransaction(level) costs three round
        // trips (SHOW the level, SET it, SET it back), a few percent of a small transaction.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource ds = new HikariDataSource(config);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return new Database(ds);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Runs {@code work} in one READ COMMITTED transaction (the level every pooled connection has)
     * with the repositories bound to it. Under {@link DryRun#check}, the transaction is rolled back
     * once {@code work} has succeeded.
     */
    public <T> T inTransaction(Function<Store, T> work) {
        return jdbi.inTransaction(h -> {
            T result = work.apply(new Store(h));
            DryRun.rollBackIfActive();
            return result;
        });
    }

    /**
     * Runs {@code work} in one REPEATABLE READ transaction: every statement sees the same snapshot
     * (plus the transaction's own writes). A concurrent update of a row it then writes fails it.
     */
    public <T> T inSnapshot(Function<Store, T> work) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> work.apply(new Store(h)));
    }

    /** Runs read-only {@code work} on one connection, outside an explicit transaction. */
    public <T> T read(Function<Store, T> work) {
        return jdbi.withHandle(h -> work.apply(new Store(h)));
    }

    public boolean isHealthy() {
        try (Handle h = jdbi.open()) {
            return h.createQuery("SELECT 1").mapTo(Integer.class).one() == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
