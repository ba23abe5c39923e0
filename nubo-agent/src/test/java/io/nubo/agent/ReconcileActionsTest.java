package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.VmStatus;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.nubo.agent.ReconcileActions.Action.*;
import static org.assertj.core.api.Assertions.assertThat;

class ReconcileActionsTest {
    private static DesiredInstance desired(InstanceState s, long reboot) {
        return new DesiredInstance("i-0123456789abcdef0", s, false, reboot, 1, 128, "ami-0123456789abcdef0", "qcow2", "/x", "h", null, null);
    }

    private static Optional<VmStatus> vm(PowerState p) {
        return Optional.of(new VmStatus("i-0123456789abcdef0", p, null));
    }

    @Test
    void aPendingInstanceIsStartedUnlessItAlreadyRunsOrItsStartFailed() {
        assertThat(ReconcileActions.decide(desired(InstanceState.PENDING, 0), Optional.empty(), 0, false)).contains(START);
        assertThat(ReconcileActions.decide(desired(InstanceState.PENDING, 0), vm(PowerState.STOPPED), 0, false)).contains(START);
        assertThat(ReconcileActions.decide(desired(InstanceState.PENDING, 0), vm(PowerState.STARTING), 0, false)).isEmpty();
        assertThat(ReconcileActions.decide(desired(InstanceState.PENDING, 0), vm(PowerState.RUNNING), 0, false)).isEmpty();
        assertThat(ReconcileActions.decide(desired(InstanceState.PENDING, 0), Optional.empty(), 0, true)).isEmpty();
    }

    @Test
    void aRunningInstanceWhoseVmWentDownIsReportedNotRestarted() {
        assertThat(ReconcileActions.decide(desired(InstanceState.RUNNING, 0), vm(PowerState.STOPPED), 0, false)).isEmpty();
        assertThat(ReconcileActions.decide(desired(InstanceState.RUNNING, 0), Optional.empty(), 0, false)).isEmpty();
    }

    @Test
    void eachRebootRequestIsCarriedOutOnce() {
        assertThat(ReconcileActions.decide(desired(InstanceState.RUNNING, 3), vm(PowerState.RUNNING), 2, false)).contains(REBOOT);
        assertThat(ReconcileActions.decide(desired(InstanceState.RUNNING, 3), vm(PowerState.RUNNING), 3, false)).isEmpty();
    }

    @Test
    void stoppingAndTerminatingConvergeTheVm() {
        assertThat(ReconcileActions.decide(desired(InstanceState.STOPPING, 0), vm(PowerState.RUNNING), 0, false)).contains(STOP);
        assertThat(ReconcileActions.decide(desired(InstanceState.STOPPING, 0), vm(PowerState.STOPPING), 0, false)).isEmpty();
        assertThat(ReconcileActions.decide(desired(InstanceState.STOPPED, 0), vm(PowerState.STOPPED), 0, false)).isEmpty();
        assertThat(ReconcileActions.decide(desired(InstanceState.SHUTTING_DOWN, 0), vm(PowerState.RUNNING), 0, false)).contains(DESTROY);
        assertThat(ReconcileActions.decide(desired(InstanceState.SHUTTING_DOWN, 0), Optional.empty(), 0, false)).isEmpty();
    }
}
