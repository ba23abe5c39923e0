package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CreateImage on real, running VMs (issue 5, acceptance 6): the all-in-one server with the QEMU
 * driver and the default image, driven by the real AWS CLI v2 ({@code /usr/bin/aws}) and the
 * OpenSSH client.
 * <ul>
 *   <li>{@code --no-reboot}: a file written (and synced) in the running guest is in the image,
 *       copied live by a block job; an instance launched from the image has it, and the image's
 *       file is a standalone qcow2 (no backing file);</li>
 *   <li>without it: the instance goes through stopping and stopped, comes back running, and the
 *       image boots;</li>
 *   <li>the server (with its agent) killed right after CreateImage: after a restart the copy is
 *       made or found, the image becomes available with all the data, and no scratch or staged
 *       file is left.</li>
 * </ul>
 */
class CreateImageQemuTest {
    static ServerProcess server;
    static Path work;
    static Path key;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Path.of("/usr/bin/aws")).as("Debian's awscli (v2) must be installed; ./nubo test installs it").exists();
        work = Files.createTempDirectory("nubo-create-image-e2e");
        server = new ServerProcess(work.resolve("data")).start();
        ServerProcess.Reply k = server.call("POST", "/key-pairs", "{\"keyName\":\"e2e\",\"keyType\":\"ed25519\"}");
        assertThat(k.status()).isEqualTo(201);
        key = work.resolve("e2e.pem");
        Files.writeString(key, k.json().path("keyMaterial").asText());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(server.call("PUT", "/instance-types/e2e.small", "{\"vcpus\":1,\"memoryMib\":256,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            if (!server.isAlive()) {
                server.start();
            }
            for (JsonNode i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                Path d = server.dataDir.resolve("instances");
                if (!Files.isDirectory(d)) {
                    return true;
                }
                try (Stream<Path> s = Files.list(d)) {
                    return s.findAny().isEmpty();
                }
            });
            server.close();
        }
        if (work != null) {
            io.nubo.store.testing.TempDirs.delete(work);
        }
    }

    /** Runs the AWS CLI with the server's profile; returns its text output, failing the test on a non-zero exit. */
    static String aws(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", server.url(), "--region", "nubo-1", "--output", "text"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", server.dataDir.resolve("credentials").toString());
        pb.environment().put("AWS_CONFIG_FILE", server.dataDir.resolve("config").toString());
        pb.environment().put("AWS_PROFILE", "nubo");
        pb.environment().put("AWS_PAGER", "");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("aws " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    static String launch(String imageId) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/instances", "{\"imageId\":\"" + imageId + "\",\"instanceType\":\"e2e.small\",\"keyName\":\"e2e\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    static String defaultImage() throws Exception {
        return server.call("GET", "/images", null).json().get(0).path("imageId").asText();
    }

    static JsonNode instance(String id) throws Exception {
        return server.call("GET", "/instances/" + id, null).json();
    }

    /** Waits until the instance runs and its guest has printed its boot marker {@code boots} times. */
    static void awaitReady(String id, long boots) {
        await().atMost(Duration.ofMinutes(3)).until(() -> instance(id).path("state").path("name").asText().equals("running"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String console = server.call("GET", "/instances/" + id + "/console", null).json().path("output").asText();
            return console.split("NUBO-GUEST-READY " + id, -1).length - 1 >= boots;
        });
    }

    static String run(String instance, String command) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
            Ssh.Result r = Ssh.run(key, instance(instance).path("ssh").path("port").asInt(), command);
            assertThat(r.exit()).as(command + ": " + r.out()).isZero();
            return r.out();
        }, out -> true);
    }

    static void awaitImageAvailable(String imageId) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String state = aws("ec2", "describe-images", "--image-ids", imageId, "--query", "Images[0].State");
            assertThat(state).as("the image must not fail").isNotEqualTo("failed");
            return state.equals("available");
        });
    }

    static List<String> instanceStates(String id) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : server.call("GET", "/instances/" + id + "/events?limit=1000", null).json().path("events")) {
            if (e.path("type").asText().equals("instance.state")) {
                out.add(e.path("to").asText());
            }
        }
        return out;
    }

    @Test
    void anImageTakenLiveWithNoRebootHasTheFileWrittenInTheGuestAndLaunches() throws Exception {
        String a = launch(defaultImage());
        awaitReady(a, 1);
        String marker = UUID.randomUUID().toString();
        run(a, "echo " + marker + " > /root/marker && sync");

        String image = aws("ec2", "create-image", "--instance-id", a, "--name", "e2e-live", "--description", "live copy", "--no-reboot",
                "--query", "ImageId");

        assertThat(image).matches("ami-[0-9a-f]{17}");
        awaitImageAvailable(image);
        assertThat(instanceStates(a)).as("never stopped").containsExactly("pending", "running");
        assertThat(server.output()).as("copied by a block job in the running VM").contains("snapshot " + image + " of root on " + a + " is whole");
        String owner = aws("ec2", "describe-images", "--image-ids", image, "--query", "Images[0].[Name,Public]");
        assertThat(owner).isEqualTo("e2e-live\tFalse");
        Path file = server.dataDir.resolve("pools").resolve("shared").resolve("images").resolve(image + ".qcow2");
        assertThat(file).isRegularFile();
        Process info = new ProcessBuilder("qemu-img", "info", "--output=json", "-U", file.toString()).redirectErrorStream(true).start();
        String json = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(info.waitFor()).isZero();
        assertThat(json).contains("\"format\": \"qcow2\"").doesNotContain("backing-filename");

        String b = launch(image);
        awaitReady(b, 1);
        assertThat(run(b, "cat /root/marker").trim()).isEqualTo(marker);
        assertThat(run(a, "cat /root/marker").trim()).as("the source instance kept running throughout").isEqualTo(marker);
    }

    @Test
    void anImageTakenWithoutNoRebootStopsAndRestartsTheInstanceAndBoots() throws Exception {
        String a = launch(defaultImage());
        awaitReady(a, 1);
        String marker = UUID.randomUUID().toString();
        run(a, "echo " + marker + " > /root/marker");

        String image = aws("ec2", "create-image", "--instance-id", a, "--name", "e2e-rebooted", "--query", "ImageId");

        awaitImageAvailable(image);
        awaitReady(a, 2);
        assertThat(instanceStates(a)).containsExactly("pending", "running", "stopping", "stopped", "pending", "running");
        String c = launch(image);
        awaitReady(c, 1);
        assertThat(run(c, "cat /root/marker").trim()).as("a clean shutdown wrote the file out").isEqualTo(marker);
    }

    @Test
    void aServerKilledWhileAnImageIsCopiedFinishesItAfterARestart() throws Exception {
        String a = launch(defaultImage());
        awaitReady(a, 1);
        String sum = run(a, "dd if=/dev/urandom of=/root/blob bs=1M count=64 2>/dev/null && sync && md5sum /root/blob").trim();

        String image = aws("ec2", "create-image", "--instance-id", a, "--name", "e2e-crash", "--no-reboot", "--query", "ImageId");
        server.crash();
        server.start();

        awaitImageAvailable(image);
        Path images = server.dataDir.resolve("pools").resolve("shared").resolve("images");
        assertThat(images.resolve(".work").resolve(image)).doesNotExist();
        assertThat(images.resolve(".uploads").resolve(image + ".src")).doesNotExist();
        assertThat(instanceStates(a)).as("the VM outlived its server").containsExactly("pending", "running");
        String b = launch(image);
        awaitReady(b, 1);
        assertThat(run(b, "md5sum /root/blob").trim()).isEqualTo(sum);
    }
}
