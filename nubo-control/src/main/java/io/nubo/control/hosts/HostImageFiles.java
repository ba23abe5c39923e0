package io.nubo.control.hosts;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Image;
import io.nubo.store.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The image files a host may stream from the server, for agents that do not mount the pool an image
 * is on (see {@link HostImagePaths}). A host gets only the file of an image it has a reason to hold
 * (an instance on it, or migrating to it, was made from it), so that a host credential reads no
 * other tenant's image: anything else is {@code NotFound}, whether the image exists or not.
 *
 * <p>The file's SHA-256 is taken once and recorded with the file's size and modification time
 * (V26); a file replaced at the same path is hashed again. Thread-safe: one hashing per image at a
 * time on this server (two servers may both hash a file once, and record the same digest).
 */
public final class HostImageFiles {
    /** An image's file as the server streams it: where it is, its size and its SHA-256 (lower-case hex). */
    public record ImageFile(String imageId, String format, Path path, long sizeBytes, String sha256) {
    }

    private final Database db;
    private final ConcurrentHashMap<String, ReentrantLock> hashing = new ConcurrentHashMap<>();

    public HostImageFiles(Database db) {
        this.db = db;
    }

    /** The file of {@code imageId} for {@code hostId}, with its digest; {@code NotFound} unless the host needs it. */
    public ImageFile fileFor(String hostId, String imageId) {
        Optional<Image> needed = db.read(s -> s.images().find(imageId)
                .filter(i -> i.state().equals(Image.AVAILABLE) || i.state().equals(Image.DEREGISTERED))
                .filter(i -> s.images().neededOn(imageId, hostId)));
        Image image = needed.orElseThrow(() -> notFound(imageId));
        Path file = Path.of(image.location());
        if (image.location().isEmpty() || !Files.isRegularFile(file)) {
            throw notFound(imageId);
        }
        ReentrantLock lock = hashing.computeIfAbsent(imageId, k -> new ReentrantLock());
        lock.lock();
        try {
            String stamp = stamp(file);
            String sha = db.read(s -> s.images().sha256(imageId, stamp)).orElseGet(() -> {
                String digest = sha256(file);
                db.inTransaction(s -> {
                    s.images().recordSha256(imageId, digest, stamp);
                    return null;
                });
                return digest;
            });
            return new ImageFile(imageId, image.format(), file, Files.size(file), sha);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file of image " + imageId, e);
        } finally {
            lock.unlock();
        }
    }

    private static NuboException notFound(String imageId) {
        return NuboException.of(ErrorCode.NOT_FOUND, "No image file '%s' for this host", imageId);
    }

    /** What the file is now: its size and modification time, which a replaced file changes. */
    static String stamp(Path file) throws IOException {
        return Files.size(file) + ":" + Files.getLastModifiedTime(file).to(TimeUnit.NANOSECONDS);
    }

    static String sha256(Path file) {
        try {
            return io.nubo.core.FileDigest.sha256(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
    }
}
