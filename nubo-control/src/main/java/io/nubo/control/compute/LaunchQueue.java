package io.nubo.control.compute;

import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Reservation;
import io.nubo.store.Database;
import io.nubo.store.DryRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Runs concurrent launches together, in one transaction per batch ({@link LaunchBatch}). Launches of
 * one account must hold the account's row lock until they commit, so that no two exceed its quota
 * together; one at a time, the commit's WAL flush alone would cap an account at a few hundred
 * launches a second. A batch pays for the lock and the flush once. While one batch commits, the
 * next gathers, so batches grow with the load and a lone launch waits for nobody. A launch that
 * fails its checks fails alone; if the shared transaction itself fails, each launch of the batch is
 * retried in a transaction of its own. Thread-safe.
 */
final class LaunchQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LaunchQueue.class);
    static final int MAX_BATCH = 200;

    private record Job(Principal caller, LaunchRequest request, CompletableFuture<Reservation> result) {
    }

    private final Database db;
    private final Clock clock;
    private final Runnable afterCommit;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread writer;

    LaunchQueue(Database db, Clock clock, Runnable afterCommit) {
        this.db = db;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.writer = Thread.ofPlatform().daemon().name("launch-writer").unstarted(this::writeLoop);
        writer.start();
    }

    /** Launches, once the launch's batch has committed; throws the launch's own error. */
    Reservation submit(Principal caller, LaunchRequest r) {
        if (DryRun.isActive()) {
            // Dry-run mode belongs to the calling thread, and its transaction must never commit.
            return launchAlone(caller, r);
        }
        Job job = new Job(caller, r, new CompletableFuture<>());
        queue.add(job);
        try {
            return job.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private Reservation launchAlone(Principal caller, LaunchRequest r) {
        Reservation out = db.inTransaction(s -> {
            LaunchBatch batch = new LaunchBatch(s, clock.instant());
            batch.lockAll(List.of(caller), List.of(r));
            Reservation launched = batch.launch(caller, r);
            batch.write();
            return launched;
        });
        afterCommit.run();
        return out;
    }

    private void writeLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<Job> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                run(batch);
            } catch (Throwable t) {
                LOG.error("launch batch failed", t);
                batch.forEach(j -> j.result().completeExceptionally(t));
            }
        }
    }

    private void run(List<Job> jobs) {
        Map<Job, Object> outcomes;
        try {
            outcomes = db.inTransaction(s -> {
                LaunchBatch batch = new LaunchBatch(s, clock.instant());
                batch.lockAll(jobs.stream().map(Job::caller).toList(), jobs.stream().map(Job::request).toList());
                Map<Job, Object> out = new LinkedHashMap<>();
                for (Job j : jobs) {
                    try {
                        out.put(j, batch.launch(j.caller(), j.request()));
                    } catch (NuboException e) {
                        out.put(j, e);
                    }
                }
                batch.write();
                return out;
            });
        } catch (RuntimeException e) {
            if (jobs.size() == 1) {
                jobs.get(0).result().completeExceptionally(e);
                return;
            }
            // Not one launch's own error (a deadlock, a lost connection, a bug): each alone, so that it fails no other.
            LOG.warn("a batch of {} launches failed together ({}); retrying each alone", jobs.size(), e.toString());
            jobs.forEach(j -> run(List.of(j)));
            return;
        }
        afterCommit.run();
        outcomes.forEach((job, outcome) -> {
            if (outcome instanceof Reservation r) {
                job.result().complete(r);
            } else {
                job.result().completeExceptionally((Throwable) outcome);
            }
        });
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}
