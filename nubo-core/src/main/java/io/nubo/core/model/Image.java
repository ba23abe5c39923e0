package io.nubo.core.model;

import java.time.Instant;
import java.util.Optional;

/** A bootable disk image. {@code location} is where its file lives on a host; {@code format} is qemu-img's name. */
public record Image(String id, String name, String description, String ownerId, boolean isPublic, String state,
                    String format, String location, String architecture, Instant createdAt) {
    public Optional<String> owner() {
        return Optional.ofNullable(ownerId);
    }
}
