package io.nubo.control.images;

import io.nubo.control.hosts.ChangeSignal;
import io.nubo.control.storage.StoragePoolService;
import io.nubo.core.NuboException;
import io.nubo.core.model.Image;
import io.nubo.core.model.Role;
import io.nubo.core.model.StoragePool;
import io.nubo.qemu.QemuException;
import io.nubo.qemu.QemuImg;
import io.nubo.store.Database;
import io.nubo.store.ImageImports.ImageImport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The controller that carries out imports: each worker claims a pending import from the
 * database with a lease, fetches the source (a download, a copy of a server file, or the staged
 * upload) into the import's scratch directory, inspects it, converts it if asked, moves the
 * result into place on the shared pool and marks the image available, all in steps that can
 * run again. A refused image fails at once with the reason; a network error or a crash costs an
 * attempt, and the import is tried again (by this server or, once the lease runs out, by
 * another) until it has used up its attempts, then fails. Nothing it wrote outlives a failure:
 * the scratch directory is wiped, and the {@link ImageSweeper} removes what a crash left.
 * Thread-safe.
 */
public final class ImageImporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImageImporter.class);
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final Duration SWEEP_PERIOD = Duration.ofMinutes(1);
    /** Progress up to here is the download (or copy); the rest is the conversion. */
    private static final int FETCHED = 60;

    private final Database db;
    private final Clock clock;
    private final ImageSettings settings;
    private final StoragePoolService pools;
    private final DiskImageInspector inspector;
    private final QemuImg qemuImg;
    private final ImageFiles files;
    private final ImageSweeper sweeper;
    private final UrlSource urls = new UrlSource();
    private final String owner = "server-" + UUID.randomUUID();
    private final ChangeSignal work = new ChangeSignal();
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("import-leases").factory());
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    /** Whether the shared pool's file system takes O_DIRECT writes; null until asked. */
    private volatile Boolean direct;

    public ImageImporter(Database db, Clock clock, ImageSettings settings, StoragePoolService pools, QemuImg qemuImg) {
        this.db = db;
        this.clock = clock;
        this.settings = settings;
        this.pools = pools;
        this.qemuImg = qemuImg;
        this.inspector = new DiskImageInspector(qemuImg);
        this.files = new ImageFiles(settings.sharedPool());
        this.sweeper = new ImageSweeper(db, clock, files, settings);
    }

    public void start() {
        running = true;
        for (int i = 0; i < settings.workers(); i++) {
            workers.add(Thread.ofVirtual().name("image-import-" + i).start(this::workLoop));
        }
        leases.scheduleWithFixedDelay(this::sweep, 0, SWEEP_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Wakes the workers: an import was queued. */
    public void wake() {
        work.signal();
    }

    /** Sweeps soon, off the caller's thread: an image was deregistered, and its file may go. */
    public void sweepSoon() {
        if (running) {
            leases.execute(this::sweep);
        }
    }

    /** Runs one sweep now (tests, and start-up). */
    public void sweep() {
        try {
            sweeper.sweep();
        } catch (RuntimeException e) {
            LOG.warn("image sweep failed; the next one retries: {}", e.toString());
        }
    }

    private void workLoop() {
        while (running) {
            long seen = work.generation();
            try {
                Optional<ImageImport> claimed = db.inTransaction(s -> s.imageImports().claim(owner, clock.instant(),
                        clock.instant().plus(settings.lease())));
                if (claimed.isPresent()) {
                    run(claimed.get());
                    continue;
                }
            } catch (RuntimeException e) {
                LOG.warn("claiming an import failed; retrying: {}", e.toString());
            }
            try {
                work.awaitChange(seen, POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One attempt at one import; every outcome is written to the database before it returns. */
    void run(ImageImport imp) {
        if (imp.attempts() > settings.maxAttempts()) {
            // Every earlier attempt ended with its server gone: do not let one import take servers down for ever.
            fail(imp, "Server.ImportFailure: gave up after " + settings.maxAttempts() + " attempts"
                    + imp.lastError().map(e -> "; the last error: " + e).orElse("; each attempt's server stopped before it finished"));
            return;
        }
        ImportAttempt attempt = new ImportAttempt(imp.imageId());
        long tick = Math.max(100, settings.lease().toMillis() / 3);
        ScheduledFuture<?> keeper = leases.scheduleWithFixedDelay(() -> keepLease(attempt), tick, tick, TimeUnit.MILLISECONDS);
        Optional<Finished> result = Optional.empty();
        try {
            result = perform(imp, attempt);
            result.ifPresent(r -> complete(imp, r));
        } catch (ImportAttempt.Cancelled e) {
            LOG.info("import of {} stopped: {}", imp.imageId(), e.getMessage());
        } catch (NuboException e) {
            fail(imp, (e.errorCode().httpStatus() >= 500 ? "Server." : "Client.") + e.errorCode().code().replace(".", "") + ": "
                    + e.getMessage());
        } catch (UrlSource.Refused | SparseCopy.TooLong e) {
            fail(imp, "Client.ImportFailure: the download failed: " + e.getMessage());
        } catch (IOException | QemuException | UncheckedIOException e) {
            String why = attempt.stalled().orElse(e.getMessage());
            retryOrFail(imp, why);
        } catch (RuntimeException e) {
            LOG.warn("import of {} failed unexpectedly", imp.imageId(), e);
            retryOrFail(imp, "an internal error: " + e);
        } finally {
            keeper.cancel(false);
            ImageFiles.deleteTree(files.workDir(imp.imageId()));
        }
    }

    /** What a finished import produced. */
    private record Finished(String format, Path file, long sizeBytes, long virtualSize, StoragePool pool, String timings) {
    }

    private Optional<Finished> perform(ImageImport imp, ImportAttempt attempt) throws IOException {
        String id = imp.imageId();
        long t0 = System.nanoTime();
        Optional<Image> image = db.read(s -> s.images().find(id));
        if (image.isEmpty() || !Image.PENDING.equals(image.get().state())) {
            // Deregistered while queued: drop the queue entry; the sweeper removes its files.
            db.inTransaction(s -> {
                s.imageImports().delete(id);
                return null;
            });
            return Optional.empty();
        }
        StoragePool pool = pools.imagePool();
        Path work = files.freshWorkDir(id);
        files.finalFiles(id).forEach(ImageFiles::deleteQuietly);
        Path source;
        DiskImageInspector.Inspection found;
        int convertFrom = FETCHED;
        Optional<DiskImageInspector.Inspection> direct = directSource(imp);
        if (direct.isPresent()) {
            source = Path.of(imp.source());
            found = direct.get();
            convertFrom = 0;
        } else {
            source = fetch(imp, image.get(), pool, work, attempt);
            attempt.checkCancelled();
            found = inspector.inspect(source, settings.maxVirtualSize());
        }
        long fetched = System.nanoTime();
        String format = imp.targetFormat().orElse(found.format());
        Path result = source;
        long virtualSize = found.virtualSize();
        if (!format.equals(found.format())) {
            result = work.resolve("converted.part");
            int from = convertFrom;
            attempt.progress(from);
            converter(found.virtualSize()).convert(source, found.format(), result, format, directWrites(work),
                    pct -> attempt.progress(from + pct * (99 - from) / 100));
            DiskImageInspector.Inspection converted = inspector.inspect(result, settings.maxVirtualSize());
            if (!converted.format().equals(format)) {
                throw new IOException("the conversion produced " + converted.format() + ", not " + format);
            }
            virtualSize = converted.virtualSize();
        }
        long convertedAt = System.nanoTime();
        attempt.checkCancelled();
        sync(result);
        Path target = files.finalFile(id, format);
        ImageFiles.moveAtomically(result, target);
        sync(target.getParent());
        long size = qemuImg.info(target, format).actualSize();
        String timings = String.format(java.util.Locale.ROOT, "fetch and inspect %d ms, convert and check %d ms, sync and move %d ms",
                (fetched - t0) / 1_000_000, (convertedAt - fetched) / 1_000_000, (System.nanoTime() - convertedAt) / 1_000_000);
        return Optional.of(new Finished(format, target, size, virtualSize, pool, timings));
    }

    /**
     * A server file that is raw and is to be converted is read by the conversion itself, with no
     * copy first: a raw file names no other file, and {@code -f raw} keeps qemu-img from probing
     * it again, so what the operator's file says cannot change what is read. (A file of any other
     * format is copied onto the pool first and inspected there, so that it cannot be swapped for
     * one with a backing file between the inspection and the conversion.) The output is
     * inspected again either way.
     */
    private Optional<DiskImageInspector.Inspection> directSource(ImageImport imp) {
        if (!imp.sourceKind().equals("path") || imp.targetFormat().isEmpty() || imp.targetFormat().get().equals("raw")) {
            return Optional.empty();
        }
        DiskImageInspector.Inspection found = inspector.inspect(Path.of(imp.source()), settings.maxVirtualSize());
        return found.format().equals("raw") ? Optional.of(found) : Optional.empty();
    }

    /** The source as a file on the pool: downloaded, copied from the server's file system, or the staged upload. */
    private Path fetch(ImageImport imp, Image image, StoragePool pool, Path work, ImportAttempt attempt) throws IOException {
        int fetchedAt = imp.targetFormat().isPresent() ? FETCHED : 99;
        long room = Math.min(settings.maxSourceBytes(), pool.freeBytes());
        Path into = work.resolve("source.part");
        switch (imp.sourceKind()) {
            case "upload" -> {
                Path staged = files.upload(imp.imageId());
                if (!Files.isRegularFile(staged)) {
                    throw new UrlSource.Refused("the uploaded file is gone");
                }
                attempt.progress(fetchedAt);
                return staged;
            }
            case "path" -> {
                Path path = Path.of(imp.source());
                long length = Files.size(path);
                try (InputStream in = Files.newInputStream(path)) {
                    copy(in, into, length, room, fetchedAt, attempt);
                }
                return into;
            }
            case "url" -> {
                boolean allowPrivate = settings.allowPrivateUrls() || ownerIsAdmin(image);
                UrlSource.Download d = urls.open(UrlSource.check(imp.source(), allowPrivate), allowPrivate, settings.stallTimeout());
                try (InputStream in = d.body()) {
                    copy(in, into, d.length().orElse(-1), room, fetchedAt, attempt);
                }
                return into;
            }
            default -> throw new IllegalStateException("unknown import source " + imp.sourceKind());
        }
    }

    private void copy(InputStream in, Path into, long expected, long room, int fetchedAt, ImportAttempt attempt) throws IOException {
        if (expected > room) {
            throw new SparseCopy.TooLong(room);
        }
        attempt.reading(in);
        try {
            SparseCopy.Result r = SparseCopy.copy(in, into, room, false, n -> attempt.progress(expected > 0
                    ? (int) Math.min(fetchedAt, n * fetchedAt / expected) : 0));
            if (expected >= 0 && r.bytes() != expected) {
                throw new IOException("the source ended after " + r.bytes() + " of " + expected + " bytes");
            }
        } finally {
            attempt.doneReading();
        }
    }

    private boolean ownerIsAdmin(Image image) {
        return image.ownerId() != null && db.read(s -> s.accounts().find(image.ownerId()))
                .map(a -> a.role() == Role.ADMIN).orElse(false);
    }

    /**
     * Whether the pool takes O_DIRECT writes: a conversion then writes its output straight to
     * disk, which costs less than letting it fill the page cache and fsyncing after (1.2 s against
     * 1.6 to 2.0 s for a 1 GiB result here). Asked of the file system once.
     */
    private boolean directWrites(Path work) {
        Boolean known = direct;
        if (known == null) {
            Path probe = work.resolve("direct-io.probe");
            try (FileChannel c = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
                known = true;
            } catch (IOException | UnsupportedOperationException e) {
                LOG.info("the shared pool does not take O_DIRECT writes ({}); conversions will fsync their output", e.toString());
                known = false;
            } finally {
                ImageFiles.deleteQuietly(probe);
            }
            direct = known;
        }
        return known;
    }

    /** qemu-img for one conversion: CPU time and wall time grow with the disk's size. */
    private QemuImg converter(long virtualSize) {
        long gib = Math.max(1, virtualSize >> 30);
        return qemuImg.withLimits(Duration.ofMinutes(10 + 2 * gib),
                new QemuImg.Limits(2L << 30, Duration.ofSeconds(120 + 30 * gib)));
    }

    /** Renews the lease and publishes progress; stops the work when the lease is lost or the download stalls. */
    private void keepLease(ImportAttempt attempt) {
        try {
            boolean held = db.inTransaction(s -> {
                boolean ok = s.imageImports().renew(attempt.imageId, owner, clock.instant().plus(settings.lease()));
                if (ok) {
                    s.images().setProgress(attempt.imageId, attempt.progress());
                }
                return ok;
            });
            if (!held) {
                attempt.cancel("the lease on the import was lost (deregistered, or taken over after a pause)");
            } else if (attempt.isReading() && attempt.nanosSinceMovement() > settings.stallTimeout().toNanos()) {
                attempt.stall("the download stalled: no data for " + settings.stallTimeout().toSeconds() + " s");
            }
        } catch (RuntimeException e) {
            LOG.warn("renewing the lease on {} failed: {}", attempt.imageId, e.toString());
        }
    }

    private void complete(ImageImport imp, Finished r) {
        boolean kept = db.inTransaction(s -> {
            Optional<Image> image = s.images().lock(imp.imageId());
            Optional<ImageImport> row = s.imageImports().find(imp.imageId());
            if (image.isEmpty() || !Image.PENDING.equals(image.get().state()) || row.isEmpty()
                    || !row.get().leaseOwner().equals(Optional.of(owner))) {
                return false;
            }
            s.images().markAvailable(imp.imageId(), r.format(), r.file().toString(), r.pool().id(), r.sizeBytes(), r.virtualSize());
            s.storagePools().addUsed(r.pool().id(), r.sizeBytes());
            s.imageImports().delete(imp.imageId());
            s.events().append(clock.instant(), image.get().ownerId(), imp.imageId(), "image.state", Image.PENDING, Image.AVAILABLE,
                    "imported as " + r.format() + " (" + imp.sourceKind() + ")");
            return true;
        });
        if (kept) {
            LOG.info("imported {} as {} ({} bytes on pool {}; {})", imp.imageId(), r.format(), r.sizeBytes(), r.pool().name(), r.timings());
            ImageFiles.deleteQuietly(files.upload(imp.imageId()));
        } else {
            // Deregistered (or taken over) meanwhile: this file is nobody's.
            ImageFiles.deleteQuietly(r.file());
        }
    }

    private void fail(ImageImport imp, String reason) {
        LOG.info("import of {} failed: {}", imp.imageId(), reason);
        db.inTransaction(s -> {
            Optional<Image> image = s.images().lock(imp.imageId());
            s.imageImports().delete(imp.imageId());
            if (image.isPresent() && Image.PENDING.equals(image.get().state())) {
                s.images().markFailed(imp.imageId(), reason);
                s.events().append(clock.instant(), image.get().ownerId(), imp.imageId(), "image.state", Image.PENDING, Image.FAILED,
                        reason);
            }
            return null;
        });
        ImageFiles.deleteQuietly(files.upload(imp.imageId()));
        files.finalFiles(imp.imageId()).forEach(ImageFiles::deleteQuietly);
    }

    private void retryOrFail(ImageImport imp, String why) {
        if (imp.attempts() >= settings.maxAttempts()) {
            fail(imp, "Server.ImportFailure: gave up after " + imp.attempts() + " attempts; the last one: " + why);
            return;
        }
        Duration backoff = Duration.ofSeconds(2L * imp.attempts() * imp.attempts());
        LOG.info("import of {} failed (attempt {}), retrying in {} s: {}", imp.imageId(), imp.attempts(), backoff.toSeconds(), why);
        db.inTransaction(s -> {
            s.imageImports().release(imp.imageId(), owner, why, clock.instant().plus(backoff));
            return null;
        });
    }

    private static void sync(Path p) throws IOException {
        try (FileChannel c = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    @Override
    public void close() {
        running = false;
        work.signal();
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        leases.shutdownNow();
    }
}
