package io.nubo.control;

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
import java.util.Optional;

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
