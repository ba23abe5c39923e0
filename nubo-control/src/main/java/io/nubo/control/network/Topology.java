package io.nubo.control.network;

import java.util.List;
import java.util.Optional;

/**
 * The installation's region and availability zones, as the EC2 API names them. There is one region,
 * {@code nubo-1}, with one zone, {@code nubo-1a}; every host is in it. Immutable.
 */
public final class Topology {
    public static final String REGION = "nubo-1";
    public static final List<String> ZONES = List.of("nubo-1a");
    public static final String DEFAULT_VPC_CIDR = "172.31.0.0/16";

    private Topology() {
    }

    public static String defaultZone() {
        return ZONES.get(0);
    }

    /** EC2's stable zone ID: {@code nubo1-az1} for the first zone. */
    public static String zoneId(String zone) {
        return REGION.replace("-", "") + "-az" + (ZONES.indexOf(zone) + 1);
    }

    public static Optional<String> zoneById(String zoneId) {
        return ZONES.stream().filter(z -> zoneId(z).equals(zoneId)).findFirst();
    }

    /** The CIDR of the default subnet in {@code zone}: a /20 of the default VPC per zone, as on EC2. */
    public static String defaultSubnetCidr(String zone) {
        return "172.31." + (16 * ZONES.indexOf(zone)) + ".0/20";
    }
}
