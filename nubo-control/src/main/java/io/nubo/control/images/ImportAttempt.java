package io.nubo.control.images;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of one import, as its worker and its lease keeper share it: the progress to publish,
 * when bytes last moved, and a way to stop the work from outside (the lease was lost, or the
 * download stalled). Thread-safe.
 */
final class ImportAttempt {
    /** The work was stopped from outside; whatever it did is thrown away. */
    static final class Cancelled extends RuntimeException {
        Cancelled(String why) {
            super(why);
        }
    }

    final String imageId;
    private final AtomicInteger progress = new AtomicInteger();
    private final AtomicLong lastMovement = new AtomicLong(System.nanoTime());
    private final AtomicReference<String> cancelled = new AtomicReference<>();
    private final AtomicReference<String> stalled = new AtomicReference<>();
    private final AtomicReference<Closeable> stream = new AtomicReference<>();

    ImportAttempt(String imageId) {
        this.imageId = imageId;
    }

    int progress() {
        return progress.get();
    }

    /** Records progress (0 to 100, never going back) and that the work is moving. */
    void progress(int percent) {
        progress.accumulateAndGet(Math.max(0, Math.min(100, percent)), Math::max);
        lastMovement.set(System.nanoTime());
        checkCancelled();
    }

    long nanosSinceMovement() {
        return System.nanoTime() - lastMovement.get();
    }

    /** The stream the worker reads now, which a cancel closes so that a blocked read ends. */
    void reading(Closeable s) {
        stream.set(s);
        lastMovement.set(System.nanoTime());
    }

    boolean isReading() {
        return stream.get() != null;
    }

    void doneReading() {
        stream.set(null);
    }

    /** Stops the work for good (the lease was lost): nothing it did may be kept. */
    void cancel(String why) {
        if (cancelled.compareAndSet(null, why)) {
            closeStream();
        }
    }

    /** Ends a read that no longer moves; the worker's read fails, and the import is tried again. */
    void stall(String why) {
        if (stalled.compareAndSet(null, why)) {
            closeStream();
        }
    }

    /** Why a read was ended from outside, if it was. */
    java.util.Optional<String> stalled() {
        return java.util.Optional.ofNullable(stalled.get());
    }

    private void closeStream() {
        Closeable s = stream.get();
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing is only to wake the reader.
            }
        }
    }

    boolean isCancelled() {
        return cancelled.get() != null;
    }

    void checkCancelled() {
        String why = cancelled.get();
        if (why != null) {
            throw new Cancelled(why);
        }
    }
}
