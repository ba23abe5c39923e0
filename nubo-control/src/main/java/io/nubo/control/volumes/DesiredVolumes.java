package io.nubo.control.volumes;

import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.model.AttachmentState;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.store.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The volume part of a host's desired state: for each instance, the volumes it should have
 * (attaching or attached), with their files as the host sees them, and the detaches that must
 * not wait for the guest. Stateless.
 */
public final class DesiredVolumes {
    /** One instance's volumes. */
    public record ForInstance(List<DesiredVolume> volumes, List<String> forceDetach) {
        public static final ForInstance NONE = new ForInstance(List.of(), List.of());
    }

    private DesiredVolumes() {
    }

    /** The volumes of these instances of {@code hostId}, by instance ID; instances without any are left out. */
    public static Map<String, ForInstance> of(Store s, String hostId, Collection<String> instanceIds) {
        Map<String, List<VolumeAttachment>> byInstance = s.volumeAttachments().ofInstances(instanceIds);
        if (byInstance.isEmpty()) {
            return Map.of();
        }
        Set<String> volumeIds = byInstance.values().stream().flatMap(List::stream).map(VolumeAttachment::volumeId).collect(Collectors.toSet());
        Map<String, Volume> volumes = s.volumes().byIds(volumeIds).stream().collect(Collectors.toMap(Volume::id, Function.identity()));
        Map<String, Path> mounts = new HashMap<>();
        for (StoragePool p : s.storagePools().list()) {
            String path = p.mounts().stream().filter(m -> m.hostId().equals(hostId)).map(StoragePool.Mount::path).findFirst().orElse(p.path());
            mounts.put(p.id(), Path.of(path));
        }
        Map<String, ForInstance> out = new HashMap<>();
        byInstance.forEach((instanceId, attachments) -> {
            List<DesiredVolume> wanted = new ArrayList<>();
            List<String> force = new ArrayList<>();
            for (VolumeAttachment a : attachments) {
                Volume v = volumes.get(a.volumeId());
                if (a.state() == AttachmentState.DETACHING) {
                    if (a.forceDetach()) {
                        force.add(a.volumeId());
                    }
                } else if (v != null && mounts.containsKey(v.poolId())) {
                    wanted.add(new DesiredVolume(v.id(), VolumeFiles.file(mounts.get(v.poolId()), v.id(), v.format()).toString(), v.format(),
                            DesiredVolume.serialOf(v.id()), v.multiAttach(), v.sizeBytes()));
                }
            }
            out.put(instanceId, new ForInstance(wanted, force));
        });
        return out;
    }
}
