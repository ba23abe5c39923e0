package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.Ids;
import io.nubo.core.model.Image;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two tenants: for every EC2 action, tenant B naming tenant A's resources gets "not found" (never
 * "forbidden"), lists show none of A's resources, and nothing of A's changes. The table of checks
 * must cover every action of {@link Ec2Actions}.
 */
class Ec2IsolationTest {
    static final String PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMS4ckprGdZRwJy4JMCMzz3o8M3cg5BDmXpwCwj4Ne88 test";

    /** A fingerprint of everything account {@code id} owns. */
    static String accountSnapshot(TestCloud cloud, String id) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("""
                SELECT (SELECT coalesce(string_agg(id || state || instance_type || coalesce(name, '') || reboot_generation, ',' ORDER BY id), '')
                          FROM instances WHERE account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(id || name, ',' ORDER BY id), '') FROM security_groups WHERE account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(r.id, ',' ORDER BY r.id), '') FROM security_group_rules r
                          JOIN security_groups g ON g.id = r.group_id WHERE g.account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(resource_id || key || value, ',' ORDER BY resource_id, key), '') FROM tags WHERE account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(id || name, ',' ORDER BY id), '') FROM key_pairs WHERE account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(id || state, ',' ORDER BY id), '') FROM images WHERE owner_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(v.id || v.state || v.size_gib || coalesce(a.instance_id || a.state, ''), ',' ORDER BY v.id), '')
                          FROM volumes v LEFT JOIN volume_attachments a ON a.volume_id = v.id WHERE v.account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(id || state, ',' ORDER BY id), '') FROM snapshots WHERE account_id = :a) || '/' ||
                       (SELECT coalesce(string_agg(id || name, ',' ORDER BY id), '') FROM placement_groups WHERE account_id = :a)""")
                .bind("a", id).mapTo(String.class).one());
    }

    @Test
    void noActionLetsOneTenantSeeOrTouchAnothersResources() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey keyA = cloud.tenant("tenant-a");
            NewAccessKey keyB = cloud.tenant("tenant-b");
            try (Ec2Client a = Ec2Sdk.client(cloud, keyA); Ec2Client b = Ec2Sdk.client(cloud, keyB)) {
                String image = Ids.next(Ids.IMAGE);
                cloud.db.inTransaction(s -> {
                    s.images().insert(new Image(image, "a-private", "", keyA.accountId(), false, "available", "qcow2", "/a.qcow2", "x86_64",
                            Instant.now()));
                    return null;
                });
                String key = a.createKeyPair(r -> r.keyName("a-key")).keyPairId();
                String group = a.createSecurityGroup(r -> r.groupName("a-group").description("A's")).groupId();
                String rule = a.authorizeSecurityGroupIngress(r -> r.groupId(group).ipPermissions(tcpFrom("10.0.0.0/8")))
                        .securityGroupRules().get(0).securityGroupRuleId();
                String vpc = a.describeVpcs().vpcs().get(0).vpcId();
                String subnet = a.describeSubnets().subnets().get(0).subnetId();
                String instance = a.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).keyName("a-key").securityGroupIds(group)
                        .clientToken("shared-token").tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE)
                                .tags(x -> x.key("owner").value("a")))).instances().get(0).instanceId();
                Ec2Sdk.waiter(a).waitUntilInstanceRunning(r -> r.instanceIds(instance));
                String volume = a.createVolume(r -> r.availabilityZone("nubo-1a").size(1)).volumeId();
                Ec2Sdk.waiter(a).waitUntilVolumeAvailable(r -> r.volumeIds(volume));
                a.attachVolume(r -> r.volumeId(volume).instanceId(instance).device("/dev/sdf"));
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> a.describeVolumes(r -> r.volumeIds(volume))
                        .volumes().get(0).attachments().get(0).stateAsString().equals("attached"));
                a.modifyVolume(r -> r.volumeId(volume).volumeType("gp2"));
                String snapshot = a.createSnapshot(r -> r.volumeId(volume)).snapshotId();
                Ec2Sdk.waiter(a).waitUntilSnapshotCompleted(r -> r.snapshotIds(snapshot));
                a.createTags(r -> r.resources(group, key, vpc, subnet, image, volume).tags(x -> x.key("owner").value("a")));
                String placementGroup = a.createPlacementGroup(r -> r.groupName("a-pg").strategy("spread")).placementGroup().groupId();
                a.createPlacementGroup(r -> r.groupName("a-only-pg").strategy("cluster"));
                String before = accountSnapshot(cloud, keyA.accountId());
                Tag tag = Tag.builder().key("evil").value("b").build();

                Map<String, Executable> checks = new LinkedHashMap<>();
                checks.put("DescribeInstances", () -> {
                    notFound("InvalidInstanceID.NotFound", () -> b.describeInstances(r -> r.instanceIds(instance)));
                    assertThat(b.describeInstances(r -> r.filters(f -> f.name("instance-id").values(instance))).reservations()).isEmpty();
                    assertThat(b.describeInstances().toString()).doesNotContain(instance).doesNotContain(keyA.accountId());
                });
                checks.put("DescribeInstanceStatus", () -> {
                    notFound("InvalidInstanceID.NotFound", () -> b.describeInstanceStatus(r -> r.instanceIds(instance)));
                    assertThat(b.describeInstanceStatus(r -> r.includeAllInstances(true)).instanceStatuses()).isEmpty();
                });
                checks.put("StartInstances", () -> notFound("InvalidInstanceID.NotFound", () -> b.startInstances(r -> r.instanceIds(instance))));
                checks.put("StopInstances", () -> notFound("InvalidInstanceID.NotFound", () -> b.stopInstances(r -> r.instanceIds(instance))));
                checks.put("RebootInstances", () -> notFound("InvalidInstanceID.NotFound", () -> b.rebootInstances(r -> r.instanceIds(instance))));
                checks.put("TerminateInstances", () -> notFound("InvalidInstanceID.NotFound",
                        () -> b.terminateInstances(r -> r.instanceIds(instance))));
                checks.put("GetConsoleOutput", () -> notFound("InvalidInstanceID.NotFound", () -> b.getConsoleOutput(r -> r.instanceId(instance))));
                checks.put("ModifyInstanceAttribute", () -> notFound("InvalidInstanceID.NotFound",
                        () -> b.modifyInstanceAttribute(r -> r.instanceId(instance).instanceType(v -> v.value("t3.small")))));
                checks.put("DescribeInstanceAttribute", () -> notFound("InvalidInstanceID.NotFound",
                        () -> b.describeInstanceAttribute(r -> r.instanceId(instance).attribute(InstanceAttributeName.USER_DATA))));
                checks.put("RunInstances", () -> {
                    notFound("InvalidAMIID.NotFound", () -> b.runInstances(r -> r.imageId(image).minCount(1).maxCount(1)));
                    notFound("InvalidGroup.NotFound", () -> b.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).securityGroupIds(group)));
                    notFound("InvalidKeyPair.NotFound", () -> b.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).keyName("a-key")));
                    notFound("InvalidSubnetID.NotFound", () -> b.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).subnetId(subnet)));
                    var own = b.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).clientToken("shared-token"));
                    assertThat(own.ownerId()).as("tokens are per account").isEqualTo(keyB.accountId());
                    assertThat(own.instances().get(0).instanceId()).isNotEqualTo(instance);
                });
                checks.put("DescribeImages", () -> {
                    notFound("InvalidAMIID.NotFound", () -> b.describeImages(r -> r.imageIds(image)));
                    assertThat(b.describeImages(r -> r.owners(keyA.accountId())).images()).isEmpty();
                    assertThat(b.describeImages().toString()).doesNotContain(image);
                });
                checks.put("DeregisterImage", () -> notFound("InvalidAMIID.NotFound", () -> b.deregisterImage(r -> r.imageId(image))));
                checks.put("RegisterImage", () -> assertThat(Ec2Sdk.fails("InvalidParameterValue", () -> b.registerImage(r -> r.name("a-private")
                        .imageLocation("http://127.0.0.1:9/a.qcow2"))).getMessage()).doesNotContain("a-private").contains("private"));
                checks.put("ModifyImageAttribute", () -> notFound("InvalidAMIID.NotFound", () -> b.modifyImageAttribute(r -> r.imageId(image)
                        .launchPermission(l -> l.add(p -> p.userId(keyB.accountId()))))));
                checks.put("DescribeImageAttribute", () -> notFound("InvalidAMIID.NotFound", () -> b.describeImageAttribute(r -> r.imageId(image)
                        .attribute(software.amazon.awssdk.services.ec2.model.ImageAttributeName.LAUNCH_PERMISSION))));
                checks.put("ResetImageAttribute", () -> notFound("InvalidAMIID.NotFound", () -> b.resetImageAttribute(r -> r.imageId(image)
                        .attribute(software.amazon.awssdk.services.ec2.model.ResetImageAttributeName.LAUNCH_PERMISSION))));
                checks.put("CreateImage", () -> notFound("InvalidInstanceID.NotFound", () -> b.createImage(r -> r.instanceId(instance)
                        .name("b-from-a").noReboot(true))));
                checks.put("CopyImage", () -> notFound("InvalidAMIID.NotFound", () -> b.copyImage(r -> r.sourceImageId(image)
                        .sourceRegion("nubo-1").name("b-copy-of-a"))));
                checks.put("DescribeInstanceTypes", () -> assertThat(b.describeInstanceTypes(r -> { }).toString()).doesNotContain(keyA.accountId()));
                checks.put("DescribeRegions", () -> assertThat(b.describeRegions().regions()).hasSize(1));
                checks.put("DescribeAvailabilityZones", () -> assertThat(b.describeAvailabilityZones().availabilityZones()).hasSize(1));
                checks.put("DescribeAccountAttributes", () -> assertThat(b.describeAccountAttributes().toString()).doesNotContain(vpc));
                checks.put("CreateKeyPair", () -> assertThat(b.createKeyPair(r -> r.keyName("a-key")).keyPairId()).as("names are per account")
                        .isNotEqualTo(key));
                checks.put("ImportKeyPair", () -> assertThat(b.importKeyPair(r -> r.keyName("b-imported")
                        .publicKeyMaterial(SdkBytes.fromString(PUBLIC_KEY, StandardCharsets.UTF_8))).keyPairId()).isNotEqualTo(key));
                checks.put("DescribeKeyPairs", () -> {
                    notFound("InvalidKeyPair.NotFound", () -> b.describeKeyPairs(r -> r.keyPairIds(key)));
                    assertThat(b.describeKeyPairs().toString()).doesNotContain(key);
                });
                checks.put("DeleteKeyPair", () -> notFound("InvalidKeyPair.NotFound", () -> b.deleteKeyPair(r -> r.keyPairId(key))));
                checks.put("CreatePlacementGroup", () -> assertThat(b.createPlacementGroup(r -> r.groupName("a-pg").strategy("cluster"))
                        .placementGroup().groupId()).as("names are per account").isNotEqualTo(placementGroup));
                checks.put("DescribePlacementGroups", () -> {
                    notFound("InvalidPlacementGroup.Unknown", () -> b.describePlacementGroups(r -> r.groupIds(placementGroup)));
                    notFound("InvalidPlacementGroup.Unknown", () -> b.describePlacementGroups(r -> r.groupNames("a-only-pg")));
                    assertThat(b.describePlacementGroups().toString()).doesNotContain(placementGroup).doesNotContain("a-only-pg");
                });
                checks.put("DeletePlacementGroup", () -> notFound("InvalidPlacementGroup.Unknown",
                        () -> b.deletePlacementGroup(r -> r.groupName("a-only-pg"))));
                checks.put("RunInstances/placement-group", () -> notFound("InvalidPlacementGroup.Unknown",
                        () -> b.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1).placement(p -> p.groupId(placementGroup)))));
                checks.put("CreateTags/placement-group", () -> notFound("InvalidPlacementGroup.Unknown",
                        () -> b.createTags(r -> r.resources(placementGroup).tags(Tag.builder().key("k").value("v").build()))));
                checks.put("CreateSecurityGroup", () -> notFound("InvalidVpcID.NotFound",
                        () -> b.createSecurityGroup(r -> r.groupName("x").description("x").vpcId(vpc))));
                checks.put("DescribeSecurityGroups", () -> {
                    notFound("InvalidGroup.NotFound", () -> b.describeSecurityGroups(r -> r.groupIds(group)));
                    notFound("InvalidGroup.NotFound", () -> b.describeSecurityGroups(r -> r.groupNames("a-group")));
                    assertThat(b.describeSecurityGroups().toString()).doesNotContain(group).doesNotContain(keyA.accountId());
                });
                checks.put("DeleteSecurityGroup", () -> notFound("InvalidGroup.NotFound", () -> b.deleteSecurityGroup(r -> r.groupId(group))));
                checks.put("AuthorizeSecurityGroupIngress", () -> {
                    notFound("InvalidGroup.NotFound", () -> b.authorizeSecurityGroupIngress(r -> r.groupId(group).ipPermissions(tcpFrom("0.0.0.0/0"))));
                    notFound("InvalidGroup.NotFound", () -> b.authorizeSecurityGroupIngress(r -> r.groupName("default").ipPermissions(
                            IpPermission.builder().ipProtocol("-1").userIdGroupPairs(p -> p.groupId(group)).build())));
                });
                checks.put("AuthorizeSecurityGroupEgress", () -> notFound("InvalidGroup.NotFound",
                        () -> b.authorizeSecurityGroupEgress(r -> r.groupId(group).ipPermissions(tcpFrom("0.0.0.0/0")))));
                checks.put("RevokeSecurityGroupIngress", () -> {
                    notFound("InvalidGroup.NotFound", () -> b.revokeSecurityGroupIngress(r -> r.groupId(group).ipPermissions(tcpFrom("10.0.0.0/8"))));
                    notFound("InvalidSecurityGroupRuleId.NotFound", () -> b.revokeSecurityGroupIngress(r -> r.groupName("default")
                            .securityGroupRuleIds(rule)));
                });
                checks.put("RevokeSecurityGroupEgress", () -> notFound("InvalidGroup.NotFound",
                        () -> b.revokeSecurityGroupEgress(r -> r.groupId(group).ipPermissions(tcpFrom("0.0.0.0/0")))));
                checks.put("CreateTags", () -> {
                    notFound("InvalidInstanceID.NotFound", () -> b.createTags(r -> r.resources(instance).tags(tag)));
                    notFound("InvalidGroup.NotFound", () -> b.createTags(r -> r.resources(group).tags(tag)));
                    notFound("InvalidKeyPair.NotFound", () -> b.createTags(r -> r.resources(key).tags(tag)));
                    notFound("InvalidVpcID.NotFound", () -> b.createTags(r -> r.resources(vpc).tags(tag)));
                    notFound("InvalidSubnetID.NotFound", () -> b.createTags(r -> r.resources(subnet).tags(tag)));
                    notFound("InvalidAMIID.NotFound", () -> b.createTags(r -> r.resources(image).tags(tag)));
                    notFound("InvalidVolume.NotFound", () -> b.createTags(r -> r.resources(volume).tags(tag)));
                });
                checks.put("DeleteTags", () -> {
                    notFound("InvalidInstanceID.NotFound", () -> b.deleteTags(r -> r.resources(instance)));
                    notFound("InvalidGroup.NotFound", () -> b.deleteTags(r -> r.resources(group)));
                    notFound("InvalidAMIID.NotFound", () -> b.deleteTags(r -> r.resources(image)));
                });
                checks.put("DescribeTags", () -> {
                    assertThat(b.describeTags(r -> r.filters(f -> f.name("resource-id").values(instance, group, key, vpc, subnet, image, volume))).tags())
                            .isEmpty();
                    assertThat(b.describeTags(r -> r.filters(f -> f.name("key").values("owner"))).tags()).isEmpty();
                });
                checks.put("DescribeVpcs", () -> {
                    notFound("InvalidVpcID.NotFound", () -> b.describeVpcs(r -> r.vpcIds(vpc)));
                    assertThat(b.describeVpcs().toString()).doesNotContain(vpc);
                });
                checks.put("DescribeSubnets", () -> {
                    notFound("InvalidSubnetID.NotFound", () -> b.describeSubnets(r -> r.subnetIds(subnet)));
                    assertThat(b.describeSubnets().toString()).doesNotContain(subnet);
                });

                checks.put("CreateVolume", () -> {
                    notFound("InvalidParameterValue", () -> b.createVolume(r -> r.availabilityZone("nubo-1a").size(1)
                            .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(tag))));
                    String own = b.createVolume(r -> r.availabilityZone("nubo-1a").size(1)).volumeId();
                    assertThat(own).isNotEqualTo(volume);
                });
                checks.put("DescribeVolumes", () -> {
                    notFound("InvalidVolume.NotFound", () -> b.describeVolumes(r -> r.volumeIds(volume)));
                    assertThat(b.describeVolumes(r -> r.filters(f -> f.name("attachment.instance-id").values(instance))).volumes()).isEmpty();
                    assertThat(b.describeVolumes().toString()).doesNotContain(volume).doesNotContain(instance);
                });
                checks.put("DeleteVolume", () -> notFound("InvalidVolume.NotFound", () -> b.deleteVolume(r -> r.volumeId(volume))));
                checks.put("AttachVolume", () -> {
                    notFound("InvalidVolume.NotFound", () -> b.attachVolume(r -> r.volumeId(volume).instanceId(instance).device("/dev/sdg")));
                    String own = b.describeVolumes().volumes().get(0).volumeId();
                    notFound("InvalidInstanceID.NotFound", () -> b.attachVolume(r -> r.volumeId(own).instanceId(instance).device("/dev/sdg")));
                });
                checks.put("DetachVolume", () -> {
                    notFound("InvalidVolume.NotFound", () -> b.detachVolume(r -> r.volumeId(volume)));
                    notFound("InvalidVolume.NotFound", () -> b.detachVolume(r -> r.volumeId(volume).instanceId(instance).force(true)));
                });
                checks.put("ModifyVolume", () -> notFound("InvalidVolume.NotFound", () -> b.modifyVolume(r -> r.volumeId(volume).size(2))));
                checks.put("DescribeVolumesModifications", () -> {
                    notFound("InvalidVolume.NotFound", () -> b.describeVolumesModifications(r -> r.volumeIds(volume)));
                    assertThat(b.describeVolumesModifications(r -> { }).toString()).doesNotContain(volume);
                });
                checks.put("CreateSnapshot", () -> notFound("InvalidVolume.NotFound", () -> b.createSnapshot(r -> r.volumeId(volume))));
                checks.put("DescribeSnapshots", () -> {
                    notFound("InvalidSnapshot.NotFound", () -> b.describeSnapshots(r -> r.snapshotIds(snapshot)));
                    assertThat(b.describeSnapshots(r -> r.filters(f -> f.name("volume-id").values(volume))).snapshots()).isEmpty();
                    assertThat(b.describeSnapshots(r -> r.ownerIds(keyA.accountId())).snapshots()).isEmpty();
                    assertThat(b.describeSnapshots(r -> { }).toString()).doesNotContain(snapshot).doesNotContain(volume);
                });
                checks.put("DeleteSnapshot", () -> notFound("InvalidSnapshot.NotFound", () -> b.deleteSnapshot(r -> r.snapshotId(snapshot))));
                checks.put("CopySnapshot", () -> notFound("InvalidSnapshot.NotFound", () -> b.copySnapshot(r -> r.sourceSnapshotId(snapshot)
                        .sourceRegion("nubo-1").presignedUrl("https://unused.invalid/"))));
                // A volume from another's snapshot: the snapshot is not found.
                checks.put("CreateVolume/snapshot", () -> notFound("InvalidSnapshot.NotFound", () -> b.createVolume(r -> r.availabilityZone("nubo-1a")
                        .snapshotId(snapshot))));
                assertThat(checks.keySet().stream().filter(k -> !k.contains("/")).toList()).as("every action has an isolation check")
                        .containsExactlyInAnyOrderElementsOf(Ec2Actions.names());
                for (Map.Entry<String, Executable> check : checks.entrySet()) {
                    try {
                        check.getValue().execute();
                    } catch (Throwable t) {
                        throw new AssertionError(check.getKey() + ": " + t.getMessage(), t);
                    }
                    assertThat(accountSnapshot(cloud, keyA.accountId())).as("A unchanged after B's %s", check.getKey()).isEqualTo(before);
                }
                try (Ec2Client admin = Ec2Sdk.client(cloud, cloud.admin)) {
                    notFound("InvalidInstanceID.NotFound", () -> admin.describeInstances(r -> r.instanceIds(instance)));
                }
                assertThat(a.describeInstances(r -> r.instanceIds(instance)).reservations().get(0).instances().get(0).state().code()).isEqualTo(16);
                assertThat(a.describeKeyPairs(r -> r.keyPairIds(key)).keyPairs()).hasSize(1);
            }
        }
    }

    static IpPermission tcpFrom(String cidr) {
        return IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22).ipRanges(r -> r.cidrIp(cidr)).build();
    }

    static void notFound(String code, Executable call) {
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isEqualTo(400);
    }
}
