package io.nubo.control.snapshots;

import io.nubo.control.images.CaptureObservations;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.agent.ObservedSnapshot;
import io.nubo.core.model.Instance;
import io.nubo.core.model.Snapshot;
import io.nubo.core.model.SnapshotState;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Turns what agents report about the snapshots they take into snapshot transitions, within the
 * report's transaction: progress while the block job runs, {@code completed} once the agent has
 * the whole file in place, {@code error} when the copy failed. Only the copier's reports count,
 * and only while the snapshot is pending; a change of state takes the snapshot out of the
 * instance's desired state (so the agent stops reporting it). Stateless.
 */
public final class SnapshotObservations {
    private SnapshotObservations() {
    }

    /** Applies the snapshot part of a report for the instances whose observations count; returns whether a desired state changed. */
    public static boolean apply(Store s, List<Instance> counted, Map<String, ObservedInstance> seen, Instant now) {
        boolean changed = false;
        for (Instance i : counted) {
            ObservedInstance o = seen.get(i.id());
            if (o == null || o.snapshots().isEmpty()) {
                continue;
            }
            for (ObservedSnapshot r : o.snapshots()) {
                if (CaptureObservations.isImage(r)) {
                    changed |= CaptureObservations.apply(s, i, r, now);
                    continue;
                }
                Snapshot x = s.snapshots().lock(r.snapshotId()).orElse(null);
                if (x == null || x.state() != SnapshotState.PENDING || !i.id().equals(x.copier())) {
                    continue;
                }
                switch (r.state()) {
                    case ObservedSnapshot.COMPLETED -> {
                        SnapshotLog.state(s, x, x.with(SnapshotState.COMPLETED, 100, null, now), "observed on host: the copy is whole");
                        s.instances().touchDesired(i.id());
                        changed = true;
                    }
                    case ObservedSnapshot.FAILED -> {
                        SnapshotLog.state(s, x, x.with(SnapshotState.ERROR, x.progress(), "Server.InternalError: " + r.reason(), now),
                                "observed on host: " + r.reason());
                        s.instances().touchDesired(i.id());
                        changed = true;
                    }
                    default -> {
                        int progress = Math.max(0, Math.min(99, r.progress()));
                        if (progress != x.progress()) {
                            s.snapshots().update(x.with(SnapshotState.PENDING, progress, null, now));
                        }
                    }
                }
            }
        }
        return changed;
    }
}
