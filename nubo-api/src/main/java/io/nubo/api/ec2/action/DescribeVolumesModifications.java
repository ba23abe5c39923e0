package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.PageRequest;

import java.util.List;

/**
 * DescribeVolumesModifications: the last modification of each of the caller's volumes that was
 * ever modified (what Terraform waits on after a resize), by ID or all, filtered, in pages.
 */
public record DescribeVolumesModifications(List<String> ids, List<Filter> filters, PageRequest page) implements Ec2Command {
    public static DescribeVolumesModifications parse(Params p) {
        return new DescribeVolumesModifications(p.strings("VolumeId"), Inputs.filters(p), Inputs.page(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().volumes().modifications(c.caller(), ids, filters, page);
        return o -> {
            o.list("volumeModificationSet", result.items(), VolumeXml::modificationMembers);
            o.text("nextToken", result.nextToken());
        };
    }
}
