package io.nubo.core.model;

import java.time.Instant;

/** A security group: a named set of firewall rules in one of an account's VPCs. */
public record SecurityGroup(String id, String accountId, String vpcId, String name, String description, Instant createdAt) {
    public static final String DEFAULT_NAME = "default";

    public boolean isDefault() {
        return DEFAULT_NAME.equals(name);
    }
}
