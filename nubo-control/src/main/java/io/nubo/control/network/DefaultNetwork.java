package io.nubo.control.network;

import io.nubo.core.Ids;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.SecurityGroupRule;
import io.nubo.core.model.Subnet;
import io.nubo.core.model.Vpc;
import io.nubo.store.Store;

import java.time.Instant;

/**
 * What every account has from its creation, as on EC2: a default VPC, a default subnet in each
 * zone, and a security group named {@code default} that lets its members reach each other and
 * lets all traffic out. Stateless.
 */
public final class DefaultNetwork {
    public static final String DEFAULT_GROUP_DESCRIPTION = "default VPC security group";

    private DefaultNetwork() {
    }

    /** Creates the account's default network in the caller's transaction. */
    public static void create(Store s, String accountId, Instant now) {
        Vpc vpc = new Vpc(Ids.next(Ids.VPC), accountId, Topology.DEFAULT_VPC_CIDR, true, now);
        s.vpcs().insert(vpc);
        for (String zone : Topology.ZONES) {
            s.subnets().insert(new Subnet(Ids.next(Ids.SUBNET), accountId, vpc.id(), zone, Topology.defaultSubnetCidr(zone), true, now));
        }
        SecurityGroup g = new SecurityGroup(Ids.next(Ids.SECURITY_GROUP), accountId, vpc.id(), SecurityGroup.DEFAULT_NAME,
                DEFAULT_GROUP_DESCRIPTION, now);
        s.securityGroups().insert(g);
        s.securityGroupRules().insert(new SecurityGroupRule(Ids.next(Ids.SECURITY_GROUP_RULE), g.id(), false, "-1", null, null,
                null, null, g.id(), ""), now);
        s.securityGroupRules().insert(new SecurityGroupRule(Ids.next(Ids.SECURITY_GROUP_RULE), g.id(), true, "-1", null, null,
                "0.0.0.0/0", null, null, ""), now);
        s.events().append(now, accountId, vpc.id(), "vpc.created", null, "available", "default network");
    }
}
