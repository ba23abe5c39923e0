package io.nubo.core.billing;

import java.time.Instant;
import java.util.Optional;

/**
 * What the meter knows of one resource after the events up to {@code lastEventId}: what it is
 * billed as, and the interval it is accruing in, if any.
 *
 * @param startedAt    when the open interval began; empty when the resource accrues nothing
 * @param startEventId the event that opened the interval (0 when none is open)
 */
public record MeterState(String resourceId, String accountId, UsageType type, String sku, long size,
                         Optional<Instant> startedAt, long startEventId, long lastEventId) {
    public boolean accruing() {
        return startedAt.isPresent();
    }
}
