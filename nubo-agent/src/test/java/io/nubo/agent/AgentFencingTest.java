package io.nubo.agent;

import io.nubo.agent.fake.FakeHypervisor;
import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.MigrationUpdate;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;
import io.nubo.core.spi.VmSpec;
import io.nubo.core.spi.VmStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Self-fencing: an agent that cannot renew its lease stops its HA VMs before the lease ends, and only those. */
class AgentFencingTest {
    private static final LeaseFence.Policy POLICY = new LeaseFence.Policy(true, Duration.ofSeconds(4), Duration.ofSeconds(2));
    private static final String HA = "i-0000000000000000a";
    private static final String PLAIN = "i-0000000000000000b";

    @TempDir
    Path dir;

    @Test
    void anAgentCutOffFromTheServerKillsItsHaVmBeforeItsLeaseEndsKeepsTheOtherAndNeverStartsTheMovedOneAgain() throws Exception {
        FakeServer server = new FakeServer();
        server.desired = List.of(desired(HA, true), desired(PLAIN, false));
        Recording hv = new Recording(fake());
        try (Agent agent = new Agent(server, hv, config())) {
            agent.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.RUNNING && power(hv, PLAIN) == PowerState.RUNNING);
            assertThat(Files.readString(dir.resolve("fence").resolve("ha"))).isEqualTo(HA + "\n");

            server.cut = true;
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.STOPPED);
            // The fence came before the end of the lease the server last granted: the server may restart it elsewhere after that.
            assertThat(hv.fencedAt.get(HA)).isLessThan(server.leaseEnd.get());
            assertThat(hv.fencedAt).doesNotContainKey(PLAIN);
            assertThat(power(hv, PLAIN)).isEqualTo(PowerState.RUNNING);

