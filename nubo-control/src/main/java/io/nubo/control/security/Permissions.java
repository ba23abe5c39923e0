package io.nubo.control.security;

import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.Text;
import io.nubo.core.model.SecurityGroupRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns EC2 permissions into stored rules (validating protocol, ports, CIDRs and descriptions) and
 * stored rules back into permissions. Stateless.
 */
final class Permissions {
    private static final int MAX_DESCRIPTION = 255;

    private Permissions() {
    }

    /**
     * The rules a list of permissions stands for, one per peer. {@code peer} resolves a group peer
     * to a group ID of the caller's, or throws.
     */
    static List<SecurityGroupRule> expand(List<IpPermission> permissions, String groupId, boolean egress,
                                          Function<IpPermission.GroupPeer, String> peer) {
        List<SecurityGroupRule> out = new ArrayList<>();
        for (IpPermission p : permissions) {
            String protocol = protocol(p.protocol());
            Integer[] ports = ports(protocol, p.fromPort(), p.toPort());
            if (!p.prefixListIds().isEmpty()) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Prefix lists are not supported in security group rules");
            }
            if (p.ipv4Ranges().isEmpty() && p.ipv6Ranges().isEmpty() && p.groups().isEmpty()) {
                throw NuboException.of(ErrorCode.MISSING_PARAMETER,
                        "The request must contain the parameter IpRanges, Ipv6Ranges or Groups (the rule's source or destination)");
            }
            for (IpPermission.IpRange r : p.ipv4Ranges()) {
                out.add(rule(groupId, egress, protocol, ports, Cidrs.ipv4(r.cidr()), null, null, description(r.description())));
            }
            for (IpPermission.IpRange r : p.ipv6Ranges()) {
                out.add(rule(groupId, egress, protocol, ports, null, Cidrs.ipv6(r.cidr()), null, description(r.description())));
            }
            for (IpPermission.GroupPeer g : p.groups()) {
                out.add(rule(groupId, egress, protocol, ports, null, null, peer.apply(g), description(g.description())));
            }
        }
        return out;
    }

    private static SecurityGroupRule rule(String groupId, boolean egress, String protocol, Integer[] ports, String v4, String v6,
                                          String ref, String description) {
        return new SecurityGroupRule(Ids.next(Ids.SECURITY_GROUP_RULE), groupId, egress, protocol, ports[0], ports[1], v4, v6, ref,
                description);
    }

    /** EC2's protocol names: tcp, udp, icmp, icmpv6, -1 for all, or another protocol number. */
    static String protocol(String given) {
        if (given == null || given.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter IpProtocol");
        }
        String p = given.toLowerCase(Locale.ROOT);
        return switch (p) {
            case "tcp", "6" -> "tcp";
            case "udp", "17" -> "udp";
            case "icmp", "1" -> "icmp";
            case "icmpv6", "58" -> "icmpv6";
            case "-1", "all" -> "-1";
            default -> {
                if (p.matches("\\d{1,3}") && Integer.parseInt(p) <= 255) {
                    yield Integer.toString(Integer.parseInt(p));
                }
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for IP protocol. Unknown protocol.", given);
            }
        };
    }

    private static Integer[] ports(String protocol, Integer from, Integer to) {
        switch (protocol) {
            case "tcp", "udp" -> {
                if (from == null || to == null) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Must specify both from and to ports with TCP/UDP.");
                }
                if (from < 0 || from > 65535 || to < 0 || to > 65535 || from > to) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                            "Invalid port range %d-%d: ports are 0 to 65535 and the first must not exceed the last", from, to);
                }
                return new Integer[]{from, to};
            }
            case "icmp", "icmpv6" -> {
                int type = from == null ? -1 : from;
                int code = to == null ? -1 : to;
                if (type < -1 || type > 255 || code < -1 || code > 255) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid ICMP type %d or code %d: use -1 to 255", type, code);
                }
                return new Integer[]{type, code};
            }
            default -> {
                return new Integer[]{null, null};
            }
        }
    }

    private static String description(String d) {
        if (d == null) {
            return "";
        }
        if (d.length() > MAX_DESCRIPTION || !Text.printable(d)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Rule descriptions are at most %d printable characters",
                    MAX_DESCRIPTION);
        }
        return d;
    }

    /** The rules of one direction as EC2 permissions: rules with the same protocol and ports are merged. */
    static List<IpPermission> collapse(List<SecurityGroupRule> rules, String ownerId) {
        Map<List<Object>, List<SecurityGroupRule>> byRange = new LinkedHashMap<>();
        for (SecurityGroupRule r : rules) {
            byRange.computeIfAbsent(java.util.Arrays.asList(r.protocol(), r.fromPort(), r.toPort()), k -> new ArrayList<>()).add(r);
        }
        List<IpPermission> out = new ArrayList<>();
        byRange.forEach((k, rs) -> {
            SecurityGroupRule first = rs.get(0);
            out.add(new IpPermission(first.protocol(), first.fromPort(), first.toPort(),
                    rs.stream().filter(r -> r.cidrIpv4() != null).map(r -> new IpPermission.IpRange(r.cidrIpv4(), blankToNull(r.description()))).toList(),
                    rs.stream().filter(r -> r.cidrIpv6() != null).map(r -> new IpPermission.IpRange(r.cidrIpv6(), blankToNull(r.description()))).toList(),
                    rs.stream().filter(r -> r.referencedGroupId() != null)
                            .map(r -> new IpPermission.GroupPeer(r.referencedGroupId(), null, ownerId, blankToNull(r.description()))).toList(),
                    List.of()));
        });
        return out;
    }

    /** How EC2 names a rule in its duplicate and not-found messages. */
    static String describe(SecurityGroupRule r) {
        String peer = r.cidrIpv4() != null ? r.cidrIpv4() : r.cidrIpv6() != null ? r.cidrIpv6() : r.referencedGroupId();
        String proto = r.protocol().equals("-1") ? "ALL" : r.protocol().toUpperCase(Locale.ROOT);
        return "peer: " + peer + ", " + proto + (r.fromPort() == null ? "" : ", from port: " + r.fromPort() + ", to port: " + r.toPort())
                + ", ALLOW";
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
