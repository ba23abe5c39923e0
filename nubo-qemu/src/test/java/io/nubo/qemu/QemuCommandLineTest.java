package io.nubo.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QemuCommandLineTest {
    private static final Path DIR = Path.of("/var/lib/nubo/instances/i-0123456789abcdef0");

    @TempDir
    Path temp;

    /** The value following {@code option}, for options that appear once. */
    private static String valueOf(List<String> argv, String option) {
        assertThat(argv).as("argv has %s once", option).containsOnlyOnce(option);
        return argv.get(argv.indexOf(option) + 1);
    }

    /** Every value following {@code option}, in order. */
    private static List<String> valuesOf(List<String> argv, String option) {
        return java.util.stream.IntStream.range(0, argv.size() - 1)
                .filter(i -> argv.get(i).equals(option))
                .mapToObj(i -> argv.get(i + 1))
                .toList();
    }

    @Test
    void theDefaultsGiveATcgPcGuestWithConsoleQmpAndSerialInTheInstanceDirectory() {
        List<String> argv = QemuCommandLine.argv(QemuVm.builder("i-0123456789abcdef0", DIR).build());

        assertThat(argv.getFirst()).isEqualTo("qemu-system-x86_64");
        assertThat(valueOf(argv, "-name")).isEqualTo("guest=i-0123456789abcdef0");
        assertThat(valueOf(argv, "-machine")).isEqualTo("pc");
        assertThat(valueOf(argv, "-accel")).isEqualTo("tcg");
        assertThat(valueOf(argv, "-cpu")).isEqualTo("max");
        assertThat(valueOf(argv, "-smp")).isEqualTo("1");
        assertThat(valueOf(argv, "-m")).isEqualTo("256M");
        assertThat(argv).contains("-nodefaults", "-no-user-config", "-daemonize").doesNotContain("-S");
        assertThat(valueOf(argv, "-display")).isEqualTo("none");
        assertThat(valueOf(argv, "-vnc")).isEqualTo("unix:" + DIR + "/vnc.sock");
        assertThat(valuesOf(argv, "-device")).containsExactly("VGA,id=video0");
        assertThat(valueOf(argv, "-chardev")).isEqualTo("file,id=serial0,path=" + DIR + "/serial.log,append=on");
        assertThat(valueOf(argv, "-serial")).isEqualTo("chardev:serial0");
        assertThat(valueOf(argv, "-qmp")).isEqualTo("unix:" + DIR + "/qmp.sock,server=on,wait=off");
        assertThat(valueOf(argv, "-sandbox")).isEqualTo("on");
        assertThat(valueOf(argv, "-pidfile")).isEqualTo(DIR + "/qemu.pid");
        assertThat(argv).doesNotContain("-blockdev", "-netdev");
    }

    @Test
    void machineAcceleratorCpuAndSizeAreTakenFromTheVm() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR)
                .machine(QemuVm.Machine.Q35).accelerator(QemuVm.Accelerator.KVM).cpuModel("host")
                .vcpus(4).memoryMib(2048).vga(false).startPaused(true).build();

        List<String> argv = QemuCommandLine.argv("/opt/qemu/bin/qemu-system-x86_64", vm);

        assertThat(argv.getFirst()).isEqualTo("/opt/qemu/bin/qemu-system-x86_64");
        assertThat(valueOf(argv, "-machine")).isEqualTo("q35");
        assertThat(valueOf(argv, "-accel")).isEqualTo("kvm");
        assertThat(valueOf(argv, "-cpu")).isEqualTo("host");
        assertThat(valueOf(argv, "-smp")).isEqualTo("4");
        assertThat(valueOf(argv, "-m")).isEqualTo("2048M");
        assertThat(argv).contains("-S");
        assertThat(valuesOf(argv, "-device")).isEmpty();
    }

    @Test
    void disksBecomeNamedBlockdevNodesAndBootInOrder() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR)
                .disk(QemuDisk.virtio(DIR.resolve("root.qcow2"), "qcow2"))
                .disk(QemuDisk.virtio(Path.of("/pool/vol,1.raw"), "raw").asReadOnly())
                .disk(QemuDisk.cdrom(DIR.resolve("config.iso")))
                .build();

        List<String> argv = QemuCommandLine.argv(vm);

        assertThat(valuesOf(argv, "-blockdev")).containsExactly(
                "driver=file,node-name=disk0-file,filename=" + DIR + "/root.qcow2,read-only=off",
                "driver=qcow2,node-name=disk0,file=disk0-file,read-only=off",
                // A comma in a path is doubled, or QEMU would read the rest as another option.
                "driver=file,node-name=disk1-file,filename=/pool/vol,,1.raw,read-only=on",
                "driver=raw,node-name=disk1,file=disk1-file,read-only=on",
                "driver=file,node-name=disk2-file,filename=" + DIR + "/config.iso,read-only=on",
                "driver=raw,node-name=disk2,file=disk2-file,read-only=on");
        assertThat(valuesOf(argv, "-device")).containsExactly(
                "VGA,id=video0",
                "virtio-blk-pci,id=disk0,drive=disk0,bootindex=0",
                "virtio-blk-pci,id=disk1,drive=disk1,bootindex=1",
                "ide-cd,id=disk2,drive=disk2,bootindex=2");
    }

    @Test
    void anOverlayOpenedOverAnotherBaseGetsItsBaseAsAReadOnlyNodeOfItsOwn() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR)
                .disk(QemuDisk.virtio(Path.of("/shared/i-1/disk.qcow2"), "qcow2").over(Path.of("/here/cache/ami-1.qcow2"), "qcow2"))
                .build();

        assertThat(valuesOf(QemuCommandLine.argv(vm), "-blockdev")).containsExactly(
                "driver=file,node-name=disk0-file,filename=/shared/i-1/disk.qcow2,read-only=off",
                "driver=file,node-name=disk0-base-file,filename=/here/cache/ami-1.qcow2,read-only=on",
                "driver=qcow2,node-name=disk0-base,file=disk0-base-file,read-only=on",
                "driver=qcow2,node-name=disk0,file=disk0-file,backing=disk0-base,read-only=off");
        assertThatThrownBy(() -> QemuDisk.virtio(Path.of("/d.raw"), "raw").over(Path.of("/b.qcow2"), "qcow2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QemuDisk.virtio(Path.of("/d.qcow2"), "qcow2").over(Path.of("relative.qcow2"), "qcow2"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUserNicForwardsALoopbackHostPortToTheGuestsSsh() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR)
                .nic(QemuNic.User.forInstance("i-0123456789abcdef0", 2222)).build();

        List<String> argv = QemuCommandLine.argv(vm);

        assertThat(valueOf(argv, "-netdev")).isEqualTo("user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22");
        String mac = QemuNic.User.forInstance("i-0123456789abcdef0", 2222).mac();
        assertThat(valuesOf(argv, "-device")).contains("virtio-net-pci,id=net0,netdev=net0,mac=" + mac);
    }

    @Test
    void aUserNicWithAnAddressMakesItsSubnetTheGuestsNetworkAndHandsOutThatAddress() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR)
                .nic(QemuNic.User.forInstance("i-0123456789abcdef0", 2222, GuestAddress.parse("172.31.0.9/20"))).build();

        assertThat(valueOf(QemuCommandLine.argv(vm), "-netdev")).isEqualTo("user,id=net0,net=172.31.0.0/20,host=172.31.0.1,"
                + "dns=172.31.0.2,dhcpstart=172.31.0.9,hostfwd=tcp:127.0.0.1:2222-:22");
    }

    @Test
    void aGuestAddressMustBeAHostOfItsSubnetPastTheRouterAndDns() {
        assertThat(GuestAddress.parse("172.31.16.4/20").network()).isEqualTo("172.31.16.0/20");
        assertThat(GuestAddress.parse("10.0.0.200/24").router()).isEqualTo("10.0.0.1");
        assertThat(GuestAddress.parse("10.0.0.200/24").dns()).isEqualTo("10.0.0.2");
        assertThat(GuestAddress.parse("10.0.0.200/24")).hasToString("10.0.0.200/24");
        for (String bad : List.of("10.0.0.1/24", "10.0.0.2/24", "10.0.0.255/24", "10.0.0.4", "10.0.0.4/31", "10.0.0/24", "10.0.0.256/24")) {
            assertThatThrownBy(() -> GuestAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aMacAddressIsStableForAnInstanceAndDiffersBetweenInstances() {
        String mac = QemuNic.User.forInstance("i-0123456789abcdef0", 2222).mac();

        assertThat(mac).matches("52:54:00(:[0-9a-f]{2}){3}");
        assertThat(QemuNic.User.forInstance("i-0123456789abcdef0", 3333).mac()).isEqualTo(mac);
        assertThat(QemuNic.User.forInstance("i-0123456789abcdef1", 2222).mac()).isNotEqualTo(mac);
    }

    @Test
    void theCmdlineFileHoldsOneArgumentPerLineAndReadsBackTheSame() throws Exception {
        List<String> argv = QemuCommandLine.argv(QemuVm.builder("i-0123456789abcdef0", temp)
                .disk(QemuDisk.virtio(temp.resolve("disk with spaces.qcow2"), "qcow2")).build());
        Path file = temp.resolve("cmdline");

        QemuCommandLine.write(file, argv);

        assertThat(Files.readString(file)).isEqualTo(String.join("\n", argv) + "\n");
        assertThat(QemuCommandLine.read(file)).isEqualTo(argv);
    }

    @Test
    void anInstanceIdThatCouldInjectQemuOptionsIsRefused() {
        assertThatThrownBy(() -> QemuVm.builder("i-1,process=evil", DIR).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QemuVm.builder("", DIR).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDirectoryThatIsRelativeHasACommaOrIsTooLongForASocketIsRefused() {
        assertThatThrownBy(() -> new InstanceDir(Path.of("relative/dir"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InstanceDir(Path.of("/srv/a,b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InstanceDir(Path.of("/srv/" + "x".repeat(100))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unix socket");
        assertThat(new InstanceDir(Path.of("/srv/" + "x".repeat(80))).qmpSocket().toString().length()).isLessThanOrEqualTo(107);
    }

    @Test
    void impossibleSizesAndFormatsAreRefused() {
        assertThatThrownBy(() -> QemuVm.builder("i-1", DIR).vcpus(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QemuVm.builder("i-1", DIR).memoryMib(8).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QemuDisk.virtio(DIR.resolve("d"), "qcow2,x=y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QemuDisk.virtio(Path.of("rel.qcow2"), "qcow2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuNic.User("52:54:00:AA:BB:CC", 22)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuNic.User("52:54:00:aa:bb:cc", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCdromIsAlwaysReadOnly() {
        assertThat(new QemuDisk(DIR.resolve("c.iso"), "raw", QemuDisk.Bus.CDROM, false).readOnly()).isTrue();
    }

    @Test
    void toBuilderKeepsEveryValue() {
        QemuVm vm = QemuVm.builder("i-0123456789abcdef0", DIR).machine(QemuVm.Machine.Q35).vcpus(2).memoryMib(512)
                .disk(QemuDisk.virtio(DIR.resolve("root.qcow2"), "qcow2")).nic(QemuNic.User.forInstance("i-1", 2200))
                .startPaused(true).build();

        assertThat(vm.toBuilder().build()).isEqualTo(vm);
    }
}
