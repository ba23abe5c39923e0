package io.nubo.control.billing;

import java.time.LocalDate;
import java.util.Optional;

/**
 * A usage question: the UTC days [{@code from}, {@code to}), optionally one resource and one
 * usage type or sku, grouped by {@code day}, {@code type} (usage type and sku) or {@code resource}.
 * {@code accountId} is for operators; a tenant always gets its own usage.
 */
public record UsageQuery(Optional<String> accountId, LocalDate from, LocalDate to, Optional<String> resourceId,
                         Optional<String> type, GroupBy groupBy) {
    public enum GroupBy { DAY, TYPE, RESOURCE }
}
