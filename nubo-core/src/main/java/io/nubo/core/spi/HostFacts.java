package io.nubo.core.spi;

import io.nubo.core.model.Architectures;

/**
 * What a hypervisor driver found out about its host: what it can offer and how it runs guests.
 * {@code architecture} is the guest architecture the driver runs ({@link Architectures}).
 */
public record HostFacts(String accelerator, int vcpus, int memoryMib, int diskGib, String architecture) {
    /** Facts of a driver that runs x86_64 guests, as every driver did before hosts reported their architecture. */
    public HostFacts(String accelerator, int vcpus, int memoryMib, int diskGib) {
        this(accelerator, vcpus, memoryMib, diskGib, Architectures.X86_64);
    }
}
