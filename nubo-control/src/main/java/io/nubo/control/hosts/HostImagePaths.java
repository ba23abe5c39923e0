package io.nubo.control.hosts;

import io.nubo.core.model.Image;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Store;

import java.nio.file.Path;
import java.util.List;

/**
 * Where one host finds image files. An image whose file lies on a shared pool the host has said it
 * mounts (a {@code storage_pool_hosts} row: the in-process agent's announcement) is read there, at
 * the host's own mount path. Any other image, including every image for a remote agent that has
 * announced no mount, is streamed from the server ({@code GET /agent/v1/images/{id}}): only what a
 * host said it reaches is taken for granted, so a host without the pool still gets the file.
 * Not thread-safe: one per desired-state read.
 */
final class HostImagePaths {
    /** An image's file as the host should find it. {@code shared}: the host mounts the pool it is on. */
    record Located(String path, boolean shared) {
    }

    private final Store s;
    private final String hostId;
    private List<StoragePool> pools;

    HostImagePaths(Store s, String hostId) {
        this.s = s;
        this.hostId = hostId;
    }

    Located locate(Image image) {
        if (image.location().isEmpty()) {
            return new Located(image.location(), false);
        }
        if (pools == null) {
            pools = s.storagePools().sharedSeenBy(hostId);
        }
        // By path, not by the image's pool_id: the default image a replica keeps on the shared pool has no pool_id.
        Path file = Path.of(image.location());
        for (StoragePool p : pools) {
            Path root = Path.of(p.path());
            if (p.kind() != StoragePool.Kind.SHARED || !file.startsWith(root)) {
                continue;
            }
            java.util.Optional<String> mount = p.mounts().stream().filter(m -> m.hostId().equals(hostId)).map(StoragePool.Mount::path).findFirst();
            if (mount.isPresent()) {
                return new Located(Path.of(mount.get()).resolve(root.relativize(file)).toString(), true);
            }
        }
        return new Located(image.location(), false);
    }
}
