package io.nubo.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A launch whose image file is corrupt or missing on the host fails clearly and is never left pending. */
class BadImageTest {
    @Test
    void aCorruptOrMissingImageFileTerminatesTheLaunchWithTheReason(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server = new ServerProcess(data).start()) {
            assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1}").status())
                    .isEqualTo(200);
            String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
            Path file = data.resolve("images/nubo-default.qcow2");
            // Replace the data dir's link (never the shared cached build) with garbage.
            Files.delete(file);
            Files.writeString(file, "this is not a disk image");

            String corrupt = launch(server, image);
            awaitTerminated(server, corrupt);
            assertThat(reason(server, corrupt)).startsWith("Server.InternalError").contains("not " + "qcow2");

            Files.delete(file);
            String missing = launch(server, image);
            awaitTerminated(server, missing);
            assertThat(reason(server, missing)).startsWith("Server.InternalError").contains("missing");

            assertThat(server.call("GET", "/hosts", null).json().get(0).path("allocated").path("vcpus").asInt()).isZero();
        }
    }

    private static String launch(ServerProcess server, String image) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/instances", "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.tiny\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    private static void awaitTerminated(ServerProcess server, String id) {
        await().atMost(Duration.ofMinutes(1)).until(() ->
                server.call("GET", "/instances/" + id, null).json().path("state").path("name").asText().equals("terminated"));
    }

    private static String reason(ServerProcess server, String id) throws Exception {
        return server.call("GET", "/instances/" + id, null).json().path("stateReason").asText();
    }
}
