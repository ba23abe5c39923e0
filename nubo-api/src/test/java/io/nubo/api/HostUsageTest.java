package io.nubo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A host's capacity as operators read it: total, allocated (stopped instances keep their claim) and used (only VMs that exist). */
class HostUsageTest {
    @Test
    void aStoppedInstanceStaysAllocatedButUsesNothingAndATerminatedOneNeither() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey t = cloud.tenant("usage");
            String host = cloud.agent.hostId().orElseThrow();
            String running = cloud.launch(t);
            String stopped = cloud.launch(t);
            cloud.awaitState(t, running, "running");
            cloud.awaitState(t, stopped, "running");
            int vcpus = cloud.call(t, "GET", "/api/v1/instances/" + running, null).json().path("vcpus").asInt();
            int memory = cloud.call(t, "GET", "/api/v1/instances/" + running, null).json().path("memoryMib").asInt();
            assertThat(cloud.call(t, "POST", "/api/v1/instances/" + stopped + "/stop", null).status()).isEqualTo(200);
            cloud.awaitState(t, stopped, "stopped");

            JsonNode h = cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + host, null).json();
            assertThat(h.path("allocated").path("vcpus").asInt()).isEqualTo(2 * vcpus);
            assertThat(h.path("used").path("vcpus").asInt()).isEqualTo(vcpus);
            assertThat(h.path("used").path("memoryMib").asInt()).isEqualTo(memory);
            assertThat(h.path("capacity").path("vcpus").asInt()).isGreaterThanOrEqualTo(h.path("used").path("vcpus").asInt());
            JsonNode listed = cloud.call(cloud.admin, "GET", "/api/v1/hosts", null).json().get(0);
            assertThat(listed.path("used")).isEqualTo(h.path("used"));

            assertThat(cloud.call(t, "POST", "/api/v1/instances/" + running + "/terminate", null).status()).isEqualTo(200);
            cloud.awaitState(t, running, "terminated");
            JsonNode after = cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + host, null).json();
            assertThat(after.path("used").path("vcpus").asInt()).isZero();
            assertThat(after.path("allocated").path("vcpus").asInt()).isEqualTo(vcpus);
            // Tenants see no hosts at all.
            assertThat(cloud.call(t, "GET", "/api/v1/hosts/" + host, null).status()).isEqualTo(403);
        }
    }
}
