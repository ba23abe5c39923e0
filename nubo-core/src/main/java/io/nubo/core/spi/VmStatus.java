package io.nubo.core.spi;

import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.PowerState;

import java.util.List;

/**
 * A hypervisor's view of one VM; {@code reason} is set when the VM stopped or failed
 * unexpectedly, and {@code sshHost}/{@code sshPort} when its SSH is reachable from the host.
 * {@code volumes} are the volumes a running VM holds, remnants of an interrupted attach or
 * detach included; null when the driver cannot tell now (the VM is not running, or its monitor
 * did not answer).
 */
public record VmStatus(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort,
                       List<ObservedVolume> volumes) {
    public VmStatus {
        volumes = volumes == null ? null : List.copyOf(volumes);
    }

    public VmStatus(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort) {
        this(instanceId, power, reason, sshHost, sshPort, null);
    }

    public VmStatus(String instanceId, PowerState power, String reason) {
        this(instanceId, power, reason, null, null, null);
    }
}
