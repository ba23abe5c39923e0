package io.nubo.core.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A tenant. {@code instanceQuota} caps its instances that are not terminated. {@code partnerId}
 * names the partner whose customer it is (null for the hoster's own customers): that partner
 * manages and bills it.
 */
public record Account(String id, String name, Role role, boolean enabled, int instanceQuota, Instant createdAt, String partnerId) {
    /** An account of the hoster's own (no partner). */
    public Account(String id, String name, Role role, boolean enabled, int instanceQuota, Instant createdAt) {
        this(id, name, role, enabled, instanceQuota, createdAt, null);
    }

    public Optional<String> partner() {
        return Optional.ofNullable(partnerId);
    }
}
