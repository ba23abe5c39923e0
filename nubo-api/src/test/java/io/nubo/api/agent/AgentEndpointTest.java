package io.nubo.api.agent;

import io.nubo.agent.remote.ConsolePort;
import io.nubo.agent.remote.HttpAgentChannel;
import io.nubo.api.TestCloud;
import io.nubo.core.agent.ConsoleProtocol;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.PowerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent protocol over HTTP, driven by the real client, {@link HttpAgentChannel}. */
class AgentEndpointTest {
    private static final HostRegistration HOST_B = new HostRegistration("host-b", "fake", "fake", "nubo-1a", 8, 8192, 100);

    private static String token(TestCloud cloud) {
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/host-join-tokens", "{\"ttlSeconds\":60}");
        assertThat(r.status()).isEqualTo(201);
        return r.json().path("token").asText();
    }

    @Test
    void aJoinedHostFollowsItsDesiredStateAndReportsOverHttp() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            HttpAgentChannel.Joined joined = HttpAgentChannel.join(server, token(cloud), HOST_B);
            HttpAgentChannel channel = new HttpAgentChannel(server, joined.credential());
            assertThat(channel.register(HOST_B)).isEqualTo(joined.hostId());
            channel.heartbeat(joined.hostId());

            DesiredState empty = channel.awaitDesired(joined.hostId(), -1, Duration.ZERO);
            assertThat(empty.complete()).isTrue();
            assertThat(empty.instances()).isEmpty();

            // The local test host is full, so the launch lands on host-b; its delta arrives over the long-poll.
            assertThat(cloud.call(cloud.admin, "PUT", "/api/v1/hosts/" + cloud.agent.hostId().orElseThrow() + "/overcommit",
                    "{\"cpuRatio\":0.01,\"memoryRatio\":0.01}").status()).isEqualTo(200);
            String id = cloud.launch(cloud.admin);
            DesiredState delta = channel.awaitDesired(joined.hostId(), empty.version(), Duration.ofSeconds(10));
            assertThat(delta.complete()).isFalse();
            assertThat(delta.instances()).extracting(i -> i.instanceId()).containsExactly(id);

