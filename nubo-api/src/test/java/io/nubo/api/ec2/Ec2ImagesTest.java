package io.nubo.api.ec2;

import com.sun.net.httpserver.HttpServer;
import io.nubo.api.images.Disks;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.OperationType;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;
import software.amazon.awssdk.services.ec2.model.ResetImageAttributeName;
import software.amazon.awssdk.services.ec2.model.ResourceType;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RegisterImage (an import from a URL), DescribeImages, Modify/Describe/ResetImageAttribute and
 * DeregisterImage through the real AWS SDK, with the disks served from a loopback HTTP server.
 */
class Ec2ImagesTest extends Ec2CloudTest {
    static HttpServer files;
    static Path dir;
    static NewAccessKey tenant;
    static Ec2Client tenantEc2;
    static NewAccessKey stranger;
    static Ec2Client strangerEc2;

    @BeforeAll
    static void serve() throws Exception {
        dir = Files.createTempDirectory("nubo-ec2-images");
        Disks.make(dir, "vpc", "disk.vhd");
        Disks.make(dir, "qcow2", "disk.qcow2");
        Files.move(Disks.shadowBacked(dir), dir.resolve("shadow.qcow2"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        files = Disks.serve(dir);
        tenant = cloud.tenant("ec2-images-tenant");
        tenantEc2 = Ec2Sdk.client(cloud, tenant);
        stranger = cloud.tenant("ec2-images-stranger");
        strangerEc2 = Ec2Sdk.client(cloud, stranger);
    }

    @AfterAll
    static void stopServing() {
        files.stop(0);
        tenantEc2.close();
        strangerEc2.close();
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    static String register(String name, String file) {
        return ec2.registerImage(r -> r.name(name).imageLocation(Disks.url(files, file)).description("from " + file)
                .tagSpecifications(t -> t.resourceType(ResourceType.IMAGE).tags(x -> x.key("src").value(file)))).imageId();
    }

    static Image describe(Ec2Client client, String id) {
        return client.describeImages(r -> r.imageIds(id)).images().get(0);
    }

    @Test
    void aVhdRegisteredFromAUrlBecomesAvailableAndLaunchable() {
        String id = register("vhd-from-url", "disk.vhd");
        assertThat(id).matches("ami-[0-9a-f]{17}");

        WaiterResponse<DescribeImagesResponse> done = Ec2Sdk.waiter(ec2).waitUntilImageAvailable(r -> r.imageIds(id));

        Image image = done.matched().response().orElseThrow().images().get(0);
        assertThat(image.stateAsString()).isEqualTo("available");
        assertThat(image.name()).isEqualTo("vhd-from-url");
        assertThat(image.description()).isEqualTo("from disk.vhd");
        assertThat(image.ownerId()).isEqualTo(cloud.admin.accountId());
        assertThat(image.publicLaunchPermissions()).isFalse();
        assertThat(image.tags()).anySatisfy(t -> assertThat(t.value()).isEqualTo("disk.vhd"));
        assertThat(image.rootDeviceName()).isEqualTo("/dev/vda");
        assertThat(ec2.describeImages(r -> r.owners("self").filters(f -> f.name("name").values("vhd-*"))).images())
                .extracting(Image::imageId).contains(id);
        String instance = ec2.runInstances(r -> r.imageId(id).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(ec2).waitUntilInstanceRunning(r -> r.instanceIds(instance));
        ec2.terminateInstances(r -> r.instanceIds(instance));
    }

    @Test
    void aHostileImageEndsFailedWithItsReason() {
        String id = register("shadow-backed", "shadow.qcow2");

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> describe(ec2, id).stateAsString().equals("failed"));

        Image image = describe(ec2, id);
        assertThat(image.stateReason().code()).isEqualTo("Client.InvalidDiskImage");
        assertThat(image.stateReason().message()).contains("backing file (/etc/shadow)");
        assertThat(ec2.deregisterImage(r -> r.imageId(id)).returnValue()).isTrue();
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> ec2.describeImages(r -> r.imageIds(id)));
    }

    @Test
    void badRegistrationsAreRefusedAndChangeNothing() throws Exception {
        String url = Disks.url(files, "disk.qcow2");
        rejects("MissingParameter", () -> ec2.registerImage(r -> r.name("no-location")));
        rejects("InvalidAMIName.Malformed", () -> ec2.registerImage(r -> r.name("a").imageLocation(url)));
        rejects("InvalidParameterValue", () -> ec2.registerImage(r -> r.name("arm").imageLocation(url).architecture("arm64")));
        rejects("InvalidParameterValue", () -> ec2.registerImage(r -> r.name("uefi").imageLocation(url).bootMode("uefi")));
        rejects("InvalidParameterValue", () -> ec2.registerImage(r -> r.name("xvda").imageLocation(url).rootDeviceName("/dev/xvda")));
        rejects("UnsupportedOperation", () -> ec2.registerImage(r -> r.name("snap").blockDeviceMappings(b -> b.deviceName("/dev/vda")
                .ebs(e -> e.snapshotId("snap-0123456789abcdef0")))));
        rejects("InvalidParameterValue", () -> ec2.registerImage(r -> r.name("ftp").imageLocation("ftp://127.0.0.1/disk.qcow2")));
        rejects("InvalidParameterValue", () -> tenantEc2.registerImage(r -> r.name("loopback").imageLocation(url)));
        rejects("UnauthorizedOperation", () -> tenantEc2.registerImage(r -> r.name("server-file").imageLocation(dir.resolve("disk.qcow2").toString())));
        rejects("InvalidDiskImage", () -> ec2.registerImage(r -> r.name("server-shadow").imageLocation(dir.resolve("shadow.qcow2").toString())));
        rejects("DryRunOperation", () -> ec2.registerImage(r -> r.name("dry").imageLocation(url).dryRun(true)));
        String first = register("twice", "disk.qcow2");
        Ec2Sdk.waiter(ec2).waitUntilImageAvailable(r -> r.imageIds(first));
        rejects("InvalidAMIName.Duplicate", () -> register("twice", "disk.qcow2"));
    }

    @Test
    void launchPermissionsShareAnImageWithNamedAccountsAndTheOperatorPublishes() {
        String id = register("to-share", "disk.qcow2");
        Ec2Sdk.waiter(ec2).waitUntilImageAvailable(r -> r.imageIds(id));
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> tenantEc2.describeImages(r -> r.imageIds(id)));

        ec2.modifyImageAttribute(r -> r.imageId(id).launchPermission(l -> l.add(p -> p.userId(tenant.accountId()))));

        assertThat(describe(tenantEc2, id).ownerId()).isEqualTo(cloud.admin.accountId());
        assertThat(tenantEc2.describeImages(r -> r.executableUsers("self")).images()).extracting(Image::imageId).contains(id);
        assertThat(tenantEc2.describeImages(r -> r.executableUsers("all")).images()).extracting(Image::imageId).doesNotContain(id);
        assertThat(ec2.describeImages(r -> r.executableUsers(tenant.accountId())).images()).extracting(Image::imageId).contains(id);
        assertThat(ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.LAUNCH_PERMISSION)).launchPermissions())
                .extracting(LaunchPermission::userId).containsExactly(tenant.accountId());
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> strangerEc2.describeImages(r -> r.imageIds(id)));
        String launched = tenantEc2.runInstances(r -> r.imageId(id).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(tenantEc2).waitUntilInstanceRunning(r -> r.instanceIds(launched));
        tenantEc2.terminateInstances(r -> r.instanceIds(launched));
        rejects("UnauthorizedOperation", () -> tenantEc2.modifyImageAttribute(r -> r.imageId(id)
                .launchPermission(l -> l.add(p -> p.userId(stranger.accountId())))));
        rejects("UnauthorizedOperation", () -> tenantEc2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.DESCRIPTION)));

        // The older shape of the same call, as the AWS CLI's --operation-type sends it.
        ec2.modifyImageAttribute(r -> r.imageId(id).attribute("launchPermission").operationType(OperationType.REMOVE)
                .userIds(tenant.accountId()));
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> tenantEc2.describeImages(r -> r.imageIds(id)));

        ec2.modifyImageAttribute(r -> r.imageId(id).launchPermission(l -> l.add(p -> p.group(PermissionGroup.ALL))));
        assertThat(describe(strangerEc2, id).publicLaunchPermissions()).isTrue();
        assertThat(ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.LAUNCH_PERMISSION)).launchPermissions())
                .extracting(LaunchPermission::groupAsString).containsExactly("all");
        ec2.resetImageAttribute(r -> r.imageId(id).attribute(ResetImageAttributeName.LAUNCH_PERMISSION));
        Ec2Sdk.fails("InvalidAMIID.NotFound", () -> strangerEc2.describeImages(r -> r.imageIds(id)));

        ec2.modifyImageAttribute(r -> r.imageId(id).description(d -> d.value("shared once")));
        assertThat(ec2.describeImageAttribute(r -> r.imageId(id).attribute(ImageAttributeName.DESCRIPTION)).description().value())
                .isEqualTo("shared once");
    }

    @Test
    void badAttributeRequestsAreRefusedAndChangeNothing() {
        String id = register("attributes", "disk.qcow2");
        Ec2Sdk.waiter(ec2).waitUntilImageAvailable(r -> r.imageIds(id));
        rejects("InvalidAMIAttributeItemValue", () -> ec2.modifyImageAttribute(r -> r.imageId(id)
                .launchPermission(l -> l.add(p -> p.userId("123")))));
        rejects("InvalidAMIID.Malformed", () -> ec2.modifyImageAttribute(r -> r.imageId("ami-nothex")
                .launchPermission(l -> l.add(p -> p.userId(tenant.accountId())))));
        rejects("InvalidAMIID.NotFound", () -> ec2.modifyImageAttribute(r -> r.imageId("ami-0123456789abcdef0")
                .launchPermission(l -> l.add(p -> p.userId(tenant.accountId())))));
        rejects("MissingParameter", () -> ec2.modifyImageAttribute(r -> r.imageId(id)));
        rejects("InvalidParameterCombination", () -> ec2.modifyImageAttribute(r -> r.imageId(id).description(d -> d.value("x"))
                .launchPermission(l -> l.add(p -> p.userId(tenant.accountId())))));
        rejects("UnsupportedOperation", () -> ec2.modifyImageAttribute(r -> r.imageId(id)
                .launchPermission(l -> l.add(p -> p.organizationArn("arn:aws:organizations::1:organization/o-x")))));
        rejects("InvalidParameterValue", () -> ec2.describeImageAttribute(r -> r.imageId(id).attribute("colour")));
        rejects("UnauthorizedOperation", () -> ec2.modifyImageAttribute(r -> r.imageId(cloud.imageId)
                .launchPermission(l -> l.remove(p -> p.group(PermissionGroup.ALL)))));
        rejects("DryRunOperation", () -> ec2.modifyImageAttribute(r -> r.imageId(id).dryRun(true)
                .launchPermission(l -> l.add(p -> p.userId(tenant.accountId())))));
    }
}
