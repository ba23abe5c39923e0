package io.nubo.api;

import io.nubo.api.rest.Route;
import io.nubo.core.model.NewAccessKey;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants: for every route of the REST API, tenant B naming tenant A's resources gets
 * "not found" (or, on operator routes, "unauthorized"), sees none of A's data, and changes nothing.
 */
class IsolationTest {
    static final String PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMS4ckprGdZRwJy4JMCMzz3o8M3cg5BDmXpwCwj4Ne88 test";

    @Test
    void noRouteLetsOneTenantSeeOrTouchAnothersResources() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey a = cloud.tenant("tenant-a");
            NewAccessKey b = cloud.tenant("tenant-b");
            String instance = cloud.launch(a);
            cloud.awaitState(a, instance, "running");
            String aStateBefore = cloud.state(a, instance);
            String aKey = "a-secret-key";
            assertThat(cloud.call(a, "POST", "/api/v1/key-pairs", "{\"keyName\":\"" + aKey + "\"}").status()).isEqualTo(201);
            String aUser = cloud.call(a, "POST", "/api/v1/accounts/" + a.accountId() + "/users",
                    "{\"email\":\"a@example.com\",\"password\":\"a-long-password\"}").json().path("userId").asText();
            String volume = cloud.call(a, "POST", "/api/v1/volumes", "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}").json().path("volumeId").asText();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> cloud.call(a, "GET", "/api/v1/volumes/" + volume, null).json().path("state").asText().equals("available"));
            assertThat(cloud.call(a, "POST", "/api/v1/volumes/" + volume + "/attach", "{\"instanceId\":\"" + instance + "\",\"device\":\"/dev/sdf\"}")
                    .status()).isEqualTo(200);
            String snapshot = cloud.call(a, "POST", "/api/v1/snapshots", "{\"volumeId\":\"" + volume + "\"}").json().path("snapshotId").asText();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> cloud.call(a, "GET", "/api/v1/snapshots/" + snapshot, null).json().path("state").asText().equals("completed"));
            String aGroup = cloud.call(a, "GET", "/api/v1/instances/" + instance + "/security-groups", null).json().get(0).path("groupId").asText();
            List<String> checked = new ArrayList<>();

            for (Route r : cloud.api.routes()) {
                String path = r.path().replace("{instanceId}", instance).replace("{accountId}", a.accountId())
                        .replace("{accessKeyId}", a.accessKeyId()).replace("{imageId}", cloud.imageId).replace("{name}", "t3.nano")
                        .replace("{hostId}", cloud.agent.hostId().orElseThrow())
                        .replace("{keyName}", aKey)
                        .replace("{invoiceId}", "inv-" + a.accountId() + "-" + java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString().replace("-", ""))
                        .replace("{month}", "2020-01").replace("{userId}", aUser).replace("{volumeId}", volume).replace("{snapshotId}", snapshot)
                        .replace("{tokenId}", "token-of-nobody").replace("{groupId}", aGroup);
                String body = r.method() == HandlerType.GET ? null
                        : r.operationId().equals("runInstances") ? "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\"}"
                        : r.operationId().equals("putInstanceType") ? "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1}"
                        : r.operationId().equals("createAccount") ? "{\"name\":\"evil\"}"
                        : r.operationId().equals("createKeyPair") ? "{\"keyName\":\"b-key\"}"
                        : r.operationId().equals("createUser") ? "{\"email\":\"b@example.com\",\"password\":\"b-long-password\"}"
                        : r.operationId().equals("importKeyPair") ? "{\"keyName\":\"b-imported\",\"publicKeyMaterial\":\"" + PUBLIC_KEY + "\"}"
                        : r.operationId().equals("setBudget") ? "{\"amount\":\"100\"}"
                        : r.operationId().equals("createVolume") ? "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}"
                        : r.operationId().equals("attachVolume") ? "{\"instanceId\":\"" + instance + "\",\"device\":\"/dev/sdg\"}"
                        : r.operationId().equals("modifyVolume") ? "{\"sizeGib\":2}"
                        : r.operationId().equals("createSnapshot") ? "{\"volumeId\":\"" + volume + "\"}"
                        : r.operationId().equals("modifyInstanceType") ? "{\"instanceType\":\"t3.micro\"}"
                        : r.operationId().equals("putInstanceTags") ? "{\"tags\":{\"owner\":\"b\"}}"
                        : r.operationId().equals("createImage") ? "{\"name\":\"b-image\"}"
                        : r.operationId().equals("putInstanceSecurityGroups") ? "{\"securityGroupIds\":[\"" + aGroup + "\"]}"
                        : r.operationId().equals("copyImage") ? "{\"name\":\"b-copy\"}"
                        : r.operationId().equals("createSecurityGroup") ? "{\"groupName\":\"b-group\",\"description\":\"b's\"}"
                        : r.path().contains("{groupId}") ? "{\"protocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,\"cidr\":\"0.0.0.0/0\"}"
                        : "{}";
                TestCloud.Reply reply = cloud.call(b, r.method().name(), path, body);
                String what = r.method() + " " + r.path() + " -> " + reply.status() + " " + reply.json();
                if (r.adminOnly()) {
                    assertThat(reply.status()).as(what).isEqualTo(403);
                    assertThat(reply.code()).as(what).isEqualTo("UnauthorizedOperation");
                } else if (r.path().startsWith("/api/v1/partner/") && !r.path().contains("{")) {
                    // A partner's own routes: B is no partner (PartnerIsolationTest checks a partner).
                    assertThat(reply.status()).as(what).isEqualTo(403);
                    assertThat(reply.code()).as(what).isEqualTo("UnauthorizedOperation");
                } else if (r.path().contains("{groupId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidGroup.NotFound");
                } else if (r.path().contains("{snapshotId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidSnapshot.NotFound");
                } else if (r.path().contains("{volumeId}") || r.operationId().equals("createSnapshot")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidVolume.NotFound");
                } else if (r.path().contains("{instanceId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidInstanceID.NotFound");
                } else if (r.path().contains("{keyName}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidKeyPair.NotFound");
                } else if (r.path().contains("{accessKeyId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidAccessKeyId.NotFound");
                } else if (r.path().contains("{userId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidUserID.NotFound");
                } else if (r.path().contains("{invoiceId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidInvoiceID.NotFound");
                } else if (r.path().contains("{accountId}")) {
                    assertThat(reply.code()).as(what).isEqualTo("InvalidAccountID.NotFound");
                } else if (r.path().contains("{imageId}")) {
                    // The public system image is no tenant's: B may read it and copy it (into an image of B's), never change it.
                    assertThat(reply.status()).as(what).isIn(r.method() == HandlerType.GET || r.operationId().equals("copyImage")
                            ? List.of(200, 201, 403) : List.of(400, 403));
                    assertThat(reply.json().toString()).as(what).doesNotContain(instance).doesNotContain(a.accountId()).doesNotContain(volume);
                } else if (r.operationId().equals("importImage") || r.operationId().equals("uploadImage")) {
                    // B's own import, refused for B's own reasons (no source, no digest): nothing of A's shows.
                    assertThat(reply.status()).as(what).isEqualTo(400);
                    assertThat(reply.json().toString()).as(what).doesNotContain(instance).doesNotContain(a.accountId()).doesNotContain(volume);
                } else {
                    // Lists, the public catalogue, and launching B's own instance: allowed, but nothing of A's shows.
                    assertThat(reply.status()).as(what).isBetween(200, 201);
                    assertThat(reply.json().toString()).as(what).doesNotContain(instance).doesNotContain(a.accountId()).doesNotContain(aKey)
                            .doesNotContain(volume);
                }
                checked.add(r.operationId());
            }
            assertThat(checked).hasSameSizeAs(cloud.api.routes());
            assertThat(cloud.state(a, instance)).isEqualTo(aStateBefore);
            assertThat(cloud.call(a, "GET", "/api/v1/snapshots/" + snapshot, null).json().path("state").asText()).isEqualTo("completed");
            assertThat(cloud.call(a, "GET", "/api/v1/volumes/" + volume, null).json().path("attachments").get(0).path("instanceId").asText())
                    .isEqualTo(instance);
            assertThat(cloud.call(a, "GET", "/api/v1/key-pairs/" + aKey, null).status()).isEqualTo(200);
            assertThat(cloud.call(a, "GET", "/api/v1/events?limit=1000", null).json().toString()).doesNotContain(b.accountId());
        }
    }
}
