package io.nubo.control.snapshots;

import io.nubo.core.model.Snapshot;
import io.nubo.store.Store;

/**
 * Writes snapshot changes with their events, so that every transition is in the log
 * (Principle 3): {@code snapshot.state} from one state to the next. The cause of the first
 * event starts with the snapshot's size ("8 GiB of vol-..."), which the meter reads. Stateless.
 */
final class SnapshotLog {
    private SnapshotLog() {
    }

    /** Stores {@code after} in place of {@code before}, with a {@code snapshot.state} event if the state changed. */
    static void state(Store s, Snapshot before, Snapshot after, String cause) {
        s.snapshots().update(after);
        if (before.state() != after.state()) {
            s.events().append(after.updatedAt(), after.accountId(), after.id(), "snapshot.state", before.state().apiName(),
                    after.state().apiName(), cause);
        }
    }

    static void created(Store s, Snapshot x, String cause) {
        s.snapshots().insert(x);
        s.events().append(x.startedAt(), x.accountId(), x.id(), "snapshot.state", null, x.state().apiName(),
                x.volumeSizeGib() + " GiB of " + x.volumeId() + ": " + cause);
    }
}
