package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/** DescribeVolumes: by ID or all, with EC2's filters, in pages of 5 to 500 (not with IDs, as on EC2). */
public record DescribeVolumes(List<String> ids, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeVolumes parse(Params p) {
        p.bool("IncludeManagedResources");
        return new DescribeVolumes(p.strings("VolumeId"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().volumes().describe(c.caller(), ids, filters, page);
        return o -> {
            o.list("volumeSet", result.items(), VolumeXml::volume);
            o.text("nextToken", result.nextToken());
        };
    }
}
