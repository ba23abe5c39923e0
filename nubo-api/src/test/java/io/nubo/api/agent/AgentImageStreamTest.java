package io.nubo.api.agent;

import io.nubo.agent.remote.HttpAgentChannel;
import io.nubo.api.TestCloud;
import io.nubo.core.Ids;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.StoragePool;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /agent/v1/images/{id}}: a remote host streams the file of an image it needs, with the
 * file's size and SHA-256, and resumes with a Range; no host reads an image it has no instance of.
 */
class AgentImageStreamTest {
    private static final HostRegistration HOST_B = new HostRegistration("host-b", "fake", "fake", "nubo-1a", 8, 8192, 100);
    private static final HostRegistration HOST_C = new HostRegistration("host-c", "fake", "fake", "nubo-1a", 8, 8192, 100);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aHostStreamsTheFileOfAnImageItRunsAndNothingElse() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            byte[] content = new byte[3 * 1024 * 1024 + 17];
            new Random(6).nextBytes(content);
            String location = cloud.db.read(s -> s.images().find(cloud.imageId).orElseThrow().location());
            Path file = Path.of(location);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            String b = joined(cloud, server, HOST_B);
            String c = joined(cloud, server, HOST_C);
            NewAccessKey tenant = cloud.tenant("t");
            String foreign = tenantImage(cloud, tenant, content);

            // Before any instance of it is on host-b, the image is not there for host-b.
            assertThat(get(server, "Bearer " + b, cloud.imageId, null).statusCode()).isEqualTo(404);

