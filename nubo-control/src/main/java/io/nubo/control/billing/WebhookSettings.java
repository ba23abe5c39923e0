package io.nubo.control.billing;

import java.time.Duration;

/**
 * How webhook calls are made. Immutable.
 *
 * @param timeout        how long one call may take, connect to last byte; a webhook that never answers costs one attempt
 * @param lease          how long a server holds a call before another may take it over (longer than {@code timeout})
 * @param firstRetry     the wait after the first failure; each later one doubles it, up to {@code maxRetry}
 * @param maxRetry       the longest wait between attempts
 * @param maxAttempts    after this many failed attempts a call is given up
 * @param poll           how often a sender looks for due calls when nothing woke it
 * @param allowPrivate   whether calls may go to loopback, private and link-local addresses
 */
public record WebhookSettings(Duration timeout, Duration lease, Duration firstRetry, Duration maxRetry, int maxAttempts, Duration poll,
                              boolean allowPrivate) {
    public WebhookSettings {
        if (lease.compareTo(timeout) <= 0 || maxAttempts < 1 || firstRetry.isNegative() || maxRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("webhook settings: the lease must outlast the timeout, and attempts be positive");
        }
    }

    /** 10 s per call, retried after 30 s, 1, 2, 4 ... minutes up to an hour, 10 attempts in all (about 4 hours). */
    public static WebhookSettings defaults(boolean allowPrivate) {
        return new WebhookSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofHours(1), 10,
                Duration.ofSeconds(5), allowPrivate);
    }

    /** The wait after the {@code attempts}-th failed attempt. */
    Duration backoff(int attempts) {
        Duration d = firstRetry;
        for (int i = 1; i < attempts && d.compareTo(maxRetry) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxRetry) > 0 ? maxRetry : d;
    }
}
