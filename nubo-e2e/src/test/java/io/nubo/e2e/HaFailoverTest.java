package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HA with real QEMU (issue 6, acceptance 4): the server with its in-process agent (host-a, which
 * never fences: it lives and dies with the only control plane) and a {@code nubo agent} process
 * (host-b) on its own data dir. HA instances launched on host-b run again on host-a when host-b's
 * agent is killed with SIGKILL, and when only its network to the server is cut while it lives; in
 * both cases host-b's QEMU is fenced before the restart, and no instance ever has two QEMUs.
 *
 * <p>host-b reaches the server at 127.0.0.2, an address nothing else here uses, so a firewall rule
 * on that address and port cuts exactly the agent's traffic and nothing of the test's own calls.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaFailoverTest {
    private static final Pattern FENCED = Pattern.compile("^(\\S+) fenced (i-[0-9a-f]+): killed QEMU pid (\\d+)", Pattern.MULTILINE);
    private static final String NFT_TABLE = "nubo_ha_test";

    static ServerProcess server;
    static AgentProcess remote;
    static Path work;
    static Path key;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-ha-e2e");
        server = new ServerProcess(work.resolve("server"), "--bind", "0.0.0.0").start();
        ServerProcess.Reply k = server.call("POST", "/key-pairs", "{\"keyName\":\"e2e\",\"keyType\":\"ed25519\"}");
        key = work.resolve("e2e.pem");
        Files.writeString(key, k.json().path("keyMaterial").asText());
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
        String token = server.call("POST", "/host-join-tokens", "{\"ttlSeconds\":600}").json().path("token").asText();
        remote = new AgentProcess(work.resolve("host-b"), "--server", "http://127.0.0.2:" + server.port, "--name", "host-b");
        remote.start("--join-token", token);
        await().atMost(Duration.ofMinutes(3)).until(() -> hostId("host-b") != null && "up".equals(host(hostId("host-b")).path("state").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        removeFirewallRule();
        if (server != null) {
            for (JsonNode i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
        }
        if (remote != null) {
            if (!remote.isAlive()) {
                remote.start();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> qemus(remote.dataDir).isEmpty() && qemus(server.dataDir).isEmpty());
            remote.close();
            // The watchdog outlives its agent by design; this test started it, so this test stops it, by its pid.
            watchdogPid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
        }
        if (server != null) {
            server.close();
            server.killVmsLeftBehind();
        }
    }

    @Test
    @Order(1)
    void aKilledAgentsHaInstanceRunsAgainOnTheOtherHostAfterItsQemuWasFencedWhileTheOtherInstanceStays() throws Exception {
        String b = hostId("host-b");
        String a = hostId("host-a") != null ? hostId("host-a") : otherHost(b);
        server.call("POST", "/hosts/" + a + "/disable", "{}");
        String ha = launch(true);
        String plain = launch(false);
        awaitRunningOn(ha, b, Duration.ofMinutes(3));
        awaitRunningOn(plain, b, Duration.ofMinutes(3));
        server.call("POST", "/hosts/" + a + "/enable", "{}");
        long haPid = pidOf(remote.dataDir, ha);
        long plainPid = pidOf(remote.dataDir, plain);
        assertThat(instance(ha).path("ha").asBoolean()).isTrue();
        assertThat(instance(plain).path("ha").asBoolean()).isFalse();
        assertThat(watchdogPid()).isPresent();
        // Its root disk is on the shared pool: what the guest wrote there is what it boots with on the other host.
        Path sharedDisk = server.dataDir.resolve("pools").resolve("shared").resolve("instances").resolve(ha).resolve("disk.qcow2");
        assertThat(sharedDisk).exists();
        assertThat(Files.readSymbolicLink(remote.dataDir.resolve("instances").resolve(ha).resolve("disk.qcow2"))).isEqualTo(sharedDisk);
        await().atMost(Duration.ofMinutes(2)).until(() -> Ssh.run(key, sshPort(ha), "echo written-on-host-b > /root/ha-proof && sync").exit() == 0);

        remote.crash();
        Instant leaseEnd = Instant.parse(host(b).path("leaseExpiresAt").asText());

        // Within 60 s of the lease's end (acceptance 4), the HA instance runs on host-a.
        Duration budget = Duration.between(Instant.now(), leaseEnd.plusSeconds(60));
        await().atMost(budget).pollInterval(Duration.ofMillis(250)).until(() -> a.equals(instance(ha).path("hostId").asText())
                && "running".equals(instance(ha).path("state").path("name").asText()));
        assertThat(host(b).path("state").asText()).isEqualTo("down");
        // host-b's QEMU was killed by the watchdog, before the server moved the instance.
        assertThat(ProcessHandle.of(haPid).filter(ProcessHandle::isAlive)).isEmpty();
        Instant fencedAt = fenceTime(ha, haPid);
        Instant movedAt = eventTime(ha, "instance.ha", "restarted on " + host(a).path("name").asText());
        assertThat(fencedAt).as("fenced at %s, moved at %s", fencedAt, movedAt).isBefore(movedAt);
        System.out.printf("HA after kill -9: lease ended %s; fenced %d ms before it; restarted on the other host %d ms after it "
                        + "(%d ms after the fence); running there %d ms after it%n", leaseEnd,
                Duration.between(fencedAt, leaseEnd).toMillis(), Duration.between(leaseEnd, movedAt).toMillis(),
                Duration.between(fencedAt, movedAt).toMillis(), Duration.between(leaseEnd, Instant.now()).toMillis());
        assertThat(Files.exists(remote.dataDir.resolve("instances").resolve(ha).resolve("fenced"))).isTrue();
        assertThat(qemusOf(ha)).hasSize(1);
        await().atMost(Duration.ofMinutes(2)).until(() -> Ssh.run(key, sshPort(ha), "cat /root/ha-proof").out().equals("written-on-host-b"));
        assertThat(Files.readSymbolicLink(server.dataDir.resolve("instances").resolve(ha).resolve("disk.qcow2"))).isEqualTo(sharedDisk);
        // The other instance is not HA: it stays on the down host, and its QEMU was left alone.
        assertThat(instance(plain).path("hostId").asText()).isEqualTo(b);
        assertThat(ProcessHandle.of(plainPid).filter(ProcessHandle::isAlive)).isPresent();
        assertThat(events(plain)).anyMatch(e -> e.contains("instance.ha") && e.contains("not HA"));

        // The agent comes back (a fresh registration returns the host): the moved instance's leftovers are
        // destroyed, never started there, and the other instance is adopted where it runs.
        remote.start();
        await().atMost(Duration.ofMinutes(2)).until(() -> "up".equals(host(b).path("state").asText()));
        await().atMost(Duration.ofMinutes(1)).until(() -> !Files.exists(remote.dataDir.resolve("instances").resolve(ha)));
        assertThat(qemusOf(ha)).hasSize(1);
        assertThat(ProcessHandle.of(plainPid).filter(ProcessHandle::isAlive)).isPresent();
        assertThat(instance(plain).path("state").path("name").asText()).isEqualTo("running");
        terminate(ha, plain);
        await().atMost(Duration.ofMinutes(1)).until(() -> !Files.exists(sharedDisk));
    }

    @Test
    @Order(2)
    void anAgentCutOffFromTheServerFencesItsOwnVmAndTheInstanceNeverHasTwoQemus() throws Exception {
        String b = hostId("host-b");
        String a = hostId("host-a") != null ? hostId("host-a") : otherHost(b);
        if (!remote.isAlive()) {
            remote.start();
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> "up".equals(host(b).path("state").asText()));
        server.call("POST", "/hosts/" + a + "/disable", "{}");
        String ha = launch(true);
        awaitRunningOn(ha, b, Duration.ofMinutes(3));
        server.call("POST", "/hosts/" + a + "/enable", "{}");
        long haPid = pidOf(remote.dataDir, ha);

        // Count the instance's QEMUs on both hosts, all along.
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                most.accumulateAndGet(qemusOf(ha).size(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            addFirewallRule();
            // The agent lives, cannot renew its lease, and kills its own VM (it, not the watchdog: both fence at
            // the same deadline; whichever is first, the VM is gone before the lease ends).
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ProcessHandle.of(haPid).filter(ProcessHandle::isAlive).isEmpty());
            assertThat(remote.isAlive()).isTrue();
            assertThat(instance(ha).path("hostId").asText()).as("fenced before the server moved it").isEqualTo(b);
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(() -> a.equals(instance(ha).path("hostId").asText())
                    && "running".equals(instance(ha).path("state").path("name").asText()));
            assertThat(host(b).path("state").asText()).isEqualTo("down");
            assertThat(remote.isAlive()).isTrue();
        } finally {
            removeFirewallRule();
        }
        // Back on the network, the agent drops the moved instance's leftovers and starts nothing; the host stays
        // down (heartbeats alone do not return it) until the operator enables it.
        await().atMost(Duration.ofMinutes(1)).until(() -> !Files.exists(remote.dataDir.resolve("instances").resolve(ha)));
        assertThat(host(b).path("state").asText()).isEqualTo("down");
        assertThat(server.call("POST", "/hosts/" + b + "/enable", "{}").json().path("host").path("state").asText()).isEqualTo("up");
        sampling.set(false);
        sampler.join();
        assertThat(most.get()).as("QEMUs of %s at once", ha).isEqualTo(1);
        assertThat(qemusOf(ha)).hasSize(1);
        assertThat(remote.output()).contains("lost its lease: fencing its HA instances");
        terminate(ha);
    }

    @Test
    @Order(3)
    void anHaInstanceLiveMigratesWithItsDiskStayingOnTheSharedPool() throws Exception {
        String b = hostId("host-b");
        String a = hostId("host-a") != null ? hostId("host-a") : otherHost(b);
        await().atMost(Duration.ofMinutes(2)).until(() -> "up".equals(host(b).path("state").asText()));
        server.call("POST", "/hosts/" + a + "/disable", "{}");
        String ha = launch(true);
        awaitRunningOn(ha, b, Duration.ofMinutes(3));
        server.call("POST", "/hosts/" + a + "/enable", "{}");
        Path sharedDisk = server.dataDir.resolve("pools").resolve("shared").resolve("instances").resolve(ha).resolve("disk.qcow2");
        await().atMost(Duration.ofMinutes(2)).until(() -> Ssh.run(key, sshPort(ha), "echo before-the-move > /root/moved && sync").exit() == 0);

        ServerProcess.Reply r = server.call("POST", "/instances/" + ha + "/migrate", "{\"toHost\":\"" + a + "\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(3)).until(() -> server.call("GET", "/instances/" + ha + "/migration", null).json()
                .path("state").asText(), s -> s.equals("completed") || s.equals("failed"));
        JsonNode m = server.call("GET", "/instances/" + ha + "/migration", null).json();
        assertThat(m.path("state").asText()).as(m.toString()).isEqualTo("completed");
        assertThat(instance(ha).path("hostId").asText()).isEqualTo(a);
        assertThat(instance(ha).path("state").path("name").asText()).isEqualTo("running");

        // The new host's VM runs from the same file on the shared pool, which the move left in place.
        assertThat(Files.readSymbolicLink(server.dataDir.resolve("instances").resolve(ha).resolve("disk.qcow2"))).isEqualTo(sharedDisk);
        assertThat(sharedDisk).exists();
        await().atMost(Duration.ofMinutes(1)).until(() -> Ssh.run(key, sshPort(ha), "cat /root/moved").out().equals("before-the-move"));
        await().atMost(Duration.ofMinutes(1)).until(() -> qemus(remote.dataDir).isEmpty());
        assertThat(qemusOf(ha)).hasSize(1);
        terminate(ha);
        await().atMost(Duration.ofMinutes(1)).until(() -> !Files.exists(sharedDisk));
    }

    // ---- helpers ----

    private static void addFirewallRule() throws Exception {
        run("nft", "add", "table", "inet", NFT_TABLE);
        run("nft", "add", "chain", "inet", NFT_TABLE, "out", "{ type filter hook output priority 0 ; }");
        run("nft", "add", "rule", "inet", NFT_TABLE, "out", "ip", "daddr", "127.0.0.2", "tcp", "dport", Integer.toString(server.port), "drop");
    }

    private static void removeFirewallRule() throws Exception {
        new ProcessBuilder("nft", "delete", "table", "inet", NFT_TABLE).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    private static String launch(boolean ha) throws Exception {
        String image = server.call("GET", "/images", null).json().get(0).path("imageId").asText();
        ServerProcess.Reply r = server.call("POST", "/instances",
                "{\"imageId\":\"" + image + "\",\"instanceType\":\"e2e.tiny\",\"keyName\":\"e2e\",\"ha\":" + ha + "}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    private static void awaitRunningOn(String id, String hostId, Duration within) {
        await().atMost(within).until(() -> hostId.equals(instance(id).path("hostId").asText())
                && "running".equals(instance(id).path("state").path("name").asText()));
    }

    private static long pidOf(Path dataDir, String id) throws IOException {
        return Long.parseLong(Files.readString(dataDir.resolve("instances").resolve(id).resolve("qemu.pid")).trim());
    }

    /** When host-b's watchdog killed this QEMU, from its log. */
    private static Instant fenceTime(String id, long pid) throws IOException {
        String log = Files.readString(remote.dataDir.resolve("agent").resolve("fence").resolve("watchdog.log"));
        Matcher m = FENCED.matcher(log);
        while (m.find()) {
            if (m.group(2).equals(id) && Long.parseLong(m.group(3)) == pid) {
                return Instant.parse(m.group(1));
            }
        }
        throw new AssertionError("the watchdog did not fence " + id + " (pid " + pid + "): " + log);
    }

    private static Instant eventTime(String id, String type, String causePart) throws Exception {
        for (JsonNode e : server.call("GET", "/instances/" + id + "/events?limit=1000", null).json().path("events")) {
            if (e.path("type").asText().equals(type) && e.path("cause").asText().contains(causePart)) {
                return Instant.parse(e.path("at").asText());
            }
        }
        throw new AssertionError("no " + type + " event of " + id + " saying '" + causePart + "': " + events(id));
    }

    private static java.util.Optional<Long> watchdogPid() {
        try {
            long pid = Long.parseLong(Files.readString(remote.dataDir.resolve("agent").resolve("fence").resolve("watchdog.pid")).trim());
            return ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains(remote.dataDir.toString())).map(p -> pid);
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    static JsonNode instance(String id) throws Exception {
        return server.call("GET", "/instances/" + id, null).json();
    }

    static int sshPort(String id) throws Exception {
        return instance(id).path("ssh").path("port").asInt();
    }

    static JsonNode host(String id) throws Exception {
        return server.call("GET", "/hosts/" + id, null).json();
    }

    static String hostId(String name) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (h.path("name").asText().equals(name)) {
                return h.path("hostId").asText();
            }
        }
        return null;
    }

    static String otherHost(String hostId) throws Exception {
        for (JsonNode h : server.call("GET", "/hosts", null).json()) {
            if (!h.path("hostId").asText().equals(hostId)) {
                return h.path("hostId").asText();
            }
        }
        throw new AssertionError("only one host");
    }

    static List<String> events(String id) throws Exception {
        List<String> out = new ArrayList<>();
        server.call("GET", "/instances/" + id + "/events?limit=1000", null).json().path("events")
                .forEach(e -> out.add(e.path("type").asText() + " " + e.path("cause").asText()));
        return out;
    }

    /** The live QEMUs of one instance on either host: by each host's pid file, while the pid's command line names that instance. */
    static List<Long> qemusOf(String id) {
        List<Long> out = new ArrayList<>();
        for (Path dataDir : List.of(server.dataDir, remote.dataDir)) {
            Path dir = dataDir.resolve("instances").resolve(id);
            try {
                long pid = Long.parseLong(Files.readString(dir.resolve("qemu.pid")).trim());
                if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> p.info().commandLine().orElse("")
                        .contains(dir + "/")).isPresent()) {
                    out.add(pid);
                }
            } catch (IOException | NumberFormatException e) {
                // no VM there
            }
        }
        // Any QEMU at all naming the instance, wherever its pid file is: there must be no other. A QEMU that is
        // daemonizing is briefly two processes, the launcher and its forked child, which writes the pid file; the
        // launcher exits within moments, so a QEMU without a pid file counts once it has lived for 2 s.
        Instant settled = Instant.now().minusSeconds(2);
        ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains("guest=" + id))
                .filter(p -> p.info().startInstant().map(t -> t.isBefore(settled)).orElse(true))
                .map(ProcessHandle::pid).filter(pid -> !out.contains(pid)).forEach(out::add);
        return out;
    }

    static List<Long> qemus(Path dataDir) {
        return LiveMigrationTest.qemus(dataDir);
    }

    static void terminate(String... ids) throws Exception {
        for (String id : ids) {
            server.call("POST", "/instances/" + id + "/terminate", null);
        }
        for (String id : ids) {
            await().atMost(Duration.ofMinutes(2)).until(() -> instance(id).path("state").path("name").asText(), "terminated"::equals);
        }
    }
}
