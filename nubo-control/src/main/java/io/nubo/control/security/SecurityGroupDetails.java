package io.nubo.control.security;

import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;

import java.util.List;

/** A security group as callers see it: its rules as EC2 permissions, in and out, and its tags. */
public record SecurityGroupDetails(SecurityGroup group, List<IpPermission> ingress, List<IpPermission> egress, List<Tag> tags) {
}
