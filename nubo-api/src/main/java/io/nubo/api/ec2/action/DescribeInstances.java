package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.compute.InstanceDetails;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** DescribeInstances: by InstanceId and filters, in pages of instances grouped by reservation. */
public record DescribeInstances(List<String> ids, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeInstances parse(Params p) {
        p.bool("IncludeManagedResources");
        return new DescribeInstances(p.strings("InstanceId"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().instanceQueries().describe(c.caller(), ids, filters, page);
        Map<String, List<InstanceDetails>> byReservation = new LinkedHashMap<>();
        for (InstanceDetails d : result.items()) {
            byReservation.computeIfAbsent(d.instance().reservationId(), r -> new ArrayList<>()).add(d);
        }
        return o -> {
            o.list("reservationSet", byReservation.entrySet(), (x, e) -> {
                x.text("reservationId", e.getKey()).text("ownerId", e.getValue().get(0).instance().accountId());
                x.list("groupSet", List.<String>of(), (y, g) -> { });
                x.list("instancesSet", e.getValue(), Render::instance);
            });
            o.text("nextToken", result.nextToken());
        };
    }
}
