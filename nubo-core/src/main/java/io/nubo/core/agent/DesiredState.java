package io.nubo.core.agent;

import java.util.List;

/**
 * What a host should have, at a version. Versions only grow, so an agent can tell new from old.
 *
 * <p>A {@code complete} state lists every instance the host should have: any other VM on it should
 * not exist. A partial state (a delta) lists only the instances whose desired state changed after
 * the version the agent said it knew, terminated ones included; the agent merges it into what it
 * has. An agent that knows no version, or one the server cannot build a delta from, gets a complete
 * state, and so does a long-poll that times out, so that an agent re-synchronises now and then.
 *
 * <p>{@code migrations} is always complete, delta or not: every unfinished migration the host takes
 * part in, and those that ended in the last minutes (so that both sides see how they ended).
 */
public record DesiredState(long version, List<DesiredInstance> instances, boolean complete, List<DesiredMigration> migrations) {
    public DesiredState {
        migrations = migrations == null ? List.of() : List.copyOf(migrations);
    }

    public DesiredState(long version, List<DesiredInstance> instances, boolean complete) {
        this(version, instances, complete, List.of());
    }

    public DesiredState(long version, List<DesiredInstance> instances) {
        this(version, instances, true);
    }
}
