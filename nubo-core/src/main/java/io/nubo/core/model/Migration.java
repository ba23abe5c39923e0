package io.nubo.core.model;

import io.nubo.core.agent.DesiredMigration;

import java.time.Instant;
import java.util.Optional;

/**
 * A live migration as the control plane records it (see {@link DesiredMigration} for the
 * protocol): where from and to, how far it got, the source's last reading, and why it failed.
 * {@code destinationHostId} is null when no host could take the instance.
 */
public record Migration(String id, String instanceId, String sourceHostId, String destinationHostId, DesiredMigration.State state,
                        String incomingHost, Integer incomingPort, Integer nbdPort, String phase, Long remainingBytes,
                        Long transferredBytes, Integer downtimeLimitMs, Integer downtimeMs, Integer totalMs, String reason,
                        String requestedBy, String drainOf, Instant createdAt, Instant updatedAt, Instant finishedAt) {
    public Optional<String> destination() {
        return Optional.ofNullable(destinationHostId);
    }
}
