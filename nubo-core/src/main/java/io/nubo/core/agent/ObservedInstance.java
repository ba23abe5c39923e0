package io.nubo.core.agent;

import io.nubo.core.model.PowerState;

/**
 * What an agent sees of one VM; {@code reason} explains an unexpected state (crash, failed
 * start), and {@code sshHost}/{@code sshPort}, when set, say where the guest's SSH is reachable.
 */
public record ObservedInstance(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort) {
    public ObservedInstance(String instanceId, PowerState power, String reason) {
        this(instanceId, power, reason, null, null);
    }
}
