package io.nubo.control.snapshots;

import io.nubo.control.hosts.ChangeSignal;
import io.nubo.control.volumes.VolumeFiles;
import io.nubo.core.model.Snapshot;
import io.nubo.core.model.SnapshotState;
import io.nubo.core.model.StoragePool;
import io.nubo.core.model.Volume;
import io.nubo.core.storage.SparseCopy;
import io.nubo.store.Database;
import io.nubo.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Makes the snapshot files that no agent makes, and removes deleted ones, on the pools this
 * server reaches:
 * <ul>
 *   <li>{@code pending} with no copier: copies the volume's file (nothing holds it: attaching it
 *       waits) or, for a CopySnapshot, the source snapshot's file, sparse, into a scratch file
 *       moved into place whole; then {@code completed};</li>
 *   <li>{@code pending} whose copier instance was terminated: the copy falls to the controller;</li>
 *   <li>{@code deleting}: removes the file and gives its bytes back to the pool, then {@code deleted};</li>
 *   <li>on start, then hourly, a sweep: a snapshot file no live snapshot owns, and a scratch file of
 *       a snapshot that is no longer pending (a crash of its writer), is deleted.</li>
 * </ul>
 * A snapshot is worked under its row lock, claimed with {@code SKIP LOCKED}, so several servers
 * can run this; the copy runs inside that transaction (a server that dies mid-copy leaves the
 * snapshot pending and a scratch file, which the next pass writes again). Thread-safe.
 */
public final class SnapshotController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotController.class);
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final Duration SWEEP_EVERY = Duration.ofHours(1);
    private static final int BATCH = 10;

    private final Database db;
    private final Clock clock;
    private final ChangeSignal work = new ChangeSignal();
    private volatile boolean running;
    private Thread thread;

    public SnapshotController(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("snapshot-controller").start(this::loop);
    }

    /** Asks for a pass soon. */
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
                LOG.warn("snapshot controller pass failed; retrying: {}", e.toString());
            }
            try {
                work.awaitChange(seen, POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass over the work there is now. Public for tests. */
    public void pass() {
        db.inTransaction(s -> s.handle().createUpdate("""
                UPDATE snapshots SET copier = NULL
                WHERE state = 'pending' AND copier IN (SELECT id FROM instances WHERE state = 'terminated')""").execute());
        while (true) {
            int settled = db.inTransaction(s -> {
                List<Snapshot> claimed = s.snapshots().claimWork(BATCH);
                Map<String, StoragePool> pools = s.storagePools().list().stream().collect(Collectors.toMap(StoragePool::id, Function.identity()));
                int done = 0;
                for (Snapshot x : claimed) {
                    done += work(s, x, pools) ? 1 : 0;
                }
                return done;
            });
            if (settled < BATCH) {
                return;
            }
        }
    }

    private boolean work(Store s, Snapshot x, Map<String, StoragePool> pools) {
        Optional<Path> dir = reachable(pools.get(x.poolId()));
        if (dir.isEmpty()) {
            return false;
        }
        try {
            if (x.state() == SnapshotState.DELETING) {
                SnapshotFiles.delete(dir.get(), x.id());
                s.storagePools().addUsed(x.poolId(), -x.sizeBytes());
                SnapshotLog.state(s, x, x.with(SnapshotState.DELETED, x.progress(), null, clock.instant()), x.volumeSizeGib() + " GiB freed");
                return true;
            }
            Optional<Path> source = source(s, x, pools);
            if (source.isEmpty()) {
                return false;
            }
            SparseCopy.copy(source.get(), SnapshotFiles.scratch(dir.get(), x.id()), SnapshotFiles.file(dir.get(), x.id()), x.sizeBytes(), p -> {
            });
            SnapshotLog.state(s, x, x.with(SnapshotState.COMPLETED, 100, null, clock.instant()), "file copied by the controller");
            return true;
        } catch (IOException e) {
            LOG.warn("snapshot {}: {} failed: {}", x.id(), x.state().apiName(), e.toString());
            if (x.state() == SnapshotState.PENDING) {
                deleteQuietly(SnapshotFiles.scratch(dir.get(), x.id()));
                SnapshotLog.state(s, x, x.with(SnapshotState.ERROR, 0, "the snapshot's file could not be written", clock.instant()),
                        e.getClass().getSimpleName() + ": " + e.getMessage());
                return true;
            }
            return false;
        }
    }

    /** The file to copy: the source snapshot's, or the volume's; empty when this server does not reach it. */
    private static Optional<Path> source(Store s, Snapshot x, Map<String, StoragePool> pools) {
        if (x.sourceSnapshotId() != null) {
            Snapshot src = s.snapshots().findAny(x.sourceSnapshotId()).orElseThrow();
            return reachable(pools.get(src.poolId())).map(p -> SnapshotFiles.file(p, src.id()));
        }
        Volume v = s.volumes().findAny(x.volumeId()).orElseThrow();
        return reachable(pools.get(v.poolId())).map(p -> VolumeFiles.file(p, v.id(), v.format()));
    }

    /** Deletes the snapshot files under each reachable pool that no snapshot needs. */
    public void sweep() {
        for (StoragePool pool : db.read(s -> s.storagePools().list())) {
            Optional<Path> dir = reachable(pool);
            if (dir.isEmpty()) {
                continue;
            }
            try {
                for (Path f : SnapshotFiles.list(dir.get().resolve(SnapshotFiles.DIR))) {
                    sweepOne(f, Set.of(SnapshotState.PENDING, SnapshotState.COMPLETED, SnapshotState.ERROR));
                }
                for (Path f : SnapshotFiles.list(dir.get().resolve(SnapshotFiles.DIR).resolve(SnapshotFiles.SCRATCH))) {
                    sweepOne(f, Set.of(SnapshotState.PENDING));
                }
            } catch (IOException e) {
                LOG.warn("snapshot sweep of pool {} failed: {}", pool.name(), e.toString());
            }
        }
    }

    private void sweepOne(Path f, Set<SnapshotState> keepIn) throws IOException {
        Optional<String> id = SnapshotFiles.snapshotIdOf(f);
        if (id.isPresent() && db.read(s -> s.snapshots().findAny(id.get())).filter(x -> keepIn.contains(x.state())).isEmpty()) {
            LOG.info("deleting {}: no snapshot needs it", f);
            Files.deleteIfExists(f);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.toString());
        }
    }

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
