package io.nubo.control.network;

import java.util.Set;

/**
 * The IPv4 addresses of a subnet such as {@code 172.31.0.0/20}, by host number (the offset from
 * the network address). As on EC2, the first four and the last address are not given to
 * instances: the network, the router (.1), DNS (.2), one reserved, and the broadcast address.
 */
public record SubnetAddresses(int network, int prefixLength) {
    public static final int FIRST_HOST = 4;

    public SubnetAddresses {
        if (prefixLength < 16 || prefixLength > 28) {
            throw new IllegalArgumentException("a subnet is /16 to /28: /" + prefixLength);
        }
        if ((network & ((1 << (32 - prefixLength)) - 1)) != 0) {
            throw new IllegalArgumentException("not a network address: " + dotted(network));
        }
    }

    public static SubnetAddresses of(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR: " + cidr);
        }
        return new SubnetAddresses(parse(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    }

    /** The default subnet of an availability zone. */
    public static SubnetAddresses ofZone(String zone) {
        if (!Topology.ZONES.contains(zone)) {
            throw new IllegalArgumentException("not a zone of this region: " + zone);
        }
        return of(Topology.defaultSubnetCidr(zone));
    }

    /**
     * The address {@code hostNumber} of the zone's default subnet with its prefix length
     * ({@code 172.31.0.4/20}), or null for a zone this region no longer has: one odd row must not
     * keep a host's whole desired state or a listing from being answered.
     */
    public static String interfaceAddressIn(String zone, int hostNumber) {
        if (!Topology.ZONES.contains(zone)) {
            return null;
        }
        SubnetAddresses s = ofZone(zone);
        return hostNumber >= 1 && hostNumber <= s.lastHost() ? s.interfaceAddress(hostNumber) : null;
    }

    /** The last host number given out: the one before the broadcast address. */
    public int lastHost() {
        return (1 << (32 - prefixLength)) - 2;
    }

    public String address(int hostNumber) {
        if (hostNumber < 1 || hostNumber > lastHost() + 1) {
            throw new IllegalArgumentException("host number " + hostNumber + " is outside /" + prefixLength);
        }
        return dotted(network + hostNumber);
    }

    /** The address with the subnet's prefix length, as a guest's interface has it: {@code 172.31.0.4/20}. */
    public String interfaceAddress(int hostNumber) {
        return address(hostNumber) + "/" + prefixLength;
    }

    public String router() {
        return address(1);
    }

    public String dns() {
        return address(2);
    }

    public String networkAddress() {
        return dotted(network);
    }

    public String cidr() {
        return networkAddress() + "/" + prefixLength;
    }

    /** The lowest host number that is neither reserved nor in {@code held}, if any. */
    public java.util.OptionalInt firstFree(Set<Integer> held) {
        for (int n = FIRST_HOST; n <= lastHost(); n++) {
            if (!held.contains(n)) {
                return java.util.OptionalInt.of(n);
            }
        }
        return java.util.OptionalInt.empty();
    }

    /** EC2's private DNS name outside us-east-1: {@code ip-172-31-0-4.<region>.compute.internal}. */
    public static String privateDnsName(String address) {
        return "ip-" + address.replace('.', '-') + "." + Topology.REGION + ".compute.internal";
    }

    private static int parse(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        int out = 0;
        for (String p : parts) {
            int octet = Integer.parseInt(p);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            out = (out << 8) | octet;
        }
        return out;
    }

    private static String dotted(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }
}
