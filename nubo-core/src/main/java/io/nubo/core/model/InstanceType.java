package io.nubo.core.model;

/** A size of instance. Prices are integer micro-units of the installation's currency per hour. */
public record InstanceType(String name, int vcpus, int memoryMib, long priceMicrosPerHour) {
}
