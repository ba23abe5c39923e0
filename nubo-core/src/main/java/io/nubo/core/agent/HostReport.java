package io.nubo.core.agent;

import java.util.List;

/**
 * Everything an agent observes on its host at one moment. It is complete: an instance the
 * agent does not list is absent from the host. {@code appliedVersion} is the desired-state
 * version the agent had converged to when it looked.
 */
public record HostReport(long appliedVersion, List<ObservedInstance> instances) {
}