            // Meanwhile the server restarted the HA instance on another host; when the network returns, this
            // host's state no longer has it: its VM is destroyed, never started again.
            server.desired = List.of(desired(PLAIN, false));
            server.version.incrementAndGet();
            server.cut = false;
            await().atMost(Duration.ofSeconds(20)).until(() -> !hv.list().containsKey(HA));
            assertThat(hv.starts.stream().filter(HA::equals)).hasSize(1);
            assertThat(power(hv, PLAIN)).isEqualTo(PowerState.RUNNING);
        }
    }

    @Test
    void aFencedHaVmWhoseInstanceIsStillThisHostsWhenTheLeaseReturnsStartsAgainWithoutBeingReportedStopped() {
        FakeServer server = new FakeServer();
        server.desired = List.of(desired(HA, true));
        Recording hv = new Recording(fake());
        try (Agent agent = new Agent(server, hv, config())) {
            agent.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.RUNNING);
            server.desired = List.of(desired(HA, true, InstanceState.RUNNING));
            server.version.incrementAndGet();
            await().atMost(Duration.ofSeconds(20)).until(() -> server.reported.contains(HA + "=RUNNING"));

            server.cut = true;
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.STOPPED);
            // Back within the grace: the server never moved it, so it is still this host's, and runs again here.
            server.cut = false;
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.RUNNING);
            assertThat(hv.starts.stream().filter(HA::equals)).hasSize(2);
            assertThat(server.reported).doesNotContain(HA + "=STOPPED");
        }
    }

    @Test
    void anAgentRestartedAfterItsLeaseRanOutFencesTheHaVmsOfItsLastRunBeforeItReachesTheServer() throws Exception {
        FakeServer server = new FakeServer();
        server.desired = List.of(desired(HA, true), desired(PLAIN, false));
        FakeHypervisor vms = fake();
        try (Agent first = new Agent(server, vms, config())) {
            first.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> power(vms, HA) == PowerState.RUNNING && power(vms, PLAIN) == PowerState.RUNNING);
        }
        server.cut = true;
        // Its deadline passes while no agent runs (VMs outlive agents).
        long deadline = Long.parseLong(Files.readString(dir.resolve("fence").resolve("deadline")).trim());
        await().atMost(Duration.ofSeconds(20)).until(() -> System.currentTimeMillis() > deadline);
        assertThat(power(vms, HA)).isEqualTo(PowerState.RUNNING);

        Recording hv = new Recording(vms);
        try (Agent second = new Agent(server, hv, config())) {
            second.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.STOPPED);
            assertThat(power(hv, PLAIN)).isEqualTo(PowerState.RUNNING);
            assertThat(hv.starts).isEmpty();
        }
    }

    @Test
    void anAgentThatDoesNotFenceKeepsEveryVmThroughALongCut() {
        FakeServer server = new FakeServer();
        server.desired = List.of(desired(HA, true));
        Recording hv = new Recording(fake());
        try (Agent agent = new Agent(server, hv, new AgentConfig("h", "nubo-1a", dir, Duration.ofMillis(50), Duration.ofSeconds(1)))) {
            agent.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> power(hv, HA) == PowerState.RUNNING);
            server.cut = true;
            long cutAt = System.nanoTime();
            // Well past the lease: the in-process agent of 'nubo up' has no one to be cut off from.
            await().atMost(Duration.ofSeconds(20)).until(() -> System.nanoTime() - cutAt > POLICY.lease().multipliedBy(2).toNanos());
            assertThat(power(hv, HA)).isEqualTo(PowerState.RUNNING);
            assertThat(hv.fencedAt).isEmpty();
            assertThat(dir.resolve("fence")).doesNotExist();
        }
    }

    private AgentConfig config() {
        return new AgentConfig("h", "nubo-1a", dir, Duration.ofMillis(50), Duration.ofSeconds(1), POLICY);
    }

    private FakeHypervisor fake() {
        return new FakeHypervisor(Clock.systemUTC(), Duration.ZERO, Duration.ZERO, new HostFacts("fake", 8, 8192, 100), Optional.empty());
    }

    private static PowerState power(Hypervisor hv, String id) {
        VmStatus s = hv.list().get(id);
        return s == null ? null : s.power();
    }

    private static DesiredInstance desired(String id, boolean ha) {
        return desired(id, ha, InstanceState.PENDING);
    }

    private static DesiredInstance desired(String id, boolean ha, InstanceState state) {
        return new DesiredInstance(id, state, false, 0, 1, 128, "ami-0123456789abcdef0", "qcow2", "/x", id, null, null,
                List.of(), List.of(), List.of(), null, ha);
    }

    /**
     * The control plane as the agent sees it: a lease that each heartbeat extends from the moment it
     * arrives, and a desired state; while {@code cut}, every call fails as on a dead network.
     */
    private static final class FakeServer implements AgentChannel {
        volatile boolean cut;
        volatile List<DesiredInstance> desired = List.of();
        final AtomicLong version = new AtomicLong(1);
        /** When the last lease granted ends (System.nanoTime). */
        final AtomicLong leaseEnd = new AtomicLong();
        /** Every instance state reported, as id=POWER. */
        final java.util.Set<String> reported = ConcurrentHashMap.newKeySet();

        private void call() {
            if (cut) {
                throw new IllegalStateException("connection timed out");
            }
        }

        @Override
        public String register(HostRegistration registration) {
            call();
            leaseEnd.set(System.nanoTime() + POLICY.lease().toNanos());
            return "h-0000000000000001";
        }

        @Override
        public void heartbeat(String hostId) {
            call();
            leaseEnd.set(System.nanoTime() + POLICY.lease().toNanos());
        }

        @Override
        public DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) throws InterruptedException {
            call();
            if (knownVersion == version.get()) {
                Thread.sleep(50);
            }
            return new DesiredState(version.get(), desired, true);
        }

        @Override
        public void report(String hostId, HostReport report) {
            call();
            report.instances().forEach(i -> reported.add(i.instanceId() + "=" + i.power()));
        }

        @Override
        public void migrationUpdate(String hostId, MigrationUpdate update) {
            call();
        }
    }

    /** The fake driver, recording starts and when each fence happened. */
    private static final class Recording implements Hypervisor {
        final Hypervisor inner;
        final List<String> starts = new CopyOnWriteArrayList<>();
        final Map<String, Long> fencedAt = new ConcurrentHashMap<>();

        Recording(Hypervisor inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public HostFacts probe() {
            return inner.probe();
        }

        @Override
        public void start(VmSpec spec) {
            starts.add(spec.instanceId());
            inner.start(spec);
        }

        @Override
        public void stop(String instanceId, boolean force, Duration timeout) {
            inner.stop(instanceId, force, timeout);
        }

        @Override
        public void fence(String instanceId) {
            fencedAt.putIfAbsent(instanceId, System.nanoTime());
            inner.fence(instanceId);
        }

        @Override
        public void reboot(String instanceId) {
            inner.reboot(instanceId);
        }

        @Override
        public void destroy(String instanceId) {
            inner.destroy(instanceId);
        }

        @Override
        public Map<String, VmStatus> list() {
            return inner.list();
        }

        @Override
        public Optional<VmStatus> status(String instanceId) {
            return inner.status(instanceId);
        }
    }
}
