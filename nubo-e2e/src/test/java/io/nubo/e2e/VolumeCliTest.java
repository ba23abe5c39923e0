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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nubo volumes ...} against a real server process (fake driver), reading the key from the data dir's credentials file. */
class VolumeCliTest {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = new ServerProcess(Files.createTempDirectory("nubo-volume-cli").resolve("data"), "--driver", "fake",
                "--fake-boot-ms", "200").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
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

    static Result ok(String... args) {
        Result r = nubo(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
        return r;
    }

    @Test
    void createAttachGrowDetachAndDeleteFromTheCommandLine() throws Exception {
        String instance = ok("instances", "run", "--type", "t3.nano", "--wait", "-o", "json").json().path("instances").get(0)
                .path("instanceId").asText();

        JsonNode created = ok("volumes", "create", "--size", "1", "--name", "data", "--wait", "-o", "json").json();
        String id = created.path("volumeId").asText();
        assertThat(created.path("state").asText()).isEqualTo("available");
        assertThat(ok("volumes", "list").out()).contains(id, "available", "gp3", "data");

        Result attach = ok("volumes", "attach", id, instance, "--device", "/dev/sdf", "--wait", "-o", "json");
        assertThat(attach.json().path("attachments").get(0).path("state").asText()).isEqualTo("attached");
        assertThat(attach.err()).contains("attached");
        // The data volume, and the instance's own root volume at /dev/vda.
        List<String> devices = new java.util.ArrayList<>();
        ok("volumes", "list", "--instance", instance, "-o", "json").json().path("volumes")
                .forEach(v -> devices.add(v.path("attachments").path(0).path("device").asText()));
        assertThat(devices).containsExactlyInAnyOrder("/dev/vda", "/dev/sdf");

        Result inUse = nubo("volumes", "delete", id);
        assertThat(inUse.code()).isEqualTo(1);
        assertThat(inUse.err()).contains("VolumeInUse");

        JsonNode grown = ok("volumes", "grow", id, "--size", "2", "--wait", "-o", "json").json();
        assertThat(grown.path("sizeGib").asInt()).isEqualTo(2);
        assertThat(grown.path("modification").path("state").asText()).isEqualTo("completed");
        Result shrink = nubo("volumes", "grow", id, "--size", "1");
        assertThat(shrink.code()).isEqualTo(1);
        assertThat(shrink.err()).contains("InvalidParameterValue", "smaller");

        JsonNode detached = ok("volumes", "detach", id, "--wait", "-o", "json").json();
        assertThat(detached.path("state").asText()).isEqualTo("available");
        assertThat(ok("volumes", "show", id).out()).contains("state: available");

        Result deleted = ok("volumes", "delete", id, "--wait");
        assertThat(deleted.out()).contains(id, "deleted");
        Result gone = nubo("volumes", "show", id);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("InvalidVolume.NotFound");
        ok("instances", "terminate", instance, "--wait");
    }
}
