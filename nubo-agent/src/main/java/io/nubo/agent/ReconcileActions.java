package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.VmStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Decides what to do for one instance, from its desired state and what the host has. Pure. */
final class ReconcileActions {
    enum Action { START, STOP, DESTROY, REBOOT, VOLUMES, SNAPSHOTS }

    /**
     * The volume work on a running VM: volumes to attach (or whose interrupted attach to finish),
     * to grow, and to detach (those in {@code force} without waiting for the guest).
     */
    record VolumePlan(List<DesiredVolume> attach, List<DesiredVolume> grow, List<String> detach, List<String> force) {
        boolean isEmpty() {
            return attach.isEmpty() && grow.isEmpty() && detach.isEmpty();
        }
    }

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

    /**
     * What to do about a running VM's volumes, comparing what it has with what it should have.
     * Nothing while the VM is not running (a stopped VM gets its volumes at its next start) or
     * while the driver cannot tell what it has.
     */
    static Optional<VolumePlan> volumes(DesiredInstance d, Optional<VmStatus> vm) {
        if (vm.isEmpty() || vm.get().power() != PowerState.RUNNING || vm.get().volumes() == null
                || (d.state() != InstanceState.RUNNING && d.state() != InstanceState.PENDING)) {
            return Optional.empty();
        }
        Map<String, ObservedVolume> has = vm.get().volumes().stream()
                .collect(Collectors.toMap(ObservedVolume::volumeId, Function.identity(), (a, b) -> b));
        List<DesiredVolume> attach = new ArrayList<>();
        List<DesiredVolume> grow = new ArrayList<>();
        for (DesiredVolume v : d.volumes()) {
            ObservedVolume o = has.remove(v.volumeId());
            if (o == null || !o.attached()) {
                attach.add(v);
            } else if (o.sizeBytes() < v.sizeBytes()) {
                grow.add(v);
            }
        }
        List<String> detach = has.keySet().stream().sorted().toList();
        List<String> force = detach.stream().filter(d.forceDetach()::contains).toList();
        VolumePlan plan = new VolumePlan(attach, grow, detach, force);
        return plan.isEmpty() ? Optional.empty() : Optional.of(plan);
    }
}
