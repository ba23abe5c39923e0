package io.nubo.control.billing;

/**
 * Usage summed over one group: {@code quantity} in the usage type's unit, and its cost at the
 * prices in force, in micro-units (rounded half-up once, for the group).
 */
public record UsageGroup(String key, String usageType, String unit, long quantity, long amountMicros) {
}
