package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.store.Store;

/**
 * Writes an instance's change together with its event, so that every transition is in the log
 * (Principle 3). Writes nothing when nothing changed.
 */
public final class InstanceLog {
    private InstanceLog() {
    }

    /**
     * Stores {@code after} in place of {@code before} and appends an {@code instance.state} event when
     * the state changed, or an event of {@code otherType} when it did not (null: no event).
     */
    public static void record(Store s, Instance before, Instance after, boolean desiredChanged, String otherType, String cause) {
        if (before.equals(after) && !desiredChanged) {
            return;
        }
        s.instances().update(after, desiredChanged);
        if (before.state() != after.state()) {
            s.events().append(after.updatedAt(), after.accountId(), after.id(), "instance.state",
                    before.state().apiName(), after.state().apiName(), cause);
        } else if (otherType != null) {
            s.events().append(after.updatedAt(), after.accountId(), after.id(), otherType,
                    before.state().apiName(), after.state().apiName(), cause);
        }
    }
}
