package io.nubo.control.compute;

import io.nubo.core.model.Tag;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A request to launch instances: between {@code minCount} and {@code maxCount} of them, as many
 * as quota and capacity allow. {@code userData} is base64, as EC2 carries it. The optional parts
 * (null or empty when not given): the zone or subnet to launch in, the security groups (the
 * default group when none), tags for the instances, and an idempotency token. {@code ha}: the
 * instances are restarted on another host when theirs goes down (false unless asked).
 * {@code placementGroup}: the caller's placement group (name or ID) the instances join, and
 * {@code partition} the partition of a partition group (null: each goes to the emptiest one).
 * {@code rootSizeGib}: the root disk's size (null: the image's). {@code keepRootVolume}: the root
 * volume outlives the instance (EC2's {@code DeleteOnTermination=false}).
 */
public record LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                            String keyName, String userData, String zone, String subnetId, List<String> securityGroupIds,
                            List<String> securityGroupNames, List<Tag> tags, String clientToken, boolean ha,
                            String placementGroup, Integer partition, Integer rootSizeGib, boolean keepRootVolume) {
    public LaunchRequest {
        securityGroupIds = List.copyOf(securityGroupIds);
        securityGroupNames = List.copyOf(securityGroupNames);
        tags = List.copyOf(tags);
    }

    /** A launch whose root volumes go with their instances. */
    public LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                         String keyName, String userData, String zone, String subnetId, List<String> securityGroupIds,
                         List<String> securityGroupNames, List<Tag> tags, String clientToken, boolean ha,
                         String placementGroup, Integer partition, Integer rootSizeGib) {
        this(imageId, instanceType, minCount, maxCount, name, keyName, userData, zone, subnetId, securityGroupIds, securityGroupNames,
                tags, clientToken, ha, placementGroup, partition, rootSizeGib, false);
    }

    public LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                         String keyName, String userData, String zone, String subnetId, List<String> securityGroupIds,
                         List<String> securityGroupNames, List<Tag> tags, String clientToken, boolean ha) {
        this(imageId, instanceType, minCount, maxCount, name, keyName, userData, zone, subnetId, securityGroupIds, securityGroupNames,
                tags, clientToken, ha, null, null, null);
    }

    public LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                         String keyName, String userData, String zone, String subnetId, List<String> securityGroupIds,
                         List<String> securityGroupNames, List<Tag> tags, String clientToken, boolean ha, String placementGroup, Integer partition) {
        this(imageId, instanceType, minCount, maxCount, name, keyName, userData, zone, subnetId, securityGroupIds, securityGroupNames,
                tags, clientToken, ha, placementGroup, partition, null);
    }

    public LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name,
                         String keyName, String userData, String zone, String subnetId, List<String> securityGroupIds,
                         List<String> securityGroupNames, List<Tag> tags, String clientToken) {
        this(imageId, instanceType, minCount, maxCount, name, keyName, userData, zone, subnetId, securityGroupIds, securityGroupNames,
                tags, clientToken, false);
    }

    public LaunchRequest(String imageId, String instanceType, int minCount, int maxCount, String name, String keyName, String userData) {
        this(imageId, instanceType, minCount, maxCount, name, keyName, userData, null, null, List.of(), List.of(), List.of(), null);
    }

    /** A digest of everything but the token: the same token with another fingerprint is another request. */
    public String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Object o : new Object[]{imageId, instanceType, minCount, maxCount, name, keyName, userData, zone, subnetId,
                String.join("\u0002", securityGroupIds), String.join("\u0002", securityGroupNames)}) {
            b.append(o).append('\u0001');
        }
        tags.forEach(t -> b.append(t.key()).append('\u0003').append(t.value()).append('\u0002'));
        if (ha) {
            b.append("\u0004ha"); // only when asked, so that the fingerprints of earlier requests stay as they were
        }
        if (placementGroup != null) {
            b.append("\u0005").append(placementGroup).append('\u0001').append(partition);
        }
        if (rootSizeGib != null) {
            b.append("\u0006").append(rootSizeGib);
        }
        if (keepRootVolume) {
            b.append("\u0007keep");
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "LaunchRequest[" + imageId + " " + instanceType + " x" + minCount + ".." + maxCount + "]";
    }
}
