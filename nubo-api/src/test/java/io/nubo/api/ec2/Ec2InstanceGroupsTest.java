package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An instance's security groups change after launch: ModifyInstanceAttribute GroupId.N, and REST's PUT. */
class Ec2InstanceGroupsTest extends Ec2CloudTest {
    static void rejects(String code, Executable call) {
        cloud.awaitSettled();
        String before = cloud.snapshot();
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isEqualTo(400);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    private static List<String> groupsOf(Ec2Client ec2, String id) {
        return ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0).securityGroups().stream()
                .map(GroupIdentifier::groupId).sorted().toList();
    }

    @Test
    void groupsAreReplacedOnARunningInstanceThroughEc2AndRest() {
        String web = ec2.createSecurityGroup(b -> b.groupName("web").description("web")).groupId();
        String ssh = ec2.createSecurityGroup(b -> b.groupName("ssh").description("ssh")).groupId();
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        await().atMost(Duration.ofSeconds(20)).until(() -> ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0)
                .state().nameAsString().equals("running"));

        ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups(web, ssh));
        assertThat(groupsOf(ec2, id)).containsExactlyElementsOf(java.util.stream.Stream.of(web, ssh).sorted().toList());

        var put = cloud.call(cloud.admin, "PUT", "/api/v1/instances/" + id + "/security-groups", "{\"securityGroupIds\":[\"" + ssh + "\"]}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().get(0).path("groupId").asText()).isEqualTo(ssh);
        assertThat(groupsOf(ec2, id)).containsExactly(ssh);
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id + "/security-groups", null).json().size()).isEqualTo(1);
        // The change is in the instance's history.
        long changes = cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM events WHERE resource_id = :i AND type = 'instance.security-groups'").bind("i", id).mapTo(Long.class).one());
        assertThat(changes).isEqualTo(2);
    }

    @Test
    void badInputGetsEc2sErrorsAndChangesNothing() {
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        String mine = ec2.createSecurityGroup(b -> b.groupName("mine").description("mine")).groupId();
        rejects("InvalidGroup.NotFound", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups("sg-0123456789abcdef0")));
        rejects("InvalidGroupId.Malformed", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups("sg-nothex")));
        rejects("InvalidInstanceID.NotFound", () -> ec2.modifyInstanceAttribute(b -> b.instanceId("i-0123456789abcdef0").groups(mine)));
        rejects("InvalidParameterCombination", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups(mine)
                .instanceType(v -> v.value("t3.small"))));
        String[] six = new String[6];
        for (int n = 0; n < six.length; n++) {
            int k = n;
            six[n] = ec2.createSecurityGroup(b -> b.groupName("many-" + k).description("many")).groupId();
        }
        rejects("SecurityGroupsPerInterfaceLimitExceeded", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups(six)));
        var empty = cloud.call(cloud.admin, "PUT", "/api/v1/instances/" + id + "/security-groups", "{\"securityGroupIds\":[]}");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.code()).isEqualTo("MissingParameter");
        // Another account's group is not found, and another account cannot change this instance.
        try (Ec2Client other = Ec2Sdk.client(cloud, cloud.tenant("other"))) {
            String theirs = other.createSecurityGroup(b -> b.groupName("theirs").description("theirs")).groupId();
            rejects("InvalidGroup.NotFound", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups(theirs)));
            rejects("InvalidInstanceID.NotFound", () -> other.modifyInstanceAttribute(b -> b.instanceId(id).groups(theirs)));
        }
        ec2.terminateInstances(b -> b.instanceIds(id));
        await().atMost(Duration.ofSeconds(20)).until(() -> ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0)
                .state().nameAsString().equals("terminated"));
        rejects("IncorrectInstanceState", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(id).groups(mine)));
    }
}
