package io.nubo.control.security;

import io.nubo.core.filter.FilterSet;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/** The filters DescribeSecurityGroups understands. Stateless. */
final class GroupFilters {
    static final FilterSet<SecurityGroupDetails> SET = build();

    private GroupFilters() {
    }

    private static FilterSet<SecurityGroupDetails> build() {
        FilterSet.Builder<SecurityGroupDetails> b = FilterSet.<SecurityGroupDetails>builder()
                .one("group-id", d -> d.group().id())
                .one("group-name", d -> d.group().name())
                .one("description", d -> d.group().description())
                .one("vpc-id", d -> d.group().vpcId())
                .one("owner-id", d -> d.group().accountId())
                .tags(SecurityGroupDetails::tags);
        permissionFilters(b, "ip-permission.", SecurityGroupDetails::ingress);
        permissionFilters(b, "egress.ip-permission.", SecurityGroupDetails::egress);
        return b.build();
    }

    private static void permissionFilters(FilterSet.Builder<SecurityGroupDetails> b, String prefix,
                                          Function<SecurityGroupDetails, List<IpPermission>> side) {
        b.many(prefix + "protocol", d -> values(side.apply(d), p -> Stream.of(p.protocol())));
        b.many(prefix + "from-port", d -> values(side.apply(d), p -> Stream.ofNullable(p.fromPort()).map(String::valueOf)));
        b.many(prefix + "to-port", d -> values(side.apply(d), p -> Stream.ofNullable(p.toPort()).map(String::valueOf)));
        b.many(prefix + "cidr", d -> values(side.apply(d), p -> p.ipv4Ranges().stream().map(IpPermission.IpRange::cidr)));
        b.many(prefix + "ipv6-cidr", d -> values(side.apply(d), p -> p.ipv6Ranges().stream().map(IpPermission.IpRange::cidr)));
        b.many(prefix + "group-id", d -> values(side.apply(d), p -> p.groups().stream().map(IpPermission.GroupPeer::groupId)));
        b.many(prefix + "user-id", d -> values(side.apply(d), p -> p.groups().stream().map(IpPermission.GroupPeer::userId)));
    }

    private static Collection<String> values(List<IpPermission> ps, Function<IpPermission, Stream<String>> f) {
        return ps.stream().flatMap(f).filter(Objects::nonNull).toList();
    }
}
