package io.nubo.control.hosts;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.snapshots.SnapshotObservations;
import io.nubo.control.volumes.RootVolumes;
import io.nubo.control.volumes.VolumeObservations;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.PowerState;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns what an agent observed into instance transitions: {@code pending} becomes
 * {@code running} once the VM runs, {@code stopping} becomes {@code stopped} once it is down,
 * {@code shutting-down} becomes {@code terminated} once it is gone, and a VM that stops on its
 * own makes a {@code running} instance {@code stopped}, with the reason. Stateless.
 *
 * <p>An observation counts only if the agent had already seen the instance's latest desired
 * state when it looked; otherwise it may describe an older intent (a VM not yet restarted after
 * a start request) and is ignored until the next report.
 *
 * <p>The disks a VM holds move its volume attachments on ({@link VolumeObservations}), and an
 * instance that ends terminated releases its volumes, in the same transaction.
 */
final class ObservationApplier {
    private static final String GUEST_SHUTDOWN = "Client.InstanceInitiatedShutdown: Instance initiated shutdown";

    private ObservationApplier() {
    }

    /** Applies a report; returns whether anything changed that alters the host's desired state. */
    static boolean apply(Store s, String hostId, HostReport report, Instant now) {
        Map<String, ObservedInstance> seen = report.instances().stream()
                .collect(Collectors.toMap(ObservedInstance::instanceId, Function.identity(), (a, b) -> b));
        boolean desiredChanged = false;
        // A complete report speaks for every instance on the host, so it reads them all and locks only
        // those that change; a partial one speaks for the few it names, so it locks them at once.
        List<Instance> subjects = report.complete() ? s.instances().placedOn(hostId) : s.instances().lockOnHost(hostId, seen.keySet());
        InstanceLog log = new InstanceLog();
        int freedVcpus = 0;
        int freedMemory = 0;
        List<Instance> counted = new ArrayList<>();
        List<String> terminated = new ArrayList<>();
        for (Instance i : subjects) {
            if (i.desiredSeq() > report.appliedVersion()) {
                continue;
            }
            counted.add(i);
            Optional<ObservedInstance> o = Optional.ofNullable(seen.get(i.id())).filter(x -> x.power() != PowerState.ABSENT);
            Optional<Instance> next = next(i, o, now).or(() -> sshChange(i, o, now));
            if (next.isEmpty()) {
                continue;
            }
            if (report.complete() && !s.instances().lock(i.id()).orElseThrow().equals(i)) {
                continue; // changed by a caller meanwhile: the next report decides
            }
            Instance after = next.get();
            boolean changesDesired = after.state() != i.state();
            String cause = changesDesired && after.stateReason() != null && !after.stateReason().equals(i.stateReason())
                    ? "observed on host: " + after.stateReason() : "observed on host";
            log.add(i, after, changesDesired, null, cause);
            if (after.state() == InstanceState.TERMINATED) {
                freedVcpus += i.vcpus();
                freedMemory += i.memoryMib();
                terminated.add(i.id());
            }
            desiredChanged |= changesDesired;
        }
        log.write(s);
        if (freedVcpus > 0 || freedMemory > 0) {
            s.hosts().allocate(hostId, -freedVcpus, -freedMemory);
        }
        RootVolumes.release(s, terminated, true, now);
        VolumeObservations.releaseTerminated(s, terminated, now);
        List<Instance> live = counted.stream().filter(i -> !terminated.contains(i.id())).toList();
        VolumeObservations.apply(s, live, seen, now);
        desiredChanged |= SnapshotObservations.apply(s, live, seen, now);
        return desiredChanged;
    }

    /** A running instance whose SSH endpoint the agent reports differently than recorded. */
    private static Optional<Instance> sshChange(Instance i, Optional<ObservedInstance> o, Instant now) {
        if (i.state() != InstanceState.RUNNING || o.isEmpty()) {
            return Optional.empty();
        }
        ObservedInstance seen = o.get();
        if (Objects.equals(seen.sshHost(), i.sshHost()) && Objects.equals(seen.sshPort(), i.sshPort())) {
            return Optional.empty();
        }
        return Optional.of(InstanceChanges.withSsh(i, seen.sshHost(), seen.sshPort(), now));
    }

    private static Optional<Instance> next(Instance i, Optional<ObservedInstance> o, Instant now) {
        PowerState power = o.map(ObservedInstance::power).orElse(null);
        String reason = o.map(ObservedInstance::reason).orElse(null);
        return switch (i.state()) {
            case PENDING -> {
                if (power == PowerState.RUNNING) {
                    Instance running = InstanceChanges.withState(i, InstanceState.RUNNING, InstanceTask.NONE, null, now);
                    yield Optional.of(InstanceChanges.withSsh(running, o.get().sshHost(), o.get().sshPort(), now));
                }
                if (power == PowerState.FAILED) {
                    yield Optional.of(InstanceChanges.withState(i, InstanceState.TERMINATED, InstanceTask.NONE,
                            "Server.InternalError: " + (reason == null ? "the VM failed to start" : reason), now));
                }
                yield Optional.empty();
            }
            case RUNNING -> {
                if (power == null || power == PowerState.STOPPED || power == PowerState.FAILED) {
                    String why = reason != null ? reason : power == null ? "Server.InternalError: the VM is gone from its host" : GUEST_SHUTDOWN;
                    yield Optional.of(InstanceChanges.withState(i, InstanceState.STOPPED, InstanceTask.NONE, why, now));
                }
                yield Optional.empty();
            }
            case STOPPING -> power == null || power == PowerState.STOPPED || power == PowerState.FAILED
                    ? Optional.of(InstanceChanges.withState(i, InstanceState.STOPPED, InstanceTask.NONE, i.stateReason(), now))
                    : Optional.empty();
            case SHUTTING_DOWN -> power == null
                    ? Optional.of(InstanceChanges.withState(i, InstanceState.TERMINATED, InstanceTask.NONE, i.stateReason(), now))
                    : Optional.empty();
            case STOPPED, TERMINATED -> Optional.empty();
        };
    }
}
