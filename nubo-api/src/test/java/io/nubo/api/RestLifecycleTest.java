package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RestLifecycleTest {
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
    void anInstanceGoesThroughItsWholeLifeAndEveryStepIsAnEvent() {
        var admin = cloud.admin;
        String id = cloud.launch(admin);
        assertThat(cloud.state(admin, id)).isIn("pending", "running");
        cloud.awaitState(admin, id, "running");

        TestCloud.Reply stop = cloud.call(admin, "POST", "/api/v1/instances/" + id + "/stop", null);
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.json().path("state").path("name").asText()).isEqualTo("stopping");
        cloud.awaitState(admin, id, "stopped");

        assertThat(cloud.call(admin, "POST", "/api/v1/instances/" + id + "/start", "{}").status()).isEqualTo(200);
        cloud.awaitState(admin, id, "running");

        assertThat(cloud.call(admin, "POST", "/api/v1/instances/" + id + "/reboot", null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> cloud.hypervisor.reboots(id) == 1);

        TestCloud.Reply term = cloud.call(admin, "POST", "/api/v1/instances/" + id + "/terminate", null);
        assertThat(term.json().path("state").path("name").asText()).isEqualTo("shutting-down");
        cloud.awaitState(admin, id, "terminated");
        assertThat(cloud.hypervisor.list()).doesNotContainKey(id);

        List<String> transitions = new ArrayList<>();
        for (JsonNode e : cloud.call(admin, "GET", "/api/v1/instances/" + id + "/events", null).json().path("events")) {
            if (e.path("type").asText().equals("instance.state")) {
                transitions.add(e.path("to").asText());
            }
        }
        assertThat(transitions).containsExactly("pending", "running", "stopping", "stopped", "pending", "running",
                "shutting-down", "terminated");
        // Terminated instances stay visible, as on EC2.
        assertThat(cloud.call(admin, "GET", "/api/v1/instances?state=terminated", null).json().path("instances").toString()).contains(id);
    }

    @Test
    void aForcedStopSkipsTheGracefulShutdown() {
        var admin = cloud.admin;
        String id = cloud.launch(admin);
        cloud.awaitState(admin, id, "running");
        TestCloud.Reply r = cloud.call(admin, "POST", "/api/v1/instances/" + id + "/stop", "{\"force\":true}");
        assertThat(r.status()).isEqualTo(200);
        cloud.awaitState(admin, id, "stopped");
    }

    @Test
    void listingFiltersAndPagesWithoutLosingOrRepeatingAnything() {
        var tenant = cloud.tenant("lister");
        Set<String> launched = new HashSet<>();
        TestCloud.Reply r = cloud.call(tenant, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"count\":5,\"name\":\"web-1\"}");
        assertThat(r.status()).isEqualTo(201);
        r.json().path("instances").forEach(i -> launched.add(i.path("instanceId").asText()));
        cloud.launch(tenant);
        assertThat(launched).hasSize(5);

        Set<String> paged = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            TestCloud.Reply page = cloud.call(tenant, "GET", "/api/v1/instances?name=web-*&limit=2" + (token == null ? "" : "&nextToken=" + token), null);
            assertThat(page.status()).isEqualTo(200);
            page.json().path("instances").forEach(i -> assertThat(paged.add(i.path("instanceId").asText())).isTrue());
            token = page.json().path("nextToken").isTextual() ? page.json().path("nextToken").asText() : null;
            pages++;
        } while (token != null);
        assertThat(paged).isEqualTo(launched);
        assertThat(pages).isEqualTo(3);

        assertThat(cloud.call(tenant, "GET", "/api/v1/instances?type=m5.large", null).json().path("instances")).isEmpty();
        assertThat(cloud.call(tenant, "GET", "/api/v1/instances?type=t3.nano&state=pending,running", null).json().path("instances"))
                .hasSize(6);
        String one = launched.iterator().next();
        assertThat(cloud.call(tenant, "GET", "/api/v1/instances?id=" + one, null).json().path("instances")).hasSize(1);
    }

    @Test
    void healthIsGreenOnceDatabaseApiAndAgentAreUp() {
        TestCloud.Reply h = cloud.raw(null, "GET", "/healthz", null);
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.json().path("agent").asText()).isEqualTo("up");
        assertThat(h.json().path("database").asText()).isEqualTo("up");
    }

    @Test
    void metricsCountRequestsPerRouteAndInstancesPerState() {
        cloud.launch(cloud.admin);
        String metrics = cloud.raw(null, "GET", "/metrics", null).json().asText();
        assertThat(metrics).contains("nubo_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/instances\",status=\"201\"}");
        assertThat(metrics).containsPattern("nubo_instances\\{state=\"(pending|running)\"} [1-9]");
        assertThat(metrics).contains("nubo_host_capacity{host=\"test-host\"");
        assertThat(metrics).doesNotContain(cloud.admin.secretAccessKey());
    }

    @Test
    void typesAndImagesAreListedAndTheAdminCanEditTheCatalogue() {
        JsonNode types = cloud.call(cloud.admin, "GET", "/api/v1/instance-types", null).json();
        assertThat(types.toString()).contains("\"t3.nano\"", "\"m5.4xlarge\"");
        JsonNode nano = cloud.call(cloud.admin, "GET", "/api/v1/instance-types/t3.nano", null).json();
        assertThat(nano.path("vcpus").asInt()).isEqualTo(2);
        assertThat(nano.path("memoryMib").asInt()).isEqualTo(512);
        TestCloud.Reply put = cloud.call(cloud.admin, "PUT", "/api/v1/instance-types/c9.tiny",
                "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instance-types/c9.tiny", null).json().path("memoryMib").asInt()).isEqualTo(128);
        assertThat(put.json().path("requiresAccelerator").isTextual()).as("no requirement unless asked").isFalse();
        // A type may require hosts that run guests with KVM; the test cloud's fake host does not, so no host serves it.
        assertThat(cloud.call(cloud.admin, "PUT", "/api/v1/instance-types/c9.kvm",
                "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000,\"requiresAccelerator\":\"kvm\"}").status()).isEqualTo(200);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instance-types/c9.kvm", null).json().path("requiresAccelerator").asText()).isEqualTo("kvm");
        TestCloud.Reply unserved = cloud.call(cloud.admin, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"c9.kvm\"}");
        assertThat(unserved.status()).isEqualTo(400);
        assertThat(unserved.code()).isEqualTo("Unsupported");
        // Hosts show the architecture they run (the fake driver: x86_64) and their accelerator.
        JsonNode host = cloud.call(cloud.admin, "GET", "/api/v1/hosts", null).json().get(0);
        assertThat(host.path("architecture").asText()).isEqualTo("x86_64");
        assertThat(host.path("accelerator").asText()).isEqualTo("fake");
        JsonNode images = cloud.call(cloud.admin, "GET", "/api/v1/images", null).json();
        assertThat(images.get(0).path("imageId").asText()).isEqualTo(cloud.imageId);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/images/" + cloud.imageId, null).json().path("name").asText()).isEqualTo("nubo-default");
    }
}
