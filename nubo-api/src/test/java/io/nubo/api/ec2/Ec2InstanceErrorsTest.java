package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every documented error of the instance actions, through the SDK: the precise EC2 code, a 4xx,
 * and nothing changed. DryRun validates fully and changes nothing either.
 */
class Ec2InstanceErrorsTest {
    static final String UNKNOWN = "i-0123456789abcdef0";
    static TestCloud cloud;
    static Ec2Client ec2;
    static String running;
    static String stopped;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        ec2 = Ec2Sdk.client(cloud, cloud.admin);
        running = launch();
        stopped = launch();
        var waiter = Ec2Sdk.waiter(ec2);
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(running, stopped));
        ec2.stopInstances(b -> b.instanceIds(stopped));
        waiter.waitUntilInstanceStopped(b -> b.instanceIds(stopped));
    }

    @AfterAll
    static void stop() {
        ec2.close();
        cloud.close();
    }

    static String launch() {
        return ec2.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(1).maxCount(1))
                .instances().get(0).instanceId();
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        Ec2Exception e = Ec2Sdk.fails(code, call);
        assertThat(e.statusCode()).as(code).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    static void rejectsRun(String code, Consumer<RunInstancesRequest.Builder> request) {
        rejects(code, () -> ec2.runInstances(b -> {
            b.imageId(cloud.imageId).minCount(1).maxCount(1);
            request.accept(b);
        }));
    }

    @Test
    void malformedAndUnknownInstanceIdsOnEveryInstanceAction() {
        for (String id : new String[]{"i-nothex", "vol-0123456789abcdef0", "i-12"}) {
            rejects("InvalidInstanceID.Malformed", () -> ec2.describeInstances(b -> b.instanceIds(id)));
            rejects("InvalidInstanceID.Malformed", () -> ec2.terminateInstances(b -> b.instanceIds(id)));
        }
        rejects("InvalidInstanceID.NotFound", () -> ec2.describeInstances(b -> b.instanceIds(UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.describeInstances(b -> b.instanceIds(running, UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.describeInstanceStatus(b -> b.instanceIds(UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.startInstances(b -> b.instanceIds(stopped, UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.stopInstances(b -> b.instanceIds(running, UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.rebootInstances(b -> b.instanceIds(UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.terminateInstances(b -> b.instanceIds(running, UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.getConsoleOutput(b -> b.instanceId(UNKNOWN)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(UNKNOWN).instanceType(v -> v.value("t3.small"))));
        rejects("InvalidInstanceID.NotFound", () -> ec2.describeInstanceAttribute(b -> b.instanceId(UNKNOWN)
                .attribute(InstanceAttributeName.INSTANCE_TYPE)));
        var e = Ec2Sdk.fails("InvalidInstanceID.NotFound", () -> ec2.describeInstances(b -> b.instanceIds(UNKNOWN, "i-0123456789abcdef1")));
        assertThat(e.awsErrorDetails().errorMessage()).contains(UNKNOWN).contains("i-0123456789abcdef1");
    }

    @Test
    void missingParameters() {
        rejects("MissingParameter", () -> ec2.startInstances(b -> { }));
        rejects("MissingParameter", () -> ec2.stopInstances(b -> { }));
        rejects("MissingParameter", () -> ec2.terminateInstances(b -> { }));
        rejects("MissingParameter", () -> ec2.rebootInstances(b -> { }));
        rejects("MissingParameter", () -> ec2.getConsoleOutput(b -> { }));
        rejects("MissingParameter", () -> ec2.runInstances(b -> b.minCount(1).maxCount(1)));
        rejects("MissingParameter", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).maxCount(1)));
        rejects("MissingParameter", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped)));
        rejects("MissingParameter", () -> ec2.describeInstanceAttribute(b -> b.instanceId(stopped)));
        var e = Ec2Sdk.fails("MissingParameter", () -> ec2.runInstances(b -> b.minCount(1).maxCount(1)));
        assertThat(e.awsErrorDetails().errorMessage()).contains("ImageId");
    }

    @Test
    void badLaunchParameters() {
        rejectsRun("InvalidAMIID.Malformed", b -> b.imageId("not-an-ami"));
        rejectsRun("InvalidAMIID.NotFound", b -> b.imageId("ami-0123456789abcdef0"));
        rejectsRun("InvalidParameterValue", b -> b.instanceType("t9.huge"));
        rejectsRun("InvalidParameterValue", b -> b.minCount(3).maxCount(2));
        rejectsRun("InvalidParameterValue", b -> b.minCount(0).maxCount(0));
        rejectsRun("InvalidParameterValue", b -> b.maxCount(1001));
        rejectsRun("InvalidParameterValue", b -> b.userData("%%% not base64"));
        rejectsRun("InvalidKeyPair.NotFound", b -> b.keyName("no-such-key"));
        rejectsRun("InvalidGroup.NotFound", b -> b.securityGroupIds("sg-0123456789abcdef0"));
        rejectsRun("InvalidGroup.NotFound", b -> b.securityGroups("no-such-group"));
        rejectsRun("InvalidGroupId.Malformed", b -> b.securityGroupIds("sg-xyz"));
        rejectsRun("InvalidParameterValue", b -> b.placement(p -> p.availabilityZone("us-east-1a")));
        rejectsRun("InvalidSubnetID.NotFound", b -> b.subnetId("subnet-0123456789abcdef0"));
        rejectsRun("InvalidSubnetID.Malformed", b -> b.subnetId("subnet-zz"));
        rejectsRun("InvalidParameterValue", b -> b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.VOLUME)
                .tags(t -> t.key("a").value("b")).build()));
        rejectsRun("InvalidParameterValue", b -> b.tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                .tags(t -> t.key("aws:reserved").value("b")).build()));
        rejectsRun("UnsupportedOperation", b -> b.blockDeviceMappings(m -> m.deviceName("/dev/sdb").ebs(x -> x.volumeSize(10))));
        rejectsRun("UnsupportedOperation", b -> b.monitoring(m -> m.enabled(true)));
        rejectsRun("UnsupportedOperation", b -> b.disableApiTermination(true));
    }

    @Test
    void operationsInTheWrongState() {
        rejects("IncorrectInstanceState", () -> ec2.stopInstances(b -> b.instanceIds(stopped)));
        rejects("IncorrectInstanceState", () -> ec2.rebootInstances(b -> b.instanceIds(stopped)));
        rejects("IncorrectInstanceState", () -> ec2.startInstances(b -> b.instanceIds(running)));
        rejects("IncorrectInstanceState", () -> ec2.startInstances(b -> b.instanceIds(stopped, running)));
        rejects("IncorrectInstanceState", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(running).instanceType(v -> v.value("t3.small"))));
    }

    @Test
    void badValuesAndUnsupportedAttributes() {
        rejects("InvalidParameterValue", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped).instanceType(v -> v.value("t9.huge"))));
        rejects("UnsupportedOperation", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped).disableApiTermination(v -> v.value(true))));
        rejects("UnsupportedOperation", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped).attribute(InstanceAttributeName.KERNEL).value("k")));
        rejects("InvalidParameterCombination", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped)
                .instanceType(v -> v.value("t3.small")).attribute(InstanceAttributeName.INSTANCE_TYPE).value("t3.small")));
        rejects("UnsupportedOperation", () -> ec2.describeInstanceAttribute(b -> b.instanceId(stopped).attribute(InstanceAttributeName.KERNEL)));
        rejects("InvalidParameterValue", () -> ec2.describeInstanceAttribute(b -> b.instanceId(stopped).attribute("colour")));
        rejects("UnsupportedOperation", () -> ec2.stopInstances(b -> b.instanceIds(running).hibernate(true)));
        rejects("InvalidParameterCombination", () -> ec2.describeInstances(b -> b.instanceIds(running).maxResults(10)));
        rejects("InvalidParameterValue", () -> ec2.describeInstances(b -> b.maxResults(4)));
        rejects("InvalidParameterValue", () -> ec2.describeInstances(b -> b.maxResults(1001)));
        rejects("InvalidPaginationToken", () -> ec2.describeInstances(b -> b.nextToken("garbage!")));
        rejects("InvalidParameterValue", () -> ec2.describeInstances(b -> b.filters(f -> f.name("instance-state-code").values("x"))));
    }

    @Test
    void dryRunValidatesFullyThenAnswersDryRunOperationAndChangesNothing() {
        String before = Ec2Sdk.settledSnapshot(cloud);
        var e = Ec2Sdk.fails("DryRunOperation", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).dryRun(true)));
        assertThat(e.statusCode()).isEqualTo(412);
        Ec2Sdk.fails("DryRunOperation", () -> ec2.stopInstances(b -> b.instanceIds(running).dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.terminateInstances(b -> b.instanceIds(running, stopped).dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.rebootInstances(b -> b.instanceIds(running).dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(stopped).instanceType(v -> v.value("t3.large")).dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.describeInstances(b -> b.dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.createTags(b -> b.resources(running).tags(t -> t.key("k").value("v")).dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.createKeyPair(b -> b.keyName("dry").dryRun(true)));
        Ec2Sdk.fails("DryRunOperation", () -> ec2.createSecurityGroup(b -> b.groupName("dry").description("d").dryRun(true)));
        assertThat(cloud.snapshot()).isEqualTo(before);
        // A dry run of a request that would fail fails as the request would.
        rejects("InvalidAMIID.NotFound", () -> ec2.runInstances(b -> b.imageId("ami-0123456789abcdef0").minCount(1).maxCount(1).dryRun(true)));
        rejects("IncorrectInstanceState", () -> ec2.stopInstances(b -> b.instanceIds(stopped).dryRun(true)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.rebootInstances(b -> b.instanceIds(UNKNOWN).dryRun(true)));
        assertThat(ec2.describeInstances(b -> b.instanceIds(running)).reservations().get(0).instances().get(0).state().code()).isEqualTo(16);
    }
}
