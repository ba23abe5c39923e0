package io.nubo.core.model;

import java.util.Optional;

/**
 * The EBS volume types Nubo offers, with EC2's size limits in GiB. They differ in what EC2 would
 * charge and promise; on a Nubo pool they are all the same raw file. Only {@code io1} and
 * {@code io2} may be multi-attach, as on EC2. ({@code st1} and {@code sc1}, EC2's HDD types, are
 * not offered.)
 */
public enum VolumeType {
    GP2("gp2", 1, 16384, false),
    GP3("gp3", 1, 16384, false),
    IO1("io1", 4, 16384, true),
    IO2("io2", 4, 65536, true),
    STANDARD("standard", 1, 1024, false);

    private final String apiName;
    private final int minGib;
    private final int maxGib;
    private final boolean provisionedIops;

    VolumeType(String apiName, int minGib, int maxGib, boolean provisionedIops) {
        this.apiName = apiName;
        this.minGib = minGib;
        this.maxGib = maxGib;
        this.provisionedIops = provisionedIops;
    }

    public String apiName() {
        return apiName;
    }

    public int minGib() {
        return minGib;
    }

    public int maxGib() {
        return maxGib;
    }

    /** io1 and io2: IOPS are given at creation (and required), and the volume may be multi-attach. */
    public boolean provisionedIops() {
        return provisionedIops;
    }

    public boolean allowsMultiAttach() {
        return provisionedIops;
    }

    public static Optional<VolumeType> fromApiName(String name) {
        for (VolumeType t : values()) {
            if (t.apiName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
