package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;

import java.util.List;

/** DescribePlacementGroups: the caller's groups, by name, ID and filters (not paginated, as on EC2). */
public record DescribePlacementGroups(List<String> names, List<String> ids, List<Filter> filters) implements Ec2Command {
    public static DescribePlacementGroups parse(Params p) {
        return new DescribePlacementGroups(p.strings("GroupName"), p.strings("GroupId"), Inputs.filters(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var groups = c.services().placementGroups().describe(c.caller(), names, ids, filters);
        return o -> o.list("placementGroupSet", groups, PlacementGroupXml::write);
    }
}
