package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's live migration and drain in a real browser (Debian's chromium driven by
 * playwright-core; the script is {@code nubo-portal/e2e/migration.e2e.mjs}) against a real
 * {@code nubo up} and a second host: a {@code nubo agent} process joined with a join token, both
 * with real QEMU. The admin moves a running VM to the second host from the hosts page and watches
 * it finish there, then drains that host from the same page and sees the VM come back and the host
 * end in maintenance, and enables it again.
 */
class PortalMigrationBrowserTest {
    static ServerProcess server;
    static AgentProcess hostB;
    static Path work;
    static String vm;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-portal-migration-e2e");
        server = new ServerProcess(work.resolve("server")).start();
        assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
        // Launched while the server's own host is the only one, so the VM starts there; the second
        // host joins while it boots.
        String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
        ServerProcess.Reply run = server.call("POST", "/instances",
                "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.tiny\",\"name\":\"migrating-vm\"}");
        assertThat(run.status()).as(run.json().toString()).isEqualTo(201);
        vm = run.json().path("instances").get(0).path("instanceId").asText();
        String token = server.call("POST", "/host-join-tokens", "{\"ttlSeconds\":600}").json().path("token").asText();
        hostB = new AgentProcess(work.resolve("host-b"), "--server", server.url(), "--name", "host-b");
        hostB.start("--join-token", token);
        await().atMost(Duration.ofMinutes(3)).until(() -> "up".equals(hostState("host-b")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            for (JsonNode i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            if (hostB != null) {
                await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
                        .until(() -> LiveMigrationTest.qemus(server.dataDir).isEmpty() && LiveMigrationTest.qemus(hostB.dataDir).isEmpty());
            }
        }
        if (hostB != null) {
            hostB.close();
            // A VM the agent could not stop (the await above timed out) goes by its pid file, like the server's below.
            new ServerProcess(hostB.dataDir).killVmsLeftBehind();
        }
        if (server != null) {
            server.close();
            server.killVmsLeftBehind();
        }
    }

    @Test
    void theOperatorLiveMigratesAVmToASecondHostAndDrainsThatHostInTheBrowser() throws Exception {
        Map<String, String> admin = new HashMap<>();
        for (String line : Files.readAllLines(server.dataDir.resolve("portal-password"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                admin.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        String source = server.call("GET", "/instances/" + vm, null).json().path("hostId").asText();
        String destination = hostId("host-b");
        assertThat(source).isNotEqualTo(destination);

        Path repo = ServerProcess.repoRoot();
        ProcessBuilder pb = new ProcessBuilder("node", "e2e/migration.e2e.mjs").directory(repo.resolve("nubo-portal").toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("playwright.out").toFile());
        Map<String, String> env = pb.environment();
        env.put("NUBO_URL", server.url());
        env.put("ADMIN_EMAIL", admin.get("email"));
        env.put("ADMIN_PASSWORD", admin.get("password"));
        env.put("VM", vm);
        env.put("SOURCE_HOST", source);
        env.put("DESTINATION_HOST", destination);
        env.put("SCREENSHOTS", repo.resolve("docs/screenshots").toString());
        env.put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Process p = pb.start();
        boolean finished = p.waitFor(Duration.ofMinutes(8).toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(work.resolve("playwright.out"));
        System.out.println(out);
        if (!finished || p.exitValue() != 0) {
            printWhatTheServerSaw(destination);
        }
        assertThat(finished).as("the browser test finished").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("portal migration e2e: all passed");

        // What the browser saw, from the server's side: the VM went to host-b and came back with the
        // drain, running, one QEMU for it, on its original host; host-b is up again after the enable.
        JsonNode i = server.call("GET", "/instances/" + vm, null).json();
        assertThat(i.path("hostId").asText()).isEqualTo(source);
        assertThat(i.path("state").path("name").asText()).isEqualTo("running");
        JsonNode drain = server.call("GET", "/hosts/" + destination + "/drain", null).json();
        assertThat(drain.path("migrations")).hasSize(1).allMatch(m -> m.path("state").asText().equals("completed"));
        assertThat(drain.path("left")).isEmpty();
        assertThat(hostState("host-b")).isEqualTo("up");
        await().atMost(Duration.ofMinutes(1)).until(() -> LiveMigrationTest.qemus(hostB.dataDir).isEmpty());
        assertThat(LiveMigrationTest.qemus(server.dataDir)).hasSize(1);
    }

    /** For a failure in CI, where only the test's output survives: the drain, and the agents' and server's lines on the VM. */
    private static void printWhatTheServerSaw(String destination) throws Exception {
        System.out.println("drain of host-b: " + server.call("GET", "/hosts/" + destination + "/drain", null).json());
        System.out.println("instance: " + server.call("GET", "/instances/" + vm, null).json());
        System.out.println("hosts: " + server.call("GET", "/hosts", null).json());
        for (String[] log : new String[][]{{"server", server.output()}, {"host-b", hostB.output()}}) {
            log[1].lines().filter(l -> l.contains(vm) || l.contains("WARN") || l.contains("ERROR"))
                    .forEach(l -> System.out.println(log[0] + "| " + l));
        }
    }

    private static String hostId(String name) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (h.path("name").asText().equals(name)) {
                return h.path("hostId").asText();
            }
        }
        return null;
    }

    private static String hostState(String name) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (h.path("name").asText().equals(name)) {
                return h.path("state").asText();
            }
        }
        return null;
    }
}
