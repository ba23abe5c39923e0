package io.nubo.control.volumes;

import io.nubo.control.storage.StoragePoolService;
import io.nubo.core.Ids;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Instance;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.core.model.AttachmentState;
import io.nubo.core.model.VolumeState;
import io.nubo.store.Events;
import io.nubo.store.RootDisks;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Root volumes: an instance's root disk as an EBS-style volume. It is made when a placement claims
 * the disk's pool space ({@code in-use} from the start: the disk is the instance's from its first
 * boot). When the claim is released (the instance terminated, or restarted elsewhere on a new
 * disk) the volume is deleted, since its file, the instance's qcow2 overlay, goes with the
 * instance; unless it was to outlive it (DeleteOnTermination=false) and its instance was
 * terminated: its host then copied the disk whole onto the shared pool as the volume's file before
 * it reported the instance gone, and the volume is {@code available} there like any other. Each
 * change is in the volume's event log, which the billing meters read. Stateless.
 */
public final class RootVolumes {
    /** The device a root disk is to its guest, as instances and images describe it. */
    public static final String DEVICE = io.nubo.store.InstancePages.ROOT_DEVICE;
    /** A root volume's file format, as an instance's disk and as the standalone copy a kept one becomes. */
    public static final String FORMAT = "qcow2";

    private RootVolumes() {
    }

    /** Claims these root disks, each with a new volume, and logs the volumes' creation. */
    public static void claim(Store s, List<RootDisks.Claim> claims, Map<String, Instance> instances, Instant now) {
        if (claims.isEmpty()) {
            return;
        }
        List<RootDisks.NewVolume> volumes = new ArrayList<>();
        List<Events.New> events = new ArrayList<>();
        for (RootDisks.Claim c : claims) {
            Instance i = instances.get(c.instanceId());
            RootDisks.NewVolume v = new RootDisks.NewVolume(Ids.next(Ids.VOLUME), i.id(), i.accountId(), i.zone(), c.sizeGib());
            volumes.add(v);
            events.add(new Events.New(now, i.accountId(), v.volumeId(), "volume.state", null, VolumeState.IN_USE.apiName(),
                    v.sizeGib() + " GiB gp3 root device of " + i.id()));
        }
        s.rootDisks().claimAll(claims, volumes, now);
        s.events().appendAll(events);
    }

    /**
     * Releases these instances' root disks. Their volumes are deleted, as their files are with the
     * instances, except those kept ({@code terminated}: their hosts copied them to the shared pool).
     */
    public static void release(Store s, Collection<String> instanceIds, boolean terminated, Instant now) {
        Map<String, Boolean> deleted = new java.util.HashMap<>();
        s.rootDisks().releaseAll(instanceIds).forEach(r -> deleted.put(r.volumeId(), r.deleteOnTermination() || !terminated));
        Optional<StoragePool> shared = deleted.containsValue(false) ? s.storagePools().findByName(StoragePoolService.SHARED) : Optional.empty();
        for (Volume v : s.volumes().lockAll(deleted.keySet())) {
            // The host copies the disk before it reports the instance gone; an instance that never ran has no disk to keep.
            if (deleted.get(v.id()) || !copiedToShared(shared, v)) {
                VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.DELETED, now), deleted.get(v.id())
                        ? "its instance is gone (delete on termination)" : "its instance is gone, and no copy of its disk was kept (it never ran, or there is no shared pool)");
                s.tags().deleteAll(v.accountId(), v.id());
            } else {
                s.volumes().moveToPool(v.id(), shared.get().id());
                s.storagePools().addUsed(shared.get().id(), v.sizeBytes());
                VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.AVAILABLE, now),
                        "its instance was terminated; kept on the shared pool (DeleteOnTermination=false)");
            }
        }
    }

    private static boolean copiedToShared(Optional<StoragePool> shared, Volume v) {
        return shared.isPresent() && java.nio.file.Files.isRegularFile(VolumeFiles.file(java.nio.file.Path.of(shared.get().path()), v.id(), FORMAT));
    }

    /** The attachment a root volume shows: its instance's root device, attached since the disk was made. */
    public static VolumeAttachment attachment(RootDisks.RootVolume v) {
        return new VolumeAttachment(v.volumeId(), v.instanceId(), DEVICE, AttachmentState.ATTACHED, v.deleteOnTermination(), false,
                v.attachedAt(), v.attachedAt());
    }
}
