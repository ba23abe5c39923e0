package io.nubo.control.hosts;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes threads that wait for a change. A waiter reads {@link #generation()} before it looks at
 * the database and then waits for a newer generation, so a change that lands between the two is
 * never missed. Thread-safe.
 */
public final class ChangeSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;

    public long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    public void signal() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the generation differs from {@code seen} or {@code timeout} passes; returns whether it changed. */
    public boolean awaitChange(long seen, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (generation == seen) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits without a deadline check by the caller; convenience for loops. */
    public boolean awaitChange(long seen, long timeout, TimeUnit unit) throws InterruptedException {
        return awaitChange(seen, Duration.ofNanos(unit.toNanos(timeout)));
    }
}
