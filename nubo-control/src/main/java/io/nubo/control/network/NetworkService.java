package io.nubo.control.network;

import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Subnet;
import io.nubo.core.model.Tag;
import io.nubo.core.model.Vpc;
import io.nubo.store.Database;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * An account's VPCs and subnets: the default VPC with a default subnet per zone, which every
 * account has from its creation. Read-only for now. Thread-safe.
 */
public final class NetworkService {
    /** Addresses AWS keeps in every subnet: the network, router, DNS, reserved and broadcast ones. */
    private static final int RESERVED_PER_SUBNET = 5;

    private static final FilterSet<VpcDetails> VPC_FILTERS = FilterSet.<VpcDetails>builder()
            .one("vpc-id", d -> d.vpc().id())
            .one("cidr", d -> d.vpc().cidrBlock())
            .one("cidr-block-association.cidr-block", d -> d.vpc().cidrBlock())
            .one("is-default", d -> Boolean.toString(d.vpc().isDefault()))
            .one("state", d -> "available")
            .one("owner-id", d -> d.vpc().accountId())
            .tags(VpcDetails::tags)
            .build();

    private static final FilterSet<SubnetDetails> SUBNET_FILTERS = FilterSet.<SubnetDetails>builder()
            .one("subnet-id", d -> d.subnet().id())
            .one("vpc-id", d -> d.subnet().vpcId())
            .one("availability-zone", d -> d.subnet().zone())
            .one("availability-zone-id", d -> Topology.zoneId(d.subnet().zone()))
            .one("cidr-block", d -> d.subnet().cidrBlock())
            .one("cidr", d -> d.subnet().cidrBlock())
            .one("default-for-az", d -> Boolean.toString(d.subnet().defaultForAz()))
            .one("state", d -> "available")
            .one("owner-id", d -> d.subnet().accountId())
            .tags(SubnetDetails::tags)
            .build();

    private final Database db;

    public NetworkService(Database db) {
        this.db = db;
    }

    /** A VPC with its tags. */
    public record VpcDetails(Vpc vpc, List<Tag> tags) {
    }

    /** A subnet with its tags and how many addresses it has free. */
    public record SubnetDetails(Subnet subnet, List<Tag> tags, int availableAddresses) {
    }

    public Page<VpcDetails> describeVpcs(Principal caller, List<String> ids, List<Filter> filters, PageRequest page) {
        IdCheck.vpcs(ids);
        var matching = VPC_FILTERS.compile(filters);
        Paging.checkBounds(page, 5, 1000);
        List<VpcDetails> all = db.read(s -> {
            List<Vpc> vpcs = s.vpcs().list(caller.accountId());
            requireAll(ids, vpcs, Vpc::id, NotFound::vpc);
            Map<String, List<Tag>> tags = s.tags().forResources(caller.accountId(), vpcs.stream().map(Vpc::id).toList());
            return vpcs.stream().filter(v -> ids.isEmpty() || ids.contains(v.id()))
                    .map(v -> new VpcDetails(v, tags.getOrDefault(v.id(), List.of()))).toList();
        });
        List<VpcDetails> matched = all.stream().filter(matching).sorted(Comparator.comparing(d -> d.vpc().id())).toList();
        return Paging.page(matched, d -> d.vpc().id(), page, 5, 1000);
    }

    public Page<SubnetDetails> describeSubnets(Principal caller, List<String> ids, List<Filter> filters, PageRequest page) {
        IdCheck.subnets(ids);
        var matching = SUBNET_FILTERS.compile(filters);
        Paging.checkBounds(page, 5, 1000);
        List<SubnetDetails> all = db.read(s -> {
            List<Subnet> subnets = s.subnets().list(caller.accountId());
            requireAll(ids, subnets, Subnet::id, NotFound::subnet);
            Map<String, List<Tag>> tags = s.tags().forResources(caller.accountId(), subnets.stream().map(Subnet::id).toList());
            return subnets.stream().filter(n -> ids.isEmpty() || ids.contains(n.id()))
                    .map(n -> new SubnetDetails(n, tags.getOrDefault(n.id(), List.of()), size(n.cidrBlock()) - RESERVED_PER_SUBNET))
                    .toList();
        });
        List<SubnetDetails> matched = all.stream().filter(matching).sorted(Comparator.comparing(d -> d.subnet().id())).toList();
        return Paging.page(matched, d -> d.subnet().id(), page, 5, 1000);
    }

    private static <T> void requireAll(List<String> ids, List<T> have, Function<T, String> id,
                                       Function<String, RuntimeException> notFound) {
        for (String want : ids) {
            if (have.stream().noneMatch(x -> id.apply(x).equals(want))) {
                throw notFound.apply(want);
            }
        }
    }

    private static int size(String cidr) {
        int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        return 1 << (32 - bits);
    }
}
