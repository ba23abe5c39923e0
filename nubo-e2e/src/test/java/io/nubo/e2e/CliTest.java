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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The nubo CLI against a real server process, reading the key from the data dir's credentials file. */
class CliTest {
    static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = new ServerProcess(Files.createTempDirectory("nubo-cli-test").resolve("data"), "--driver", "fake",
                "--fake-boot-ms", "200").start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
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
    void launchListStopAndTerminateFromTheCommandLine() throws Exception {
        Result run = nubo("instances", "run", "--count", "2", "--name", "cli", "--type", "t3.nano", "--user-data", "echo hi", "--wait");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("ID", "STATE").contains("running");
        assertThat(run.err()).contains("running");

        Result list = nubo("instances", "list", "--name", "cli", "-o", "json");
        assertThat(list.code()).isZero();
        JsonNode instances = new ObjectMapper().readTree(list.out()).path("instances");
        assertThat(instances).hasSize(2);
        String id = instances.get(0).path("instanceId").asText();

        Result stop = nubo("instances", "stop", id, "--wait");
        assertThat(stop.code()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("stopped");
        Result again = nubo("instances", "stop", id);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).startsWith("error: IncorrectInstanceState:");

        Result show = nubo("instances", "show", id, "-o", "json");
        assertThat(new ObjectMapper().readTree(show.out()).path("state").path("name").asText()).isEqualTo("stopped");
        assertThat(nubo("instances", "terminate", id, "--wait").out()).contains("terminated");
        assertThat(nubo("instances", "start", id).err()).contains("IncorrectInstanceState");
    }

    @Test
    void catalogueHostsAndAccounts() {
        assertThat(nubo("types", "list").out()).contains("t3.nano", "m5.4xlarge", "0.005200");
        assertThat(nubo("images", "list").out()).contains("nubo-default");
        assertThat(nubo("hosts", "list").out()).contains("fake", "up", "nubo-1a");
        Result created = nubo("accounts", "create", "acme-cli");
        assertThat(created.code()).isZero();
        assertThat(created.out()).contains("secret access key:");
        assertThat(nubo("accounts", "list").out()).contains("acme-cli", "member");
        assertThat(nubo("accounts", "create", "acme-cli").err()).contains("InvalidAccountName.Duplicate");
    }

    @Test
    void keyPairsAreCreatedWithTheirPrivateKeySavedPrivately() throws Exception {
        Result created = nubo("keys", "create", "cli-key");
        assertThat(created.code()).as(created.err()).isZero();
        Path pem = server.dataDir.resolve("keys/cli-key.pem");
        assertThat(Files.readString(pem)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pem))).isEqualTo("rw-------");
        assertThat(nubo("keys", "list").out()).contains("cli-key", "ed25519");
        Result run = nubo("instances", "run", "--key-name", "cli-key", "--type", "t3.nano", "--wait", "-o", "json");
        assertThat(run.code()).as(run.err()).isZero();
        String id = new ObjectMapper().readTree(run.out()).path("instances").get(0).path("instanceId").asText();
        assertThat(nubo("instances", "console", id).out()).contains("NUBO-GUEST-READY " + id);
        assertThat(nubo("keys", "create", "cli-key").err()).contains("InvalidKeyPair.Duplicate");
        assertThat(nubo("keys", "delete", "cli-key").code()).isZero();
        assertThat(nubo("keys", "delete", "cli-key").err()).contains("InvalidKeyPair.NotFound");
    }

    @Test
    void errorsAreClearAndExitNonZero() {
        Result wrong = nubo("instances", "show", "i-0123456789abcdef0");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("InvalidInstanceID.NotFound");
        Result badKey = nubo("instances", "list", "--access-key", "NKAAAAAAAAAAAAAAAAAA", "--secret-key", "x");
        assertThat(badKey.code()).isEqualTo(1);
        assertThat(badKey.err()).contains("AuthFailure");
        Path empty = server.dataDir.resolveSibling("nothing-here");
        PrintStream err = System.err;
        int code = new CommandLine(new Main()).execute("instances", "list", "--endpoint", "http://127.0.0.1:1", "--data-dir", empty.toString(),
                "--access-key", "a", "--secret-key", "b");
        System.setErr(err);
        assertThat(code).isEqualTo(1);
    }
}
