package io.nubo.core.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A bootable disk image. {@code location} is where its file lives (on a storage pool, or the
 * default image in the data dir); {@code format} is qemu-img's name for the file's real format.
 *
 * <p>{@code state} is EC2's: {@code pending} while it is imported ({@code progress} 0 to 100),
 * then {@code available} or {@code failed} (with {@code stateReason}), and {@code deregistered}.
 * {@code poolId} is the pool the file takes space on (null for the default image),
 * {@code sizeBytes} what the file takes there and {@code virtualSizeBytes} the disk size a guest sees.
 */
public record Image(String id, String name, String description, String ownerId, boolean isPublic, String state,
                    String format, String location, String architecture, Instant createdAt,
                    String stateReason, int progress, String poolId, long sizeBytes, long virtualSizeBytes) {
    public static final String PENDING = "pending";
    public static final String AVAILABLE = "available";
    public static final String FAILED = "failed";
    public static final String DEREGISTERED = "deregistered";

    /** An image registered complete (the default image, test fixtures): available at once, on no pool. */
    public Image(String id, String name, String description, String ownerId, boolean isPublic, String state,
                 String format, String location, String architecture, Instant createdAt) {
        this(id, name, description, ownerId, isPublic, state, format, location, architecture, createdAt, null, 100, null, 0, 0);
    }

    public Optional<String> owner() {
        return Optional.ofNullable(ownerId);
    }
}
