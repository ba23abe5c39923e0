package io.nubo.control.volumes;

import io.nubo.control.network.Topology;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.VolumeType;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What makes a volume request valid, with EC2's codes and wording: sizes per type, IOPS and
 * throughput, multi-attach (io1 and io2 only), zones and device names. Pure; the service calls
 * these before it opens a transaction.
 */
final class VolumeRules {
    /** A volume on a Nubo VM is a virtio-blk PCI device; the pc machine has 32 slots, a handful taken. */
    static final int MAX_VOLUMES_PER_INSTANCE = 24;
    /** As on EC2: a multi-attach volume goes to at most 16 instances. */
    static final int MAX_MULTI_ATTACH = 16;
    private static final Pattern DEVICE = Pattern.compile("/dev/(sd|xvd|vd)[b-z]");
    /** The names of the root disk, which no volume can take. */
    private static final Set<String> ROOT_DEVICES = Set.of("/dev/sda", "/dev/sda1", "/dev/xvda", "/dev/vda");

    private VolumeRules() {
    }

    /** A create request's settled values. */
    record Shape(String zone, int sizeGib, VolumeType type, Integer iops, Integer throughput) {
    }

    /** A create request's values, given the size of the volume its snapshot was taken of (if it names one). */
    static Shape create(CreateVolumeRequest r, Optional<Integer> snapshotGib) {
        String zone = zone(r.zone(), r.zoneId());
        VolumeType type = type(r.type().orElse(VolumeType.GP3.apiName()), "creation");
        if (r.encrypted() || r.kmsKeyId().isPresent()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not encrypt volumes yet");
        }
        positive("size", r.sizeGib());
        positive("iops", r.iops());
        positive("throughput", r.throughput());
        performanceParameters(type, r.iops(), r.throughput());
        int size = r.sizeGib().or(() -> snapshotGib).orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                "The request must contain the parameter size/snapshot"));
        if (snapshotGib.isPresent() && size < snapshotGib.get()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "The volume size (%d GiB) is smaller than the snapshot's volume size (%d GiB): give at least the snapshot's size.", size,
                    snapshotGib.get());
        }
        size(type, size);
        Integer iops = iops(type, size, r.iops());
        Integer throughput = throughput(type, iops, r.throughput());
        multiAttach(type, r.multiAttach());
        Tagging.validate(r.tags());
        return new Shape(zone, size, type, iops, throughput);
    }

    static String zone(Optional<String> name, Optional<String> id) {
        if (name.isPresent() && id.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                    "Only one of AvailabilityZone and AvailabilityZoneId may be given");
        }
        if (name.isPresent()) {
            if (!Topology.ZONES.contains(name.get())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid availability zone: [%s]", name.get());
            }
            return name.get();
        }
        if (id.isPresent()) {
            return Topology.zoneById(id.get()).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Invalid availability zone ID: [%s]", id.get()));
        }
        throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter AvailabilityZone");
    }

    static VolumeType type(String name, String purpose) {
        return VolumeType.fromApiName(name).orElseThrow(() -> NuboException.of(ErrorCode.UNKNOWN_VOLUME_TYPE,
                "Unsupported volume type '%s' for volume %s. Nubo offers gp2, gp3, io1, io2 and standard.", name, purpose));
    }

    static void size(VolumeType type, int size) {
        if (size < type.minGib()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The volume size is invalid for %s volumes: %d GiB. "
                    + "%s volumes must be at least %d GiB in size. Please specify a volume size above the minimum limit.",
                    type.apiName(), size, type.apiName(), type.minGib());
        }
        if (size > type.maxGib()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Volume of %dGiB is too large for volume type %s; maximum is %dGiB",
                    size, type.apiName(), type.maxGib());
        }
    }

    static void positive(String name, Optional<Integer> value) {
        value.filter(v -> v <= 0).ifPresent(v -> {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Value (%d) for parameter %s is invalid. Value must be a positive integer.", v, name);
        });
    }

    /** io1 and io2 need IOPS; only gp3 takes throughput; gp2 and standard take neither. */
    static void performanceParameters(VolumeType type, Optional<Integer> iops, Optional<Integer> throughput) {
        if (type.provisionedIops() && iops.isEmpty()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "The parameter iops must be specified for %s volumes.",
                    type.apiName());
        }
        if (!type.provisionedIops() && type != VolumeType.GP3 && iops.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "The parameter iops is not supported for %s volumes.",
                    type.apiName());
        }
        if (type != VolumeType.GP3 && throughput.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "The throughput parameter is not supported for %s volumes.",
                    type.apiName());
        }
    }

    /** The IOPS a volume gets: what was asked (in EC2's bounds for the type and size), gp3's 3000 baseline, or none. */
    static Integer iops(VolumeType type, int size, Optional<Integer> asked) {
        int min;
        int max;
        int perGib;
        switch (type) {
            case GP3 -> { min = 3000; max = 16000; perGib = 500; }
            case IO1 -> { min = 100; max = 64000; perGib = 50; }
            case IO2 -> { min = 100; max = 256000; perGib = 1000; }
            default -> {
                return null;
            }
        }
        int iops = asked.orElse(min);
        if (iops < min) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Volume iops of %d is too low; minimum is %d.", iops, min);
        }
        if (iops > max) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Volume iops of %d is too high; maximum is %d.", iops, max);
        }
        if (iops > min && (long) iops > (long) size * perGib) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Iops to volume size ratio of %.6f is too high; maximum is %d",
                    (double) iops / size, perGib);
        }
        return iops;
    }

    static Integer throughput(VolumeType type, Integer iops, Optional<Integer> asked) {
        if (type != VolumeType.GP3) {
            return null;
        }
        int throughput = asked.orElse(125);
        if (throughput < 125) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Volume throughput of %d is too low; minimum is 125.", throughput);
        }
        if (throughput > 1000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Volume throughput of %d is too high; maximum is 1000.", throughput);
        }
        if (throughput * 4L > iops) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "Throughput (MiBps) to iops ratio of %.6f is too high; maximum is 0.250000 MiBps per iops", (double) throughput / iops);
        }
        return throughput;
    }

    static void multiAttach(VolumeType type, boolean multiAttach) {
        if (multiAttach && !type.allowsMultiAttach()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "The parameter multi-attach-enabled is not supported for %s volumes.",
                    type.apiName());
        }
    }

    /** A device name a volume may take: {@code /dev/sd[b-z]}, {@code /dev/xvd[b-z]} or {@code /dev/vd[b-z]}, not the root's. */
    static void device(String device) {
        if (device == null || device.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter device");
        }
        if (ROOT_DEVICES.contains(device)) {
            throw deviceInUse(device);
        }
        if (!DEVICE.matcher(device).matches()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter device is invalid. %s is not a valid EBS device name.",
                    device.length() > 64 ? device.substring(0, 64) + "..." : device, device.length() > 64 ? "It" : device);
        }
    }

    /** Whether the name is one a root device goes by (Nubo's, and other clouds' images'). */
    static boolean isRootDevice(String device) {
        return ROOT_DEVICES.contains(device);
    }

    static NuboException deviceInUse(String device) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for unixDevice. Attachment point %s is already in use",
                device, device);
    }
}
