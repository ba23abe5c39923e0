package io.nubo.store;

/**
 * Validation without effect, for EC2's {@code DryRun}: {@link #check} runs a service call so that
 * it validates everything it would validate, reads what it would read, and then rolls back every
 * transaction it opens instead of committing it. Nothing after the first transaction runs, so a
 * service call must write in one transaction (they all do). Thread-safe: the mode belongs to the
 * calling thread.
 */
public final class DryRun {
    private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

    private DryRun() {
    }

    /**
     * Runs {@code call} in dry-run mode. Returns normally when the call would have succeeded, and
     * throws what it throws when it would have failed.
     */
    public static void check(Runnable call) {
        ACTIVE.set(Boolean.TRUE);
        try {
            call.run();
        } catch (WouldSucceed expected) {
            // the transaction was rolled back after it succeeded
        } finally {
            ACTIVE.remove();
        }
    }

    /** Whether the calling thread is in dry-run mode. */
    public static boolean isActive() {
        return Boolean.TRUE.equals(ACTIVE.get());
    }

    static void rollBackIfActive() {
        if (Boolean.TRUE.equals(ACTIVE.get())) {
            throw new WouldSucceed();
        }
    }

    /** Unwinds a dry-run transaction that succeeded, so that Jdbi rolls it back. */
    private static final class WouldSucceed extends RuntimeException {
        WouldSucceed() {
            super("dry run", null, false, false);
        }
    }
}
