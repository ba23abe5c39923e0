package io.nubo.core.spi;

/** What a hypervisor needs to create and boot one VM. */
public record VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                     String hostname, String userData, String publicKey) {
    @Override
    public String toString() {
        return "VmSpec[" + instanceId + " " + vcpus + "vcpu " + memoryMib + "MiB]";
    }
}
