package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;

import java.util.List;

/** An instance as EC2 describes it: with its tags, its security groups, and its VPC and subnet. */
public record InstanceDetails(Instance instance, List<Tag> tags, List<SecurityGroup> groups, String vpcId, String subnetId) {
}
