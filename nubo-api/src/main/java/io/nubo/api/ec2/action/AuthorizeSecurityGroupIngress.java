package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.security.GroupRef;
import io.nubo.control.security.IpPermission;

import java.util.List;

/** AuthorizeSecurityGroupIngress: adds inbound rules, all or none; a rule that exists is {@code InvalidPermission.Duplicate}. */
public record AuthorizeSecurityGroupIngress(GroupRef group, List<IpPermission> permissions) implements Ec2Command {
    public static AuthorizeSecurityGroupIngress parse(Params p) {
        Inputs.noTagSpecifications(p, "security group rules");
        return new AuthorizeSecurityGroupIngress(Permissions.group(p, true), Permissions.read(p));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var rules = c.services().securityGroups().authorize(c.caller(), group, false, permissions);
        return o -> GroupXml.rules(o.bool("return", true), "securityGroupRuleSet", rules, c.caller().accountId(), true);
    }
}
