package io.nubo.control.billing;

import io.nubo.core.billing.MeterState;
import io.nubo.core.billing.UsageRecord;

import java.util.List;

/** What one event does to a resource's meter: the state after it, and the usage it closed. */
record MeterStep(MeterState state, List<UsageRecord> closed) {
}
