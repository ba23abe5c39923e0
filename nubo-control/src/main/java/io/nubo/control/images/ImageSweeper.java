package io.nubo.control.images;

import io.nubo.core.model.Image;
import io.nubo.store.Database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Removes the image files nothing needs any more from the shared pool: what a crashed or failed
 * import left (scratch directories, staged uploads, half-received uploads, files of images that
 * failed or never were), and the files of deregistered images once no instance made from them
 * is left, giving their bytes back to the pool. It decides from the database alone, so running
 * it on several servers at once, or again, is harmless. Thread-safe.
 */
final class ImageSweeper {
    private static final java.time.Duration UPLOAD_GRACE = java.time.Duration.ofMinutes(1);
    private final Database db;
    private final Clock clock;
    private final ImageFiles files;
    private final ImageSettings settings;

    ImageSweeper(Database db, Clock clock, ImageFiles files, ImageSettings settings) {
        this.db = db;
        this.clock = clock;
        this.files = files;
        this.settings = settings;
    }

    void sweep() {
        for (Path p : ImageFiles.list(files.dir())) {
            if (Files.isRegularFile(p)) {
                ImageFiles.imageIdOf(p).ifPresent(id -> sweepImageFile(id, p));
            }
        }
        for (Path p : ImageFiles.list(files.dir().resolve(".work"))) {
            if (ImageFiles.imageIdOf(p).map(this::notQueued).orElse(true)) {
                ImageFiles.deleteTree(p);
            }
        }
        // A staged upload is moved into place a moment before its import is queued: give it a minute.
        Instant settled = clock.instant().minus(UPLOAD_GRACE);
        for (Path p : ImageFiles.list(files.dir().resolve(".uploads"))) {
            if (lastModified(p).isBefore(settled) && ImageFiles.imageIdOf(p).map(this::notQueued).orElse(true)) {
                ImageFiles.deleteQuietly(p);
            }
        }
        Instant stale = clock.instant().minus(settings.incomingMaxAge());
        for (Path p : ImageFiles.list(files.incomingDir())) {
            if (lastModified(p).isBefore(stale)) {
                ImageFiles.deleteQuietly(p);
            }
        }
        releaseDeregistered();
    }

    /**
     * Asked afresh for each file: an import queued after the sweep began must keep its files, and so
     * must an image being made from an instance (CreateImage), whose host writes them.
     */
    private boolean notQueued(String imageId) {
        return db.read(s -> s.imageImports().find(imageId).isEmpty() && s.imageCaptures().find(imageId).isEmpty());
    }

    /** An image's file stays while the image is pending, available (at that very path), or deregistered but in use. */
    private void sweepImageFile(String id, Path p) {
        Optional<Image> image = db.read(s -> s.images().find(id));
        boolean keep = image.map(i -> switch (i.state()) {
            case Image.PENDING -> true;
            case Image.AVAILABLE -> p.toString().equals(i.location());
            case Image.DEREGISTERED -> p.toString().equals(i.location()) && i.sizeBytes() > 0;
            default -> false;
        }).orElse(false);
        if (!keep) {
            ImageFiles.deleteQuietly(p);
        }
    }

    /** Deletes the files of deregistered images no instance still uses, and gives their space back. */
    private void releaseDeregistered() {
        for (Image unused : db.read(s -> s.images().unusedDeregisteredFiles())) {
            Path file = Path.of(unused.location());
            if (!file.startsWith(files.dir())) {
                continue; // on a pool this server does not hold
            }
            db.inTransaction(s -> {
                Optional<Image> locked = s.images().lock(unused.id());
                if (locked.isPresent() && locked.get().sizeBytes() > 0) {
                    s.images().fileDeleted(unused.id());
                    s.storagePools().addUsed(locked.get().poolId(), -locked.get().sizeBytes());
                    s.events().append(clock.instant(), locked.get().ownerId(), unused.id(), "image.file-deleted", null, null,
                            "deregistered and no longer used; " + locked.get().sizeBytes() + " bytes freed");
                }
                return null;
            });
            ImageFiles.deleteQuietly(file);
        }
    }

    private static Instant lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.MAX;
        }
    }
}
