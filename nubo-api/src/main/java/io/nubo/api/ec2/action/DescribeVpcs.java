package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeVpcs: the caller's VPCs (the default one), by ID and filters. */
public record DescribeVpcs(List<String> ids, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeVpcs parse(Params p) {
        return new DescribeVpcs(p.strings("VpcId"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().networks().describeVpcs(c.caller(), ids, filters, page);
        return o -> {
            o.list("vpcSet", result.items(), (x, d) -> {
                var v = d.vpc();
                x.text("vpcId", v.id()).text("ownerId", v.accountId()).text("state", "available").text("cidrBlock", v.cidrBlock())
                        .list("cidrBlockAssociationSet", List.of(v), (y, a) -> y.text("associationId", a.id().replace("vpc-", "vpc-cidr-assoc-"))
                                .text("cidrBlock", a.cidrBlock()).struct("cidrBlockState", () -> y.text("state", "associated")))
                        .list("ipv6CidrBlockAssociationSet", List.<String>of(), (y, a) -> { })
                        .text("dhcpOptionsId", "default").text("instanceTenancy", "default").bool("isDefault", v.isDefault());
                Render.tagSet(x, d.tags());
            });
            o.text("nextToken", result.nextToken());
        };
    }
}
