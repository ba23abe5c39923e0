package io.nubo.control;

import io.nubo.core.NuboException;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.testing.TempDirs;
import io.nubo.store.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** A control plane on a fresh database, with an admin, the default image, and helpers. */
public final class ControlFixture implements AutoCloseable {
    public final Database db = TestDatabase.fresh();
    public final Path dataDir;
    public final ControlPlane cp;
    public final Principal admin;
    public final Image image;

    public ControlFixture(boolean startControllers) throws IOException {
        dataDir = Files.createTempDirectory("nubo-control-test");
        cp = new ControlPlane(db, dataDir, Clock.systemUTC());
        NewAccessKey key = cp.identity().bootstrapAdmin().orElseThrow();
        admin = new Principal(key.accountId(), Role.ADMIN, key.accessKeyId());
        image = cp.catalog().ensureDefaultImage("qcow2", "/nonexistent/default.qcow2", "available");
        if (startControllers) {
            cp.start();
        }
    }

    public String registerHost(String name, int vcpus, int memoryMib) {
        return cp.agents().register(new HostRegistration(name, "fake", "fake", "nubo-1a", vcpus, memoryMib, 100));
    }

    public Principal tenant(String name) {
        NewAccessKey k = cp.identity().createAccount(admin, name, Optional.empty());
        return new Principal(k.accountId(), Role.MEMBER, k.accessKeyId());
    }

    /** One launch of a race: returns normally when accepted, throws NuboException when refused. */
    @FunctionalInterface
    public interface Launch {
        void run() throws Exception;
    }

    /**
     * Runs {@code launches} launches from {@code threads} threads at once and returns how many were
     * accepted; every refusal must be EC2's lack of capacity.
     */
    public int race(int launches, int threads, Launch launch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int n = 0; n < launches; n++) {
                results.add(pool.submit(() -> {
                    try {
                        launch.run();
                        return true;
                    } catch (NuboException e) {
                        assertThat(e.errorCode().code()).isEqualTo("InsufficientInstanceCapacity");
                        return false;
                    }
                }));
            }
            int accepted = 0;
            for (Future<Boolean> r : results) {
                accepted += r.get() ? 1 : 0;
            }
            return accepted;
        } finally {
            pool.shutdown();
        }
    }

    public long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Override
    public void close() {
        cp.close();
        db.close();
        TempDirs.delete(dataDir);
    }
}
