package io.nubo.core.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.nubo.core.model.InstanceState.*;

/**
 * The operations a caller may request on an existing instance, and the table of states in
 * which each is allowed. Any other request is {@code IncorrectInstanceState}.
 */
public enum InstanceOperation {
    START,
    STOP,
    REBOOT,
    TERMINATE;

    private static final Map<InstanceOperation, Set<InstanceState>> ALLOWED = Map.of(
            START, EnumSet.of(STOPPED),
            STOP, EnumSet.of(RUNNING),
            REBOOT, EnumSet.of(RUNNING),
            // Terminating again is a no-op that succeeds, as on EC2.
            TERMINATE, EnumSet.of(PENDING, RUNNING, STOPPING, STOPPED, SHUTTING_DOWN, TERMINATED));

    public boolean allowedIn(InstanceState state) {
        return ALLOWED.get(this).contains(state);
    }

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
