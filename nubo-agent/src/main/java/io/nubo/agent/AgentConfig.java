package io.nubo.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an agent runs: its host name and zone, where it keeps its own small state, how often it
 * re-checks its VMs, how long a graceful stop may take before it is forced, and whether and when it
 * fences its HA VMs after losing its lease ({@link LeaseFence.Policy}; off unless given).
 */
public record AgentConfig(String hostName, String zone, Path stateDir, Duration tick, Duration stopTimeout, LeaseFence.Policy fencing) {
    public AgentConfig(String hostName, String zone, Path stateDir, Duration tick, Duration stopTimeout) {
        this(hostName, zone, stateDir, tick, stopTimeout, LeaseFence.Policy.off());
    }
}
