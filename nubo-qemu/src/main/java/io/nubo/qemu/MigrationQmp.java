package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import io.nubo.core.agent.MigrationProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Live migration over QMP, both ends, for QEMU 7.2 (checked by hand and by the end-to-end test).
 *
 * <p><b>Destination</b> ({@link #receive}): the VM was started with {@code -incoming defer -S}. It
 * turns on {@code late-block-activate}, so that its disks are not taken over when the memory has
 * arrived but only when it is resumed; exports its local root disk over NBD
 * ({@code nbd-server-start} + {@code block-export-add}, writable), and listens with
 * {@code migrate-incoming}. {@link #resume} removes the export and runs {@code cont}.
 *
 * <p><b>Source</b> ({@link #send}): when a disk is to be copied, it adds an NBD client node for the
 * destination's export and runs {@code blockdev-mirror} with {@code sync=top} (the destination's
 * disk is an overlay on the same base image, so only this VM's own layer travels), and waits until
 * the job is ready (source and copy in step; the mirror then copies each new write as well), or
 * nearly so (see {@link #MEMORY_ALONGSIDE_BYTES}). It
 * then sets {@code pause-before-switchover} (when mirroring), the bandwidth and a downtime limit of
 * {@link #FIRST_DOWNTIME_MS}, runs {@code migrate}, and polls {@code query-migrate}, raising the
 * downtime limit step by step towards {@link #MAX_DOWNTIME_MS} while the migration runs on, as
 * Nova does. At {@code pre-switchover} (the source VM is stopped) it completes the mirror with
 * {@code block-job-cancel} (for a ready mirror this finishes the copy and leaves the source disk in
 * use), then {@code migrate-continue}. The destination stays paused until it is resumed.
 *
 * <p>Stateless; the QMP client serialises commands.
 */
public final class MigrationQmp {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationQmp.class);
    public static final String MIRROR_JOB = "mig-mirror";
    public static final String TARGET_NODE = "mig-target";
    public static final String EXPORT_ID = "mig-export";
    public static final int FIRST_DOWNTIME_MS = 100;
    public static final int MAX_DOWNTIME_MS = 500;
    /** The downtime limit rises by {@link #DOWNTIME_STEP_MS} after each such period of memory copying. */
    static final long DOWNTIME_STEP_AFTER_MS = 2000;
    static final int DOWNTIME_STEP_MS = 100;
    /** No cap worth the name: the migration may use the link (QEMU 7.2's default cap is 32 MiB/s). */
    public static final long MAX_BANDWIDTH = 4L << 30;
    /**
     * How often the source asks QEMU how far it got. Short: the switchover waits for the answer
     * (the VM is stopped at {@code pre-switchover} until the agent sees it), and so does the end;
     * a query costs QEMU microseconds.
     */
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration TOTALS_WAIT = Duration.ofSeconds(1);
    private static final Duration QMP = Duration.ofSeconds(10);
    /**
     * A disk mirror with at most this much left to copy lets the memory start alongside it: it is in
     * step long before the memory is across (the idle 256 MiB guest's own layer is a few MiB), and
     * waiting for it first added a quarter of a second to every migration. A larger one is waited
     * for, so that the switchover never waits long for the disk while the VM is stopped.
     */
    static final long MEMORY_ALONGSIDE_BYTES = 64L << 20;

    /** Where the destination's disk export is, and which of the source's nodes to copy there. */
    public record Mirror(String host, int port, String node) {
    }

    /** How a migration ended. */
    public record Outcome(boolean completed, MigrationProgress last, String reason) {
    }

    private MigrationQmp() {
    }

    /** Destination: exports the disk (when {@code export} is given) and waits for the migration at {@code host:port}. */
    public static void receive(QmpClient m, String host, int port, Optional<Mirror> export) {
        m.execute("migrate-set-capabilities", Map.of("capabilities", List.of(Map.of("capability", "late-block-activate", "state", true))), QMP);
        export.ifPresent(e -> {
            m.execute("nbd-server-start", Map.of("addr", Map.of("type", "inet", "data", Map.of("host", e.host(), "port", Integer.toString(e.port())))), QMP);
            m.execute("block-export-add", Map.of("type", "nbd", "id", EXPORT_ID, "node-name", e.node(), "name", e.node(), "writable", true), QMP);
        });
        m.execute("migrate-incoming", Map.of("uri", "tcp:" + host + ":" + port), QMP);
    }

    /** Destination: ends the disk export and lets the VM run. Idempotent. */
    public static void resume(QmpClient m) {
        quietly(() -> m.execute("block-export-del", Map.of("id", EXPORT_ID, "mode", "hard"), QMP));
        quietly(() -> m.execute("nbd-server-stop", QMP));
        String status = m.execute("query-status", QMP).path("status").asText();
        if (!"running".equals(status)) {
            m.execute("cont", QMP);
        }
    }

    /** The downtime limit after {@code memoryMs} of memory copying: 100 ms, then 100 ms more every 2 s, up to 500 ms. */
    public static int downtimeLimitAt(long memoryMs) {
        long steps = Math.max(0, memoryMs) / DOWNTIME_STEP_AFTER_MS;
        return (int) Math.min(MAX_DOWNTIME_MS, FIRST_DOWNTIME_MS + steps * DOWNTIME_STEP_MS);
    }

    /** The status of the VM's last migration as QEMU reports it ({@code none} when it never migrated). */
    public static String status(QmpClient m) {
        return m.execute("query-migrate", QMP).path("status").asText("none");
    }

    /**
     * Source: migrates to {@code host:port}, mirroring {@code mirror} first if given; or, with
     * {@code follow}, watches the migration QEMU already runs (an agent restarted during it).
     * Blocks until the migration ends or {@code timeout} passes (then it is cancelled).
     */
    public static Outcome send(QmpClient m, String host, int port, Optional<Mirror> mirror, boolean follow, Duration timeout,
                               Consumer<MigrationProgress> progress) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        try {
            if (!follow) {
                if (mirror.isPresent()) {
                    Optional<String> failed = mirror(m, mirror.get(), deadline, started, progress);
                    if (failed.isPresent()) {
                        cleanUpMirror(m);
                        return new Outcome(false, null, failed.get());
                    }
                }
                m.execute("migrate-set-capabilities", Map.of("capabilities", List.of(
                        Map.of("capability", "pause-before-switchover", "state", mirror.isPresent()))), QMP);
                m.execute("migrate-set-parameters", Map.of("downtime-limit", FIRST_DOWNTIME_MS, "max-bandwidth", MAX_BANDWIDTH), QMP);
                m.execute("migrate", Map.of("uri", "tcp:" + host + ":" + port), QMP);
            }
            // A restarted agent that follows a migration knows it mirrors from the mirror's target node.
            return watch(m, mirror.isPresent() || hasNode(m, TARGET_NODE), deadline, started, progress);
        } catch (QmpException e) {
            // QEMU died or refused: whatever is left of the mirror goes; a dead QEMU has nothing left to clean.
            if (m.isOpen()) {
                quietly(() -> m.execute("migrate_cancel", QMP));
                cleanUpMirror(m);
            }
            return new Outcome(false, null, "QEMU: " + e.getMessage());
        }
    }

    private static Optional<String> mirror(QmpClient m, Mirror target, long deadline, long started, Consumer<MigrationProgress> progress) {
        if (jobs(m).stream().noneMatch(j -> MIRROR_JOB.equals(j.path("device").asText()))) {
            if (!hasNode(m, TARGET_NODE)) {
                m.execute("blockdev-add", Map.of("driver", "nbd", "node-name", TARGET_NODE,
                        "server", Map.of("type", "inet", "host", target.host(), "port", Integer.toString(target.port())),
                        "export", target.node()), QMP);
            }
            m.execute("blockdev-mirror", Map.of("job-id", MIRROR_JOB, "device", target.node(), "target", TARGET_NODE, "sync", "top"), QMP);
        }
        while (true) {
            Optional<JsonNode> job = jobs(m).stream().filter(j -> MIRROR_JOB.equals(j.path("device").asText())).findFirst();
            if (job.isEmpty()) {
                return Optional.of("the disk mirror ended before it was in step");
            }
            long len = job.get().path("len").asLong();
            long offset = job.get().path("offset").asLong();
            progress.accept(new MigrationProgress("mirroring", Math.max(0, len - offset), offset, FIRST_DOWNTIME_MS, null, elapsedMs(started)));
            // Ready (in step), or so little left that it will be in step long before the memory is across:
            // the memory starts now, and the switchover waits for the mirror (see watch).
            if (job.get().path("ready").asBoolean(false) || (len > 0 && len - offset <= MEMORY_ALONGSIDE_BYTES)) {
                return Optional.empty();
            }
            if (System.nanoTime() > deadline) {
                return Optional.of("the disk mirror did not get in step in time");
            }
            sleep(POLL);
        }
    }

    private static boolean mirrorRuns(QmpClient m) {
        return jobs(m).stream().anyMatch(j -> MIRROR_JOB.equals(j.path("device").asText()));
    }

    private static boolean mirrorInStep(QmpClient m) {
        return jobs(m).stream().anyMatch(j -> MIRROR_JOB.equals(j.path("device").asText()) && j.path("ready").asBoolean(false));
    }

    private static Outcome watch(QmpClient m, boolean mirroring, long deadline, long started, Consumer<MigrationProgress> progress) {
        int limit = FIRST_DOWNTIME_MS;
        long memoryStarted = System.nanoTime();
        boolean cancelled = false;
        MigrationProgress last = null;
        long completedSeen = 0;
        while (true) {
            JsonNode q = m.execute("query-migrate", QMP);
            String status = q.path("status").asText("none");
            JsonNode ram = q.path("ram");
            Integer downtime = q.has("downtime") ? q.path("downtime").asInt() : null;
            last = new MigrationProgress(phaseOf(status), ram.path("remaining").asLong(), ram.path("transferred").asLong(), limit,
                    downtime, elapsedMs(started));
            switch (status) {
                case "completed" -> {
                    // QEMU shows "completed" a moment before its migration thread works out the totals: until
                    // then total-time and downtime read 0. Wait for them (they come within milliseconds, and the
                    // destination stays paused until this ends, so not long).
                    completedSeen = completedSeen == 0 ? System.nanoTime() : completedSeen;
                    if (q.path("total-time").asLong(0) == 0 && System.nanoTime() - completedSeen < TOTALS_WAIT.toNanos()) {
                        sleep(POLL);
                        continue;
                    }
                    quietly(() -> m.execute("blockdev-del", Map.of("node-name", TARGET_NODE), QMP));
                    MigrationProgress done = new MigrationProgress("done", 0, last.transferredBytes(), limit, downtime, elapsedMs(started));
                    progress.accept(done);
                    return new Outcome(true, done, null);
                }
                case "failed", "cancelled" -> {
                    String why = cancelled ? "cancelled (timeout, or a disk mirror not in step at the switchover)"
                            : q.path("error-desc").asText("QEMU says " + status);
                    cleanUpMirror(m);
                    return new Outcome(false, last, why);
                }
                case "pre-switchover" -> {
                    if (cancelled) {
                        sleep(POLL);
                        continue;
                    }
                    // The source VM is stopped: finish the disk copy, then let QEMU hand the VM over. A mirror
                    // that started alongside the memory is in step by now; if not, it is given the moment it needs.
                    if (mirroring) {
                        long inStep = System.nanoTime() + QMP.toNanos();
                        while (!mirrorInStep(m) && mirrorRuns(m) && System.nanoTime() < inStep) {
                            sleep(Duration.ofMillis(5));
                        }
                        if (!mirrorInStep(m)) {
                            // Never hand over a disk that is not whole (the mirror failed or lags): cancel; the source runs on.
                            LOG.warn("the disk mirror is not in step at the switchover; cancelling the migration");
                            m.execute("migrate_cancel", QMP);
                            cancelled = true;
                            continue;
                        }
                    }
                    quietly(() -> m.execute("block-job-cancel", Map.of("device", MIRROR_JOB), QMP));
                    long until = System.nanoTime() + QMP.toNanos();
                    while (jobs(m).stream().anyMatch(j -> MIRROR_JOB.equals(j.path("device").asText())) && System.nanoTime() < until) {
                        sleep(Duration.ofMillis(10));
                    }
                    m.execute("migrate-continue", Map.of("state", "pre-switchover"), QMP);
                    continue;
                }
                case "none" -> {
                    return new Outcome(false, last, "QEMU has no migration under way");
                }
                default -> {
                }
            }
            progress.accept(last);
            int wanted = downtimeLimitAt(elapsedMs(memoryStarted));
            if (wanted != limit) {
                m.execute("migrate-set-parameters", Map.of("downtime-limit", wanted), QMP);
                LOG.info("migration has not converged after {} ms: downtime limit raised to {} ms", elapsedMs(memoryStarted), wanted);
                limit = wanted;
            }
            if (!cancelled && System.nanoTime() > deadline) {
                LOG.warn("migration timed out; cancelling it");
                m.execute("migrate_cancel", QMP);
                cancelled = true;
            }
            sleep(POLL);
        }
    }

    /**
     * Source: cancels an unfinished migration, removes the mirror, and resumes the VM if a
     * migration stopped it. Only for a migration the control plane has recorded as failed, so
     * that the destination can no longer run the VM.
     */
    public static void abort(QmpClient m) {
        String status = status(m);
        if (List.of("setup", "active", "pre-switchover", "device", "postcopy-active", "wait-unplug").contains(status)) {
            quietly(() -> m.execute("migrate_cancel", QMP));
            long until = System.nanoTime() + QMP.toNanos();
            while (List.of("setup", "active", "pre-switchover", "device", "cancelling").contains(status(m)) && System.nanoTime() < until) {
                sleep(Duration.ofMillis(50));
            }
        }
        cleanUpMirror(m);
        String run = m.execute("query-status", QMP).path("status").asText();
        if (List.of("postmigrate", "finish-migrate", "paused").contains(run)) {
            LOG.info("resuming the source VM ({}) after a failed migration", run);
            m.execute("cont", QMP);
        }
    }

    private static void cleanUpMirror(QmpClient m) {
        if (jobs(m).stream().anyMatch(j -> MIRROR_JOB.equals(j.path("device").asText()))) {
            quietly(() -> m.execute("block-job-cancel", Map.of("device", MIRROR_JOB, "force", true), QMP));
            long until = System.nanoTime() + QMP.toNanos();
            while (jobs(m).stream().anyMatch(j -> MIRROR_JOB.equals(j.path("device").asText())) && System.nanoTime() < until) {
                sleep(Duration.ofMillis(20));
            }
        }
        if (hasNode(m, TARGET_NODE)) {
            quietly(() -> m.execute("blockdev-del", Map.of("node-name", TARGET_NODE), QMP));
        }
    }

    private static String phaseOf(String status) {
        return switch (status) {
            case "pre-switchover", "device" -> "switchover";
            case "completed" -> "done";
            case "failed", "cancelled", "cancelling" -> status;
            default -> "memory";
        };
    }

    private static List<JsonNode> jobs(QmpClient m) {
        List<JsonNode> out = new java.util.ArrayList<>();
        m.execute("query-block-jobs", QMP).forEach(out::add);
        return out;
    }

    private static boolean hasNode(QmpClient m, String node) {
        for (JsonNode n : m.execute("query-named-block-nodes", QMP)) {
            if (node.equals(n.path("node-name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (QmpCommandException e) {
            LOG.debug("ignored: {}", e.getMessage());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpClosedException("migration", "interrupted", e);
        }
    }
}
