package io.nubo.control.storage;

import io.nubo.control.identity.IdentityService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Storage pools: the shared pool every host mounts, and each host's local pool. Pools are
 * created as directories and recorded with the size of the file system under them; which host
 * reaches which pool is recorded when the host registers. Thread-safe.
 */
public final class StoragePoolService {
    public static final String SHARED = "shared";

    private final Database db;
    private final Clock clock;

    public StoragePoolService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The operator's view: every pool with its capacity, use and hosts. */
    public List<StoragePool> list(Principal caller) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.storagePools().list());
    }

    /** Creates the shared pool's directory and records it (idempotent; refreshes its size). */
    public StoragePool ensureShared(Path path) {
        Path dir = prepare(path);
        String id = db.inTransaction(s -> s.storagePools().upsertShared(Ids.next(Ids.STORAGE_POOL), SHARED, dir.toString(),
                totalBytes(dir), clock.instant()));
        return db.read(s -> s.storagePools().find(id)).orElseThrow();
    }

    /**
     * Records what a host reaches: its own local pool at {@code localPath} (created if missing)
     * and, if it mounts one, the shared pool at {@code sharedPath} there.
     */
    public void registerHost(String hostId, String hostName, Path localPath, java.util.Optional<Path> sharedPath) {
        Path local = prepare(localPath);
        long total = totalBytes(local);
        db.inTransaction(s -> {
            s.storagePools().upsertLocal(Ids.next(Ids.STORAGE_POOL), hostId, "local-" + hostName, local.toString(), total,
                    clock.instant());
            sharedPath.ifPresent(p -> s.storagePools().findByName(SHARED)
                    .ifPresent(shared -> s.storagePools().mount(shared.id(), hostId, p.toAbsolutePath().normalize().toString())));
            return null;
        });
    }

    /**
     * Records where a remote host mounts the shared pool, as its agent announced it: volumes, HA
     * root disks and images on the pool are then given to that host at that path, and it reads
     * images there instead of streaming them. A path that is not absolute is refused.
     */
    public void announceSharedMount(String hostId, String path) {
        if (path == null || path.length() > 4096 || !path.startsWith("/") || path.chars().anyMatch(Character::isISOControl)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The shared pool's mount must be an absolute path");
        }
        String normal = Path.of(path).normalize().toString();
        db.inTransaction(s -> {
            StoragePool shared = s.storagePools().findByName(SHARED).orElseThrow(() -> NuboException.of(
                    ErrorCode.INVALID_PARAMETER_VALUE, "This cloud has no shared storage pool"));
            s.storagePools().mount(shared.id(), hostId, normal);
            return null;
        });
    }

    /** The pool imported images go to: the shared one, which every host reaches. */
    public StoragePool imagePool() {
        return db.read(s -> s.storagePools().findByName(SHARED)).orElseThrow(() -> NuboException.of(
                ErrorCode.INSUFFICIENT_STORAGE_CAPACITY, "There is no shared storage pool to hold images"));
    }

    /** The hosts that reach a pool: where a disk on it can be used. */
    public List<String> hostsReaching(String poolId) {
        return db.read(s -> s.storagePools().find(poolId)).map(p -> p.mounts().stream().map(StoragePool.Mount::hostId).toList())
                .orElse(List.of());
    }

    private static Path prepare(Path path) {
        Path dir = path.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the storage pool directory " + dir, e);
        }
        return dir;
    }

    static long totalBytes(Path dir) {
        try {
            return Files.getFileStore(dir).getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the file system under " + dir, e);
        }
    }
}
