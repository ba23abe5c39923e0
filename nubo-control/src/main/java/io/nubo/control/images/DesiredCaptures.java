package io.nubo.control.images;

import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.core.model.StoragePool;
import io.nubo.store.ImageCaptures.Capture;
import io.nubo.store.Store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CreateImage part of a host's desired state: the root-disk images each instance's host makes
 * now, with the image pool's files as that host sees them (its mount of the pool, where it has
 * one). They travel as {@link DesiredSnapshot}s marked {@code rootDisk}: the agent takes them with
 * the same machinery as volume snapshots. Stateless.
 */
public final class DesiredCaptures {
    private DesiredCaptures() {
    }

    /** The captures of these instances of {@code hostId}, by instance ID; instances without any are left out. */
    public static Map<String, List<DesiredSnapshot>> of(Store s, String hostId, Collection<String> instanceIds) {
        List<Capture> copying = s.imageCaptures().copyingFor(instanceIds);
        if (copying.isEmpty()) {
            return Map.of();
        }
        List<StoragePool> pools = s.storagePools().list();
        Map<String, List<DesiredSnapshot>> out = new HashMap<>();
        for (Capture c : copying) {
            out.computeIfAbsent(c.instanceId(), k -> new ArrayList<>())
                    .add(DesiredSnapshot.rootDisk(c.imageId(), asHostSees(pools, hostId, c.scratchPath()), asHostSees(pools, hostId, c.stagedPath())));
        }
        return out;
    }

    /** A server path on a pool, rebased onto the host's mount of that pool (the same path when it has none). */
    static String asHostSees(List<StoragePool> pools, String hostId, String serverPath) {
        for (StoragePool p : pools) {
            String root = p.path().endsWith("/") ? p.path() : p.path() + "/";
            if (serverPath.startsWith(root)) {
                return p.mounts().stream().filter(m -> m.hostId().equals(hostId)).findFirst()
                        .map(m -> (m.path().endsWith("/") ? m.path() : m.path() + "/") + serverPath.substring(root.length()))
                        .orElse(serverPath);
            }
        }
        return serverPath;
    }
}
