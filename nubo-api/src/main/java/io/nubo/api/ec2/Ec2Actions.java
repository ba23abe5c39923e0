package io.nubo.api.ec2;

import io.nubo.api.ec2.action.AuthorizeSecurityGroupEgress;
import io.nubo.api.ec2.action.AuthorizeSecurityGroupIngress;
import io.nubo.api.ec2.action.CreateKeyPair;
import io.nubo.api.ec2.action.CreatePlacementGroup;
import io.nubo.api.ec2.action.CreateSecurityGroup;
import io.nubo.api.ec2.action.CreateTags;
import io.nubo.api.ec2.action.DeleteKeyPair;
import io.nubo.api.ec2.action.DeletePlacementGroup;
import io.nubo.api.ec2.action.DeleteSecurityGroup;
import io.nubo.api.ec2.action.DeleteTags;
import io.nubo.api.ec2.action.DeregisterImage;
import io.nubo.api.ec2.action.DescribeAccountAttributes;
import io.nubo.api.ec2.action.DescribeAvailabilityZones;
import io.nubo.api.ec2.action.DescribeImageAttribute;
import io.nubo.api.ec2.action.DescribeImages;
import io.nubo.api.ec2.action.DescribeInstanceAttribute;
import io.nubo.api.ec2.action.DescribeInstanceStatus;
import io.nubo.api.ec2.action.DescribeInstanceTypes;
import io.nubo.api.ec2.action.DescribeInstances;
import io.nubo.api.ec2.action.DescribeKeyPairs;
import io.nubo.api.ec2.action.DescribePlacementGroups;
import io.nubo.api.ec2.action.DescribeRegions;
import io.nubo.api.ec2.action.DescribeSecurityGroups;
import io.nubo.api.ec2.action.DescribeSubnets;
import io.nubo.api.ec2.action.DescribeTags;
import io.nubo.api.ec2.action.DescribeVpcs;
import io.nubo.api.ec2.action.GetConsoleOutput;
import io.nubo.api.ec2.action.ImportKeyPair;
import io.nubo.api.ec2.action.ModifyImageAttribute;
import io.nubo.api.ec2.action.ModifyInstanceAttribute;
import io.nubo.api.ec2.action.RebootInstances;
import io.nubo.api.ec2.action.RegisterImage;
import io.nubo.api.ec2.action.CreateImage;
import io.nubo.api.ec2.action.CopyImage;
import io.nubo.api.ec2.action.ResetImageAttribute;
import io.nubo.api.ec2.action.RevokeSecurityGroupEgress;
import io.nubo.api.ec2.action.RevokeSecurityGroupIngress;
import io.nubo.api.ec2.action.RunInstances;
import io.nubo.api.ec2.action.StartInstances;
import io.nubo.api.ec2.action.StopInstances;
import io.nubo.api.ec2.action.TerminateInstances;
import io.nubo.api.ec2.action.AttachVolume;
import io.nubo.api.ec2.action.CopySnapshot;
import io.nubo.api.ec2.action.CreateSnapshot;
import io.nubo.api.ec2.action.CreateVolume;
import io.nubo.api.ec2.action.DeleteSnapshot;
import io.nubo.api.ec2.action.DeleteVolume;
import io.nubo.api.ec2.action.DescribeSnapshots;
import io.nubo.api.ec2.action.DescribeVolumes;
import io.nubo.api.ec2.action.DescribeVolumesModifications;
import io.nubo.api.ec2.action.DetachVolume;
import io.nubo.api.ec2.action.ModifyVolume;
import io.nubo.api.ec2.query.Params;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The single table of EC2 actions: each name maps to the parser of its typed command.
 * {@code docs/ec2-compatibility.md} lists the same actions with their parameters and filters.
 */
public final class Ec2Actions {
    private static final Map<String, Function<Params, ? extends Ec2Command>> TABLE = table();

    private Ec2Actions() {
    }

