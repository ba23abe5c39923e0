package io.nubo.core.model;

import java.time.Instant;

/** A virtual network of an account. Every account has one default VPC. */
public record Vpc(String id, String accountId, String cidrBlock, boolean isDefault, Instant createdAt) {
}
