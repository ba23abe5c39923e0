package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acceptance 1 and 5 of issue 6, with real processes and real QEMU: two {@code nubo server}
 * replicas on one PostgreSQL (Debian's, as an operator runs it; one replica named by a JDBC URL,
 * the other by a {@code postgresql://} URI) and three {@code nubo agent} hosts, each agent given both replicas'
 * URLs. Six instances of the default image are launched through one replica, which is then killed
 * with SIGKILL before they run; the other replica finishes every launch, spread over the three
 * hosts. Then every server is restarted at once while the VMs run: no host goes suspect or down,
 * and every VM keeps its QEMU process and its state.
 */
class ReplicasTest {
    private static final int COUNT = 6;

    @Test
    void aReplicaKilledMidLaunchAndARestartOfEveryServerLoseNothingAndDisturbNoVm(@TempDir Path dir) throws Exception {
        List<AgentProcess> agents = new ArrayList<>();
        try (DebianPostgres pg = DebianPostgres.start(); Database db = Database.open(pg.jdbcUrl(), DebianPostgres.USER, "", 2)) {
            String shared = dir.resolve("shared").toString();
            ServerProcess a = ServerProcess.replica(dir.resolve("a"), pg.jdbcUrl(), DebianPostgres.USER, "--shared-pool", shared).start();
            // The second replica gets the first's secret key (it decrypts the same stored secrets) and the operator's credentials.
            Files.createDirectories(dir.resolve("b"));
            Files.copy(a.dataDir.resolve("secret.key"), dir.resolve("b/secret.key"));
            Files.copy(a.dataDir.resolve("credentials"), dir.resolve("b/credentials"));
            ServerProcess b = ServerProcess.server(dir.resolve("b"), "--db", pg.uri(), "--shared-pool", shared).start();
            try {
                assertThat(a.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                        .isEqualTo(200);
                for (String name : List.of("h1", "h2", "h3")) {
                    String token = a.call("POST", "/host-join-tokens", "{\"ttlSeconds\":600}").json().path("token").asText();
                    // Agents may talk to any replica: h3 prefers the one that survives, the others the one that dies.
                    String servers = name.equals("h3") ? b.url() + "," + a.url() : a.url() + "," + b.url();
                    AgentProcess agent = new AgentProcess(dir.resolve(name), "--server", servers, "--name", name);
                    agents.add(agent);
                    agent.start("--join-token", token);
                }
                await().atMost(Duration.ofMinutes(3)).until(() -> upHosts(b).size() == 3);
                Map<String, String> hostNames = new HashMap<>();
                for (JsonNode h : b.call("GET", "/hosts", null).json()) {
                    hostNames.put(h.path("hostId").asText(), h.path("name").asText());
                }

                // 1. Six launches accepted by replica a, which dies before they run; replica b finishes them.
                String image = a.call("GET", "/images", null).json().get(0).path("imageId").asText();
                ServerProcess.Reply run = a.call("POST", "/instances",
                        "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.tiny\",\"count\":" + COUNT + ",\"name\":\"replicated\"}");
                assertThat(run.status()).as(run.json().toString()).isEqualTo(201);
                a.crash();
                List<String> ids = new ArrayList<>();
                run.json().path("instances").forEach(i -> ids.add(i.path("instanceId").asText()));
                assertThat(ids).hasSize(COUNT);
                await().atMost(Duration.ofMinutes(4)).until(() -> states(b, ids).values().stream().allMatch("running"::equals));
                assertThat(b.call("GET", "/instances?limit=1000", null).json().path("instances")).as("no launch lost or doubled")
                        .hasSize(COUNT);
                Set<String> used = new HashSet<>();
                for (String id : ids) {
                    used.add(b.call("GET", "/instances/" + id, null).json().path("hostId").asText());
                }
                assertThat(used.stream().map(hostNames::get)).as("the instances spread over the three hosts")
                        .containsExactlyInAnyOrder("h1", "h2", "h3");
                Map<String, List<Long>> qemus = qemus(agents, ids);
                assertThat(qemus.values()).as("one QEMU per instance").allMatch(p -> p.size() == 1);

                // 5. Restart every server at once while the VMs run.
                long lastEvent = lastEventId(db);
                a.start();
                a.stop();
                b.stop();
                Instant restarted = Instant.now();
                CompletableFuture<ServerProcess> aBack = CompletableFuture.supplyAsync(a::start);
                b.start();
                aBack.join();
                // Every host calls in again on its own; after that its lease is valid, and no check can find it expired.
                await().atMost(Duration.ofMinutes(1)).until(() -> heartbeatsSince(b, restarted) == 3);
                assertThat(upHosts(a)).as("every host up, seen from either replica").hasSize(3);
                assertThat(upHosts(b)).hasSize(3);
                assertThat(hostStateChanges(db, lastEvent)).as("no host went suspect or down").isEmpty();
                assertThat(states(a, ids).values()).allMatch("running"::equals);
                assertThat(qemus(agents, ids)).as("every VM kept its QEMU process").isEqualTo(qemus);
                assertThat(instanceEvents(db, lastEvent, ids)).as("nothing happened to any instance").isEmpty();
            } finally {
                ServerProcess alive = a.isAlive() ? a : b;
                if (alive.isAlive()) {
                    for (JsonNode i : alive.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                        alive.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
                    }
                    await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                            .until(() -> agents.stream().allMatch(g -> LiveMigrationTest.qemus(g.dataDir).isEmpty()));
                }
                for (AgentProcess g : agents) {
                    g.close();
                    new ServerProcess(g.dataDir).killVmsLeftBehind();
                }
                a.close();
                b.close();
            }
        }
    }

    private static Set<String> upHosts(ServerProcess s) throws Exception {
        Set<String> out = new HashSet<>();
        for (JsonNode h : s.call("GET", "/hosts", null).json()) {
            if (h.path("state").asText().equals("up")) {
                out.add(h.path("hostId").asText());
            }
        }
        return out;
    }

    private static long heartbeatsSince(ServerProcess s, Instant since) throws Exception {
        long n = 0;
        for (JsonNode h : s.call("GET", "/hosts", null).json()) {
            if (!h.path("lastHeartbeat").isNull() && Instant.parse(h.path("lastHeartbeat").asText()).isAfter(since)) {
                n++;
            }
        }
        return n;
    }

    private static Map<String, String> states(ServerProcess s, List<String> ids) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String id : ids) {
            out.put(id, s.call("GET", "/instances/" + id, null).json().path("state").path("name").asText());
        }
        return out;
    }

    /** Each instance's QEMU processes, wherever they run: their pid files under the agents' data dirs. */
    private static Map<String, List<Long>> qemus(List<AgentProcess> agents, List<String> ids) {
        Map<String, List<Long>> out = new HashMap<>();
        for (String id : ids) {
            List<Long> pids = new ArrayList<>();
            for (AgentProcess g : agents) {
                String marker = g.dataDir.resolve("instances").resolve(id) + "/";
                LiveMigrationTest.qemus(g.dataDir).stream()
                        .filter(pid -> ProcessHandle.of(pid).flatMap(p -> p.info().arguments()).map(x -> String.join(" ", x))
                                .orElse("").contains(marker))
                        .forEach(pids::add);
            }
            out.put(id, pids);
        }
        return out;
    }

    private static long lastEventId(Database db) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT coalesce(max(id), 0) FROM events").mapTo(Long.class).one());
    }

    private static List<String> hostStateChanges(Database db, long after) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                SELECT resource_id || ': ' || from_state || ' -> ' || to_state || ' (' || cause || ')' FROM events
                WHERE id > :after AND type = 'host.state' AND to_state IN ('suspect', 'down')""")
                .bind("after", after).mapTo(String.class).list());
    }

    private static List<String> instanceEvents(Database db, long after, List<String> ids) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                SELECT resource_id || ' ' || type || ': ' || coalesce(from_state, '') || ' -> ' || coalesce(to_state, '') || ' (' || cause || ')'
                FROM events WHERE id > :after AND resource_id IN (<ids>)""")
                .bind("after", after).bindList("ids", ids).mapTo(String.class).list());
    }
}
