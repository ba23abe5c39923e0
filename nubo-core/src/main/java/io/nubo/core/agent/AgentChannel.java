package io.nubo.core.agent;

import java.time.Duration;

/**
 * The agent's only way to talk to the control plane. The agent starts every exchange; the
 * in-process agent calls the control plane directly, and a remote one will use HTTP with the
 * same calls. Every call is idempotent, so an agent may repeat any of them after a failure.
 */
public interface AgentChannel {
    /** Registers (or re-registers) the host by name and returns its ID. */
    String register(HostRegistration registration);

    /** Renews the host's lease. */
    void heartbeat(String hostId);

    /**
     * Returns the host's desired state once its version is greater than {@code knownVersion},
     * or the current state when {@code timeout} passes first.
     */
    DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) throws InterruptedException;

    /** Reports what the host runs. */
    void report(String hostId, HostReport report);

    /** Tells the control plane how a migration this host takes part in is going. */
    void migrationUpdate(String hostId, MigrationUpdate update);
}
