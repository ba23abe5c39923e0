package io.nubo.agent;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How an agent runs: its host name and zone, where it keeps its own small state, how often it
 * re-checks its VMs, and how long a graceful stop may take before it is forced.
 */
public record AgentConfig(String hostName, String zone, Path stateDir, Duration tick, Duration stopTimeout) {
}
