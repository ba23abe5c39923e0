package io.nubo.core.spi;

import io.nubo.core.agent.DesiredVolume;

import java.util.List;

/** What a hypervisor needs to create and boot one VM, with the volumes it boots with. */
public record VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                     String hostname, String userData, String publicKey, List<DesiredVolume> volumes) {
    public VmSpec {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                  String hostname, String userData, String publicKey) {
        this(instanceId, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData, publicKey, List.of());
    }

    @Override
    public String toString() {
        return "VmSpec[" + instanceId + " " + vcpus + "vcpu " + memoryMib + "MiB]";
    }
}
