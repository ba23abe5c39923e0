package io.nubo.qemu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Volume hot-plug on real QEMU with no guest OS. Such a guest never answers an unplug request
 * (nothing handles the ACPI eject), which is exactly a guest that will not let go of its disk:
 * only a forced detach gets the file back.
 */
class VolumeHotplugTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    private final List<QemuProcess> started = new ArrayList<>();
    private final List<QmpClient> clients = new ArrayList<>();

    @AfterEach
    void killWhatWeStarted() {
        clients.forEach(QmpClient::close);
        for (QemuProcess process : started) {
            process.kill();
            assertThat(process.awaitExit(WAIT)).isTrue();
        }
    }

    private QmpClient launch(QemuVm vm) {
        QemuProcess process = QemuProcess.launch(vm);
        started.add(process);
        QmpClient client = QmpClient.connect(process.dir().qmpSocket(), WAIT);
        clients.add(client);
        return client;
    }

    private QemuVolume volume(String id) throws Exception {
        Path file = dir.resolve(id + ".raw");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(GIB);
        }
        return new QemuVolume(id, file, "raw", id.replace("-", ""), false);
    }

    private boolean holdsFile(Path file) throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + started.get(0).pid() + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void attachIsIdempotentFinishesAnInterruptedAttachAndGrows() throws Exception {
        QmpClient m = launch(QemuVm.builder("i-00000001", dir.resolve("vm")).memoryMib(64).build());
        QemuVolume v = volume("vol-0000000000000000a");
        VolumeHotplug.attach(m, v);
        VolumeHotplug.attach(m, v);
        assertThat(VolumeHotplug.scan(m)).containsOnlyKeys(v.id());
        assertThat(VolumeHotplug.scan(m).get(v.id()).attached()).isTrue();

        // An agent that died between blockdev-add and device_add left a node with no device.
        QemuVolume half = volume("vol-0000000000000000b");
        m.execute("blockdev-add", Map.of("driver", "raw", "node-name", half.id(), "file", Map.of("driver", "file", "node-name",
                half.fileNode(), "filename", half.path().toString())));
        VolumeHotplug.Found found = VolumeHotplug.scan(m).get(half.id());
        assertThat(found.node()).isTrue();
        assertThat(found.device()).isFalse();
        assertThat(found.attached()).isFalse();
        assertThat(found.holdsFile()).isTrue();
        VolumeHotplug.attach(m, half);
        assertThat(VolumeHotplug.scan(m).get(half.id()).attached()).isTrue();

        VolumeHotplug.resize(m, v.id(), 3 * GIB);
        assertThat(VolumeHotplug.scan(m).get(v.id()).sizeBytes()).isEqualTo(3 * GIB);
        assertThat(Files.size(v.path())).isEqualTo(3 * GIB);
    }

    @Test
    void aGuestThatDoesNotLetGoKeepsItsDiskUntilTheDetachIsForcedThenTheFileIsFree() throws Exception {
        QemuVolume v = volume("vol-0000000000000000c");
        // Put on the command line, as a stopped VM's volume is at its start.
        QmpClient m = launch(QemuVm.builder("i-00000002", dir.resolve("vm")).memoryMib(64).volume(v).build());
        assertThat(VolumeHotplug.scan(m).get(v.id()).attached()).isTrue();
        assertThat(holdsFile(v.path())).isTrue();

        assertThat(VolumeHotplug.detach(m, v.id(), false, Duration.ofMillis(500))).isFalse();
        assertThat(VolumeHotplug.scan(m).get(v.id()).attached()).isTrue();
        assertThat(holdsFile(v.path())).isTrue();

        assertThat(VolumeHotplug.detach(m, v.id(), true, Duration.ofMillis(500))).isTrue();
        assertThat(holdsFile(v.path())).isFalse();
        VolumeHotplug.Found left = VolumeHotplug.scan(m).get(v.id());
        assertThat(left.released()).isTrue();
        assertThat(left.holdsFile()).isFalse();
        assertThat(VolumeHotplug.detach(m, v.id(), true, Duration.ZERO)).isTrue();
        assertThatThrownBy(() -> VolumeHotplug.attach(m, v)).hasMessageContaining("still being detached");
    }

    @Test
    void aStrayNodeIsRemovedByADetach() throws Exception {
        QmpClient m = launch(QemuVm.builder("i-00000003", dir.resolve("vm")).memoryMib(64).build());
        QemuVolume v = volume("vol-0000000000000000d");
        m.execute("blockdev-add", Map.of("driver", "raw", "node-name", v.id(), "file", Map.of("driver", "file", "node-name",
                v.fileNode(), "filename", v.path().toString())));
        assertThat(holdsFile(v.path())).isTrue();
        assertThat(VolumeHotplug.detach(m, v.id(), false, Duration.ofSeconds(1))).isTrue();
        assertThat(VolumeHotplug.scan(m)).isEmpty();
        assertThat(holdsFile(v.path())).isFalse();
    }
}
