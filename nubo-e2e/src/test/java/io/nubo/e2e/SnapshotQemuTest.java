package io.nubo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.qemu.QmpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snapshots of volumes on real, running VMs (issue 5, acceptance 5 and 8 for snapshots): the
 * all-in-one server with the QEMU driver, the default image and the OpenSSH client. A snapshot of
 * an attached volume is a {@code blockdev-backup} block job in the VM's QEMU, taken while the guest
 * keeps writing; a volume made from it is checked in another VM and with the host's
 * {@code e2fsck -n}. The agent is killed (with its server) while a snapshot runs, and its block
 * job is cut off behind its back: after the restart, the snapshot completes and nothing is left
 * over, neither a scratch file nor a block job or node.
 */
class SnapshotQemuTest {
    static final long GIB = 1L << 30;
    static ServerProcess server;
    static Path key;
    static String a;
    static String b;

    @BeforeAll
    static void start() throws Exception {
        Path work = Files.createTempDirectory("nubo-snapshot-e2e");
        server = new ServerProcess(work.resolve("data")).start();
        ServerProcess.Reply k = server.call("POST", "/key-pairs", "{\"keyName\":\"e2e\",\"keyType\":\"ed25519\"}");
        assertThat(k.status()).isEqualTo(201);
        key = work.resolve("e2e.pem");
        Files.writeString(key, k.json().path("keyMaterial").asText());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertThat(server.call("PUT", "/instance-types/e2e.small", "{\"vcpus\":1,\"memoryMib\":256,\"priceMicrosPerHour\":1000}").status())
                .isEqualTo(200);
        a = launch();
        b = launch();
        for (String id : List.of(a, b)) {
            awaitReady(id, 1);
        }
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
    }

