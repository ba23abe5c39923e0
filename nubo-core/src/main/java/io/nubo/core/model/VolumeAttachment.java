package io.nubo.core.model;

import java.time.Instant;

/**
 * A volume attached to an instance as {@code device} (the name the caller gave; a virtio guest
 * names its disks itself, so the guest finds a volume by its serial instead, as on EC2's Nitro
 * instances). {@code forceDetach} marks a detach that must not wait for the guest.
 */
public record VolumeAttachment(String volumeId, String instanceId, String device, AttachmentState state,
                               boolean deleteOnTermination, boolean forceDetach, Instant attachedAt, Instant updatedAt) {
}
