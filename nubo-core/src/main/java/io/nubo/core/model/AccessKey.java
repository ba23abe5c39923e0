package io.nubo.core.model;

import java.time.Instant;

/** An access key's public part. The secret is shown once, at creation, and stored only encrypted. */
public record AccessKey(String id, String accountId, boolean active, Instant createdAt) {
}
