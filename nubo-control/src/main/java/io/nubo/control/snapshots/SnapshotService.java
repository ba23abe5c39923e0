package io.nubo.control.snapshots;

import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.control.quota.QuotaService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Snapshot;
import io.nubo.core.model.SnapshotState;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Tag;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.core.model.VolumeState;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Snapshots: create, describe, copy and delete. Each call validates everything first, then writes
 * the snapshot ({@code pending}), its pool reservation and its events in one transaction, under
 * the account's row lock (the snapshot quotas), and returns; the copy is made by whoever holds
 * the volume's file:
 * <ul>
 *   <li>a volume attached to an instance on a host: that host's agent, from the running VM with a
 *       QMP block job that does not pause the guest (or from the file while the VM is down), told
 *       through the instance's desired state;</li>
 *   <li>a volume nothing holds: the snapshot controller, which copies the file (attaching the
 *       volume waits for that copy: {@code IncorrectState}).</li>
 * </ul>
 * Thread-safe.
 */
public final class SnapshotService {
    public static final int MIN_PAGE = 5;
    public static final int MAX_PAGE = 1000;
    public static final int MAX_DESCRIPTION = 255;

    private final Database db;
    private final Clock clock;
    private final Consumer<Collection<String>> hostsChanged;
    private final Runnable controllerWork;

