package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A second host: `nubo agent` in its own process joins `nubo up` over HTTP with a join token, runs
 * instances, survives its own SIGKILL, and is shut out once its credentials are revoked. Uses the
 * fake driver: this is about the agent protocol, not about QEMU (QemuVmTest covers that).
 */
class RemoteAgentTest {
    @TempDir
    Path tmp;

    @Test
    void anAgentJoinsWithATokenRunsInstancesSurvivesSigkillAndIsShutOutWhenRevoked() throws Exception {
        // The local host is small, so that the spread scheduler puts the instances on the remote one.
        try (ServerProcess server = new ServerProcess(tmp.resolve("server"), "--driver", "fake", "--fake-boot-ms", "200",
                "--fake-vcpus", "1", "--fake-memory-mib", "1024").start()) {
            String[] agentArgs = {"--server", server.url(), "--name", "host-b", "--driver", "fake", "--fake-vcpus", "64",
                    "--fake-memory-mib", "65536", "--fake-boot-ms", "200"};

            // A wrong token joins nothing.
            try (AgentProcess bad = new AgentProcess(tmp.resolve("bad"), agentArgs)) {
                bad.start("--join-token", "njt-0123456789abcdef0.not-the-secret");
                assertThat(bad.exitCode()).isEqualTo(1);
                assertThat(bad.output()).contains("AuthFailure");
            }
            assertThat(hosts(server)).hasSize(1);

            ServerProcess.Reply token = server.call("POST", "/host-join-tokens", "{\"ttlSeconds\":600}");
            assertThat(token.status()).isEqualTo(201);
            String secretToken = token.json().path("token").asText();
            assertThat(secretToken).startsWith(token.json().path("id").asText() + ".");
            assertThat(server.call("GET", "/host-join-tokens", null).json().toString()).doesNotContain(secretToken);

            try (AgentProcess agent = new AgentProcess(tmp.resolve("agent"), agentArgs)) {
                agent.start("--join-token", secretToken);
                // The server registers the host while it answers the join; the agent saves its identity after the answer.
                await().atMost(Duration.ofMinutes(2)).until(() -> agent.output().contains("is calling"));
                assertThat(hosts(server)).hasSize(2);
                String hostB = hostNamed(server, "host-b").path("hostId").asText();
                Path identity = agent.dataDir.resolve("agent-identity");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity))).isEqualTo("rw-------");
                String credential = Files.readAllLines(identity).stream().filter(l -> l.startsWith("credential=")).findFirst().orElseThrow()
                        .substring("credential=".length());
                assertThat(agent.output()).doesNotContain(credential).doesNotContain(secretToken);
                assertThat(server.output()).doesNotContain(credential).doesNotContain(secretToken);

                String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
                ServerProcess.Reply run = server.call("POST", "/instances",
                        "{\"imageId\":\"" + image + "\",\"instanceType\":\"t3.nano\",\"count\":4,\"name\":\"remote\"}");
                assertThat(run.status()).isEqualTo(201);
                List<String> ids = new ArrayList<>();
                run.json().path("instances").forEach(i -> ids.add(i.path("instanceId").asText()));
                await().atMost(Duration.ofMinutes(1)).until(() -> ids.stream().allMatch(id -> "running".equals(state(server, id))));
                for (String id : ids) {
                    assertThat(server.call("GET", "/instances/" + id, null).json().path("hostId").asText()).isEqualTo(hostB);
                }

                // SIGKILL the agent; its VMs (simulated, kept in its data dir) outlive it, and a restart
                // without a token calls in as the same host and goes on acting on the desired state.
                agent.crash();
                agent.start();
                await().atMost(Duration.ofMinutes(1)).until(() -> agent.output().contains("is calling"));
                assertThat(hosts(server)).hasSize(2);
                assertThat(ids).allMatch(id -> "running".equals(state(server, id)));
                assertThat(server.call("POST", "/instances/" + ids.get(0) + "/stop", "{}").status()).isEqualTo(200);
                await().atMost(Duration.ofMinutes(1)).until(() -> "stopped".equals(state(server, ids.get(0))));

                for (String id : ids) {
                    assertThat(server.call("POST", "/instances/" + id + "/terminate", "{}").status()).isEqualTo(200);
                }
                await().atMost(Duration.ofMinutes(1)).until(() -> ids.stream().allMatch(id -> "terminated".equals(state(server, id))));
                JsonNode b = hostNamed(server, "host-b");
                assertThat(b.path("allocated").path("vcpus").asInt()).isZero();

                // Revoked: the running agent's next call is refused.
                ServerProcess.Reply revoked = server.call("POST", "/hosts/" + hostB + "/revoke-credentials", "{}");
                assertThat(revoked.status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.output().contains("AuthFailure"));
            }

            // A revoked token enrols nobody.
            server.call("POST", "/host-join-tokens/" + token.json().path("id").asText() + "/revoke", "{}");
            try (AgentProcess late = new AgentProcess(tmp.resolve("late"), "--server", server.url(), "--name", "host-c",
                    "--driver", "fake")) {
                late.start("--join-token", secretToken);
                assertThat(late.exitCode()).isEqualTo(1);
                assertThat(late.output()).contains("AuthFailure");
            }
            assertThat(hosts(server)).hasSize(2);
        }
    }

    private static List<JsonNode> hosts(ServerProcess server) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        server.call("GET", "/hosts", null).json().forEach(out::add);
        return out;
    }

    private static JsonNode hostNamed(ServerProcess server, String name) throws Exception {
        return hosts(server).stream().filter(h -> h.path("name").asText().equals(name)).findFirst().orElse(null);
    }

    private static String state(ServerProcess server, String id) {
        try {
            return server.call("GET", "/instances/" + id, null).json().path("state").path("name").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