    private static Map<String, Function<Params, ? extends Ec2Command>> table() {
        Map<String, Function<Params, ? extends Ec2Command>> t = new TreeMap<>();
        // Regions and zones
        t.put("DescribeRegions", DescribeRegions::parse);
        t.put("DescribeAvailabilityZones", DescribeAvailabilityZones::parse);
        t.put("DescribeAccountAttributes", DescribeAccountAttributes::parse);
        // Types and images
        t.put("DescribeInstanceTypes", DescribeInstanceTypes::parse);
        t.put("DescribeImages", DescribeImages::parse);
        t.put("DeregisterImage", DeregisterImage::parse);
        t.put("RegisterImage", RegisterImage::parse);
        t.put("CreateImage", CreateImage::parse);
        t.put("CopyImage", CopyImage::parse);
        t.put("ModifyImageAttribute", ModifyImageAttribute::parse);
        t.put("DescribeImageAttribute", DescribeImageAttribute::parse);
        t.put("ResetImageAttribute", ResetImageAttribute::parse);
        // Instances
        t.put("RunInstances", RunInstances::parse);
        t.put("DescribeInstances", DescribeInstances::parse);
        t.put("DescribeInstanceStatus", DescribeInstanceStatus::parse);
        t.put("StartInstances", StartInstances::parse);
        t.put("StopInstances", StopInstances::parse);
        t.put("RebootInstances", RebootInstances::parse);
        t.put("TerminateInstances", TerminateInstances::parse);
        t.put("GetConsoleOutput", GetConsoleOutput::parse);
        t.put("ModifyInstanceAttribute", ModifyInstanceAttribute::parse);
        t.put("DescribeInstanceAttribute", DescribeInstanceAttribute::parse);
        // Key pairs
        t.put("CreateKeyPair", CreateKeyPair::parse);
        t.put("ImportKeyPair", ImportKeyPair::parse);
        t.put("DescribeKeyPairs", DescribeKeyPairs::parse);
        t.put("DeleteKeyPair", DeleteKeyPair::parse);
        // Placement groups
        t.put("CreatePlacementGroup", CreatePlacementGroup::parse);
        t.put("DescribePlacementGroups", DescribePlacementGroups::parse);
        t.put("DeletePlacementGroup", DeletePlacementGroup::parse);
        // Security groups
        t.put("CreateSecurityGroup", CreateSecurityGroup::parse);
        t.put("DescribeSecurityGroups", DescribeSecurityGroups::parse);
        t.put("DeleteSecurityGroup", DeleteSecurityGroup::parse);
        t.put("AuthorizeSecurityGroupIngress", AuthorizeSecurityGroupIngress::parse);
        t.put("AuthorizeSecurityGroupEgress", AuthorizeSecurityGroupEgress::parse);
        t.put("RevokeSecurityGroupIngress", RevokeSecurityGroupIngress::parse);
        t.put("RevokeSecurityGroupEgress", RevokeSecurityGroupEgress::parse);
        // Tags and networks
        t.put("CreateTags", CreateTags::parse);
        t.put("DeleteTags", DeleteTags::parse);
        t.put("DescribeTags", DescribeTags::parse);
        t.put("DescribeVpcs", DescribeVpcs::parse);
        t.put("DescribeSubnets", DescribeSubnets::parse);
        // Volumes
        t.put("CreateVolume", CreateVolume::parse);
        t.put("DescribeVolumes", DescribeVolumes::parse);
        t.put("DeleteVolume", DeleteVolume::parse);
        t.put("AttachVolume", AttachVolume::parse);
        t.put("DetachVolume", DetachVolume::parse);
        t.put("ModifyVolume", ModifyVolume::parse);
        t.put("DescribeVolumesModifications", DescribeVolumesModifications::parse);
        // Snapshots
        t.put("CreateSnapshot", CreateSnapshot::parse);
        t.put("DescribeSnapshots", DescribeSnapshots::parse);
        t.put("DeleteSnapshot", DeleteSnapshot::parse);
        t.put("CopySnapshot", CopySnapshot::parse);
        return Map.copyOf(t);
    }

    public static Optional<Function<Params, ? extends Ec2Command>> parser(String action) {
        return Optional.ofNullable(TABLE.get(action));
    }

    public static Set<String> names() {
        return new java.util.TreeSet<>(TABLE.keySet());
    }
}
