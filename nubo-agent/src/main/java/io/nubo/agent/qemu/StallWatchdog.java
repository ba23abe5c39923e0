package io.nubo.agent.qemu;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ends a blocking transfer that makes no progress: an HTTP body read has no timeout of its own, so
 * a server or network that stops sending mid-file would hold a launch for ever. The reading thread
 * calls {@link #progress()} after each read; when none comes for {@code limit}, the watchdog
 * interrupts it (the HTTP client's body stream turns that into an {@code IOException}).
 * {@link #close()} ends the watch and clears an interrupt the watchdog made, so none leaks into
 * what the thread does next. For one transfer on one thread.
 */
final class StallWatchdog implements AutoCloseable {
    private final Thread reader = Thread.currentThread();
    private final long limitNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread watcher;
    private volatile long lastProgress = System.nanoTime();
    private boolean done;
    private boolean stalled;

    StallWatchdog(Duration limit) {
        this.limitNanos = limit.toNanos();
        this.watcher = Thread.ofVirtual().name("image-download-watchdog").start(this::watch);
    }

    void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether the watchdog ended the transfer. */
    boolean stalled() {
        lock.lock();
        try {
            return stalled;
        } finally {
            lock.unlock();
        }
    }

    private void watch() {
        try {
            while (true) {
                long idle = System.nanoTime() - lastProgress;
                if (idle >= limitNanos) {
                    lock.lock();
                    try {
                        if (!done) {
                            stalled = true;
                            reader.interrupt();
                        }
                    } finally {
                        lock.unlock();
                    }
                    return;
                }
                Thread.sleep(Duration.ofNanos(limitNanos - idle));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            done = true;
            if (stalled) {
                Thread.interrupted();
            }
        } finally {
            lock.unlock();
        }
        watcher.interrupt();
    }
}
