package io.nubo.core.model;

/**
 * A size of instance. Prices are integer micro-units of the installation's currency per hour.
 * {@code requiresAccelerator}: the accelerator a host must run guests with to take this type
 * (e.g. {@code kvm}), or null for any.
 */
public record InstanceType(String name, int vcpus, int memoryMib, long priceMicrosPerHour, String requiresAccelerator) {
    /** A type that runs on any host. */
    public InstanceType(String name, int vcpus, int memoryMib, long priceMicrosPerHour) {
        this(name, vcpus, memoryMib, priceMicrosPerHour, null);
    }
}
