package io.nubo.core.billing;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Closed usage of one resource on one UTC day: the part of one accrual interval that fell on
 * {@code day}. {@code seconds} is what is billed for that part, including the one-minute minimum's
 * top-up on an interval's first day, so it can exceed {@code end - start}. The quantity billed is
 * {@code seconds * size} ({@code size} is 1 for instances, GiB for storage). An interval is
 * identified by the event that closed it, so a record can never be written twice.
 */
public record UsageRecord(String accountId, String resourceId, UsageType type, String sku, LocalDate day,
                          Instant start, Instant end, long seconds, long size, long startEventId, long endEventId) {
    public long quantity() {
        return Math.multiplyExact(seconds, size);
    }

    /** The seconds billed beyond the elapsed time (the minimum's top-up). */
    public long topUpSeconds() {
        return seconds - (end.getEpochSecond() - start.getEpochSecond());
    }
}
