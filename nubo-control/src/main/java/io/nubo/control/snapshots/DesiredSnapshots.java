package io.nubo.control.snapshots;

import io.nubo.control.images.DesiredCaptures;
import io.nubo.control.volumes.VolumeFiles;
import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.core.model.Snapshot;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Volume;
import io.nubo.store.Store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The snapshot part of a host's desired state: the pending snapshots each instance's host takes, with paths as the host sees them. Stateless. */
public final class DesiredSnapshots {
    private DesiredSnapshots() {
    }

    /**
     * The snapshots of these instances of {@code hostId}, by instance ID, with the images of their
     * root disks being made (CreateImage, {@link DesiredCaptures}); instances without any are left out.
     */
    public static Map<String, List<DesiredSnapshot>> of(Store s, String hostId, Collection<String> instanceIds) {
        Map<String, List<DesiredSnapshot>> captures = DesiredCaptures.of(s, hostId, instanceIds);
        Map<String, List<DesiredSnapshot>> out = new HashMap<>();
        captures.forEach((id, list) -> out.put(id, new ArrayList<>(list)));
        List<Snapshot> pending = s.snapshots().pendingFor(instanceIds);
        if (pending.isEmpty()) {
            return out;
        }
        Map<String, Volume> volumes = s.volumes().byIds(pending.stream().map(Snapshot::volumeId).collect(Collectors.toSet())).stream()
                .collect(Collectors.toMap(Volume::id, Function.identity()));
        Map<String, Path> mounts = new HashMap<>();
        for (StoragePool p : s.storagePools().list()) {
            String path = p.mounts().stream().filter(m -> m.hostId().equals(hostId)).map(StoragePool.Mount::path).findFirst().orElse(p.path());
            mounts.put(p.id(), Path.of(path));
        }
        for (Snapshot x : pending) {
            Volume v = volumes.get(x.volumeId());
            Path pool = mounts.get(x.poolId());
            if (v == null || pool == null || !mounts.containsKey(v.poolId())) {
                continue;
            }
            out.computeIfAbsent(x.copier(), k -> new ArrayList<>()).add(new DesiredSnapshot(x.id(), v.id(),
                    VolumeFiles.file(mounts.get(v.poolId()), v.id(), v.format()).toString(), SnapshotFiles.scratch(pool, x.id()).toString(),
                    SnapshotFiles.file(pool, x.id()).toString(), x.sizeBytes()));
        }
        return out;
    }
}
