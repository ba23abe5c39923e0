package io.nubo.control.volumes;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where volume files live on a pool, under {@code <pool>/volumes/}: {@code <vol-id>.raw} once
 * created, and {@code .creating/<vol-id>.raw} while being made. A file appears under its final
 * name whole (it is made aside and moved), so a crash leaves at most a scratch file, which the
 * sweeper removes. Every name is derived from the volume ID, so the sweeper can tell whose a
 * file is. Raw files are sparse: creating or growing one writes no data. Stateless.
 */
public final class VolumeFiles {
    static final String DIR = "volumes";

    private VolumeFiles() {
    }

    /** The volume's file under a pool directory (the server's path of the pool, or a host's mount of it). */
    public static Path file(Path pool, String volumeId, String format) {
        return pool.resolve(DIR).resolve(volumeId + "." + format);
    }

    static Path scratchDir(Path pool) {
        return pool.resolve(DIR).resolve(".creating");
    }

    /** Makes a sparse file of {@code sizeBytes}, aside then moved into place. Idempotent: an existing file is kept. */
    static void create(Path pool, String volumeId, String format, long sizeBytes) throws IOException {
        Path target = file(pool, volumeId, format);
        if (Files.exists(target)) {
            grow(target, sizeBytes);
            return;
        }
        Path scratch = scratchDir(pool).resolve(volumeId + "." + format);
        Files.createDirectories(scratch.getParent());
        try (RandomAccessFile f = new RandomAccessFile(scratch.toFile(), "rw")) {
            f.setLength(sizeBytes);
            f.getFD().sync();
        }
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes the volume's file as a sparse copy of a snapshot's, of {@code sizeBytes}, aside then moved into place. Idempotent. */
    static void createFrom(Path snapshot, Path pool, String volumeId, String format, long sizeBytes) throws IOException {
        Path target = file(pool, volumeId, format);
        if (Files.exists(target)) {
            grow(target, sizeBytes);
            return;
        }
        io.nubo.core.storage.SparseCopy.copy(snapshot, scratchDir(pool).resolve(volumeId + "." + format), target, sizeBytes, p -> {
        });
    }

    /** Extends a raw file to {@code sizeBytes} if it is smaller (never shrinks it). Returns false when the file is missing. */
    static boolean grow(Path file, long sizeBytes) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            if (f.length() < sizeBytes) {
                f.setLength(sizeBytes);
            }
        }
        return true;
    }

    static void delete(Path pool, String volumeId, String format) throws IOException {
        Files.deleteIfExists(file(pool, volumeId, format));
        Files.deleteIfExists(scratchDir(pool).resolve(volumeId + "." + format));
    }

    /** The volume ID a file in the layout belongs to, if its name is one of ours. */
    static Optional<String> volumeIdOf(Path p) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        return name.startsWith("vol-") && dot > 0 ? Optional.of(name.substring(0, dot)) : Optional.empty();
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
