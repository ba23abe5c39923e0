package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CreateImage's live copy on real QEMU (TCG, no guest OS): {@link VolumeBackup} in qcow2 mode on a
 * VM's root node, a qcow2 overlay on a base, gives one standalone qcow2 whose content is the whole
 * disk (base and overlay), and an image job the caller no longer wants is cancelled and its target
 * dropped like a snapshot's.
 */
class RootDiskBackupTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String IMAGE = "ami-0123456789abcdef0";

    @TempDir
    Path dir;

    private final List<QemuProcess> started = new ArrayList<>();
    private final List<QmpClient> clients = new ArrayList<>();

    @AfterEach
    void killWhatWeStarted() {
        clients.forEach(QmpClient::close);
        for (QemuProcess p : started) {
            p.kill();
            p.awaitExit(WAIT);
        }
    }

    /** A VM whose root disk is an overlay holding 1 MiB of 0xcd at 8 MiB, on a base holding 1 MiB of 0xab at 0. */
    private QmpClient vmWithLayeredRoot(Path overlay) throws Exception {
        Path base = dir.resolve("base.qcow2");
        QemuImg img = new QemuImg();
        img.create(base, "qcow2", 64L << 20);
        qemuIo(base, "write -P 0xab 0 1M");
        img.createOverlay(base, "qcow2", overlay);
        qemuIo(overlay, "write -P 0xcd 8M 1M");
        QemuProcess p = QemuProcess.launch(QemuVm.builder("i-00000001", dir.resolve("vm")).memoryMib(64)
                .disk(QemuDisk.virtio(overlay, "qcow2")).build());
        started.add(p);
        QmpClient m = QmpClient.connect(p.dir().qmpSocket(), WAIT);
        clients.add(m);
        return m;
    }

    private static void qemuIo(Path image, String command) throws Exception {
        Process p = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", command, image.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void theRootNodeIsCopiedWholeIntoAStandaloneQcow2() throws Exception {
        Path overlay = dir.resolve("disk.qcow2");
        QmpClient m = vmWithLayeredRoot(overlay);
        Path scratch = dir.resolve("work").resolve("root.qcow2.part");

        VolumeBackup.Step first = VolumeBackup.advance(m, IMAGE, "disk0", scratch, "qcow2");
        assertThat(first).isInstanceOf(VolumeBackup.Step.Running.class);
        await().atMost(WAIT).until(() -> VolumeBackup.advance(m, IMAGE, "disk0", scratch, "qcow2") instanceof VolumeBackup.Step.Done);

        ImageInfo info = new QemuImg().info(scratch);
        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.hasBackingFile()).as("standalone").isFalse();
        assertThat(info.virtualSize()).isEqualTo(64L << 20);
        Process compare = new ProcessBuilder("qemu-img", "compare", "-U", overlay.toString(), scratch.toString())
                .redirectErrorStream(true).start();
        String out = new String(compare.getInputStream().readAllBytes());
        assertThat(compare.waitFor()).as("the copy has the base's and the overlay's data: " + out).isZero();
        assertThat(m.execute("query-jobs")).as("dismissed").isEmpty();
        for (JsonNode n : m.execute("query-named-block-nodes", java.util.Map.of("flat", true))) {
            assertThat(n.path("node-name").asText()).doesNotStartWith(IMAGE);
        }
    }

    @Test
    void anImageJobNoLongerWantedIsCancelledAndItsTargetDropped() throws Exception {
        QmpClient m = vmWithLayeredRoot(dir.resolve("disk.qcow2"));
        Path scratch = dir.resolve("work").resolve("root.qcow2.part");
        VolumeBackup.advance(m, IMAGE, "disk0", scratch, "qcow2");

        List<Path> left = VolumeBackup.dropAllBut(m, Set.of("snap-0123456789abcdef0"));

        assertThat(left).containsExactly(scratch);
        assertThat(m.execute("query-jobs")).isEmpty();
        for (JsonNode n : m.execute("query-named-block-nodes", java.util.Map.of("flat", true))) {
            assertThat(n.path("node-name").asText()).doesNotStartWith(IMAGE);
        }
    }
}
