package io.nubo.core.model;

import java.util.Locale;

/** What the control plane is doing to an instance right now, beside its EC2 state (Nova's task_state). */
public enum InstanceTask {
    NONE,
    SCHEDULING,
    SPAWNING,
    REBOOTING,
    POWERING_OFF,
    DELETING,
    /** Being live-migrated to another host: it keeps running; stop, reboot and terminate wait until it ends. */
    MIGRATING;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
