package io.nubo.core.spi;

/** What a hypervisor driver found out about its host: what it can offer and how it runs guests. */
public record HostFacts(String accelerator, int vcpus, int memoryMib, int diskGib) {
}
