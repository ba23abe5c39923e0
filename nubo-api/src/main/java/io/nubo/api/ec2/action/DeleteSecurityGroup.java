package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.security.GroupRef;

/** DeleteSecurityGroup: not the default group, nor one an instance or another group's rule uses. */
public record DeleteSecurityGroup(GroupRef group) implements Ec2Command {
    public static DeleteSecurityGroup parse(Params p) {
        return new DeleteSecurityGroup(new GroupRef(p.nonEmpty("GroupId"), p.nonEmpty("GroupName")));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        String id = c.services().securityGroups().delete(c.caller(), group);
        return o -> o.bool("return", true).text("groupId", id);
    }
}
