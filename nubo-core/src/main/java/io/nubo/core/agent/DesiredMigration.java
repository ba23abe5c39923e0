package io.nubo.core.agent;

/**
 * A live migration that concerns this host, as part of its desired state: the host is the
 * migration's {@code SOURCE} or its {@code DESTINATION}. The control plane's row is the only
 * coordination between the two agents; each acts on the state it sees here and reports back with
 * {@link AgentChannel#migrationUpdate}.
 *
 * <ul>
 *   <li>{@code preparing}: the destination starts the instance's VM paused, waiting for the
 *       incoming stream (from {@code instance}, the spec as the destination must build it), and
 *       reports where it listens.
 *   <li>{@code migrating}: the source migrates to {@code incomingHost:incomingPort} (mirroring its
 *       local disks to the NBD export at {@code nbdPort} first) and reports progress and the end.
 *   <li>{@code completed}: the instance now belongs to the destination, which resumes the VM; the
 *       source's (paused) VM is destroyed.
 *   <li>{@code failed}: the destination's VM is destroyed; the source cancels what is left of the
 *       migration and resumes its VM if the migration had paused it.
 * </ul>
 *
 * The destination resumes only after the control plane recorded {@code completed}, and the source
 * only after it recorded {@code failed}; the two are exclusive, so a VM never runs on two hosts.
 */
public record DesiredMigration(String migrationId, String instanceId, Role role, State state, DesiredInstance instance,
                               String incomingHost, Integer incomingPort, Integer nbdPort, long timeoutSeconds) {
    /** This host's part in the migration. */
    public enum Role { SOURCE, DESTINATION }

    /** The migration's state as the control plane recorded it. */
    public enum State {
        PREPARING, MIGRATING, COMPLETED, FAILED;

        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State fromApiName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }

        public boolean isActive() {
            return this == PREPARING || this == MIGRATING;
        }
    }

    @Override
    public String toString() {
        return "DesiredMigration[" + migrationId + " " + instanceId + " " + role + " " + state.apiName() + "]";
    }
}
