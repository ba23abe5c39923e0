package io.nubo.core.agent;

/** What an agent tells the control plane about its host when it starts. */
public record HostRegistration(String name, String driver, String accelerator, String zone,
                               int vcpus, int memoryMib, int diskGib) {
}
