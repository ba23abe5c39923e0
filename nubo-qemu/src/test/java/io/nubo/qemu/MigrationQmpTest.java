package io.nubo.qemu;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The downtime schedule of an outgoing migration (the QMP exchange itself is covered by LiveMigrationTest with real QEMU). */
class MigrationQmpTest {
    @Test
    void theDowntimeLimitStartsAt100MsAndRisesBy100MsEveryTwoSecondsUpTo500Ms() {
        assertThat(MigrationQmp.downtimeLimitAt(0)).isEqualTo(100);
        assertThat(MigrationQmp.downtimeLimitAt(1999)).isEqualTo(100);
        assertThat(MigrationQmp.downtimeLimitAt(2000)).isEqualTo(200);
        assertThat(MigrationQmp.downtimeLimitAt(6500)).isEqualTo(400);
        assertThat(MigrationQmp.downtimeLimitAt(8000)).isEqualTo(500);
        assertThat(MigrationQmp.downtimeLimitAt(3_600_000)).isEqualTo(500);
        assertThat(MigrationQmp.downtimeLimitAt(-5)).isEqualTo(100);
    }

    @Test
    void aReceivingVmIsBuiltPausedAndWaitsForItsStateInsteadOfBooting() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", Path.of("/tmp/vm")).disk(QemuDisk.virtio(Path.of("/tmp/vm/disk.qcow2"), "qcow2"))
                .incoming(true).startPaused(true).build();
        List<String> argv = QemuCommandLine.argv(vm);
        assertThat(Collections.indexOfSubList(argv, List.of("-incoming", "defer"))).isPositive();
        assertThat(argv).contains("-S");
        assertThat(QemuCommandLine.argv(vm.toBuilder().incoming(false).build())).doesNotContain("-incoming");
    }
}
