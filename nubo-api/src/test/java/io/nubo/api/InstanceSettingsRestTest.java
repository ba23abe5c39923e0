package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST routes the portal's volume and instance pages needed: zones, resize, tags and ingress rules; good and bad input. */
class InstanceSettingsRestTest {
    static TestCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    @Test
    void zonesAreListedForNewVolumes() {
        JsonNode zones = cloud.call(cloud.tenant("zones"), "GET", "/api/v1/availability-zones", null).json();
        assertThat(zones).hasSize(1);
        assertThat(zones.get(0).path("zoneName").asText()).isEqualTo("nubo-1a");
        assertThat(zones.get(0).path("zoneId").asText()).isEqualTo("nubo1-az1");
        assertThat(zones.get(0).path("regionName").asText()).isEqualTo("nubo-1");
    }

    @Test
    void aStoppedInstanceIsResizedAndARunningOneOrAnUnknownTypeIsRefusedWithoutChange() {
        NewAccessKey t = cloud.tenant("resizer");
        String id = cloud.launch(t);
        cloud.awaitState(t, id, "running");
        String path = "/api/v1/instances/" + id + "/modify";

        TestCloud.Reply running = cloud.call(t, "POST", path, "{\"instanceType\":\"t3.micro\"}");
        assertThat(running.status()).isEqualTo(400);
        assertThat(running.code()).isEqualTo("IncorrectInstanceState");
        assertThat(type(t, id)).isEqualTo("t3.nano");

        cloud.call(t, "POST", "/api/v1/instances/" + id + "/stop", "{\"force\":true}");
        cloud.awaitState(t, id, "stopped");
        assertThat(cloud.call(t, "POST", path, "{\"instanceType\":\"no.such\"}").code()).isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(t, "POST", path, "{}").code()).isEqualTo("MissingParameter");
        assertThat(type(t, id)).isEqualTo("t3.nano");

        TestCloud.Reply ok = cloud.call(t, "POST", path, "{\"instanceType\":\"t3.micro\"}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("instanceType").asText()).isEqualTo("t3.micro");
        assertThat(type(t, id)).isEqualTo("t3.micro");

        assertThat(cloud.call(cloud.tenant("stranger"), "POST", path, "{\"instanceType\":\"t3.nano\"}").code())
                .isEqualTo("InvalidInstanceID.NotFound");
        assertThat(type(t, id)).isEqualTo("t3.micro");
    }

    @Test
    void tagsAreReplacedAsAWholeAndBadTagsChangeNothing() {
        NewAccessKey t = cloud.tenant("tagger");
        String id = cloud.launch(t);
        String path = "/api/v1/instances/" + id + "/tags";
        assertThat(cloud.call(t, "PUT", path, "{\"tags\":{\"env\":\"prod\",\"team\":\"web\"}}").status()).isEqualTo(200);
        assertThat(cloud.call(t, "GET", path, null).json().toString()).isEqualTo("{\"env\":\"prod\",\"team\":\"web\"}");

        TestCloud.Reply replaced = cloud.call(t, "PUT", path, "{\"tags\":{\"env\":\"test\"}}");
        assertThat(replaced.json().toString()).isEqualTo("{\"env\":\"test\"}");

        TestCloud.Reply reserved = cloud.call(t, "PUT", path, "{\"tags\":{\"aws:owner\":\"x\"}}");
        assertThat(reserved.status()).isEqualTo(400);
        TestCloud.Reply tooLong = cloud.call(t, "PUT", path, "{\"tags\":{\"" + "k".repeat(129) + "\":\"x\"}}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.code()).isEqualTo("InvalidParameterValue");
        assertThat(cloud.call(t, "PUT", path, "{}").code()).isEqualTo("MissingParameter");
        assertThat(cloud.call(t, "GET", path, null).json().toString()).isEqualTo("{\"env\":\"test\"}");

        assertThat(cloud.call(t, "PUT", path, "{\"tags\":{}}").json().toString()).isEqualTo("{}");
        assertThat(cloud.call(cloud.tenant("peeker"), "GET", path, null).code()).isEqualTo("InvalidInstanceID.NotFound");
    }

    @Test
    void anInstancesGroupGainsAndLosesAnIngressRuleAndABadRuleIsRefused() {
        NewAccessKey t = cloud.tenant("firewaller");
        String id = cloud.launch(t);
        JsonNode groups = cloud.call(t, "GET", "/api/v1/instances/" + id + "/security-groups", null).json();
        assertThat(groups).hasSize(1);
        String group = groups.get(0).path("groupId").asText();
        assertThat(groups.get(0).path("groupName").asText()).isEqualTo("default");
        String rule = "{\"protocol\":\"tcp\",\"fromPort\":443,\"toPort\":443,\"cidr\":\"203.0.113.0/24\"}";

        TestCloud.Reply added = cloud.call(t, "POST", "/api/v1/security-groups/" + group + "/ingress", rule);
        assertThat(added.status()).as(added.json().toString()).isEqualTo(200);
        assertThat(added.json().path("ingress").toString()).contains("203.0.113.0/24").contains("443");

        TestCloud.Reply badCidr = cloud.call(t, "POST", "/api/v1/security-groups/" + group + "/ingress",
                "{\"protocol\":\"tcp\",\"fromPort\":22,\"toPort\":22,\"cidr\":\"300.1.2.3/8\"}");
        assertThat(badCidr.status()).isEqualTo(400);
        assertThat(cloud.call(t, "POST", "/api/v1/security-groups/" + group + "/ingress", "{\"protocol\":\"tcp\"}").code())
                .isEqualTo("MissingParameter");

        TestCloud.Reply removed = cloud.call(t, "POST", "/api/v1/security-groups/" + group + "/ingress/revoke", rule);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("ingress").toString()).doesNotContain("203.0.113.0/24").doesNotContain("300.1.2.3");

        assertThat(cloud.call(cloud.tenant("intruder"), "POST", "/api/v1/security-groups/" + group + "/ingress", rule).code())
                .isEqualTo("InvalidGroup.NotFound");
        assertThat(cloud.call(t, "GET", "/api/v1/instances/" + id + "/security-groups", null).json().get(0).path("ingress").toString())
                .doesNotContain("203.0.113.0/24");
    }

