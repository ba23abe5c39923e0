package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.Tag;

import java.util.List;

/** CreateTags: sets tags on instances, images, security groups, VPCs, subnets and key pairs; all or none. */
public record CreateTags(List<String> resourceIds, List<Tag> tags) implements Ec2Command {
    public static CreateTags parse(Params p) {
        return new CreateTags(p.strings("ResourceId"), Inputs.tags(p, "Tag"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().tags().create(c.caller(), resourceIds, tags);
        return Ec2Reply.TRUE;
    }
}
