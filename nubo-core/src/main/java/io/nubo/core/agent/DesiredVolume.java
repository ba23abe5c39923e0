package io.nubo.core.agent;

/**
 * A volume an instance should have attached: its file as the host sees it ({@code path}, in
 * {@code format}), the serial the guest sees ({@code vol} and the ID's hex digits, 20 characters,
 * as EC2's Nitro instances show a volume), whether other VMs may write it at the same time
 * ({@code shareable}: a multi-attach volume), and the size the guest should see.
 */
public record DesiredVolume(String volumeId, String path, String format, String serial, boolean shareable, long sizeBytes) {
    /** The serial a guest sees for a volume: {@code vol-0123...} becomes {@code vol0123...} (virtio-blk keeps 20 bytes). */
    public static String serialOf(String volumeId) {
        return volumeId.replace("-", "");
    }
}
