package io.nubo.core.model;

import java.time.Instant;

/**
 * A person who signs in to the portal with an e-mail and a password. {@code role} is the user's
 * role in their account: an {@code ADMIN} manages its users and keys, and in the operator's
 * account is an operator. The password hash never leaves the store and identity services.
 */
public record User(String id, String accountId, String email, Role role, boolean enabled, Instant createdAt) {
}
