package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.network.Topology;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeSubnets: the caller's subnets (a default one per zone), by ID and filters. */
public record DescribeSubnets(List<String> ids, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeSubnets parse(Params p) {
        return new DescribeSubnets(p.strings("SubnetId"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().networks().describeSubnets(c.caller(), ids, filters, page);
        return o -> {
            o.list("subnetSet", result.items(), (x, d) -> {
                var n = d.subnet();
                x.text("subnetId", n.id()).text("state", "available").text("ownerId", n.accountId()).text("vpcId", n.vpcId())
                        .text("cidrBlock", n.cidrBlock()).number("availableIpAddressCount", d.availableAddresses())
                        .text("availabilityZone", n.zone()).text("availabilityZoneId", Topology.zoneId(n.zone()))
                        .bool("defaultForAz", n.defaultForAz()).bool("mapPublicIpOnLaunch", false)
                        .bool("assignIpv6AddressOnCreation", false).list("ipv6CidrBlockAssociationSet", List.<String>of(), (y, a) -> { });
                Render.tagSet(x, d.tags());
            });
            o.text("nextToken", result.nextToken());
        };
    }
}
