package io.nubo.agent;

import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.ConsoleLog;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.Hypervisor;
import io.nubo.core.spi.LiveMigration;
import io.nubo.core.spi.VmSpec;
import io.nubo.core.spi.VmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The host agent: it registers its host, keeps its lease, follows the host's desired state with
 * a versioned long-poll, converges the hypervisor to it, and reports what it observes.
 *
 * <p>Reconciliation is level-triggered: each pass reads the latest desired state and the
 * hypervisor's actual VMs afresh, so a pass can run again at any time, and an agent that
 * restarts simply adopts the VMs it finds. Actions run on virtual threads, at most one per
 * instance at a time. Thread-safe.
 *
 * <p>Volumes follow the same way: a running VM's disks are compared with the volumes its
 * instance should have (the driver reads them from the VM itself, so a restarted agent finds
 * what a crash left half done), and the difference is attached, grown or detached. A stopped
 * VM gets its volumes when it starts; until then it is reported as having them. Snapshots of an
 * instance's volumes are its own action too ({@link SnapshotWork}), so a VM never starts while
 * its volume's file is being copied.
 *
 * <p>Self-fencing ({@link LeaseFence}): when no renewal of the host's lease has succeeded for
 * {@code lease - margin}, the agent kills its HA VMs, forgets its desired state, and starts nothing
 * until the lease is back and a complete desired state fetched since says what is still its own.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration LONG_POLL = Duration.ofSeconds(20);
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration RESEND_REPORT = Duration.ofSeconds(15);
    /** How long one pass waits for a guest to let go of a disk; a detach not done by then is tried again next pass. */
    private static final Duration DETACH_WAIT = Duration.ofSeconds(10);
    /** How often the agent checks whether its lease has run out: a small part of the fencing margin. */
    private static final Duration FENCE_CHECK = Duration.ofMillis(100);
    /** How a driver reports a VM it fenced (the QEMU driver's {@code fenced} marker, also the watchdog's). */
    private static final String FENCED_REASON = "Server.HostFenced";

    private final AgentChannel channel;
    private final Hypervisor hypervisor;
    private final AgentConfig config;
    private final RebootLedger reboots;
    private final SnapshotWork snapshots;
    private final DesiredView desired = new DesiredView();
    private final LeaseFence fence;
    /** HA VMs this agent fenced; one whose instance is still this host's once the lease is back is started again. */
    private final Set<String> fenced = ConcurrentHashMap.newKeySet();
    /** Fenced VMs being started again: reported as starting, not stopped, until they run (or fail to start). */
    private final Set<String> restarting = ConcurrentHashMap.newKeySet();
    private final ReportTracker reports = new ReportTracker(RESEND_REPORT);
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, String> failedStarts = new ConcurrentHashMap<>();
    /** The last failure of each volume operation (instance/volume), so that one that keeps failing is logged once. */
    private final Map<String, String> volumeFailures = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ExecutorService actions = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Thread> loops = new ArrayList<>();
    private volatile String hostId;
    /** This host's part in live migrations; absent when the driver cannot migrate. */
    private final Optional<MigrationDuties> migrations;

    public Agent(AgentChannel channel, Hypervisor hypervisor, AgentConfig config) {
        this.channel = channel;
        this.hypervisor = hypervisor;
        this.config = config;
        this.reboots = new RebootLedger(config.stateDir().resolve("reboots"));
        this.snapshots = new SnapshotWork(hypervisor);
        this.fence = new LeaseFence(config.fencing(), Optional.of(config.stateDir().resolve("fence")));
        this.migrations = hypervisor instanceof LiveMigration lm
                ? Optional.of(new MigrationDuties(channel, lm, () -> hostId, actions, inFlight)) : Optional.empty();
    }

    /** Probes the host, registers it (retrying until the control plane answers) and starts the loops. */
    public void start() {
        HostFacts facts = hypervisor.probe();
        HostRegistration reg = new HostRegistration(config.hostName(), hypervisor.name(), facts.accelerator(), config.zone(),
                facts.vcpus(), facts.memoryMib(), facts.diskGib(), facts.architecture());
        if (config.fencing().enabled()) {
            // At once, before the control plane answers: a lease that ran out while this agent was down is gone already.
            loops.add(Thread.ofVirtual().name("agent-fence").start(this::fenceLoop));
        }
        loops.add(Thread.ofVirtual().name("agent-register").start(() -> {
            while (hostId == null && stopped.getCount() > 0) {
                try {
                    long sent = fence.now();
                    hostId = channel.register(reg);
                    fence.renewed(sent);
                } catch (RuntimeException e) {
                    LOG.warn("could not register host {}: {}; retrying", config.hostName(), e.toString());
                    pause(RETRY);
                }
            }
            if (hostId != null) {
                loops.add(Thread.ofVirtual().name("agent-heartbeat").start(this::heartbeatLoop));
                loops.add(Thread.ofVirtual().name("agent-desired").start(this::desiredLoop));
                loops.add(Thread.ofVirtual().name("agent-reconcile").start(this::reconcileLoop));
            }
        }));
    }

    /** The host's ID once registered. */
    public Optional<String> hostId() {
        return Optional.ofNullable(hostId);
    }

    /** True once the agent has registered and fetched its desired state. */
    public boolean isReady() {
        return hostId != null && desired.version() >= 0;
    }

    /** The console tail of one of this host's VMs, when the driver keeps one. */
    public Optional<byte[]> consoleTail(String hostId, String instanceId, int maxBytes) {
        if (!hostId.equals(this.hostId) || !(hypervisor instanceof ConsoleLog console)) {
            return Optional.empty();
        }
        return console.consoleTail(instanceId, maxBytes);
    }

    private void heartbeatLoop() {
        while (stopped.getCount() > 0) {
            try {
                long sent = fence.now();
                channel.heartbeat(hostId);
                fence.renewed(sent);
            } catch (RuntimeException e) {
                LOG.warn("heartbeat failed: {}", e.toString());
            }
            pause(HEARTBEAT);
        }
    }

    private void desiredLoop() {
        while (stopped.getCount() > 0) {
            try {
                long epoch = fence.epoch();
                long started = fence.now();
                DesiredState d = channel.awaitDesired(hostId, desired.version(), LONG_POLL);
                if (!fence.fresh(epoch, started)) {
                    // Fetched across a fence, or before the lease came back: it may list instances restarted elsewhere since.
                    pause(RETRY);
                    continue;
                }
                List<String> changed = desired.apply(d);
                reports.desiredChanged(changed, d.version(), d.complete());
                if (!changed.isEmpty() || d.complete()) {
                    wake.release();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("could not fetch the desired state: {}; retrying", e.toString());
                pause(RETRY);
            }
        }
    }

    /** Kills the HA VMs once the lease has run out, and makes the agent wait for a fresh desired state. */
    private void fenceLoop() {
        while (stopped.getCount() > 0) {
            if (fence.due()) {
                fenceNow();
            }
            pause(FENCE_CHECK);
        }
    }

    void fenceNow() {
        Set<String> ha = fence.fence();
        desired.reset();
        if (!ha.isEmpty()) {
            LOG.warn("host {} lost its lease: fencing its HA instances {}", config.hostName(), ha);
        }
        for (String id : ha) {
            try {
                fenced.add(id);
                hypervisor.fence(id);
            } catch (RuntimeException e) {
                LOG.error("could not fence {}: {}", id, e.toString());
            }
        }
    }

    private void reconcileLoop() {
        while (stopped.getCount() > 0) {
            try {
                wake.tryAcquire(config.tick().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                reconcile();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("reconcile pass failed: {}", e.toString());
            }
        }
    }

    /** One pass: act on every difference between desired and actual, then report what changed. */
    void reconcile() {
        DesiredView.Snapshot d = desired.snapshot();
        if (d.version() < 0) {
            return;
        }
        // Whoever fences must know an HA VM before it starts.
        fence.haInstances(d.instances().stream().filter(DesiredInstance::ha).map(DesiredInstance::instanceId)
                .collect(java.util.stream.Collectors.toSet()));
        Map<String, VmStatus> actual = hypervisor.list();
        Set<String> wanted = ConcurrentHashMap.newKeySet();
        for (DesiredInstance di : d.instances()) {
            wanted.add(di.instanceId());
            Optional<VmStatus> vm = Optional.ofNullable(actual.get(di.instanceId()));
            long applied = reboots.applied(di.instanceId()).orElse(di.rebootGeneration());
            Optional<ReconcileActions.Action> action = restartAfterFence(di, vm)
                    .or(() -> ReconcileActions.decide(di, vm, applied, failedStarts.containsKey(di.instanceId())))
                    .or(() -> ReconcileActions.volumes(di, vm).map(p -> ReconcileActions.Action.VOLUMES))
                    .or(() -> snapshots.needed(di, vm) ? Optional.of(ReconcileActions.Action.SNAPSHOTS) : Optional.empty());
            action.ifPresent(a -> act(di.instanceId(), a, di));
        }
        // A VM this host receives in a migration is kept, though no desired instance owns it yet.
        wanted.addAll(MigrationDuties.incoming(d.migrations()));
        migrations.ifPresent(m -> m.act(d.migrations(), actual));
        // Cleanup: a VM no desired instance owns (terminated, migrated away, or never ours) is destroyed,
        // and so are the files of one that failed to start (the control plane then ends it at once,
        // and the host lists only VMs that started).
        Set<String> gone = new java.util.HashSet<>(actual.keySet());
        gone.addAll(failedStarts.keySet());
        gone.removeIf(wanted::contains);
        gone.forEach(id -> act(id, ReconcileActions.Action.DESTROY, null));
        failedStarts.keySet().removeIf(id -> !wanted.contains(id));
        report(d, hypervisor.list());
    }

    /**
     * A fenced HA VM whose instance this host's fresh desired state still has running: the control
     * plane did not restart it elsewhere (the lease came back within the grace, or no other host had
     * room), and cannot while this host holds the lease, so it starts again here.
     */
    private Optional<ReconcileActions.Action> restartAfterFence(DesiredInstance di, Optional<VmStatus> vm) {
        boolean wasFenced = vm.isPresent() && vm.get().power() == PowerState.STOPPED
                && (fenced.contains(di.instanceId()) || (vm.get().reason() != null && vm.get().reason().startsWith(FENCED_REASON)));
        if (!wasFenced || !di.ha() || di.state() != io.nubo.core.model.InstanceState.RUNNING || !fence.holdsLease()
                || failedStarts.containsKey(di.instanceId())) {
            return Optional.empty();
        }
        if (restarting.add(di.instanceId())) {
            LOG.info("{} was fenced and is still this host's: starting it again", di.instanceId());
        }
        return Optional.of(ReconcileActions.Action.START);
    }

    private void act(String instanceId, ReconcileActions.Action action, DesiredInstance d) {
        if (!inFlight.add(instanceId)) {
            return;
        }
        actions.execute(() -> {
            try {
                switch (action) {
                    case START -> {
                        // The pass decided from a snapshot; a start that finished since must not run again.
                        PowerState now = hypervisor.status(instanceId).map(VmStatus::power).orElse(null);
                        if (now == PowerState.RUNNING || now == PowerState.STARTING) {
                            return;
                        }
                        if (!fence.holdsLease()) {
                            LOG.info("not starting {}: this host holds no lease", instanceId);
                            return;
                        }
                        LOG.info("starting {}", instanceId);
                        reboots.record(instanceId, d.rebootGeneration());
                        hypervisor.start(VmSpec.of(d));
                    }
                    case VOLUMES -> ReconcileActions.volumes(d, hypervisor.status(instanceId)).ifPresent(p -> applyVolumes(instanceId, p));
                    case SNAPSHOTS -> snapshots.run(d, hypervisor.status(instanceId));
                    case STOP -> {
                        LOG.info("stopping {}{}", instanceId, d.forceStop() ? " (forced)" : "");
                        hypervisor.stop(instanceId, d.forceStop(), config.stopTimeout());
                    }
                    case REBOOT -> {
                        LOG.info("rebooting {}", instanceId);
                        hypervisor.reboot(instanceId);
                        reboots.record(instanceId, d.rebootGeneration());
                    }
                    case DESTROY -> {
                        if (d != null && d.keepRootDiskAs() != null && d.state() == io.nubo.core.model.InstanceState.SHUTTING_DOWN) {
                            keepRootDisk(d);
                        }
                        LOG.info("destroying {}", instanceId);
                        hypervisor.destroy(instanceId);
                        deleteSharedRootDisk(d);
                        reboots.forget(instanceId);
                        snapshots.forget(instanceId);
                        fenced.remove(instanceId);
                        restarting.remove(instanceId);
                        failedStarts.remove(instanceId);
                        volumeFailures.keySet().removeIf(k -> k.startsWith(instanceId + "/"));
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("{} of {} failed: {}", action, instanceId, e.getMessage());
                restarting.remove(instanceId);
                if (action == ReconcileActions.Action.START) {
                    failedStarts.put(instanceId, e.getMessage() == null ? e.toString() : e.getMessage());
                }
            } finally {
                inFlight.remove(instanceId);
                wake.release();
            }
        });
    }

    /**
     * Copies the root disk of an instance being terminated, whose volume outlives it, to the
     * volume's file the control plane named: the VM is stopped, the disk copied whole (no backing
     * file) aside, synced, then moved into place, so the file exists only once complete. A copy in
     * place from before a crash or restart is kept. Throws when the copy fails: the instance's files
     * then stay, and the next pass tries again.
     */
    private void keepRootDisk(DesiredInstance d) {
        Path target = Path.of(d.keepRootDiskAs());
        if (Files.exists(target)) {
            return;
        }
        LOG.info("keeping the root disk of {} as {}", d.instanceId(), target);
        hypervisor.stop(d.instanceId(), true, Duration.ZERO);
        Path part = target.resolveSibling(target.getFileName() + ".part");
        if (!(hypervisor instanceof io.nubo.core.spi.RootDiskCopies copies)) {
            throw new IllegalStateException("this host's driver cannot copy a root disk, so it cannot keep " + d.instanceId() + "'s");
        }
        copies.copyRootDisk(d.instanceId(), part, percent -> { });
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
            c.force(true);
            Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not keep the root disk of " + d.instanceId(), e);
        }
    }

    /**
     * A terminated HA instance's root disk on the shared pool goes with it. Only the instance's own
     * host deletes it, when its desired state says to terminate: a host that destroys what is no
     * longer its own (an instance restarted elsewhere) must leave the disk to the host that runs it.
     */
    private static void deleteSharedRootDisk(DesiredInstance d) {
        if (d == null || d.rootDisk() == null || d.state() != io.nubo.core.model.InstanceState.SHUTTING_DOWN) {
            return;
        }
        try {
            Path disk = Path.of(d.rootDisk());
            Files.deleteIfExists(disk);
            Files.deleteIfExists(disk.resolveSibling(disk.getFileName() + ".new"));
            Files.deleteIfExists(disk.getParent());
        } catch (IOException e) {
            LOG.warn("could not delete the shared root disk of {}: {}", d.instanceId(), e.toString());
        }
    }

    /** Attaches, grows and detaches, each on its own: one volume's failure does not hold the others back. */
    private void applyVolumes(String instanceId, ReconcileActions.VolumePlan plan) {
        for (DesiredVolume v : plan.attach()) {
            volumeStep(instanceId, v.volumeId(), "attach", () -> hypervisor.attachVolume(instanceId, v));
        }
        for (DesiredVolume v : plan.grow()) {
            volumeStep(instanceId, v.volumeId(), "grow", () -> hypervisor.resizeVolume(instanceId, v.volumeId(), v.sizeBytes()));
        }
        for (String id : plan.detach()) {
            boolean force = plan.force().contains(id);
            volumeStep(instanceId, id, "detach", () -> {
                if (!hypervisor.detachVolume(instanceId, id, force, DETACH_WAIT)) {
                    LOG.info("{}: the guest has not let go of {} yet; trying again", instanceId, id);
                }
            });
        }
    }

    private void volumeStep(String instanceId, String volumeId, String what, Runnable step) {
        String key = instanceId + "/" + volumeId;
        try {
            LOG.info("{}: {} {}", instanceId, what, volumeId);
            step.run();
            volumeFailures.remove(key);
        } catch (RuntimeException e) {
            String why = what + ": " + e.getMessage();
            if (!why.equals(volumeFailures.put(key, why))) {
                LOG.warn("{}: {} of {} failed: {}", instanceId, what, volumeId, e.getMessage());
            }
        }
    }

    private void report(DesiredView.Snapshot d, Map<String, VmStatus> actual) {
        Map<String, DesiredInstance> desiredById = new HashMap<>();
        d.instances().forEach(i -> desiredById.put(i.instanceId(), i));
        Map<String, ObservedInstance> seen = new HashMap<>();
        actual.values().forEach(vm -> {
            if (vm.power() == PowerState.RUNNING && restarting.remove(vm.instanceId()) | fenced.remove(vm.instanceId())) {
                LOG.info("{} runs again after its fence", vm.instanceId());
            }
        });
        actual.values().forEach(vm -> seen.put(vm.instanceId(), new ObservedInstance(vm.instanceId(),
                restarting.contains(vm.instanceId()) && vm.power() == PowerState.STOPPED ? PowerState.STARTING : vm.power(), vm.reason(), vm.sshHost(),
                vm.sshPort(), volumesOf(vm, desiredById.get(vm.instanceId())), snapshots.observed(vm.instanceId(), desiredById.get(vm.instanceId())))));
        failedStarts.forEach((id, why) -> {
            if (!actual.containsKey(id) || actual.get(id).power() != PowerState.RUNNING) {
                seen.put(id, new ObservedInstance(id, PowerState.FAILED, why));
            }
        });
        Optional<HostReport> r = reports.next(d.version(), seen);
        if (r.isEmpty()) {
            return;
        }
        try {
            channel.report(hostId, r.get());
            reports.sent(r.get(), seen);
        } catch (RuntimeException e) {
            LOG.warn("could not report observed state: {}", e.toString());
        }
    }

    /**
     * The volumes a VM holds: what the driver found in a running VM; for a stopped one, those it
     * will boot with (its instance's desired volumes, with their files' sizes); null when that
     * cannot be told (the VM is starting or stopping, or the driver could not look).
     */
    private static List<ObservedVolume> volumesOf(VmStatus vm, DesiredInstance d) {
        if (vm.power() == PowerState.RUNNING) {
            return vm.volumes();
        }
        if (vm.power() == PowerState.STOPPED && d != null) {
            return d.volumes().stream().map(v -> new ObservedVolume(v.volumeId(), fileSize(v.path()), true)).toList();
        }
        return null;
    }

    private static long fileSize(String path) {
        try {
            return Files.size(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void pause(Duration d) {
        try {
            stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the agent's loops. VMs keep running: they outlive the agent by design. */
    @Override
    public void close() {
        stopped.countDown();
        loops.forEach(Thread::interrupt);
        actions.shutdownNow();
    }
}
