package io.nubo.control.snapshots;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where snapshot files live on a pool: {@code <pool>/snapshots/<snap-id>.raw} once whole, and
 * {@code <pool>/snapshots/.creating/<snap-id>.raw} while being written (by the controller or by
 * the agent's block job). A file appears under its final name whole, so a crash leaves at most a
 * scratch file, which its writer starts again or the sweeper removes. Every name is derived from
 * the snapshot ID, so the sweeper can tell whose a file is. Stateless.
 */
public final class SnapshotFiles {
    static final String DIR = "snapshots";
    static final String SCRATCH = ".creating";

    private SnapshotFiles() {
    }

    /** The snapshot's file under a pool directory (the server's path, or a host's mount of it). */
    public static Path file(Path pool, String snapshotId) {
        return pool.resolve(DIR).resolve(snapshotId + ".raw");
    }

    public static Path scratch(Path pool, String snapshotId) {
        return pool.resolve(DIR).resolve(SCRATCH).resolve(snapshotId + ".raw");
    }

    static void delete(Path pool, String snapshotId) throws IOException {
        Files.deleteIfExists(file(pool, snapshotId));
        Files.deleteIfExists(scratch(pool, snapshotId));
    }

    /** The snapshot ID a file in the layout belongs to, if its name is one of ours. */
    static Optional<String> snapshotIdOf(Path p) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        return name.startsWith("snap-") && dot > 0 ? Optional.of(name.substring(0, dot)) : Optional.empty();
    }

    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
