package io.nubo.core.model;

import java.util.List;

/** The result of one launch request: the instances it created. */
public record Reservation(String reservationId, String accountId, List<Instance> instances) {
}
