package io.nubo.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real AWS CLI v2 (/usr/bin/aws) drives a real server with real QEMU through the EC2 API. */
class AwsCliTest {
    @Test
    void theAwsCliRunsATenantsWholeWorkflow(@TempDir Path dir) throws Exception {
        assertThat(Path.of("/usr/bin/aws")).as("Debian's awscli (v2) must be installed; ./nubo test installs it").exists();
        try (ServerProcess server = new ServerProcess(dir.resolve("data")).start()) {
            assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status()).isEqualTo(200);
            assertThat(server.call("PUT", "/instance-types/e2e.small", "{\"vcpus\":1,\"memoryMib\":192,\"priceMicrosPerHour\":2000}").status()).isEqualTo(200);
            Path script = Path.of(getClass().getResource("/aws-cli-e2e.sh").toURI());
            Path log = dir.resolve("aws-cli-e2e.log");
            Process p = new ProcessBuilder("bash", script.toString(), server.url(), server.dataDir.toString(), dir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(15, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            // VMs outlive their server by design: whatever the script left (a failure halfway) is terminated here.
            for (var i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2))
                    .until(() -> isEmpty(server.dataDir.resolve("instances")));
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(done).as(out).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("AWS CLI E2E PASSED");
        }
    }

    private static boolean isEmpty(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
