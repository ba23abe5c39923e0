package io.nubo.api.images;

import io.nubo.api.Json;
import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Images over REST: streamed uploads with their SHA-256, imports, sharing, deregistration and the storage pools. */
class ImageRestTest {
    static TestCloud cloud;
    static NewAccessKey tenant;
    static NewAccessKey other;
    static Path disks;
    static Path pool;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        tenant = cloud.tenant("rest-images");
        other = cloud.tenant("rest-images-other");
        disks = Files.createTempDirectory("nubo-rest-disks");
        pool = Path.of(cloud.cp.storagePools().imagePool().path()).resolve("images");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    record Upload(int status, com.fasterxml.jackson.databind.JsonNode json) {
        String code() {
            return json.path("code").asText();
        }
    }

    static Upload upload(NewAccessKey as, String query, Path file) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cloud.api.port() + "/api/v1/images/upload?" + query))
                .header("Authorization", cloud.bearer(as)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build();
        HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        return new Upload(resp.statusCode(), Json.MAPPER.readTree(resp.body()));
    }

    static String awaitState(NewAccessKey as, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !cloud.call(as, "GET", "/api/v1/images/" + id, null).json()
                .path("state").asText().equals("pending"));
        return cloud.call(as, "GET", "/api/v1/images/" + id, null).json().path("state").asText();
    }

    /** A request that must fail with {@code code} and change nothing: no row, no event, no file on the pool. */
    static void refusedUpload(String code, String message, NewAccessKey as, String query, Path file) throws Exception {
        String before = cloud.snapshot();
        var files = Disks.filesUnder(pool);
        Upload u = upload(as, query, file);
        assertThat(u.status()).as(u.json().toString()).isEqualTo(400);
        assertThat(u.code()).isEqualTo(code);
        assertThat(u.json().path("detail").asText()).contains(message);
        assertThat(cloud.snapshot()).isEqualTo(before);
        assertThat(Disks.filesUnder(pool)).isEqualTo(files);
    }

    @Test
    void anUploadLargerThanTheJsonLimitIsStreamedCheckedAndImported() throws Exception {
        Path disk = Disks.make(disks, "vpc", "up.vhd");
        assertThat(Files.size(disk)).isGreaterThan(io.nubo.api.ApiServer.MAX_BODY_BYTES);

        Upload u = upload(tenant, "name=uploaded&format=qcow2&sha256=" + Disks.sha256(disk), disk);

        assertThat(u.status()).as(u.json().toString()).isEqualTo(201);
        String id = u.json().path("imageId").asText();
        assertThat(u.json().path("state").asText()).isEqualTo("pending");
        assertThat(awaitState(tenant, id)).isEqualTo("available");
        var image = cloud.call(tenant, "GET", "/api/v1/images/" + id, null).json();
        assertThat(image.path("format").asText()).isEqualTo("qcow2");
        assertThat(image.path("progress").asInt()).isEqualTo(100);
        assertThat(image.path("ownerId").asText()).isEqualTo(tenant.accountId());
        assertThat(image.path("virtualSizeBytes").asLong()).isGreaterThanOrEqualTo(4 << 20);
    }

    @Test
    void anUploadWhoseChecksumDiffersIsRefusedAndLeavesNoRowAndNoFile() throws Exception {
        Path disk = Disks.make(disks, "qcow2", "mismatch.qcow2");
        String wrong = Disks.sha256(Disks.make(disks, "raw", "other.raw"));

        refusedUpload("BadDigest", "not " + wrong, tenant, "name=mismatch&sha256=" + wrong, disk);
        refusedUpload("InvalidParameterValue", "64 hex digits", tenant, "name=mismatch&sha256=abc", disk);
        refusedUpload("MissingParameter", "sha256", tenant, "name=mismatch", disk);
        refusedUpload("InvalidAMIName.Malformed", "3 to 128", tenant, "name=x&sha256=" + Disks.sha256(disk), disk);
        refusedUpload("UnknownParameter", "colour", tenant, "name=mismatch&colour=red&sha256=" + Disks.sha256(disk), disk);
    }

    @Test
    void hostileUploadsAreRefusedWithThePreciseReason() throws Exception {
        Path shadow = Disks.shadowBacked(disks);
        refusedUpload("InvalidDiskImage", "backing file (/etc/shadow)", tenant, "name=shadow&sha256=" + Disks.sha256(shadow), shadow);
        Path cut = Disks.truncatedVhd(disks);
        refusedUpload("InvalidDiskImage", "truncated", tenant, "name=cut&sha256=" + Disks.sha256(cut), cut);
    }

    @Test
    void onlyTheOperatorImportsFromAServerPathOrSeesThePools() throws Exception {
        Path disk = Disks.make(disks, "qcow2", "server-side.qcow2");
        String before = cloud.snapshot();
        var r = cloud.call(tenant, "POST", "/api/v1/images/import", "{\"name\":\"server-side\",\"path\":\"" + disk + "\"}");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.code()).isEqualTo("UnauthorizedOperation");
        assertThat(cloud.snapshot()).isEqualTo(before);
        assertThat(cloud.call(tenant, "GET", "/api/v1/storage-pools", null).status()).isEqualTo(403);

        var imported = cloud.call(cloud.admin, "POST", "/api/v1/images/import", "{\"name\":\"server-side\",\"path\":\"" + disk + "\"}");
        assertThat(imported.status()).as(imported.json().toString()).isEqualTo(201);
        assertThat(awaitState(cloud.admin, imported.json().path("imageId").asText())).isEqualTo("available");
        var pools = cloud.call(cloud.admin, "GET", "/api/v1/storage-pools", null).json();
        assertThat(pools.get(0).path("name").asText()).isEqualTo("shared");
        assertThat(pools.get(0).path("kind").asText()).isEqualTo("shared");
        assertThat(pools.get(0).path("totalBytes").asLong()).isPositive();
        assertThat(pools.get(0).path("usedBytes").asLong()).isPositive();
    }

    @Test
    void anImportFromAUrlByTheOperator() throws Exception {
        Path dir = Files.createDirectories(disks.resolve("served"));
        Disks.make(dir, "vmdk", "served.vmdk");
        var server = Disks.serve(dir);
        try {
            var r = cloud.call(cloud.admin, "POST", "/api/v1/images/import",
                    "{\"name\":\"from-url\",\"url\":\"" + Disks.url(server, "served.vmdk") + "\"}");
            assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
            String id = r.json().path("imageId").asText();
            assertThat(awaitState(cloud.admin, id)).isEqualTo("available");
            assertThat(cloud.call(cloud.admin, "GET", "/api/v1/images/" + id, null).json().path("format").asText()).isEqualTo("vmdk");
            var refused = cloud.call(tenant, "POST", "/api/v1/images/import",
                    "{\"name\":\"tenant-url\",\"url\":\"" + Disks.url(server, "served.vmdk") + "\"}");
            assertThat(refused.code()).isEqualTo("InvalidParameterValue");
            var missing = cloud.call(cloud.admin, "POST", "/api/v1/images/import",
                    "{\"name\":\"missing-url\",\"url\":\"" + Disks.url(server, "absent.qcow2") + "\"}");
            String failed = missing.json().path("imageId").asText();
            assertThat(awaitState(cloud.admin, failed)).isEqualTo("failed");
            assertThat(cloud.call(cloud.admin, "GET", "/api/v1/images/" + failed, null).json().path("stateReason").asText())
                    .contains("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void sharingMakesAnImageVisibleToNamedAccountsOnlyAndDeregisteringRemovesItsFile() throws Exception {
        Path disk = Disks.make(disks, "qcow2", "shared.qcow2");
        String id = upload(tenant, "name=to-share&sha256=" + Disks.sha256(disk), disk).json().path("imageId").asText();
        assertThat(awaitState(tenant, id)).isEqualTo("available");
        String file = pool.resolve(id + ".qcow2").toString();
        assertThat(Path.of(file)).exists();

        var hidden = cloud.call(other, "GET", "/api/v1/images/" + id, null);
        assertThat(hidden.status()).isEqualTo(400);
        assertThat(hidden.code()).isEqualTo("InvalidAMIID.NotFound");
        assertThat(cloud.call(other, "POST", "/api/v1/images/" + id + "/launch-permissions", "{\"add\":[\"" + other.accountId() + "\"]}")
                .code()).isEqualTo("InvalidAMIID.NotFound");

        var shared = cloud.call(tenant, "POST", "/api/v1/images/" + id + "/launch-permissions", "{\"add\":[\"" + other.accountId() + "\"]}");
        assertThat(shared.status()).as(shared.json().toString()).isEqualTo(200);
        assertThat(shared.json().path("accountIds").get(0).asText()).isEqualTo(other.accountId());
        assertThat(cloud.call(other, "GET", "/api/v1/images/" + id, null).status()).isEqualTo(200);
        assertThat(cloud.call(tenant, "POST", "/api/v1/images/" + id + "/launch-permissions", "{\"isPublic\":true}").code())
                .isEqualTo("UnauthorizedOperation");
        assertThat(cloud.call(other, "DELETE", "/api/v1/images/" + id, null).code()).isEqualTo("UnauthorizedOperation");
        assertThat(cloud.call(tenant, "POST", "/api/v1/images/" + id + "/launch-permissions", "{\"add\":[\"nobody\"]}").code())
                .isEqualTo("InvalidAMIAttributeItemValue");

        var gone = cloud.call(tenant, "DELETE", "/api/v1/images/" + id, null);
        assertThat(gone.status()).isEqualTo(200);
        assertThat(cloud.call(other, "GET", "/api/v1/images/" + id, null).code()).isEqualTo("InvalidAMIID.NotFound");
        assertThat(cloud.call(tenant, "GET", "/api/v1/images/" + id, null).code()).isEqualTo("InvalidAMIID.NotFound");
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(Path.of(file)));
    }
}
