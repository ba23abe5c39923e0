package io.nubo.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Takes a crash-consistent snapshot of a running VM's volume with a QMP block job, without pausing
 * the guest, and finds such jobs again by name after the agent restarts.
 *
 * <p>Why {@code blockdev-backup} with {@code sync=full}: it copies the disk as it was at the instant
 * the job started. QEMU puts a copy-before-write filter over the volume's node, so a guest write
 * to a region not yet copied first copies the old data to the target, and the guest never waits
 * for the whole copy, only for the first write to each not-yet-copied cluster. The VM's own disk
 * chain is never changed: the volume stays one raw file, whatever happens to the job. The
 * alternative, {@code blockdev-snapshot} (an overlay for new writes), a copy of the now-frozen
 * file, then {@code block-commit} of the overlay back, also gives a point in time, but it moves
 * the VM onto a new file for the duration; a crash between the steps leaves the VM on an overlay
 * that must be committed before anything else (a detach, a migration, a second snapshot) may
 * touch it, and the commit itself is a second job that writes to the volume. {@code drive-backup}
 * is the same job as {@code blockdev-backup} but creates its target itself, by file name only,
 * and is deprecated since QEMU 6.2; with a named target node we can find and drop it after a crash.
 *
 * <p>Names, so that a restarted agent recognises its own work: the job is {@code <snap-id>}, its
 * target node {@code <snap-id>-tgt} over the file node {@code <snap-id>-tgf} (a raw scratch file),
 * and the job is created with {@code auto-dismiss=false}, so that its end (and any error) stays
 * visible in {@code query-jobs} until the agent has seen it. Every step starts from what QEMU has,
 * so it may be called again at any time; an agent killed mid-job finds the job still running (QEMU
 * outlives the agent) and goes on watching it. Stateless; the QMP client serialises the commands.
 */
public final class VolumeBackup {
    /** Jobs of volume snapshots ({@code snap-}) and of images of a root disk ({@code ami-}, CreateImage). */
    private static final Pattern SNAPSHOT = Pattern.compile("(snap|ami)-[0-9a-f]+");
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    private VolumeBackup() {
    }

    /** Where a snapshot stands on the VM after one step. */
    public sealed interface Step {
        /** The job runs: {@code percent} of the disk is copied. */
        record Running(int percent) implements Step {
        }

        /** The job ended well; its target is closed and the scratch file holds the whole copy. */
        record Done() implements Step {
        }

        /** The job failed (QEMU's reason); its target is dropped. */
        record Failed(String reason) implements Step {
        }

        /** The VM has no node of this volume: the file is not the VM's to copy from. */
        record NoVolume() implements Step {
        }
    }

    public static String targetNode(String snapshotId) {
        return snapshotId + "-tgt";
    }

    public static String targetFileNode(String snapshotId) {
        return snapshotId + "-tgf";
    }

    /**
     * One step of the snapshot {@code snapshotId} of volume {@code volumeId} into {@code scratch}:
     * starts the job if there is none (after dropping what an interrupted start left), reports its
     * progress, or, once it has ended, dismisses it and drops its target.
     */
    public static Step advance(QmpClient m, String snapshotId, String volumeId, Path scratch) {
        return advance(m, snapshotId, volumeId, scratch, "raw");
    }

    /**
     * As {@link #advance(QmpClient, String, String, Path)}, into a target of {@code targetFormat}:
     * {@code raw} for a volume's snapshot, {@code qcow2} for an image of the root disk (CreateImage:
     * {@code sync=full} of the root's top node reads through its backing chain, so the copy is flat
     * and standalone, and the qcow2 target keeps the zero areas as metadata rather than as blocks).
     */
    public static Step advance(QmpClient m, String snapshotId, String volumeId, Path scratch, String targetFormat) {
        boolean qcow2 = targetFormat.equals("qcow2");
        Optional<JsonNode> job = job(m, snapshotId);
        if (job.isPresent()) {
            String status = job.get().path("status").asText();
            if (!status.equals("concluded") && !status.equals("null")) {
                long total = job.get().path("total-progress").asLong(0);
                long current = job.get().path("current-progress").asLong(0);
                return new Step.Running(total <= 0 ? 0 : (int) Math.min(99, current * 100 / total));
            }
            String error = job.get().path("error").asText(null);
            m.execute("job-dismiss", Map.of("id", snapshotId));
            dropTarget(m, snapshotId);
            if (error == null && !qcow2) {
                digHoles(scratch);
            }
            return error == null ? new Step.Done() : new Step.Failed(error);
        }
        Map<String, Long> sizes = nodeSizes(m);
        if (!sizes.containsKey(volumeId)) {
            dropTarget(m, snapshotId);
            return new Step.NoVolume();
        }
        // No job: a fresh start, or a start a crash interrupted (a target node without its job), or a job
        // that ended and was dismissed before the file was moved into place. Each begins again from nothing.
        dropTarget(m, snapshotId);
        if (qcow2) {
            prepareQcow2Scratch(scratch, sizes.get(volumeId));
        } else {
            prepareScratch(scratch, sizes.get(volumeId));
        }
        m.execute("blockdev-add", Map.of("driver", qcow2 ? "qcow2" : "raw", "node-name", targetNode(snapshotId), "discard", "unmap",
                "file", Map.of("driver", "file", "node-name", targetFileNode(snapshotId), "filename", scratch.toString(), "discard", "unmap")));
        m.execute("blockdev-backup", Map.of("job-id", snapshotId, "device", volumeId, "target", targetNode(snapshotId), "sync", "full",
                "auto-dismiss", false));
        return new Step.Running(0);
    }

