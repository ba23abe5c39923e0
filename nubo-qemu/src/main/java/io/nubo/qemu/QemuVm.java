package io.nubo.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything that decides one VM's QEMU command line. Immutable; build one with
 * {@link #builder(String, Path)}, whose defaults suit these machines: {@code pc}, TCG,
 * {@code -cpu max}, 1 vCPU, 256 MiB, a VGA for the VNC console.
 *
 * @param instanceId  goes into {@code -name guest=<id>}, which is how {@link QemuProcess#adopt} knows the process
 * @param cpuModel    {@code max} by default; {@code host} only when a probe proved it boots under KVM
 * @param vga         adds a standard VGA, so the VNC console shows something
 * @param startPaused adds {@code -S}: QEMU starts with the vCPUs stopped until {@code cont}
 * @param volumes     volumes, after the disks: named nodes and devices (see {@link QemuVolume}), never boot devices
 * @param noShutdown  adds {@code -no-shutdown}: when the guest powers off, QEMU stays (run state
 *                    {@code shutdown}) until told to {@code quit}, so whoever manages it can see
 *                    that the guest shut itself down, even if it was not listening at the time
 */
public record QemuVm(String instanceId, InstanceDir dir, Machine machine, Accelerator accelerator, String cpuModel,
                     int vcpus, int memoryMib, List<QemuDisk> disks, List<QemuVolume> volumes, List<QemuNic> nics, boolean vga,
                     boolean startPaused, boolean noShutdown, boolean incoming) {
    // Instance IDs become part of a QEMU option (-name guest=<id>), so no commas or spaces.
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern CPU_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=,-]*");

    /** QEMU machine types offered. */
    public enum Machine {
        PC("pc"), Q35("q35");

        private final String qemuName;

        Machine(String qemuName) {
            this.qemuName = qemuName;
        }

        public String qemuName() {
            return qemuName;
        }
    }

    public enum Accelerator {
        KVM("kvm"), TCG("tcg");

        private final String qemuName;

        Accelerator(String qemuName) {
            this.qemuName = qemuName;
        }

        public String qemuName() {
            return qemuName;
        }
    }

    public QemuVm {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(accelerator, "accelerator");
        if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("bad instance ID for QEMU: " + instanceId);
        }
        if (cpuModel == null || !CPU_MODEL.matcher(cpuModel).matches()) {
            throw new IllegalArgumentException("bad CPU model: " + cpuModel);
        }
        if (vcpus < 1 || vcpus > 255) {
            throw new IllegalArgumentException("vCPUs must be 1 to 255: " + vcpus);
        }
        if (memoryMib < 16) {
            throw new IllegalArgumentException("memory must be at least 16 MiB: " + memoryMib);
        }
        disks = List.copyOf(disks);
        volumes = List.copyOf(volumes);
        nics = List.copyOf(nics);
    }

    public static Builder builder(String instanceId, Path dir) {
        return new Builder(instanceId, dir);
    }

    /** A builder with this VM's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder builder = new Builder(instanceId, dir.dir())
                .machine(machine).accelerator(accelerator).cpuModel(cpuModel).vcpus(vcpus).memoryMib(memoryMib)
                .vga(vga).startPaused(startPaused).noShutdown(noShutdown).incoming(incoming);
        disks.forEach(builder::disk);
        volumes.forEach(builder::volume);
        nics.forEach(builder::nic);
        return builder;
    }

    /** Collects a {@link QemuVm}'s values. Not thread-safe; use it on one thread, then {@link #build()}. */
    public static final class Builder {
        private final String instanceId;
        private final Path dir;
        private Machine machine = Machine.PC;
        private Accelerator accelerator = Accelerator.TCG;
        private String cpuModel = "max";
        private int vcpus = 1;
        private int memoryMib = 256;
        private final List<QemuDisk> disks = new ArrayList<>();
        private final List<QemuVolume> volumes = new ArrayList<>();
        private final List<QemuNic> nics = new ArrayList<>();
        private boolean vga = true;
        private boolean startPaused;
        private boolean noShutdown;
        private boolean incoming;

        private Builder(String instanceId, Path dir) {
            this.instanceId = instanceId;
            this.dir = dir;
        }

        public Builder machine(Machine machine) {
            this.machine = machine;
            return this;
        }

        public Builder accelerator(Accelerator accelerator) {
            this.accelerator = accelerator;
            return this;
        }

        public Builder cpuModel(String cpuModel) {
            this.cpuModel = cpuModel;
            return this;
        }

        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        public Builder memoryMib(int memoryMib) {
            this.memoryMib = memoryMib;
            return this;
        }

        /** Adds a disk; disks boot in the order added. */
        public Builder disk(QemuDisk disk) {
            disks.add(Objects.requireNonNull(disk, "disk"));
            return this;
        }

        /** Adds a volume (not bootable). */
        public Builder volume(QemuVolume volume) {
            volumes.add(Objects.requireNonNull(volume, "volume"));
            return this;
        }

        public Builder nic(QemuNic nic) {
            nics.add(Objects.requireNonNull(nic, "nic"));
            return this;
        }

        public Builder vga(boolean vga) {
            this.vga = vga;
            return this;
        }

        public Builder noShutdown(boolean noShutdown) {
            this.noShutdown = noShutdown;
            return this;
        }

        /**
         * Waits for an incoming live migration ({@code -incoming defer}): the machine is built but
         * not booted, and its state arrives after a {@code migrate-incoming} over QMP.
         */
        public Builder incoming(boolean incoming) {
            this.incoming = incoming;
            return this;
        }

        public Builder startPaused(boolean startPaused) {
            this.startPaused = startPaused;
            return this;
        }

        public QemuVm build() {
            return new QemuVm(instanceId, new InstanceDir(dir), machine, accelerator, cpuModel, vcpus, memoryMib,
                    disks, volumes, nics, vga, startPaused, noShutdown, incoming);
        }
    }
}
