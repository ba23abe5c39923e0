package io.nubo.api.ec2.action;

import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;
import java.util.Set;

/**
 * RunInstances' {@code BlockDeviceMapping.N}, as far as Nubo acts on it: one mapping for the root
 * device, whose {@code Ebs.VolumeSize} sizes the root volume (always gp3) and whose
 * {@code Ebs.DeleteOnTermination=false} keeps it after termination. Everything else a mapping can
 * ask for (another device, a snapshot, encryption, IOPS, another volume type) is refused
 * with {@code UnsupportedOperation} naming it: a launch never silently lacks a disk it asked for.
 * Stateless.
 */
final class RootDeviceMapping {
    /** The root device's name as Nubo describes it, and the names other clouds' images use for theirs. */
    static final Set<String> ROOT_NAMES = Set.of(Render.ROOT_DEVICE, "/dev/xvda", "/dev/sda1", "/dev/sda");
    private static final Set<String> VOLUME_TYPES = Set.of("gp3", "gp2", "io1", "io2", "standard");
    private static final String ROOT_VOLUME_TYPE = "gp3";
    private static final List<String> REFUSED_EBS = List.of("SnapshotId", "Iops", "Throughput", "KmsKeyId", "OutpostArn",
            "VolumeInitializationRate", "EbsCardIndex");

    private RootDeviceMapping() {
    }

    /** The root disk size asked for, in GiB; null when the launch maps no device or gives no size. */
    static Integer rootSizeGib(Params p) {
        List<Params> mappings = p.structs("BlockDeviceMapping");
        Integer size = null;
        boolean seen = false;
        for (Params m : mappings) {
            String device = m.nonEmpty("DeviceName").orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                    "The request must contain the parameter %s", m.fullName("DeviceName")));
            if (!ROOT_NAMES.contains(device)) {
                throw unsupported("Nubo maps only the root device (%s) at launch, not %s: attach volumes with AttachVolume",
                        Render.ROOT_DEVICE, device);
            }
            if (seen) {
                throw NuboException.of(ErrorCode.INVALID_BLOCK_DEVICE_MAPPING, "The root device is mapped more than once");
            }
            seen = true;
            for (String name : List.of("NoDevice", "VirtualName")) {
                if (m.string(name).isPresent()) {
                    throw unsupported("Nubo does not support %s", m.fullName(name));
                }
            }
            size = m.struct("Ebs").map(RootDeviceMapping::ebs).orElse(null);
        }
        return size;
    }

    /** Whether the root volume is to outlive its instance ({@code Ebs.DeleteOnTermination=false}); call after {@link #rootSizeGib}. */
    static boolean keepsRootVolume(Params p) {
        return p.structs("BlockDeviceMapping").stream().flatMap(m -> m.struct("Ebs").stream())
                .anyMatch(ebs -> !ebs.bool("DeleteOnTermination").orElse(true));
    }

    private static Integer ebs(Params ebs) {
        for (String name : REFUSED_EBS) {
            if (ebs.nonEmpty(name).isPresent()) {
                throw unsupported("Nubo does not support %s on the root device", ebs.fullName(name));
            }
        }
        if (ebs.bool("Encrypted").orElse(false)) {
            throw unsupported("Nubo does not encrypt root disks (%s=true)", ebs.fullName("Encrypted"));
        }
        ebs.nonEmpty("VolumeType").filter(t -> !VOLUME_TYPES.contains(t)).ifPresent(t -> {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for %s", t, ebs.fullName("VolumeType"));
        });
        ebs.nonEmpty("VolumeType").filter(t -> !t.equals(ROOT_VOLUME_TYPE)).ifPresent(t -> {
            throw unsupported("Nubo's root volumes are %s, not %s (%s)", ROOT_VOLUME_TYPE, t, ebs.fullName("VolumeType"));
        });
        return ebs.integer("VolumeSize").orElse(null);
    }

    private static NuboException unsupported(String format, Object... args) {
        return NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, format, args);
    }
}
