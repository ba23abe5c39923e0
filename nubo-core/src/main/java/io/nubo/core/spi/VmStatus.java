package io.nubo.core.spi;

import io.nubo.core.model.PowerState;

/**
 * A hypervisor's view of one VM; {@code reason} is set when the VM stopped or failed
 * unexpectedly, and {@code sshHost}/{@code sshPort} when its SSH is reachable from the host.
 */
public record VmStatus(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort) {
    public VmStatus(String instanceId, PowerState power, String reason) {
        this(instanceId, power, reason, null, null);
    }
}
