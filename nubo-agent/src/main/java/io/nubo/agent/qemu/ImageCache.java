package io.nubo.agent.qemu;

import io.nubo.agent.ImageDownloads;
import io.nubo.core.FileDigest;
import io.nubo.qemu.ImageInfo;
import io.nubo.qemu.QemuImg;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The host's cache of base images, {@code <data-dir>/images/cache/<image-id>.<format>}. Each VM's
 * disk is a qcow2 overlay on one of these, so launching many VMs from one image copies it once.
 * A cached copy is never written to.
 *
 * <p>Where a copy comes from: the file at the location the control plane names, when this host
 * reads it there (the in-process agent of {@code nubo up}, which has no {@link ImageDownloads}, and
 * any agent for an image on a shared pool it mounts); otherwise the server, streamed into
 * {@code <id>.<format>.part}, fsynced, checked against the server's size and SHA-256 and
 * {@code qemu-img info}, then renamed into place. Only a complete, verified file ever has the cached
 * name, so an agent that dies mid-download finds no half image that looks whole; it resumes the
 * {@code .part} file on its next try. A digest that does not match is a launch error, never a VM.
 *
 * <p>Thread-safe: one lock per image, so instances that need the same image wait for one copy.
 */
final class ImageCache {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** Tries of a download that breaks off (each resumes where the last stopped). */
    static final int DOWNLOAD_ATTEMPTS = 3;

    private final Path cacheDir;
    private final QemuImg qemuImg;
    private final Duration retryPause;
    private final Duration stallLimit;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile ImageDownloads downloads;

