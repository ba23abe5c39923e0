package io.nubo.api.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.agent.Agent;
import io.nubo.agent.AgentConfig;
import io.nubo.agent.fake.FakeHypervisor;
import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.spi.HostFacts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live migration and host drains with the fake driver: two simulated hosts in one JVM, each with
 * its own agent speaking the real protocol to the control plane. These test the control flow,
 * the failures and the bad inputs fast; {@code LiveMigrationTest} (nubo-e2e) moves real VMs.
 */
class MigrationFakeTest {
    private TestCloud cloud;
    private FakeHypervisor second;
    private Agent secondAgent;

    @BeforeEach
    void twoHosts() throws Exception {
        cloud = new TestCloud();
        second = new FakeHypervisor(Clock.systemUTC(), Duration.ofMillis(100), Duration.ofMillis(50),
                new HostFacts("fake", 64, 64 * 1024, 100), Optional.of(Files.createTempDirectory("nubo-fake-b")));
        secondAgent = new Agent(cloud.cp.agents(), second, new AgentConfig("host-b", "nubo-1a", Files.createTempDirectory("nubo-agent-b"),
                Duration.ofMillis(50), Duration.ofSeconds(5)));
        secondAgent.start();
        await().atMost(Duration.ofSeconds(20)).until(secondAgent::isReady);
        // Slow enough that a test can watch a migration under way.
        cloud.hypervisor.migrationPace(5, Duration.ofMillis(100));
        second.migrationPace(5, Duration.ofMillis(100));
    }

    @AfterEach
    void close() {
        secondAgent.close();
        cloud.close();
    }

