package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.store.Events;
import io.nubo.store.Store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes instances' changes together with their events, so that every transition is in the log
 * (Principle 3). Writes nothing for an instance that did not change.
 */
public final class InstanceLog {
    private final Map<String, Instance> changed = new LinkedHashMap<>();
    private final Set<String> desiredChanged = new HashSet<>();
    private final List<Events.New> events = new ArrayList<>();

    /**
     * Stores {@code after} in place of {@code before} and appends an {@code instance.state} event when
     * the state changed, or an event of {@code otherType} when it did not (null: no event).
     */
    public static void record(Store s, Instance before, Instance after, boolean desiredChanged, String otherType, String cause) {
        InstanceLog log = new InstanceLog();
        log.add(before, after, desiredChanged, otherType, cause);
        log.write(s);
    }

    /** Collects a change, as {@link #record} would write it; {@link #write} writes them all. */
    public void add(Instance before, Instance after, boolean desiredChanged, String otherType, String cause) {
        if (before.equals(after) && !desiredChanged) {
            return;
        }
        changed.put(after.id(), after);
        if (desiredChanged) {
            this.desiredChanged.add(after.id());
        }
        if (before.state() != after.state()) {
            events.add(new Events.New(after.updatedAt(), after.accountId(), after.id(), "instance.state",
                    before.state().apiName(), after.state().apiName(), cause));
        } else if (otherType != null) {
            events.add(new Events.New(after.updatedAt(), after.accountId(), after.id(), otherType,
                    before.state().apiName(), after.state().apiName(), cause));
        }
    }

    /** Writes what was collected, in three statements plus one per host whose desired state changed. */
    public void write(Store s) {
        s.instances().updateAll(List.copyOf(changed.values()), desiredChanged);
        s.events().appendAll(events);
        changed.clear();
        desiredChanged.clear();
        events.clear();
    }
}
