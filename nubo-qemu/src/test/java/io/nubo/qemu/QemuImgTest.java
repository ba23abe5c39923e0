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
    @Test
    void convertReportsQemuImgsProgressUpTo100() throws Exception {
        Path raw = dir.resolve("data.raw");
        Files.write(raw, randomBytes(4 * MIB));
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

        img.convert(raw, "raw", dir.resolve("data.qcow2"), "qcow2", seen::add);

        assertThat(seen).isNotEmpty().last().isEqualTo(100);
        assertThat(seen).isSorted();
        assertThat(img.info(dir.resolve("data.qcow2")).format()).isEqualTo("qcow2");
    }

    @Test
    void aConversionWithDirectWritesGivesTheSameImage() throws Exception {
        Path raw = dir.resolve("data.raw");
        Files.write(raw, randomBytes(4 * MIB));

        img.convert(raw, "raw", dir.resolve("direct.qcow2"), "qcow2", true, pct -> { });

        assertThat(img.check(dir.resolve("direct.qcow2"), "qcow2").clean()).isTrue();
        img.convert(dir.resolve("direct.qcow2"), "qcow2", dir.resolve("back.raw"), "raw");
        assertThat(Files.readAllBytes(dir.resolve("back.raw"))).isEqualTo(Files.readAllBytes(raw));
    }

    @Test
    void checkFindsATruncatedQcow2WhoseHeaderStillReads() throws Exception {
        Path raw = dir.resolve("data.raw");
        Files.write(raw, randomBytes(4 * MIB));
        Path qcow2 = dir.resolve("data.qcow2");
        img.convert(raw, "raw", qcow2, "qcow2");
        assertThat(img.check(qcow2, "qcow2")).isEqualTo(new QemuImg.CheckResult(true, true, ""));

        try (var f = new java.io.RandomAccessFile(qcow2.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }

        assertThat(img.info(qcow2).format()).as("the header alone still reads").isEqualTo("qcow2");
        QemuImg.CheckResult check = img.check(qcow2, "qcow2");
        assertThat(check.supported()).isTrue();
        assertThat(check.clean()).isFalse();
        assertThat(check.message()).isNotBlank().hasSizeLessThan(700);
    }

    @Test
    void formatsQemuImgCannotCheckSaySo() {
        Path vpc = dir.resolve("d.vpc");
        img.create(vpc, "vpc", 4 * MIB);

        assertThat(img.check(vpc, "vpc").supported()).isFalse();
    }

    @Test
    void infoNamesAQcow2sExternalDataFileAndAVmdksExtents() throws Exception {
        Path withData = dir.resolve("ext.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + dir.resolve("ext.raw") + ",data_file_raw=on",
                withData.toString(), "1M");
        assertThat(img.info(withData).dataFile()).contains(dir.resolve("ext.raw").toString());

        Path flat = dir.resolve("flat.vmdk");
        Files.writeString(flat, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                + "RW 2048 FLAT \"/etc/hostname\" 0\n");
        ImageInfo vmdk = img.info(flat);
        assertThat(vmdk.format()).isEqualTo("vmdk");
        assertThat(vmdk.createType()).contains("monolithicFlat");
        assertThat(vmdk.extentFiles()).contains("/etc/hostname");
    }

    @Test
    void longErrorOutputIsCutToItsFirstLines() {
        String many = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "ERROR: line " + i).collect(java.util.stream.Collectors.joining("\n"));

        assertThat(QemuImg.brief(many)).startsWith("ERROR: line 0 / ERROR: line 1 / ERROR: line 2").endsWith("...");
        assertThat(QemuImg.brief("one line")).isEqualTo("one line");
    }

    private static byte[] randomBytes(long n) {
        byte[] b = new byte[(int) n];
        new java.util.Random(42).nextBytes(b);
        return b;
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
