package io.nubo.control.volumes;

import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.store.Store;

/**
 * Writes volume changes together with their events, so that every transition is in the log
 * (Principle 3): {@code volume.state} for the volume's own states, {@code volume.attachment} for an
 * attachment's (from null when it starts, to {@code detached} when it ends). Stateless.
 */
final class VolumeLog {
    private VolumeLog() {
    }

    /** Stores {@code after} in place of {@code before}, with a {@code volume.state} event if the state changed. */
    static void state(Store s, Volume before, Volume after, String cause) {
        s.volumes().update(after);
        if (before.state() != after.state()) {
            s.events().append(after.updatedAt(), after.accountId(), after.id(), "volume.state", before.state().apiName(),
                    after.state().apiName(), cause);
        }
    }

    /** Appends a {@code volume.attachment} event; {@code before} null for a new attachment, {@code after} null for a detached one. */
    static void attachment(Store s, String accountId, VolumeAttachment before, VolumeAttachment after, String cause) {
        VolumeAttachment any = after != null ? after : before;
        s.events().append(any.updatedAt(), accountId, any.volumeId(), "volume.attachment",
                before == null ? null : before.state().apiName(), after == null ? "detached" : after.state().apiName(),
                any.instanceId() + ": " + cause);
    }
}
