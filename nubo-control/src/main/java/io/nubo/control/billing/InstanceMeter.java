package io.nubo.control.billing;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;
import io.nubo.core.billing.UsageType;
import io.nubo.core.model.Event;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The meter of instance running time, as a pure fold over an instance's events: an instance
 * accrues from the event that makes it {@code running} to the next event that takes it out of
 * {@code running} (stopping, shutting-down, or stopped/terminated when it went down on its own),
 * billed per second with EC2's one-minute minimum per start. Reboots and live migrations keep an
 * instance {@code running}, so they neither end nor double an interval. A resize (only possible
 * while stopped) changes the sku the next interval is billed as. Stateless.
 */
final class InstanceMeter {
    static final List<String> EVENT_TYPES = List.of("instance.state", "instance.resized");
    static final long MINIMUM_SECONDS = 60;
    private static final String RUNNING = "running";

    private InstanceMeter() {
    }

    /** A resource the meter has not seen yet. */
    static MeterState fresh(Event first, String launchType) {
        return new MeterState(first.resourceId(), first.accountId(), UsageType.INSTANCE, launchType, 1, Optional.empty(), 0, 0);
    }

    /** Applies {@code e}; an event at or below the state's last one was applied before and changes nothing. */
    static MeterStep apply(MeterState m, Event e) {
        if (e.id() <= m.lastEventId()) {
            return new MeterStep(m, List.of());
        }
        if (e.type().equals("instance.resized")) {
            String sku = e.toState() == null ? m.sku() : e.toState();
            return new MeterStep(new MeterState(m.resourceId(), m.accountId(), m.type(), sku, m.size(), m.startedAt(), m.startEventId(), e.id()),
                    List.of());
        }
        boolean toRunning = RUNNING.equals(e.toState());
        if (!m.accruing() && toRunning) {
            return new MeterStep(new MeterState(m.resourceId(), m.accountId(), m.type(), m.sku(), m.size(), Optional.of(e.at()), e.id(), e.id()),
                    List.of());
        }
        if (m.accruing() && !toRunning) {
            List<UsageRecord> closed = records(m, e.at(), e.id());
            return new MeterStep(new MeterState(m.resourceId(), m.accountId(), m.type(), m.sku(), m.size(), Optional.empty(), 0, e.id()), closed);
        }
        return new MeterStep(new MeterState(m.resourceId(), m.accountId(), m.type(), m.sku(), m.size(), m.startedAt(), m.startEventId(), e.id()),
                List.of());
    }

    /** The day records of {@code m}'s open interval, were it to end at {@code end} by event {@code endEventId}. */
    static List<UsageRecord> records(MeterState m, Instant end, long endEventId) {
        Instant start = m.startedAt().orElseThrow();
        return DayPieces.split(start, end, MINIMUM_SECONDS).stream()
                .map(p -> new UsageRecord(m.accountId(), m.resourceId(), m.type(), m.sku(), p.day(), p.start(), p.end(), p.seconds(),
                        m.size(), m.startEventId(), endEventId))
                .toList();
    }
}