    @Test
    void aRunningInstanceMovesToTheOtherHostAndRunsOnOneHostAtATime() {
        String id = running();
        String source = hostOf(id);
        FakeHypervisor from = hypervisorOf(source);
        FakeHypervisor to = from == cloud.hypervisor ? second : cloud.hypervisor;
        AtomicBoolean twice = new AtomicBoolean();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (watching.get()) {
                // The source runs, then the destination does, and the source never runs again once paused:
                // so a source seen running before and after the destination was seen running ran with it.
                if (from.isGuestRunning(id) && to.isGuestRunning(id) && from.isGuestRunning(id)) {
                    twice.set(true);
                }
                Thread.onSpinWait();
            }
        });

        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}");
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.json().path("state").asText()).isEqualTo("preparing");
        assertThat(r.json().path("sourceHostId").asText()).isEqualTo(source);
        String destination = r.json().path("destinationHostId").asText();
        assertThat(destination).isNotEqualTo(source);
        assertThat(instance(id).path("task").asText()).isEqualTo("migrating");

        JsonNode m = awaitMigration(id, "completed");
        watching.set(false);
        assertThat(twice).as("the guest ran on both hosts at once").isFalse();
        assertThat(m.path("downtimeMs").asInt()).isEqualTo(3);
        assertThat(m.path("phase").asText()).isEqualTo("done");
        assertThat(hostOf(id)).isEqualTo(destination);
        assertThat(instance(id).path("state").path("name").asText()).isEqualTo("running");
        assertThat(instance(id).path("task").asText()).isEqualTo("none");
        await().atMost(Duration.ofSeconds(10)).until(() -> to.isGuestRunning(id) && from.status(id).isEmpty());
        assertThat(allocatedMemory(source)).isZero();
        assertThat(allocatedMemory(destination)).isEqualTo(instance(id).path("memoryMib").asInt());
        List<String> types = eventTypes(id);
        assertThat(types).contains("instance.migration", "instance.migrated");
        assertThat(eventCauses(id)).anyMatch(c -> c.contains("memory,") && c.contains("bytes left"));
    }

    @Test
    void anHaInstanceMovesAndItsRootDiskStaysOnTheSharedPoolWithoutACopyReserved() {
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":true}");
        String id = r.json().path("instances").get(0).path("instanceId").asText();
        cloud.awaitState(cloud.admin, id, "running");
        String source = hostOf(id);
        String poolsBefore = poolUse();

        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}").status()).isEqualTo(202);
        assertThat(poolUse()).as("no room reserved for a copy").isEqualTo(poolsBefore);
        awaitMigration(id, "completed");
        assertThat(hostOf(id)).isEqualTo(otherHost(source));
        assertThat(instance(id).path("ha").asBoolean()).isTrue();
        assertThat(poolUse()).as("the disk's claim stays on the shared pool").isEqualTo(poolsBefore);
        await().atMost(Duration.ofSeconds(10)).until(() -> hypervisorOf(otherHost(source)).isGuestRunning(id)
                && hypervisorOf(source).status(id).isEmpty());
    }

    /** Each storage pool's used bytes. */
    private String poolUse() {
        StringBuilder out = new StringBuilder();
        for (JsonNode p : cloud.call(cloud.admin, "GET", "/api/v1/storage-pools", null).json()) {
            out.append(p.path("poolId").asText()).append('=').append(p.path("usedBytes").asLong()).append(' ');
        }
        return out.toString();
    }

    @Test
    void anInstanceCanBeSentToANamedHostAndBack() {
        String id = running();
        String source = hostOf(id);
        String other = otherHost(source);
        String otherName = cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + other, null).json().path("name").asText();
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"" + otherName + "\"}").status())
                .isEqualTo(202);
        awaitMigration(id, "completed");
        assertThat(hostOf(id)).isEqualTo(other);
        await().atMost(Duration.ofSeconds(10)).until(() -> hypervisorOf(other).isGuestRunning(id));
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"" + source + "\"}").status())
                .isEqualTo(202);
        awaitMigration(id, "completed");
        assertThat(hostOf(id)).isEqualTo(source);
        await().atMost(Duration.ofSeconds(10)).until(() -> hypervisorOf(source).isGuestRunning(id) && hypervisorOf(other).status(id).isEmpty());
    }

    @Test
    void aFailedMigrationLeavesTheInstanceRunningOnItsSourceAndCleansTheDestination() {
        String id = running();
        String source = hostOf(id);
        FakeHypervisor from = hypervisorOf(source);
        FakeHypervisor to = from == cloud.hypervisor ? second : cloud.hypervisor;
        String destination = otherHost(source);
        from.failMigrations(true);

        cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}");
        JsonNode m = awaitMigration(id, "failed");
        assertThat(m.path("reason").asText()).contains("source:").contains("simulated failure");
        assertThat(hostOf(id)).isEqualTo(source);
        assertThat(instance(id).path("task").asText()).isEqualTo("none");
        await().atMost(Duration.ofSeconds(10)).until(() -> to.status(id).isEmpty());
        assertThat(from.isGuestRunning(id)).isTrue();
        assertThat(allocatedMemory(destination)).isZero();
        assertThat(eventCauses(id)).anyMatch(c -> c.contains("failed"));

        // The instance is free again: it can be stopped, and migrated once the fault is gone.
        from.failMigrations(false);
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}").status()).isEqualTo(202);
        awaitMigration(id, "completed");
        assertThat(hostOf(id)).isEqualTo(destination);
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String id = running();
        String source = hostOf(id);
        NewAccessKey tenant = cloud.tenant("someone");
        String before = fingerprint();

        assertThat(cloud.call(tenant, "POST", "/api/v1/instances/" + id + "/migrate", "{}").code()).isEqualTo("UnauthorizedOperation");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/i-0123456789abcdef0/migrate", "{}").code())
                .isEqualTo("InvalidInstanceID.NotFound");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"" + source + "\"}").code())
                .isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"no-such-host\"}").code())
                .isEqualTo("InvalidHostID.NotFound");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"\"}").code())
                .isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":1,\"x\":2}").status()).isEqualTo(400);
        assertThat(cloud.call(tenant, "GET", "/api/v1/instances/" + id + "/migration", null).code()).isEqualTo("UnauthorizedOperation");
        assertThat(fingerprint()).isEqualTo(before);
        // The other host out of service: nowhere to go.
        String other = otherHost(source);
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + other + "/disable", "{}");
        String disabled = fingerprint();
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}").code())
                .isEqualTo("InsufficientInstanceCapacity");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{\"toHost\":\"" + other + "\"}").code())
                .isEqualTo("InvalidParameterValue");
        assertThat(fingerprint()).isEqualTo(disabled);
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + other + "/enable", "{}");

        // A stopped instance does not live-migrate.
        cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/stop", "{}");
        cloud.awaitState(cloud.admin, id, "stopped");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}").code()).isEqualTo("IncorrectInstanceState");
    }

    @Test
    void aMigratingInstanceRefusesStopAndASecondMigration() {
        String id = running();
        hypervisorOf(hostOf(id)).migrationPace(30, Duration.ofMillis(100));
        cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}").code()).isEqualTo("IncorrectInstanceState");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/stop", "{}").code()).isEqualTo("IncorrectInstanceState");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/terminate", "{}").code()).isEqualTo("IncorrectInstanceState");
        awaitMigration(id, "completed");
        assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/stop", "{}").status()).isEqualTo(200);
    }

    @Test
    void drainingAHostMovesEveryInstanceAwayAndLeavesItInMaintenance() {
        // Both instances on the first host: the second takes none until the drain.
        String b = otherHost(hostIdOf(cloud.hypervisor));
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + b + "/disable", "{}");
        String one = running();
        String two = running();
        String a = hostOf(one);
        assertThat(hostOf(two)).isEqualTo(a);
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + b + "/enable", "{}");

        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + a + "/drain", "{}");
        assertThat(r.json().path("host").path("state").asText()).isEqualTo("draining");
        // No new instance goes to a draining host.
        String three = running();
        assertThat(hostOf(three)).isEqualTo(b);

        await().atMost(Duration.ofSeconds(30)).until(() -> hostState(a), "maintenance"::equals);
        assertThat(hostOf(one)).isEqualTo(b);
        assertThat(hostOf(two)).isEqualTo(b);
        JsonNode drain = cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + a + "/drain", null).json();
        assertThat(drain.path("migrations")).hasSize(2);
        assertThat(drain.path("left")).isEmpty();
        assertThat(hostEvents(a)).anyMatch(c -> c.contains("drained: 2 moved, nothing left"));

        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + a + "/enable", "{}");
        assertThat(hostState(a)).isEqualTo("up");
    }

    @Test
    void aDrainReportsTheInstancesThatCannotMoveAndLeavesThemRunning() {
        String b = otherHost(hostIdOf(cloud.hypervisor));
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + b + "/disable", "{}");
        String id = running();
        String a = hostOf(id);
        cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + a + "/drain", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> hostState(a), "maintenance"::equals);
        assertThat(hostOf(id)).isEqualTo(a);
        assertThat(hypervisorOf(a).isGuestRunning(id)).isTrue();
        JsonNode drain = cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + a + "/drain", null).json();
        assertThat(drain.path("left").get(0).path("instanceId").asText()).isEqualTo(id);
        assertThat(drain.path("left").get(0).path("reason").asText()).contains("No other host can take");
        assertThat(hostEvents(a)).anyMatch(c -> c.contains(id + " cannot move"));
    }

    // ---- helpers ----

    private String running() {
        String id = cloud.launch(cloud.admin);
        cloud.awaitState(cloud.admin, id, "running");
        return id;
    }

    private JsonNode instance(String id) {
        return cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json();
    }

    private String hostOf(String id) {
        return instance(id).path("hostId").asText();
    }

    private String hostIdOf(FakeHypervisor hv) {
        return hv == cloud.hypervisor ? cloud.agent.hostId().orElseThrow() : secondAgent.hostId().orElseThrow();
    }

    private FakeHypervisor hypervisorOf(String hostId) {
        return hostId.equals(cloud.agent.hostId().orElseThrow()) ? cloud.hypervisor : second;
    }

    private String otherHost(String hostId) {
        return hostId.equals(cloud.agent.hostId().orElseThrow()) ? secondAgent.hostId().orElseThrow() : cloud.agent.hostId().orElseThrow();
    }

    private String hostState(String hostId) {
        return cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + hostId, null).json().path("state").asText();
    }

    private int allocatedMemory(String hostId) {
        return cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + hostId, null).json().path("allocated").path("memoryMib").asInt();
    }

    private JsonNode awaitMigration(String id, String state) {
        await().atMost(Duration.ofSeconds(30)).until(
                () -> cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/migration", null).json().path("state").asText(), state::equals);
        return cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/migration", null).json();
    }

    private List<String> eventTypes(String id) {
        List<String> out = new ArrayList<>();
        cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/events?limit=1000", null).json().path("events")
                .forEach(e -> out.add(e.path("type").asText()));
        return out;
    }

    private List<String> eventCauses(String id) {
        List<String> out = new ArrayList<>();
        cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/events?limit=1000", null).json().path("events")
                .forEach(e -> out.add(e.path("cause").asText()));
        return out;
    }

    private List<String> hostEvents(String hostId) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT cause FROM events WHERE resource_id = :h ORDER BY id")
                .bind("h", hostId).mapTo(String.class).list());
    }

    /** What a refused request must not change: migrations, instances' hosts and tasks, allocations, events. */
    private String fingerprint() {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM migrations) || '/' || (SELECT count(*) FROM events) || '/' ||
                       (SELECT string_agg(id || state || task || coalesce(host_id, ''), ',' ORDER BY id) FROM instances) || '/' ||
                       (SELECT string_agg(id || state || allocated_vcpus || '.' || allocated_memory_mib || '.' || desired_version, ',' ORDER BY id)
                          FROM hosts)""").mapTo(String.class).one());
    }
}
