package io.nubo.core.billing;

import java.time.Instant;

/**
 * One entry of a price book: from {@code effectiveFrom} until the next entry for the same
 * usage type and sku, one price unit (an hour, a GiB-month) costs {@code microsPerUnit}
 * micro-units of the installation's currency.
 */
public record Price(String book, UsageType type, String sku, Instant effectiveFrom, long microsPerUnit) {
    /** The installation's own price book. */
    public static final String HOSTER = "hoster";
}
