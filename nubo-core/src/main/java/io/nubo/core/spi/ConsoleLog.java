package io.nubo.core.spi;

import java.util.Optional;

/** An optional hypervisor ability: the tail of a VM's serial console, kept across its restarts. */
public interface ConsoleLog {
    /** The last {@code maxBytes} bytes of the VM's serial console, or empty if the VM is unknown here. */
    Optional<byte[]> consoleTail(String instanceId, int maxBytes);
}
