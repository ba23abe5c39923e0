package io.nubo.core.agent;

import io.nubo.core.model.PowerState;

/** What an agent sees of one VM; {@code reason} explains an unexpected state (crash, failed start). */
public record ObservedInstance(String instanceId, PowerState power, String reason) {
}