            channel.report(joined.hostId(), new HostReport(delta.version(), List.of(new ObservedInstance(id, PowerState.RUNNING, null)), false));
            assertThat(cloud.state(cloud.admin, id)).isEqualTo("running");
        }
    }

    @Test
    void anAgentGivenSeveralServersCallsTheNextWhenOneCannotBeReached() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI live = URI.create("http://127.0.0.1:" + cloud.api.port());
            URI gone = URI.create("http://127.0.0.1:" + closedPort());
            HttpAgentChannel.Joined joined = HttpAgentChannel.join(List.of(gone, live), token(cloud), HOST_B);
            HttpAgentChannel channel = new HttpAgentChannel(List.of(gone, live), joined.credential());
            assertThat(channel.register(HOST_B)).isEqualTo(joined.hostId());
            channel.heartbeat(joined.hostId());
            assertThat(channel.awaitDesired(joined.hostId(), -1, Duration.ZERO).complete()).isTrue();
            assertThat(cloud.call(cloud.admin, "GET", "/api/v1/hosts/" + joined.hostId(), null).json().path("state").asText()).isEqualTo("up");

            // A server that answers with a refusal is not skipped: the refusal is the answer.
            HttpAgentChannel wrong = new HttpAgentChannel(List.of(live, gone), "nhc-wrong");
            assertThatThrownBy(() -> wrong.heartbeat(joined.hostId())).isInstanceOf(HttpAgentChannel.RemoteCallException.class)
                    .hasMessageStartingWith("AuthFailure");
            // None reachable: the call fails, naming a server, and the agent's loop retries later.
            HttpAgentChannel none = new HttpAgentChannel(List.of(gone), joined.credential());
            assertThatThrownBy(() -> none.heartbeat(joined.hostId())).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("cannot reach the server at " + gone);
        }
    }

    @Test
    void aRemoteHostsConsolesAreReachedThroughThePortItsAgentAnnounced(@TempDir Path dir)
            throws Exception {
        byte[] key = new byte[ConsoleProtocol.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path vnc = dir.resolve("vnc.sock");
        try (TestCloud cloud = new TestCloud();
             ServerSocketChannel vncServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ConsolePort port = ConsolePort.open(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), key, new ConsolePort.Consoles() {
                         @Override
                         public Optional<Path> vncSocket(String instanceId) {
                             return Optional.of(vnc);
                         }

                         @Override
                         public Optional<byte[]> tail(String instanceId, int maxBytes) {
                             return Optional.of(("serial of " + instanceId + " on host-b\n").getBytes());
                         }
                     })) {
            vncServer.bind(UnixDomainSocketAddress.of(vnc));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = vncServer.accept()) {
                    c.write(ByteBuffer.wrap("RFB 003.008\n".getBytes()));
                } catch (IOException ignored) {
                    // the test ended
                }
            });
            var remote = cloud.cp.remoteConsoles();
            cloud.cp.compute().useConsoleAccess(remote::tail);
            cloud.cp.consoleTickets().useVncAccess(remote::vnc);
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            HttpAgentChannel.Joined joined = HttpAgentChannel.join(server, token(cloud), HOST_B);
            HttpAgentChannel channel = new HttpAgentChannel(server, joined.credential()).announcingConsole("127.0.0.1", port.port(), key);
            channel.register(HOST_B);

            // Announcements the server cannot use are refused, and the last good one stays.
            for (HttpAgentChannel bad : List.of(new HttpAgentChannel(server, joined.credential()).announcingConsole("not an address!", 4000, key),
                    new HttpAgentChannel(server, joined.credential()).announcingConsole("127.0.0.1", 0, key),
                    new HttpAgentChannel(server, joined.credential()).announcingConsole("127.0.0.1", 4000, new byte[4]))) {
                assertThatThrownBy(() -> bad.register(HOST_B)).hasMessageStartingWith("InvalidParameterValue");
            }

            assertThat(cloud.call(cloud.admin, "PUT", "/api/v1/hosts/" + cloud.agent.hostId().orElseThrow() + "/overcommit",
                    "{\"cpuRatio\":0.01,\"memoryRatio\":0.01}").status()).isEqualTo(200);
            DesiredState d = channel.awaitDesired(joined.hostId(), -1, Duration.ZERO);
            String id = cloud.launch(cloud.admin);
            // The launch reaches host-b as a delta on the long-poll.
            for (int polls = 0; polls < 5 && d.instances().stream().noneMatch(i -> i.instanceId().equals(id)); polls++) {
                d = channel.awaitDesired(joined.hostId(), d.version(), Duration.ofSeconds(10));
            }
            channel.report(joined.hostId(), new HostReport(d.version(), List.of(new ObservedInstance(id, PowerState.RUNNING, null)), false));
            assertThat(cloud.state(cloud.admin, id)).isEqualTo("running");

            TestCloud.Reply console = cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/console", null);
            assertThat(console.json().path("output").asText()).as(console.json().toString()).isEqualTo("serial of " + id + " on host-b\n");
            String ticket = cloud.call(cloud.admin, "POST", "/api/v1/instances/" + id + "/console-ticket", "{}").json().path("ticket").asText();
            try (SocketChannel ch = cloud.cp.consoleTickets().redeem(ticket, id).orElseThrow().open()) {
                assertThat(ConsoleProtocol.readLine(Channels.newInputStream(ch))).isEqualTo("RFB 003.008");
            }
        }
    }

    @Test
    void aRemoteHostAnnouncesWhereItMountsTheSharedPoolAndABadPathIsRefused() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            HttpAgentChannel.Joined joined = HttpAgentChannel.join(server, token(cloud), HOST_B);
            assertThatThrownBy(() -> new HttpAgentChannel(server, joined.credential()).announcingSharedMount("relative/dir").register(HOST_B))
                    .hasMessageStartingWith("InvalidParameterValue");
            assertThat(sharedMountOf(cloud, joined.hostId())).isEmpty();

            new HttpAgentChannel(server, joined.credential()).announcingSharedMount("/mnt/nubo-shared/").register(HOST_B);
            assertThat(sharedMountOf(cloud, joined.hostId())).contains("/mnt/nubo-shared");
        }
    }

    private static Optional<String> sharedMountOf(TestCloud cloud, String hostId) {
        for (var pool : cloud.call(cloud.admin, "GET", "/api/v1/storage-pools", null).json()) {
            if (pool.path("kind").asText().equals("shared")) {
                for (var mount : pool.path("hosts")) {
                    if (mount.path("hostId").asText().equals(hostId)) {
                        return Optional.of(mount.path("path").asText());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** A loopback port nothing listens on: one the system handed out, then closed. */
    private static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void badTokensCredentialsAndTenantKeysAreRefusedAndChangeNothing() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            URI server = URI.create("http://127.0.0.1:" + cloud.api.port());
            String token = token(cloud);
            NewAccessKey tenant = cloud.tenant("t");
            String snapshot = cloud.snapshot();
            assertThatThrownBy(() -> HttpAgentChannel.join(server, "njt-0123456789abcdef0.wrong", HOST_B))
                    .hasMessageStartingWith("AuthFailure");
            assertThatThrownBy(() -> HttpAgentChannel.join(server, "not-a-token", HOST_B)).hasMessageStartingWith("AuthFailure");
            String wrongSecret = token.substring(0, token.indexOf('.') + 1) + "x" + token.substring(token.indexOf('.') + 2);
            assertThatThrownBy(() -> HttpAgentChannel.join(server, wrongSecret, HOST_B)).hasMessageStartingWith("AuthFailure");
            // The local agent's host name is taken: a token lets a machine join, not take over a host.
            String localName = cloud.cp.hosts().all().get(0).name();
            assertThatThrownBy(() -> HttpAgentChannel.join(server, token,
                    new HostRegistration(localName, "fake", "fake", "nubo-1a", 8, 8192, 100))).hasMessageStartingWith("InvalidParameterValue");
            assertThat(cloud.cp.hosts().all()).hasSize(1);

            TestCloud.Reply asTenant = cloud.raw(cloud.bearer(tenant), "GET", "/agent/v1/desired?known=-1", null);
            assertThat(asTenant.status()).isEqualTo(401);
            assertThat(cloud.raw(null, "POST", "/agent/v1/heartbeat", "{}").status()).isEqualTo(401);
            assertThat(cloud.snapshot()).isEqualTo(snapshot);

            HttpAgentChannel.Joined joined = HttpAgentChannel.join(server, token, HOST_B);
            HttpAgentChannel channel = new HttpAgentChannel(server, joined.credential());
            // A credential speaks for its own host only.
            assertThatThrownBy(() -> channel.register(new HostRegistration("host-c", "fake", "fake", "nubo-1a", 8, 8192, 100)))
                    .hasMessageStartingWith("UnauthorizedOperation");
            TestCloud.Reply malformed = cloud.raw("Bearer " + joined.credential(), "POST", "/agent/v1/report", "{\"appliedVersion\":\"x\"}");
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(cloud.raw("Bearer " + joined.credential(), "GET", "/agent/v1/desired?known=abc", null).code())
                    .isEqualTo("InvalidParameterValue");

            cloud.call(cloud.admin, "POST", "/api/v1/hosts/" + joined.hostId() + "/revoke-credentials", "{}");
            assertThatThrownBy(() -> channel.heartbeat(joined.hostId())).hasMessageStartingWith("AuthFailure");
        }
    }
}
