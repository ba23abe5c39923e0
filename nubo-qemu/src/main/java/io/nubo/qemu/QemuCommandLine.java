package io.nubo.qemu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds QEMU's argv from a {@link QemuVm}, and keeps the exact argv of a launch in the instance
 * directory's {@code cmdline} file, <b>one argument per line</b> (UTF-8, no quoting: arguments
 * never contain a newline, which the records' validation guarantees). Stateless and thread-safe.
 *
 * <p>Choices, and why:
 * <ul>
 *   <li>{@code -nodefaults -no-user-config}: only the devices listed here, whatever the host's
 *       QEMU configuration says, so a VM looks the same on every host (and after migration).
 *   <li>{@code -blockdev} + {@code -device} rather than {@code -drive}: named nodes
 *       ({@code disk0}, {@code disk0-file}) that later QMP commands (hot-plug, snapshots,
 *       migration) can refer to.
 *   <li>The serial console is a {@code file} chardev with {@code append=on}. Not
 *       {@code logappend=on}: on a {@code file} chardev that option is accepted but ignored,
 *       and the log is truncated at every start (checked on QEMU 7.2).
 *   <li>{@code -sandbox on} with default options. Stricter ones break {@code -daemonize} on
 *       QEMU 7.2: {@code spawn=deny} kills it with SIGSYS when it forks, and
 *       {@code elevateprivileges=deny} makes it exit 1 without a message.
 *   <li>{@code -display none} and VNC on a unix socket: no listening TCP port; the console is
 *       relayed by the agent.
 * </ul>
 */
public final class QemuCommandLine {
    public static final String DEFAULT_BINARY = "qemu-system-x86_64";

    private QemuCommandLine() {
    }

    /** The argv for {@code vm}, starting with {@link #DEFAULT_BINARY}. */
    public static List<String> argv(QemuVm vm) {
        return argv(DEFAULT_BINARY, vm);
    }

    /** The argv for {@code vm}, starting with {@code binary} (a name on the PATH or an absolute path). */
    public static List<String> argv(String binary, QemuVm vm) {
        InstanceDir dir = vm.dir();
        List<String> args = new ArrayList<>();
        args.add(binary);
        add(args, "-name", "guest=" + vm.instanceId());
        add(args, "-machine", vm.machine().qemuName());
        add(args, "-accel", vm.accelerator().qemuName());
        add(args, "-cpu", vm.cpuModel());
        add(args, "-smp", Integer.toString(vm.vcpus()));
        add(args, "-m", vm.memoryMib() + "M");
        args.add("-nodefaults");
        args.add("-no-user-config");
        add(args, "-display", "none");
        add(args, "-vnc", "unix:" + dir.vncSocket());
        if (vm.vga()) {
            add(args, "-device", "VGA,id=video0");
        }
        add(args, "-chardev", "file,id=serial0,path=" + dir.serialLog() + ",append=on");
        add(args, "-serial", "chardev:serial0");
        add(args, "-qmp", "unix:" + dir.qmpSocket() + ",server=on,wait=off");
        for (int i = 0; i < vm.disks().size(); i++) {
            addDisk(args, i, vm.disks().get(i));
        }
        for (QemuVolume v : vm.volumes()) {
            addVolume(args, v);
        }
        for (int i = 0; i < vm.nics().size(); i++) {
            addNic(args, i, vm.nics().get(i));
        }
        if (vm.noShutdown()) {
            args.add("-no-shutdown");
        }
        if (vm.startPaused()) {
            args.add("-S");
        }
        if (vm.incoming()) {
            add(args, "-incoming", "defer");
        }
        add(args, "-sandbox", "on");
        add(args, "-pidfile", dir.pidFile().toString());
        args.add("-daemonize");
        return List.copyOf(args);
    }

    /** Writes {@code argv} to {@code file}, one argument per line, replacing it atomically. */
    public static void write(Path file, List<String> argv) {
        StringBuilder text = new StringBuilder();
        for (String arg : argv) {
            if (arg.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("argument contains a newline: " + arg);
            }
            text.append(arg).append('\n');
        }
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Reads an argv written by {@link #write}. */
    public static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void addDisk(List<String> args, int index, QemuDisk disk) {
        String node = "disk" + index;
        String readOnly = disk.readOnly() ? "on" : "off";
        // Two nodes: the protocol (file) and the format on top of it. A qcow2 node opens its backing chain itself.
        add(args, "-blockdev", "driver=file,node-name=" + node + "-file,filename=" + escape(disk.path().toString())
                + ",read-only=" + readOnly);
        String backing = "";
        if (disk.backing() != null) {
            add(args, "-blockdev", "driver=file,node-name=" + node + "-base-file,filename=" + escape(disk.backing().path().toString())
                    + ",read-only=on");
            add(args, "-blockdev", "driver=" + disk.backing().format() + ",node-name=" + node + "-base,file=" + node + "-base-file"
                    + ",read-only=on");
            backing = ",backing=" + node + "-base";
        }
        add(args, "-blockdev", "driver=" + disk.format() + ",node-name=" + node + ",file=" + node + "-file" + backing
                + ",read-only=" + readOnly);
        String device = switch (disk.bus()) {
            case VIRTIO -> "virtio-blk-pci";
            case CDROM -> "ide-cd";
        };
        add(args, "-device", device + ",id=" + node + ",drive=" + node + ",bootindex=" + index);
    }

    /**
     * A volume as one {@code -blockdev} whose file node is its child (dotted options), as a
     * hot-plug's {@code blockdev-add} makes it, so that detaching it works the same either way.
     */
    private static void addVolume(List<String> args, QemuVolume v) {
        add(args, "-blockdev", "driver=" + v.format() + ",node-name=" + v.id() + ",file.driver=file,file.node-name=" + v.fileNode()
                + ",file.filename=" + escape(v.path().toString()));
        add(args, "-device", "virtio-blk-pci,id=" + v.id() + ",drive=" + v.id() + ",serial=" + v.serial()
                + (v.shareable() ? ",share-rw=on" : ""));
    }

    private static void addNic(List<String> args, int index, QemuNic nic) {
        String id = "net" + index;
        switch (nic) {
            case QemuNic.User user -> add(args, "-netdev", "user,id=" + id + subnet(user.address())
                    + ",hostfwd=tcp:127.0.0.1:" + user.sshHostPort() + "-:22");
        }
        add(args, "-device", "virtio-net-pci,id=" + id + ",netdev=" + id + ",mac=" + nic.mac());
    }

    /** The slirp network of a guest with its own address: the subnet, router, DNS, and the address its DHCP gives out first. */
    private static String subnet(GuestAddress a) {
        if (a == null) {
            return "";
        }
        return ",net=" + a.network() + ",host=" + a.router() + ",dns=" + a.dns() + ",dhcpstart=" + a.address();
    }

    /** QEMU option values end at a comma; a literal comma is written twice. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }

    private static void add(List<String> args, String option, String value) {
        args.add(option);
        args.add(value);
    }
}
