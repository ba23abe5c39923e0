package io.nubo.api.images;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** POST /instances/{id}/create-image and POST /images/{id}/copy (fake driver): pending, then available; refusals as problem JSON. */
class ImageCreationRestTest {
    static TestCloud cloud;
    static NewAccessKey tenant;
    static NewAccessKey other;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        tenant = cloud.tenant("rest-create-image");
        other = cloud.tenant("rest-create-image-other");
    }

    @AfterAll
    static void stop() {
        cloud.close();
    }

    static String awaitAvailable(NewAccessKey as, String id) {
        await().atMost(Duration.ofSeconds(60)).until(() -> cloud.call(as, "GET", "/api/v1/images/" + id, null).json()
                .path("state").asText().equals("available"));
        return id;
    }

    static void refused(int status, String code, NewAccessKey as, String path, String body) {
        String before = cloud.snapshot();
        TestCloud.Reply r = cloud.call(as, "POST", path, body);
        assertThat(r.status()).as(r.json().toString()).isEqualTo(status);
        assertThat(r.json().path("code").asText()).isEqualTo(code);
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void anInstanceIsImagedAndTheImageCopiedOverRest() {
        String instance = cloud.launch(tenant);
        await().atMost(Duration.ofSeconds(30)).until(() -> cloud.call(tenant, "GET", "/api/v1/instances/" + instance, null).json()
                .path("state").path("name").asText().equals("running"));

        TestCloud.Reply made = cloud.call(tenant, "POST", "/api/v1/instances/" + instance + "/create-image",
                "{\"name\":\"rest image\",\"description\":\"over REST\",\"noReboot\":true,\"tags\":{\"team\":\"a\"}}");

        assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
        assertThat(made.json().path("state").asText()).isEqualTo("pending");
        String image = awaitAvailable(tenant, made.json().path("imageId").asText());
        var view = cloud.call(tenant, "GET", "/api/v1/images/" + image, null).json();
        assertThat(view.path("format").asText()).isEqualTo("qcow2");
        assertThat(view.path("ownerId").asText()).isEqualTo(tenant.accountId());
        assertThat(view.path("virtualSizeBytes").asLong()).isPositive();

        TestCloud.Reply copied = cloud.call(tenant, "POST", "/api/v1/images/" + image + "/copy", "{\"name\":\"rest copy\",\"clientToken\":\"c1\"}");
        assertThat(copied.status()).as(copied.json().toString()).isEqualTo(201);
        awaitAvailable(tenant, copied.json().path("imageId").asText());

        refused(400, "InvalidAMIID.NotFound", other, "/api/v1/images/" + image + "/copy", "{\"name\":\"not mine\"}");
        refused(400, "InvalidInstanceID.NotFound", other, "/api/v1/instances/" + instance + "/create-image", "{\"name\":\"not mine\"}");
        refused(400, "MissingParameter", tenant, "/api/v1/instances/" + instance + "/create-image", "{\"noReboot\":true}");
        refused(400, "InvalidAMIName.Duplicate", tenant, "/api/v1/instances/" + instance + "/create-image",
                "{\"name\":\"rest image\",\"noReboot\":true}");
        cloud.call(tenant, "POST", "/api/v1/instances/" + instance + "/terminate", null);
    }
}
