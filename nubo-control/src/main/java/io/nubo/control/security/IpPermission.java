package io.nubo.control.security;

import java.util.List;

/**
 * Permissions as EC2 expresses them: one protocol and port range (for ICMP, type and code), and
 * the peers it applies to. A stored rule has exactly one peer; describing groups them back.
 */
public record IpPermission(String protocol, Integer fromPort, Integer toPort, List<IpRange> ipv4Ranges, List<IpRange> ipv6Ranges,
                           List<GroupPeer> groups, List<String> prefixListIds) {
    public IpPermission {
        ipv4Ranges = List.copyOf(ipv4Ranges);
        ipv6Ranges = List.copyOf(ipv6Ranges);
        groups = List.copyOf(groups);
        prefixListIds = List.copyOf(prefixListIds);
    }

    /** A CIDR peer, IPv4 or IPv6. */
    public record IpRange(String cidr, String description) {
    }

    /** A security group peer, named by ID or by name (in the same VPC); {@code userId} is its owner. */
    public record GroupPeer(String groupId, String groupName, String userId, String description) {
    }
}
