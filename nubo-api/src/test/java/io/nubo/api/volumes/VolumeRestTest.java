package io.nubo.api.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The REST routes of volumes: the lifecycle, and bad bodies answered with problem JSON and nothing changed. */
class VolumeRestTest {
    @Test
    void volumesOverRest() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey t = cloud.tenant("rest-volumes");
            String instance = cloud.launch(t);
            cloud.awaitState(t, instance, "running");

            TestCloud.Reply created = cloud.call(t, "POST", "/api/v1/volumes",
                    "{\"sizeGib\":2,\"availabilityZone\":\"nubo-1a\",\"tags\":{\"Name\":\"db\"}}");
            assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
            assertThat(created.json().path("volumeType").asText()).isEqualTo("gp3");
            assertThat(created.json().path("tags").path("Name").asText()).isEqualTo("db");
            String id = created.json().path("volumeId").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> volume(cloud, t, id).path("state").asText().equals("available"));

            TestCloud.Reply attached = cloud.call(t, "POST", "/api/v1/volumes/" + id + "/attach",
                    "{\"instanceId\":\"" + instance + "\",\"device\":\"/dev/sdf\"}");
            assertThat(attached.status()).as(attached.json().toString()).isEqualTo(200);
            assertThat(attached.json().path("state").asText()).isEqualTo("attaching");
            await().atMost(Duration.ofSeconds(20)).until(() -> volume(cloud, t, id).path("attachments").path(0).path("state").asText()
                    .equals("attached"));
            // The instance has its root volume too.
            List<String> onInstance = new java.util.ArrayList<>();
            cloud.call(t, "GET", "/api/v1/volumes?instance=" + instance, null).json().path("volumes")
                    .forEach(v -> onInstance.add(v.path("volumeId").asText()));
            assertThat(onInstance).hasSize(2).contains(id);
            assertThat(cloud.call(t, "GET", "/api/v1/volumes?status=available", null).json().path("volumes")).isEmpty();

            TestCloud.Reply grown = cloud.call(t, "POST", "/api/v1/volumes/" + id + "/modify", "{\"sizeGib\":5}");
            assertThat(grown.json().path("sizeGib").asInt()).isEqualTo(5);
            assertThat(grown.json().path("modification").path("originalSizeGib").asInt()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(20)).until(() -> volume(cloud, t, id).path("modification").path("state").asText()
                    .equals("completed"));
            assertThat(cloud.hypervisor.volumes(instance)).containsEntry(id, 5L << 30);

            String before = cloud.snapshot();
            for (String[] bad : new String[][]{
                    {"POST", "/api/v1/volumes", "{\"sizeGib\":\"big\",\"availabilityZone\":\"nubo-1a\"}", "400"},
                    {"POST", "/api/v1/volumes", "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\",\"colour\":\"red\"}", "400"},
                    {"POST", "/api/v1/volumes", "{\"sizeGib\":1}", "MissingParameter"},
                    {"POST", "/api/v1/volumes", "{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\",\"multiAttach\":true}",
                            "InvalidParameterCombination"},
                    {"POST", "/api/v1/volumes/" + id + "/attach", "{\"device\":\"/dev/sdg\"}", "MissingParameter"},
                    {"POST", "/api/v1/volumes/" + id + "/modify", "{\"sizeGib\":1}", "InvalidParameterValue"},
                    {"DELETE", "/api/v1/volumes/" + id, null, "VolumeInUse"},
                    {"GET", "/api/v1/volumes/vol-xyz", null, "InvalidVolumeID.Malformed"},
                    {"GET", "/api/v1/volumes?limit=2", null, "InvalidParameterValue"},
                    {"GET", "/api/v1/volumes?colour=red", null, "UnknownParameter"}}) {
                TestCloud.Reply r = cloud.call(t, bad[0], bad[1], bad[2]);
                String what = bad[1] + " " + bad[2] + " -> " + r.status() + " " + r.json();
                assertThat(r.status()).as(what).isBetween(400, 499);
                if (!bad[3].equals("400")) {
                    assertThat(r.code()).as(what).isEqualTo(bad[3]);
                }
                assertThat(r.contentType()).as(what).startsWith("application/problem+json");
                assertThat(cloud.snapshot()).as(what).isEqualTo(before);
            }

            assertThat(cloud.call(t, "POST", "/api/v1/volumes/" + id + "/detach", "{}").json().path("state").asText()).isEqualTo("detaching");
            await().atMost(Duration.ofSeconds(20)).until(() -> volume(cloud, t, id).path("state").asText().equals("available"));
            TestCloud.Reply deleted = cloud.call(t, "DELETE", "/api/v1/volumes/" + id, null);
            assertThat(deleted.json().path("state").asText()).isEqualTo("deleting");
            await().atMost(Duration.ofSeconds(20)).until(() -> cloud.call(t, "GET", "/api/v1/volumes/" + id, null).code()
                    .equals("InvalidVolume.NotFound"));
        }
    }

    static JsonNode volume(TestCloud cloud, NewAccessKey t, String id) {
        return cloud.call(t, "GET", "/api/v1/volumes/" + id, null).json();
    }
}
