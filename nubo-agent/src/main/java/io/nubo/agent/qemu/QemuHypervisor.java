package io.nubo.agent.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.agent.ObservedSnapshot;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.ConsoleLog;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;
import io.nubo.core.spi.LiveMigration;
import io.nubo.qemu.MigrationQmp;
import io.nubo.core.spi.VmSpec;
import io.nubo.core.spi.VmStatus;
import io.nubo.core.spi.VolumeSnapshots;
import io.nubo.qemu.GuestAddress;
import io.nubo.qemu.InstanceDir;
import io.nubo.qemu.QemuDisk;
import io.nubo.qemu.QemuImg;
import io.nubo.qemu.QemuNic;
import io.nubo.qemu.QemuProcess;
import io.nubo.qemu.QemuVm;
import io.nubo.qemu.QemuVolume;
import io.nubo.qemu.VolumeBackup;
import io.nubo.qemu.VolumeHotplug;
import io.nubo.qemu.QmpClient;
import io.nubo.qemu.QmpEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Runs VMs as daemonized QEMU processes, one directory per instance under
 * {@code <data-dir>/instances/<id>/}: the disk (a qcow2 overlay on a cached base image), the
 * config drive, {@code qmp.sock}, {@code vnc.sock}, {@code serial.log}, {@code qemu.pid} and the
 * exact command line. QEMU outlives the agent; {@link #list()} adopts running VMs again from
 * their pid files, checking that each pid really is that instance's QEMU.
 *
 * <p>Why a VM is down is kept as a marker file in its directory, so the answer survives agent
 * restarts: {@code stop-requested} (a user stop or a destroy), {@code guest-shutdown} (the guest
 * powered itself off; QEMU runs with {@code -no-shutdown}, so the agent sees the shutdown even if
 * it was down at the time), and neither of them means QEMU died unexpectedly.
 *
 * <p>Volumes are raw files on a storage pool, attached as named virtio-blk devices
 * ({@link VolumeHotplug}): on the command line when a VM starts, hot-plugged while it runs. What
 * a running VM has of them is read from QEMU itself ({@code query-block},
 * {@code query-named-block-nodes}), never remembered, so that after an agent crash the VM's real
 * state is what gets reconciled. The reading is cached per VM until this agent changes the VM's
 * disks, QEMU reports a device deleted, or 30 s pass.
 *
 * <p>Thread-safe: operations on one instance are serialised by a per-instance lock.
 */
public final class QemuHypervisor implements Hypervisor, ConsoleLog, VolumeSnapshots, LiveMigration, io.nubo.core.spi.RootDiskCopies {
    private static final Logger LOG = LoggerFactory.getLogger(QemuHypervisor.class);
    static final String STOP_REQUESTED = "stop-requested";
    static final String GUEST_SHUTDOWN = "guest-shutdown";
    /** Written when the VM was killed because its host lost its lease (by the agent or by {@link FenceWatchdog}). */
    static final String FENCED = "fenced";
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POWER_BUTTON_REPEAT = Duration.ofSeconds(5);
    private static final Duration VOLUME_SCAN_TTL = Duration.ofSeconds(30);
    /** Where this host receives migrations. Loopback: every host of this build runs on one machine. */
    static final String MIGRATION_ADDRESS = "127.0.0.1";
    /** The block node of the root disk, as {@link io.nubo.qemu.QemuCommandLine} names the first disk. */
    static final String ROOT_NODE = "disk0";
    /** Files of a migration in the instance directory: the destination's endpoints, the source's migration ID. */
    static final String INCOMING = "incoming";
    static final String OUTGOING = "outgoing";
    /** In the {@code incoming} record: no disk export, the disk is on the shared pool. */
    private static final String NO_EXPORT = "-";

    private final Path instancesDir;
    private final HostProbe.Result probe;
    private final ImageCache images;
    private final QemuImg qemuImg;
    private final HostFacts facts;
    private final Map<String, QemuProcess> processes = new ConcurrentHashMap<>();
    private final Map<String, QmpClient> monitors = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** Serialises opening each VM's QMP connection (see {@link #monitor}). */
    private final Map<String, ReentrantLock> monitorLocks = new ConcurrentHashMap<>();
    /** VMs whose guest has shut down while QEMU waits under -no-shutdown (from the SHUTDOWN event). */
    private final java.util.Set<String> shutDown = ConcurrentHashMap.newKeySet();
    /** What each running VM had of its volumes when last read, and when. */
    private final Map<String, VolumeScan> volumeScans = new ConcurrentHashMap<>();
    /** Counts the changes to each VM's disks, so that a reading taken across a change is not kept. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> diskChanges = new ConcurrentHashMap<>();

    private record VolumeScan(long atNanos, List<ObservedVolume> volumes) {
    }

    public QemuHypervisor(Path dataDir, HostProbe.Result probe, HostFacts facts) {
        this.instancesDir = dataDir.resolve("instances");
        this.probe = probe;
        this.qemuImg = new QemuImg();
        this.images = new ImageCache(dataDir.resolve("images"), qemuImg);
        this.facts = facts;
    }

    /**
     * Makes this a remote host's driver: an image that is not on a shared pool this host mounts
     * ({@link VmSpec#imageShared()}) is downloaded from the server through {@code source} into the
     * image cache. Without it (the in-process agent of {@code nubo up}, on the server's machine)
     * every image is read where the control plane says.
     */
    public void downloadImagesFrom(io.nubo.agent.ImageDownloads source) {
        images.downloadFrom(source);
    }

    /** What QEMU says when the host port of its SSH forwarding is taken. */
    private static final String HOSTFWD_TAKEN = "Could not set up host forwarding rule";
    private static final int PORT_ATTEMPTS = 3;

    @Override
    public String name() {
        return "qemu";
    }

    @Override
    public HostFacts probe() {
        return facts;
    }

    @Override
    public void start(VmSpec spec) {
        withLock(spec.instanceId(), () -> {
            if (process(spec.instanceId()).isPresent()) {
                return;
            }
            Path dir = instancesDir.resolve(spec.instanceId());
            try {
                Files.createDirectories(dir);
                Path disk = dir.resolve("disk.qcow2");
                if (spec.rootDisk() != null) {
                    linkSharedRootDisk(spec, disk);
                } else if (!Files.exists(disk)) {
                    Path base = images.ensure(spec.imageId(), spec.imageFormat(), spec.imageLocation(), spec.imageShared());
                    newRootDisk(base, spec, disk);
                }
                QemuProcess p = launchTakingAFreePort(spec, dir, disk);
                processes.put(spec.instanceId(), p);
                Files.writeString(dir.resolve("started"), spec.imageId());
                LOG.info("started QEMU for {} (pid {})", spec.instanceId(), p.pid());
                monitor(spec.instanceId());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Launches the VM. Its SSH port was free when chosen, but another process can bind it before
     * QEMU does, and QEMU then exits at once; the VM is tried again on another port (a fresh check
     * once saw a launch fail so, and the instance never ran).
     */
    private QemuProcess launchTakingAFreePort(VmSpec spec, Path dir, Path disk) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return QemuProcess.launch(machine(spec, dir, disk).build());
            } catch (RuntimeException e) {
                if (attempt >= PORT_ATTEMPTS || e.getMessage() == null || !e.getMessage().contains(HOSTFWD_TAKEN)) {
                    throw e;
                }
                LOG.warn("{}: its SSH port was taken before QEMU could bind it; trying another", spec.instanceId());
                Files.deleteIfExists(dir.resolve("ssh-port"));
            }
        }
    }

    /**
     * A new root disk: an overlay on the base image, as large as the launch asked (never smaller
     * than the image, whose size the control plane may not know), or else the image's size.
     */
    private void newRootDisk(Path base, VmSpec spec, Path disk) {
        if (spec.rootDiskBytes() <= 0) {
            qemuImg.createOverlay(base, spec.imageFormat(), disk);
            return;
        }
        long imageBytes = qemuImg.info(base, spec.imageFormat()).virtualSize();
        qemuImg.createOverlay(base, spec.imageFormat(), disk, Math.max(spec.rootDiskBytes(), imageBytes));
    }

    /**
     * An HA instance's root disk lives on the shared pool, so that another host can start it from the
     * same disk; the instance directory's {@code disk.qcow2} is a link to it, so everything else finds
     * the disk where it always does. A disk made on another host is pointed at this host's copy of its
     * base image ({@code rebase -u}: the same image, another path). Nothing has the disk open here: the
     * VM is about to start, and the host it ran on before was fenced.
     */
    private void linkSharedRootDisk(VmSpec spec, Path link) throws IOException {
        Path shared = Path.of(spec.rootDisk());
        Path base = images.ensure(spec.imageId(), spec.imageFormat(), spec.imageLocation(), spec.imageShared());
        Files.createDirectories(shared.getParent());
        if (Files.exists(shared)) {
            qemuImg.rebaseUnsafe(shared, base, spec.imageFormat());
        } else {
            Path partial = shared.resolveSibling(shared.getFileName() + ".new");
            Files.deleteIfExists(partial);
            newRootDisk(base, spec, partial);
            Files.move(partial, shared, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(shared)) {
            return;
        }
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(link)) {
            throw new IllegalStateException(spec.instanceId() + " has a local root disk, not the shared one at " + shared);
        }
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, shared);
    }

    /**
     * The VM's machine and devices, the same for a boot and for the receiving end of a migration
     * (whose device model must match the source's): root disk, config drive, the volumes whose
     * files exist, the NIC.
     */
    private QemuVm.Builder machine(VmSpec spec, Path dir, Path disk) throws IOException {
        return machine(spec, dir, QemuDisk.virtio(disk, "qcow2"));
    }

    private QemuVm.Builder machine(VmSpec spec, Path dir, QemuDisk root) throws IOException {
        Path iso = ConfigDrive.write(dir, spec);
        Files.deleteIfExists(dir.resolve(STOP_REQUESTED));
        Files.deleteIfExists(dir.resolve(GUEST_SHUTDOWN));
        Files.deleteIfExists(dir.resolve(FENCED));
        QemuVm.Builder builder = QemuVm.builder(spec.instanceId(), dir)
                .accelerator(probe.accelerator()).cpuModel(probe.cpuModel())
                .vcpus(spec.vcpus()).memoryMib(spec.memoryMib())
                .disk(root)
                .disk(QemuDisk.virtio(iso, "raw").asReadOnly())
                .nic(QemuNic.User.forInstance(spec.instanceId(), SshPorts.choose(dir),
                        spec.privateAddress() == null ? null : GuestAddress.parse(spec.privateAddress())))
                .noShutdown(true);
        for (DesiredVolume v : spec.volumes()) {
            // A missing file must not keep the VM from booting: the volume stays attaching, and the agent says why.
            if (prepareFile(v)) {
                builder.volume(qemuVolume(v));
            } else {
                LOG.warn("{}: the file of volume {} is missing ({}); starting without it", spec.instanceId(), v.volumeId(), v.path());
            }
        }
        return builder;
    }

    @Override
    public void stop(String instanceId, boolean force, Duration timeout) {
        withLock(instanceId, () -> {
            Optional<QemuProcess> p = process(instanceId);
            if (p.isEmpty()) {
                return;
            }
            mark(instanceId, STOP_REQUESTED);
            if (!force) {
                try {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    long nextPress = 0;
                    while (p.get().isAlive() && !shutDown.contains(instanceId) && System.nanoTime() < deadline) {
                        // A guest early in its boot has no ACPI handler yet: press the button again every few seconds.
                        if (System.nanoTime() >= nextPress) {
                            monitor(instanceId).ifPresent(m -> m.execute("system_powerdown", QMP_TIMEOUT));
                            nextPress = System.nanoTime() + POWER_BUTTON_REPEAT.toNanos();
                        }
                        p.get().awaitExit(Duration.ofMillis(200));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("graceful stop of {} failed, forcing it: {}", instanceId, e.getMessage());
                }
            }
            quit(instanceId, p.get());
        });
    }

    @Override
    public void reboot(String instanceId) {
        withLock(instanceId, () -> monitor(instanceId).ifPresent(m -> {
            // Soft first: Ctrl-Alt-Del lets the guest's init reboot cleanly; a guest that ignores it is reset.
            var reset = new java.util.concurrent.CountDownLatch(1);
            try (QmpClient.Subscription s = m.onEvent("RESET", e -> reset.countDown())) {
                m.execute("send-key", Map.of("keys", java.util.List.of(Map.of("type", "qcode", "data", "ctrl"),
                        Map.of("type", "qcode", "data", "alt"), Map.of("type", "qcode", "data", "delete"))), QMP_TIMEOUT);
                if (!reset.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.info("{} did not reboot on Ctrl-Alt-Del; resetting it", instanceId);
                    m.execute("system_reset", QMP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException("reboot of " + instanceId + " failed: " + e.getMessage(), e);
            }
        }));
    }

    /** SIGKILL by the pid the VM's handle holds, without the instance's lock (a stop or a migration may hold it) and without QMP. */
    @Override
    public void fence(String instanceId) {
        Path dir = instancesDir.resolve(instanceId);
        process(instanceId).ifPresent(p -> {
            try {
                Files.writeString(dir.resolve(FENCED), "");
            } catch (IOException e) {
                LOG.warn("{}: could not record its fence: {}", instanceId, e.getMessage());
            }
            p.kill();
            p.awaitExit(Duration.ofSeconds(5));
            LOG.warn("fenced {}: killed its QEMU (pid {})", instanceId, p.pid());
        });
    }

    @Override
    public void destroy(String instanceId) {
        withLock(instanceId, () -> {
            Path dir = instancesDir.resolve(instanceId);
            if (Files.isDirectory(dir)) {
                mark(instanceId, STOP_REQUESTED);
            }
            process(instanceId).ifPresent(p -> quit(instanceId, p));
            try {
                ConfigDrive.deleteTree(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete " + dir, e);
            }
            LOG.info("destroyed {}", instanceId);
        });
        locks.remove(instanceId);
        diskChanges.remove(instanceId);
    }

    @Override
    public Map<String, VmStatus> list() {
        Map<String, VmStatus> out = new TreeMap<>();
        if (!Files.isDirectory(instancesDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(instancesDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String id = dir.getFileName().toString();
                if (!Files.exists(dir.resolve("started"))) {
                    continue; // never launched: a failed start, reported by the agent
                }
                out.put(id, status(id, dir));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public Optional<VmStatus> status(String instanceId) {
        Path dir = instancesDir.resolve(instanceId);
        return Files.exists(dir.resolve("started")) ? Optional.of(status(instanceId, dir)) : Optional.empty();
    }

    private VmStatus status(String id, Path dir) {
        Optional<QemuProcess> p = process(id);
        if (p.isPresent() && shutDown.contains(id) && !Files.exists(dir.resolve(STOP_REQUESTED))) {
            // The guest powered off on its own; QEMU waits under -no-shutdown. Record why, then let it go.
            mark(id, GUEST_SHUTDOWN);
            QemuProcess gone = p.get();
            withLock(id, () -> quit(id, gone));
            p = Optional.empty();
        }
        if (p.isPresent()) {
            int port = SshPorts.recorded(dir).orElse(0);
            return new VmStatus(id, PowerState.RUNNING, null, port == 0 ? null : "127.0.0.1", port == 0 ? null : port, volumes(id));
        }
        if (Files.exists(dir.resolve(STOP_REQUESTED))) {
            return new VmStatus(id, PowerState.STOPPED, null);
        }
        if (Files.exists(dir.resolve(GUEST_SHUTDOWN))) {
            return new VmStatus(id, PowerState.STOPPED, "Client.InstanceInitiatedShutdown: Instance initiated shutdown");
        }
        if (Files.exists(dir.resolve(FENCED))) {
            return new VmStatus(id, PowerState.STOPPED, "Server.HostFenced: its host lost its lease with the control plane and stopped it");
        }
        return new VmStatus(id, PowerState.STOPPED, "Server.InternalError: the VM's QEMU process exited unexpectedly");
    }

    @Override
    public void attachVolume(String instanceId, DesiredVolume volume) {
        withLock(instanceId, () -> {
            QmpClient m = runningMonitor(instanceId);
            if (!prepareFile(volume)) {
                throw new IllegalStateException("the file of volume " + volume.volumeId() + " is missing: " + volume.path());
            }
            try {
                VolumeHotplug.attach(m, qemuVolume(volume));
            } finally {
                disksChanged(instanceId);
            }
            LOG.info("attached {} to {}", volume.volumeId(), instanceId);
        });
    }

    @Override
    public boolean detachVolume(String instanceId, String volumeId, boolean force, Duration timeout) {
        boolean[] gone = new boolean[1];
        withLock(instanceId, () -> {
            try {
                gone[0] = VolumeHotplug.detach(runningMonitor(instanceId), volumeId, force, timeout);
            } finally {
                disksChanged(instanceId);
            }
        });
        if (gone[0]) {
            LOG.info("detached {} from {}{}", volumeId, instanceId, force ? " (forced)" : "");
        }
        return gone[0];
    }

    @Override
    public void resizeVolume(String instanceId, String volumeId, long sizeBytes) {
        withLock(instanceId, () -> {
            try {
                VolumeHotplug.resize(runningMonitor(instanceId), volumeId, sizeBytes);
            } finally {
                disksChanged(instanceId);
            }
            LOG.info("grew {} on {} to {} bytes", volumeId, instanceId, sizeBytes);
        });
    }

    @Override
    public Optional<ObservedSnapshot> advanceSnapshot(String instanceId, DesiredSnapshot snap) {
        Optional<ObservedSnapshot>[] out = new Optional[]{Optional.empty()};
        withLock(instanceId, () -> {
            if (process(instanceId).isEmpty()) {
                return;
            }
            Path target = Path.of(snap.path());
            if (Files.exists(target)) {
                out[0] = Optional.of(new ObservedSnapshot(snap.snapshotId(), ObservedSnapshot.COMPLETED, 100, null));
                return;
            }
            QmpClient m = runningMonitor(instanceId);
            Path scratch = Path.of(snap.scratchPath());
            VolumeBackup.Step step = snap.rootDisk() ? VolumeBackup.advance(m, snap.snapshotId(), ROOT_NODE, scratch, "qcow2")
                    : VolumeBackup.advance(m, snap.snapshotId(), snap.volumeId(), scratch);
            out[0] = switch (step) {
                case VolumeBackup.Step.Running r -> Optional.of(new ObservedSnapshot(snap.snapshotId(), ObservedSnapshot.RUNNING, r.percent(), null));
                case VolumeBackup.Step.NoVolume n -> Optional.empty();
                case VolumeBackup.Step.Failed f -> {
                    deleteQuietly(scratch);
                    LOG.warn("snapshot {} of {} on {} failed: {}", snap.snapshotId(), snap.volumeId(), instanceId, f.reason());
                    yield Optional.of(new ObservedSnapshot(snap.snapshotId(), ObservedSnapshot.FAILED, 0, f.reason()));
                }
                case VolumeBackup.Step.Done d -> {
                    try {
                        io.nubo.core.storage.SparseCopy.finish(scratch, target);
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not move the snapshot into place at " + target, e);
                    }
                    LOG.info("snapshot {} of {} on {} is whole", snap.snapshotId(), snap.volumeId(), instanceId);
                    yield Optional.of(new ObservedSnapshot(snap.snapshotId(), ObservedSnapshot.COMPLETED, 100, null));
                }
            };
        });
        return out[0];
    }

    /**
     * CreateImage of a VM that is down: {@code qemu-img convert} reads the overlay through its base
     * and writes one standalone qcow2. Under the instance's lock, so the VM cannot start meanwhile.
     */
    @Override
    public void copyRootDisk(String instanceId, Path scratch, java.util.function.IntConsumer progress) {
        withLock(instanceId, () -> {
            if (process(instanceId).isPresent()) {
                throw new IllegalStateException(instanceId + " is running: its root disk is copied by a block job");
            }
            Path disk = instancesDir.resolve(instanceId).resolve("disk.qcow2");
            if (!Files.isRegularFile(disk)) {
                throw new UncheckedIOException(new java.nio.file.NoSuchFileException(disk.toString(), null, "no root disk on this host"));
            }
            try {
                Files.createDirectories(scratch.getParent());
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long gib = Math.max(1, qemuImg.info(disk, "qcow2").virtualSize() >> 30);
            qemuImg.withLimits(Duration.ofMinutes(10 + 2 * gib), new QemuImg.Limits(2L << 30, Duration.ofSeconds(120 + 30 * gib)))
                    .convert(disk, "qcow2", scratch, "qcow2", progress);
            LOG.info("copied the root disk of {} to {}", instanceId, scratch);
        });
    }

    @Override
    public List<Path> dropSnapshots(String instanceId, java.util.Set<String> keep) {
        List<Path> out = new ArrayList<>();
        withLock(instanceId, () -> {
            if (process(instanceId).isPresent()) {
                monitor(instanceId).ifPresent(m -> out.addAll(VolumeBackup.dropAllBut(m, keep)));
            }
        });
        return out;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.toString());
        }
    }

    /** The volumes a running VM has, from QEMU (cached), or null when its monitor does not answer. */
    private List<ObservedVolume> volumes(String id) {
        VolumeScan cached = volumeScans.get(id);
        if (cached != null && System.nanoTime() - cached.atNanos() < VOLUME_SCAN_TTL.toNanos()) {
            return cached.volumes();
        }
        long at = System.nanoTime();
        long changes = changes(id).get();
        try {
            Optional<QmpClient> m = monitor(id);
            if (m.isEmpty()) {
                return null;
            }
            List<ObservedVolume> out = new ArrayList<>();
            VolumeHotplug.scan(m.get()).values().stream().filter(VolumeHotplug.Found::holdsFile).sorted(java.util.Comparator.comparing(
                    VolumeHotplug.Found::id)).forEach(f -> out.add(new ObservedVolume(f.id(), f.sizeBytes(), f.attached())));
            List<ObservedVolume> found = List.copyOf(out);
            // Not kept if the disks changed meanwhile: this reading may predate the change.
            if (changes(id).get() == changes) {
                volumeScans.put(id, new VolumeScan(at, found));
            }
            return found;
        } catch (RuntimeException e) {
            LOG.debug("could not read the volumes of {}: {}", id, e.getMessage());
            return null;
        }
    }

    private void disksChanged(String id) {
        changes(id).incrementAndGet();
        volumeScans.remove(id);
    }

    private java.util.concurrent.atomic.AtomicLong changes(String id) {
        return diskChanges.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicLong());
    }

    private QmpClient runningMonitor(String id) {
        if (process(id).isEmpty()) {
            throw new IllegalStateException(id + " is not running");
        }
        return monitor(id).orElseThrow(() -> new IllegalStateException("no QMP connection to " + id));
    }

    /** Grows a raw volume file to the size the volume should have; false when the file is missing. */
    private static boolean prepareFile(DesiredVolume v) {
        Path file = Path.of(v.path());
        if (!Files.isRegularFile(file)) {
            return false;
        }
        if ("raw".equals(v.format())) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                if (f.length() < v.sizeBytes()) {
                    f.setLength(v.sizeBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not grow " + file, e);
            }
        }
        return true;
    }

    private static QemuVolume qemuVolume(DesiredVolume v) {
        return new QemuVolume(v.volumeId(), Path.of(v.path()), v.format(), v.serial(), v.shareable());
    }

    @Override
    public Optional<byte[]> consoleTail(String instanceId, int maxBytes) {
        Path log = instancesDir.resolve(instanceId).resolve("serial.log");
        if (!Files.exists(log)) {
            return Files.isDirectory(instancesDir.resolve(instanceId)) ? Optional.of(new byte[0]) : Optional.empty();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, maxBytes);
            byte[] out = new byte[n];
            f.seek(len - n);
            f.readFully(out);
            return Optional.of(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The live QEMU of an instance: the known handle, or one adopted from its pid file. */
    private Optional<QemuProcess> process(String id) {
        QemuProcess known = processes.get(id);
        if (known != null && known.isAlive()) {
            return Optional.of(known);
        }
        processes.remove(id);
        dropMonitor(id);
        Path dir = instancesDir.resolve(id);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Optional<QemuProcess> adopted = QemuProcess.adopt(dir, id);
        adopted.ifPresent(p -> {
            processes.put(id, p);
            LOG.info("adopted running QEMU of {} (pid {})", id, p.pid());
            // A guest may have shut down while no agent listened for the event.
            if (isShutDown(id)) {
                shutDown.add(id);
            }
        });
        return adopted;
    }

    /** This agent's QMP connection to the VM, opened on first use and after an agent restart. */
    private Optional<QmpClient> monitor(String id) {
        QmpClient m = monitors.get(id);
        if (m != null && m.isOpen()) {
            return Optional.of(m);
        }
        if (processes.get(id) == null) {
            return Optional.empty();
        }
        // One connection at a time: QEMU serves one QMP client, so a second thread connecting at the
        // same moment (a pass adopting the VM while a migration prepares it) would wait for a greeting
        // that never comes.
        ReentrantLock connecting = monitorLocks.computeIfAbsent(id, k -> new ReentrantLock());
        connecting.lock();
        try {
            QmpClient again = monitors.get(id);
            if (again != null && again.isOpen()) {
                return Optional.of(again);
            }
            QmpClient c = QmpClient.connect(new InstanceDir(instancesDir.resolve(id)).qmpSocket(), QMP_TIMEOUT);
            c.onEvent("SHUTDOWN", e -> onShutdown(id, e));
            c.onEvent("DEVICE_DELETED", e -> disksChanged(id));
            disksChanged(id);
            monitors.put(id, c);
            return Optional.of(c);
        } catch (RuntimeException e) {
            LOG.warn("no QMP connection to {}: {}", id, e.getMessage());
            return Optional.empty();
        } finally {
            connecting.unlock();
        }
    }

    private void onShutdown(String id, QmpEvent e) {
        shutDown.add(id);
        if (e.data().path("guest").asBoolean(false) && !Files.exists(instancesDir.resolve(id).resolve(STOP_REQUESTED))) {
            mark(id, GUEST_SHUTDOWN);
        }
    }

    /** Whether the guest has shut down while QEMU waits (run state {@code shutdown}). */
    private boolean isShutDown(String id) {
        return monitor(id).map(m -> {
            try {
                JsonNode status = m.execute("query-status", QMP_TIMEOUT);
                return "shutdown".equals(status.path("status").asText());
            } catch (RuntimeException e) {
                return false;
            }
        }).orElse(false);
    }

    /** Ends QEMU: {@code quit} over QMP, then SIGKILL if it lingers. */
    private void quit(String id, QemuProcess p) {
        try {
            monitor(id).ifPresent(m -> m.execute("quit", QMP_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.debug("quit of {} over QMP failed: {}", id, e.getMessage());
        }
        if (!p.awaitExit(Duration.ofSeconds(5))) {
            p.kill();
            p.awaitExit(Duration.ofSeconds(5));
        }
        processes.remove(id);
        shutDown.remove(id);
        disksChanged(id);
        dropMonitor(id);
    }

    private void dropMonitor(String id) {
        QmpClient m = monitors.remove(id);
        if (m != null) {
            m.close();
        }
    }

    private void mark(String id, String marker) {
        try {
            Path dir = instancesDir.resolve(id);
            if (Files.isDirectory(dir)) {
                Files.writeString(dir.resolve(marker), "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void withLock(String id, Runnable r) {
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        monitors.values().forEach(QmpClient::close);
        monitors.clear();
    }

    // ---- Live migration (see MigrationQmp for the QMP side and DesiredMigration for the protocol) ----

    /**
     * Destination: builds the VM as {@link #start} would, from the same spec (same devices, in the
     * same order, so the source's state fits), paused and waiting for the migration, with its root
     * disk (a fresh overlay on this host's copy of the base image) exported over NBD for the
     * source's mirror; an HA instance's disk, on the shared pool, is opened where it is and not
     * copied (QEMU keeps it inactive here until the switchover, so the two VMs never write it at
     * once). The endpoints are kept in {@code incoming}, so that a second call (an agent
     * restart) answers the same without starting anything.
     */
    @Override
    public Incoming prepareIncoming(VmSpec spec, String migrationId) {
        Incoming[] out = new Incoming[1];
        withLock(spec.instanceId(), () -> {
            Path dir = instancesDir.resolve(spec.instanceId());
            Path recorded = dir.resolve(INCOMING);
            try {
                if (process(spec.instanceId()).isPresent() && Files.exists(recorded)) {
                    String[] f = Files.readString(recorded).strip().split(" ");
                    if (f[0].equals(migrationId)) {
                        out[0] = new Incoming(f[1], Integer.parseInt(f[2]), f[3].equals(NO_EXPORT) ? null : Integer.valueOf(f[3]));
                        return;
                    }
                }
                process(spec.instanceId()).ifPresent(p -> quit(spec.instanceId(), p)); // a leftover of an earlier attempt
                Files.createDirectories(dir);
                Path disk = dir.resolve("disk.qcow2");
                Files.deleteIfExists(disk);
                Path base = images.ensure(spec.imageId(), spec.imageFormat(), spec.imageLocation(), spec.imageShared());
                boolean shared = spec.rootDisk() != null;
                QemuDisk root;
                if (shared) {
                    // An HA instance's disk is on the shared pool and stays there: the VM opens it where it is, over this
                    // host's copy of the base image (its header names the source host's, and the source has it open).
                    Path onPool = Path.of(spec.rootDisk());
                    if (!Files.exists(onPool)) {
                        throw new IllegalStateException(spec.instanceId() + "'s root disk is not on the shared pool at " + onPool);
                    }
                    Files.createSymbolicLink(disk, onPool);
                    root = QemuDisk.virtio(disk, "qcow2").over(base, spec.imageFormat());
                } else {
                    newRootDisk(base, spec, disk); // the size the source's disk has, so that the mirror fits
                    root = QemuDisk.virtio(disk, "qcow2");
                }
                QemuVm vm = machine(spec, dir, root).incoming(true).startPaused(true).build();
                // Marked before the launch: an agent killed during it leaves a directory that list() shows, so that
                // the cleanup removes it once the migration has failed.
                Files.writeString(dir.resolve("started"), spec.imageId());
                QemuProcess p = QemuProcess.launch(vm);
                processes.put(spec.instanceId(), p);
                int port = SshPorts.freePort();
                Integer nbd = shared ? null : SshPorts.freePort();
                QmpClient m = monitor(spec.instanceId()).orElseThrow(() -> new IllegalStateException("no QMP connection to the new VM"));
                MigrationQmp.receive(m, MIGRATION_ADDRESS, port,
                        shared ? Optional.empty() : Optional.of(new MigrationQmp.Mirror(MIGRATION_ADDRESS, nbd, ROOT_NODE)));
                Files.writeString(recorded, migrationId + " " + MIGRATION_ADDRESS + " " + port + " " + (shared ? NO_EXPORT : nbd) + "\n");
                out[0] = new Incoming(MIGRATION_ADDRESS, port, nbd);
                LOG.info("{} waits for migration {} on port {} ({})", spec.instanceId(), migrationId, port,
                        shared ? "its disk on the shared pool" : "disk export on " + nbd);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out[0];
    }

    @Override
    public void resumeIncoming(String instanceId) {
        withLock(instanceId, () -> {
            MigrationQmp.resume(runningMonitor(instanceId));
            try {
                Files.deleteIfExists(instancesDir.resolve(instanceId).resolve(INCOMING));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Source: migrates the VM, mirroring its root disk (in this host's data dir, so local) to the
     * destination's export, unless the destination has none (the disk is on the shared pool);
     * volumes live on the shared pool and stay where they are. The
     * migration's ID is written to {@code outgoing} first, so that a restarted agent follows the
     * migration QEMU already runs instead of starting another. Not under the instance's lock: it
     * takes as long as the migration, and needs nothing the other operations change.
     */
    @Override
    public Result migrateOut(String instanceId, Target target, java.util.function.Consumer<io.nubo.core.agent.MigrationProgress> progress) {
        QmpClient m = runningMonitor(instanceId);
        Path marker = instancesDir.resolve(instanceId).resolve(OUTGOING);
        boolean follow;
        try {
            follow = Files.exists(marker) && Files.readString(marker).strip().equals(target.migrationId())
                    && !"none".equals(MigrationQmp.status(m));
            Files.writeString(marker, target.migrationId() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<MigrationQmp.Mirror> mirror = target.nbdPort() == null ? Optional.empty()
                : Optional.of(new MigrationQmp.Mirror(target.host(), target.nbdPort(), ROOT_NODE));
        MigrationQmp.Outcome o = MigrationQmp.send(m, target.host(), target.port(), mirror, follow, target.timeout(), progress);
        return new Result(o.completed(), o.last(), o.reason());
    }

    @Override
    public void abortOutgoing(String instanceId) {
        withLock(instanceId, () -> {
            if (process(instanceId).isEmpty()) {
                return;
            }
            MigrationQmp.abort(runningMonitor(instanceId));
        });
    }
}
