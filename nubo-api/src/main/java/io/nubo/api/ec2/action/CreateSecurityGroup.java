package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.List;
import java.util.Optional;

/** CreateSecurityGroup: in the default VPC unless {@code VpcId} names another of the caller's. */
public record CreateSecurityGroup(String name, String description, Optional<String> vpcId, List<Tag> tags) implements Ec2Command {
    public static CreateSecurityGroup parse(Params p) {
        return new CreateSecurityGroup(p.required("GroupName"), p.required("GroupDescription"), p.nonEmpty("VpcId"),
                Inputs.tagSpecifications(p, ResourceType.SECURITY_GROUP));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var d = c.services().securityGroups().create(c.caller(), name, description, vpcId, tags);
        return o -> {
            o.bool("return", true).text("groupId", d.group().id());
            Render.tagSet(o, d.tags());
        };
    }
}
