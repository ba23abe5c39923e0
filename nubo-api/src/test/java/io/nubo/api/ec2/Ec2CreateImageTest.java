package io.nubo.api.ec2;

import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;
import software.amazon.awssdk.services.ec2.model.ResourceType;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CreateImage (running with and without NoReboot, stopped) and CopyImage (own, public, shared;
 * ClientToken) through the real AWS SDK, on the fake driver: the new images go pending, then
 * available, are private to the caller, launch, and deregister; every bad request gets EC2's code
 * and changes nothing.
 */
class Ec2CreateImageTest extends Ec2CloudTest {
    static NewAccessKey tenant;
    static Ec2Client tenantEc2;
    static NewAccessKey stranger;
    static Ec2Client strangerEc2;

    @BeforeAll
    static void accounts() {
        tenant = cloud.tenant("create-image-tenant");
        tenantEc2 = Ec2Sdk.client(cloud, tenant);
        stranger = cloud.tenant("create-image-stranger");
        strangerEc2 = Ec2Sdk.client(cloud, stranger);
    }

    @AfterAll
    static void closeClients() {
        tenantEc2.close();
        strangerEc2.close();
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    static String runningInstance(Ec2Client client) {
        String id = client.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(client).waitUntilInstanceRunning(r -> r.instanceIds(id));
        return id;
    }

    static Image describe(Ec2Client client, String id) {
        return client.describeImages(r -> r.imageIds(id)).images().get(0);
    }

    static Image available(Ec2Client client, String id) {
        return Ec2Sdk.waiter(client).waitUntilImageAvailable(r -> r.imageIds(id)).matched().response().orElseThrow().images().get(0);
    }

    static List<String> instanceStates(String instanceId) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT to_state FROM events WHERE resource_id = :i AND type = 'instance.state' ORDER BY id")
                .bind("i", instanceId).mapTo(String.class).list());
    }

    static InstanceStateName state(Ec2Client client, String instanceId) {
        return client.describeInstances(r -> r.instanceIds(instanceId)).reservations().get(0).instances().get(0).state().name();
    }

    @Test
    void aRunningInstanceImagedWithNoRebootKeepsRunningAndItsImageLaunches() {
        String instance = runningInstance(tenantEc2);

        String imageId = tenantEc2.createImage(r -> r.instanceId(instance).name("live copy").description("taken live").noReboot(true)
                .tagSpecifications(t -> t.resourceType(ResourceType.IMAGE).tags(x -> x.key("from").value(instance)))).imageId();

        assertThat(imageId).matches("ami-[0-9a-f]{17}");
        Image image = available(tenantEc2, imageId);
        assertThat(image.name()).isEqualTo("live copy");
        assertThat(image.description()).isEqualTo("taken live");
        assertThat(image.ownerId()).isEqualTo(tenant.accountId());
        assertThat(image.publicLaunchPermissions()).isFalse();
        assertThat(image.tags()).anySatisfy(t -> assertThat(t.value()).isEqualTo(instance));
        assertThat(instanceStates(instance)).containsExactly("pending", "running");
        assertThat(state(tenantEc2, instance)).isEqualTo(InstanceStateName.RUNNING);
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> strangerEc2.describeImages(r -> r.imageIds(imageId)));
        String file = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT location FROM images WHERE id = :i").bind("i", imageId)
                .mapTo(String.class).one());
        assertThat(file).endsWith(imageId + ".qcow2");
        assertThat(java.nio.file.Path.of(file)).isRegularFile();

        String launched = tenantEc2.runInstances(r -> r.imageId(imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(tenantEc2).waitUntilInstanceRunning(r -> r.instanceIds(launched));
        tenantEc2.terminateInstances(r -> r.instanceIds(launched, instance));
        assertThat(tenantEc2.deregisterImage(r -> r.imageId(imageId)).returnValue()).isTrue();
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> tenantEc2.describeImages(r -> r.imageIds(imageId)));
    }

    @Test
    void withoutNoRebootTheInstanceIsStoppedImagedAndStartedAgain() {
        String instance = runningInstance(tenantEc2);

        String imageId = tenantEc2.createImage(r -> r.instanceId(instance).name("rebooted copy")).imageId();

        available(tenantEc2, imageId);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(tenantEc2, instance) == InstanceStateName.RUNNING);
        assertThat(instanceStates(instance)).containsExactly("pending", "running", "stopping", "stopped", "pending", "running");
        tenantEc2.terminateInstances(r -> r.instanceIds(instance));
    }

    @Test
    void aStoppedInstanceIsImagedAndStaysStopped() {
        String instance = runningInstance(tenantEc2);
        tenantEc2.stopInstances(r -> r.instanceIds(instance));
        Ec2Sdk.waiter(tenantEc2).waitUntilInstanceStopped(r -> r.instanceIds(instance));

        String imageId = tenantEc2.createImage(r -> r.instanceId(instance).name("stopped copy")).imageId();

        available(tenantEc2, imageId);
        assertThat(state(tenantEc2, instance)).isEqualTo(InstanceStateName.STOPPED);
        tenantEc2.terminateInstances(r -> r.instanceIds(instance));
    }

    @Test
    void badCreateImageRequestsAreRefusedAndChangeNothing() {
        String instance = runningInstance(tenantEc2);
        String foreign = runningInstance(strangerEc2);
        String gone = runningInstance(tenantEc2);
        tenantEc2.terminateInstances(r -> r.instanceIds(gone));
        Ec2Sdk.waiter(tenantEc2).waitUntilInstanceTerminated(r -> r.instanceIds(gone));

        rejects("InvalidInstanceID.Malformed", () -> tenantEc2.createImage(r -> r.instanceId("i-nothex").name("bad id")));
        rejects("InvalidInstanceID.NotFound", () -> tenantEc2.createImage(r -> r.instanceId("i-0123456789abcdef0").name("unknown")));
        rejects("InvalidInstanceID.NotFound", () -> tenantEc2.createImage(r -> r.instanceId(foreign).name("foreign")));
        rejects("IncorrectState", () -> tenantEc2.createImage(r -> r.instanceId(gone).name("terminated")));
        rejects("InvalidAMIName.Malformed", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("a")));
        rejects("InvalidAMIName.Malformed", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("semi;colon")));
        rejects("MissingParameter", () -> tenantEc2.createImage(r -> r.instanceId(instance)));
        rejects("UnsupportedOperation", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("with volumes")
                .blockDeviceMappings(b -> b.deviceName("/dev/vdb").ebs(e -> e.volumeSize(1)))));
        rejects("InvalidParameterValue", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("bad tags")
                .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(x -> x.key("k").value("v")))));
        rejects("DryRunOperation", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("dry").noReboot(true).dryRun(true)));

        String first = tenantEc2.createImage(r -> r.instanceId(instance).name("taken name").noReboot(true)).imageId();
        available(tenantEc2, first);
        rejects("InvalidAMIName.Duplicate", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("taken name").noReboot(true)));

        cloud.call(cloud.admin, "PUT", "/api/v1/accounts/" + tenant.accountId() + "/quotas", "{\"images\":0}");
        try {
            rejects("ResourceLimitExceeded", () -> tenantEc2.createImage(r -> r.instanceId(instance).name("over quota").noReboot(true)));
            rejects("ResourceLimitExceeded", () -> tenantEc2.copyImage(r -> r.sourceImageId(first).sourceRegion(Ec2Sdk.REGION.id())
                    .name("copy over quota")));
        } finally {
            cloud.call(cloud.admin, "PUT", "/api/v1/accounts/" + tenant.accountId() + "/quotas", "{\"images\":1000}");
        }
        tenantEc2.terminateInstances(r -> r.instanceIds(instance));
        strangerEc2.terminateInstances(r -> r.instanceIds(foreign));
    }

    @Test
    void copyImageCopiesOwnPublicAndSharedImagesIntoPrivateOnes() {
        String adminInstance = runningInstance(ec2);
        String source = ec2.createImage(r -> r.instanceId(adminInstance).name("to copy").noReboot(true)).imageId();
        available(ec2, source);
        ec2.terminateInstances(r -> r.instanceIds(adminInstance));
        String region = Ec2Sdk.REGION.id();
        rejects("InvalidAMIID.NotFound", () -> tenantEc2.copyImage(r -> r.sourceImageId(source).sourceRegion(region).name("not yet")));

        String own = ec2.copyImage(r -> r.sourceImageId(source).sourceRegion(region).name("own copy").description("mine")).imageId();
        Image ownCopy = available(ec2, own);
        assertThat(ownCopy.ownerId()).isEqualTo(cloud.admin.accountId());
        assertThat(ownCopy.description()).isEqualTo("mine");
        assertThat(ownCopy.publicLaunchPermissions()).isFalse();

        ec2.modifyImageAttribute(r -> r.imageId(source).launchPermission(l -> l.add(p -> p.userId(tenant.accountId()))));
        String shared = tenantEc2.copyImage(r -> r.sourceImageId(source).sourceRegion(region).name("shared copy").clientToken("token-1"))
                .imageId();
        assertThat(tenantEc2.copyImage(r -> r.sourceImageId(source).sourceRegion(region).name("shared copy").clientToken("token-1"))
                .imageId()).as("the same token and request give the same image").isEqualTo(shared);
        rejects("IdempotentParameterMismatch", () -> tenantEc2.copyImage(r -> r.sourceImageId(source).sourceRegion(region)
                .name("another name").clientToken("token-1")));
        assertThat(available(tenantEc2, shared).ownerId()).isEqualTo(tenant.accountId());
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> strangerEc2.describeImages(r -> r.imageIds(shared)));

        ec2.modifyImageAttribute(r -> r.imageId(source).launchPermission(l -> l.add(p -> p.group(PermissionGroup.ALL))));
        String fromPublic = strangerEc2.copyImage(r -> r.sourceImageId(source).sourceRegion(region).name("public copy")).imageId();
        assertThat(available(strangerEc2, fromPublic).ownerId()).isEqualTo(stranger.accountId());
        String launched = strangerEc2.runInstances(r -> r.imageId(fromPublic).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(strangerEc2).waitUntilInstanceRunning(r -> r.instanceIds(launched));
        strangerEc2.terminateInstances(r -> r.instanceIds(launched));
        assertThat(strangerEc2.deregisterImage(r -> r.imageId(fromPublic)).returnValue()).isTrue();
    }

    @Test
    void badCopyImageRequestsAreRefusedAndChangeNothing() {
        String region = Ec2Sdk.REGION.id();
        rejects("InvalidParameterValue", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion("eu-west-1").name("elsewhere")));
        rejects("InvalidAMIID.Malformed", () -> ec2.copyImage(r -> r.sourceImageId("ami-nothex").sourceRegion(region).name("malformed")));
        rejects("InvalidAMIID.NotFound", () -> ec2.copyImage(r -> r.sourceImageId("ami-0123456789abcdef0").sourceRegion(region)
                .name("unknown")));
        rejects("InvalidAMIName.Malformed", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion(region).name("x")));
        rejects("MissingParameter", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion(region)));
        rejects("UnsupportedOperation", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion(region).name("sealed")
                .encrypted(true)));
        rejects("InvalidParameterValue", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion(region).name("long token")
                .clientToken("t".repeat(65))));
        rejects("DryRunOperation", () -> ec2.copyImage(r -> r.sourceImageId(cloud.imageId).sourceRegion(region).name("dry").dryRun(true)));
    }
}
