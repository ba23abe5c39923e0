package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.PlacementGroup;
import software.amazon.awssdk.services.ec2.model.PlacementStrategy;
import software.amazon.awssdk.services.ec2.model.ResourceType;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Placement groups through the AWS SDK: create, describe, delete, and launches that join them (one host here). */
class Ec2PlacementGroupsTest extends Ec2CloudTest {
    static void rejects(String code, Executable call) {
        cloud.awaitSettled();
        String before = cloud.snapshot();
        // InsufficientInstanceCapacity is a server error on EC2 (500): the request was fine, the cloud is full.
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isEqualTo(code.equals("InsufficientInstanceCapacity") ? 500 : 400);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    private static void awaitRunning(Ec2Client ec2, String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0)
                .state().nameAsString().equals("running"));
    }

    /** Each test in an account of its own: the cloud is shared by the class. */
    private static Ec2Client account(String name) {
        return Ec2Sdk.client(cloud, cloud.tenant(name));
    }

    @Test
    void groupsAreCreatedDescribedAndDeletedAsOnEc2() {
        try (Ec2Client ec2 = account("describer")) {
            createDescribeDelete(ec2);
        }
    }

    private static void createDescribeDelete(Ec2Client ec2) {
        PlacementGroup web = ec2.createPlacementGroup(b -> b.groupName("web").strategy(PlacementStrategy.SPREAD)
                .tagSpecifications(t -> t.resourceType(ResourceType.PLACEMENT_GROUP).tags(x -> x.key("team").value("ops")))).placementGroup();
        assertThat(web.groupId()).matches("pg-[0-9a-f]{17}");
        assertThat(web.stateAsString()).isEqualTo("available");
        assertThat(web.spreadLevelAsString()).isEqualTo("host");
        assertThat(web.tags()).singleElement().satisfies(t -> assertThat(t.value()).isEqualTo("ops"));
        PlacementGroup db = ec2.createPlacementGroup(b -> b.groupName("db").strategy(PlacementStrategy.PARTITION).partitionCount(3))
                .placementGroup();
        assertThat(db.partitionCount()).isEqualTo(3);
        ec2.createPlacementGroup(b -> b.groupName("hpc").strategy(PlacementStrategy.CLUSTER));

        assertThat(ec2.describePlacementGroups().placementGroups()).extracting(PlacementGroup::groupName).containsExactly("db", "hpc", "web");
        assertThat(ec2.describePlacementGroups(b -> b.groupIds(db.groupId())).placementGroups()).extracting(PlacementGroup::groupName)
                .containsExactly("db");
        assertThat(ec2.describePlacementGroups(b -> b.filters(f -> f.name("strategy").values("spread", "cluster"))).placementGroups())
                .extracting(PlacementGroup::groupName).containsExactly("hpc", "web");
        assertThat(ec2.describePlacementGroups(b -> b.filters(f -> f.name("tag:team").values("ops"))).placementGroups())
                .extracting(PlacementGroup::groupName).containsExactly("web");

        ec2.deletePlacementGroup(b -> b.groupName("hpc"));
        assertThat(ec2.describePlacementGroups().placementGroups()).extracting(PlacementGroup::groupName).containsExactly("db", "web");
        // Another account sees none of them, and cannot delete or use them.
        try (Ec2Client other = Ec2Sdk.client(cloud, cloud.tenant("other"))) {
            assertThat(other.describePlacementGroups().placementGroups()).isEmpty();
            rejects("InvalidPlacementGroup.Unknown", () -> other.describePlacementGroups(b -> b.groupIds(db.groupId())));
            rejects("InvalidPlacementGroup.Unknown", () -> other.deletePlacementGroup(b -> b.groupName("db")));
            rejects("InvalidPlacementGroup.Unknown", () -> other.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                    .placement(p -> p.groupName("db"))));
        }
    }

    @Test
    void badInputGetsEc2sErrorsAndChangesNothing() {
        try (Ec2Client ec2 = account("bad-input")) {
            badInput(ec2);
        }
    }

    private static void badInput(Ec2Client ec2) {
        ec2.createPlacementGroup(b -> b.groupName("taken").strategy(PlacementStrategy.CLUSTER));
        rejects("InvalidPlacementGroup.Duplicate", () -> ec2.createPlacementGroup(b -> b.groupName("taken").strategy(PlacementStrategy.SPREAD)));
        rejects("InvalidParameterValue", () -> ec2.createPlacementGroup(b -> b.groupName("x").strategy("scattered")));
        rejects("MissingParameter", () -> ec2.createPlacementGroup(b -> b.groupName("x")));
        rejects("MissingParameter", () -> ec2.createPlacementGroup(b -> b.strategy(PlacementStrategy.SPREAD)));
        rejects("InvalidParameterValue", () -> ec2.createPlacementGroup(b -> b.groupName("x").strategy(PlacementStrategy.PARTITION).partitionCount(8)));
        rejects("InvalidParameterCombination", () -> ec2.createPlacementGroup(b -> b.groupName("x").strategy(PlacementStrategy.SPREAD)
                .partitionCount(2)));
        rejects("UnsupportedOperation", () -> ec2.createPlacementGroup(b -> b.groupName("x").strategy(PlacementStrategy.SPREAD).spreadLevel("rack")));
        rejects("InvalidParameterValue", () -> ec2.createPlacementGroup(b -> b.groupName("x".repeat(256)).strategy(PlacementStrategy.SPREAD)));
        rejects("InvalidPlacementGroup.Unknown", () -> ec2.describePlacementGroups(b -> b.groupNames("nope")));
        rejects("InvalidPlacementGroupId.Malformed", () -> ec2.describePlacementGroups(b -> b.groupIds("pg-zz")));
        rejects("InvalidPlacementGroup.Unknown", () -> ec2.deletePlacementGroup(b -> b.groupName("nope")));
        rejects("InvalidPlacementGroup.Unknown", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.groupName("nope"))));
        rejects("InvalidPlacementGroupId.Malformed", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.groupId("pg-1"))));
        rejects("InvalidParameterCombination", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.partitionNumber(1))));
        rejects("InvalidParameterCombination", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.groupName("taken").partitionNumber(1))));
    }

    @Test
    void launchesJoinTheirGroupAndTheGroupCannotGoWhileTheyLive() {
        try (Ec2Client ec2 = account("joiner")) {
            joinAndDelete(ec2);
        }
    }

    private static void joinAndDelete(Ec2Client ec2) {
        ec2.createPlacementGroup(b -> b.groupName("parts").strategy(PlacementStrategy.PARTITION).partitionCount(2));
        var launched = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(2).maxCount(2).placement(p -> p.groupName("parts")));
        assertThat(launched.instances()).extracting(i -> i.placement().groupName()).containsOnly("parts");
        // Each goes to the partition with the fewest members: one in each.
        assertThat(launched.instances()).extracting(i -> i.placement().partitionNumber()).containsExactlyInAnyOrder(1, 2);
        rejects("InvalidParameterValue", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.groupName("parts").partitionNumber(3))));
        String id = launched.instances().get(0).instanceId();
        Instance described = ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
        assertThat(described.placement().groupId()).startsWith("pg-");

        rejects("InvalidPlacementGroup.InUse", () -> ec2.deletePlacementGroup(b -> b.groupName("parts")));
        ec2.terminateInstances(b -> b.instanceIds(launched.instances().stream().map(Instance::instanceId).toList()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> ec2.deletePlacementGroup(b -> b.groupName("parts")));
        assertThat(ec2.describePlacementGroups().placementGroups()).extracting(PlacementGroup::groupName).doesNotContain("parts");
    }

    @Test
    void aSpreadGroupTakesOneInstancePerHost() {
        try (Ec2Client ec2 = account("spreader")) {
            spreadAndCluster(ec2);
        }
    }

    private static void spreadAndCluster(Ec2Client ec2) {
        ec2.createPlacementGroup(b -> b.groupName("apart").strategy(PlacementStrategy.SPREAD));
        String first = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).placement(p -> p.groupName("apart")))
                .instances().get(0).instanceId();
        awaitRunning(ec2, first);
        // This cloud has one host, which the first member holds.
        rejects("InsufficientInstanceCapacity", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .placement(p -> p.groupName("apart"))));
        // Asked for up to 3, it gets none beyond its room: MinCount 1 of MaxCount 3 is refused as a whole here too.
        rejects("InsufficientInstanceCapacity", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(3)
                .placement(p -> p.groupName("apart"))));
        ec2.createPlacementGroup(b -> b.groupName("together").strategy(PlacementStrategy.CLUSTER));
        var pair = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(2).maxCount(2).placement(p -> p.groupName("together")));
        pair.instances().forEach(i -> awaitRunning(ec2, i.instanceId()));
    }
}