    @Test
    void anAccountListsCreatesAndDeletesItsSecurityGroupsAndBadRequestsChangeNothing() {
        NewAccessKey t = cloud.tenant("grouper");
        JsonNode before = cloud.call(t, "GET", "/api/v1/security-groups", null).json();
        assertThat(before).hasSize(1);
        assertThat(before.get(0).path("groupName").asText()).isEqualTo("default");

        TestCloud.Reply made = cloud.call(t, "POST", "/api/v1/security-groups", "{\"groupName\":\"web\",\"description\":\"web servers\"}");
        assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
        String web = made.json().path("groupId").asText();
        assertThat(made.json().path("ingress")).isEmpty();
        assertThat(cloud.call(t, "POST", "/api/v1/security-groups", "{\"groupName\":\"web\",\"description\":\"again\"}").code())
                .isEqualTo("InvalidGroup.Duplicate");
        assertThat(cloud.call(t, "POST", "/api/v1/security-groups", "{\"groupName\":\"db\"}").code()).isEqualTo("MissingParameter");
        assertThat(cloud.call(t, "GET", "/api/v1/security-groups", null).json()).hasSize(2);

        String defaultGroup = before.get(0).path("groupId").asText();
        TestCloud.Reply keepDefault = cloud.call(t, "DELETE", "/api/v1/security-groups/" + defaultGroup, null);
        assertThat(keepDefault.status()).isEqualTo(400);
        assertThat(cloud.call(cloud.tenant("deleter"), "DELETE", "/api/v1/security-groups/" + web, null).code()).isEqualTo("InvalidGroup.NotFound");
        assertThat(cloud.call(t, "GET", "/api/v1/security-groups", null).json()).hasSize(2);

        assertThat(cloud.call(t, "DELETE", "/api/v1/security-groups/" + web, null).json().path("deleted").asBoolean()).isTrue();
        assertThat(cloud.call(t, "GET", "/api/v1/security-groups", null).json().toString()).doesNotContain(web);
    }

    @Test
    void aLaunchTakesTheAccountsSecurityGroupsAndRefusesUnknownForeignOrMalformedOnesWithoutLaunching() {
        NewAccessKey t = cloud.tenant("launcher-groups");
        String web = cloud.call(t, "POST", "/api/v1/security-groups", "{\"groupName\":\"web\",\"description\":\"web\"}").json()
                .path("groupId").asText();
        String launch = "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"securityGroupIds\":%s}";

        TestCloud.Reply ok = cloud.call(t, "POST", "/api/v1/instances", launch.formatted("[\"" + web + "\"]"));
        assertThat(ok.status()).as(ok.json().toString()).isEqualTo(201);
        String id = ok.json().path("instances").get(0).path("instanceId").asText();
        JsonNode groups = cloud.call(t, "GET", "/api/v1/instances/" + id + "/security-groups", null).json();
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).path("groupId").asText()).isEqualTo(web);

        String foreign = cloud.call(cloud.tenant("other-groups"), "GET", "/api/v1/security-groups", null).json().get(0).path("groupId").asText();
        assertThat(cloud.call(t, "POST", "/api/v1/instances", launch.formatted("[\"" + foreign + "\"]")).code())
                .isEqualTo("InvalidGroup.NotFound");
        assertThat(cloud.call(t, "POST", "/api/v1/instances", launch.formatted("[\"sg-0123456789abcdef0\"]")).code())
                .isEqualTo("InvalidGroup.NotFound");
        assertThat(cloud.call(t, "POST", "/api/v1/instances", launch.formatted("[\"not-a-group\"]")).code())
                .isEqualTo("InvalidGroupId.Malformed");
        assertThat(cloud.call(t, "GET", "/api/v1/instances", null).json().path("instances")).hasSize(1);
    }

    private static String type(NewAccessKey t, String id) {
        return cloud.call(t, "GET", "/api/v1/instances/" + id, null).json().path("instanceType").asText();
    }
}
