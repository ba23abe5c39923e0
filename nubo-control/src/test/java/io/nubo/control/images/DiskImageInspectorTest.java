package io.nubo.control.images;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.qemu.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the inspector accepts and refuses, on images made by the real qemu-img. */
class DiskImageInspectorTest {
    private static final long LIMIT = 64 * TestDisks.MIB;

    @TempDir
    Path dir;

    private final DiskImageInspector inspector = new DiskImageInspector(new QemuImg());

    @ParameterizedTest
    @ValueSource(strings = {"qcow2", "raw", "vpc", "vhdx", "vmdk"})
    void eachFormatIsDetectedFromItsContentNotItsName(String format) throws Exception {
        // Every file is called .iso: the name must not matter.
        Path disk = TestDisks.convert(dir, format, "misnamed-" + format + ".iso");

        DiskImageInspector.Inspection found = inspector.inspect(disk, LIMIT);

        assertThat(found.format()).isEqualTo(format);
        assertThat(found.virtualSize()).isGreaterThanOrEqualTo(4 * TestDisks.MIB);
    }

    @Test
    void aQcow2WithABackingFileIsRefusedAndTheMessageNamesIt() throws Exception {
        Path evil = TestDisks.withBackingFile(dir, "/etc/shadow");

        assertThatThrownBy(() -> inspector.inspect(evil, LIMIT)).isInstanceOf(NuboException.class)
                .satisfies(e -> assertThat(((NuboException) e).errorCode()).isEqualTo(ErrorCode.INVALID_DISK_IMAGE))
                .hasMessageContaining("backing file (/etc/shadow)");
    }

    @Test
    void aQcow2WithAnExternalDataFileIsRefused() throws Exception {
        Path evil = TestDisks.withDataFile(dir, dir.resolve("data.raw").toString());

        assertThatThrownBy(() -> inspector.inspect(evil, LIMIT)).hasMessageContaining("external data file");
    }

    @Test
    void aVmdkWhoseExtentIsAnotherFileIsRefused() throws Exception {
        Path evil = TestDisks.vmdkPointingAt(dir, "/etc/shadow");

        assertThatThrownBy(() -> inspector.inspect(evil, LIMIT)).hasMessageContaining("monolithicFlat VMDK");
    }

    @Test
    void aTruncatedVhdIsRefusedAsTruncated() throws Exception {
        Path cut = TestDisks.truncatedVhd(dir);

        assertThatThrownBy(() -> inspector.inspect(cut, LIMIT)).isInstanceOf(NuboException.class)
                .hasMessageContaining("qemu-img cannot open it").hasMessageContaining("truncated")
                .hasMessageNotContaining(dir.toString());
    }

    @Test
    void aTruncatedQcow2IsRefusedByQemuImgCheck() throws Exception {
        Path disk = TestDisks.convert(dir, "qcow2", "cut.qcow2");
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }

        assertThatThrownBy(() -> inspector.inspect(disk, LIMIT)).hasMessageContaining("truncated or corrupt");
    }

    @Test
    void aVirtualSizeOverTheLimitIsRefusedWithBothSizes() throws Exception {
        Path huge = TestDisks.sized(dir, "qcow2", 1L << 40);

        assertThatThrownBy(() -> inspector.inspect(huge, LIMIT)).isInstanceOf(NuboException.class)
                .hasMessageContaining("1099511627776 bytes (1.0 TiB)").hasMessageContaining("limit of 64.0 MiB");
    }

    @Test
    void aFormatOutsideTheFiveIsRefused() throws Exception {
        Path vdi = TestDisks.sized(dir, "vdi", TestDisks.MIB);

        assertThatThrownBy(() -> inspector.inspect(vdi, LIMIT)).hasMessageContaining("Its format is vdi");
    }
}
