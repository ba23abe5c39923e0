package io.nubo.api.ec2.action;

import io.nubo.api.ec2.xml.XmlOut;
import io.nubo.control.security.IpPermission;
import io.nubo.control.security.SecurityGroupDetails;
import io.nubo.core.model.SecurityGroupRule;

import java.util.List;

/** How security groups, their permissions and their rules are written. Stateless. */
final class GroupXml {
    private GroupXml() {
    }

    static void group(XmlOut o, SecurityGroupDetails d) {
        var g = d.group();
        o.text("ownerId", g.accountId()).text("groupId", g.id()).text("groupName", g.name()).text("groupDescription", g.description())
                .text("vpcId", g.vpcId());
        permissions(o, "ipPermissions", d.ingress());
        permissions(o, "ipPermissionsEgress", d.egress());
        Render.tagSet(o, d.tags());
    }

    static void permissions(XmlOut o, String name, List<IpPermission> permissions) {
        o.list(name, permissions, (x, p) -> {
            x.text("ipProtocol", p.protocol()).number("fromPort", p.fromPort()).number("toPort", p.toPort());
            x.list("groups", p.groups(), (y, g) -> y.text("userId", g.userId()).text("groupId", g.groupId()).text("description", g.description()));
            x.list("ipRanges", p.ipv4Ranges(), (y, r) -> y.text("cidrIp", r.cidr()).text("description", r.description()));
            x.list("ipv6Ranges", p.ipv6Ranges(), (y, r) -> y.text("cidrIpv6", r.cidr()).text("description", r.description()));
            x.list("prefixListIds", List.<String>of(), (y, r) -> { });
        });
    }

    static void rules(XmlOut o, String name, List<SecurityGroupRule> rules, String ownerId, boolean withOwner) {
        o.list(name, rules, (x, r) -> {
            x.text("securityGroupRuleId", r.id()).text("groupId", r.groupId());
            if (withOwner) {
                x.text("groupOwnerId", ownerId);
            }
            x.bool("isEgress", r.egress()).text("ipProtocol", r.protocol()).number("fromPort", r.fromPort()).number("toPort", r.toPort())
                    .text("cidrIpv4", r.cidrIpv4()).text("cidrIpv6", r.cidrIpv6());
            if (r.referencedGroupId() != null) {
                if (withOwner) {
                    x.struct("referencedGroupInfo", () -> x.text("groupId", r.referencedGroupId()).text("userId", ownerId));
                } else {
                    x.text("referencedGroupId", r.referencedGroupId());
                }
            }
            x.text("description", r.description() == null || r.description().isEmpty() ? null : r.description());
        });
    }
}
