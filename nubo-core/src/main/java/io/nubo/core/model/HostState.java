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
    DISABLED;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
