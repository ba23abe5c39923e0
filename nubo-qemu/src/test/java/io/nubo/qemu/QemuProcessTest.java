package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Real QEMU (TCG, no guest OS): launch, QMP, reconnect, quit, adopt. Each VM has 64 MiB and no
 * bootable disk, so SeaBIOS just idles; nothing here waits for a guest.
 */
class QemuProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<QemuProcess> started = new ArrayList<>();
    private final List<QmpClient> clients = new ArrayList<>();

    @AfterEach
    void killWhatWeStarted() {
        clients.forEach(QmpClient::close);
        for (QemuProcess process : started) {
            process.kill();
            assertThat(process.awaitExit(WAIT)).as("%s exits after SIGKILL", process).isTrue();
        }
    }

    private QemuVm.Builder tinyVm(String instanceId) {
        return QemuVm.builder(instanceId, dir.resolve(instanceId)).memoryMib(64);
    }

    private QemuProcess launch(QemuVm vm) {
        QemuProcess process = QemuProcess.launch(vm);
        started.add(process);
        return process;
    }

    private QmpClient connect(QemuProcess process) {
        QmpClient client = QmpClient.connect(process.dir().qmpSocket(), WAIT);
        clients.add(client);
        return client;
    }

    @Test
    void aLaunchedVmAnswersQmpSurvivesAReconnectAndQuitsWithAShutdownEvent() throws Exception {
        QemuProcess process = launch(tinyVm("i-00000001").build());
        assertThat(process.isAlive()).isTrue();
        assertThat(Files.readString(process.dir().pidFile()).strip()).isEqualTo(Long.toString(process.pid()));

        QmpClient first = connect(process);
        assertThat(first.greeting().path("version").path("qemu").path("major").asInt()).isGreaterThanOrEqualTo(7);
        assertThat(first.execute("query-status").path("status").asText()).isEqualTo("running");
        assertThat(first.execute("query-name").path("name").asText()).isEqualTo("i-00000001");

        List<String> events = new CopyOnWriteArrayList<>();
        first.onEvent(event -> events.add(event.name()));
        first.execute("stop");
        await().atMost(WAIT).until(() -> events.contains("STOP"));
        assertThat(first.execute("query-status").path("status").asText()).isEqualTo("paused");
        first.execute("cont");
        await().atMost(WAIT).until(() -> events.contains("RESUME"));

        // The agent restarts: its connection dies, and a new client on the same socket must work.
        first.close();
        QmpClient second = connect(process);
        assertThat(second.execute("query-status").path("running").asBoolean()).isTrue();

        CompletableFuture<QmpEvent> shutdown = second.nextEvent("SHUTDOWN");
        CompletableFuture<QmpDisconnect> closed = new CompletableFuture<>();
        second.onClose(closed::complete);
        quit(second);

        assertThat(shutdown.get(20, TimeUnit.SECONDS).data().path("reason").asText()).isEqualTo("host-qmp-quit");
        assertThat(closed.get(20, TimeUnit.SECONDS).byClient()).isFalse();
        assertThat(process.awaitExit(WAIT)).isTrue();
        assertThat(process.isAlive()).isFalse();
        assertThat(QemuProcess.adopt(process.dir().dir(), "i-00000001")).isEmpty();
    }

    @Test
    void aSecondClientGetsNoGreetingWhileTheFirstHoldsTheSocket() {
        QemuProcess process = launch(tinyVm("i-0000000b").build());
        QmpClient owner = connect(process);

        assertThatThrownBy(() -> QmpClient.connect(process.dir().qmpSocket(), Duration.ofMillis(500)))
                .isInstanceOfSatisfying(QmpTimeoutException.class, e -> assertThat(e.command()).isEqualTo("greeting"));
        assertThat(owner.execute("query-status").path("running").asBoolean()).isTrue();
    }

    @Test
    void concurrentCallersEachGetTheReplyToTheirOwnCommand() throws Exception {
        QemuProcess process = launch(tinyVm("i-0000000c").build());
        QmpClient qmp = connect(process);
        List<CompletableFuture<Boolean>> results = new ArrayList<>();

        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 400; i++) {
                boolean askName = i % 2 == 0;
                results.add(CompletableFuture.supplyAsync(() -> askName
                        ? qmp.execute("query-name").path("name").asText().equals("i-0000000c")
                        : qmp.execute("query-status").path("status").asText().equals("running"), executor));
            }
            for (CompletableFuture<Boolean> result : results) {
                assertThat(result.get(20, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void adoptFindsTheRunningQemuOfTheInstanceOnly() {
        QemuProcess process = launch(tinyVm("i-00000002").build());

        assertThat(QemuProcess.adopt(process.dir().dir(), "i-00000002"))
                .hasValueSatisfying(adopted -> {
                    assertThat(adopted.pid()).isEqualTo(process.pid());
                    assertThat(adopted.isAlive()).isTrue();
                });
        assertThat(QemuProcess.adopt(process.dir().dir(), "i-00000003")).isEmpty();
    }

    @Test
    void aPidFileNamingAnUnrelatedLiveProcessIsNotAdopted() throws IOException {
        Path instanceDir = Files.createDirectories(dir.resolve("i-00000004"));
        // This JVM is alive and is certainly not that instance's QEMU.
        Files.writeString(instanceDir.resolve("qemu.pid"), ProcessHandle.current().pid() + "\n");

        assertThat(QemuProcess.adopt(instanceDir, "i-00000004")).isEmpty();
    }

    @Test
    void aPidFileNamingAnotherInstancesQemuIsNotAdopted() throws IOException {
        QemuProcess other = launch(tinyVm("i-00000005").build());
        Path instanceDir = Files.createDirectories(dir.resolve("i-00000006"));
        Files.writeString(instanceDir.resolve("qemu.pid"), other.pid() + "\n");

        assertThat(QemuProcess.adopt(instanceDir, "i-00000006")).isEmpty();
    }

    @Test
    void aKilledQemuIsGoneItsStalePidFileIsIgnoredAndTheInstanceCanBeLaunchedAgain() {
        QemuVm vm = tinyVm("i-00000007").build();
        QemuProcess process = launch(vm);

        process.kill();

        assertThat(process.awaitExit(WAIT)).isTrue();
        assertThat(Files.exists(process.dir().pidFile())).as("QEMU cannot remove its pid file when killed").isTrue();
        assertThat(QemuProcess.adopt(process.dir().dir(), "i-00000007")).isEmpty();
        QemuProcess again = launch(vm);
        assertThat(again.pid()).isNotEqualTo(process.pid());
        assertThat(again.isAlive()).isTrue();
    }

    @Test
    void launchingAnInstanceThatAlreadyRunsIsRefused() {
        QemuVm vm = tinyVm("i-00000008").build();
        QemuProcess process = launch(vm);

        assertThatThrownBy(() -> launch(vm))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("already runs as pid " + process.pid());
    }

    @Test
    void aLaunchThatQemuRefusesFailsWithQemusOwnMessage() {
        QemuVm vm = tinyVm("i-00000009").disk(QemuDisk.virtio(dir.resolve("missing.qcow2"), "qcow2")).build();

        assertThatThrownBy(() -> launch(vm))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("missing.qcow2")
                .hasMessageContaining("No such file");
        assertThat(QemuProcess.adopt(vm.dir().dir(), "i-00000009")).isEmpty();
    }

    @Test
    void disksCdromNicAndSerialLogAreWiredAsTheCommandLineSays() throws Exception {
        QemuImg img = new QemuImg();
        Path base = dir.resolve("base.qcow2");
        img.create(base, "qcow2", 16L << 20);
        Path instanceDir = Files.createDirectories(dir.resolve("i-0000000a"));
        img.createOverlay(base, "qcow2", instanceDir.resolve("root.qcow2"));
        img.create(instanceDir.resolve("config.iso"), "raw", 1L << 20);
        Files.writeString(instanceDir.resolve("serial.log"), "output of an earlier boot\n");
        QemuVm vm = tinyVm("i-0000000a")
                .disk(QemuDisk.virtio(instanceDir.resolve("root.qcow2"), "qcow2"))
                .disk(QemuDisk.cdrom(instanceDir.resolve("config.iso")))
                .nic(QemuNic.User.forInstance("i-0000000a", freePort()))
                .startPaused(true)
                .build();

        QemuProcess process = launch(vm);
        QmpClient qmp = connect(process);

        assertThat(QemuCommandLine.read(vm.dir().cmdlineFile())).isEqualTo(QemuCommandLine.argv(vm));
        assertThat(qmp.execute("query-status").path("status").asText()).isEqualTo("prelaunch");
        JsonNode blocks = qmp.execute("query-named-block-nodes");
        List<String> nodes = new ArrayList<>();
        blocks.forEach(node -> nodes.add(node.path("node-name").asText()));
        assertThat(nodes).contains("disk0", "disk0-file", "disk1", "disk1-file");
        blocks.forEach(node -> {
            if (node.path("node-name").asText().equals("disk0")) {
                assertThat(node.path("backing_file").asText()).isEqualTo(base.toString());
                assertThat(node.path("ro").asBoolean()).isFalse();
            }
            if (node.path("node-name").asText().equals("disk1")) {
                assertThat(node.path("ro").asBoolean()).isTrue();
            }
        });
        JsonNode nics = qmp.execute("query-rx-filter");
        assertThat(nics.get(0).path("main-mac").asText()).isEqualTo(QemuNic.macFor("i-0000000a"));
        assertThat(Files.readString(vm.dir().serialLog())).startsWith("output of an earlier boot");
    }

    /** QEMU sends quit's reply and then exits; the close may win the race against the reply, which is no failure. */
    private static void quit(QmpClient qmp) {
        try {
            qmp.execute("quit");
        } catch (QmpClosedException e) {
            assertThat(e.command()).isEqualTo("quit");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
