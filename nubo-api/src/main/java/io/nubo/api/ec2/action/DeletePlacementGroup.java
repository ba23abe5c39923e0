package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

/** DeletePlacementGroup: by name; one that still has instances (not terminated) is {@code InvalidPlacementGroup.InUse}. */
public record DeletePlacementGroup(String name) implements Ec2Command {
    public static DeletePlacementGroup parse(Params p) {
        return new DeletePlacementGroup(p.nonEmpty("GroupName").orElse(null));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().placementGroups().delete(c.caller(), name);
        return o -> o.bool("return", true);
    }
}
