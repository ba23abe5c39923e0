package io.nubo.control.volumes;

import io.nubo.core.model.Tag;

import java.util.List;
import java.util.Optional;

/**
 * A CreateVolume request as the caller gave it; {@link VolumeRules} checks it. {@code zone} or
 * {@code zoneId} names the availability zone (one is required, as on EC2); {@code type} defaults
 * to gp3. {@code snapshotId}, {@code encrypted} and {@code kmsKeyId} are taken so that they can be
 * refused clearly: Nubo has neither snapshots nor encryption yet. A {@code clientToken} makes the
 * request idempotent: a retry with the same token and parameters returns the first volume.
 */
public record CreateVolumeRequest(Optional<Integer> sizeGib, Optional<String> type, Optional<String> zone, Optional<String> zoneId,
                                  Optional<Integer> iops, Optional<Integer> throughput, boolean multiAttach, Optional<String> snapshotId,
                                  boolean encrypted, Optional<String> kmsKeyId, List<Tag> tags, Optional<String> clientToken) {
    public CreateVolumeRequest {
        tags = List.copyOf(tags);
    }

    /** What a retry must repeat: every parameter but the token. */
    String fingerprint() {
        String all = String.join("|", String.valueOf(sizeGib), String.valueOf(type), String.valueOf(zone), String.valueOf(zoneId),
                String.valueOf(iops), String.valueOf(throughput), Boolean.toString(multiAttach), String.valueOf(snapshotId),
                Boolean.toString(encrypted), String.valueOf(kmsKeyId), tags.toString());
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(all.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The common case: a size, a type and a zone. */
    public static CreateVolumeRequest of(int sizeGib, String type, String zone, boolean multiAttach, Integer iops, List<Tag> tags) {
        return new CreateVolumeRequest(Optional.of(sizeGib), Optional.ofNullable(type), Optional.ofNullable(zone), Optional.empty(),
                Optional.ofNullable(iops), Optional.empty(), multiAttach, Optional.empty(), false, Optional.empty(), tags, Optional.empty());
    }
}
