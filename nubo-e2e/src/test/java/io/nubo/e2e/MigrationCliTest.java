package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nubo.server.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's live-migration commands against a real server and a second agent process (fake
 * driver: this is about the CLI and the protocol between processes; LiveMigrationTest moves real
 * VMs): {@code instances migrate --to --wait}, {@code instances show}, {@code hosts drain},
 * {@code hosts show} and {@code hosts enable}, and a refusal's message.
 */
class MigrationCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    @Test
    void anOperatorMigratesAnInstanceAndDrainsAHostFromTheCommandLine() throws Exception {
        try (ServerProcess server = new ServerProcess(tmp.resolve("server"), "--driver", "fake", "--fake-boot-ms", "200").start()) {
            String token = server.call("POST", "/host-join-tokens", "{\"ttlSeconds\":600}").json().path("token").asText();
            try (AgentProcess agent = new AgentProcess(tmp.resolve("host-b"), "--server", server.url(), "--name", "host-b", "--driver", "fake",
                    "--fake-boot-ms", "200")) {
                agent.start("--join-token", token);
                await().atMost(Duration.ofMinutes(2)).until(() -> agent.output().contains("is calling"));
                String hostB = hostId(server, "host-b");
                String local = otherHost(server, hostB);
                nubo(server, "hosts", "disable", hostB);
                Result run = nubo(server, "instances", "run", "--type", "t3.nano", "--count", "2", "--wait", "--output", "json");
                assertThat(run.code()).as(run.err()).isZero();
                List<String> ids = new ArrayList<>();
                JSON.readTree(run.out()).path("instances").forEach(i -> ids.add(i.path("instanceId").asText()));
                nubo(server, "hosts", "enable", hostB);

                // One instance, to a named host, followed to the end.
                Result migrate = nubo(server, "instances", "migrate", ids.get(0), "--to", "host-b", "--wait");
                assertThat(migrate.code()).as(migrate.out() + migrate.err()).isZero();
                assertThat(migrate.out()).contains("completed").contains(ids.get(0)).contains(local + " -> " + hostB);
                Result show = nubo(server, "instances", "show", ids.get(0), "--output", "json");
                JsonNode shown = JSON.readTree(show.out());
                assertThat(shown.path("hostId").asText()).isEqualTo(hostB);
                assertThat(shown.path("migration").path("state").asText()).isEqualTo("completed");

                // A refusal says why and changes nothing.
                Result refused = nubo(server, "instances", "migrate", ids.get(0), "--to", "host-b");
                assertThat(refused.code()).isNotZero();
                assertThat(refused.err()).contains("InvalidParameterValue").contains("own host");

                // Drain the local host: the other instance moves too, and the host ends in maintenance.
                Result drain = nubo(server, "hosts", "drain", local);
                assertThat(drain.code()).as(drain.err()).isZero();
                assertThat(drain.out()).contains("draining");
                await().atMost(Duration.ofMinutes(1)).until(() -> JSON.readTree(nubo(server, "hosts", "show", local, "--output", "json").out())
                        .path("state").asText().equals("maintenance"));
                JsonNode host = JSON.readTree(nubo(server, "hosts", "show", local, "--output", "json").out());
                assertThat(host.path("drain").path("migrations")).hasSize(1);
                assertThat(host.path("drain").path("left")).isEmpty();
                assertThat(JSON.readTree(nubo(server, "instances", "show", ids.get(1), "--output", "json").out()).path("hostId").asText())
                        .isEqualTo(hostB);
                assertThat(nubo(server, "hosts", "enable", local).out()).contains(" is up");
            }
        }
    }

    private static Result nubo(ServerProcess server, String... args) {
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

    private static String hostId(ServerProcess server, String name) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (h.path("name").asText().equals(name)) {
                return h.path("hostId").asText();
            }
        }
        throw new AssertionError("no host " + name);
    }

    private static String otherHost(ServerProcess server, String hostId) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (!h.path("hostId").asText().equals(hostId)) {
                return h.path("hostId").asText();
            }
        }
        throw new AssertionError("one host only");
    }
}
