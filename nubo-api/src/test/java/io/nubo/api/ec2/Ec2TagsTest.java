package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Tags on every taggable resource type, through the AWS SDK. */
class Ec2TagsTest extends Ec2CloudTest {
    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    static List<TagDescription> tagsOf(String id) {
        return ec2.describeTags(b -> b.filters(f -> f.name("resource-id").values(id))).tags();
    }

    @Test
    void everyResourceTypeCanBeTaggedUntaggedAndFoundByItsTags() {
        String instance = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        String group = ec2.createSecurityGroup(b -> b.groupName("tagged").description("d")).groupId();
        String key = ec2.createKeyPair(b -> b.keyName("tagged")).keyPairId();
        String vpc = ec2.describeVpcs().vpcs().get(0).vpcId();
        String subnet = ec2.describeSubnets().subnets().get(0).subnetId();
        List<String> all = List.of(instance, cloud.imageId, group, key, vpc, subnet);

        ec2.createTags(b -> b.resources(all).tags(Tag.builder().key("project").value("apollo").build(), Tag.builder().key("empty").build()));
        for (String id : all) {
            assertThat(tagsOf(id)).extracting(TagDescription::key, TagDescription::value).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("empty", ""), org.assertj.core.groups.Tuple.tuple("project", "apollo"));
        }
        assertThat(ec2.describeTags(b -> b.filters(f -> f.name("key").values("project"))).tags()).extracting(TagDescription::resourceTypeAsString)
                .containsExactlyInAnyOrder("instance", "image", "security-group", "key-pair", "vpc", "subnet");
        assertThat(ec2.describeTags(b -> b.filters(f -> f.name("resource-type").values("vpc"), f -> f.name("value").values("apol*"))).tags())
                .singleElement().satisfies(t -> assertThat(t.resourceId()).isEqualTo(vpc));
        assertThat(ec2.describeInstances(b -> b.filters(f -> f.name("tag:project").values("apollo"))).reservations()).hasSize(1);
        assertThat(ec2.describeImages(b -> b.filters(f -> f.name("tag:project").values("apollo"))).images()).hasSize(1);
        assertThat(ec2.describeSecurityGroups(b -> b.filters(f -> f.name("tag-key").values("project"))).securityGroups()).hasSize(1);
        assertThat(ec2.describeKeyPairs(b -> b.filters(f -> f.name("tag-value").values("apollo"))).keyPairs()).hasSize(1);
        assertThat(ec2.describeVpcs(b -> b.filters(f -> f.name("tag:project").values("apollo"))).vpcs()).hasSize(1);
        assertThat(ec2.describeSubnets(b -> b.filters(f -> f.name("tag:project").values("apollo"))).subnets()).hasSize(1);

