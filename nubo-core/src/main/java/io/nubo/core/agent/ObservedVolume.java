package io.nubo.core.agent;

/**
 * A volume an agent finds on a VM. {@code attached} is true when the guest has it (the disk
 * device and its block node are both there), false when only a remnant is (a block node with no
 * device, or a device being unplugged): the file is still open, so the volume is not free yet.
 * {@code sizeBytes} is the size the VM sees.
 */
public record ObservedVolume(String volumeId, long sizeBytes, boolean attached) {
}
