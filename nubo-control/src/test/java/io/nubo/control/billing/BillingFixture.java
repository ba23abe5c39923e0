package io.nubo.control.billing;

import io.nubo.control.ControlPlane;
import io.nubo.control.hosts.Scheduler;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.PowerState;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A control plane on a fresh database with a test clock and one host whose "agent" is the test:
 * {@link #observe(Set)} reports what a perfect agent would see, except for the instances it is told
 * crashed. No background threads run, so every step happens when the test says.
 */
final class BillingFixture implements AutoCloseable {
    final Database db = TestDatabase.fresh();
    final TestClock clock;
    final ControlPlane cp;
    final Principal admin;
    final String imageId;
    final String hostId;
    final Scheduler scheduler;
    final java.nio.file.Path dataDir;

    BillingFixture(Instant start) throws IOException {
        clock = new TestClock(start);
        dataDir = Files.createTempDirectory("nubo-billing-test");
        cp = new ControlPlane(db, dataDir, clock);
        NewAccessKey key = cp.identity().bootstrapAdmin().orElseThrow();
        admin = new Principal(key.accountId(), Role.ADMIN, key.accessKeyId());
        imageId = cp.catalog().ensureDefaultImage("qcow2", "/nonexistent/default.qcow2", "available").id();
        hostId = cp.agents().register(new HostRegistration("sim", "fake", "fake", "nubo-1a", 4096, 16 * 1024 * 1024, 1000));
        scheduler = new Scheduler(db, clock, ids -> { });
    }

    Principal tenant(String name) {
        NewAccessKey k = cp.identity().createAccount(admin, name, Optional.empty());
        return new Principal(k.accountId(), Role.MEMBER, k.accessKeyId());
    }

    /**
     * Places what is pending, then reports the host as a working agent would: pending and running
     * instances run, stopping ones are stopped, shutting-down ones are gone; the {@code crashed}
     * ones are gone too.
     */
    void observe(Set<String> crashed) {
        scheduler.drain();
        DesiredState desired;
        try {
            desired = cp.agents().awaitDesired(hostId, -1, Duration.ZERO);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        List<ObservedInstance> seen = new ArrayList<>();
        for (DesiredInstance d : desired.instances()) {
            if (crashed.contains(d.instanceId())) {
                continue;
            }
            InstanceState s = d.state();
            if (s == InstanceState.PENDING || s == InstanceState.RUNNING) {
                seen.add(new ObservedInstance(d.instanceId(), PowerState.RUNNING, null));
            } else if (s == InstanceState.STOPPING || s == InstanceState.STOPPED) {
                seen.add(new ObservedInstance(d.instanceId(), PowerState.STOPPED, null));
            }
        }
        cp.agents().report(hostId, new HostReport(desired.version(), seen));
    }

    /** Sets up the shared storage pool, as a starting server does, so that volumes can be made. */
    void sharedPool() {
        cp.storagePools().ensureShared(dataDir.resolve("pools").resolve("shared"));
    }

    long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Override
    public void close() {
        cp.close();
        db.close();
    }
}
