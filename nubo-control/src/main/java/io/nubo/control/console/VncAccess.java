package io.nubo.control.console;

import java.util.Optional;

/**
 * How this server reaches a VM's VNC server: the local agent's unix socket in its instance
 * directory, or a remote host's console port through its agent.
 */
@FunctionalInterface
public interface VncAccess {
    /** The way to the VM's VNC server, or empty when this server cannot reach that host's consoles. */
    Optional<VncConnector> connector(String hostId, String instanceId);

    VncAccess NONE = (host, id) -> Optional.empty();
}
