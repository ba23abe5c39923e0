package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.security.GroupRef;
import io.nubo.control.security.IpPermission;

import java.util.List;

/** AuthorizeSecurityGroupEgress: adds outbound rules to a group named by ID, all or none. */
public record AuthorizeSecurityGroupEgress(GroupRef group, List<IpPermission> permissions) implements Ec2Command {
    public static AuthorizeSecurityGroupEgress parse(Params p) {
        Inputs.noTagSpecifications(p, "security group rules");
        return new AuthorizeSecurityGroupEgress(Permissions.group(p, false), Permissions.read(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var rules = c.services().securityGroups().authorize(c.caller(), group, true, permissions);
        return o -> GroupXml.rules(o.bool("return", true), "securityGroupRuleSet", rules, c.caller().accountId(), true);
    }
}
