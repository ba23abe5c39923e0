package io.nubo.core.spi;

import io.nubo.core.model.PowerState;

/** A hypervisor's view of one VM; {@code reason} is set when the VM stopped or failed unexpectedly. */
public record VmStatus(String instanceId, PowerState power, String reason) {
}