        ec2.createTags(b -> b.resources(instance).tags(Tag.builder().key("project").value("gemini").build()));
        assertThat(tagsOf(instance)).anySatisfy(t -> assertThat(t.value()).isEqualTo("gemini"));
        ec2.deleteTags(b -> b.resources(instance).tags(Tag.builder().key("project").value("apollo").build()));
        assertThat(tagsOf(instance)).as("a value that does not match deletes nothing").hasSize(2);
        ec2.deleteTags(b -> b.resources(instance).tags(Tag.builder().key("empty").value("").build()));
        assertThat(tagsOf(instance)).extracting(TagDescription::key).containsExactly("project");
        ec2.deleteTags(b -> b.resources(group).tags(Tag.builder().key("project").build()));
        assertThat(tagsOf(group)).extracting(TagDescription::key).containsExactly("empty");
        ec2.deleteTags(b -> b.resources(vpc, subnet));
        assertThat(tagsOf(vpc)).isEmpty();
        assertThat(tagsOf(subnet)).isEmpty();
    }

    @Test
    void anInstancesNameTagIsItsName() {
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        ec2.createTags(b -> b.resources(id).tags(Tag.builder().key("Name").value("renamed").build()));
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("name").asText()).isEqualTo("renamed");
        ec2.deleteTags(b -> b.resources(id).tags(Tag.builder().key("Name").build()));
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().has("name")).isFalse();
        TestCloud.Reply viaRest = cloud.call(cloud.admin, "POST", "/api/v1/instances",
                "{\"imageId\":\"" + cloud.imageId + "\",\"instanceType\":\"t3.nano\",\"name\":\"from-rest\"}");
        String restId = viaRest.json().path("instances").get(0).path("instanceId").asText();
        assertThat(tagsOf(restId)).singleElement().satisfies(t -> assertThat(t.value()).isEqualTo("from-rest"));
    }

    @Test
    void describeTagsPaginates() {
        String group = ec2.createSecurityGroup(b -> b.groupName("many-tags").description("d")).groupId();
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            tags.add(Tag.builder().key("k" + i).value("v" + i).build());
        }
        ec2.createTags(b -> b.resources(group).tags(tags));
        var pages = ec2.describeTagsPaginator(b -> b.maxResults(5).filters(Filter.builder().name("resource-id").values(group).build()));
        assertThat(pages.stream().count()).isEqualTo(3);
        assertThat(pages.tags().stream().map(TagDescription::key).toList()).hasSize(12).doesNotHaveDuplicates();
    }

    @Test
    void badTagRequestsChangeNothing() {
        String group = ec2.createSecurityGroup(b -> b.groupName("tag-errors").description("d")).groupId();
        Tag ok = Tag.builder().key("k").value("v").build();
        rejects("MissingParameter", () -> ec2.createTags(b -> b.tags(ok)));
        rejects("MissingParameter", () -> ec2.createTags(b -> b.resources(group)));
        rejects("MissingParameter", () -> ec2.deleteTags(b -> b.tags(ok)));
        rejects("InvalidVolume.NotFound", () -> ec2.createTags(b -> b.resources("vol-0123456789abcdef0").tags(ok)));
        rejects("InvalidID", () -> ec2.createTags(b -> b.resources("nonsense").tags(ok)));
        rejects("InvalidInstanceID.NotFound", () -> ec2.createTags(b -> b.resources(group, "i-0123456789abcdef0").tags(ok)));
        rejects("InvalidAMIID.NotFound", () -> ec2.createTags(b -> b.resources("ami-0123456789abcdef0").tags(ok)));
        rejects("InvalidGroup.NotFound", () -> ec2.createTags(b -> b.resources("sg-0123456789abcdef0").tags(ok)));
        rejects("InvalidVpcID.NotFound", () -> ec2.createTags(b -> b.resources("vpc-0123456789abcdef0").tags(ok)));
        rejects("InvalidSubnetID.NotFound", () -> ec2.createTags(b -> b.resources("subnet-0123456789abcdef0").tags(ok)));
        rejects("InvalidKeyPair.NotFound", () -> ec2.createTags(b -> b.resources("key-0123456789abcdef0").tags(ok)));
        rejects("InvalidParameterValue", () -> ec2.createTags(b -> b.resources(group).tags(Tag.builder().key("aws:owner").value("x").build())));
        rejects("InvalidParameterValue", () -> ec2.createTags(b -> b.resources(group).tags(Tag.builder().key("k".repeat(129)).value("x").build())));
        rejects("InvalidParameterValue", () -> ec2.createTags(b -> b.resources(group).tags(Tag.builder().key("k").value("v".repeat(257)).build())));
        rejects("InvalidParameterValue", () -> ec2.createTags(b -> b.resources(group).tags(ok, Tag.builder().key("k").value("w").build())));
        List<Tag> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add(Tag.builder().key("t" + i).value("").build());
        }
        ec2.createTags(b -> b.resources(group).tags(fifty));
        rejects("TagLimitExceeded", () -> ec2.createTags(b -> b.resources(group).tags(ok)));
        rejects("InvalidParameterValue", () -> ec2.describeTags(b -> b.filters(f -> f.name("colour").values("x"))));
        rejects("InvalidParameterValue", () -> ec2.describeTags(b -> b.maxResults(2)));
        rejects("InvalidPaginationToken", () -> ec2.describeTags(b -> b.nextToken("nope")));
        rejects("MissingParameter", () -> ec2.createTags(b -> b.resources(group).tags(Tag.builder().value("no key").build())));
        rejects("InvalidParameterValue", () -> ec2.createSecurityGroup(b -> b.groupName("tagged-on-create").description("d")
                .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(ok))));
    }
}
