package io.nubo.core.agent;

import io.nubo.core.model.InstanceState;

import java.util.List;

/**
 * One instance placed on a host, with the state the control plane has recorded for it. The
 * agent acts on the state: {@code pending} means boot it, {@code stopping} shut it down,
 * {@code shutting-down} destroy it. In {@code running} or {@code stopped} it only reports, so
 * that a guest that powered itself off is reported rather than restarted.
 * {@code rebootGeneration} grows by one for each reboot request, so that an agent applies each
 * request once however often it sees the same desired state.
 *
 * <p>{@code volumes} are the volumes the instance should have attached (hot on a running VM, on
 * its command line at the next start); any other volume on the VM is to be detached, waiting
 * for the guest to let go unless its ID is in {@code forceDetach}. {@code snapshots} are the
 * snapshots of its volumes its host should take now. Null lists (from an older peer) mean none.
 * {@code privateAddress} is the guest's address with its subnet's prefix length
 * ({@code 172.31.0.4/20}), null for an instance without one. {@code ha}: the control plane
 * restarts the instance elsewhere once this host's lease is gone, so the host must have stopped it
 * by then (self-fencing); false from an older peer. {@code rootDisk}: the root disk's file on the
 * shared pool as this host mounts it (an HA instance's, so that another host can start it from the
 * same disk), null for a disk in the host's own instance directory. {@code rootDiskBytes}: the
 * size of a new root disk (0: the image's size, and from an older peer). {@code imageShared}:
 * {@code imageLocation} lies on a shared pool this host mounts (the path is this host's), so the host
 * reads the image there; otherwise only the server has the file, and a remote agent streams it from
 * the server (false from an older peer: streamed). {@code keepRootDiskAs}: for an instance being
 * terminated whose root volume outlives it (DeleteOnTermination=false), where this host puts the
 * copy of its root disk, whole, before the instance's files go (null: the disk goes too).
 */
public record DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                              int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                              String hostname, String userData, String publicKey,
                              List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                              String privateAddress, boolean ha, String rootDisk, long rootDiskBytes, boolean imageShared,
                              String keepRootDiskAs) {
    public DesiredInstance {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        forceDetach = forceDetach == null ? List.of() : List.copyOf(forceDetach);
        snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    }

    /** An instance whose root disk goes with it. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                           int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                           String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                           String privateAddress, boolean ha, String rootDisk, long rootDiskBytes, boolean imageShared) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, snapshots, privateAddress, ha, rootDisk, rootDiskBytes, imageShared, null);
    }

    /** An instance whose image lies on no pool this host mounts. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                           int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                           String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                           String privateAddress, boolean ha, String rootDisk, long rootDiskBytes) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, snapshots, privateAddress, ha, rootDisk, rootDiskBytes, false);
    }

    /** An instance whose root disk is the image's size. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                           int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                           String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                           String privateAddress, boolean ha, String rootDisk) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, snapshots, privateAddress, ha, rootDisk, 0);
    }

    /** An instance that is not HA. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                           int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                           String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                           String privateAddress) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, snapshots, privateAddress, false, null);
    }

    /** An instance whose root disk is in the host's own instance directory. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration,
                           int vcpus, int memoryMib, String imageId, String imageFormat, String imageLocation,
                           String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach, List<DesiredSnapshot> snapshots,
                           String privateAddress, boolean ha) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, snapshots, privateAddress, ha, null);
    }

    /** An instance with volumes and no snapshot to take. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration, int vcpus, int memoryMib,
                           String imageId, String imageFormat, String imageLocation, String hostname, String userData, String publicKey,
                           List<DesiredVolume> volumes, List<String> forceDetach) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, volumes, forceDetach, List.of(), null);
    }

    /** An instance without volumes. */
    public DesiredInstance(String instanceId, InstanceState state, boolean forceStop, long rebootGeneration, int vcpus, int memoryMib,
                           String imageId, String imageFormat, String imageLocation, String hostname, String userData, String publicKey) {
        this(instanceId, state, forceStop, rebootGeneration, vcpus, memoryMib, imageId, imageFormat, imageLocation, hostname, userData,
                publicKey, List.of(), List.of(), List.of(), null);
    }

    @Override
    public String toString() {
        return "DesiredInstance[" + instanceId + " " + state.apiName() + " reboot=" + rebootGeneration
                + (volumes.isEmpty() ? "" : " volumes=" + volumes.stream().map(DesiredVolume::volumeId).toList())
                + (snapshots.isEmpty() ? "" : " snapshots=" + snapshots.stream().map(DesiredSnapshot::snapshotId).toList())
                + (ha ? " ha" : "") + "]";
    }
}
