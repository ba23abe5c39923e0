package io.nubo.agent.fake;

import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.ConsoleLog;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;
import io.nubo.core.spi.LiveMigration;
import io.nubo.core.spi.VmSpec;
import io.nubo.core.spi.VmStatus;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A hypervisor that simulates VMs: booting and shutting down take configurable simulated time,
 * measured on an injectable clock, and nothing runs. With a state directory its VMs outlive the
 * agent, as daemonized QEMU processes do, so restarts can be tested without QEMU. It is what lets
 * one JVM simulate many hosts. Thread-safe.
 *
 * <p>Volumes are simulated too: a running VM has disks (attached, or the remnant of an attach a
 * crash interrupted, see {@link #interruptAttach}), hot attach, detach and growth work at once,
 * and a guest can be made to ignore unplug requests ({@link #ignoreUnplugs}), so that only a
 * forced detach gets its disk back.
 */
public final class FakeHypervisor implements Hypervisor, ConsoleLog, LiveMigration, io.nubo.core.spi.RootDiskCopies {
    private final Clock clock;
    private final Duration bootTime;
    private final Duration shutdownTime;
    private final HostFacts facts;
    private final Optional<Path> stateDir;
    private final ConcurrentHashMap<String, Vm> vms = new ConcurrentHashMap<>();

    private final Set<String> stubbornGuests = ConcurrentHashMap.newKeySet();
    /** VMs paused by a migration ("incoming" on a destination, "migrated" on a source); in memory only. */
    private final Map<String, String> paused = new ConcurrentHashMap<>();
    private final Set<String> aborted = ConcurrentHashMap.newKeySet();
    private volatile int migrationSteps = 3;
    private volatile Duration migrationStep = Duration.ofMillis(100);
    private volatile boolean failMigrations;

    /**
     * A disk of a simulated VM: its size, whether the guest has it (false: a node left without its
     * device), and its file, which a growth extends as QEMU's block_resize does (null: unknown).
     */
    private record Disk(long sizeBytes, boolean attached, String path) {
    }

    /** One simulated VM: the power state it is heading to, when it gets there, and its volumes' disks. */
    private record Vm(String id, PowerState target, Instant settlesAt, String reason, long reboots, Map<String, Disk> disks) {
        Vm {
            disks = Map.copyOf(disks);
        }

        Vm withDisks(Map<String, Disk> changed) {
            return new Vm(id, target, settlesAt, reason, reboots, changed);
        }

        PowerState powerAt(Instant now) {
            boolean settled = !now.isBefore(settlesAt);
            return switch (target) {
                case RUNNING -> settled ? PowerState.RUNNING : PowerState.STARTING;
                case STOPPED -> settled ? PowerState.STOPPED : PowerState.STOPPING;
                default -> target;
            };
        }
    }

    public FakeHypervisor(Clock clock, Duration bootTime, Duration shutdownTime, HostFacts facts, Optional<Path> stateDir) {
        this.clock = clock;
        this.bootTime = bootTime;
        this.shutdownTime = shutdownTime;
        this.facts = facts;
        this.stateDir = stateDir;
        stateDir.ifPresent(this::load);
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public HostFacts probe() {
        return facts;
    }

    @Override
    public void start(VmSpec spec) {
        vms.compute(spec.instanceId(), (id, vm) -> {
            if (vm != null && vm.target() == PowerState.RUNNING) {
                return vm;
            }
            Map<String, Disk> disks = new java.util.HashMap<>();
            spec.volumes().forEach(v -> disks.put(v.volumeId(), new Disk(v.sizeBytes(), true, v.path())));
            return save(new Vm(id, PowerState.RUNNING, clock.instant().plus(bootTime), null, vm == null ? 0 : vm.reboots(), disks));
        });
    }

    @Override
    public void stop(String instanceId, boolean force, Duration timeout) {
        vms.computeIfPresent(instanceId, (id, vm) -> vm.target() == PowerState.STOPPED ? vm
                : save(new Vm(id, PowerState.STOPPED, clock.instant().plus(force ? Duration.ZERO : shutdownTime), null, vm.reboots(), vm.disks())));
    }

    @Override
    public void reboot(String instanceId) {
        vms.computeIfPresent(instanceId, (id, vm) -> vm.target() != PowerState.RUNNING ? vm
                : save(new Vm(id, PowerState.RUNNING, vm.settlesAt(), null, vm.reboots() + 1, vm.disks())));
    }

    @Override
    public void attachVolume(String instanceId, DesiredVolume volume) {
        changeDisks(instanceId, disks -> disks.put(volume.volumeId(), new Disk(volume.sizeBytes(), true, volume.path())));
    }

    @Override
    public boolean detachVolume(String instanceId, String volumeId, boolean force, Duration timeout) {
        if (!force && stubbornGuests.contains(instanceId) && runningVm(instanceId).disks().containsKey(volumeId)) {
            return false;
        }
        changeDisks(instanceId, disks -> disks.remove(volumeId));
        return true;
    }

    @Override
    public void resizeVolume(String instanceId, String volumeId, long sizeBytes) {
        changeDisks(instanceId, disks -> {
            Disk d = disks.get(volumeId);
            if (d == null) {
                throw new IllegalStateException(volumeId + " is not attached to " + instanceId);
            }
            disks.put(volumeId, new Disk(Math.max(sizeBytes, d.sizeBytes()), d.attached(), d.path()));
            growFile(d.path(), sizeBytes);
        });
    }

    /** Extends a volume's raw file, if there is one, as QEMU does when it grows a disk. */
    private static void growFile(String path, long sizeBytes) {
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            return;
        }
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(path, "rw")) {
            if (f.length() < sizeBytes) {
                f.setLength(sizeBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Simulates an agent killed between adding a volume's block node and its device: the VM holds the file, the guest has no disk. */
    public void interruptAttach(String instanceId, String volumeId, long sizeBytes) {
        changeDisks(instanceId, disks -> disks.put(volumeId, new Disk(sizeBytes, false, null)));
    }

    /** Makes a guest ignore (or heed again) unplug requests: only a forced detach then takes its disks. */
    public void ignoreUnplugs(String instanceId, boolean ignore) {
        if (ignore) {
            stubbornGuests.add(instanceId);
        } else {
            stubbornGuests.remove(instanceId);
        }
    }

    /** The volumes a VM has (attached or not), with their sizes, for tests. */
    public Map<String, Long> volumes(String instanceId) {
        Vm vm = vms.get(instanceId);
        Map<String, Long> out = new TreeMap<>();
        if (vm != null) {
            vm.disks().forEach((id, d) -> out.put(id, d.sizeBytes()));
        }
        return out;
    }

    /** A simulated VM has no disk content: its image is an empty (but real) 1 GiB qcow2, which the image pipeline can inspect. */
    @Override
    public void copyRootDisk(String instanceId, Path scratch, java.util.function.IntConsumer progress) {
        if (!vms.containsKey(instanceId)) {
            throw new UncheckedIOException(new java.nio.file.NoSuchFileException(instanceId, null, "no such VM on this fake host"));
        }
        try {
            Files.createDirectories(scratch.getParent());
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        new io.nubo.qemu.QemuImg().create(scratch, "qcow2", 1L << 30);
        progress.accept(100);
    }

    private Vm runningVm(String instanceId) {
        Vm vm = vms.get(instanceId);
        if (vm == null || vm.powerAt(clock.instant()) != PowerState.RUNNING) {
            throw new IllegalStateException(instanceId + " is not running");
        }
        return vm;
    }

    private void changeDisks(String instanceId, java.util.function.Consumer<Map<String, Disk>> change) {
        vms.compute(instanceId, (id, vm) -> {
            if (vm == null || vm.powerAt(clock.instant()) != PowerState.RUNNING) {
                throw new IllegalStateException(instanceId + " is not running");
            }
            Map<String, Disk> disks = new java.util.HashMap<>(vm.disks());
            change.accept(disks);
            return save(vm.withDisks(disks));
        });
    }

    private static List<ObservedVolume> observed(Vm vm, PowerState power) {
        if (power != PowerState.RUNNING) {
            return null;
        }
        List<ObservedVolume> out = new ArrayList<>();
        new TreeMap<>(vm.disks()).forEach((id, d) -> out.add(new ObservedVolume(id, d.sizeBytes(), d.attached())));
        return out;
    }

    @Override
    public void destroy(String instanceId) {
        vms.remove(instanceId);
        paused.remove(instanceId);
        stateDir.ifPresent(d -> {
            try {
                Files.deleteIfExists(d.resolve(instanceId + ".vm"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Map<String, VmStatus> list() {
        Instant now = clock.instant();
        Map<String, VmStatus> out = new TreeMap<>();
        vms.values().forEach(vm -> out.put(vm.id(), status(vm, now)));
        return out;
    }

    @Override
    public Optional<VmStatus> status(String instanceId) {
        Vm vm = vms.get(instanceId);
        return vm == null ? Optional.empty() : Optional.of(status(vm, clock.instant()));
    }

    private static VmStatus status(Vm vm, Instant now) {
        PowerState power = vm.powerAt(now);
        return new VmStatus(vm.id(), power, vm.reason(), null, null, observed(vm, power));
    }

    /** A simulated console: what a guest would print, derived from the VM's state. */
    @Override
    public Optional<byte[]> consoleTail(String instanceId, int maxBytes) {
        Vm vm = vms.get(instanceId);
        if (vm == null) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder("[fake] booting " + instanceId + "\n");
        if (vm.powerAt(clock.instant()) == PowerState.RUNNING || vm.target() == PowerState.STOPPED) {
            b.append("NUBO-GUEST-READY ").append(instanceId).append('\n');
        }
        if (vm.target() == PowerState.STOPPED) {
            b.append(vm.reason() == null ? "[fake] powering off\n" : "[fake] " + vm.reason() + "\n");
        }
        byte[] all = b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Optional.of(java.util.Arrays.copyOfRange(all, Math.max(0, all.length - maxBytes), all.length));
    }

    /** Simulates the VM's process dying (a QEMU crash): it is stopped at once, with the reason. */
    public void crash(String instanceId, String reason) {
        vms.computeIfPresent(instanceId, (id, vm) -> save(new Vm(id, PowerState.STOPPED, clock.instant(), reason, vm.reboots(), vm.disks())));
    }

    /** How many times the VM was rebooted, for tests. */
    public long reboots(String instanceId) {
        Vm vm = vms.get(instanceId);
        return vm == null ? 0 : vm.reboots();
    }

    private Vm save(Vm vm) {
        stateDir.ifPresent(d -> {
            Properties p = new Properties();
            p.setProperty("target", vm.target().name());
            p.setProperty("settlesAt", vm.settlesAt().toString());
            p.setProperty("reboots", Long.toString(vm.reboots()));
            if (vm.reason() != null) {
                p.setProperty("reason", vm.reason());
            }
            vm.disks().forEach((id, disk) -> p.setProperty("disk." + id, disk.sizeBytes() + ":" + disk.attached()
                    + (disk.path() == null ? "" : ":" + disk.path())));
            try {
                Files.createDirectories(d);
                Path tmp = d.resolve(vm.id() + ".vm.tmp");
                try (Writer w = Files.newBufferedWriter(tmp)) {
                    p.store(w, null);
                }
                Files.move(tmp, d.resolve(vm.id() + ".vm"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return vm;
    }

    private void load(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".vm")).toList()) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f)) {
                    p.load(r);
                }
                String id = f.getFileName().toString().replace(".vm", "");
                Map<String, Disk> disks = new java.util.HashMap<>();
                for (String key : p.stringPropertyNames()) {
                    if (key.startsWith("disk.")) {
                        String[] part = p.getProperty(key).split(":", 3);
                        disks.put(key.substring(5), new Disk(Long.parseLong(part[0]), Boolean.parseBoolean(part[1]),
                                part.length == 3 ? part[2] : null));
                    }
                }
                vms.put(id, new Vm(id, PowerState.valueOf(p.getProperty("target")), Instant.parse(p.getProperty("settlesAt")),
                        p.getProperty("reason"), Long.parseLong(p.getProperty("reboots", "0")), disks));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Live migration, simulated: the destination's VM waits paused, the source's "sends" in steps. ----

    /** Simulated migrations take this many steps of this long each (a real sleep: the agent's thread waits). */
    public void migrationPace(int steps, Duration step) {
        this.migrationSteps = steps;
        this.migrationStep = step;
    }

    /** Makes this host's next outgoing migrations fail (as when the destination dies), for tests. */
    public void failMigrations(boolean fail) {
        this.failMigrations = fail;
    }

    /** Whether a VM is paused by a migration: waiting for one (destination) or after one (source). */
    public boolean isPaused(String instanceId) {
        return paused.containsKey(instanceId);
    }

    /** Whether the guest of this VM would be running now: there, up, and not paused by a migration. */
    public boolean isGuestRunning(String instanceId) {
        Vm vm = vms.get(instanceId);
        return vm != null && vm.powerAt(clock.instant()) == PowerState.RUNNING && !paused.containsKey(instanceId);
    }

    @Override
    public Incoming prepareIncoming(VmSpec spec, String migrationId) {
        Vm vm = vms.get(spec.instanceId());
        if (vm == null) {
            Map<String, Disk> disks = new java.util.HashMap<>();
            spec.volumes().forEach(v -> disks.put(v.volumeId(), new Disk(v.sizeBytes(), true, v.path())));
            paused.put(spec.instanceId(), "incoming");
            vms.put(spec.instanceId(), save(new Vm(spec.instanceId(), PowerState.RUNNING, clock.instant(), null, 0, disks)));
        }
        return new Incoming("127.0.0.1", 49152 + Math.floorMod(migrationId.hashCode(), 16000), null);
    }

    @Override
    public void resumeIncoming(String instanceId) {
        paused.remove(instanceId, "incoming");
    }

    @Override
    public Result migrateOut(String instanceId, Target target, java.util.function.Consumer<io.nubo.core.agent.MigrationProgress> progress) {
        long started = System.nanoTime();
        long total = 64L << 20;
        aborted.remove(instanceId); // an abort of an earlier migration does not carry over
        for (int step = 1; step <= migrationSteps; step++) {
            if (!vms.containsKey(instanceId)) {
                return new Result(false, null, "the VM is gone");
            }
            if (failMigrations || aborted.remove(instanceId)) {
                return new Result(false, reading("memory", total / 2, started, null), "simulated failure: the destination went away");
            }
            try {
                Thread.sleep(migrationStep.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(false, null, "interrupted");
            }
            progress.accept(reading("memory", total - total * step / migrationSteps, started, null));
        }
        paused.put(instanceId, "migrated");
        return new Result(true, reading("done", 0, started, 3), null);
    }

    private static io.nubo.core.agent.MigrationProgress reading(String phase, long remaining, long startedNanos, Integer downtime) {
        return new io.nubo.core.agent.MigrationProgress(phase, remaining, (64L << 20) - remaining, 100, downtime,
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    @Override
    public void abortOutgoing(String instanceId) {
        aborted.add(instanceId);
        paused.remove(instanceId, "migrated");
    }
}
