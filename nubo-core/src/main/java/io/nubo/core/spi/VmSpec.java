package io.nubo.core.spi;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredVolume;

import java.util.List;

/**
 * What a hypervisor needs to create and boot one VM, with the volumes it boots with and its
 * private address ({@code 172.31.0.4/20}; null: the hypervisor's default network). {@code rootDisk}:
 * where the root disk lives when it is on shared storage (an HA instance's), null for the host's
 * own instance directory. {@code imageShared}: {@code imageLocation} is on a shared pool this host
 * mounts (see {@link DesiredInstance}).
 */
public record VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                     String hostname, String userData, String publicKey, List<DesiredVolume> volumes, String privateAddress,
                     String rootDisk, long rootDiskBytes, boolean imageShared) {
    public VmSpec {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                  String hostname, String userData, String publicKey, List<DesiredVolume> volumes, String privateAddress,
                  String rootDisk, long rootDiskBytes) {
        this(instanceId, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData, publicKey, volumes, privateAddress,
                rootDisk, rootDiskBytes, false);
    }

    public VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                  String hostname, String userData, String publicKey, List<DesiredVolume> volumes, String privateAddress) {
        this(instanceId, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData, publicKey, volumes, privateAddress, null, 0);
    }

    public VmSpec(String instanceId, int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                  String hostname, String userData, String publicKey, List<DesiredVolume> volumes) {
        this(instanceId, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData, publicKey, volumes, null);
    }

    /** The VM a desired instance describes. */
    public static VmSpec of(DesiredInstance d) {
        return new VmSpec(d.instanceId(), d.vcpus(), d.memoryMib(), d.imageId(), d.imageFormat(), d.imageLocation(), d.hostname(),
                d.userData(), d.publicKey(), d.volumes(), d.privateAddress(), d.rootDisk(), d.rootDiskBytes(), d.imageShared());
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
