package io.nubo.control.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

/**
 * An account's invoice for one UTC calendar month. A {@code draft} is computed afresh from the
 * usage so far ({@code asOf}); a {@code closed} one was frozen when its month was closed.
 * Amounts are integer minor units of {@code currency}.
 *
 * @param forecastMinor for the current month only: the total to date plus what is accruing
 *                      now would add by the month's end at today's prices
 * @param issuer        who bills it: "hoster", or the partner whose customer the account is
 */
public record Invoice(String id, String accountId, YearMonth month, Status status, String currency, Instant asOf,
                      List<Line> lines, long totalMinor, Optional<Long> forecastMinor, String issuer) {

    public enum Status { DRAFT, CLOSED }

    /**
     * One line: the usage of one resource as one sku at one unit price. {@code quantity} is in the
     * usage type's unit (seconds, GiB-seconds); {@code unitPriceMicros} is per price unit (hour, GiB-month).
     * {@code accountId} is the account the resource belongs to: a customer's, on its partner's invoice.
     */
    public record Line(int lineNo, String usageType, String resourceId, String sku, long quantity, String unit,
                       long unitPriceMicros, String priceUnit, long amountMinor, String accountId) {
    }
}
