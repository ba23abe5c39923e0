package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;

import java.util.List;

/** DescribeRegions: the one region, reached at the endpoint the caller used. */
public record DescribeRegions(List<String> names, boolean allRegions, List<Filter> filters) implements Ec2Command {
    public static DescribeRegions parse(Params p) {
        return new DescribeRegions(p.strings("RegionName"), p.bool("AllRegions").orElse(false), Inputs.filters(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var regions = c.services().regions().regions(names, filters, c.endpoint());
        return o -> o.list("regionInfo", regions, (x, r) -> x.text("regionName", r.name()).text("regionEndpoint", r.endpoint())
                .text("optInStatus", r.optInStatus()));
    }
}
