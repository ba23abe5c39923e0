package io.nubo.qemu;

/**
 * The IPv4 address a guest gets on its user-mode network, written {@code 172.31.0.4/20}: QEMU's
 * network is then that subnet, with the router at its first address and DNS at its second (as in
 * an EC2 subnet), and its DHCP server hands the guest exactly this address. Immutable.
 */
public record GuestAddress(int bits, int prefixLength) {
    public GuestAddress {
        if (prefixLength < 8 || prefixLength > 29) {
            throw new IllegalArgumentException("a guest's subnet is /8 to /29: /" + prefixLength);
        }
        int host = bits & ~mask(prefixLength);
        if (host < 3 || host == ~mask(prefixLength)) {
            throw new IllegalArgumentException("not a guest address in its subnet: " + dotted(bits) + "/" + prefixLength);
        }
    }

    /** Parses {@code a.b.c.d/n}. */
    public static GuestAddress parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an address with its prefix length: " + cidr);
        }
        String[] parts = cidr.substring(0, slash).split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + cidr);
        }
        int a = 0;
        for (String p : parts) {
            int octet = Integer.parseInt(p);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + cidr);
            }
            a = (a << 8) | octet;
        }
        return new GuestAddress(a, Integer.parseInt(cidr.substring(slash + 1)));
    }

    public String address() {
        return dotted(bits);
    }

    public String network() {
        return dotted(bits & mask(prefixLength)) + "/" + prefixLength;
    }

    public String router() {
        return dotted((bits & mask(prefixLength)) + 1);
    }

    public String dns() {
        return dotted((bits & mask(prefixLength)) + 2);
    }

    @Override
    public String toString() {
        return address() + "/" + prefixLength;
    }

    private static int mask(int prefixLength) {
        return (int) (0xffffffffL << (32 - prefixLength));
    }

    private static String dotted(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }
}
