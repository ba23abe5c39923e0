package io.nubo.core.model;

import java.util.Locale;

/** A host's state, as the control plane sees it. */
public enum HostState {
    UP,
    SUSPECT,
    DOWN,
    /** Being emptied by live migration before maintenance: takes no new instances. */
    DRAINING,
    MAINTENANCE,
    DISABLED,
    /** Taken out of the cloud by an operator: not listed, its credentials revoked; a new join brings it back. */
    REMOVED;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