    public SnapshotService(Database db, Clock clock, Consumer<Collection<String>> hostsChanged, Runnable controllerWork) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
        this.controllerWork = controllerWork;
    }

    /** Starts a snapshot of the caller's volume: {@code pending} until its file is whole. */
    public SnapshotDetails create(Principal caller, String volumeId, Optional<String> description, List<Tag> tags) {
        IdCheck.volumes(List.of(volumeId));
        String text = description(description);
        Tagging.validate(tags);
        String[] host = new String[1];
        SnapshotDetails created = db.inTransaction(s -> {
            Volume seen = s.volumes().find(volumeId, caller.accountId()).orElseThrow(() -> NotFound.volume(volumeId));
            QuotaService.requireSnapshotRoom(s, caller.accountId(), seen.sizeGib());
            // Instances before volumes, as everywhere (an agent's report locks them in that order):
            // the holders are known only from the volume's attachments, so look first, then lock.
            s.volumeAttachments().ofVolume(seen.id()).stream().map(VolumeAttachment::instanceId).sorted().forEach(id -> s.instances().lock(id));
            Volume v = s.volumes().lock(volumeId).filter(x -> x.accountId().equals(caller.accountId()) && x.state() != VolumeState.DELETED)
                    .orElseThrow(() -> NotFound.volume(volumeId));
            io.nubo.store.RootDisks.RootVolume root = s.rootDisks().rootsAmong(List.of(v.id())).get(v.id());
            if (root != null) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION,
                        "Volume %s is the root device of %s: Nubo does not snapshot root volumes; CreateImage captures the instance's disk",
                        v.id(), root.instanceId());
            }
            if (io.nubo.control.volumes.RootVolumes.FORMAT.equals(v.format())) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Volume %s is a kept root volume (qcow2): Nubo does not snapshot it", v.id());
            }
            if (v.state() != VolumeState.AVAILABLE && v.state() != VolumeState.IN_USE) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The volume '%s' is '%s': only an available or in-use volume can be snapshotted.",
                        v.id(), v.state().apiName());
            }
            Optional<Instance> holder = holder(s, v);
            StoragePool pool = reserve(s, v.poolId(), v.sizeBytes());
            Instant now = clock.instant();
            Snapshot x = new Snapshot(Ids.next(Ids.SNAPSHOT), caller.accountId(), v.id(), v.sizeGib(), pool.id(), text, SnapshotState.PENDING,
                    null, 0, holder.map(Instance::id).orElse(null), null, now, now);
            SnapshotLog.created(s, x, (holder.isPresent() ? "block job on " + holder.get().id() : "file copy") + " by " + caller.accessKeyId());
            Tagging.apply(s, caller.accountId(), x.id(), ResourceType.SNAPSHOT, tags);
            holder.ifPresent(i -> {
                s.instances().touchDesired(i.id());
                host[0] = i.hostId();
            });
            return new SnapshotDetails(x, s.tags().forResources(caller.accountId(), List.of(x.id())).getOrDefault(x.id(), List.of()));
        });
        wake(host[0]);
        return created;
    }

    /**
     * The instance whose host must take the snapshot: one the volume is attached to (or being
     * attached to, or detached from: its VM may hold the file) that is placed on a host and not
     * terminated. None: nothing holds the file, and the controller copies it.
     */
    private static Optional<Instance> holder(Store s, Volume v) {
        for (VolumeAttachment a : s.volumeAttachments().ofVolume(v.id())) {
            Optional<Instance> i = s.instances().findAny(a.instanceId())
                    .filter(x -> x.hostId() != null && x.state() != InstanceState.TERMINATED && x.state() != InstanceState.SHUTTING_DOWN);
            if (i.isPresent()) {
                return i;
            }
        }
        return Optional.empty();
    }

    /**
     * Copies a completed snapshot of the caller's to a new one, on {@code poolName} (the source's
     * pool when empty): the controller copies the file.
     */
    public SnapshotDetails copy(Principal caller, String sourceId, Optional<String> description, Optional<String> poolName, List<Tag> tags) {
        IdCheck.snapshots(List.of(sourceId));
        Optional<String> text = description.map(d -> description(Optional.of(d)));
        Tagging.validate(tags);
        SnapshotDetails created = db.inTransaction(s -> {
            Snapshot seen = s.snapshots().find(sourceId, caller.accountId()).orElseThrow(() -> NotFound.snapshot(sourceId));
            QuotaService.requireSnapshotRoom(s, caller.accountId(), seen.volumeSizeGib());
            Snapshot src = s.snapshots().lock(sourceId).filter(x -> x.accountId().equals(caller.accountId()) && x.state().visible())
                    .orElseThrow(() -> NotFound.snapshot(sourceId));
            if (src.state() != SnapshotState.COMPLETED) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "Snapshot '%s' is '%s': only a completed snapshot can be copied.", src.id(),
                        src.state().apiName());
            }
            String poolId = poolName.map(n -> s.storagePools().findByName(n).map(StoragePool::id).orElseThrow(() -> NuboException.of(
                    ErrorCode.INVALID_PARAMETER_VALUE, "There is no storage pool named '%s'", n))).orElse(src.poolId());
            StoragePool pool = reserve(s, poolId, src.sizeBytes());
            Instant now = clock.instant();
            Snapshot x = new Snapshot(Ids.next(Ids.SNAPSHOT), caller.accountId(), src.volumeId(), src.volumeSizeGib(), pool.id(),
                    text.orElse("Copy of " + src.id()), SnapshotState.PENDING, null, 0, null, src.id(), now, now);
            SnapshotLog.created(s, x, "copy of " + src.id() + " to pool " + pool.name() + " by " + caller.accessKeyId());
            Tagging.apply(s, caller.accountId(), x.id(), ResourceType.SNAPSHOT, tags);
            return new SnapshotDetails(x, s.tags().forResources(caller.accountId(), List.of(x.id())).getOrDefault(x.id(), List.of()));
        });
        controllerWork.run();
        return created;
    }

    /**
     * The caller's snapshots, by ID or all, owned by the accounts in {@code owners} ("self" or an
     * account ID; empty: any), that match the filters, in pages of 5 to 1,000 (by ID).
     */
    public Page<SnapshotDetails> describe(Principal caller, List<String> ids, List<String> owners, List<Filter> filters, PageRequest page) {
        IdCheck.snapshots(ids);
        Predicate<SnapshotDetails> matching = SnapshotFilters.SET.compile(filters);
        Paging.checkBounds(page, MIN_PAGE, MAX_PAGE);
        if (!ids.isEmpty() && (page.maxResults().isPresent() || page.nextToken().isPresent())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                    "The parameter snapshotSet cannot be used with the parameter maxResults or nextToken");
        }
        // Every snapshot a caller sees is its own: asking for other owners only ("amazon", another account) finds none.
        boolean own = owners.isEmpty() || owners.stream().anyMatch(o -> o.equals("self") || o.equals(caller.accountId()));
        List<SnapshotDetails> all = db.read(s -> {
            List<Snapshot> found = ids.isEmpty() ? s.snapshots().list(caller.accountId())
                    : s.snapshots().listByIds(caller.accountId(), new HashSet<>(ids));
            List<String> missing = ids.stream().distinct().filter(id -> found.stream().noneMatch(x -> x.id().equals(id))).toList();
            if (!missing.isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_SNAPSHOT_NOT_FOUND, "The snapshot '%s' does not exist.", String.join(", ", missing));
            }
            return details(s, caller.accountId(), found);
        });
        List<SnapshotDetails> visible = own ? all.stream().filter(matching).toList() : List.of();
        return Paging.page(visible, d -> d.snapshot().id(), page, MIN_PAGE, MAX_PAGE);
    }

    public SnapshotDetails get(Principal caller, String snapshotId) {
        IdCheck.snapshots(List.of(snapshotId));
        return db.read(s -> details(s, caller.accountId(), List.of(s.snapshots().find(snapshotId, caller.accountId())
                .orElseThrow(() -> NotFound.snapshot(snapshotId)))).get(0));
    }

    /**
     * Deletes a completed or failed snapshot: gone for the caller at once, its file removed and its
     * space freed by the controller. A pending one is {@code IncorrectState}; one that a volume
     * being created still reads is {@code InvalidSnapshot.InUse}.
     */
    public void delete(Principal caller, String snapshotId) {
        IdCheck.snapshots(List.of(snapshotId));
        // Looked at first without a lock: a pending snapshot's row may be held by the controller's copy.
        Snapshot seen = db.read(s -> s.snapshots().find(snapshotId, caller.accountId())).orElseThrow(() -> NotFound.snapshot(snapshotId));
        if (seen.state() == SnapshotState.PENDING) {
            throw pending(seen);
        }
        db.inTransaction(s -> {
            Snapshot x = s.snapshots().lock(snapshotId).filter(y -> y.accountId().equals(caller.accountId()) && y.state().visible())
                    .orElseThrow(() -> NotFound.snapshot(snapshotId));
            if (x.state() == SnapshotState.PENDING) {
                throw pending(x);
            }
            long readers = s.snapshots().volumesBeingMadeFrom(x.id());
            if (readers > 0) {
                throw NuboException.of(ErrorCode.INVALID_SNAPSHOT_IN_USE, "The snapshot %s is in use: %d volume(s) are being created from it.",
                        x.id(), readers);
            }
            Instant now = clock.instant();
            SnapshotLog.state(s, x, x.with(SnapshotState.DELETING, x.progress(), null, now), "delete by " + caller.accessKeyId());
            s.tags().deleteAll(caller.accountId(), x.id());
            return null;
        });
        controllerWork.run();
    }

    private static NuboException pending(Snapshot x) {
        return NuboException.of(ErrorCode.INCORRECT_STATE, "The snapshot '%s' is still pending: delete it once it has completed.", x.id());
    }

    private static String description(Optional<String> d) {
        String text = d.orElse("");
        if (text.length() > MAX_DESCRIPTION || text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The description must be at most %d characters, without control characters",
                    MAX_DESCRIPTION);
        }
        return text;
    }

    /** Reserves {@code bytes} on the pool (the snapshot's upper bound: a copy of the whole volume). */
    private static StoragePool reserve(Store s, String poolId, long bytes) {
        StoragePool pool = s.storagePools().lock(poolId).orElseThrow(() -> NuboException.of(ErrorCode.INSUFFICIENT_VOLUME_CAPACITY,
                "The storage pool of the snapshot is gone"));
        if (pool.freeBytes() < bytes) {
            throw NuboException.of(ErrorCode.INSUFFICIENT_VOLUME_CAPACITY,
                    "There is not enough capacity on pool %s for a snapshot of %d GiB (%d GiB free)", pool.name(), bytes / Volume.GIB,
                    pool.freeBytes() / Volume.GIB);
        }
        s.storagePools().addUsed(pool.id(), bytes);
        return pool;
    }

    private static List<SnapshotDetails> details(Store s, String accountId, List<Snapshot> snapshots) {
        Map<String, List<Tag>> tags = s.tags().forResources(accountId, snapshots.stream().map(Snapshot::id).toList());
        return snapshots.stream().map(x -> new SnapshotDetails(x, tags.getOrDefault(x.id(), List.of()))).toList();
    }

    private void wake(String hostId) {
        if (hostId != null) {
            hostsChanged.accept(Set.of(hostId));
        } else {
            controllerWork.run();
        }
    }
}
