package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.network.Topology;
import io.nubo.control.placement.PlacementGroupService;
import io.nubo.core.model.PlacementGroup;

/** A placement group as EC2's {@code PlacementGroup} shape writes it. Stateless. */
final class PlacementGroupXml {
    private PlacementGroupXml() {
    }

    static void write(XmlOut o, PlacementGroupService.GroupDetails d) {
        PlacementGroup g = d.group();
        o.text("groupName", g.name()).text("state", "available").text("strategy", g.strategy().apiName());
        if (g.strategy() == PlacementGroup.Strategy.PARTITION) {
            o.number("partitionCount", g.partitionCount());
        }
        o.text("groupId", g.id());
        Render.tagSet(o, d.tags());
        o.text("groupArn", "arn:aws:ec2:" + Topology.REGION + ":" + g.accountId() + ":placement-group/" + g.name());
        if (g.strategy() == PlacementGroup.Strategy.SPREAD) {
            o.text("spreadLevel", "host");
        }
    }
}
