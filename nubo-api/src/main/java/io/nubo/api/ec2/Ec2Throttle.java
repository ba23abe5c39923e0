package io.nubo.api.ec2;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * EC2's request throttling: token buckets per account and action, as EC2 documents them. Every
 * request takes one token from its action's bucket; the instance actions also take one token per
 * instance from a second, per-action resource bucket. A request that finds a bucket empty is
 * refused with {@code RequestLimitExceeded} (503), which every AWS client retries with backoff.
 * Buckets refill continuously at their rate, up to their size.
 *
 * <p>The sizes and rates are EC2's published defaults multiplied by an operator's {@code scale}:
 * 1 is EC2's, 10 allows ten times as much, 0 turns throttling off. Thread-safe.
 */
public final class Ec2Throttle {
    /** A bucket's size and its refill per second, at scale 1. */
    record Rate(double size, double perSecond) {
    }

    static final Rate MUTATING = new Rate(200, 5);
    static final Rate NON_MUTATING = new Rate(100, 20);
    /** A Describe* with no IDs, filters or page size: the whole list, the most expensive kind. */
    static final Rate UNFILTERED = new Rate(50, 5);
    /** Instances per action, for the actions EC2 also limits by resource. */
    static final Map<String, Rate> RESOURCES = Map.of(
            "RunInstances", new Rate(1000, 2),
            "StartInstances", new Rate(1000, 2),
            "StopInstances", new Rate(1000, 20),
            "TerminateInstances", new Rate(1000, 20));
    private static final Set<String> READ_PREFIXES = Set.of("Describe", "Get", "List", "Search");
    private static final Set<String> FREE_PARAMETERS = Set.of("Action", "Version", "DryRun");

    private final double scale;
    private final LongSupplier nanos;
    private final Map<Key, Bucket> buckets = new ConcurrentHashMap<>();

    private record Key(String accountId, String action, boolean resources) {
    }

    public Ec2Throttle(double scale) {
        this(scale, System::nanoTime);
    }

    Ec2Throttle(double scale, LongSupplier nanos) {
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("the rate-limit scale must be a finite number >= 0: " + scale);
        }
        this.scale = scale;
        this.nanos = nanos;
    }

    public static Ec2Throttle off() {
        return new Ec2Throttle(0);
    }

    /**
     * Takes the tokens that one request costs, or refuses it. {@code parameterNames} tells a
     * listing of everything from a narrowed one; {@code instances} is how many instances the
     * request names or launches.
     */
    public void admit(String accountId, String action, Iterable<String> parameterNames, int instances) {
        if (scale == 0) {
            return;
        }
        long now = nanos.getAsLong();
        Rate resource = RESOURCES.get(action);
        if (resource != null && instances > 0 && !take(new Key(accountId, action, true), resource, instances, now)) {
            throw limitExceeded(action);
        }
        if (!take(new Key(accountId, action, false), requestRate(action, parameterNames), 1, now)) {
            throw limitExceeded(action);
        }
    }

    static Rate requestRate(String action, Iterable<String> parameterNames) {
        if (READ_PREFIXES.stream().noneMatch(action::startsWith)) {
            return MUTATING;
        }
        for (String name : parameterNames) {
            if (!FREE_PARAMETERS.contains(name)) {
                return NON_MUTATING;
            }
        }
        return UNFILTERED;
    }

    private boolean take(Key key, Rate rate, int tokens, long now) {
        // A bucket holds at least one token at any scale, or a request could never pass.
        double size = Math.max(1, rate.size() * scale);
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(size, now));
        return bucket.take(tokens, size, rate.perSecond() * scale, now);
    }

    private static NuboException limitExceeded(String action) {
        return NuboException.of(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Request limit exceeded for %s: retry with backoff.", action);
    }

    /** One token bucket. Its own lock: two accounts never wait for each other. */
    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }

        synchronized boolean take(int n, double size, double perSecond, long now) {
            tokens = Math.min(size, tokens + Math.max(0, now - refilledAt) * perSecond / 1e9);
            refilledAt = Math.max(refilledAt, now);
            if (tokens < n) {
                return false;
            }
            tokens -= n;
            return true;
        }
    }
}