            // The local host is full, so the launch lands on host-b.
            assertThat(cloud.call(cloud.admin, "PUT", "/api/v1/hosts/" + cloud.agent.hostId().orElseThrow() + "/overcommit",
                    "{\"cpuRatio\":0.01,\"memoryRatio\":0.01}").status()).isEqualTo(200);
            String id = cloud.launch(cloud.admin);
            awaitPlaced(cloud, id);
            assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("hostId").asText())
                    .isIn(hostId(cloud, "host-b"), hostId(cloud, "host-c"));
            String mine = cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("hostId").asText()
                    .equals(hostId(cloud, "host-b")) ? b : c;
            String other = mine.equals(b) ? c : b;

            HttpResponse<byte[]> whole = get(server, "Bearer " + mine, cloud.imageId, null);
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(content);
            assertThat(whole.headers().firstValue("X-Nubo-Image-Sha256")).contains(sha256(content));
            assertThat(whole.headers().firstValue("X-Nubo-Image-Size")).contains(Long.toString(content.length));
            assertThat(whole.headers().firstValue("X-Nubo-Image-Format")).contains("qcow2");
            // The digest is taken once and recorded with the file's size and time.
            String recorded = cloud.db.read(s -> s.handle().createQuery("SELECT sha256 FROM images WHERE id = :id").bind("id", cloud.imageId)
                    .mapTo(String.class).one());
            assertThat(recorded).isEqualTo(sha256(content));

            // A broken-off download resumes where it stopped; a start past the end is 416.
            HttpResponse<byte[]> rest = get(server, "Bearer " + mine, cloud.imageId, "bytes=1000000-");
            assertThat(rest.statusCode()).isEqualTo(206);
            assertThat(rest.headers().firstValue("Content-Range")).contains("bytes 1000000-" + (content.length - 1) + "/" + content.length);
            assertThat(rest.body()).isEqualTo(Arrays.copyOfRange(content, 1000000, content.length));
            assertThat(get(server, "Bearer " + mine, cloud.imageId, "bytes=" + content.length + "-").statusCode()).isEqualTo(416);

            // No credential, or a tenant's key: 401. Another host, another tenant's image, an unknown image: 404.
            assertThat(get(server, null, cloud.imageId, null).statusCode()).isEqualTo(401);
            assertThat(get(server, cloud.bearer(tenant), cloud.imageId, null).statusCode()).isEqualTo(401);
            assertThat(get(server, "Bearer nhc-0123456789abcdef0.wrong", cloud.imageId, null).statusCode()).isEqualTo(401);
            assertThat(get(server, "Bearer " + other, cloud.imageId, null).statusCode()).isEqualTo(404);
            assertThat(get(server, "Bearer " + mine, foreign, null).statusCode()).isEqualTo(404);
            assertThat(get(server, "Bearer " + mine, "ami-0123456789abcdef0", null).statusCode()).isEqualTo(404);
            assertThat(get(server, "Bearer " + mine, "..%2F..%2Fetc%2Fpasswd", null).statusCode()).isEqualTo(404);

            // Once the instance is gone, so is the host's reason to read the image.
            assertThat(cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/terminate", "{}").status()).isEqualTo(200);
            HttpAgentChannel agent = new HttpAgentChannel(server, mine);
            String mineId = cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("hostId").asText();
            long version = agent.awaitDesired(mineId, -1, Duration.ZERO).version();
            agent.report(mineId, new HostReport(version, List.of(), true));
            cloud.awaitState(cloud.admin, id, "terminated");
            assertThat(get(server, "Bearer " + mine, cloud.imageId, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aHostReadsAnImageOnASharedPoolItSaidItMountsAtItsOwnPathAndStreamsAnyOther() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            String credential = joined(cloud, server, HOST_B);
            String hostB = hostId(cloud, "host-b");
            StoragePool shared = cloud.db.read(s -> s.storagePools().list()).stream()
                    .filter(p -> p.kind() == StoragePool.Kind.SHARED).findFirst().orElseThrow();
            String pooled = Ids.next(Ids.IMAGE);
            String location = Path.of(shared.path(), "images", pooled + ".qcow2").toString();
            cloud.db.inTransaction(s -> {
                s.images().insert(new Image(pooled, "pooled", "", null, true, Image.AVAILABLE, "qcow2", location, "x86_64", Instant.now(),
                        null, 100, shared.id(), 1, 1));
                return null;
            });
            assertThat(cloud.call(cloud.admin, "PUT", "/api/v1/hosts/" + cloud.agent.hostId().orElseThrow() + "/overcommit",
                    "{\"cpuRatio\":0.01,\"memoryRatio\":0.01}").status()).isEqualTo(200);
            String onPool = launch(cloud, pooled);
            String onNoPool = cloud.launch(cloud.admin);
            awaitPlaced(cloud, onPool);
            awaitPlaced(cloud, onNoPool);

            // host-b has announced no mount of the shared pool: it streams both images.
            HttpAgentChannel channel = new HttpAgentChannel(server, credential);
            assertThat(desired(channel, hostB, onPool).imageShared()).isFalse();
            assertThat(desired(channel, hostB, onNoPool).imageShared()).isFalse();

            // Once it mounts the pool (elsewhere than the server), it reads the pooled image there, at its own path.
            cloud.db.inTransaction(s -> {
                s.storagePools().mount(shared.id(), hostB, "/mnt/nubo-shared");
                return null;
            });
            DesiredInstance a = desired(channel, hostB, onPool);
            assertThat(a.imageShared()).isTrue();
            assertThat(a.imageLocation()).isEqualTo("/mnt/nubo-shared/images/" + pooled + ".qcow2");
            assertThat(desired(channel, hostB, onNoPool).imageShared()).isFalse();
        }
    }

    private static DesiredInstance desired(HttpAgentChannel channel, String hostId, String instanceId) {
        return channel.awaitDesired(hostId, -1, Duration.ZERO).instances().stream().filter(i -> i.instanceId().equals(instanceId))
                .findFirst().orElseThrow();
    }

    private static void awaitPlaced(TestCloud cloud, String id) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("hostId").asText().isEmpty());
    }

    private static String launch(TestCloud cloud, String image) {
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/instances", "{\"imageId\":\"" + image + "\",\"instanceType\":\"t3.nano\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    /** Joins a host and returns its credential. */
    private static String joined(TestCloud cloud, URI server, HostRegistration r) {
        String token = cloud.call(cloud.admin, "POST", "/api/v1/host-join-tokens", "{\"ttlSeconds\":60}").json().path("token").asText();
        HttpAgentChannel.Joined j = HttpAgentChannel.join(server, token, r);
        new HttpAgentChannel(server, j.credential()).heartbeat(j.hostId());
        return j.credential();
    }

    private static String hostId(TestCloud cloud, String name) {
        return cloud.cp.hosts().all().stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow().id();
    }

    /** An image the tenant owns, with a file: nothing on any host was made from it. */
    private static String tenantImage(TestCloud cloud, NewAccessKey tenant, byte[] content) throws Exception {
        String id = Ids.next(Ids.IMAGE);
        Path file = Files.createTempFile("tenant-image", ".qcow2");
        Files.write(file, content);
        cloud.db.inTransaction(s -> {
            s.images().insert(new Image(id, "private", "", tenant.accountId(), false, Image.AVAILABLE, "qcow2", file.toString(), "x86_64",
                    Instant.now()));
            return null;
        });
        return id;
    }

    private HttpResponse<byte[]> get(URI server, String authorization, String imageId, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.resolve("/agent/v1/images/" + imageId)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
