package io.nubo.core.billing;

import java.util.Arrays;
import java.util.Optional;

/**
 * What is metered. Each type has a base unit that usage is counted in, and the larger unit its
 * price is quoted per: {@code unitsPerPriceUnit} base units make one price unit. Only
 * {@link #INSTANCE} has a meter today; the storage types are metered once volumes, snapshots and
 * images emit their lifecycle events (see docs/billing.md).
 */
public enum UsageType {
    /** Instance running time per instance type: seconds, priced per hour. */
    INSTANCE("instance", "second", "hour", 3600),
    /** Volume storage per volume type: GiB-seconds, priced per GiB-month of 730 hours. */
    VOLUME("volume", "GiB-second", "GiB-month", 730L * 3600),
    /** Snapshot storage: GiB-seconds, priced per GiB-month. */
    SNAPSHOT("snapshot", "GiB-second", "GiB-month", 730L * 3600),
    /** Image storage: GiB-seconds, priced per GiB-month. */
    IMAGE("image", "GiB-second", "GiB-month", 730L * 3600);

    private final String apiName;
    private final String unit;
    private final String priceUnit;
    private final long unitsPerPriceUnit;

    UsageType(String apiName, String unit, String priceUnit, long unitsPerPriceUnit) {
        this.apiName = apiName;
        this.unit = unit;
        this.priceUnit = priceUnit;
        this.unitsPerPriceUnit = unitsPerPriceUnit;
    }

    public String apiName() {
        return apiName;
    }

    public String unit() {
        return unit;
    }

    public String priceUnit() {
        return priceUnit;
    }

    public long unitsPerPriceUnit() {
        return unitsPerPriceUnit;
    }

    public static Optional<UsageType> fromApiName(String name) {
        return Arrays.stream(values()).filter(t -> t.apiName.equals(name)).findFirst();
    }
}
