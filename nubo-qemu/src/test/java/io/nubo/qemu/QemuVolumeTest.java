package io.nubo.qemu;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A volume on QEMU's command line, and the names QEMU would refuse. */
class QemuVolumeTest {
    @Test
    void aVolumeIsOneNamedBlockdevWithItsFileAsChildAndANamedDeviceWithItsSerial() {
        QemuVm vm = QemuVm.builder("i-00000001", Path.of("/tmp/vm"))
                .volume(new QemuVolume("vol-0123456789abcdef0", Path.of("/pool/volumes/vol-0123456789abcdef0.raw"), "raw",
                        "vol0123456789abcdef0", false))
                .volume(new QemuVolume("vol-0123456789abcdef1", Path.of("/pool/a,b.raw"), "raw", "vol0123456789abcdef1", true))
                .build();
        List<String> argv = QemuCommandLine.argv(vm);
        assertThat(argv).containsSubsequence("-blockdev", "driver=raw,node-name=vol-0123456789abcdef0,file.driver=file,"
                + "file.node-name=vol-0123456789abcdef0-file,file.filename=/pool/volumes/vol-0123456789abcdef0.raw",
                "-device", "virtio-blk-pci,id=vol-0123456789abcdef0,drive=vol-0123456789abcdef0,serial=vol0123456789abcdef0");
        assertThat(argv).contains("virtio-blk-pci,id=vol-0123456789abcdef1,drive=vol-0123456789abcdef1,serial=vol0123456789abcdef1,share-rw=on");
        assertThat(argv).anyMatch(a -> a.endsWith("file.filename=/pool/a,,b.raw"));
        assertThat(argv.stream().filter(a -> a.contains("vol-") && a.contains("bootindex"))).isEmpty();
        assertThat(vm.toBuilder().build().volumes()).hasSize(2);
    }

    @Test
    void namesQemuWouldRefuseAreRefusedFirst() {
        Path p = Path.of("/pool/v.raw");
        assertThatThrownBy(() -> new QemuVolume("0vol", p, "raw", "s", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuVolume("vol-a,b", p, "raw", "s", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuVolume("vol-a", p, "raw", "serial-longer-than-twenty", false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuVolume("vol-a", p, "raw", "a,b", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuVolume("vol-a", p, "vpc", "s", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuVolume("vol-a", Path.of("rel.raw"), "raw", "s", false)).isInstanceOf(IllegalArgumentException.class);
    }
}
