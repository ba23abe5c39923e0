package io.nubo.control.hosts;

import java.util.Optional;

/**
 * How the control plane reads a VM's serial console on its host. In the all-in-one server it
 * reads the local agent's driver; a remote host will be reached through its agent.
 */
@FunctionalInterface
public interface ConsoleAccess {
    /** The console tail, or empty when that host cannot be reached for it. */
    Optional<byte[]> tail(String hostId, String instanceId, int maxBytes);

    ConsoleAccess NONE = (host, id, max) -> Optional.empty();
}
