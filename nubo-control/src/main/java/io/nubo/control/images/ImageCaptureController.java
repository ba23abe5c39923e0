package io.nubo.control.images;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.hosts.ChangeSignal;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.store.Database;
import io.nubo.store.ImageCaptures;
import io.nubo.store.ImageCaptures.Capture;
import io.nubo.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Moves CreateImage's captures along, from the database alone, so it can run again at any time
 * and on several servers (each capture is worked in its own transaction under the row locks of its
 * instance, then itself, then its image: the order in which agents' reports lock them, so the
 * two never deadlock):
 * <ul>
 *   <li>{@code stopping}: once the instance is stopped, its host is asked to copy the root disk
 *       ({@code copying}, which puts the capture in the instance's desired state);</li>
 *   <li>{@code copied}: the host's file is staged where an upload's would be; it is queued for
 *       import (inspected, moved into place, the image made available) and the capture ends;</li>
 *   <li>{@code failed}, an instance terminated before its copy was made, or an image deregistered
 *       meanwhile: the image fails (if still pending) and the capture ends;</li>
 *   <li>whenever a capture ends, an instance that was stopped for it and is still stopped is
 *       started again.</li>
 * </ul>
 * A server that dies in between leaves the rows as they were; the next pass goes on. Files a
 * failed capture left are the {@link ImageSweeper}'s. Thread-safe.
 */
public final class ImageCaptureController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCaptureController.class);
    private static final Duration POLL = Duration.ofSeconds(2);
    /**
     * How soon it looks again while captures are in flight: an agent's report that a copy is whole
     * moves the capture to {@code copied} in the report's transaction, and nothing wakes this
     * controller then; a 2 s poll added up to 2 s to every CreateImage (bench/storage/create-image.sh).
     */
    private static final Duration BUSY_POLL = Duration.ofMillis(200);
    private static final int BATCH = 20;

    private final Database db;
    private final Clock clock;
    private final Consumer<Collection<String>> hostsChanged;
    private final Runnable importerWork;
    private final ChangeSignal work = new ChangeSignal();
    private volatile boolean running;
    private Thread thread;

    public ImageCaptureController(Database db, Clock clock, Consumer<Collection<String>> hostsChanged, Runnable importerWork) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
        this.importerWork = importerWork;
    }

    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("image-capture-controller").start(this::loop);
    }

    /** Asks for a pass soon. */
    public void wake() {
        work.signal();
    }

    private void loop() {
        while (running) {
            long seen = work.generation();
            boolean busy = false;
            try {
                busy = pass();
            } catch (RuntimeException e) {
                LOG.warn("image capture pass failed; retrying: {}", e.toString());
            }
            try {
                work.awaitChange(seen, busy ? BUSY_POLL : POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One pass over the captures there are now; returns whether there were any. Public for tests. */
    public boolean pass() {
        Set<String> hosts = new HashSet<>();
        boolean queued = false;
        List<Capture> captures = db.read(s -> s.imageCaptures().list(BATCH));
        for (Capture listed : captures) {
            queued |= db.inTransaction(s -> {
                s.instances().lock(listed.instanceId());
                Optional<Capture> c = s.imageCaptures().lock(listed.imageId());
                return c.isPresent() && step(s, c.get(), clock.instant(), hosts);
            });
        }
        if (!hosts.isEmpty()) {
            hostsChanged.accept(hosts);
        }
        if (queued) {
            importerWork.run();
        }
        return !captures.isEmpty();
    }

    /** One capture's next step; returns whether an import was queued. */
    private boolean step(Store s, Capture c, Instant now, Set<String> hosts) {
        Optional<Image> image = s.images().lock(c.imageId());
        Optional<Instance> instance = s.instances().lock(c.instanceId());
        if (image.isEmpty() || !Image.PENDING.equals(image.get().state())) {
            end(s, c, instance, now, hosts, "its image was deregistered");
            return false;
        }
        boolean gone = instance.isEmpty() || instance.get().state() == InstanceState.TERMINATED
                || instance.get().state() == InstanceState.SHUTTING_DOWN;
        switch (c.phase()) {
            case ImageCaptures.COPIED -> {
                s.imageImports().insert(c.imageId(), "upload", c.stagedPath(), Optional.of("qcow2"), now);
                end(s, c, instance, now, hosts, "its root disk was copied");
                return true;
            }
            case ImageCaptures.FAILED -> fail(s, c, image.get(), instance, now, hosts, "Server.InternalError: " + c.reason());
            default -> {
                if (gone) {
                    fail(s, c, image.get(), instance, now, hosts,
                            "Client.InvalidInstanceID.NotFound: the instance was terminated before its image was made");
                } else if (ImageCaptures.STOPPING.equals(c.phase()) && instance.get().state() == InstanceState.STOPPED) {
                    s.imageCaptures().setPhase(c.imageId(), ImageCaptures.COPYING, null, now);
                    s.instances().touchDesired(c.instanceId());
                    hosts.add(instance.get().hostId());
                }
            }
        }
        return false;
    }

    private void fail(Store s, Capture c, Image image, Optional<Instance> instance, Instant now, Set<String> hosts, String reason) {
        LOG.info("CreateImage {} of {} failed: {}", c.imageId(), c.instanceId(), reason);
        s.images().markFailed(c.imageId(), reason);
        s.events().append(now, image.ownerId(), c.imageId(), "image.state", Image.PENDING, Image.FAILED, reason);
        end(s, c, instance, now, hosts, "its image failed");
    }

    /** Ends the capture; starts the instance again if it was stopped for it and nobody has started or ended it since. */
    private static void end(Store s, Capture c, Optional<Instance> instance, Instant now, Set<String> hosts, String why) {
        s.imageCaptures().delete(c.imageId());
        if (instance.isEmpty()) {
            return;
        }
        Instance i = instance.get();
        s.instances().touchDesired(i.id());
        if (i.hostId() != null) {
            hosts.add(i.hostId());
        }
        if (c.restart() && i.state() == InstanceState.STOPPED) {
            InstanceLog.record(s, i, InstanceChanges.withState(i, InstanceState.PENDING, InstanceTask.SPAWNING, null, now), true, null,
                    "started again after CreateImage " + c.imageId() + ": " + why);
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