    static String launch() throws Exception {
        ServerProcess.Reply r = server.call("POST", "/instances", "{\"imageId\":\"" + server.call("GET", "/images", null).json().get(0)
                .path("imageId").asText() + "\",\"instanceType\":\"e2e.small\",\"keyName\":\"e2e\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("instances").get(0).path("instanceId").asText();
    }

    static void awaitReady(String id, long boots) {
        await().atMost(Duration.ofMinutes(3)).until(() -> instance(id).path("state").path("name").asText().equals("running"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String console = server.call("GET", "/instances/" + id + "/console", null).json().path("output").asText();
            return console.split("NUBO-GUEST-READY " + id, -1).length - 1 >= boots;
        });
    }

    static JsonNode instance(String id) throws Exception {
        return server.call("GET", "/instances/" + id, null).json();
    }

    static JsonNode volume(String id) throws Exception {
        return server.call("GET", "/volumes/" + id, null).json();
    }

    static JsonNode snapshot(String id) throws Exception {
        return server.call("GET", "/snapshots/" + id, null).json();
    }

    static String createVolume(String body) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/volumes", body);
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        String id = r.json().path("volumeId").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> volume(id).path("state").asText().equals("available"));
        return id;
    }

    static String createSnapshot(String volume) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/snapshots", "{\"volumeId\":\"" + volume + "\",\"description\":\"e2e\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
        return r.json().path("snapshotId").asText();
    }

    static void attach(String volume, String instance, String device) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/volumes/" + volume + "/attach", "{\"instanceId\":\"" + instance + "\",\"device\":\""
                + device + "\"}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> volume(volume).path("attachments").toString().contains("\"attached\""));
    }

    static void detach(String volume) throws Exception {
        ServerProcess.Reply r = server.call("POST", "/volumes/" + volume + "/detach", "{}");
        assertThat(r.status()).as(r.json().toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> volume(volume).path("state").asText().equals("available"));
    }

    static Ssh.Result ssh(String instance, String command) throws Exception {
        return Ssh.run(key, instance(instance).path("ssh").path("port").asInt(), command);
    }

    static String run(String instance, String command) throws Exception {
        Ssh.Result r = ssh(instance, command);
        assertThat(r.exit()).as(command + ": " + r.out()).isZero();
        return r.out();
    }

    /** The guest's name for a volume's disk, found by its serial, once the guest has it. */
    static String awaitDisk(String instance, String volume) {
        String serial = volume.replace("-", "");
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> run(instance, "for d in /sys/block/vd*; do [ \"$(cat $d/serial 2>/dev/null)\" = " + serial
                        + " ] && echo ${d##*/}; done; true").trim(), d -> !d.isEmpty());
    }

    static Path pool() {
        return server.dataDir.resolve("pools").resolve("shared");
    }

    static Path volumeFile(String volume) {
        return pool().resolve("volumes").resolve(volume + ".raw");
    }

    static Path snapshotFile(String snapshot) {
        return pool().resolve("snapshots").resolve(snapshot + ".raw");
    }

    static List<Path> scratchFiles() throws Exception {
        Path dir = pool().resolve("snapshots").resolve(".creating");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    static Ssh.Result host(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Ssh.Result(p.waitFor(), out);
    }

    @Test
    void aVolumeSnapshottedWhileItsVmWritesGivesAVolumeWithTheDataUpToThatPointAndACleanFileSystem() throws Exception {
        // Acceptance 5. An ext4 file system (with its journal) made on the host, filled by the guest.
        String v = createVolume("{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}");
        assertThat(host("mkfs.ext4", "-q", "-F", volumeFile(v).toString()).exit()).isZero();
        attach(v, a, "/dev/sdf");
        String disk = awaitDisk(a, v);
        String before = UUID.randomUUID().toString();
        run(a, "mkdir -p /mnt/s && mount -t ext4 /dev/" + disk + " /mnt/s && echo " + before + " > /mnt/s/before && sync");
        // The writer: a counter renamed into place, and 1 MiB of fresh random data, flushed each round.
        // It runs in its own SSH session, held open by the test until the loop is killed.
        Process writer = new ProcessBuilder("ssh", "-i", key.toString(), "-p", Integer.toString(instance(a).path("ssh").path("port").asInt()),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                "-o", "IdentitiesOnly=yes", "root@127.0.0.1",
                "echo $$ > /tmp/writer; i=0; while :; do i=$((i+1)); echo $i > /mnt/s/counter.tmp && mv /mnt/s/counter.tmp /mnt/s/counter; "
                        + "dd if=/dev/urandom of=/mnt/s/blob bs=64k count=16 conv=fsync 2>/dev/null; sync; done")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> Long.parseLong(run(a, "cat /mnt/s/counter").trim()) >= 3);
        run(a, "sync");
        long atSnapshot = Long.parseLong(run(a, "cat /mnt/s/counter").trim());
        String s = createSnapshot(v);
        assertThat(snapshot(s).path("state").asText()).isEqualTo("pending");
        List<String> progress = new ArrayList<>();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode x = snapshot(s);
            progress.add(x.path("progress").asText());
            return x.path("state").asText().equals("completed");
        });
        long afterSnapshot = Long.parseLong(run(a, "cat /mnt/s/counter").trim());
        assertThat(afterSnapshot).as("the guest kept writing during the snapshot").isGreaterThan(atSnapshot);
        assertThat(snapshot(s).path("progress").asText()).isEqualTo("100%");
        assertThat(server.output()).as("taken by a block job in the running VM").contains("snapshot " + s + " of " + v + " on " + a + " is whole");
        assertThat(scratchFiles()).isEmpty();
        run(a, "kill $(cat /tmp/writer); sleep 1; umount /mnt/s");
        if (!writer.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            writer.destroyForcibly();
        }
        detach(v);

        // A volume from the snapshot, in the other VM: the file written before is there, and the counter got at least as far.
        ServerProcess.Reply made = server.call("POST", "/volumes", "{\"snapshotId\":\"" + s + "\",\"availabilityZone\":\"nubo-1a\"}");
        assertThat(made.status()).as(made.json().toString()).isEqualTo(201);
        String copy = made.json().path("volumeId").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> volume(copy).path("state").asText().equals("available"));
        assertThat(volume(copy).path("snapshotId").asText()).isEqualTo(s);
        attach(copy, b, "/dev/sdg");
        String onB = awaitDisk(b, copy);
        // Mounting replays the journal, as after a crash; then the file system is unmounted cleanly.
        assertThat(run(b, "mkdir -p /mnt/c && mount -t ext4 /dev/" + onB + " /mnt/c && cat /mnt/c/before").trim()).isEqualTo(before);
        long inCopy = Long.parseLong(run(b, "cat /mnt/c/counter").trim());
        assertThat(inCopy).as("the data up to the snapshot point").isBetween(atSnapshot, afterSnapshot);
        run(b, "umount /mnt/c");
        detach(copy);
        Ssh.Result fsck = host("e2fsck", "-f", "-n", volumeFile(copy).toString());
        assertThat(fsck.exit()).as(fsck.out()).isZero();
        assertThat(server.call("DELETE", "/volumes/" + copy, null).status()).isEqualTo(200);
        assertThat(server.call("DELETE", "/volumes/" + v, null).status()).isEqualTo(200);
        assertThat(server.call("DELETE", "/snapshots/" + s, null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(snapshotFile(s)));
    }

    @Test
    void aSnapshotCutOffByAnAgentCrashIsStartedAgainAndLeavesNothingBehind() throws Exception {
        // Acceptance 8 (snapshot): 256 MiB of random data, so that the job is still running when the agent dies.
        String v = createVolume("{\"sizeGib\":1,\"availabilityZone\":\"nubo-1a\"}");
        attach(v, a, "/dev/sdh");
        String disk = awaitDisk(a, v);
        run(a, "dd if=/dev/urandom of=/dev/" + disk + " bs=1M count=256 oflag=direct status=none");
        String sum = run(a, "dd if=/dev/" + disk + " bs=1M count=256 iflag=direct status=none | md5sum").split(" ")[0];
        String s = createSnapshot(v);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> !scratchFiles().isEmpty()
                || snapshot(s).path("state").asText().equals("completed"));
        server.crash();

        // With the agent gone, the job is cut off as if QEMU had failed it, and its target node is left behind.
        Path qmp = server.dataDir.resolve("instances").resolve(a).resolve("qmp.sock");
        try (QmpClient m = QmpClient.connect(qmp)) {
            for (JsonNode j : m.execute("query-jobs")) {
                if (j.path("id").asText().equals(s) && !j.path("status").asText().equals("concluded")) {
                    m.execute("job-cancel", Map.of("id", s));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (JsonNode j : m.execute("query-jobs")) {
                    if (j.path("id").asText().equals(s) && !j.path("status").asText().equals("concluded")) {
                        return false;
                    }
                }
                return true;
            });
        }
        server.start();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> snapshot(s).path("state").asText(), st -> st.equals("completed") || st.equals("error"));
        assertThat(snapshot(s).path("state").asText()).as(snapshot(s).toString()).isEqualTo("completed");
        assertThat(scratchFiles()).isEmpty();
        Ssh.Result copied = host("sh", "-c", "head -c 268435456 " + snapshotFile(s) + " | md5sum");
        assertThat(copied.out().split(" ")[0]).as("the snapshot holds the volume's data").isEqualTo(sum);
        Ssh.Result du = host("du", "-B1", snapshotFile(s).toString());
        assertThat(Long.parseLong(du.out().split("\\s+")[0])).as("the copy takes the 256 MiB written, not the 1 GiB volume: " + du.out())
                .isLessThan(400L << 20);

        // Nothing is left in QEMU: no job and no node of the snapshot (looked at with the agent stopped again).
        server.crash();
        try (QmpClient m = QmpClient.connect(qmp)) {
            assertThat(m.execute("query-jobs").toString()).doesNotContain("snap-");
            List<String> nodes = new ArrayList<>();
            m.execute("query-named-block-nodes", Map.of("flat", true)).forEach(n -> nodes.add(n.path("node-name").asText()));
            assertThat(nodes).noneMatch(n -> n.startsWith("snap-"));
        }
        server.start();
        assertThat(server.call("DELETE", "/snapshots/" + s, null).status()).isEqualTo(200);
        detach(v);
        assertThat(server.call("DELETE", "/volumes/" + v, null).status()).isEqualTo(200);
    }
}
