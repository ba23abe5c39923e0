package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    void aTerminatedHaInstancesRootDiskGoesFromTheSharedPoolAndALiveOnesStays() throws Exception {
        NewAccessKey t = cloud.tenant("ha-sweep");
        String gone = launchHa(t);
        String kept = launchHa(t);
        cloud.awaitState(t, gone, "running");
        cloud.awaitState(t, kept, "running");
        Path shared = null;
        for (JsonNode p : cloud.call(cloud.admin, "GET", "/api/v1/storage-pools", null).json()) {
            if (p.path("kind").asText().equals("shared")) {
                shared = Path.of(p.path("path").asText());
            }
        }
        assertThat(shared).isNotNull();
        // The QEMU driver's layout; the fake driver writes no disks.
        Path instances = shared.resolve("instances");
        for (String id : List.of(gone, kept, "not-an-instance")) {
            Files.createDirectories(instances.resolve(id));
            Files.writeString(instances.resolve(id).resolve("disk.qcow2"), "disk of " + id);
        }

        assertThat(cloud.call(t, "POST", "/api/v1/instances/" + gone + "/terminate", null).status()).isEqualTo(200);
        cloud.awaitState(t, gone, "terminated");
        cloud.cp.sharedRootDisks().sweep();
        assertThat(instances.resolve(gone)).doesNotExist();
        assertThat(instances.resolve(kept).resolve("disk.qcow2")).hasContent("disk of " + kept);
        assertThat(instances.resolve("not-an-instance")).exists();
        // Settled before the next test, which compares the database before and after a refusal.
        cloud.call(t, "POST", "/api/v1/instances/" + kept + "/terminate", null);
        cloud.awaitState(t, kept, "terminated");
    }

    private static String launchHa(NewAccessKey t) {
        TestCloud.Reply r = cloud.call(t, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":true}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    @Test
    void anHaInstanceWithNoOtherHostToGoToIsRefusedAndTheRefusalChangesNothing() {
        NewAccessKey t = cloud.tenant("ha-migrate");
        TestCloud.Reply r = cloud.call(t, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"ha\":true}");
        String id = r.json().path("instances").get(0).path("instanceId").asText();
        cloud.awaitState(t, id, "running");
        String before = cloud.snapshot();
        TestCloud.Reply refused = cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/migrate", "{}");
        // EC2 answers a lack of capacity as a server-side error, 500, with this code.
        assertThat(refused.status()).isEqualTo(500);
        assertThat(refused.code()).isEqualTo("InsufficientInstanceCapacity");
        assertThat(cloud.snapshot()).isEqualTo(before);
    }
}
