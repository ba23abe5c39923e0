package io.nubo.control.volumes;

import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.AttachmentState;
import io.nubo.core.model.Instance;
import io.nubo.core.model.PowerState;
import io.nubo.core.model.Volume;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.core.model.VolumeState;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns what agents report about their VMs' disks into attachment transitions, within the
 * report's transaction: {@code attaching} becomes {@code attached} once the VM has the disk,
 * {@code detaching} ends once the VM holds nothing of it any more (the file is closed), and a
 * volume whose last attachment ended is {@code available} again. It also records the size each
 * VM sees, which completes a growth, and releases the volumes of terminated instances (deleting
 * those marked delete-on-termination). Volumes are locked, in ID order, before their attachments
 * change, as the volume service does. Stateless.
 */
public final class VolumeObservations {
    private VolumeObservations() {
    }

    /**
     * Applies a report to the attachments of {@code counted}: the instances whose observation in
     * it counts (the agent had seen their latest desired state). An instance of a complete report
     * that the report does not list holds nothing.
     */
    public static void apply(Store s, List<Instance> counted, Map<String, ObservedInstance> seen, Instant now) {
        if (counted.isEmpty()) {
            return;
        }
        Map<String, List<VolumeAttachment>> byInstance = s.volumeAttachments().ofInstances(counted.stream().map(Instance::id).toList());
        if (byInstance.isEmpty()) {
            return;
        }
        // First decide from what was read, then lock the volumes concerned and act on their attachments as they are now.
        Map<String, Map<String, ObservedVolume>> held = new java.util.HashMap<>();
        Set<String> volumes = new TreeSet<>();
        byInstance.forEach((instanceId, attachments) -> {
            ObservedInstance o = seen.get(instanceId);
            if (o != null && o.power() != PowerState.ABSENT && o.volumes() == null) {
                return; // the agent could not tell
            }
            Map<String, ObservedVolume> vm = o == null || o.power() == PowerState.ABSENT ? Map.of()
                    : o.volumes().stream().collect(Collectors.toMap(ObservedVolume::volumeId, Function.identity(), (a, b) -> b));
            held.put(instanceId, vm);
            attachments.stream().filter(a -> changes(a, vm.get(a.volumeId()))).forEach(a -> volumes.add(a.volumeId()));
        });
        if (volumes.isEmpty()) {
            return;
        }
        for (Volume v : s.volumes().lockAll(volumes)) {
            for (VolumeAttachment a : s.volumeAttachments().ofVolume(v.id())) {
                Map<String, ObservedVolume> vm = held.get(a.instanceId());
                if (vm == null) {
                    continue;
                }
                ObservedVolume o = vm.get(a.volumeId());
                if (a.state() == AttachmentState.DETACHING && o == null) {
                    s.volumeAttachments().delete(a.volumeId(), a.instanceId());
                    VolumeLog.attachment(s, v.accountId(), a, null, "observed on host: the VM let go of the disk");
                    continue;
                }
                if (o != null && o.attached() && a.state() == AttachmentState.ATTACHING) {
                    VolumeAttachment after = new VolumeAttachment(a.volumeId(), a.instanceId(), a.device(), AttachmentState.ATTACHED,
                            a.deleteOnTermination(), false, a.attachedAt(), now);
                    s.volumeAttachments().update(after);
                    VolumeLog.attachment(s, v.accountId(), a, after, "observed on host: the VM has the disk");
                }
                if (o != null && o.attached() && a.state() != AttachmentState.DETACHING) {
                    s.volumeAttachments().seen(a.volumeId(), a.instanceId(), o.sizeBytes());
                }
            }
            settle(s, v, now);
        }
    }

    /** Whether an observation changes an attachment: a state to move on, or a size not recorded yet. */
    private static boolean changes(VolumeAttachment a, ObservedVolume o) {
        return switch (a.state()) {
            case ATTACHING -> o != null && o.attached();
            case DETACHING -> o == null;
            case ATTACHED -> o != null && o.attached();
            case DETACHED -> false;
        };
    }

    /** After a volume's attachments changed: free it if none is left, complete its growth if every VM sees it. */
    private static void settle(Store s, Volume v, Instant now) {
        List<VolumeAttachment> left = s.volumeAttachments().ofVolume(v.id());
        if (left.isEmpty() && v.state() == VolumeState.IN_USE) {
            VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.AVAILABLE, now), "detached from its last instance");
            return;
        }
        if (!left.isEmpty() && v.modification() != null && Volume.Modification.MODIFYING.equals(v.modification().state())) {
            Map<String, Long> sizes = s.volumeAttachments().seenBytes(v.id());
            if (left.stream().allMatch(a -> sizes.getOrDefault(a.instanceId(), 0L) >= v.sizeBytes())) {
                complete(s, v, now, "every instance sees " + v.sizeGib() + " GiB");
            }
        }
    }

    /**
     * Ends the attachments of terminated instances (their VMs are gone, so nothing holds the
     * files): each volume is {@code available} again, or {@code deleting} when its attachment
     * was delete-on-termination and it has no other. Returns whether a volume is to be deleted.
     */
    public static boolean releaseTerminated(Store s, Collection<String> instanceIds, Instant now) {
        if (instanceIds.isEmpty()) {
            return false;
        }
        Map<String, List<VolumeAttachment>> byInstance = s.volumeAttachments().ofInstances(instanceIds);
        Set<String> volumes = new TreeSet<>();
        byInstance.values().forEach(list -> list.forEach(a -> volumes.add(a.volumeId())));
        boolean delete = false;
        for (Volume v : s.volumes().lockAll(volumes)) {
            boolean deleteOnTermination = false;
            for (VolumeAttachment a : s.volumeAttachments().ofVolume(v.id())) {
                if (instanceIds.contains(a.instanceId())) {
                    s.volumeAttachments().delete(a.volumeId(), a.instanceId());
                    VolumeLog.attachment(s, v.accountId(), a, null, "the instance was terminated");
                    deleteOnTermination |= a.deleteOnTermination();
                }
            }
            if (!s.volumeAttachments().ofVolume(v.id()).isEmpty()) {
                continue;
            }
            if (deleteOnTermination) {
                VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.DELETING, now), "delete on termination");
                s.tags().deleteAll(v.accountId(), v.id());
                delete = true;
            } else if (v.state() == VolumeState.IN_USE) {
                VolumeLog.state(s, v, VolumeService.withState(v, VolumeState.AVAILABLE, now), "its instance was terminated");
            }
        }
        return delete;
    }

    /** Marks a volume's growth complete. */
    static void complete(Store s, Volume v, Instant now, String cause) {
        Volume.Modification m = v.modification();
        Volume done = new Volume(v.id(), v.accountId(), v.zone(), v.sizeGib(), v.type(), v.iops(), v.throughput(), v.multiAttach(), v.poolId(),
                v.format(), v.state(), v.stateReason(), v.createdAt(), now, new Volume.Modification(Volume.Modification.COMPLETED,
                m.originalSizeGib(), m.targetSizeGib(), m.originalType(), m.targetType(), m.startedAt(), now));
        s.volumes().update(done);
        s.events().append(now, v.accountId(), v.id(), "volume.modification", Volume.Modification.MODIFYING, Volume.Modification.COMPLETED,
                cause);
    }
}
