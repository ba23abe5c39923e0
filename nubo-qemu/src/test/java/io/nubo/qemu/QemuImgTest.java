package io.nubo.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** QemuImg against the real qemu-img: small images, milliseconds each. */
class QemuImgTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private final QemuImg img = new QemuImg();

    @Test
    void createThenInfoReportsFormatAndSizes() {
        Path disk = dir.resolve("disk.qcow2");

        img.create(disk, "qcow2", 64 * MIB);
        ImageInfo info = img.info(disk);

        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.virtualSize()).isEqualTo(64 * MIB);
        assertThat(info.actualSize()).isPositive().isLessThan(64 * MIB);
        assertThat(info.hasBackingFile()).isFalse();
        assertThat(info.backingFormat()).isEmpty();
        assertThat(info.encrypted()).isFalse();
    }

    @Test
    void anOverlayRecordsItsBaseAndTheBasesFormat() {
        Path base = dir.resolve("base.raw");
        Path overlay = dir.resolve("root.qcow2");
        img.create(base, "raw", 8 * MIB);

        img.createOverlay(base, "raw", overlay);
        ImageInfo info = img.info(overlay, "qcow2");

        assertThat(info.format()).isEqualTo("qcow2");
        assertThat(info.virtualSize()).isEqualTo(8 * MIB);
        assertThat(info.backingFilename()).contains(base.toString());
        assertThat(info.fullBackingFilename()).contains(base.toString());
        assertThat(info.backingFormat()).contains("raw");
    }

    @Test
    void anOverlayMayBeLargerThanItsBase() {
        Path base = dir.resolve("base.qcow2");
        img.create(base, "qcow2", 8 * MIB);

        img.createOverlay(base, "qcow2", dir.resolve("big.qcow2"), 32 * MIB);

        assertThat(img.info(dir.resolve("big.qcow2")).virtualSize()).isEqualTo(32 * MIB);
    }

    @Test
    void theBackingChainListsEveryLayerTopFirst() {
        Path base = dir.resolve("base.raw");
        img.create(base, "raw", 4 * MIB);
        img.createOverlay(base, "raw", dir.resolve("mid.qcow2"));
        img.createOverlay(dir.resolve("mid.qcow2"), "qcow2", dir.resolve("top.qcow2"));

        List<ImageInfo> chain = img.backingChain(dir.resolve("top.qcow2"));

        assertThat(chain).extracting(ImageInfo::format).containsExactly("qcow2", "qcow2", "raw");
        assertThat(chain.getLast().filename()).isEqualTo(base.toString());
        assertThat(chain.getLast().hasBackingFile()).isFalse();
    }

    @Test
    void convertWritesAStandaloneImageInTheTargetFormat() {
        Path base = dir.resolve("base.raw");
        img.create(base, "raw", 4 * MIB);
        img.createOverlay(base, "raw", dir.resolve("top.qcow2"));

        img.convert(dir.resolve("top.qcow2"), "qcow2", dir.resolve("flat.vpc"), "vpc");

        ImageInfo info = img.info(dir.resolve("flat.vpc"));
        assertThat(info.format()).isEqualTo("vpc");
        assertThat(info.hasBackingFile()).isFalse();
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path precious = dir.resolve("precious.qcow2");
        Files.writeString(precious, "user data");

        assertThatThrownBy(() -> img.create(precious, "qcow2", MIB)).isInstanceOf(QemuException.class);
        assertThatThrownBy(() -> img.createOverlay(dir.resolve("x.raw"), "raw", precious)).isInstanceOf(QemuException.class);
        assertThat(Files.readString(precious)).isEqualTo("user data");
    }

    @Test
    void aMissingImageFailsWithQemuImgsMessage() {
        assertThatThrownBy(() -> img.info(dir.resolve("missing.qcow2")))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("missing.qcow2")
                .hasMessageContaining("No such file");
    }

    @Test
    void aFileWithNoImageHeaderIsProbedAsRaw() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "just text");

        assertThat(img.info(text).format()).isEqualTo("raw");
    }

    @Test
    void aFormatNameThatCouldCarryOptionsIsRefused() {
        assertThatThrownBy(() -> img.create(dir.resolve("a"), "qcow2 -o x", MIB)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runsAreConfinedByPrlimitWhereItExists() {
        assertThat(img.limited()).isEqualTo(Files.isExecutable(Path.of("/usr/bin/prlimit")));
    }

    @Test
    void aRunThatOutlivesItsTimeoutIsKilled() throws Exception {
        // A stand-in binary that hangs, as qemu-img might on a crafted image.
        Path hang = dir.resolve("hang.sh");
        Files.writeString(hang, "#!/bin/sh\nexec sleep 60\n");
        hang.toFile().setExecutable(true);
        QemuImg slow = new QemuImg(hang.toString(), Duration.ofMillis(300), QemuImg.Limits.DEFAULT);

        assertThatThrownBy(() -> slow.info(dir.resolve("any.qcow2")))
                .isInstanceOf(QemuException.class)
                .hasMessageContaining("killed after 300 ms");
    }
}
