package io.nubo.control.volumes;

import io.nubo.core.Ids;
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

/**
 * Root volumes: an instance's root disk as an EBS-style volume. It is made when a placement claims
 * the disk's pool space ({@code in-use} from the start: the disk is the instance's from its first
 * boot), and deleted when the claim is released (the instance terminated, or restarted elsewhere on
 * a new disk), since its file, the instance's qcow2 overlay, goes with the instance. Each change is
 * in the volume's event log, which the billing meters read. Stateless.
 */
public final class RootVolumes {
    /** The device a root disk is to its guest, as instances and images describe it. */
    public static final String DEVICE = io.nubo.store.InstancePages.ROOT_DEVICE;

    private RootVolumes() {
    }

    /** Claims these root disks, each with a new volume, and logs the volumes' creation. */
    public static void claim(Store s, List<RootDisks.Claim> claims, Map<String, Instance> instances, Instant now) {
        if (claims.isEmpty()) {
            return;
        }
        List<RootDisks.RootVolume> volumes = new ArrayList<>();
        List<Events.New> events = new ArrayList<>();
        for (RootDisks.Claim c : claims) {
            Instance i = instances.get(c.instanceId());
            RootDisks.RootVolume v = new RootDisks.RootVolume(Ids.next(Ids.VOLUME), i.id(), i.accountId(), i.zone(), c.sizeGib(), now);
            volumes.add(v);
            events.add(new Events.New(now, i.accountId(), v.volumeId(), "volume.state", null, VolumeState.IN_USE.apiName(),
                    v.sizeGib() + " GiB gp3 root device of " + i.id()));
        }
        s.rootDisks().claimAll(claims, volumes);
        s.events().appendAll(events);
    }

    /** Releases these instances' root disks: their volumes are deleted, as their files are with the instances. */
    public static void release(Store s, Collection<String> instanceIds, Instant now) {
        List<String> volumeIds = s.rootDisks().releaseAll(instanceIds);
        for (Volume v : s.volumes().lockAll(volumeIds)) {
            VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.DELETED, now), "its instance is gone (delete on termination)");
            s.tags().deleteAll(v.accountId(), v.id());
        }
    }

    /** The attachment a root volume shows: its instance's root device, attached since the disk was made, deleted with it. */
    public static VolumeAttachment attachment(RootDisks.RootVolume v) {
        return new VolumeAttachment(v.volumeId(), v.instanceId(), DEVICE, AttachmentState.ATTACHED, true, false, v.attachedAt(), v.attachedAt());
    }
}
