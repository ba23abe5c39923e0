package io.nubo.control;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.hosts.HostFailover;
import io.nubo.control.hosts.HostService;
import io.nubo.core.NuboException;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.model.Reservation;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** HA on the control plane's side: a host whose lease is long gone goes down and its HA instances restart elsewhere. */
class HostFailoverTest {
    @Test
    void aHostLongPastItsLeaseGoesDownAndItsHaInstancesRestartOnAnotherHostWithEventsWhileOthersStay() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 8, 8192);
            String b = f.registerHost("b", 8, 8192);
            List<String> ha = launchOn(f, a, b, 2, true);
            List<String> plain = launchOn(f, a, b, 1, false);
            f.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET state = 'running', task = 'none' WHERE host_id = ?", a));
            expire(f, a, 30);

            failover(f).pass();

            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("down");
            for (String id : ha) {
                assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + id + "' AND host_id = '" + b
                        + "' AND state = 'pending' AND task = 'spawning'")).isEqualTo(1);
                assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + id + "' AND type = 'instance.ha' AND from_state = 'a'"
                        + " AND to_state = 'b' AND cause LIKE '%a is down; restarted on b%'")).isEqualTo(1);
                assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + id + "' AND type = 'instance.state'"
                        + " AND from_state = 'running' AND to_state = 'pending'")).isEqualTo(1);
            }
            assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + plain.get(0) + "' AND host_id = '" + a
                    + "' AND state = 'running'")).isEqualTo(1);
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + plain.get(0) + "' AND type = 'instance.ha'"
                    + " AND cause LIKE '%not HA%'")).isEqualTo(1);
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + a + "' AND type = 'host.state' AND to_state = 'down'"))
                    .isEqualTo(1);
            // The allocation moved with the instances (t3.nano: 2 vCPU, 512 MiB).
            assertThat(f.cp.hosts().get(f.admin, a).allocatedVcpus()).isEqualTo(2);
            assertThat(f.cp.hosts().get(f.admin, b).allocatedVcpus()).isEqualTo(4);
            assertThat(f.cp.hosts().get(f.admin, b).allocatedMemoryMib()).isEqualTo(1024);
            // The new host's agent is told to boot them; the down host's no longer lists them.
            assertThat(desired(f, b)).extracting(DesiredInstance::instanceId).containsExactlyInAnyOrderElementsOf(ha);
            assertThat(desired(f, a)).extracting(DesiredInstance::instanceId).containsExactly(plain.get(0));
            // The HA instances boot from their disks on the shared pool; the other keeps its disk in its host's directory.
            assertThat(desired(f, b)).allSatisfy(d -> {
                assertThat(d.ha()).isTrue();
                assertThat(d.rootDisk()).endsWith("/instances/" + d.instanceId() + "/disk.qcow2")
                        .startsWith(f.dataDir.toString());
            });
            assertThat(desired(f, a).get(0).rootDisk()).isNull();
        }
    }

    @Test
    void aHostWithinTheGraceAfterItsLeaseKeepsItsInstances() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 8, 8192);
            String b = f.registerHost("b", 8, 8192);
            List<String> ha = launchOn(f, a, b, 1, true);
            expire(f, a, 3);

            HostFailover.Outcome o = failover(f).pass();

            assertThat(o.markedDown()).isEmpty();
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isNotEqualTo("down");
            assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + ha.get(0) + "' AND host_id = '" + a + "'")).isEqualTo(1);
            assertThat(f.count("SELECT count(*) FROM events WHERE type = 'instance.ha'")).isZero();
        }
    }

    @Test
    void twoServersRacingFailEachHostOverExactlyOnce() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String spare = f.registerHost("spare", 256, 262144);
            HostFailover one = failover(f);
            HostFailover two = failover(f);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 20; round++) {
                    f.cp.agents().heartbeat(spare); // no agent here: the test keeps the spare host's lease
                    String a = f.registerHost("a" + round, 8, 8192);
                    List<String> ha = launchOn(f, a, spare, 2, true);
                    expire(f, a, 30);
                    CyclicBarrier start = new CyclicBarrier(2);
                    List<Future<HostFailover.Outcome>> runs = new ArrayList<>();
                    for (HostFailover server : List.of(one, two)) {
                        runs.add(pool.submit(() -> {
                            start.await();
                            return server.pass();
                        }));
                    }
                    for (Future<HostFailover.Outcome> r : runs) {
                        r.get();
                    }
                    // The controllers' own pass may have been a third contender: the counts hold whoever won.
                    assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + a + "' AND type = 'host.state' AND to_state = 'down'"))
                            .isEqualTo(1);
                    for (String id : ha) {
                        assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + id + "' AND type = 'instance.ha'"))
                                .isEqualTo(1);
                        assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + id + "' AND host_id = '" + spare + "'")).isEqualTo(1);
                    }
                    assertThat(f.cp.hosts().get(f.admin, a).allocatedVcpus()).isZero();
                }
                assertThat(f.cp.hosts().get(f.admin, spare).allocatedVcpus()).isEqualTo(20 * 2 * 2);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aDownHostThatCallsInAgainDoesNotGetItsMovedInstancesBackAndReturnsOnlyWhenEnabledOrReregistered() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 8, 8192);
            String b = f.registerHost("b", 8, 8192);
            List<String> ha = launchOn(f, a, b, 1, true);
            expire(f, a, 30);
            // Enabling a down host whose agent has not called in is refused and changes nothing.
            failover(f).pass();
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.hosts().act(f.admin, a, HostService.AdminAction.ENABLE)).isInstanceOf(NuboException.class)
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("IncorrectState"));
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);

            // Its agent calls in again: heartbeats renew the lease but the host stays down, without the instance.
            f.cp.agents().heartbeat(a);
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("down");
            assertThat(desired(f, a)).isEmpty();
            assertThat(f.cp.hosts().act(f.admin, a, HostService.AdminAction.ENABLE).host().state().apiName()).isEqualTo("up");
            assertThat(desired(f, a)).isEmpty();
            assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + ha.get(0) + "' AND host_id = '" + b + "'")).isEqualTo(1);

            // Down again, then back by a fresh registration (an agent restart): still nothing of b's.
            expire(f, a, 30);
            failover(f).pass();
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("down");
            f.registerHost("a", 8, 8192);
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("up");
            assertThat(desired(f, a)).isEmpty();
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + ha.get(0) + "' AND type = 'instance.ha'")).isEqualTo(1);
        }
    }

    @Test
    void anHaInstanceThatFitsNowhereStaysWithAnEventAndRestartsOnceThereIsRoom() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 8, 8192);
            String b = f.registerHost("b", 8, 8192);
            List<String> ha = launchOn(f, a, b, 1, true);
            f.cp.hosts().act(f.admin, b, HostService.AdminAction.DISABLE);
            expire(f, a, 30);

            HostFailover.Outcome o = failover(f).pass();

            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("down");
            assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + ha.get(0) + "' AND host_id = '" + a + "'")).isEqualTo(1);
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + ha.get(0) + "' AND type = 'instance.ha'"
                    + " AND cause LIKE 'cannot restart: no up host%'")).isEqualTo(1);
            // Later passes try again without repeating the event, and succeed once b is back.
            failover(f).pass();
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + ha.get(0) + "' AND type = 'instance.ha'")).isEqualTo(1);
            // Its agent calls in again meanwhile (the host stays down): while it holds a lease, its instance is not moved,
            // even once there is room, since that agent may be running it again.
            f.cp.agents().heartbeat(a);
            f.cp.hosts().act(f.admin, b, HostService.AdminAction.ENABLE);
            assertThat(failover(f).pass().restarted()).isEmpty();
            assertThat(f.count("SELECT count(*) FROM instances WHERE id = '" + ha.get(0) + "' AND host_id = '" + a + "'")).isEqualTo(1);
            expire(f, a, 30);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                failover(f).pass();
                return f.count("SELECT count(*) FROM instances WHERE id = '" + ha.get(0) + "' AND host_id = '" + b + "'") == 1;
            });
            assertThat(o.markedDown()).isNotEmpty();
        }
    }

    /** Launches instances that land on {@code on}: the other host is disabled meanwhile. */
    private static List<String> launchOn(ControlFixture f, String on, String other, int count, boolean ha) {
        f.cp.agents().heartbeat(other);
        f.cp.hosts().act(f.admin, other, HostService.AdminAction.DISABLE);
        try {
            Reservation r = f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", count, count, null, null, null, null,
                    null, List.of(), List.of(), List.of(), null, ha));
            List<String> ids = r.instances().stream().map(i -> i.id()).toList();
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id = '" + on
                    + "' AND id IN ('" + String.join("','", ids) + "')") == count);
            assertThat(r.instances()).allMatch(i -> i.ha() == ha);
            return ids;
        } finally {
            f.cp.hosts().act(f.admin, other, HostService.AdminAction.ENABLE);
        }
    }

    private static void expire(ControlFixture f, String host, int secondsAgo) {
        f.db.jdbi().useHandle(h -> h.execute("UPDATE hosts SET lease_expires_at = now() - make_interval(secs => ?) WHERE id = ?",
                secondsAgo, host));
    }

    private static HostFailover failover(ControlFixture f) {
        return new HostFailover(f.db, Clock.systemUTC(), f.cp.agents()::notifyHosts);
    }

    private static List<DesiredInstance> desired(ControlFixture f, String host) throws InterruptedException {
        return f.cp.agents().awaitDesired(host, -1, Duration.ZERO).instances();
    }
}
