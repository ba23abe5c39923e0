package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.agent.Agent;
import io.nubo.agent.AgentConfig;
import io.nubo.agent.fake.FakeHypervisor;
import io.nubo.api.ec2.Ec2Throttle;
import io.nubo.control.ControlPlane;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.spi.HostFacts;
import io.nubo.store.Database;
import io.nubo.store.testing.TempDirs;
import io.nubo.store.testing.TestDatabase;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * A whole cloud in the test JVM: a fresh database, the control plane, one fake host with its
 * agent, and the HTTP API on a random port; plus a small HTTP client.
 */
public final class TestCloud implements AutoCloseable {
    public final Database db = TestDatabase.fresh();
    public final ControlPlane cp;
    public final FakeHypervisor hypervisor;
    public final Agent agent;
    public final ApiServer api;
    public final NewAccessKey admin;
    public final String imageId;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path dataDir;

    public TestCloud() throws IOException {
        this(64, 64 * 1024);
    }

    public TestCloud(int vcpus, int memoryMib) throws IOException {
        this(vcpus, memoryMib, Ec2Throttle.off());
    }

    /**
     * A cloud whose EC2 endpoint throttles with {@code throttle}. The others do not: a test of
     * something else must not depend on how fast it sends its requests.
     */
    public TestCloud(int vcpus, int memoryMib, Ec2Throttle throttle) throws IOException {
        Path dir = Files.createTempDirectory("nubo-api-test");
        dataDir = dir;
        cp = new ControlPlane(db, dir, Clock.systemUTC());
        admin = cp.identity().bootstrapAdmin().orElseThrow();
        imageId = cp.catalog().ensureDefaultImage("qcow2", dir.resolve("images/default.qcow2").toString(), "available").id();
        cp.start();
        hypervisor = new FakeHypervisor(Clock.systemUTC(), Duration.ofMillis(100), Duration.ofMillis(50),
                new HostFacts("fake", vcpus, memoryMib, 100), Optional.of(dir.resolve("fake")));
        agent = new Agent(cp.agents(), hypervisor, new AgentConfig("test-host", "nubo-1a", dir.resolve("agent"),
                Duration.ofMillis(50), Duration.ofSeconds(5)));
        agent.start();
        cp.compute().useConsoleAccess(agent::consoleTail);
        api = new ApiServer(cp, new ApiServer.Health(db::isHealthy, agent::isReady), "test", throttle).start("127.0.0.1", 0);
        await().atMost(Duration.ofSeconds(20)).until(agent::isReady);
    }

    /** An HTTP answer: its status and JSON body. */
    public record Reply(int status, JsonNode json, String contentType) {
        public String code() {
            return json.path("code").asText();
        }
    }

    public String bearer(NewAccessKey k) {
        return "Bearer " + k.accessKeyId() + ":" + k.secretAccessKey();
    }

    public Reply call(NewAccessKey as, String method, String path, String body) {
        return raw(as == null ? null : bearer(as), method, path, body);
    }

