package io.nubo.control.hosts;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.Migration;
import io.nubo.core.model.Principal;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Live migration, the operator's side: starting one (with a destination chosen by the operator or
 * by the same rules as the scheduler's), reading how it goes, and the watchdog that fails
 * migrations whose agents went quiet. The agents do the work (see {@link MigrationReports}).
 * Thread-safe.
 */
public final class MigrationService {
    /** A migration with no word from either agent for this long is failed (a live source reports every half second). */
    static final Duration QUIET = Duration.ofSeconds(60);
    /** How long the destination may take to start its VM and say where it waits. */
    static final Duration PREPARE = Duration.ofSeconds(120);

    private final Database db;
    private final Clock clock;
    private final Consumer<Set<String>> hostsChanged;

    public MigrationService(Database db, Clock clock, Consumer<Set<String>> hostsChanged) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
    }

    /** Starts live-migrating a running instance (admin); {@code toHost} (an ID or a name) or the scheduler's pick. */
    public Migration start(Principal caller, String instanceId, Optional<String> toHost) {
        IdentityService.requireAdmin(caller);
        Migration m = db.inTransaction(s -> start(s, instanceId, toHost, "by " + caller.accessKeyId(), null, clock.instant()));
        hostsChanged.accept(Set.of(m.destinationHostId()));
        return m;
    }

    /** Starts a migration within the caller's transaction; {@code drainOf} names the drain that asks for it. */
    static Migration start(Store s, String instanceId, Optional<String> toHost, String requestedBy, String drainOf, Instant now) {
        Instance i = s.instances().lock(instanceId)
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_INSTANCE_ID_NOT_FOUND, "The instance ID '%s' does not exist", instanceId));
        if (i.state() != InstanceState.RUNNING || i.hostId() == null) {
            throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                    "The instance '%s' is not running (it is %s); only a running instance is live-migrated", i.id(), i.state().apiName());
        }
        if (i.task() != InstanceTask.NONE) {
            throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE, "The instance '%s' is busy (%s)", i.id(), i.task().apiName());
        }
        Host source = s.hosts().find(i.hostId()).orElseThrow();
        Host destination = destination(s, i, source, toHost);
        s.hosts().allocate(destination.id(), i.vcpus(), i.memoryMib());
        MigrationDisks.reserve(s, i.id(), destination.id());
        Migration m = new Migration(Ids.next(Ids.MIGRATION), i.id(), source.id(), destination.id(), DesiredMigration.State.PREPARING,
                null, null, null, null, null, null, null, null, null, null, requestedBy, drainOf, now, now, null);
        s.migrations().insert(m);
        InstanceLog.record(s, i, InstanceChanges.withTask(i, InstanceTask.MIGRATING, now), false, "instance.migration",
                "live migration " + m.id() + " started " + requestedBy);
        s.events().append(now, null, source.id(), "host.migration", null, "preparing",
                i.id() + " to " + destination.name() + " (" + m.id() + ") " + requestedBy);
        s.hosts().bumpDesired(destination.id());
        return s.migrations().find(m.id()).orElseThrow();
    }

    /**
     * The destination: the one asked for, which must be able to take the instance, or the up host
     * with the most free memory that can (spread, as the scheduler places). A host can take it
     * when it passes the scheduler's filters (room, architecture, accelerator, and its local pool
     * has room for the root disk's copy), runs the same driver, and reaches the volumes' pools.
     */
    private static Host destination(Store s, Instance i, Host source, Optional<String> toHost) {
        Set<String> poolsNeeded = poolsOf(s, i.id());
        Map<String, StoragePool> pools = s.storagePools().list().stream().collect(Collectors.toMap(StoragePool::id, p -> p));
        // The root disk is copied to the destination's local pool, at the size it claims where it is; an HA
        // instance's stays on the shared pool, which the destination opens as it is.
        PlacementNeed launched = new PlacementNeed.Lookup(s, false).of(i);
        PlacementNeed need = i.ha() ? launched.keepingDisk()
                : new PlacementNeed(launched.architecture(), launched.accelerator(), MigrationDisks.bytes(s, i.id()), false, false);
        if (toHost.isPresent()) {
            Host h = s.hosts().findByIdOrName(toHost.get())
                    .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' does not exist", toHost.get()));
            s.hosts().lock(h.id());
            h = s.hosts().find(h.id()).orElseThrow();
            Optional<String> why = unfit(h, i, source, poolsNeeded, pools, need, PoolSpace.lock(s, List.of(h)));
            if (why.isPresent()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The host '%s' cannot take %s: %s", h.name(), i.id(), why.get());
            }
            return h;
        }
        List<Host> up = s.hosts().lockSchedulable();
        PoolSpace space = PoolSpace.lock(s, up);
        return up.stream().filter(h -> unfit(h, i, source, poolsNeeded, pools, need, space).isEmpty())
                .max(Comparator.comparingLong(MigrationService::freeMemory).thenComparing(Host::id))
                .orElseThrow(() -> NuboException.of(ErrorCode.INSUFFICIENT_INSTANCE_CAPACITY,
                        "No other host can take %s (%s): none is up with room, the same driver, %s and %d GiB free for its root disk",
                        i.id(), i.instanceType(), Scheduler.describe(need), Scheduler.gib(need.rootBytes())));
    }

    /** Why a host cannot take the instance, if it cannot. */
    private static Optional<String> unfit(Host h, Instance i, Host source, Set<String> poolsNeeded, Map<String, StoragePool> pools,
                                          PlacementNeed need, PoolSpace space) {
        if (h.id().equals(source.id())) {
            return Optional.of("it is the instance's own host");
        }
        if (h.state() != HostState.UP) {
            return Optional.of("it is " + h.state().apiName());
        }
        if (!h.driver().equals(source.driver())) {
            return Optional.of("it runs the " + h.driver() + " driver, the instance's host " + source.driver());
        }
        if (h.schedulableVcpus() - h.allocatedVcpus() < i.vcpus() || freeMemory(h) < i.memoryMib()) {
            return Optional.of("it has no room for " + i.instanceType());
        }
        if (!HostSlot.runs(h, need)) {
            return Optional.of("it runs " + h.architecture() + " guests with " + h.accelerator() + ", and the instance needs "
                    + Scheduler.describe(need));
        }
        if (!space.fits(h.id(), need)) {
            return Optional.of("its local pool has no room for the instance's " + Scheduler.gib(need.rootBytes()) + " GiB root disk");
        }
        for (String poolId : poolsNeeded) {
            StoragePool p = pools.get(poolId);
            boolean reaches = p != null && (p.kind() == StoragePool.Kind.SHARED
                    || h.id().equals(p.hostId()) || p.mounts().stream().anyMatch(mt -> mt.hostId().equals(h.id())));
            if (!reaches) {
                return Optional.of("it does not reach the storage pool " + poolId + " of the instance's volumes");
            }
        }
        return Optional.empty();
    }

    private static long freeMemory(Host h) {
        return (long) h.schedulableMemoryMib() - h.allocatedMemoryMib();
    }

    private static Set<String> poolsOf(Store s, String instanceId) {
        List<VolumeAttachment> attachments = s.volumeAttachments().ofInstance(instanceId);
        if (attachments.isEmpty()) {
            return Set.of();
        }
        return s.volumes().byIds(attachments.stream().map(VolumeAttachment::volumeId).collect(Collectors.toSet())).stream()
                .map(Volume::poolId).collect(Collectors.toSet());
    }

    /** The latest migration of an instance (admin). */
    public Optional<Migration> latest(Principal caller, String instanceId) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.migrations().latestOf(instanceId));
    }

    /** One migration (admin). */
    public Migration get(Principal caller, String migrationId) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.migrations().find(migrationId))
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The migration '%s' does not exist", migrationId));
    }

    /**
     * Fails the migrations that cannot finish: no word from the agents for {@link #QUIET} (or a
     * destination that never got ready within {@link #PREPARE}), or an instance that stopped
     * running on its source meanwhile. Safe whatever QEMU did: the destination never resumed
     * (it waits for {@code completed}), so cleaning it up loses nothing, and the source resumes
     * its VM when it sees the failure. Returns how many it failed.
     */
    public int watch() {
        Set<String> touched = new HashSet<>();
        int n = db.inTransaction(s -> {
            Instant now = clock.instant();
            int failed = 0;
            for (Migration m : s.migrations().claimActive()) {
                Instance i = s.instances().findAny(m.instanceId()).orElseThrow();
                Optional<String> why = Optional.empty();
                if (i.state() != InstanceState.RUNNING || !m.sourceHostId().equals(i.hostId())) {
                    why = Optional.of("the instance is no longer running on its source (" + i.state().apiName() + ")");
                } else if (m.state() == DesiredMigration.State.PREPARING && m.createdAt().plus(PREPARE).isBefore(now)) {
                    why = Optional.of("the destination did not get ready within " + PREPARE.toSeconds() + " s");
                } else if (m.updatedAt().plus(QUIET).isBefore(now)) {
                    why = Optional.of("no word from the agents for " + QUIET.toSeconds() + " s");
                }
                if (why.isPresent()) {
                    MigrationReports.fail(s, m, null, why.get(), now);
                    touched.add(m.sourceHostId());
                    touched.add(m.destinationHostId());
                    failed++;
                }
            }
            return failed;
        });
        if (!touched.isEmpty()) {
            hostsChanged.accept(touched);
        }
        return n;
    }
}
