package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.compute.InstanceQueryService;
import io.nubo.control.network.Topology;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeInstanceStatus: running instances (all with IncludeAllInstances), with their instance and system status. */
public record DescribeInstanceStatus(List<String> ids, List<Filter> filters, boolean includeAll, PageRequest page) implements Ec2Command {
    public static DescribeInstanceStatus parse(Params p) {
        p.bool("IncludeManagedResources");
        return new DescribeInstanceStatus(p.strings("InstanceId"), Inputs.filters(p), p.bool("IncludeAllInstances").orElse(false),
                Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().instanceQueries().status(c.caller(), ids, filters, includeAll, page);
        return o -> {
            o.list("instanceStatusSet", result.items(), (x, d) -> {
                var i = d.instance();
                x.text("instanceId", i.id()).text("availabilityZone", i.zone()).text("availabilityZoneId", Topology.zoneId(i.zone()));
                x.list("eventsSet", List.<String>of(), (y, e) -> { });
                Render.state(x, "instanceState", i.state());
                summary(x, "instanceStatus", i.state());
                summary(x, "systemStatus", i.state());
            });
            o.text("nextToken", result.nextToken());
        };
    }

    private static void summary(XmlOut o, String name, InstanceState s) {
        o.struct(name, () -> {
            o.text("status", InstanceQueryService.status(s));
            o.list("details", List.of(InstanceQueryService.reachability(s)), (x, r) -> x.text("name", "reachability").text("status", r));
        });
    }
}