    ImageCache(Path imagesDir, QemuImg qemuImg) {
        this(imagesDir, qemuImg, Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    /** {@code stallLimit}: how long a download may receive nothing before it counts as broken off. */
    ImageCache(Path imagesDir, QemuImg qemuImg, Duration retryPause, Duration stallLimit) {
        this.cacheDir = imagesDir.resolve("cache");
        this.qemuImg = qemuImg;
        this.retryPause = retryPause;
        this.stallLimit = stallLimit;
    }

    /** From now on, images that are not on a shared pool this host mounts come from {@code source}. */
    void downloadFrom(ImageDownloads source) {
        this.downloads = source;
    }

    /** Where {@code imageId}'s copy lives once cached. */
    Path cachedFile(String imageId, String format) {
        return cacheDir.resolve(imageId + "." + format);
    }

    /**
     * The cached base for {@code imageId}, made the first time: from {@code location} when this host
     * reads the file there ({@code shared}, or no download source), else downloaded from the server.
     * Checks that the file really is an image of {@code format} with no backing file, so a missing,
     * corrupt or hostile file fails here with a clear message.
     */
    Path ensure(String imageId, String format, String location, boolean shared) {
        Path cached = cachedFile(imageId, format);
        ReentrantLock lock = locks.computeIfAbsent(imageId, k -> new ReentrantLock());
        lock.lock();
        try {
            if (!Files.exists(cached)) {
                Files.createDirectories(cacheDir);
                ImageDownloads source = downloads;
                if (source == null || shared) {
                    copyLocal(imageId, format, Path.of(location), cached);
                } else {
                    download(source, imageId, format, cached);
                }
            }
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("could not cache image " + imageId, e);
        } finally {
            lock.unlock();
        }
    }

    private void copyLocal(String imageId, String format, Path source, Path cached) throws IOException {
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("the image file of " + imageId + " is missing: " + source);
        }
        check(imageId, format, source);
        Path tmp = cacheDir.resolve(imageId + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Downloads into {@code .part}, resuming after a break, and moves the verified file into place. */
    private void download(ImageDownloads source, String imageId, String format, Path cached) throws IOException {
        Path part = cacheDir.resolve(cached.getFileName() + ".part");
        IOException last = null;
        for (int attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
            try {
                long started = System.nanoTime();
                String sha = fetch(source, imageId, part);
                try {
                    check(imageId, format, part);
                } catch (RuntimeException e) {
                    Files.deleteIfExists(part);
                    throw e;
                }
                Files.move(part, cached, StandardCopyOption.ATOMIC_MOVE);
                syncDirectory(cacheDir);
                LOG.info("fetched image {} from the server: {} bytes, SHA-256 {}, in {} ms", imageId, Files.size(cached), sha,
                        (System.nanoTime() - started) / 1_000_000);
                return;
            } catch (IOException e) {
                last = e;
                LOG.warn("downloading image {} broke off (attempt {} of {}): {}", imageId, attempt, DOWNLOAD_ATTEMPTS, e.toString());
                if (attempt < DOWNLOAD_ATTEMPTS) {
                    pause();
                }
            }
        }
        throw new IllegalStateException("could not download image " + imageId + " from the server after " + DOWNLOAD_ATTEMPTS
                + " tries: " + last.getMessage(), last);
    }

    /**
     * One try: appends what the server sends to {@code part} (from where it ends), fsyncs it, and
     * checks the whole file against the server's size and digest. A short file is an
     * {@link IOException} (try again, resuming). A wrong digest is tried again from the start when
     * part of the file came from an earlier try (which a crash may have left torn); from a whole
     * fresh transfer it is not worth another try with the same bytes: the part is deleted and the
     * launch fails.
     */
    private String fetch(ImageDownloads source, String imageId, Path part) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        try (ImageDownloads.Download d = source.open(imageId, have);
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (!SHA256.matcher(String.valueOf(d.sha256())).matches() || d.sizeBytes() < 0 || d.from() < 0 || d.from() > have) {
                throw new IllegalStateException("the server's answer for image " + imageId + " names no valid SHA-256 and size");
            }
            if (have > d.sizeBytes()) {
                Files.deleteIfExists(part);
                throw new IOException("a partial download of " + imageId + " is longer than the image; starting again");
            }
            out.truncate(d.from());
            out.position(d.from());
            try (StallWatchdog watchdog = new StallWatchdog(stallLimit)) {
                try {
                    copy(d.body(), out, watchdog);
                } catch (IOException e) {
                    if (watchdog.stalled()) {
                        throw new IOException("the download of " + imageId + " stalled: nothing arrived for " + stallLimit.toSeconds() + " s", e);
                    }
                    throw e;
                }
            }
            out.force(true);
            long size = out.size();
            if (size < d.sizeBytes()) {
                throw new IOException("the download of " + imageId + " ended at " + size + " of " + d.sizeBytes() + " bytes");
            }
            String sha = FileDigest.sha256(part);
            if (size != d.sizeBytes() || !sha.equals(d.sha256())) {
                Files.deleteIfExists(part);
                if (d.from() > 0) {
                    // The bytes kept from an earlier try may be what a crash left of them: try once more from the start.
                    throw new IOException("the resumed download of " + imageId + " does not match its SHA-256; starting again");
                }
                throw new IllegalStateException("the image " + imageId + " downloaded from the server is corrupt: " + size + " bytes with SHA-256 "
                        + sha + ", where the server said " + d.sizeBytes() + " bytes with SHA-256 " + d.sha256());
            }
            return sha;
        }
    }

    private static void copy(InputStream in, FileChannel out, StallWatchdog watchdog) throws IOException {
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
            watchdog.progress();
            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /** Makes the rename durable: after a crash the cache holds the whole file under its name, or nothing there. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("could not fsync {}: {}", dir, e.toString());
        }
    }

    private void pause() {
        try {
            Thread.sleep(retryPause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while downloading an image", e);
        }
    }

    private void check(String imageId, String format, Path source) {
        ImageInfo info;
        try {
            info = qemuImg.info(source);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the image file of " + imageId + " is not a readable disk image: " + e.getMessage(), e);
        }
        if (!info.format().equals(format)) {
            throw new IllegalStateException("the image file of " + imageId + " is " + info.format() + ", not " + format);
        }
        if (info.hasBackingFile()) {
            throw new IllegalStateException("the image file of " + imageId + " has a backing file, which is not allowed");
        }
    }
}
