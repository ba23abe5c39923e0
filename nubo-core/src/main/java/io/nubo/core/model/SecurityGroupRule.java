package io.nubo.core.model;

/**
 * One rule of a security group: traffic of {@code protocol} on ports {@code fromPort}..{@code toPort}
 * (for ICMP, type and code) from or to exactly one peer: an IPv4 CIDR, an IPv6 CIDR, or another
 * group. {@code protocol} is {@code tcp}, {@code udp}, {@code icmp}, {@code icmpv6}, {@code -1}
 * (all) or another IP protocol number; ports are null when the protocol has none.
 */
public record SecurityGroupRule(String id, String groupId, boolean egress, String protocol, Integer fromPort, Integer toPort,
                                String cidrIpv4, String cidrIpv6, String referencedGroupId, String description) {
    /** True when both rules allow the same traffic to or from the same peer (descriptions aside). */
    public boolean sameAs(SecurityGroupRule o) {
        return egress == o.egress && protocol.equals(o.protocol) && java.util.Objects.equals(fromPort, o.fromPort)
                && java.util.Objects.equals(toPort, o.toPort) && java.util.Objects.equals(cidrIpv4, o.cidrIpv4)
                && java.util.Objects.equals(cidrIpv6, o.cidrIpv6) && java.util.Objects.equals(referencedGroupId, o.referencedGroupId);
    }
}
