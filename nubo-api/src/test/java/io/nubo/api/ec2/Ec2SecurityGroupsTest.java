package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.SecurityGroupRule;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Security groups and their rules through the AWS SDK. */
class Ec2SecurityGroupsTest extends Ec2CloudTest {
    static SecurityGroup group(String id) {
        return ec2.describeSecurityGroups(b -> b.groupIds(id)).securityGroups().get(0);
    }

    static String create(String name) {
        return ec2.createSecurityGroup(b -> b.groupName(name).description("test group " + name)).groupId();
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    static IpPermission tcp(int from, int to, String cidr) {
        return IpPermission.builder().ipProtocol("tcp").fromPort(from).toPort(to).ipRanges(r -> r.cidrIp(cidr)).build();
    }

    @Test
    void everyAccountHasADefaultGroupThatLetsMembersInAndEverythingOut() {
        SecurityGroup def = ec2.describeSecurityGroups(b -> b.groupNames("default")).securityGroups().get(0);
        assertThat(def.groupId()).matches("sg-[0-9a-f]{17}");
        assertThat(def.ownerId()).isEqualTo(cloud.admin.accountId());
        assertThat(def.vpcId()).isEqualTo(ec2.describeVpcs().vpcs().get(0).vpcId());
        assertThat(def.ipPermissions()).singleElement().satisfies(p -> {
            assertThat(p.ipProtocol()).isEqualTo("-1");
            assertThat(p.userIdGroupPairs()).singleElement().satisfies(g -> assertThat(g.groupId()).isEqualTo(def.groupId()));
        });
        assertThat(def.ipPermissionsEgress()).singleElement().satisfies(p -> assertThat(p.ipRanges().get(0).cidrIp()).isEqualTo("0.0.0.0/0"));
        rejects("CannotDelete", () -> ec2.deleteSecurityGroup(b -> b.groupName("default")));
        rejects("CannotDelete", () -> ec2.deleteSecurityGroup(b -> b.groupId(def.groupId())));
        rejects("InvalidGroup.Duplicate", () -> ec2.createSecurityGroup(b -> b.groupName("default").description("again")));
    }

    @Test
    void groupsAreCreatedWithTagsDescribedByIdNameAndFiltersAndDeleted() {
        String id = ec2.createSecurityGroup(b -> b.groupName("web-sg").description("web servers")
                .tagSpecifications(t -> t.resourceType(ResourceType.SECURITY_GROUP).tags(x -> x.key("tier").value("web")))).groupId();
        Ec2Sdk.waiter(ec2).waitUntilSecurityGroupExists(b -> b.groupIds(id));
        SecurityGroup g = group(id);
        assertThat(g.groupName()).isEqualTo("web-sg");
        assertThat(g.description()).isEqualTo("web servers");
        assertThat(g.tags()).singleElement().satisfies(t -> assertThat(t.value()).isEqualTo("web"));
        assertThat(g.ipPermissions()).isEmpty();
        assertThat(g.ipPermissionsEgress()).singleElement().satisfies(p -> assertThat(p.ipProtocol()).isEqualTo("-1"));
        assertThat(ec2.describeSecurityGroups(b -> b.groupNames("web-sg")).securityGroups()).extracting(SecurityGroup::groupId).containsExactly(id);
        assertThat(groupIds(Filter.builder().name("group-name").values("web-*").build())).containsExactly(id);
        assertThat(groupIds(Filter.builder().name("tag:tier").values("web").build(),
                Filter.builder().name("description").values("web servers").build(),
                Filter.builder().name("vpc-id").values(g.vpcId()).build(),
                Filter.builder().name("owner-id").values(cloud.admin.accountId()).build())).containsExactly(id);
        ec2.deleteSecurityGroup(b -> b.groupId(id));
        rejects("InvalidGroup.NotFound", () -> ec2.describeSecurityGroups(b -> b.groupIds(id)));
        rejects("InvalidGroup.NotFound", () -> ec2.deleteSecurityGroup(b -> b.groupId(id)));
        assertThat(ec2.describeTags(b -> b.filters(f -> f.name("resource-id").values(id))).tags()).as("its tags went with it").isEmpty();
    }

    static List<String> groupIds(Filter... filters) {
        return ec2.describeSecurityGroups(b -> b.filters(filters)).securityGroups().stream().map(SecurityGroup::groupId).toList();
    }

    @Test
    void rulesAreAuthorizedAndRevokedInBothFormsAndBothDirectionsAllOrNothing() {
        String id = create("rules-sg");
        String peer = create("rules-peer");
        List<SecurityGroupRule> added = ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22).ipRanges(r -> r.cidrIp("10.0.0.0/8").description("ssh")).build(),
                IpPermission.builder().ipProtocol("tcp").fromPort(80).toPort(81).ipv6Ranges(r -> r.cidrIpv6("::/0")).build(),
                IpPermission.builder().ipProtocol("icmp").fromPort(-1).toPort(-1).userIdGroupPairs(p -> p.groupId(peer)).build()))
                .securityGroupRules();
        assertThat(added).hasSize(3).allSatisfy(r -> {
            assertThat(r.securityGroupRuleId()).matches("sgr-[0-9a-f]{17}");
            assertThat(r.groupId()).isEqualTo(id);
            assertThat(r.isEgress()).isFalse();
        });
        SecurityGroup g = group(id);
        assertThat(g.ipPermissions()).hasSize(3);
        assertThat(g.ipPermissions().stream().flatMap(p -> p.ipRanges().stream()).map(r -> r.description())).containsExactly("ssh");
        assertThat(g.ipPermissions().stream().flatMap(p -> p.userIdGroupPairs().stream()).map(x -> x.groupId())).containsExactly(peer);
        assertThat(groupIds(Filter.builder().name("ip-permission.from-port").values("22").build(),
                Filter.builder().name("ip-permission.cidr").values("10.*").build())).containsExactly(id);
        assertThat(groupIds(Filter.builder().name("ip-permission.group-id").values(peer).build())).containsExactly(id);

        rejects("InvalidPermission.Duplicate", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                tcp(443, 443, "0.0.0.0/0"), tcp(22, 22, "10.0.0.0/8"))));
        rejects("InvalidPermission.Duplicate", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                tcp(443, 443, "0.0.0.0/0"), tcp(443, 443, "0.0.0.0/0"))));
        rejects("DependencyViolation", () -> ec2.deleteSecurityGroup(b -> b.groupId(peer)));

        ec2.authorizeSecurityGroupIngress(b -> b.groupName("rules-sg").ipProtocol("udp").fromPort(53).toPort(53).cidrIp("192.168.0.0/16"));
        assertThat(group(id).ipPermissions()).anySatisfy(p -> assertThat(p.ipProtocol()).isEqualTo("udp"));
        ec2.revokeSecurityGroupIngress(b -> b.groupId(id).ipProtocol("udp").fromPort(53).toPort(53).cidrIp("192.168.0.0/16"));
        assertThat(group(id).ipPermissions()).noneSatisfy(p -> assertThat(p.ipProtocol()).isEqualTo("udp"));

        var revoked = ec2.revokeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(22, 22, "10.0.0.0/8")));
        assertThat(revoked.returnValue()).isTrue();
        assertThat(revoked.revokedSecurityGroupRules()).singleElement().satisfies(r -> assertThat(r.fromPort()).isEqualTo(22));
        String icmpRule = added.get(2).securityGroupRuleId();
        ec2.revokeSecurityGroupIngress(b -> b.groupId(id).securityGroupRuleIds(icmpRule));
        rejects("InvalidPermission.NotFound", () -> ec2.revokeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(22, 22, "10.0.0.0/8"))));
        rejects("InvalidSecurityGroupRuleId.NotFound", () -> ec2.revokeSecurityGroupIngress(b -> b.groupId(id).securityGroupRuleIds(icmpRule)));
        rejects("InvalidSecurityGroupRuleId.Malformed", () -> ec2.revokeSecurityGroupIngress(b -> b.groupId(id).securityGroupRuleIds("sgr-x")));
        assertThat(group(id).ipPermissions()).singleElement().satisfies(p -> assertThat(p.fromPort()).isEqualTo(80));
        ec2.deleteSecurityGroup(b -> b.groupId(peer));

        ec2.authorizeSecurityGroupEgress(b -> b.groupId(id).ipPermissions(tcp(5432, 5432, "10.1.0.0/16")));
        assertThat(group(id).ipPermissionsEgress()).hasSize(2);
        assertThat(groupIds(Filter.builder().name("egress.ip-permission.to-port").values("5432").build())).containsExactly(id);
        rejects("InvalidPermission.Duplicate", () -> ec2.authorizeSecurityGroupEgress(b -> b.groupId(id).ipPermissions(tcp(5432, 5432, "10.1.0.0/16"))));
        ec2.revokeSecurityGroupEgress(b -> b.groupId(id).ipPermissions(IpPermission.builder().ipProtocol("-1").ipRanges(r -> r.cidrIp("0.0.0.0/0")).build()));
        assertThat(group(id).ipPermissionsEgress()).singleElement().satisfies(p -> assertThat(p.fromPort()).isEqualTo(5432));
        rejects("MissingParameter", () -> ec2.authorizeSecurityGroupEgress(b -> b.ipPermissions(tcp(1, 2, "10.0.0.0/8"))));
    }

    @Test
    void badRulesAndGroupsAreRefusedPrecisely() {
        String id = create("bad-sg");
        rejects("MissingParameter", () -> ec2.createSecurityGroup(b -> b.description("no name")));
        rejects("MissingParameter", () -> ec2.createSecurityGroup(b -> b.groupName("no-description")));
        rejects("InvalidParameterValue", () -> ec2.createSecurityGroup(b -> b.groupName("sg-looks-like-an-id").description("d")));
        rejects("InvalidParameterValue", () -> ec2.createSecurityGroup(b -> b.groupName("x".repeat(256)).description("d")));
        rejects("InvalidVpcID.NotFound", () -> ec2.createSecurityGroup(b -> b.groupName("v").description("d").vpcId("vpc-0123456789abcdef0")));
        rejects("InvalidVpcID.Malformed", () -> ec2.createSecurityGroup(b -> b.groupName("v").description("d").vpcId("vpc-zz")));
        rejects("InvalidGroupId.Malformed", () -> ec2.describeSecurityGroups(b -> b.groupIds("sg-nothex")));
        rejects("InvalidGroup.NotFound", () -> ec2.describeSecurityGroups(b -> b.groupIds("sg-0123456789abcdef0")));
        rejects("InvalidGroup.NotFound", () -> ec2.describeSecurityGroups(b -> b.groupNames("nope")));
        rejects("InvalidParameterValue", () -> ec2.describeSecurityGroups(b -> b.maxResults(4)));
        rejects("InvalidParameterValue", () -> ec2.describeSecurityGroups(b -> b.filters(f -> f.name("colour").values("x"))));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(22, 22, "10.0.0.0/33"))));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(22, 22, "10.0.0/8"))));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(1).toPort(1).ipv6Ranges(r -> r.cidrIpv6("example.com/64")).build())));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(90, 80, "10.0.0.0/8"))));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(1, 70000, "10.0.0.0/8"))));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").ipRanges(r -> r.cidrIp("10.0.0.0/8")).build())));
        rejects("InvalidParameterValue", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("carrier-pigeon").ipRanges(r -> r.cidrIp("10.0.0.0/8")).build())));
        rejects("MissingParameter", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(1).toPort(1).build())));
        rejects("UnsupportedOperation", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(1).toPort(1).prefixListIds(p -> p.prefixListId("pl-12345678")).build())));
        rejects("InvalidGroup.NotFound", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("-1").userIdGroupPairs(p -> p.groupId("sg-0123456789abcdef0")).build())));
        rejects("InvalidGroup.NotFound", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("-1").userIdGroupPairs(p -> p.groupId(id).userId("999999999999")).build())));
        rejects("InvalidGroup.NotFound", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId("sg-0123456789abcdef0")
                .ipPermissions(tcp(1, 1, "10.0.0.0/8"))));
        rejects("InvalidParameterCombination", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(tcp(1, 1, "10.0.0.0/8"))
                .cidrIp("10.0.0.0/8")));
        rejects("InvalidParameterCombination", () -> ec2.deleteSecurityGroup(b -> b.groupId(id).groupName("bad-sg")));
        rejects("MissingParameter", () -> ec2.deleteSecurityGroup(b -> { }));
        rejects("MissingParameter", () -> ec2.authorizeSecurityGroupIngress(b -> b.groupId(id)));
    }

    @Test
    void aGroupAnInstanceUsesCannotBeDeletedUntilTheInstanceIsTerminated() {
        String id = create("in-use-sg");
        String instance = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).securityGroupIds(id)).instances().get(0)
                .instanceId();
        rejects("DependencyViolation", () -> ec2.deleteSecurityGroup(b -> b.groupId(id)));
        ec2.terminateInstances(b -> b.instanceIds(instance));
        Ec2Sdk.waiter(ec2).waitUntilInstanceTerminated(b -> b.instanceIds(instance));
        ec2.deleteSecurityGroup(b -> b.groupId(id));
    }

    @Test
    void describeSecurityGroupsPaginates() {
        for (int i = 0; i < 6; i++) {
            create("page-sg-" + i);
        }
        List<String> all = ec2.describeSecurityGroupsPaginator(b -> b.maxResults(5).filters(f -> f.name("group-name").values("page-sg-*")))
                .securityGroups().stream().map(SecurityGroup::groupName).toList();
        assertThat(all).hasSize(6).doesNotHaveDuplicates();
    }
}
