package io.nubo.core.agent;

import io.nubo.core.model.PowerState;

import java.util.List;

/**
 * What an agent sees of one VM; {@code reason} explains an unexpected state (crash, failed
 * start), and {@code sshHost}/{@code sshPort}, when set, say where the guest's SSH is reachable.
 * {@code volumes} are the volumes the VM holds (for a stopped VM: those it will boot with), or
 * null when the agent could not tell (the VM is starting, or its monitor did not answer): then
 * the control plane leaves the attachments as they are. {@code snapshots} tell how far the host
 * got with the instance's desired snapshots (null or empty: none reported).
 */
public record ObservedInstance(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort,
                               List<ObservedVolume> volumes, List<ObservedSnapshot> snapshots) {
    public ObservedInstance {
        volumes = volumes == null ? null : List.copyOf(volumes);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    }

    public ObservedInstance(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort,
                            List<ObservedVolume> volumes) {
        this(instanceId, power, reason, sshHost, sshPort, volumes, List.of());
    }

    public ObservedInstance(String instanceId, PowerState power, String reason, String sshHost, Integer sshPort) {
        this(instanceId, power, reason, sshHost, sshPort, null);
    }

    public ObservedInstance(String instanceId, PowerState power, String reason) {
        this(instanceId, power, reason, null, null, null);
    }
}
