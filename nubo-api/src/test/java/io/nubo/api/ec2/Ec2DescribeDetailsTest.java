package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instance's tags and security groups read the same whether it is described alone, with a few
 * others, or in a page of many (the store reads a few IDs and a whole page in different ways).
 */
class Ec2DescribeDetailsTest extends Ec2CloudTest {
    @Test
    void tagsAndGroupsAreTheSameAloneInAFewAndInAPage() {
        String web = ec2.createSecurityGroup(b -> b.groupName("details-web").description("d")).groupId();
        String defaultGroup = ec2.describeSecurityGroups(b -> b.groupNames("default")).securityGroups().get(0).groupId();
        List<String> ids = new ArrayList<>();
        ids.addAll(launch(20, List.of(web, defaultGroup)));
        ids.addAll(launch(3, List.of(web)));
        ids.addAll(launch(2, List.of()));
        for (int i = 0; i < ids.size(); i += 3) {
            String id = ids.get(i);
            ec2.createTags(b -> b.resources(id).tags(tag("zz", "last"), tag("Name", "web-" + id), tag("a & <b>", "\u00e9")));
        }
        Ec2Sdk.waiter(ec2).waitUntilInstanceRunning(b -> b.instanceIds(ids));

        Map<String, Instance> page = byId(ec2.describeInstances(b -> b.instanceIds(ids)).reservations().stream()
                .flatMap(r -> r.instances().stream()).toList());
        Map<String, Instance> all = byId(ec2.describeInstances().reservations().stream().flatMap(r -> r.instances().stream()).toList());
        assertThat(page).hasSize(25);
        for (int i = 0; i < ids.size(); i += 3) {
            List<String> few = ids.subList(i, Math.min(i + 3, ids.size()));
            Map<String, Instance> some = byId(ec2.describeInstances(b -> b.instanceIds(few)).reservations().stream()
                    .flatMap(r -> r.instances().stream()).toList());
            for (String id : few) {
                Instance alone = ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0);
                assertThat(page.get(id)).isEqualTo(alone).isEqualTo(some.get(id)).isEqualTo(all.get(id));
            }
        }
        Instance first = page.get(ids.get(0));
        assertThat(first.tags()).extracting(Tag::key).containsExactly("Name", "a & <b>", "zz");
        assertThat(first.securityGroups()).extracting(g -> g.groupId()).containsExactlyElementsOf(
                List.of(web, defaultGroup).stream().sorted().toList());
        assertThat(page.get(ids.get(21)).securityGroups()).extracting(g -> g.groupName()).containsExactly("details-web");
        assertThat(page.get(ids.get(1)).tags()).isEmpty();
    }

    private static List<String> launch(int count, List<String> groups) {
        return ec2.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(count).maxCount(count)
                        .securityGroupIds(groups))
                .instances().stream().map(Instance::instanceId).toList();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static Map<String, Instance> byId(List<Instance> instances) {
        return instances.stream().collect(Collectors.toMap(Instance::instanceId, Function.identity()));
    }
}
