package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceStateChange;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Instances through the real AWS SDK: launch, describe, filters, the lifecycle and its waiters, resizing. */
class Ec2InstancesTest extends Ec2CloudTest {
    static RunInstancesResponse run(Consumer<RunInstancesRequest.Builder> more) {
        return ec2.runInstances(b -> {
            b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(1).maxCount(1);
            more.accept(b);
        });
    }

    static TagSpecification tags(String... keyValues) {
        TagSpecification.Builder b = TagSpecification.builder().resourceType(ResourceType.INSTANCE);
        List<Tag> tags = new java.util.ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            tags.add(Tag.builder().key(keyValues[i]).value(keyValues[i + 1]).build());
        }
        return b.tags(tags).build();
    }

    static Instance describe(String id) {
        return ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
    }

    @Test
    void anInstanceLaunchedWithEverythingGoesThroughItsWholeLifeWithTheSdksWaiters() {
        String key = ec2.createKeyPair(b -> b.keyName("life-key")).keyName();
        String group = ec2.createSecurityGroup(b -> b.groupName("life-sg").description("for the lifecycle test")).groupId();
        String userData = Base64.getEncoder().encodeToString("#!/bin/sh\necho hello\n".getBytes(StandardCharsets.UTF_8));
        RunInstancesResponse r = run(b -> b.keyName(key).userData(userData).securityGroupIds(group)
                .placement(p -> p.availabilityZone("nubo-1a")).tagSpecifications(tags("Name", "life", "env", "test")));

        assertThat(r.reservationId()).matches("r-[0-9a-f]{17}");
        assertThat(r.ownerId()).isEqualTo(cloud.admin.accountId());
        Instance launched = r.instances().get(0);
        String id = launched.instanceId();
        assertThat(id).matches("i-[0-9a-f]{17}");
        assertThat(launched.state().name()).isEqualTo(InstanceStateName.PENDING);
        assertThat(launched.state().code()).isZero();
        assertThat(launched.instanceType()).isEqualTo(InstanceType.T3_NANO);
        assertThat(launched.keyName()).isEqualTo("life-key");
        assertThat(launched.placement().availabilityZone()).isEqualTo("nubo-1a");
        assertThat(launched.securityGroups()).singleElement().satisfies(g -> {
            assertThat(g.groupId()).isEqualTo(group);
            assertThat(g.groupName()).isEqualTo("life-sg");
        });
        assertThat(launched.tags()).extracting(Tag::key, Tag::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Name", "life"), org.assertj.core.groups.Tuple.tuple("env", "test"));
        assertThat(launched.vpcId()).startsWith("vpc-");
        assertThat(launched.subnetId()).startsWith("subnet-");
        assertThat(launched.launchTime()).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));

        var waiter = Ec2Sdk.waiter(ec2);
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(id));
        assertThat(describe(id).state().code()).isEqualTo(16);
        assertThat(ec2.describeInstanceAttribute(b -> b.instanceId(id).attribute(InstanceAttributeName.USER_DATA)).userData().value())
                .isEqualTo(userData);
        String console = new String(Base64.getDecoder().decode(ec2.getConsoleOutput(b -> b.instanceId(id)).output()), StandardCharsets.UTF_8);
        assertThat(console).contains("NUBO-GUEST-READY " + id);

        List<InstanceStateChange> stopping = ec2.stopInstances(b -> b.instanceIds(id)).stoppingInstances();
        assertThat(stopping).singleElement().satisfies(c -> {
            assertThat(c.previousState().name()).isEqualTo(InstanceStateName.RUNNING);
            assertThat(c.currentState().name()).isEqualTo(InstanceStateName.STOPPING);
        });
        waiter.waitUntilInstanceStopped(b -> b.instanceIds(id));
        assertThat(describe(id).stateReason().code()).isEqualTo("Client.UserInitiatedShutdown");

        ec2.modifyInstanceAttribute(b -> b.instanceId(id).instanceType(v -> v.value("t3.small")));
        assertThat(ec2.describeInstanceAttribute(b -> b.instanceId(id).attribute(InstanceAttributeName.INSTANCE_TYPE)).instanceType().value())
                .isEqualTo("t3.small");
        assertThat(ec2.startInstances(b -> b.instanceIds(id)).startingInstances().get(0).currentState().name())
                .isEqualTo(InstanceStateName.PENDING);
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(id));
        assertThat(describe(id).instanceType()).isEqualTo(InstanceType.T3_SMALL);
        assertThat(describe(id).cpuOptions().coreCount()).isEqualTo(2);

        ec2.rebootInstances(b -> b.instanceIds(id));
        assertThat(ec2.terminateInstances(b -> b.instanceIds(id)).terminatingInstances().get(0).previousState().name())
                .isEqualTo(InstanceStateName.RUNNING);
        waiter.waitUntilInstanceTerminated(b -> b.instanceIds(id));
        assertThat(describe(id).state().code()).isEqualTo(48);
        assertThat(ec2.terminateInstances(b -> b.instanceIds(id)).terminatingInstances().get(0).currentState().name())
                .as("terminating again succeeds").isEqualTo(InstanceStateName.TERMINATED);
    }

    @Test
    void filtersAreAndedAcrossOredWithinAndTakeWildcardsAndTags() {
        String a = run(b -> b.tagSpecifications(tags("Name", "filter-web-1", "tier", "web"))).instances().get(0).instanceId();
        String c = run(b -> b.instanceType(InstanceType.T3_MICRO).tagSpecifications(tags("Name", "filter-db", "tier", "db")))
                .instances().get(0).instanceId();
        Ec2Sdk.waiter(ec2).waitUntilInstanceRunning(b -> b.instanceIds(a, c));
        Instance ia = describe(a);

        assertThat(ids(Filter.builder().name("tag:Name").values("filter-*").build())).containsExactlyInAnyOrder(a, c);
        assertThat(ids(Filter.builder().name("tag:Name").values("filter-web-?").build())).containsExactly(a);
        assertThat(ids(Filter.builder().name("tag:tier").values("web", "db").build())).containsExactlyInAnyOrder(a, c);
        assertThat(ids(Filter.builder().name("tag:tier").values("web", "db").build(),
                Filter.builder().name("instance-type").values("t3.micro").build())).containsExactly(c);
        assertThat(ids(Filter.builder().name("tag-key").values("tier").build())).containsExactlyInAnyOrder(a, c);
        assertThat(ids(Filter.builder().name("tag-value").values("db").build())).containsExactly(c);
        assertThat(ids(Filter.builder().name("instance-id").values(a).build())).containsExactly(a);
        assertThat(ids(Filter.builder().name("tag:Name").values("filter-*").build(),
                Filter.builder().name("instance-state-name").values("running").build(),
                Filter.builder().name("instance-state-code").values("16").build(),
                Filter.builder().name("image-id").values(cloud.imageId).build(),
                Filter.builder().name("availability-zone").values("nubo-1a").build(),
                Filter.builder().name("owner-id").values(cloud.admin.accountId()).build(),
                Filter.builder().name("vpc-id").values(ia.vpcId()).build(),
                Filter.builder().name("subnet-id").values(ia.subnetId()).build(),
                Filter.builder().name("instance.group-name").values("default").build(),
                Filter.builder().name("instance.group-id").values(ia.securityGroups().get(0).groupId()).build()))
                .containsExactlyInAnyOrder(a, c);
        String day = ia.launchTime().atOffset(ZoneOffset.UTC).toLocalDate().toString();
        assertThat(ids(Filter.builder().name("launch-time").values(day + "T*").build(),
                Filter.builder().name("reservation-id").values(ec2.describeInstances(b -> b.instanceIds(a)).reservations().get(0)
                        .reservationId()).build())).containsExactly(a);
        assertThat(ids(Filter.builder().name("tag:Name").values("filter-*").build(),
                Filter.builder().name("instance-state-name").values("stopped").build())).isEmpty();
        assertThat(ids(Filter.builder().name("vpc-id").values("vpc-0000000000000000f").build())).isEmpty();
        assertThat(ids(Filter.builder().name("key-name").values("nobody's").build())).isEmpty();
        String before = Ec2Sdk.settledSnapshot(cloud);
        Ec2Sdk.fails("InvalidParameterValue", () -> ids(Filter.builder().name("colour").values("red").build()));
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    static List<String> ids(Filter... filters) {
        return ec2.describeInstances(DescribeInstancesRequest.builder().filters(filters).build()).reservations().stream()
                .flatMap(r -> r.instances().stream()).map(Instance::instanceId).toList();
    }

    @Test
    void theSameClientTokenReturnsTheSameReservationAndADifferentRequestWithItIsAMismatch() {
        RunInstancesResponse first = run(b -> b.clientToken("token-1").minCount(2).maxCount(2));
        String snapshot = Ec2Sdk.settledSnapshot(cloud);
        RunInstancesResponse again = run(b -> b.clientToken("token-1").minCount(2).maxCount(2));
        assertThat(again.reservationId()).isEqualTo(first.reservationId());
        assertThat(again.instances()).extracting(Instance::instanceId)
                .containsExactlyInAnyOrderElementsOf(first.instances().stream().map(Instance::instanceId).toList());
        assertThat(cloud.snapshot()).as("the retry launched nothing").isEqualTo(snapshot);
        Ec2Sdk.fails("IdempotentParameterMismatch", () -> run(b -> b.clientToken("token-1").minCount(3).maxCount(3)));
        Ec2Sdk.fails("InvalidParameterValue", () -> run(b -> b.clientToken("x".repeat(65))));
        assertThat(cloud.snapshot()).isEqualTo(snapshot);
    }

    @Test
    void launchesRespectQuotasAndCapacity() {
        TestCloud.Reply r = cloud.call(cloud.admin, "POST", "/api/v1/accounts", "{\"name\":\"quota-two\",\"instanceQuota\":2}");
        var k = r.json().path("accessKey");
        NewAccessKey small = new NewAccessKey(k.path("accessKeyId").asText(), k.path("secretAccessKey").asText(), k.path("accountId").asText());
        try (Ec2Client tenant = Ec2Sdk.client(cloud, small)) {
            String before = Ec2Sdk.settledSnapshot(cloud);
            Ec2Sdk.fails("InstanceLimitExceeded", () -> tenant.runInstances(b -> b.imageId(cloud.imageId).minCount(3).maxCount(3)));
            assertThat(cloud.snapshot()).isEqualTo(before);
            assertThat(tenant.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(5)).instances()).hasSize(2);
            assertThat(tenant.describeAccountAttributes(b -> b.attributeNamesWithStrings("max-instances")).accountAttributes().get(0)
                    .attributeValues().get(0).attributeValue()).isEqualTo("2");
        }
        String before = Ec2Sdk.settledSnapshot(cloud);
        var e = Ec2Sdk.fails("InsufficientInstanceCapacity", () -> run(b -> b.instanceType(InstanceType.M5_4_XLARGE).minCount(2).maxCount(2)));
        assertThat(e.statusCode()).isEqualTo(500);
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void describeInstanceStatusShowsRunningInstancesOrAllOfThem() {
        String running = run(b -> { }).instances().get(0).instanceId();
        String stopped = run(b -> { }).instances().get(0).instanceId();
        var waiter = Ec2Sdk.waiter(ec2);
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(running, stopped));
        ec2.stopInstances(b -> b.instanceIds(stopped).force(true));
        waiter.waitUntilInstanceStopped(b -> b.instanceIds(stopped));
        waiter.waitUntilInstanceStatusOk(b -> b.instanceIds(running));

        var statuses = ec2.describeInstanceStatus(b -> b.instanceIds(running, stopped)).instanceStatuses();
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.instanceId()).isEqualTo(running);
            assertThat(s.instanceStatus().statusAsString()).isEqualTo("ok");
            assertThat(s.systemStatus().details().get(0).statusAsString()).isEqualTo("passed");
            assertThat(s.availabilityZone()).isEqualTo("nubo-1a");
        });
        var all = ec2.describeInstanceStatus(b -> b.instanceIds(running, stopped).includeAllInstances(true)).instanceStatuses();
        assertThat(all).hasSize(2).anySatisfy(s -> {
            assertThat(s.instanceId()).isEqualTo(stopped);
            assertThat(s.instanceStatus().statusAsString()).isEqualTo("not-applicable");
        });
        assertThat(ec2.describeInstanceStatus(b -> b.includeAllInstances(true).filters(Filter.builder().name("instance-status.status")
                .values("ok").build())).instanceStatuses()).extracting(s -> s.instanceId()).contains(running).doesNotContain(stopped);
        Ec2Sdk.fails("InvalidInstanceID.NotFound", () -> ec2.describeInstanceStatus(b -> b.instanceIds("i-0123456789abcdef0")));
        Ec2Sdk.fails("InvalidParameterCombination", () -> ec2.describeInstanceStatus(b -> b.instanceIds(running).maxResults(5)));
        Ec2Sdk.fails("InvalidParameterValue", () -> ec2.describeInstanceStatus(b -> b.filters(Filter.builder().name("colour").values("x").build())));
    }

    @Test
    void aResizedInstanceIsCheckedAgainstItsHostsCapacityWhenItStarts() throws Exception {
        try (TestCloud small = new TestCloud(2, 4096); Ec2Client client = Ec2Sdk.client(small, small.admin)) {
            var waiter = Ec2Sdk.waiter(client);
            List<String> ids = client.runInstances(b -> b.imageId(small.imageId).instanceType(InstanceType.T3_SMALL).minCount(2).maxCount(2))
                    .instances().stream().map(Instance::instanceId).toList();
            waiter.waitUntilInstanceRunning(b -> b.instanceIds(ids));
            String id = ids.get(0);
            Ec2Sdk.fails("IncorrectInstanceState", () -> client.modifyInstanceAttribute(b -> b.instanceId(id).instanceType(v -> v.value("t3.medium"))));
            client.stopInstances(b -> b.instanceIds(id));
            waiter.waitUntilInstanceStopped(b -> b.instanceIds(id));
            client.modifyInstanceAttribute(b -> b.instanceId(id).instanceType(v -> v.value("t3.medium")));
            String before = Ec2Sdk.settledSnapshot(small);
            Ec2Sdk.fails("InsufficientInstanceCapacity", () -> client.startInstances(b -> b.instanceIds(id)));
            assertThat(small.snapshot()).isEqualTo(before);
            client.modifyInstanceAttribute(b -> b.instanceId(id).attribute(InstanceAttributeName.INSTANCE_TYPE).value("t3.small"));
            client.startInstances(b -> b.instanceIds(id));
            waiter.waitUntilInstanceRunning(b -> b.instanceIds(id));
        }
    }
}
