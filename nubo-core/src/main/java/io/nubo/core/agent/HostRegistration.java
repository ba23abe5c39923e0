package io.nubo.core.agent;

import io.nubo.core.model.Architectures;

/**
 * What an agent tells the control plane about its host when it starts. {@code architecture}: the
 * guest architecture its driver runs; an agent from before hosts reported it sends none, and its
 * host is taken as x86_64, which every driver then ran.
 */
public record HostRegistration(String name, String driver, String accelerator, String zone,
                               int vcpus, int memoryMib, int diskGib, String architecture) {
    public HostRegistration {
        architecture = architecture == null || architecture.isBlank() ? Architectures.X86_64 : architecture;
    }

    /** A registration of an x86_64 host. */
    public HostRegistration(String name, String driver, String accelerator, String zone, int vcpus, int memoryMib, int diskGib) {
        this(name, driver, accelerator, zone, vcpus, memoryMib, diskGib, Architectures.X86_64);
    }
}
