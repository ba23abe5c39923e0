package io.nubo.control.storage;

import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An in-process agent's channel that also records, each time the host registers, which pools
 * the host reaches: its local pool and the shared pool's mount point there. A remote agent
 * announces its shared mount over HTTP instead ({@code nubo agent --shared-pool}).
 * Thread-safe as its delegate is.
 */
public final class PoolAnnouncingChannel implements AgentChannel {
    private final AgentChannel delegate;
    private final StoragePoolService pools;
    private final Path localPool;
    private final Optional<Path> sharedMount;

    public PoolAnnouncingChannel(AgentChannel delegate, StoragePoolService pools, Path localPool, Optional<Path> sharedMount) {
        this.delegate = delegate;
        this.pools = pools;
        this.localPool = localPool;
        this.sharedMount = sharedMount;
    }

    @Override
    public String register(HostRegistration registration) {
        String hostId = delegate.register(registration);
        pools.registerHost(hostId, registration.name(), localPool, sharedMount);
        return hostId;
    }

    @Override
    public void heartbeat(String hostId) {
        delegate.heartbeat(hostId);
    }

    @Override
    public DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) throws InterruptedException {
        return delegate.awaitDesired(hostId, knownVersion, timeout);
    }

    @Override
    public void report(String hostId, HostReport report) {
        delegate.report(hostId, report);
    }

    @Override
    public void migrationUpdate(String hostId, io.nubo.core.agent.MigrationUpdate update) {
        delegate.migrationUpdate(hostId, update);
    }
}
