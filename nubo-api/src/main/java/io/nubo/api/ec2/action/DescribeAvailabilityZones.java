package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;

import java.util.List;

/** DescribeAvailabilityZones: the region's zones, by name, ID and filters. */
public record DescribeAvailabilityZones(List<String> names, List<String> ids, boolean all, List<Filter> filters) implements Ec2Command {
    public static DescribeAvailabilityZones parse(Params p) {
        return new DescribeAvailabilityZones(p.strings("ZoneName"), p.strings("ZoneId"), p.bool("AllAvailabilityZones").orElse(false),
                Inputs.filters(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var zones = c.services().regions().zones(names, ids, filters);
        return o -> o.list("availabilityZoneInfo", zones, (x, z) -> x.text("zoneName", z.name()).text("zoneState", z.state())
                .text("regionName", z.region()).text("zoneId", z.id()).text("groupName", z.region())
                .text("networkBorderGroup", z.region()).text("zoneType", "availability-zone").text("optInStatus", z.optInStatus())
                .list("messageSet", List.<String>of(), (y, m) -> { }));
    }
}
