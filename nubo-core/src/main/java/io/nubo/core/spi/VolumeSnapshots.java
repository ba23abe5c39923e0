package io.nubo.core.spi;

import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.core.agent.ObservedSnapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An optional ability of a driver: snapshots of a running VM's volume taken by the hypervisor
 * itself, consistent to an instant, without pausing the guest. A driver without it (or a VM
 * that is down) leaves the agent to copy the volume's file, which no one writes then.
 * Implementations serialise calls for one instance with its other disk operations.
 */
public interface VolumeSnapshots {
    /**
     * One idempotent step of the snapshot on the running VM: starts it, reports its progress, or
     * finishes it (the whole copy moved to {@code s.path()}). Empty when the VM is not running or
     * does not hold the volume.
     */
    Optional<ObservedSnapshot> advanceSnapshot(String instanceId, DesiredSnapshot s);

    /**
     * Stops the VM's snapshots that are not in {@code keep} and drops what they hold in the VM;
     * returns their scratch files, for the caller to delete. Nothing when the VM is not running.
     */
    List<Path> dropSnapshots(String instanceId, Set<String> keep);
}
