package io.nubo.control.billing;

import io.nubo.control.ControlPlane;
import io.nubo.control.hosts.Scheduler;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.MigrationProgress;
import io.nubo.core.agent.MigrationUpdate;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Migration;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.PowerState;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import io.nubo.store.Database;
import io.nubo.store.testing.TempDirs;
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
    /** Every simulated host, {@link #hostId} first. */
    final List<String> hosts = new ArrayList<>();
    final Scheduler scheduler;
    final java.nio.file.Path dataDir;

    BillingFixture(Instant start) throws IOException {
        clock = new TestClock(start);
        dataDir = Files.createTempDirectory("nubo-billing-test");
        cp = new ControlPlane(db, dataDir, clock);
        NewAccessKey key = cp.identity().bootstrapAdmin().orElseThrow();
        admin = new Principal(key.accountId(), Role.ADMIN, key.accessKeyId());
        imageId = cp.catalog().ensureDefaultImage("qcow2", "/nonexistent/default.qcow2", "available").id();
        hostId = addHost("sim");
        scheduler = new Scheduler(db, clock, ids -> { });
    }

    Principal tenant(String name) {
        NewAccessKey k = cp.identity().createAccount(admin, name, Optional.empty());
        return new Principal(k.accountId(), Role.MEMBER, k.accessKeyId());
    }

    /** Registers one more simulated host in the zone; the scheduler places instances on it too. */
    String addHost(String name) {
        String id = cp.agents().register(new HostRegistration(name, "fake", "fake", "nubo-1a", 4096, 16 * 1024 * 1024, 1000));
        hosts.add(id);
        return id;
    }

    /**
     * Places what is pending, then reports every host as a working agent would: pending and
     * running instances run, stopping ones are stopped, shutting-down ones are gone; the
     * {@code crashed} ones are gone too.
     */
    void observe(Set<String> crashed) {
        scheduler.drain();
        for (String host : hosts) {
            observe(host, crashed);
        }
    }

    /**
     * Live-migrates a running instance to another host, playing both agents' parts of the protocol:
     * the destination is ready, the source completes. Returns the new host.
     */
    String migrate(String instanceId) {
        String source = count("SELECT count(*) FROM instances WHERE id = '" + instanceId + "' AND host_id = '" + hosts.get(0) + "'") == 1
                ? hosts.get(0) : hosts.get(1);
        String destination = hosts.stream().filter(h -> !h.equals(source)).findFirst().orElseThrow();
        Migration m = cp.migrations().start(admin, instanceId, Optional.of(destination));
        cp.agents().migrationUpdate(destination, MigrationUpdate.ready(m.id(), "127.0.0.1", 49152, null));
        cp.agents().migrationUpdate(source, MigrationUpdate.completed(m.id(), new MigrationProgress("done", 0, 1 << 20, 100, 20, 800)));
        return destination;
    }

    private void observe(String hostId, Set<String> crashed) {
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
        TempDirs.delete(dataDir);
    }
}
