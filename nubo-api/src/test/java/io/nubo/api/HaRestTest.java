package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST side of HA: the launch option, the instance view, and what is refused. */
class HaRestTest {
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
    void anInstanceIsHaWhenLaunchedSoAndNotByDefault() {
        NewAccessKey t = cloud.tenant("ha-launcher");
        TestCloud.Reply r = cloud.call(t, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":true}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode launched = r.json().path("instances").get(0);
        assertThat(launched.path("ha").asBoolean()).isTrue();
        String id = launched.path("instanceId").asText();
        assertThat(cloud.call(t, "GET", "/api/v1/instances/" + id, null).json().path("ha").asBoolean()).isTrue();

        String plain = cloud.launch(t);
        assertThat(cloud.call(t, "GET", "/api/v1/instances/" + plain, null).json().path("ha").isBoolean()).isTrue();
        assertThat(cloud.call(t, "GET", "/api/v1/instances/" + plain, null).json().path("ha").asBoolean()).isFalse();
    }

    @Test
    void aMalformedHaOptionIsRefusedAndLaunchesNothing() {
        NewAccessKey t = cloud.tenant("ha-bad");
        String before = cloud.snapshot();
        TestCloud.Reply r = cloud.call(t, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":\"yes\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void anHaInstanceIsNotLiveMigratedAndTheRefusalChangesNothing() {
        NewAccessKey t = cloud.tenant("ha-migrate");
        TestCloud.Reply r = cloud.call(t, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":true}");
        String id = r.json().path("instances").get(0).path("instanceId").asText();
        cloud.awaitState(t, id, "running");
        String before = cloud.snapshot();
        TestCloud.Reply refused = cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo("UnsupportedOperation");
        assertThat(cloud.snapshot()).isEqualTo(before);
    }
}
