package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 5's first acceptance test, with nothing simulated: the default image converted to VHD
 * by {@code qemu-img convert -O vpc}, served from a loopback HTTP server, registered with the
 * real AWS CLI (RegisterImage from the URL), launched on real QEMU; the guest boots to its
 * marker, and the instance's disk is a qcow2 overlay whose backing chain ends at the VHD.
 */
class VhdBootTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aVhdImportedAsItIsBootsAndTheRootDiskIsAnOverlayOnIt(@TempDir Path dir) throws Exception {
        try (ServerProcess server = new ServerProcess(dir.resolve("data")).start()) {
            List<String> launched = new ArrayList<>();
            HttpServer http = null;
            try {
                assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}")
                        .status()).isEqualTo(200);
                Path vhd = dir.resolve("default.vhd");
                run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "vpc",
                        server.dataDir.resolve("images/nubo-default.qcow2").toString(), vhd.toString()));
                http = serve(vhd);
                String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/default.vhd";

                String image = aws(server, dir, "ec2", "register-image", "--name", "default-as-vhd", "--image-location", url,
                        "--query", "ImageId", "--output", "text").strip();
                assertThat(image).matches("ami-[0-9a-f]{17}");
                aws(server, dir, "ec2", "wait", "image-available", "--image-ids", image);
                JsonNode described = JSON.readTree(aws(server, dir, "ec2", "describe-images", "--image-ids", image));
                assertThat(described.path("Images").get(0).path("State").asText()).isEqualTo("available");
                JsonNode rest = server.call("GET", "/images/" + image, null).json();
                assertThat(rest.path("format").asText()).as("stored as it is, not converted").isEqualTo("vpc");

                ServerProcess.Reply run = server.call("POST", "/instances", "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.tiny\"}");
                assertThat(run.status()).as(run.json().toString()).isEqualTo(201);
                String id = run.json().path("instances").get(0).path("instanceId").asText();
                launched.add(id);
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                        server.call("GET", "/instances/" + id + "/console", null).json().path("output").asText()
                                .contains("NUBO-GUEST-READY " + id));
                assertThat(server.call("GET", "/instances/" + id, null).json().path("state").path("name").asText()).isEqualTo("running");

                Path disk = server.dataDir.resolve("instances").resolve(id).resolve("disk.qcow2");
                JsonNode chain = JSON.readTree(run(List.of("qemu-img", "info", "-U", "--backing-chain", "--output=json", disk.toString())));
                assertThat(chain).hasSize(2);
                assertThat(chain.get(0).path("format").asText()).isEqualTo("qcow2");
                assertThat(chain.get(0).path("backing-filename-format").asText()).isEqualTo("vpc");
                assertThat(chain.get(1).path("format").asText()).as("the chain ends at the VHD").isEqualTo("vpc");
                assertThat(chain.get(1).has("backing-filename")).isFalse();
                Path base = Path.of(chain.get(1).path("filename").asText());
                assertThat(Files.isSameFile(base, server.dataDir.resolve("pools/shared/images/" + image + ".vpc")))
                        .as("the base is the imported VHD itself (a hard link in the image cache), not a copy").isTrue();
            } finally {
                // VMs outlive their server: terminate what this test launched, whatever happened.
                for (String id : launched) {
                    server.call("POST", "/instances/" + id + "/terminate", null);
                }
                for (String id : launched) {
                    await().atMost(Duration.ofMinutes(2)).until(() -> !Files.exists(server.dataDir.resolve("instances").resolve(id)));
                }
                if (http != null) {
                    http.stop(0);
                }
            }
        }
    }

    private static HttpServer serve(Path file) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/default.vhd", ex -> {
            try (ex) {
                ex.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = ex.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
        });
        http.start();
        return http;
    }

    /** The real AWS CLI v2 with the admin's credentials from the data dir. */
    private static String aws(ServerProcess server, Path dir, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", server.url(), "--region", "nubo-1"));
        argv.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true);
        Map<String, String> env = b.environment();
        env.put("AWS_SHARED_CREDENTIALS_FILE", server.dataDir.resolve("credentials").toString());
        env.put("AWS_CONFIG_FILE", dir.resolve("aws-config").toString());
        env.put("AWS_PROFILE", "nubo");
        env.put("AWS_PAGER", "");
        return run(b);
    }

    private static String run(List<String> argv) throws Exception {
        return run(new ProcessBuilder(argv).redirectErrorStream(true));
    }

    private static String run(ProcessBuilder b) throws Exception {
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", b.command()) + ": " + out).isZero();
        return out;
    }
}
