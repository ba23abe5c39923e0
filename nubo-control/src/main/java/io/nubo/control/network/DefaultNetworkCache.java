package io.nubo.control.network;

import io.nubo.store.Store;
import io.nubo.store.Subnets.DefaultNetwork;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accounts' default networks, for listings that show an instance's VPC and subnet on every call.
 * A default VPC and its subnets are created with their account and no action changes or deletes
 * them, so an entry read once stays right; it is read again after {@link #TTL} all the same, so
 * that a future action that changes them is seen within that time on every server. An account
 * without a default network is not cached. Thread-safe.
 */
public final class DefaultNetworkCache {
    public static final Duration TTL = Duration.ofMinutes(1);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(DefaultNetwork network, Instant expires) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    public DefaultNetworkCache(Clock clock) {
        this.clock = clock;
    }

    /** The account's default network, from the cache or read with {@code s}. */
    public DefaultNetwork get(Store s, String accountId) {
        Instant now = clock.instant();
        Entry e = entries.get(accountId);
        if (e != null && e.expires().isAfter(now)) {
            return e.network();
        }
        DefaultNetwork net = s.subnets().defaultNetwork(accountId);
        if (net.vpcId().isPresent()) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(accountId, new Entry(net, now.plus(TTL)));
        }
        return net;
    }
}
