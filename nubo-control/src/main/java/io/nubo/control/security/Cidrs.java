package io.nubo.control.security;

import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Validates CIDR blocks without any name lookup. Stateless. */
final class Cidrs {
    private Cidrs() {
    }

    /** An IPv4 CIDR such as {@code 10.0.0.0/8}, returned as given. */
    static String ipv4(String cidr) {
        if (cidr == null || !cidr.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/\\d{1,2}")) {
            throw malformed(cidr);
        }
        String[] parts = cidr.split("[./]");
        for (int i = 0; i < 4; i++) {
            if (Integer.parseInt(parts[i]) > 255) {
                throw malformed(cidr);
            }
        }
        if (Integer.parseInt(parts[4]) > 32) {
            throw malformed(cidr);
        }
        return cidr;
    }

    /** An IPv6 CIDR such as {@code ::/0} or {@code 2001:db8::/32}, returned as given. */
    static String ipv6(String cidr) {
        if (cidr == null || !cidr.matches("[0-9A-Fa-f:.]{2,45}/\\d{1,3}")) {
            throw malformed(cidr);
        }
        int slash = cidr.indexOf('/');
        if (Integer.parseInt(cidr.substring(slash + 1)) > 128 || !cidr.substring(0, slash).contains(":")) {
            throw malformed(cidr);
        }
        try {
            // A literal with a colon is parsed, never looked up.
            if (!(InetAddress.getByName(cidr.substring(0, slash)) instanceof Inet6Address)) {
                throw malformed(cidr);
            }
        } catch (UnknownHostException e) {
            throw malformed(cidr);
        }
        return cidr;
    }

    private static NuboException malformed(String cidr) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "CIDR block %s is malformed", cidr);
    }
}
