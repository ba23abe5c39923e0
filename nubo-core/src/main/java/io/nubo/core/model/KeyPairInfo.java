package io.nubo.core.model;

import java.time.Instant;

/** An SSH key pair's public part, as EC2 describes it. */
public record KeyPairInfo(String id, String accountId, String name, String type, String fingerprint, String publicKey,
                          Instant createdAt) {
}
