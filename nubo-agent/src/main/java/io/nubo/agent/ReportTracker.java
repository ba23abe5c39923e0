package io.nubo.agent;

import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.PowerState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides what the agent's next report says: only what changed since the last report the control
 * plane took (a partial report), or everything (a complete one) at first, after a complete desired
 * state, and every {@code completeEvery}, as a safety net. An instance whose desired state changed
 * is always included: the control plane ignores an observation made before the agent knew the
 * instance's latest desired state, so it must hear it again once the agent does. Not thread-safe:
 * the reconcile loop alone uses it.
 */
final class ReportTracker {
    private final Duration completeEvery;
    /** Instance ID to the desired-state version at which it last changed. */
    private final Map<String, Long> desiredChanged = new HashMap<>();
    private Map<String, ObservedInstance> lastSent;
    private long lastCompleteNanos;
    private boolean completeDue = true;

    ReportTracker(Duration completeEvery) {
        this.completeEvery = completeEvery;
    }

    /** Notes instances whose desired state changed at {@code version}; {@code complete} when the whole state was replaced. */
    synchronized void desiredChanged(Collection<String> ids, long version, boolean complete) {
        ids.forEach(id -> desiredChanged.put(id, version));
        completeDue |= complete;
    }

    /** The report to send for what the host has now, if there is anything to say. */
    synchronized Optional<HostReport> next(long appliedVersion, Map<String, ObservedInstance> observed) {
        boolean complete = completeDue || lastSent == null || System.nanoTime() - lastCompleteNanos > completeEvery.toNanos();
        if (complete) {
            return Optional.of(new HostReport(appliedVersion, List.copyOf(new TreeMap<>(observed).values()), true));
        }
        Set<String> ids = new HashSet<>(desiredChanged.keySet());
        observed.forEach((id, o) -> {
            if (!Objects.equals(o, lastSent.get(id))) {
                ids.add(id);
            }
        });
        lastSent.keySet().stream().filter(id -> !observed.containsKey(id)).forEach(ids::add);
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        List<ObservedInstance> changes = new ArrayList<>(ids.size());
        ids.stream().sorted().forEach(id -> changes.add(observed.getOrDefault(id, new ObservedInstance(id, PowerState.ABSENT, null))));
        return Optional.of(new HostReport(appliedVersion, changes, false));
    }

    /**
     * Records that the control plane took {@code sent}, made from {@code observed}. A desired change
     * newer than the report's version stays pending: the report's observation of it may not count.
     */
    synchronized void sent(HostReport sent, Map<String, ObservedInstance> observed) {
        lastSent = Map.copyOf(observed);
        desiredChanged.values().removeIf(version -> version <= sent.appliedVersion());
        if (sent.complete()) {
            completeDue = false;
            lastCompleteNanos = System.nanoTime();
        }
    }
}
