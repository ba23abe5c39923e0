package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.List;

/** CreatePlacementGroup: a cluster, spread (host level) or partition group, with tags. */
public record CreatePlacementGroup(String name, String strategy, Integer partitionCount, String spreadLevel, List<Tag> tags)
        implements Ec2Command {
    public static CreatePlacementGroup parse(Params p) {
        for (String refused : List.of("LinkedGroupId", "Operator")) {
            if (p.string(refused).isPresent() || p.struct(refused).isPresent()) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not support the parameter %s", refused);
            }
        }
        return new CreatePlacementGroup(p.nonEmpty("GroupName").orElse(null), p.nonEmpty("Strategy").orElse(null),
                p.integer("PartitionCount").orElse(null), p.nonEmpty("SpreadLevel").orElse(null),
                Inputs.tagSpecifications(p, ResourceType.PLACEMENT_GROUP));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var created = c.services().placementGroups().create(c.caller(), name, strategy, partitionCount, spreadLevel, tags);
        return o -> o.struct("placementGroup", () -> PlacementGroupXml.write(o, created));
    }
}
