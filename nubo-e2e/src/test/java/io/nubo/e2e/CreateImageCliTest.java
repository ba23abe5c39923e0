package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nubo.server.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code nubo instances create-image} and {@code nubo images copy} against a real server process (fake driver). */
class CreateImageCliTest {
    static ServerProcess server;
    static Path work;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-create-image-cli");
        server = new ServerProcess(work.resolve("data"), "--driver", "fake", "--fake-boot-ms", "100").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        io.nubo.store.testing.TempDirs.delete(work);
    }

    record Result(int code, String out, String err) {
    }

    static Result nubo(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", server.url(), "--data-dir", server.dataDir.toString()));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new Main()).execute(all.toArray(String[]::new));
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void anInstanceIsImagedAndTheImageCopiedFromTheCli() throws Exception {
        String defaultImage = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
        ServerProcess.Reply launched = server.call("POST", "/instances", "{\"imageId\":\"" + defaultImage + "\",\"instanceType\":\"t3.nano\"}");
        String instance = launched.json().path("instances").get(0).path("instanceId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.call("GET", "/instances/" + instance, null).json()
                .path("state").path("name").asText().equals("running"));

        Result made = nubo("instances", "create-image", instance, "--name", "cli-image", "--no-reboot", "--wait", "-o", "json");

        assertThat(made.code()).as(made.err()).isZero();
        JsonNode image = JSON.readTree(made.out());
        String id = image.path("imageId").asText();
        assertThat(id).matches("ami-[0-9a-f]{17}");
        assertThat(image.path("state").asText()).isEqualTo("available");
        assertThat(image.path("format").asText()).isEqualTo("qcow2");
        assertThat(made.err()).contains(id + ": available");

        Result copied = nubo("images", "copy", id, "--name", "cli-copy", "--wait");
        assertThat(copied.code()).as(copied.err()).isZero();
        String copy = copied.out().trim();
        assertThat(copy).matches("ami-[0-9a-f]{17}").isNotEqualTo(id);
        assertThat(nubo("images", "list").out()).contains(id, "cli-image", copy, "cli-copy");

        Result unknown = nubo("instances", "create-image", "i-0123456789abcdef0", "--name", "nowhere");
        assertThat(unknown.code()).isNotZero();
        assertThat(unknown.err()).contains("InvalidInstanceID.NotFound");
        Result duplicate = nubo("images", "copy", id, "--name", "cli-copy");
        assertThat(duplicate.code()).isNotZero();
        assertThat(duplicate.err()).contains("InvalidAMIName.Duplicate");
    }
}
