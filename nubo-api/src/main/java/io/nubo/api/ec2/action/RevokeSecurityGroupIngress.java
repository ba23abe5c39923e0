package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.security.GroupRef;
import io.nubo.control.security.IpPermission;

import java.util.List;

/** RevokeSecurityGroupIngress: removes inbound rules, named as permissions or by rule ID; all must exist. */
public record RevokeSecurityGroupIngress(GroupRef group, List<IpPermission> permissions, List<String> ruleIds) implements Ec2Command {
    public static RevokeSecurityGroupIngress parse(Params p) {
        return new RevokeSecurityGroupIngress(Permissions.group(p, true), Permissions.read(p), p.strings("SecurityGroupRuleId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var rules = c.services().securityGroups().revoke(c.caller(), group, false, permissions, ruleIds);
        return o -> GroupXml.rules(o.bool("return", true), "revokedSecurityGroupRuleSet", rules, c.caller().accountId(), false);
    }
}
