package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real VMs: the all-in-one server with the QEMU driver (TCG here), the default image, and the
 * OpenSSH client. Nothing in this path is simulated.
 */
class QemuVmTest {
    static ServerProcess server;
    static Path key;
    static Path otherKey;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("nubo-qemu-e2e");
        server = new ServerProcess(work.resolve("data")).start();
        ServerProcess.Reply k = server.call("POST", "/key-pairs", "{\"keyName\":\"e2e\",\"keyType\":\"ed25519\"}");
        assertThat(k.status()).isEqualTo(201);
        key = work.resolve("e2e.pem");
        Files.writeString(key, k.json().path("keyMaterial").asText());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        // A small type, so that the few VMs of these tests fit on a 2-core host.
        assertThat(server.call("PUT", "/instance-types/e2e.tiny", "{\"vcpus\":1,\"memoryMib\":128,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
        otherKey = work.resolve("other");
        assertThat(new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString()).start().waitFor()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            for (JsonNode i : server.call("GET", "/instances?limit=1000", null).json().path("instances")) {
                server.call("POST", "/instances/" + i.path("instanceId").asText() + "/terminate", null);
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> instanceDirs().isEmpty());
            server.close();
        }
    }

    static String launch(String userData) throws Exception {
        String body = "{\"imageId\":\"" + image() + "\",\"instanceType\":\"e2e.tiny\",\"keyName\":\"e2e\""
                + (userData == null ? "" : ",\"userData\":\"" + Base64.getEncoder().encodeToString(userData.getBytes()) + "\"") + "}";
        ServerProcess.Reply r = server.call("POST", "/instances", body);
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    static String image() throws Exception {
        return server.call("GET", "/images", null).json().get(0).path("imageId").asText();
    }

    static JsonNode instance(String id) throws Exception {
        return server.call("GET", "/instances/" + id, null).json();
    }

    static String console(String id) throws Exception {
        return server.call("GET", "/instances/" + id + "/console", null).json().path("output").asText();
    }

    static void awaitState(String id, String state) {
        await().atMost(Duration.ofMinutes(2)).until(() -> instance(id).path("state").path("name").asText(), state::equals);
    }

    /** Waits for the n-th boot of the guest to print its READY marker. */
    static void awaitReady(String id, int boots) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> console(id).split("NUBO-GUEST-READY " + id, -1).length - 1 >= boots);
    }

    static int sshPort(String id) throws Exception {
        return instance(id).path("ssh").path("port").asInt();
    }

    static Path dir(String id) {
        return server.dataDir.resolve("instances").resolve(id);
    }

    static long qemuPid(String id) throws Exception {
        return Long.parseLong(Files.readString(dir(id).resolve("qemu.pid")).trim());
    }

    /** Every live process whose command line names this instance's QEMU. */
    static List<Long> qemuProcesses(String id) {
        return ProcessHandle.allProcesses().filter(p -> alive(p.pid()) && p.info().arguments().map(a -> String.join(" ", a)).orElse("")
                .contains("guest=" + id)).map(ProcessHandle::pid).toList();
    }

    /** Alive and not a zombie waiting to be reaped (this machine's init reaps slowly). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static void terminate(String... ids) throws Exception {
        for (String id : ids) {
            server.call("POST", "/instances/" + id + "/terminate", null);
        }
        for (String id : ids) {
            awaitState(id, "terminated");
        }
    }

    static List<Path> instanceDirs() throws Exception {
        Path d = server.dataDir.resolve("instances");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    @Test
    void aVmBootsRunsItsUserDataAndLetsInOnlyItsKey() throws Exception {
        String id = launch("#!/bin/sh\necho hello > /root/hello\n");
        awaitState(id, "running");
        awaitReady(id, 1);
        int port = sshPort(id);
        assertThat(port).isPositive();
        Ssh.Result hello = Ssh.run(key, port, "cat /root/hello");
        assertThat(hello.exit()).as(hello.out()).isZero();
        assertThat(hello.out()).isEqualTo("hello");
        Ssh.Result refused = Ssh.run(otherKey, port, "true");
        assertThat(refused.exit()).isNotZero();
        assertThat(Files.readAllLines(dir(id).resolve("cmdline"))).contains("-sandbox", "-daemonize").anyMatch(a -> a.contains("vnc.sock"));
        assertThat(dir(id).resolve("vnc.sock")).exists();
        terminate(id);
    }

    @Test
    void filesSurviveAGracefulStopAndStartAndTerminateRemovesEverything() throws Exception {
        String id = launch(null);
        awaitState(id, "running");
        awaitReady(id, 1);
        assertThat(Ssh.run(key, sshPort(id), "echo kept > /root/file && sync").exit()).isZero();
        long pid = qemuPid(id);

        assertThat(server.call("POST", "/instances/" + id + "/stop", null).status()).isEqualTo(200);
        awaitState(id, "stopped");
        assertThat(console(id)).contains("NUBO-GUEST-SHUTDOWN " + id).contains("NUBO-GUEST-SHUTDOWN-COMPLETE");
        assertThat(alive(pid)).isFalse();

        assertThat(server.call("POST", "/instances/" + id + "/start", null).status()).isEqualTo(200);
        awaitState(id, "running");
        awaitReady(id, 2);
        assertThat(Ssh.run(key, sshPort(id), "cat /root/file").out()).isEqualTo("kept");

        long second = qemuPid(id);
        server.call("POST", "/instances/" + id + "/terminate", null);
        awaitState(id, "terminated");
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(dir(id)));
        assertThat(alive(second)).isFalse();
        assertThat(qemuProcesses(id)).isEmpty();
    }

    @Test
    void aRebootRestartsTheGuestInTheSameQemu() throws Exception {
        String id = launch(null);
        awaitState(id, "running");
        awaitReady(id, 1);
        long pid = qemuPid(id);
        assertThat(server.call("POST", "/instances/" + id + "/reboot", null).status()).isEqualTo(200);
        awaitReady(id, 2);
        assertThat(qemuPid(id)).isEqualTo(pid);
        assertThat(instance(id).path("state").path("name").asText()).isEqualTo("running");
        terminate(id);
    }

    @Test
    void aGuestThatPowersItselfOffIsStoppedWithEc2sReason() throws Exception {
        String id = launch(null);
        awaitState(id, "running");
        awaitReady(id, 1);
        Ssh.run(key, sshPort(id), "poweroff");
        awaitState(id, "stopped");
        assertThat(instance(id).path("stateReason").asText()).startsWith("Client.InstanceInitiatedShutdown");
        assertThat(qemuProcesses(id)).isEmpty();
        terminate(id);
    }

    @Test
    void vmsKeepRunningThroughAServerCrashAndAreAdoptedNotDuplicated() throws Exception {
        String counter = "#!/bin/sh\n(i=0; while :; do i=$((i+1)); echo $i > /root/counter; sleep 1; done) >/dev/null 2>&1 &\n";
        String a = launch(counter);
        String b = launch(counter);
        for (String id : List.of(a, b)) {
            awaitState(id, "running");
            awaitReady(id, 1);
        }
        long pidA = qemuPid(a);
        long pidB = qemuPid(b);
        int countA = Integer.parseInt(Ssh.run(key, sshPort(a), "cat /root/counter").out());
        int countB = Integer.parseInt(Ssh.run(key, sshPort(b), "cat /root/counter").out());

        server.crash();
        assertThat(alive(pidA)).isTrue();
        assertThat(alive(pidB)).isTrue();
        server.start();

        for (String id : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> instance(id).path("state").path("name").asText().equals("running"));
        }
        assertThat(qemuProcesses(a)).containsExactly(pidA);
        assertThat(qemuProcesses(b)).containsExactly(pidB);
        // The counters kept counting: neither guest rebooted.
        assertThat(Integer.parseInt(Ssh.run(key, sshPort(a), "cat /root/counter").out())).isGreaterThan(countA);
        assertThat(Integer.parseInt(Ssh.run(key, sshPort(b), "cat /root/counter").out())).isGreaterThan(countB);
        assertThat(console(a).split("NUBO-GUEST-READY " + a, -1).length - 1).isEqualTo(1);
        terminate(a, b);
    }

    @Test
    void aQemuKilledFromOutsideMakesTheInstanceStoppedWithTheReason() throws Exception {
        String id = launch(null);
        awaitState(id, "running");
        long pid = qemuPid(id);
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        awaitState(id, "stopped");
        assertThat(instance(id).path("stateReason").asText()).startsWith("Server.InternalError");
        JsonNode events = server.call("GET", "/instances/" + id + "/events", null).json().path("events");
        Optional<JsonNode> stopped = java.util.stream.StreamSupport.stream(events.spliterator(), false)
                .filter(e -> e.path("to").asText().equals("stopped")).findFirst();
        assertThat(stopped).isPresent();
        assertThat(stopped.get().path("cause").asText()).contains("exited unexpectedly");
        terminate(id);
    }
}
