package io.nubo.api.ec2;

import io.nubo.core.Ids;
import io.nubo.core.model.Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** RunInstances' BlockDeviceMapping for the root device sizes the root disk; everything else a mapping asks for is refused. */
class Ec2RootDiskTest extends Ec2CloudTest {
    static void rejects(String code, Executable call) {
        cloud.awaitSettled();
        String before = cloud.snapshot();
        assertThat(Ec2Sdk.fails(code, call).statusCode()).isEqualTo(400);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    private static BlockDeviceMapping root(String device, EbsBlockDevice ebs) {
        return BlockDeviceMapping.builder().deviceName(device).ebs(ebs).build();
    }

    @Test
    void theRootDeviceMappingSizesTheRootDisk() {
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(12).volumeType("gp3").deleteOnTermination(true).build())))
                .instances().get(0).instanceId();
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + id, null).json().path("rootDiskGib").asInt()).isEqualTo(12);
        // The names other clouds' images give their root device are the root device too.
        String other = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/xvda", EbsBlockDevice.builder().volumeSize(5).build()))).instances().get(0).instanceId();
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + other, null).json().path("rootDiskGib").asInt()).isEqualTo(5);
        // Without a mapping the disk is the image's size.
        String plain = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        assertThat(cloud.call(cloud.admin, "GET", "/api/v1/instances/" + plain, null).json().path("rootDiskGib").isNumber()).isFalse();
    }

    @Test
    void theRestApiTakesTheSameSizeAndTheSameLimits() {
        var launched = cloud.call(cloud.admin, "POST", "/api/v1/instances", "{\"imageId\":\"" + cloud.imageId + "\",\"rootDiskGib\":7}");
        assertThat(launched.status()).isEqualTo(201);
        assertThat(launched.json().path("instances").get(0).path("rootDiskGib").asInt()).isEqualTo(7);
        cloud.awaitSettled();
        String before = cloud.snapshot();
        var refused = cloud.call(cloud.admin, "POST", "/api/v1/instances", "{\"imageId\":\"" + cloud.imageId + "\",\"rootDiskGib\":0}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.code()).isEqualTo("InvalidBlockDeviceMapping");
        assertThat(cloud.snapshot()).isEqualTo(before);
    }

    @Test
    void whatNuboCannotDoIsRefusedAndNothingLaunches() {
        String image = Ids.next(Ids.IMAGE);
        cloud.db.inTransaction(s -> {
            // An image whose guests see 4 GiB: a smaller root disk cannot hold it.
            s.images().insert(new Image(image, "four-gib", "", cloud.admin.accountId(), false, "available", "qcow2", "/four.qcow2", "x86_64",
                    Instant.now(), null, 100, null, 1L << 20, 4L << 30));
            return null;
        });
        rejects("InvalidBlockDeviceMapping", () -> ec2.runInstances(b -> b.imageId(image).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(3).build()))));
        rejects("InvalidBlockDeviceMapping", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(0).build()))));
        rejects("InvalidBlockDeviceMapping", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(16385).build()))));
        rejects("InvalidBlockDeviceMapping", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(4).build()),
                        root("/dev/xvda", EbsBlockDevice.builder().volumeSize(5).build()))));
        rejects("InvalidParameterValue", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(4).volumeType("sc1").build()))));
        rejects("UnsupportedOperation", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/sdf", EbsBlockDevice.builder().volumeSize(4).build()))));
        rejects("UnsupportedOperation", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(4).encrypted(true).build()))));
        rejects("UnsupportedOperation", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().volumeSize(4).volumeType("gp2").build()))));
        rejects("UnsupportedOperation", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(root("/dev/vda", EbsBlockDevice.builder().snapshotId("snap-0123456789abcdef0").build()))));
        rejects("MissingParameter", () -> ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1)
                .blockDeviceMappings(BlockDeviceMapping.builder().ebs(EbsBlockDevice.builder().volumeSize(4).build()).build())));
    }
}
