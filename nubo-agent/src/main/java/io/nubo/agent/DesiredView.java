package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.model.InstanceState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's copy of its host's desired state, kept current by merging the deltas the control
 * plane sends (see {@link DesiredState}), so that a change costs what it changed rather than a copy
 * of every instance on the host. Thread-safe.
 */
final class DesiredView {
    /** One consistent reading: the version and the instances it covers. */
    record Snapshot(long version, List<DesiredInstance> instances, List<DesiredMigration> migrations) {
        Snapshot(long version, List<DesiredInstance> instances) {
            this(version, instances, List.of());
        }
    }

    private final Map<String, DesiredInstance> instances = new HashMap<>();
    private long version = -1;
    private List<DesiredMigration> migrations = List.of();

    /** Takes a fetched state in; returns the IDs of the instances it changed (all of them for a complete state). */
    synchronized List<String> apply(DesiredState d) {
        if (d.complete()) {
            instances.clear();
        }
        List<String> changed = new ArrayList<>(d.instances().size());
        for (DesiredInstance i : d.instances()) {
            if (i.state() == InstanceState.TERMINATED) {
                instances.remove(i.instanceId()); // gone for good: whatever is left of its VM is destroyed
            } else {
                instances.put(i.instanceId(), i);
            }
            changed.add(i.instanceId());
        }
        version = d.version();
        // Migrations come whole in every state; one that moved an instance away takes it out of this host's view.
        migrations = d.migrations();
        for (DesiredMigration m : MigrationDuties.latest(migrations)) {
            if (m.role() == DesiredMigration.Role.SOURCE && m.state() == DesiredMigration.State.COMPLETED
                    && instances.remove(m.instanceId()) != null) {
                changed.add(m.instanceId());
            }
        }
        return changed;
    }

    /** Forgets everything, as before the first fetch: after a fence, only a complete state fetched afresh counts. */
    synchronized void reset() {
        instances.clear();
        migrations = List.of();
        version = -1;
    }

    /** The version the agent knows, -1 before the first fetch. */
    synchronized long version() {
        return version;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(version, List.copyOf(instances.values()), migrations);
    }
}