    /**
     * Cancels the snapshot jobs on the VM whose snapshot is not in {@code keep}, and drops their
     * target nodes (and target nodes a crash left without a job). Returns the scratch files those
     * targets wrote, for the caller to delete.
     */
    public static List<Path> dropAllBut(QmpClient m, Set<String> keep) {
        List<String> cancelled = new ArrayList<>();
        for (JsonNode j : m.execute("query-jobs")) {
            String id = j.path("id").asText();
            if (SNAPSHOT.matcher(id).matches() && !keep.contains(id)) {
                if (!j.path("status").asText().equals("concluded")) {
                    try {
                        m.execute("job-cancel", Map.of("id", id));
                    } catch (QmpCommandException e) {
                        // Ended meanwhile.
                    }
                }
                cancelled.add(id);
            }
        }
        long deadline = System.nanoTime() + CANCEL_WAIT.toNanos();
        for (String id : cancelled) {
            while (true) {
                Optional<JsonNode> j = job(m, id);
                if (j.isEmpty()) {
                    break;
                }
                if (j.get().path("status").asText().equals("concluded")) {
                    m.execute("job-dismiss", Map.of("id", id));
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new QmpException("job-cancel", "snapshot job " + id + " did not end after it was cancelled", null);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
            }
        }
        List<Path> files = new ArrayList<>();
        for (JsonNode n : m.execute("query-named-block-nodes", Map.of("flat", true))) {
            String name = n.path("node-name").asText();
            if (name.endsWith("-tgt") && SNAPSHOT.matcher(name.substring(0, name.length() - 4)).matches()) {
                String id = name.substring(0, name.length() - 4);
                if (!keep.contains(id)) {
                    String file = n.path("image").path("filename").asText(null);
                    if (file != null && file.startsWith("/")) {
                        files.add(Path.of(file));
                    }
                    dropTarget(m, id);
                }
            }
        }
        return files;
    }

    private static Optional<JsonNode> job(QmpClient m, String id) {
        for (JsonNode j : m.execute("query-jobs")) {
            if (j.path("id").asText().equals(id)) {
                return Optional.of(j);
            }
        }
        return Optional.empty();
    }

    private static Map<String, Long> nodeSizes(QmpClient m) {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode n : m.execute("query-named-block-nodes", Map.of("flat", true))) {
            out.put(n.path("node-name").asText(), n.path("image").path("virtual-size").asLong());
        }
        return out;
    }

    private static void dropTarget(QmpClient m, String snapshotId) {
        for (String node : new String[]{targetNode(snapshotId), targetFileNode(snapshotId)}) {
            try {
                m.execute("blockdev-del", Map.of("node-name", node));
            } catch (QmpCommandException e) {
                // Not there (or gone with its parent).
            }
        }
    }

    /**
     * Gives back the space of the copy's zero blocks: the job writes a volume's unwritten areas
     * with write-zeroes requests, which a raw file answers with allocated (unwritten) extents, so a
     * 1 GiB volume with 100 MiB written would cost 1 GiB (and {@code fallocate --dig-holes} does not
     * see such extents). A sparse rewrite of the copy, moved over it, keeps only the data. A crash
     * meanwhile leaves the scratch file, and the snapshot starts again. Best effort: on an I/O
     * error the copy keeps its zeros, and is correct either way.
     */
    private static void digHoles(Path scratch) {
        try {
            long size = Files.size(scratch);
            Path sparse = scratch.resolveSibling(scratch.getFileName() + ".sparse");
            io.nubo.core.storage.SparseCopy.copy(scratch, sparse, scratch, size, p -> {
            });
        } catch (IOException e) {
            // The copy stays as the job wrote it.
        }
    }

    /** A new, empty qcow2 scratch file of the disk's size, with no backing file. */
    private static void prepareQcow2Scratch(Path scratch, long sizeBytes) {
        try {
            Files.createDirectories(scratch.getParent());
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the image's scratch file " + scratch, e);
        }
        new QemuImg().create(scratch, "qcow2", sizeBytes);
    }

    /** A new, sparse scratch file of the volume's size (the backup job needs its target as large as its source). */
    private static void prepareScratch(Path scratch, long sizeBytes) {
        try {
            Files.createDirectories(scratch.getParent());
            Files.deleteIfExists(scratch);
            try (RandomAccessFile f = new RandomAccessFile(scratch.toFile(), "rw")) {
                f.setLength(sizeBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not make the snapshot's scratch file " + scratch, e);
        }
    }
}
