package io.nubo.control.billing;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.Event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The meters of stored bytes, as pure folds over a resource's events, in GiB-seconds.
 *
 * <ul>
 *   <li>A volume accrues while it exists for its owner to use, attached or not: from the event
 *       that makes it {@code available} to the one that takes it to {@code deleting} (or
 *       {@code error}). Its sku is its volume type and its size its GiB. A {@code volume.modified}
 *       event ("8 GiB gp2" to "16 GiB gp3") ends the interval and starts one at the new size and type.</li>
 *   <li>An image accrues from the event that makes it {@code available} to the one that
 *       deregisters it. Its size is its file's, rounded up to whole GiB; its sku is {@value #STANDARD}.</li>
 *   <li>A snapshot accrues while it exists: from the event that makes it {@code pending} (its pool
 *       space is taken then) to the one that takes it to {@code deleting} or {@code error}. Its size
 *       is its volume's GiB when it was taken (the space it reserves); its sku is {@value #STANDARD}.</li>
 * </ul>
 *
 * There is no minimum, and an interval of no whole second leaves no record. Stateless.
 */
final class StorageMeter {
    static final String STANDARD = "standard";
    static final List<String> EVENT_TYPES = List.of("volume.state", "volume.modified", "image.state", "snapshot.state");
    static final long GIB = 1L << 30;
    private static final Set<String> VOLUME_ACCRUES = Set.of("available", "in-use");
    private static final String IMAGE_ACCRUES = "available";
    private static final Set<String> SNAPSHOT_ACCRUES = Set.of("pending", "completed");
    private static final Pattern SHAPE = Pattern.compile("(\\d{1,9}) GiB ([a-z0-9.-]{1,32})");

    private StorageMeter() {
    }

    /** A volume's size and type, as volume events write them: "8 GiB gp2". */
    record Shape(long sizeGib, String volumeType) {
        static Optional<Shape> parse(String text) {
            Matcher m = text == null ? null : SHAPE.matcher(text);
            if (m == null || !m.lookingAt()) {
                return Optional.empty();
            }
            return Optional.of(new Shape(Long.parseLong(m.group(1)), m.group(2)));
        }
    }

    static boolean isVolumeEvent(Event e) {
        return e.type().startsWith("volume.");
    }

    static boolean isImageEvent(Event e) {
        return e.type().startsWith("image.");
    }

    static boolean isSnapshotEvent(Event e) {
        return e.type().startsWith("snapshot.");
    }

    /** A snapshot the meter has not seen yet, with its volume's size when it was taken. */
    static MeterState freshSnapshot(Event first, long sizeGib) {
        return new MeterState(first.resourceId(), first.accountId(), UsageType.SNAPSHOT, STANDARD, sizeGib, Optional.empty(), 0, 0);
    }

    /** A volume the meter has not seen yet, with the size and type it was created with. */
    static MeterState freshVolume(Event first, Shape origin) {
        return new MeterState(first.resourceId(), first.accountId(), UsageType.VOLUME, origin.volumeType(), origin.sizeGib(),
                Optional.empty(), 0, 0);
    }

    /** An image the meter has not seen yet; {@code sizeBytes} is its file's size. */
    static MeterState freshImage(Event first, long sizeBytes) {
        long gib = sizeBytes <= 0 ? 0 : (sizeBytes - 1) / GIB + 1;
        return new MeterState(first.resourceId(), first.accountId(), UsageType.IMAGE, STANDARD, gib, Optional.empty(), 0, 0);
    }

    /** Applies {@code e}; an event at or below the state's last one was applied before and changes nothing. */
    static MeterStep apply(MeterState m, Event e) {
        if (e.id() <= m.lastEventId()) {
            return new MeterStep(m, List.of());
        }
        if (e.type().equals("volume.modified")) {
            Shape to = Shape.parse(e.toState()).orElse(new Shape(m.size(), m.sku()));
            if (!m.accruing()) {
                return new MeterStep(with(m, to.volumeType(), to.sizeGib(), Optional.empty(), 0, e.id()), List.of());
            }
            // The old size ends here and the new one begins at the same second.
            List<UsageRecord> closed = records(m, e.at(), e.id());
            return new MeterStep(with(m, to.volumeType(), to.sizeGib(), Optional.of(e.at()), e.id(), e.id()), closed);
        }
        boolean accrues = switch (m.type()) {
            case VOLUME -> VOLUME_ACCRUES.contains(e.toState());
            case SNAPSHOT -> SNAPSHOT_ACCRUES.contains(e.toState());
            default -> IMAGE_ACCRUES.equals(e.toState());
        };
        if (!m.accruing() && accrues) {
            return new MeterStep(with(m, m.sku(), m.size(), Optional.of(e.at()), e.id(), e.id()), List.of());
        }
        if (m.accruing() && !accrues) {
            return new MeterStep(with(m, m.sku(), m.size(), Optional.empty(), 0, e.id()), records(m, e.at(), e.id()));
        }
        return new MeterStep(with(m, m.sku(), m.size(), m.startedAt(), m.startEventId(), e.id()), List.of());
    }

    /** The day records of {@code m}'s open interval, were it to end at {@code end} by event {@code endEventId}. */
    static List<UsageRecord> records(MeterState m, Instant end, long endEventId) {
        List<UsageRecord> out = new ArrayList<>();
        for (DayPieces.Piece p : DayPieces.split(m.startedAt().orElseThrow(), end, 0)) {
            if (p.seconds() > 0) {
                out.add(new UsageRecord(m.accountId(), m.resourceId(), m.type(), m.sku(), p.day(), p.start(), p.end(), p.seconds(),
                        m.size(), m.startEventId(), endEventId));
            }
        }
        return out;
    }

    private static MeterState with(MeterState m, String sku, long size, Optional<Instant> startedAt, long startEventId, long lastEventId) {
        return new MeterState(m.resourceId(), m.accountId(), m.type(), sku, size, startedAt, startEventId, lastEventId);
    }
}
