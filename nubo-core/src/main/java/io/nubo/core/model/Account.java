package io.nubo.core.model;

import java.time.Instant;

/** A tenant. {@code instanceQuota} caps its instances that are not terminated. */
public record Account(String id, String name, Role role, boolean enabled, int instanceQuota, Instant createdAt) {
}
