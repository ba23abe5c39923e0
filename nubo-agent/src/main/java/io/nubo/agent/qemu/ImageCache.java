package io.nubo.agent.qemu;

import io.nubo.qemu.ImageInfo;
import io.nubo.qemu.QemuImg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host's cache of base images, {@code <data-dir>/images/cache/<image-id>.<format>}. Each VM's
 * disk is a qcow2 overlay on one of these, so launching many VMs from one image copies it once.
 * A cached copy is never written to. Thread-safe: one lock per image.
 */
final class ImageCache {
    private final Path cacheDir;
    private final QemuImg qemuImg;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    ImageCache(Path imagesDir, QemuImg qemuImg) {
        this.cacheDir = imagesDir.resolve("cache");
        this.qemuImg = qemuImg;
    }

    /**
     * The cached base for {@code imageId}, copied from {@code source} the first time (a hard link
     * when both are on one filesystem). Checks that the file really is an image of {@code format}
     * with no backing file, so a missing, corrupt or hostile file fails here with a clear message.
     */
    Path ensure(String imageId, String format, Path source) {
        Path cached = cacheDir.resolve(imageId + "." + format);
        ReentrantLock lock = locks.computeIfAbsent(imageId, k -> new ReentrantLock());
        lock.lock();
        try {
            if (!Files.exists(cached)) {
                if (!Files.isRegularFile(source)) {
                    throw new IllegalStateException("the image file of " + imageId + " is missing: " + source);
                }
                check(imageId, format, source);
                Files.createDirectories(cacheDir);
                Path tmp = cacheDir.resolve(imageId + ".tmp");
                Files.deleteIfExists(tmp);
                try {
                    Files.createLink(tmp, source);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
            }
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("could not cache image " + imageId, e);
        } finally {
            lock.unlock();
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
