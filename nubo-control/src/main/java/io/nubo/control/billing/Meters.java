package io.nubo.control.billing;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.Event;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every meter behind one face: the event types they read, how a resource the meter has not seen
 * starts, and which fold an event goes to. Stateless.
 */
final class Meters {
    static final List<String> EVENT_TYPES = concat(InstanceMeter.EVENT_TYPES, StorageMeter.EVENT_TYPES);

    private Meters() {
    }

    /** Applies {@code e} to {@code m} with the fold of {@code m}'s usage type. */
    static MeterStep apply(MeterState m, Event e) {
        return m.type() == UsageType.INSTANCE ? InstanceMeter.apply(m, e) : StorageMeter.apply(m, e);
    }

    /** The day records of {@code m}'s open interval, were it to end at {@code end}. */
    static List<UsageRecord> records(MeterState m, Instant end, long endEventId) {
        return m.type() == UsageType.INSTANCE ? InstanceMeter.records(m, end, endEventId) : StorageMeter.records(m, end, endEventId);
    }

    /** Whether the meter counts {@code e} at all: every metered resource has an account. */
    static boolean metered(Event e) {
        return e.accountId() != null && e.resourceId() != null;
    }

    /**
     * What resources the meter has not seen yet start as, read in one query per kind: an
     * instance's launch type, a volume's first size and type, an image's size, a snapshot's GiB. What is gone from
     * its table starts as sku "unknown" and size 0 (its usage then costs nothing: visible, not hidden).
     */
    static final class Origins {
        private final Map<String, String> launchTypes;
        private final Map<String, String> volumeShapes;
        private final Map<String, Long> imageBytes;
        private final Map<String, Long> snapshotGib;

        private Origins(Map<String, String> launchTypes, Map<String, String> volumeShapes, Map<String, Long> imageBytes,
                        Map<String, Long> snapshotGib) {
            this.launchTypes = launchTypes;
            this.volumeShapes = volumeShapes;
            this.imageBytes = imageBytes;
            this.snapshotGib = snapshotGib;
        }

        /** The origins of the resources of {@code events}. */
        static Origins load(Store s, Collection<Event> events) {
            Set<String> instances = new HashSet<>();
            Set<String> volumes = new HashSet<>();
            Set<String> images = new HashSet<>();
            Set<String> snapshots = new HashSet<>();
            for (Event e : events) {
                (StorageMeter.isVolumeEvent(e) ? volumes : StorageMeter.isImageEvent(e) ? images
                        : StorageMeter.isSnapshotEvent(e) ? snapshots : instances).add(e.resourceId());
            }
            return new Origins(s.meterCursor().launchTypesOf(instances), s.meterCursor().volumeShapesOf(volumes),
                    s.meterCursor().imageSizesOf(images), s.meterCursor().snapshotSizesOf(snapshots));
        }

        MeterState fresh(Event e) {
            if (StorageMeter.isVolumeEvent(e)) {
                StorageMeter.Shape shape = StorageMeter.Shape.parse(volumeShapes.get(e.resourceId()))
                        .orElse(new StorageMeter.Shape(0, "unknown"));
                return StorageMeter.freshVolume(e, shape);
            }
            if (StorageMeter.isImageEvent(e)) {
                return StorageMeter.freshImage(e, imageBytes.getOrDefault(e.resourceId(), 0L));
            }
            if (StorageMeter.isSnapshotEvent(e)) {
                return StorageMeter.freshSnapshot(e, snapshotGib.getOrDefault(e.resourceId(), 0L));
            }
            return InstanceMeter.fresh(e, launchTypes.getOrDefault(e.resourceId(), "unknown"));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
