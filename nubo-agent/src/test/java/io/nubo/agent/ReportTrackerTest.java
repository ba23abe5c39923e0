package io.nubo.agent;

import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.PowerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTrackerTest {
    private static ObservedInstance vm(String id, PowerState p) {
        return new ObservedInstance(id, p, null);
    }

    @Test
    void theFirstReportIsCompleteAndLaterOnesCarryOnlyChangesWithAbsenceSaidOutright() {
        ReportTracker t = new ReportTracker(Duration.ofHours(1));
        Map<String, ObservedInstance> first = Map.of("i-1", vm("i-1", PowerState.RUNNING), "i-2", vm("i-2", PowerState.RUNNING));
        HostReport r1 = t.next(5, first).orElseThrow();
        assertThat(r1.complete()).isTrue();
        assertThat(r1.instances()).extracting(ObservedInstance::instanceId).containsExactly("i-1", "i-2");
        t.sent(r1, first);

        assertThat(t.next(5, first)).isEmpty();

        Map<String, ObservedInstance> second = Map.of("i-1", vm("i-1", PowerState.STOPPED), "i-3", vm("i-3", PowerState.STARTING));
        HostReport r2 = t.next(6, second).orElseThrow();
        assertThat(r2.complete()).isFalse();
        assertThat(r2.appliedVersion()).isEqualTo(6);
        assertThat(r2.instances()).containsExactly(vm("i-1", PowerState.STOPPED), vm("i-2", PowerState.ABSENT), vm("i-3", PowerState.STARTING));
    }

    @Test
    void anInstanceWhoseDesiredStateChangedIsReportedAgainUntilAReportAtThatVersionIsTaken() {
        ReportTracker t = new ReportTracker(Duration.ofHours(1));
        Map<String, ObservedInstance> seen = Map.of("i-1", vm("i-1", PowerState.RUNNING));
        HostReport r1 = t.next(5, seen).orElseThrow();
        t.sent(r1, seen);
        // The desired state of i-1 changed at version 7 while a report made at version 6 was on its way.
        t.desiredChanged(List.of("i-1"), 7, false);
        HostReport atSix = t.next(6, seen).orElseThrow();
        assertThat(atSix.instances()).containsExactly(vm("i-1", PowerState.RUNNING));
        t.sent(atSix, seen);
        // That report may not count for i-1, so the next one says it again; one at version 7 settles it.
        HostReport atSeven = t.next(7, seen).orElseThrow();
        assertThat(atSeven.instances()).containsExactly(vm("i-1", PowerState.RUNNING));
        t.sent(atSeven, seen);
        assertThat(t.next(7, seen)).isEmpty();
    }

    @Test
    void aReportThatWasNotTakenIsRepeated() {
        ReportTracker t = new ReportTracker(Duration.ofHours(1));
        Map<String, ObservedInstance> none = Map.of();
        t.sent(t.next(1, none).orElseThrow(), none);
        Map<String, ObservedInstance> one = Map.of("i-1", vm("i-1", PowerState.RUNNING));
        assertThat(t.next(1, one)).isPresent(); // the control plane did not answer: not sent
        assertThat(t.next(1, one).orElseThrow().instances()).containsExactly(vm("i-1", PowerState.RUNNING));
    }

    @Test
    void aCompleteDesiredStateOrTheResendPeriodMakesTheNextReportComplete() {
        ReportTracker t = new ReportTracker(Duration.ofHours(1));
        Map<String, ObservedInstance> seen = Map.of("i-1", vm("i-1", PowerState.RUNNING));
        t.sent(t.next(1, seen).orElseThrow(), seen);
        t.desiredChanged(List.of(), 2, true);
        assertThat(t.next(2, seen).orElseThrow().complete()).isTrue();

        ReportTracker always = new ReportTracker(Duration.ZERO);
        always.sent(always.next(1, seen).orElseThrow(), seen);
        assertThat(always.next(1, seen).orElseThrow().complete()).isTrue();
    }
}
