package io.nubo.control.volumes;

import io.nubo.control.hosts.ChangeSignal;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.core.model.VolumeState;
import io.nubo.store.Database;
import io.nubo.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes the volume files match the volume rows, on the pools this server reaches:
 * <ul>
 *   <li>{@code creating}: makes the sparse file, then {@code available};</li>
 *   <li>{@code deleting}: removes the file and gives its bytes back to the pool, then {@code deleted};</li>
 *   <li>a growth in progress: extends the file (extending a raw file under a running VM is safe:
 *       the VM sees the new size only when its agent resizes the disk); an unattached volume's
 *       growth is then complete;</li>
 *   <li>attachments whose instance was terminated (a safety net: the agents' reports release them);</li>
 *   <li>and on start, then hourly, a sweep: a file no volume owns any more (a crash between the
 *       row and the file, either way) is deleted.</li>
 * </ul>
 * Each volume is worked under its row lock, claimed with {@code SKIP LOCKED}, and every step is
 * idempotent, so several servers can run this, and a crash at any point is finished by the next
 * pass. Thread-safe.
 */
public final class VolumeController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeController.class);
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final Duration SWEEP_EVERY = Duration.ofHours(1);
    private static final int BATCH = 50;

    private final Database db;
    private final Clock clock;
    private final ChangeSignal work = new ChangeSignal();
    private volatile boolean running;
    private Thread thread;

    public VolumeController(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("volume-controller").start(this::loop);
    }

    /** Asks for a pass soon (after a create, delete or growth). */
    public void wake() {
        work.signal();
    }

    private void loop() {
        long nextSweep = 0;
        while (running) {
            long seen = work.generation();
            try {
                if (System.nanoTime() - nextSweep >= 0) {
                    sweep();
                    nextSweep = System.nanoTime() + SWEEP_EVERY.toNanos();
                }
                pass();
            } catch (RuntimeException e) {
                LOG.warn("volume controller pass failed; retrying: {}", e.toString());
            }
            try {
                work.awaitChange(seen, POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass over the work there is now. Public for tests, which run passes themselves. */
    public void pass() {
        while (true) {
            int settled = db.inTransaction(s -> {
                List<Volume> claimed = s.volumes().claimWork(BATCH);
                Map<String, StoragePool> pools = pools(s);
                int done = 0;
                for (Volume v : claimed) {
                    done += work(s, v, pools.get(v.poolId())) ? 1 : 0;
                }
                return done;
            });
            if (settled < BATCH) {
                break;
            }
        }
        releaseTerminated();
    }

    /** Works one claimed volume; returns whether it left the work list (so that the pass goes on). */
    private boolean work(Store s, Volume v, StoragePool pool) {
        Optional<Path> dir = reachable(pool);
        if (dir.isEmpty()) {
            return false; // a pool this server does not hold: another server's (or an agent's) work
        }
        Instant now = clock.instant();
        try {
            switch (v.state()) {
                case CREATING -> {
                    Optional<String> snapshotId = Optional.ofNullable(s.volumes().snapshotsOf(List.of(v.id())).get(v.id()));
                    if (snapshotId.isPresent()) {
                        Optional<Path> source = snapshotFile(s, snapshotId.get());
                        if (source.isEmpty()) {
                            return false; // the snapshot's pool is not this server's to read
                        }
                        VolumeFiles.createFrom(source.get(), dir.get(), v.id(), v.format(), v.sizeBytes());
                    } else {
                        VolumeFiles.create(dir.get(), v.id(), v.format(), v.sizeBytes());
                    }
                    VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.AVAILABLE, now), "file created on pool " + pool.name()
                            + snapshotId.map(x -> " from " + x).orElse(""));
                    return true;
                }
                case DELETING -> {
                    VolumeFiles.delete(dir.get(), v.id(), v.format());
                    s.storagePools().addUsed(pool.id(), -v.sizeBytes());
                    VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.DELETED, now), v.sizeGib() + " GiB freed");
                    return true;
                }
                default -> {
                    Path file = VolumeFiles.file(dir.get(), v.id(), v.format());
                    if (!VolumeFiles.grow(file, v.sizeBytes())) {
                        LOG.warn("volume {} has no file at {} to grow", v.id(), file);
                    }
                    if (s.volumeAttachments().ofVolume(v.id()).isEmpty()) {
                        VolumeObservations.complete(s, v, now, "grown");
                        return true;
                    }
                    return false; // complete once every VM holding it has seen the new size
                }
            }
        } catch (IOException e) {
            LOG.warn("volume {}: {} failed: {}", v.id(), v.state().apiName(), e.toString());
            if (v.state() == VolumeState.CREATING) {
                Volume failed = new Volume(v.id(), v.accountId(), v.zone(), v.sizeGib(), v.type(), v.iops(), v.throughput(), v.multiAttach(),
                        v.poolId(), v.format(), VolumeState.ERROR, "Server.InternalError: the volume's file could not be created", v.createdAt(),
                        now, v.modification());
                VolumeLog.state(s, v, failed, e.getClass().getSimpleName() + ": " + e.getMessage());
                return true;
            }
            return false;
        }
    }

    /** The file of a snapshot a volume is made from, if this server reaches its pool. */
    private static Optional<Path> snapshotFile(Store s, String snapshotId) {
        return s.snapshots().findAny(snapshotId).flatMap(x -> s.storagePools().find(x.poolId()))
                .flatMap(VolumeController::reachable).map(p -> io.nubo.control.snapshots.SnapshotFiles.file(p,
                        snapshotId));
    }

    /** Releases the attachments of terminated instances that a report did not (a server crash between the two, say). */
    private void releaseTerminated() {
        List<VolumeAttachment> stale = db.read(s -> s.volumeAttachments().ofTerminatedInstances(BATCH));
        if (!stale.isEmpty()) {
            db.inTransaction(s -> {
                VolumeObservations.releaseTerminated(s, stale.stream().map(VolumeAttachment::instanceId).collect(Collectors.toSet()),
                        clock.instant());
                return null;
            });
        }
    }

    /**
     * Deletes the files under each reachable pool's {@code volumes/} that no volume needs: those of
     * deleted volumes and of IDs with no row at all (a crash between making the file and
     * committing the row cannot happen, since the row comes first, but a crash between deleting a
     * row's file and committing {@code deleted} can leave either order), and scratch files of
     * volumes that are no longer being created.
     */
    public void sweep() {
        for (StoragePool pool : db.read(s -> s.storagePools().list())) {
            Optional<Path> dir = reachable(pool);
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Map<String, Volume> live = db.read(s -> s.volumes().onPool(pool.id())).stream()
                        .collect(Collectors.toMap(Volume::id, Function.identity()));
                for (Path f : VolumeFiles.list(dir.get().resolve(VolumeFiles.DIR))) {
                    Optional<String> id = VolumeFiles.volumeIdOf(f);
                    if (id.isPresent() && !owned(f, live.get(id.get()), dir.get())) {
                        // Asked again under no lock but afresh: a volume created since the listing keeps its file.
                        if (db.read(s -> s.volumes().findAny(id.get())).filter(v -> v.state() != VolumeState.DELETED).isEmpty()) {
                            LOG.info("deleting {}: no volume owns it", f);
                            Files.deleteIfExists(f);
                        }
                    }
                }
                for (Path f : VolumeFiles.list(VolumeFiles.scratchDir(dir.get()))) {
                    Optional<String> id = VolumeFiles.volumeIdOf(f);
                    boolean creating = id.flatMap(x -> db.read(s -> s.volumes().findAny(x))).map(v -> v.state() == VolumeState.CREATING)
                            .orElse(false);
                    if (!creating) {
                        Files.deleteIfExists(f);
                    }
                }
            } catch (IOException e) {
                LOG.warn("sweep of pool {} failed: {}", pool.name(), e.toString());
            }
        }
    }

    private static boolean owned(Path f, Volume v, Path pool) {
        return v != null && f.equals(VolumeFiles.file(pool, v.id(), v.format()));
    }

    private static Map<String, StoragePool> pools(Store s) {
        return s.storagePools().list().stream().collect(Collectors.toMap(StoragePool::id, Function.identity()));
    }

    /** The pool's directory, if this server holds it (the shared pool, or a local pool on this machine). */
    private static Optional<Path> reachable(StoragePool pool) {
        if (pool == null) {
            return Optional.empty();
        }
        Path dir = Path.of(pool.path());
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
