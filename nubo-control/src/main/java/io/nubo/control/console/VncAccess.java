package io.nubo.control.console;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a VM's VNC server listens, as a unix socket this server can open. In the all-in-one
 * server that is the local agent's instance directory; a remote host will be reached through its
 * agent.
 */
@FunctionalInterface
public interface VncAccess {
    /** The socket, or empty when this server cannot reach that host's VNC sockets. */
    Optional<Path> socket(String hostId, String instanceId);

    VncAccess NONE = (host, id) -> Optional.empty();
}
