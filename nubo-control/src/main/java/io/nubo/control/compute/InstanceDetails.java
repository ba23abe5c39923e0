package io.nubo.control.compute;

import io.nubo.core.model.Instance;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Tag;
import io.nubo.core.model.VolumeAttachment;
import io.nubo.store.PlacementGroups;

import java.util.List;

/**
 * An instance as EC2 describes it: with its tags, its security groups, its VPC and subnet, and its
 * private IPv4 address (null once it is terminated, or for an instance older than addresses), and
 * its placement group with its partition (null when it is in none), and its block devices: its root
 * volume first (once placed), then its attached volumes by device.
 */
public record InstanceDetails(Instance instance, List<Tag> tags, List<SecurityGroup> groups, String vpcId, String subnetId,
                              String privateIpAddress, PlacementGroups.Membership placementGroup, List<VolumeAttachment> blockDevices) {
}
