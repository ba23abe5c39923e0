package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.api.rest.Route;
import io.nubo.core.model.NewAccessKey;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IsolationTest's pattern for a partner: on every route of the REST API, partner P naming the
 * resources of another partner's customer D, or naming D, the other partner Q, a direct tenant T or
 * the operator, gets "not found" (or, on operator routes, "unauthorized"), sees none of their data,
 * and changes nothing; while P does see and manage its own customer C.
 */
class PartnerIsolationTest {
    private static final String MONTH = YearMonth.now(ZoneOffset.UTC).toString().replace("-", "");

    static NewAccessKey partner(TestCloud cloud, String name) {
        NewAccessKey k = cloud.tenant(name);
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/accounts/" + k.accountId() + "/partner", "{}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("role").asText()).isEqualTo("partner");
        return k;
    }

    static NewAccessKey customer(TestCloud cloud, NewAccessKey partner, String name) {
        TestCloud.Reply r = cloud.call(partner, "POST", "/api/v1/partner/customers", "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("account").path("partnerId").asText()).isEqualTo(partner.accountId());
        JsonNode k = r.json().path("accessKey");
        return new NewAccessKey(k.path("accessKeyId").asText(), k.path("secretAccessKey").asText(), k.path("accountId").asText());
    }

    @Test
    void aPartnerCannotSeeOrTouchAnythingButItsOwnCustomersOnAnyRoute() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey p = partner(cloud, "partner-p");
            NewAccessKey c = customer(cloud, p, "cust-c");
            NewAccessKey q = partner(cloud, "partner-q");
            NewAccessKey d = customer(cloud, q, "cust-d");
            NewAccessKey t = cloud.tenant("direct-t");
            String instance = cloud.launch(d);
            cloud.awaitState(d, instance, "running");
            String dKey = "d-secret-key";
            assertThat(cloud.call(d, "POST", "/api/v1/key-pairs", "{\"keyName\":\"" + dKey + "\"}").status()).isEqualTo(201);
            String dUser = cloud.call(d, "POST", "/api/v1/accounts/" + d.accountId() + "/users",
                    "{\"email\":\"d@example.com\",\"password\":\"d-long-password\"}").json().path("userId").asText();
            String volume = cloud.call(d, "POST", "/api/v1/volumes", "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}").json()
                    .path("volumeId").asText();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cloud.call(d, "GET", "/api/v1/volumes/" + volume, null).json().path("state").asText().equals("available"));
            String snapshot = cloud.call(d, "POST", "/api/v1/snapshots", "{\"volumeId\":\"" + volume + "\"}").json().path("snapshotId").asText();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> cloud.call(d, "GET", "/api/v1/snapshots/" + snapshot, null).json().path("state").asText().equals("completed"));
            String dGroup = cloud.call(d, "GET", "/api/v1/instances/" + instance + "/security-groups", null).json().get(0).path("groupId").asText();
            List<String> foreignIds = List.of(instance, d.accountId(), q.accountId(), t.accountId(), dKey, volume, dUser, snapshot, dGroup);
            List<String> checked = new ArrayList<>();

            for (Route r : cloud.api.routes()) {
                String path = path(cloud, r, d, instance, dKey, dUser, volume).replace("{snapshotId}", snapshot).replace("{groupId}", dGroup);
                String body = r.operationId().equals("createSnapshot") ? "{\"volumeId\":\"" + volume + "\"}" : body(cloud, r, instance);
                TestCloud.Reply reply = cloud.call(p, r.method().name(), path, body);
                String what = r.method() + " " + r.path() + " -> " + reply.status() + " " + reply.json();
                if (r.adminOnly()) {
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
                    // Every other account outside P's reach is not found either: Q, a direct tenant, the operator.
                    for (String other : List.of(q.accountId(), t.accountId(), cloud.admin.accountId())) {
                        TestCloud.Reply again = cloud.call(p, r.method().name(), r.path().replace("{accountId}", other), body(cloud, r, instance));
                        assertThat(again.code()).as(r.path() + " with " + other + " -> " + again.json()).isEqualTo("InvalidAccountID.NotFound");
                    }
                } else if (r.path().contains("{imageId}")) {
                    // The public system image: P may read it and copy it into an image of P's, never change it.
                    assertThat(reply.status()).as(what).isIn(r.method() == HandlerType.GET || r.operationId().equals("copyImage")
                            ? List.of(200, 201, 403) : List.of(400, 403));
                    assertThat(reply.json().toString()).as(what).doesNotContain(instance).doesNotContain(d.accountId());
                } else if (r.operationId().equals("importImage") || r.operationId().equals("uploadImage")) {
                    assertThat(reply.status()).as(what).isEqualTo(400);
                } else {
                    // Lists, the catalogue, P's own launches and its partner routes: allowed, and nothing of D's shows.
                    assertThat(reply.status()).as(what).isBetween(200, 201);
                    String json = reply.json().toString();
                    foreignIds.forEach(id -> assertThat(json).as(what).doesNotContain(id));
                }
                // Any route that takes another account as a query parameter does not take one outside P's reach.
                if (!r.adminOnly() && r.query().stream().anyMatch(x -> x.name().equals("account"))) {
                    for (String other : List.of(d.accountId(), q.accountId(), t.accountId(), cloud.admin.accountId())) {
                        TestCloud.Reply again = cloud.call(p, r.method().name(), path + (path.contains("?") ? "&" : "?") + "account=" + other,
                                body(cloud, r, instance));
                        assertThat(again.code()).as(r.path() + "?account=" + other + " -> " + again.json()).isEqualTo("InvalidAccountID.NotFound");
                    }
                }
                checked.add(r.operationId());
            }
            assertThat(checked).hasSameSizeAs(cloud.api.routes());
            assertThat(cloud.state(d, instance)).isEqualTo("running");
            assertThat(cloud.call(d, "GET", "/api/v1/key-pairs/" + dKey, null).status()).isEqualTo(200);
            JsonNode dVolume = cloud.call(d, "GET", "/api/v1/volumes/" + volume, null).json();
            assertThat(dVolume.path("state").asText()).isEqualTo("available");
            assertThat(dVolume.path("sizeGib").asInt()).isEqualTo(1);
            assertThat(cloud.call(d, "GET", "/api/v1/accounts/" + d.accountId(), null).json().path("enabled").asBoolean()).isTrue();

            // Its own customer P does see and manage.
            assertThat(cloud.call(p, "GET", "/api/v1/accounts/" + c.accountId(), null).json().path("partnerId").asText()).isEqualTo(p.accountId());
            assertThat(cloud.call(p, "GET", "/api/v1/partner/customers", null).json().findValuesAsText("accountId")).contains(c.accountId())
                    .doesNotContain(d.accountId());
            assertThat(cloud.call(p, "GET", "/api/v1/accounts/" + c.accountId() + "/access-keys", null).status()).isEqualTo(200);
            assertThat(cloud.call(p, "GET", "/api/v1/accounts/" + c.accountId() + "/quotas", null).status()).isEqualTo(200);
            assertThat(cloud.call(p, "GET", "/api/v1/billing/invoices?account=" + c.accountId(), null).status()).isEqualTo(200);
            assertThat(cloud.call(p, "GET", "/api/v1/billing/invoices/inv-" + c.accountId() + "-" + MONTH, null).json().path("issuer").asText())
                    .isEqualTo(p.accountId());
            assertThat(cloud.call(p, "GET", "/api/v1/billing/usage?account=" + c.accountId(), null).status()).isEqualTo(200);
            assertThat(cloud.call(p, "PUT", "/api/v1/partner/customers/" + c.accountId() + "/quotas", "{\"instances\":7}").status()).isEqualTo(200);
            assertThat(cloud.call(p, "POST", "/api/v1/partner/customers/" + c.accountId() + "/disable", "{}").json().path("enabled").asBoolean())
                    .isFalse();
            assertThat(cloud.call(c, "GET", "/api/v1/instances", null).status()).isEqualTo(401);
        }
    }

    private static String path(TestCloud cloud, Route r, NewAccessKey d, String instance, String dKey, String dUser, String volume) {
        return r.path().replace("{instanceId}", instance).replace("{accountId}", d.accountId())
                .replace("{accessKeyId}", d.accessKeyId()).replace("{imageId}", cloud.imageId).replace("{name}", "t3.nano")
                .replace("{hostId}", cloud.agent.hostId().orElseThrow()).replace("{tokenId}", "njt-0")
                .replace("{keyName}", dKey).replace("{invoiceId}", "inv-" + d.accountId() + "-" + MONTH)
                .replace("{month}", "2020-01").replace("{userId}", dUser).replace("{volumeId}", volume);
    }

    private static String body(TestCloud cloud, Route r, String instance) {
        if (r.method() == HandlerType.GET) {
            return null;
        }
        return switch (r.operationId()) {
            case "runInstances" -> "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\"}";
            case "putInstanceType" -> "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1}";
            case "createAccount" -> "{\"name\":\"evil\"}";
            case "createCustomer" -> "{\"name\":\"p-extra\"}";
            case "createKeyPair" -> "{\"keyName\":\"p-key\"}";
            case "createUser" -> "{\"email\":\"p@example.com\",\"password\":\"p-long-password\"}";
            case "importKeyPair" -> "{\"keyName\":\"p-imported\",\"publicKeyMaterial\":\"" + IsolationTest.PUBLIC_KEY + "\"}";
            case "createVolume" -> "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}";
            case "attachVolume" -> "{\"instanceId\":\"" + instance + "\",\"device\":\"/dev/sdg\"}";
            case "modifyVolume" -> "{\"sizeGib\":2}";
            case "setCustomerQuotas", "setQuotas" -> "{\"instances\":1000}";
            case "setPartnerQuotaDefaults" -> "{\"vcpus\":100}";
            case "setPartnerPrice" -> "{\"usageType\":\"instance\",\"sku\":\"t3.nano\",\"price\":\"0.01\"}";
            case "setPartnerMarkup" -> "{\"percent\":\"10\"}";
            case "setBudget" -> "{\"amount\":\"100\"}";
            case "modifyInstanceType" -> "{\"instanceType\":\"t3.micro\"}";
            case "putInstanceTags" -> "{\"tags\":{\"owner\":\"p\"}}";
            case "createImage" -> "{\"name\":\"p-image\"}";
            case "putInstanceSecurityGroups" -> "{\"securityGroupIds\":[\"sg-0123456789abcdef0\"]}";
            case "copyImage" -> "{\"name\":\"p-copy\"}";
            case "createSecurityGroup" -> "{\"groupName\":\"p-group\",\"description\":\"p's\"}";
            case "authorizeIngress", "revokeIngress" -> "{\"protocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,\"cidr\":\"0.0.0.0/0\"}";
            default -> "{}";
        };
    }
}
