package io.nubo.core.model;

import java.time.Instant;

/** One row of the event log: a state transition or another change to a resource. */
public record Event(long id, Instant at, String accountId, String resourceId, String type,
                   String fromState, String toState, String cause) {
}
