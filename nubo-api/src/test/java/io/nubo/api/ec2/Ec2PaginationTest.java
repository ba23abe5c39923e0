package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SDK's paginators across 250 instances, with and without filters. */
class Ec2PaginationTest {
    @Test
    void describeInstancesPaginatorWalksAllTwoHundredFiftyInstancesInPages() throws Exception {
        try (TestCloud cloud = new TestCloud(1024, 1024 * 1024); Ec2Client ec2 = Ec2Sdk.client(cloud, cloud.admin)) {
            List<String> launched = ec2.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(250).maxCount(250)
                    .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(x -> x.key("batch").value("big"))))
                    .instances().stream().map(Instance::instanceId).toList();
            assertThat(launched).hasSize(250);
            Ec2Sdk.waiter(ec2).waitUntilInstanceRunning(b -> b.instanceIds(launched));

            List<DescribeInstancesResponse> pages = ec2.describeInstancesPaginator(b -> b.maxResults(100)).stream().toList();
            assertThat(pages).hasSize(3);
            assertThat(pages.get(0).nextToken()).isNotBlank();
            assertThat(pages.get(2).nextToken()).isNull();
            assertThat(pages).allSatisfy(p -> assertThat(p.reservations().stream().mapToInt(r -> r.instances().size()).sum()).isLessThanOrEqualTo(100));
            List<String> seen = pages.stream().flatMap(p -> p.reservations().stream()).flatMap(r -> r.instances().stream())
                    .map(Instance::instanceId).toList();
            assertThat(seen).hasSize(250).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(launched);

            List<String> filtered = ec2.describeInstancesPaginator(b -> b.maxResults(40).filters(f -> f.name("tag:batch").values("big"),
                    f -> f.name("instance-state-name").values("running"))).reservations().stream().flatMap(r -> r.instances().stream())
                    .map(Instance::instanceId).toList();
            assertThat(filtered).hasSize(250).doesNotHaveDuplicates();
            assertThat(ec2.describeInstances().reservations().stream().mapToInt(r -> r.instances().size()).sum())
                    .as("without MaxResults everything comes at once").isEqualTo(250);

            List<String> statuses = ec2.describeInstanceStatusPaginator(b -> b.maxResults(100)).instanceStatuses().stream()
                    .map(InstanceStatus::instanceId).toList();
            assertThat(statuses).hasSize(250).doesNotHaveDuplicates();
        }
    }
}
