package io.nubo.control.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Where image files live on a pool, under {@code <pool>/images/}:
 * <ul>
 *   <li>{@code <ami-id>.<format>}: an image's file once it is imported;</li>
 *   <li>{@code .work/<ami-id>/}: an import's scratch files (the download, the conversion),
 *       wiped whenever the import starts, ends or is taken over;</li>
 *   <li>{@code .uploads/<ami-id>.src}: an upload that was received and checked, until its import ends;</li>
 *   <li>{@code .incoming/<random>.part}: an upload while it arrives, before it has an image.</li>
 * </ul>
 * Every name is derived from the image ID, so a server that takes over an import knows exactly
 * which files were its predecessor's. Thread-safe (it holds no state beyond the directory).
 */
public final class ImageFiles {
    private final Path dir;

    ImageFiles(Path pool) {
        this.dir = pool.toAbsolutePath().normalize().resolve("images");
    }

    Path dir() {
        return dir;
    }

    Path finalFile(String imageId, String format) {
        return dir.resolve(imageId + "." + format);
    }

    Path workDir(String imageId) {
        return dir.resolve(".work").resolve(imageId);
    }

    Path upload(String imageId) {
        return dir.resolve(".uploads").resolve(imageId + ".src");
    }

    Path incomingDir() {
        return dir.resolve(".incoming");
    }

    /** A fresh file name for an upload that is arriving. */
    Path newIncoming() {
        return incomingDir().resolve(UUID.randomUUID() + ".part");
    }

    /** An empty scratch directory for an import, whatever an earlier attempt left there. */
    Path freshWorkDir(String imageId) {
        Path work = workDir(imageId);
        deleteTree(work);
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return work;
    }

    /** Moves a finished file into place; on the same file system, so it appears whole or not at all. */
    static void moveAtomically(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The image files of {@code imageId} in any format (an earlier attempt may have chosen another). */
    List<Path> finalFiles(String imageId) {
        return list(dir).stream().filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith(imageId + ".")).toList();
    }

    /** The image ID a file or directory in this layout belongs to, if its name is one of ours. */
    static Optional<String> imageIdOf(Path p) {
        String name = p.getFileName().toString();
        if (!name.startsWith("ami-")) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        return Optional.of(dot < 0 ? name : name.substring(0, dot));
    }

    static List<Path> list(Path d) {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // The next sweep tries again.
        }
    }

    /** Deletes a directory tree, quietly: what is left goes at the next sweep. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(ImageFiles::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            // Another sweep (this server's own, or a replica's) deleting the same tree under the walk,
            // which then meets a vanished file: the next sweep finishes whatever is left.
        }
    }
}
