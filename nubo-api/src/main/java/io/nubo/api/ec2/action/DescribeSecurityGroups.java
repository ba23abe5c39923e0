package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeSecurityGroups: by ID, name (in the default VPC) and filters, in pages of 5 to 1000. */
public record DescribeSecurityGroups(List<String> ids, List<String> names, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeSecurityGroups parse(Params p) {
        return new DescribeSecurityGroups(p.strings("GroupId"), p.strings("GroupName"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().securityGroups().describe(c.caller(), ids, names, filters, page);
        return o -> {
            o.list("securityGroupInfo", result.items(), GroupXml::group);
            o.text("nextToken", result.nextToken());
        };
    }
}