    public Reply raw(String authorization, String method, String path, String body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path));
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = r.body().isEmpty() ? Json.MAPPER.createObjectNode() : parse(r.body());
            return new Reply(r.statusCode(), json, r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.getNodeFactory().textNode(body);
        }
    }

    /** Launches one t3.nano for {@code as} and returns its ID. */
    public String launch(NewAccessKey as) {
        Reply r = call(as, "POST", "/api/v1/instances", "{\"imageId\":\"" + imageId + "\",\"instanceType\":\"t3.nano\"}");
        if (r.status() != 201) {
            throw new AssertionError("launch failed: " + r);
        }
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    public String state(NewAccessKey as, String id) {
        return call(as, "GET", "/api/v1/instances/" + id, null).json().path("state").path("name").asText();
    }

    /**
     * Waits until no instance is on its way from one state to another, so that a test comparing
     * {@link #snapshot()}s before and after a refused call sees only what that call did.
     */
    public void awaitSettled() {
        await().atMost(Duration.ofSeconds(30)).until(() -> db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM instances WHERE state IN ('pending', 'stopping', 'shutting-down')").mapTo(Long.class).one()) == 0);
    }

    public void awaitState(NewAccessKey as, String id, String state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> state(as, id), state::equals);
    }

    /** A fingerprint of everything the API can change, to prove a rejected request changed nothing. */
    public String snapshot() {
        return db.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT count(*) FROM events) || '/' ||
                       (SELECT coalesce(string_agg(id || state || task || coalesce(host_id, '') || reboot_generation, ',' ORDER BY id), '') FROM instances) || '/' ||
                       (SELECT coalesce(string_agg(id || enabled::text || instance_quota, ',' ORDER BY id), '') FROM accounts) || '/' ||
                       (SELECT coalesce(string_agg(id || active::text, ',' ORDER BY id), '') FROM access_keys) || '/' ||
                       (SELECT coalesce(string_agg(name || vcpus || memory_mib || price_micros_per_hour, ',' ORDER BY name), '') FROM instance_types) || '/' ||
                       (SELECT coalesce(string_agg(id || allocated_vcpus || '.' || allocated_memory_mib, ',' ORDER BY id), '') FROM hosts) || '/' ||
                       (SELECT coalesce(string_agg(id || instance_type || coalesce(name, ''), ',' ORDER BY id), '') FROM instances) || '/' ||
                       (SELECT coalesce(string_agg(id || state, ',' ORDER BY id), '') FROM images) || '/' ||
                       (SELECT coalesce(string_agg(id || name || fingerprint, ',' ORDER BY id), '') FROM key_pairs) || '/' ||
                       (SELECT coalesce(string_agg(id || name, ',' ORDER BY id), '') FROM security_groups) || '/' ||
                       (SELECT coalesce(string_agg(id, ',' ORDER BY id), '') FROM security_group_rules) || '/' ||
                       (SELECT coalesce(string_agg(instance_id || group_id, ',' ORDER BY instance_id, group_id), '') FROM instance_security_groups) || '/' ||
                       (SELECT coalesce(string_agg(resource_id || key || '=' || value, ',' ORDER BY account_id, resource_id, key), '') FROM tags) || '/' ||
                       (SELECT coalesce(string_agg(token, ',' ORDER BY account_id, action, token), '') FROM client_tokens) || '/' ||
                       (SELECT coalesce(string_agg(id || state || size_gib || volume_type || coalesce(modification_state, ''), ',' ORDER BY id), '')
                          FROM volumes) || '/' ||
                       (SELECT coalesce(string_agg(volume_id || instance_id || device || state || force_detach, ',' ORDER BY volume_id, instance_id), '')
                          FROM volume_attachments) || '/' ||
                       (SELECT coalesce(string_agg(id || state || progress, ',' ORDER BY id), '') FROM snapshots) || '/' ||
                       (SELECT coalesce(string_agg(id || used_bytes, ',' ORDER BY id), '') FROM storage_pools) || '/' ||
                       (SELECT coalesce(string_agg(id || name || strategy || partition_count, ',' ORDER BY id), '') FROM placement_groups) || '/' ||
                       (SELECT coalesce(string_agg(instance_id || group_id, ',' ORDER BY instance_id), '') FROM placement_group_members)""")
                .mapTo(String.class).one());
    }

    public NewAccessKey tenant(String name) {
        Reply r = call(admin, "POST", "/api/v1/accounts", "{\"name\":\"" + name + "\"}");
        JsonNode k = r.json().path("accessKey");
        return new NewAccessKey(k.path("accessKeyId").asText(), k.path("secretAccessKey").asText(), k.path("accountId").asText());
    }

    @Override
    public void close() {
        api.close();
        agent.close();
        cp.close();
        db.close();
        TempDirs.delete(dataDir);
    }
}
