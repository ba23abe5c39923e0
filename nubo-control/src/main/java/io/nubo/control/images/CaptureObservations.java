package io.nubo.control.images;

import io.nubo.core.agent.ObservedSnapshot;
import io.nubo.core.model.Instance;
import io.nubo.store.ImageCaptures;
import io.nubo.store.Store;

import java.time.Instant;

/**
 * Turns what a host reports about an image of a root disk it makes (CreateImage; reported like a
 * snapshot, under the image's ID) into the capture's next phase, within the report's transaction:
 * progress while it copies, {@code copied} once the staged file is whole, {@code failed} when the
 * copy could not be made. Only the instance's own host counts, and only while the capture is
 * copying; a change of phase takes it out of the instance's desired state. The
 * {@link ImageCaptureController} does the rest. Stateless.
 */
public final class CaptureObservations {
    private CaptureObservations() {
    }

    /** Whether this report names an image rather than a snapshot. */
    public static boolean isImage(ObservedSnapshot r) {
        return r.snapshotId() != null && r.snapshotId().startsWith("ami-");
    }

    /** Applies one report of instance {@code i}'s host; returns whether the instance's desired state changed. */
    public static boolean apply(Store s, Instance i, ObservedSnapshot r, Instant now) {
        ImageCaptures.Capture c = s.imageCaptures().lock(r.snapshotId()).orElse(null);
        if (c == null || !ImageCaptures.COPYING.equals(c.phase()) || !i.id().equals(c.instanceId())) {
            return false;
        }
        switch (r.state()) {
            case ObservedSnapshot.COMPLETED -> {
                s.imageCaptures().setPhase(c.imageId(), ImageCaptures.COPIED, null, now);
                s.instances().touchDesired(i.id());
                return true;
            }
            case ObservedSnapshot.FAILED -> {
                s.imageCaptures().setPhase(c.imageId(), ImageCaptures.FAILED, r.reason(), now);
                s.instances().touchDesired(i.id());
                return true;
            }
            default -> {
                int progress = Math.max(0, Math.min(95, r.progress()));
                if (progress != c.progress()) {
                    s.imageCaptures().setProgress(c.imageId(), progress, now);
                    s.images().setProgress(c.imageId(), progress);
                }
                return false;
            }
        }
    }
}
