package io.nubo.core.agent;

import java.util.List;

/**
 * What an agent observes on its host. {@code appliedVersion} is the desired-state version the agent
 * had converged to when it looked.
 *
 * <p>A {@code complete} report lists every VM on the host: an instance it leaves out is absent. A
 * partial report lists only what changed since the agent's last report, and says
 * {@link io.nubo.core.model.PowerState#ABSENT} for a VM that went away; what it leaves out is as the
 * last report said. Agents send partial reports as things change and a complete one now and then.
 */
public record HostReport(long appliedVersion, List<ObservedInstance> instances, boolean complete) {
    public HostReport(long appliedVersion, List<ObservedInstance> instances) {
        this(appliedVersion, instances, true);
    }
}
