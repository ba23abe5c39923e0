package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.VmStatus;

import java.util.Optional;

/** Decides what to do for one instance, from its desired state and what the host has. Pure. */
final class ReconcileActions {
    enum Action { START, STOP, DESTROY, REBOOT }

    private ReconcileActions() {
    }

    static Optional<Action> decide(DesiredInstance d, Optional<VmStatus> vm, long appliedReboot, boolean startFailed) {
        PowerState power = vm.map(VmStatus::power).orElse(null);
        boolean up = power == PowerState.RUNNING || power == PowerState.STARTING;
        InstanceState state = d.state();
        if (state == InstanceState.PENDING) {
            return !up && power != PowerState.STOPPING && !startFailed ? Optional.of(Action.START) : Optional.empty();
        }
        if (state == InstanceState.STOPPING || state == InstanceState.STOPPED) {
            return up ? Optional.of(Action.STOP) : Optional.empty();
        }
        if (state == InstanceState.SHUTTING_DOWN || state == InstanceState.TERMINATED) {
            return vm.isPresent() || startFailed ? Optional.of(Action.DESTROY) : Optional.empty();
        }
        // running: only a reboot request makes the agent act; a VM that went down is reported, not restarted.
        return power == PowerState.RUNNING && d.rebootGeneration() > appliedReboot ? Optional.of(Action.REBOOT) : Optional.empty();
    }
}
