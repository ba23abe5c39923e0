package io.nubo.control.volumes;

import io.nubo.control.compute.ComputeService;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.control.quota.QuotaService;
import io.nubo.control.storage.StoragePoolService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.AttachmentState;
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
import io.nubo.core.model.VolumeType;
import io.nubo.store.ClientTokens;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Volumes: create, describe, delete, attach, detach and grow. Each call validates everything
 * first, then writes the desired state and its events in one transaction and returns; the volume
 * controller makes and deletes files, and the agents attach and detach. Attaching, detaching or
 * growing an attached volume changes its instances' desired state, so their hosts hear of it at
 * once.
 *
 * <p>Locks are taken in one order, instances before volumes (as the agents' reports do), so that
 * two transactions never wait for each other in a cycle. Thread-safe.
 */
public final class VolumeService {
    public static final int MIN_PAGE = 5;
    public static final int MAX_PAGE = 500;
    private static final String CREATE = "CreateVolume";

    private final Database db;
    private final Clock clock;
    private final Consumer<Collection<String>> hostsChanged;
    private final Runnable controllerWork;

    public VolumeService(Database db, Clock clock, Consumer<Collection<String>> hostsChanged, Runnable controllerWork) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
        this.controllerWork = controllerWork;
    }

    /** Records a new volume ({@code creating}) on the shared pool and reserves its size there; the controller makes its file. */
    public VolumeDetails create(Principal caller, CreateVolumeRequest r) {
        r.snapshotId().ifPresent(id -> IdCheck.snapshots(List.of(id)));
        Optional<Integer> snapshotGib = r.snapshotId().map(id -> db.read(s -> usableSnapshot(s, caller, id)).volumeSizeGib());
        VolumeRules.Shape shape = VolumeRules.create(r, snapshotGib);
        r.clientToken().filter(t -> t.isEmpty() || t.length() > 64).ifPresent(t -> {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The client token must be 1 to 64 characters");
        });
        VolumeDetails created = db.inTransaction(s -> {
            Optional<VolumeDetails> earlier = replay(s, caller, r);
            if (earlier.isPresent()) {
                return earlier.get();
            }
            QuotaService.requireVolumeRoom(s, caller.accountId(), 1, shape.sizeGib());
            // Held (FOR UPDATE) until the volume's row says it is made from it: DeleteSnapshot then sees InvalidSnapshot.InUse.
            Optional<Snapshot> source = r.snapshotId().map(id -> {
                s.snapshots().lock(id);
                return usableSnapshot(s, caller, id);
            });
            Instant now = clock.instant();
            long bytes = shape.sizeGib() * Volume.GIB;
            StoragePool pool = poolWithRoom(s, bytes);
            Volume v = new Volume(Ids.next(Ids.VOLUME), caller.accountId(), shape.zone(), shape.sizeGib(), shape.type(), shape.iops(),
                    shape.throughput(), r.multiAttach(), pool.id(), "raw", VolumeState.CREATING, null, now, now, null);
            s.volumes().insert(v);
            source.ifPresent(x -> s.volumes().setSnapshot(v.id(), x.id()));
            s.storagePools().addUsed(pool.id(), bytes);
            Tagging.apply(s, caller.accountId(), v.id(), ResourceType.VOLUME, r.tags());
            s.events().append(now, caller.accountId(), v.id(), "volume.state", null, VolumeState.CREATING.apiName(),
                    shape.sizeGib() + " GiB " + shape.type().apiName() + (r.multiAttach() ? " multi-attach" : "")
                            + source.map(x -> " from " + x.id()).orElse("") + " by " + caller.accessKeyId());
            r.clientToken().ifPresent(t -> s.clientTokens().insert(caller.accountId(), CREATE, t, new ClientTokens.Entry(r.fingerprint(), v.id()),
                    now));
            return new VolumeDetails(v, List.of(), s.tags().forResources(caller.accountId(), List.of(v.id())).getOrDefault(v.id(), List.of()),
                    source.map(Snapshot::id).orElse(null));
        });
        controllerWork.run();
        return created;
    }

    /** The caller's completed snapshot a volume can be made from: NotFound if not the caller's, IncorrectState unless completed. */
    private static Snapshot usableSnapshot(Store s, Principal caller, String snapshotId) {
        Snapshot x = s.snapshots().find(snapshotId, caller.accountId()).orElseThrow(() -> NotFound.snapshot(snapshotId));
        if (x.state() != SnapshotState.COMPLETED) {
            throw NuboException.of(ErrorCode.INCORRECT_STATE, "Snapshot '%s' is '%s': a volume can be made only from a completed snapshot.",
                    x.id(), x.state().apiName());
        }
        return x;
    }

    /** The volume an earlier request with the same token made; a different request with it is {@code IdempotentParameterMismatch}. */
    private Optional<VolumeDetails> replay(Store s, Principal caller, CreateVolumeRequest r) {
        if (r.clientToken().isEmpty()) {
            return Optional.empty();
        }
        String token = r.clientToken().get();
        s.clientTokens().lock(caller.accountId(), CREATE, token);
        return s.clientTokens().find(caller.accountId(), CREATE, token).map(e -> {
            if (!e.requestHash().equals(r.fingerprint())) {
                throw NuboException.of(ErrorCode.IDEMPOTENT_PARAMETER_MISMATCH, "The client token '%s' was already used for a different request",
                        token);
            }
            Volume first = s.volumes().findAny(e.resultId()).orElseThrow();
            return details(s, caller.accountId(), List.of(first)).get(0);
        });
    }

    /**
     * The volumes on the shared pool: the pool every host reaches, so that a volume can follow
     * its instance to any host. (Volumes on a host's local pool are not offered yet.)
     */
    private static StoragePool poolWithRoom(Store s, long bytes) {
        StoragePool shared = s.storagePools().findByName(StoragePoolService.SHARED).flatMap(p -> s.storagePools().lock(p.id()))
                .orElseThrow(() -> NuboException.of(ErrorCode.INSUFFICIENT_VOLUME_CAPACITY, "There is no shared storage pool to hold volumes"));
        if (shared.freeBytes() < bytes) {
            throw NuboException.of(ErrorCode.INSUFFICIENT_VOLUME_CAPACITY,
                    "There is not enough capacity to fulfill your EBS volume provision request (the pool has %d GiB free)",
                    shared.freeBytes() / Volume.GIB);
        }
        return shared;
    }

    /** The caller's volumes, by ID or all, that match the filters, in pages of 5 to 500 (by ID). */
    public Page<VolumeDetails> describe(Principal caller, List<String> ids, List<Filter> filters, PageRequest page) {
        IdCheck.volumes(ids);
        Predicate<VolumeDetails> matching = VolumeFilters.SET.compile(filters);
        Paging.checkBounds(page, MIN_PAGE, MAX_PAGE);
        if (!ids.isEmpty() && (page.maxResults().isPresent() || page.nextToken().isPresent())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                    "The parameter volumeSet cannot be used with the parameter maxResults or nextToken");
        }
        List<VolumeDetails> all = db.read(s -> {
            List<Volume> volumes = ids.isEmpty() ? s.volumes().list(caller.accountId())
                    : s.volumes().listByIds(caller.accountId(), new HashSet<>(ids));
            List<String> missing = ids.stream().distinct().filter(id -> volumes.stream().noneMatch(v -> v.id().equals(id))).toList();
            if (!missing.isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_VOLUME_NOT_FOUND, "The volume '%s' does not exist.", String.join(", ", missing));
            }
            return details(s, caller.accountId(), volumes);
        });
        return Paging.page(all.stream().filter(matching).toList(), d -> d.volume().id(), page, MIN_PAGE, MAX_PAGE);
    }

    /** The caller's volumes that were ever modified (DescribeVolumesModifications), by ID or all, filtered, in pages of 5 to 500. */
    public Page<Volume> modifications(Principal caller, List<String> ids, List<Filter> filters, PageRequest page) {
        IdCheck.volumes(ids);
        Predicate<Volume> matching = VolumeFilters.MODIFICATIONS.compile(filters);
        Paging.checkBounds(page, MIN_PAGE, MAX_PAGE);
        List<Volume> volumes = db.read(s -> {
            List<Volume> found = ids.isEmpty() ? s.volumes().list(caller.accountId()) : s.volumes().listByIds(caller.accountId(), new HashSet<>(ids));
            List<String> missing = ids.stream().distinct().filter(id -> found.stream().noneMatch(v -> v.id().equals(id))).toList();
            if (!missing.isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_VOLUME_NOT_FOUND, "The volume '%s' does not exist.", String.join(", ", missing));
            }
            return found;
        });
        return Paging.page(volumes.stream().filter(v -> v.modification() != null).filter(matching).toList(), Volume::id, page, MIN_PAGE,
                MAX_PAGE);
    }

    public VolumeDetails get(Principal caller, String volumeId) {
        IdCheck.volumes(List.of(volumeId));
        return db.read(s -> details(s, caller.accountId(), List.of(s.volumes().find(volumeId, caller.accountId())
                .orElseThrow(() -> NotFound.volume(volumeId)))).get(0));
    }

    /** Deletes a volume nothing has attached: {@code deleting} now, its file removed and its space freed by the controller. */
    public void delete(Principal caller, String volumeId) {
        IdCheck.volumes(List.of(volumeId));
        db.inTransaction(s -> {
            Volume v = lockOwned(s, caller, volumeId);
            rootOf(s, v).ifPresent(i -> {
                throw NuboException.of(ErrorCode.VOLUME_IN_USE, "Volume %s is currently attached to %s", v.id(), i);
            });
            List<VolumeAttachment> attachments = s.volumeAttachments().ofVolume(v.id());
            if (!attachments.isEmpty()) {
                throw NuboException.of(ErrorCode.VOLUME_IN_USE, "Volume %s is currently attached to %s", v.id(), attachments.get(0).instanceId());
            }
            if (v.state() == VolumeState.DELETING) {
                return null;
            }
            if (v.state() != VolumeState.AVAILABLE && v.state() != VolumeState.ERROR) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The volume '%s' is '%s' and cannot be deleted now.", v.id(),
                        v.state().apiName());
            }
            if (!s.snapshots().pendingOfVolume(v.id()).isEmpty()) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The volume '%s' has a snapshot in progress and cannot be deleted now.", v.id());
            }
            Instant now = clock.instant();
            VolumeLog.state(s, v, withState(v, VolumeState.DELETING, now), "delete by " + caller.accessKeyId());
            s.tags().deleteAll(caller.accountId(), v.id());
            return null;
        });
        controllerWork.run();
    }

    /**
     * Attaches a volume to a running or stopped instance as {@code device}: {@code attaching}
     * until the instance's host reports the disk in the VM (a stopped instance gets it at its
     * next start).
     */
    public VolumeAttachment attach(Principal caller, String volumeId, String instanceId, String device) {
        IdCheck.volumes(List.of(volumeId));
        IdCheck.instances(List.of(instanceId));
        VolumeRules.device(device);
        Instance[] target = new Instance[1];
        VolumeAttachment attached = db.inTransaction(s -> {
            // The volume is looked up first, without a lock (instances are locked before volumes).
            s.volumes().find(volumeId, caller.accountId()).orElseThrow(() -> NotFound.volume(volumeId));
            Instance i = lockVisibleInstance(s, caller, instanceId);
            Volume v = lockOwned(s, caller, volumeId);
            if (i.state() != InstanceState.RUNNING && i.state() != InstanceState.STOPPED) {
                throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                        "Instance '%s' is not 'running' or 'stopped' (it is %s): volumes attach only to those.", i.id(), i.state().apiName());
            }
            if (!v.zone().equals(i.zone())) {
                throw NuboException.of(ErrorCode.INVALID_VOLUME_ZONE_MISMATCH,
                        "The volume '%s' is not in the same availability zone as instance '%s'", v.id(), i.id());
            }
            List<VolumeAttachment> ofVolume = s.volumeAttachments().ofVolume(v.id());
            if (v.state() == VolumeState.IN_USE && !v.multiAttach()) {
                throw NuboException.of(ErrorCode.VOLUME_IN_USE, "%s is already attached to an instance", v.id());
            }
            if (v.state() != VolumeState.AVAILABLE && v.state() != VolumeState.IN_USE) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "%s is not 'available'.", v.id());
            }
            if (s.snapshots().pendingOfVolume(v.id()).stream().anyMatch(x -> x.copier() == null)) {
                // The controller is copying its file: a VM writing to it now would tear the snapshot.
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The volume '%s' has a snapshot in progress; attach it once it completes.",
                        v.id());
            }
            if (ofVolume.stream().anyMatch(a -> a.instanceId().equals(i.id()))) {
                throw NuboException.of(ErrorCode.VOLUME_IN_USE, "%s is already attached to instance %s", v.id(), i.id());
            }
            if (ofVolume.size() >= VolumeRules.MAX_MULTI_ATTACH) {
                throw NuboException.of(ErrorCode.ATTACHMENT_LIMIT_EXCEEDED,
                        "The volume %s is attached to %d instances, the most a Multi-Attach volume can be.", v.id(), ofVolume.size());
            }
            requireReachable(s, v, i);
            List<VolumeAttachment> ofInstance = s.volumeAttachments().ofInstance(i.id());
            if (ofInstance.stream().anyMatch(a -> a.device().equals(device))) {
                throw VolumeRules.deviceInUse(device);
            }
            if (ofInstance.size() >= VolumeRules.MAX_VOLUMES_PER_INSTANCE) {
                throw NuboException.of(ErrorCode.ATTACHMENT_LIMIT_EXCEEDED, "Instance %s has %d volumes attached, the most it can have.",
                        i.id(), ofInstance.size());
            }
            Instant now = clock.instant();
            VolumeAttachment a = new VolumeAttachment(v.id(), i.id(), device, AttachmentState.ATTACHING, false, false, now, now);
            s.volumeAttachments().insert(a);
            VolumeLog.attachment(s, v.accountId(), null, a, "to " + i.id() + " as " + device + " by " + caller.accessKeyId());
            if (v.state() == VolumeState.AVAILABLE) {
                VolumeLog.state(s, v, withState(v, VolumeState.IN_USE, now), "attached to " + i.id());
            }
            touchDesired(s, i);
            target[0] = i;
            return a;
        });
        notifyHost(target[0]);
        return attached;
    }

    /**
     * Starts detaching a volume: {@code detaching} until the host reports the disk gone from the
     * VM. {@code instanceId} is needed only when a multi-attach volume has several attachments;
     * {@code force} does not wait for the guest to let go. Detaching again is harmless, and may
     * add {@code force}.
     */
    public VolumeAttachment detach(Principal caller, String volumeId, Optional<String> instanceId, Optional<String> device, boolean force) {
        IdCheck.volumes(List.of(volumeId));
        instanceId.ifPresent(id -> IdCheck.instances(List.of(id)));
        Instance[] target = new Instance[1];
        VolumeAttachment detaching = db.inTransaction(s -> {
            // Instances before volumes: the attached instances are known only from the volume, so look first, then lock.
            List<VolumeAttachment> seen = s.volumes().find(volumeId, caller.accountId()).map(v -> s.volumeAttachments().ofVolume(v.id()))
                    .orElseThrow(() -> NotFound.volume(volumeId));
            instanceId.ifPresent(id -> {
                if (s.instances().find(id, caller.accountId(), visibleSince()).isEmpty()) {
                    throw NotFound.instances(List.of(id));
                }
            });
            Map<String, Instance> locked = new java.util.HashMap<>();
            seen.stream().map(VolumeAttachment::instanceId).sorted().forEach(id -> s.instances().lock(id).ifPresent(x -> locked.put(id, x)));
            Volume v = lockOwned(s, caller, volumeId);
            rootOf(s, v).ifPresent(i -> {
                throw NuboException.of(ErrorCode.INCORRECT_STATE,
                        "Unable to detach root volume '%s' from instance '%s': it goes with its instance (delete on termination)", v.id(), i);
            });
            List<VolumeAttachment> attachments = s.volumeAttachments().ofVolume(v.id());
            if (attachments.isEmpty()) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "Volume '%s' is in the '%s' state.", v.id(), v.state().apiName());
            }
            VolumeAttachment a = chooseAttachment(v, attachments, instanceId, device);
            if (a.state() == AttachmentState.DETACHING && (a.forceDetach() || !force)) {
                return a;
            }
            Instance i = locked.containsKey(a.instanceId()) ? locked.get(a.instanceId()) : s.instances().lock(a.instanceId()).orElseThrow();
            Instant now = clock.instant();
            VolumeAttachment after = new VolumeAttachment(a.volumeId(), a.instanceId(), a.device(), AttachmentState.DETACHING,
                    a.deleteOnTermination(), force, a.attachedAt(), now);
            s.volumeAttachments().update(after);
            VolumeLog.attachment(s, v.accountId(), a, after, "from " + i.id() + (force ? " (forced)" : "") + " by " + caller.accessKeyId());
            touchDesired(s, i);
            target[0] = i;
            return after;
        });
        notifyHost(target[0]);
        return detaching;
    }

    private static VolumeAttachment chooseAttachment(Volume v, List<VolumeAttachment> attachments, Optional<String> instanceId,
                                                     Optional<String> device) {
        VolumeAttachment a;
        if (instanceId.isPresent()) {
            a = attachments.stream().filter(x -> x.instanceId().equals(instanceId.get())).findFirst().orElseThrow(() -> NuboException.of(
                    ErrorCode.INVALID_ATTACHMENT_NOT_FOUND, "The volume '%s' is not attached to instance '%s'.", v.id(), instanceId.get()));
        } else if (attachments.size() > 1) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                    "The volume '%s' is attached to %d instances: give the InstanceId to detach it from.", v.id(), attachments.size());
        } else {
            a = attachments.get(0);
        }
        if (device.isPresent() && !device.get().equals(a.device())) {
            throw NuboException.of(ErrorCode.INVALID_ATTACHMENT_NOT_FOUND, "The volume '%s' is not attached to instance '%s' as '%s'.",
                    v.id(), a.instanceId(), device.get());
        }
        return a;
    }

    /**
     * Grows a volume (and may change its type, IOPS and throughput). The new size is reserved on
     * its pool at once; the file and the guests follow: {@code modifying} until every VM that
     * holds it sees the new size (an unattached volume's file is grown by the controller).
     */
    public Volume modify(Principal caller, String volumeId, ModifyVolumeRequest r) {
        IdCheck.volumes(List.of(volumeId));
        if (r.sizeGib().isEmpty() && r.type().isEmpty() && r.iops().isEmpty() && r.throughput().isEmpty() && r.multiAttach().isEmpty()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid input: Must specify at least one of size, type, iops, throughput or multi-attach.");
        }
        VolumeRules.positive("size", r.sizeGib());
        VolumeRules.positive("iops", r.iops());
        VolumeRules.positive("throughput", r.throughput());
        Optional<VolumeType> newType = r.type().map(t -> VolumeRules.type(t, "modification"));
        List<Instance> touched = new ArrayList<>();
        Volume modified = db.inTransaction(s -> {
            Optional<Volume> before = s.volumes().find(volumeId, caller.accountId());
            if (before.isPresent() && r.sizeGib().isPresent() && r.sizeGib().get() > before.get().sizeGib()) {
                // The account first, as a create locks it: a growth counts against the volume GiB quota.
                QuotaService.requireVolumeRoom(s, caller.accountId(), 0, r.sizeGib().get() - before.get().sizeGib());
            }
            List<VolumeAttachment> seen = s.volumes().find(volumeId, caller.accountId()).map(v -> s.volumeAttachments().ofVolume(v.id()))
                    .orElseThrow(() -> NotFound.volume(volumeId));
            List<Instance> instances = new ArrayList<>();
            seen.stream().map(VolumeAttachment::instanceId).sorted().forEach(id -> s.instances().lock(id).ifPresent(instances::add));
            Volume v = lockOwned(s, caller, volumeId);
            rootOf(s, v).ifPresent(i -> {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION,
                        "Volume %s is the root device of %s: Nubo sizes a root volume at launch (BlockDeviceMapping), not afterwards", v.id(), i);
            });
            if (RootVolumes.FORMAT.equals(v.format())) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Volume %s is a kept root volume (qcow2): Nubo does not modify it", v.id());
            }
            if (v.state() != VolumeState.AVAILABLE && v.state() != VolumeState.IN_USE) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "Volume %s must be in the available or in-use state to be modified.", v.id());
            }
            if (v.modification() != null && Volume.Modification.MODIFYING.equals(v.modification().state())) {
                throw NuboException.of(ErrorCode.INCORRECT_MODIFICATION_STATE, "Volume %s cannot be modified in modification state MODIFYING",
                        v.id());
            }
            if (r.multiAttach().isPresent() && r.multiAttach().get() != v.multiAttach()) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo cannot turn multi-attach %s on an existing volume",
                        v.multiAttach() ? "off" : "on");
            }
            int size = r.sizeGib().orElse(v.sizeGib());
            if (size < v.sizeGib()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "New size cannot be smaller than existing size");
            }
            VolumeType type = newType.orElse(v.type());
            VolumeRules.size(type, size);
            VolumeRules.multiAttach(type, v.multiAttach());
            Optional<Integer> iopsAsked = r.iops().or(() -> type == v.type() ? Optional.ofNullable(v.iops()) : Optional.empty());
            VolumeRules.performanceParameters(type, iopsAsked, r.throughput());
            Integer iops = VolumeRules.iops(type, size, iopsAsked);
            Integer throughput = VolumeRules.throughput(type, iops,
                    r.throughput().or(() -> type == v.type() ? Optional.ofNullable(v.throughput()) : Optional.empty()));
            long grow = (size - v.sizeGib()) * Volume.GIB;
            if (grow > 0) {
                StoragePool pool = s.storagePools().lock(v.poolId()).orElseThrow();
                if (pool.freeBytes() < grow) {
                    throw NuboException.of(ErrorCode.INSUFFICIENT_VOLUME_CAPACITY,
                            "There is not enough capacity to fulfill your EBS volume provision request (the pool has %d GiB free)",
                            pool.freeBytes() / Volume.GIB);
                }
                s.storagePools().addUsed(pool.id(), grow);
            }
            Instant now = clock.instant();
            // Only a bigger size has anything to do on disk; a new type, IOPS or throughput is a record.
            boolean pending = grow > 0;
            Volume.Modification m = new Volume.Modification(pending ? Volume.Modification.MODIFYING : Volume.Modification.COMPLETED,
                    v.sizeGib(), size, v.type(), type, now, pending ? null : now);
            Volume after = new Volume(v.id(), v.accountId(), v.zone(), size, type, iops, throughput, v.multiAttach(), v.poolId(), v.format(),
                    v.state(), v.stateReason(), v.createdAt(), now, m);
            s.volumes().update(after);
            s.events().append(now, v.accountId(), v.id(), "volume.modified", v.sizeGib() + " GiB " + v.type().apiName(),
                    size + " GiB " + type.apiName(), "by " + caller.accessKeyId());
            if (pending) {
                for (Instance i : instances) {
                    touchDesired(s, i);
                    touched.add(i);
                }
            }
            return after;
        });
        touched.forEach(this::notifyHost);
        controllerWork.run();
        return modified;
    }

    private List<VolumeDetails> details(Store s, String accountId, List<Volume> volumes) {
        List<String> ids = volumes.stream().map(Volume::id).toList();
        Map<String, List<VolumeAttachment>> attachments = new java.util.HashMap<>(s.volumeAttachments().ofVolumes(ids));
        s.rootDisks().rootsAmong(ids).forEach((id, root) -> attachments.put(id, List.of(RootVolumes.attachment(root))));
        Map<String, List<Tag>> tags = s.tags().forResources(accountId, ids);
        Map<String, String> snapshots = s.volumes().snapshotsOf(ids);
        return volumes.stream().map(v -> new VolumeDetails(v, attachments.getOrDefault(v.id(), List.of()), tags.getOrDefault(v.id(), List.of()),
                snapshots.get(v.id()))).toList();
    }

    /** The instance whose root device the volume is, if it is one. */
    static Optional<String> rootOf(Store s, Volume v) {
        return Optional.ofNullable(s.rootDisks().rootsAmong(List.of(v.id())).get(v.id())).map(io.nubo.store.RootDisks.RootVolume::instanceId);
    }

    private static Volume lockOwned(Store s, Principal caller, String volumeId) {
        return s.volumes().lock(volumeId).filter(v -> v.accountId().equals(caller.accountId()) && v.state() != VolumeState.DELETED)
                .orElseThrow(() -> NotFound.volume(volumeId));
    }

    /**
     * Sets whether the volumes at these devices of the instance go with it when it is terminated
     * (ModifyInstanceAttribute's BlockDeviceMapping), all or none: its root volume (by any root
     * device name) or attached ones. Only while the instance is pending, running, stopping or
     * stopped: its termination reads the setting.
     */
    public void setDeleteOnTermination(Principal caller, String instanceId, Map<String, Boolean> byDevice) {
        IdCheck.instances(List.of(instanceId));
        db.inTransaction(s -> {
            Instance i = lockVisibleInstance(s, caller, instanceId);
            if (i.state() == InstanceState.SHUTTING_DOWN || i.state() == InstanceState.TERMINATED) {
                throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE, "The instance '%s' is %s: its volumes' settings are final.",
                        i.id(), i.state().apiName());
            }
            List<VolumeAttachment> attached = s.volumeAttachments().ofInstance(i.id());
            Map<VolumeAttachment, Boolean> changes = new java.util.LinkedHashMap<>();
            byDevice.forEach((device, dot) -> {
                if (!VolumeRules.isRootDevice(device)) {
                    changes.put(attached.stream().filter(x -> x.device().equals(device)).findFirst().orElseThrow(() -> NuboException.of(
                            ErrorCode.INVALID_PARAMETER_VALUE, "The instance '%s' has no volume at %s", i.id(), device)), dot);
                }
            });
            Instant now = clock.instant();
            byDevice.entrySet().stream().filter(e -> VolumeRules.isRootDevice(e.getKey())).findFirst().ifPresent(e -> {
                s.rootDisks().setDeleteOnTermination(i.id(), e.getValue());
                s.events().append(now, i.accountId(), i.id(), "instance.attribute", null, null,
                        "root volume delete on termination: " + e.getValue() + " by " + caller.accessKeyId());
            });
            // Volumes locked in ID order, as everywhere.
            for (var c : changes.entrySet().stream().sorted(java.util.Comparator.comparing(e -> e.getKey().volumeId())).toList()) {
                VolumeAttachment a = c.getKey();
                Volume v = lockOwned(s, caller, a.volumeId());
                VolumeAttachment after = new VolumeAttachment(a.volumeId(), a.instanceId(), a.device(), a.state(), c.getValue(),
                        a.forceDetach(), a.attachedAt(), now);
                s.volumeAttachments().update(after);
                VolumeLog.attachment(s, v.accountId(), a, after, "delete on termination: " + c.getValue() + " by " + caller.accessKeyId());
            }
            return null;
        });
    }

    private Instance lockVisibleInstance(Store s, Principal caller, String instanceId) {
        return s.instances().lock(instanceId).filter(x -> x.accountId().equals(caller.accountId()))
                .filter(x -> x.terminatedAt() == null || !x.terminatedAt().isBefore(visibleSince()))
                .orElseThrow(() -> NotFound.instances(List.of(instanceId)));
    }

    /** A volume on a host's local pool can be used only on that host; the shared pool is everywhere. */
    private static void requireReachable(Store s, Volume v, Instance i) {
        StoragePool pool = s.storagePools().find(v.poolId()).orElseThrow();
        if (pool.kind() == StoragePool.Kind.LOCAL && !pool.hostId().equals(i.hostId())) {
            throw NuboException.of(ErrorCode.INCORRECT_STATE, "The volume '%s' is on the local storage of another host than instance '%s'",
                    v.id(), i.id());
        }
    }

    /** Tells the instance's host that its desired state changed: a new version, which its agent fetches. */
    static void touchDesired(Store s, Instance i) {
        if (i.hostId() != null) {
            s.instances().updateAll(List.of(i), Set.of(i.id()));
        }
    }

    private void notifyHost(Instance i) {
        if (i != null && i.hostId() != null) {
            hostsChanged.accept(Set.of(i.hostId()));
        }
    }

    static Volume withState(Volume v, VolumeState state, Instant now) {
        return new Volume(v.id(), v.accountId(), v.zone(), v.sizeGib(), v.type(), v.iops(), v.throughput(), v.multiAttach(), v.poolId(),
                v.format(), state, state == VolumeState.ERROR ? v.stateReason() : null, v.createdAt(), now, v.modification());
    }

    private Instant visibleSince() {
        return clock.instant().minus(ComputeService.TERMINATED_VISIBILITY);
    }
}
