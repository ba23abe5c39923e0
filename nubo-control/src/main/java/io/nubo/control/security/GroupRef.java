package io.nubo.control.security;

import java.util.Optional;

/** How a request names a security group: by ID, or by name in the account's default VPC. */
public record GroupRef(Optional<String> id, Optional<String> name) {
    public static GroupRef byId(String id) {
        return new GroupRef(Optional.of(id), Optional.empty());
    }

    public static GroupRef byName(String name) {
        return new GroupRef(Optional.empty(), Optional.of(name));
    }
}
