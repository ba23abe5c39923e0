package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.core.agent.ObservedSnapshot;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.Hypervisor;
import io.nubo.core.spi.RootDiskCopies;
import io.nubo.core.spi.VmStatus;
import io.nubo.core.spi.VolumeSnapshots;
import io.nubo.core.storage.SparseCopy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The agent's side of snapshots: for each instance, takes the snapshots its desired state lists
 * and remembers how far each got, for the reports.
 * <ul>
 *   <li>A running VM's volume is copied by the driver's block job ({@link VolumeSnapshots}), step
 *       by step: each pass starts it, reads its progress, or finishes it.</li>
 *   <li>A VM that is down (or a driver without the ability) has its volume's file copied here, as
 *       the instance's one action: it cannot start while the copy runs.</li>
 *   <li>A snapshot the instance no longer wants (completed, failed, or given up) is stopped and
 *       its scratch file deleted; so is whatever a crashed agent left on a running VM, which is
 *       checked once per VM after the agent starts.</li>
 * </ul>
 * A restarted agent knows nothing and needs nothing: a block job goes on in QEMU and is found by
 * its name, a final file is found in place, and a file copy that was cut short starts again.
 * Thread-safe; the agent runs at most one action per instance at a time.
 */
final class SnapshotWork {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWork.class);

    private final Hypervisor hypervisor;
    private final Map<String, Map<String, ObservedSnapshot>> seen = new ConcurrentHashMap<>();
    private final Set<String> swept = ConcurrentHashMap.newKeySet();
    /** Block jobs that failed, by instance/snapshot: each is started afresh until it has failed {@value #ATTEMPTS} times. */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    static final int ATTEMPTS = 3;

    SnapshotWork(Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    /** Whether the instance has snapshot work now. */
    boolean needed(DesiredInstance d, Optional<VmStatus> vm) {
        if (!d.snapshots().isEmpty()) {
            return true;
        }
        boolean running = vm.map(VmStatus::power).orElse(null) == PowerState.RUNNING;
        if (running && hypervisor instanceof VolumeSnapshots && !swept.contains(d.instanceId())) {
            return true;
        }
        Map<String, ObservedSnapshot> mine = seen.get(d.instanceId());
        return mine != null && !mine.isEmpty();
    }

    /** One pass for the instance: drop what is no longer wanted, then advance every wanted snapshot. */
    void run(DesiredInstance d, Optional<VmStatus> vm) {
        String id = d.instanceId();
        PowerState power = vm.map(VmStatus::power).orElse(null);
        Set<String> keep = d.snapshots().stream().map(DesiredSnapshot::snapshotId).collect(Collectors.toSet());
        Map<String, ObservedSnapshot> mine = seen.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
        mine.keySet().retainAll(keep);
        failures.keySet().removeIf(k -> k.startsWith(id + "/") && !keep.contains(k.substring(id.length() + 1)));
        if (power == PowerState.RUNNING && hypervisor instanceof VolumeSnapshots ability) {
            for (Path f : ability.dropSnapshots(id, keep)) {
                if (f.getParent() != null && f.getParent().getFileName().toString().equals(".creating")) {
                    deleteQuietly(f);
                }
            }
            swept.add(id);
        }
        for (DesiredSnapshot s : d.snapshots()) {
            try {
                advance(id, power, s).ifPresent(o -> mine.put(s.snapshotId(), o));
            } catch (RuntimeException e) {
                LOG.warn("{}: snapshot {} of {}: {}; trying again", id, s.snapshotId(), s.volumeId(), e.getMessage());
            }
        }
        if (mine.isEmpty()) {
            seen.remove(id, mine);
        }
    }

    private Optional<ObservedSnapshot> advance(String instanceId, PowerState power, DesiredSnapshot s) {
        if (Files.exists(Path.of(s.path()))) {
            return Optional.of(new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.COMPLETED, 100, null));
        }
        if (power == PowerState.RUNNING && hypervisor instanceof VolumeSnapshots ability) {
            Optional<ObservedSnapshot> step = ability.advanceSnapshot(instanceId, s);
            if (step.isPresent() && step.get().state().equals(ObservedSnapshot.FAILED)
                    && failures.merge(instanceId + "/" + s.snapshotId(), 1, Integer::sum) < ATTEMPTS) {
                // The job ended in error (QEMU failed or cancelled it: an I/O error, a VM that went away): its target
                // and scratch file are gone, so the next pass starts it again from nothing.
                LOG.warn("{}: snapshot {} failed ({}); starting it again", instanceId, s.snapshotId(), step.get().reason());
                return Optional.of(new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.RUNNING, 0, null));
            }
            if (step.isPresent()) {
                return step;
            }
            // The VM does not hold the volume (not attached yet, or detached): its file is still.
        } else if (power == PowerState.STARTING || power == PowerState.STOPPING) {
            return Optional.empty(); // the VM may be writing the volume: wait until it is up or down
        }
        return Optional.of(copyFile(instanceId, s));
    }

    /** Copies the volume's file while nothing writes it; progress is reported as it goes. */
    private ObservedSnapshot copyFile(String instanceId, DesiredSnapshot s) {
        Map<String, ObservedSnapshot> mine = seen.computeIfAbsent(instanceId, k -> new ConcurrentHashMap<>());
        if (s.rootDisk()) {
            return copyRootDisk(instanceId, s, mine);
        }
        LOG.info("{}: snapshot {} of {} by copying its file", instanceId, s.snapshotId(), s.volumeId());
        try {
            SparseCopy.copy(Path.of(s.volumePath()), Path.of(s.scratchPath()), Path.of(s.path()), s.sizeBytes(),
                    p -> mine.put(s.snapshotId(), new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.RUNNING, Math.min(99, p), null)));
            return new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.COMPLETED, 100, null);
        } catch (IOException e) {
            deleteQuietly(Path.of(s.scratchPath()));
            return new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.FAILED, 0, "the volume's file could not be copied: " + e.getMessage());
        }
    }

    /**
     * An image of the root disk of a VM that is down (CreateImage): the driver flattens it into the
     * scratch file, which is then moved into place whole. A failure of the copy itself is reported
     * (the image fails); a VM that is not down yet is tried again on the next pass.
     */
    private ObservedSnapshot copyRootDisk(String instanceId, DesiredSnapshot s, Map<String, ObservedSnapshot> mine) {
        if (!(hypervisor instanceof RootDiskCopies copies)) {
            return new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.FAILED, 0, "this host's driver cannot copy a root disk");
        }
        LOG.info("{}: image {} of the root disk by copying it", instanceId, s.snapshotId());
        Path scratch = Path.of(s.scratchPath());
        try {
            copies.copyRootDisk(instanceId, scratch,
                    p -> mine.put(s.snapshotId(), new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.RUNNING, Math.min(99, p), null)));
            SparseCopy.finish(scratch, Path.of(s.path()));
            return new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.COMPLETED, 100, null);
        } catch (IllegalStateException e) {
            deleteQuietly(scratch);
            throw e;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(scratch);
            return new ObservedSnapshot(s.snapshotId(), ObservedSnapshot.FAILED, 0, "the root disk could not be copied: " + e.getMessage());
        }
    }

    /** What the agent knows of the instance's wanted snapshots, for its report. */
    List<ObservedSnapshot> observed(String instanceId, DesiredInstance d) {
        Map<String, ObservedSnapshot> mine = seen.get(instanceId);
        if (mine == null || d == null) {
            return List.of();
        }
        Set<String> wanted = d.snapshots().stream().map(DesiredSnapshot::snapshotId).collect(Collectors.toSet());
        return mine.values().stream().filter(o -> wanted.contains(o.snapshotId()))
                .sorted(java.util.Comparator.comparing(ObservedSnapshot::snapshotId)).toList();
    }

    /** Forgets a destroyed VM. */
    void forget(String instanceId) {
        seen.remove(instanceId);
        failures.keySet().removeIf(k -> k.startsWith(instanceId + "/"));
        swept.remove(instanceId);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.toString());
        }
    }
}
