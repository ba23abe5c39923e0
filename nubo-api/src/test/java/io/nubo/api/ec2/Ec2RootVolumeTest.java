package io.nubo.api.ec2;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.InstanceBlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance's root disk is a volume: it has a vol- ID in the instance's block device mapping and
 * in DescribeVolumes (with its size, gp3, in-use, attached as /dev/vda, delete on termination),
 * it cannot be detached, deleted, modified or snapshotted while it is the root device, and it is
 * deleted with its instance. Through the AWS SDK for Java v2, against a cloud with the fake driver.
 */
class Ec2RootVolumeTest extends Ec2CloudTest {
    private static Ec2Waiter waiter() {
        return Ec2Sdk.waiter(ec2);
    }

    private static String launch(int rootGib) {
        return launch(rootGib, true);
    }

    private static String launch(int rootGib, boolean deleteOnTermination) {
        String id = ec2.runInstances(b -> b.imageId(cloud.imageId).minCount(1).maxCount(1).blockDeviceMappings(BlockDeviceMapping.builder()
                .deviceName("/dev/vda").ebs(EbsBlockDevice.builder().volumeSize(rootGib).deleteOnTermination(deleteOnTermination).build())
                .build())).instances().get(0).instanceId();
        waiter().waitUntilInstanceRunning(b -> b.instanceIds(id));
        return id;
    }

    private static List<InstanceBlockDeviceMapping> blockDevices(String instanceId) {
        return ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).blockDeviceMappings();
    }

    private static String rootVolumeOf(String instanceId) {
        List<InstanceBlockDeviceMapping> devices = blockDevices(instanceId);
        assertThat(devices).isNotEmpty();
        assertThat(devices.get(0).deviceName()).isEqualTo("/dev/vda");
        return devices.get(0).ebs().volumeId();
    }

    private static List<String> instancesWith(String filter, String value) {
        return ec2.describeInstances(b -> b.filters(f -> f.name(filter).values(value))).reservations().stream()
                .flatMap(r -> r.instances().stream()).map(software.amazon.awssdk.services.ec2.model.Instance::instanceId).toList();
    }

    @Test
    void theRootDiskIsAnInUseGp3VolumeOfItsSizeAttachedAsTheRootDevice() {
        String instance = launch(12);
        InstanceBlockDeviceMapping root = blockDevices(instance).get(0);
        assertThat(root.deviceName()).isEqualTo("/dev/vda");
        assertThat(root.ebs().volumeId()).matches("vol-[0-9a-f]{17}");
        assertThat(root.ebs().statusAsString()).isEqualTo("attached");
        assertThat(root.ebs().deleteOnTermination()).isTrue();
        assertThat(root.ebs().attachTime()).isNotNull();

        Volume v = ec2.describeVolumes(b -> b.volumeIds(root.ebs().volumeId())).volumes().get(0);
        assertThat(v.size()).isEqualTo(12);
        assertThat(v.volumeTypeAsString()).isEqualTo("gp3");
        assertThat(v.state()).isEqualTo(VolumeState.IN_USE);
        assertThat(v.availabilityZone()).isEqualTo("nubo-1a");
        assertThat(v.attachments()).singleElement().satisfies(a -> {
            assertThat(a.instanceId()).isEqualTo(instance);
            assertThat(a.device()).isEqualTo("/dev/vda");
            assertThat(a.state()).isEqualTo(VolumeAttachmentState.ATTACHED);
            assertThat(a.deleteOnTermination()).isTrue();
        });
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(instance))).volumes())
                .extracting(Volume::volumeId).containsExactly(v.volumeId());
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.device").values("/dev/vda"),
                f -> f.name("attachment.delete-on-termination").values("true"))).volumes()).extracting(Volume::volumeId).contains(v.volumeId());
    }

    @Test
    void anAttachedDataVolumeFollowsTheRootInTheBlockDeviceMapping() {
        String instance = launch(4);
        String data = ec2.createVolume(b -> b.availabilityZone("nubo-1a").size(1)).volumeId();
        waiter().waitUntilVolumeAvailable(b -> b.volumeIds(data));
        ec2.attachVolume(b -> b.volumeId(data).instanceId(instance).device("/dev/sdf"));
        await().atMost(Duration.ofSeconds(20)).until(() -> blockDevices(instance).stream()
                .anyMatch(d -> d.ebs().volumeId().equals(data) && d.ebs().statusAsString().equals("attached")));
        List<InstanceBlockDeviceMapping> devices = blockDevices(instance);
        assertThat(devices).extracting(InstanceBlockDeviceMapping::deviceName).containsExactly("/dev/vda", "/dev/sdf");
        assertThat(devices.get(1).ebs().deleteOnTermination()).isFalse();
        // The block-device-mapping filters find the instance by either of its volumes.
        assertThat(instancesWith("block-device-mapping.volume-id", devices.get(0).ebs().volumeId())).containsExactly(instance);
        assertThat(instancesWith("block-device-mapping.volume-id", data)).containsExactly(instance);
        assertThat(instancesWith("block-device-mapping.device-name", "/dev/sdf")).containsExactly(instance);
        assertThat(instancesWith("block-device-mapping.delete-on-termination", "false")).containsExactly(instance);
        assertThat(instancesWith("block-device-mapping.status", "attached")).contains(instance);
        assertThat(instancesWith("block-device-mapping.volume-id", "vol-0123456789abcdef0")).isEmpty();
        // DescribeInstanceAttribute shows the same mapping.
        assertThat(ec2.describeInstanceAttribute(b -> b.instanceId(instance).attribute(InstanceAttributeName.BLOCK_DEVICE_MAPPING))
                .blockDeviceMappings()).extracting(d -> d.ebs().volumeId()).containsExactly(devices.get(0).ebs().volumeId(), data);
    }

    @Test
    void whileItIsTheRootDeviceItCannotBeDetachedDeletedModifiedSnapshottedOrAttachedElsewhere() {
        String instance = launch(4);
        String other = launch(4);
        String volume = rootVolumeOf(instance);
        Ec2Sdk.rejects(cloud, "IncorrectState", () -> ec2.detachVolume(b -> b.volumeId(volume)));
        Ec2Sdk.rejects(cloud, "IncorrectState", () -> ec2.detachVolume(b -> b.volumeId(volume).force(true)));
        Ec2Sdk.rejects(cloud, "VolumeInUse", () -> ec2.deleteVolume(b -> b.volumeId(volume)));
        Ec2Sdk.rejects(cloud, "UnsupportedOperation", () -> ec2.modifyVolume(b -> b.volumeId(volume).size(8)));
        Ec2Sdk.rejects(cloud, "UnsupportedOperation", () -> ec2.createSnapshot(b -> b.volumeId(volume)));
        Ec2Sdk.rejects(cloud, "VolumeInUse", () -> ec2.attachVolume(b -> b.volumeId(volume).instanceId(other).device("/dev/sdg")));
        // Another tenant does not see it at all.
        try (Ec2Client foreign = Ec2Sdk.client(cloud, cloud.tenant("root-volume-other"))) {
            Ec2Sdk.rejects(cloud, "InvalidVolume.NotFound", () -> foreign.describeVolumes(b -> b.volumeIds(volume)));
            Ec2Sdk.rejects(cloud, "InvalidVolume.NotFound", () -> foreign.deleteVolume(b -> b.volumeId(volume)));
        }
    }

    @Test
    void itIsDeletedWithItsInstanceAndItsEventsSayWhen() {
        String instance = launch(4);
        String volume = rootVolumeOf(instance);
        ec2.terminateInstances(b -> b.instanceIds(instance));
        waiter().waitUntilInstanceTerminated(b -> b.instanceIds(instance));
        Ec2Sdk.fails("InvalidVolume.NotFound", () -> ec2.describeVolumes(b -> b.volumeIds(volume)));
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(instance))).volumes()).isEmpty();
        List<String> states = cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT coalesce(from_state, '-') || '>' || to_state FROM events WHERE resource_id = :v AND type = 'volume.state' ORDER BY id")
                .bind("v", volume).mapTo(String.class).list());
        assertThat(states).containsExactly("->in-use", "in-use>deleted");
        // Its pool has the space back: no claim of the instance is left.
        long claims = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM instance_root_disks WHERE instance_id = :i")
                .bind("i", instance).mapTo(Long.class).one());
        assertThat(claims).isZero();
    }

    @Test
    void aRootVolumeLaunchedToOutliveItsInstanceIsKeptOnTheSharedPoolAndAttachesElsewhere() {
        String instance = launch(4, false);
        String other = launch(4);
        assertThat(blockDevices(instance).get(0).ebs().deleteOnTermination()).isFalse();
        String volume = rootVolumeOf(instance);
        ec2.terminateInstances(b -> b.instanceIds(instance));
        waiter().waitUntilInstanceTerminated(b -> b.instanceIds(instance));

        Volume kept = ec2.describeVolumes(b -> b.volumeIds(volume)).volumes().get(0);
        assertThat(kept.state()).isEqualTo(VolumeState.AVAILABLE);
        assertThat(kept.attachments()).isEmpty();
        assertThat(kept.size()).isEqualTo(4);
        String pool = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT path FROM storage_pools WHERE name = 'shared'").mapTo(String.class).one());
        java.nio.file.Path file = java.nio.file.Path.of(pool, "volumes", volume + ".qcow2");
        assertThat(file).isRegularFile();
        assertThat(java.nio.file.Path.of(pool, "volumes", volume + ".qcow2.part")).doesNotExist();
        List<String> states = cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT coalesce(from_state, '-') || '>' || to_state FROM events WHERE resource_id = :v AND type = 'volume.state' ORDER BY id")
                .bind("v", volume).mapTo(String.class).list());
        assertThat(states).containsExactly("->in-use", "in-use>available");

        // Now an ordinary volume: another instance takes it; it is neither grown nor snapshotted (a qcow2 file).
        ec2.attachVolume(b -> b.volumeId(volume).instanceId(other).device("/dev/sdf"));
        await().atMost(Duration.ofSeconds(20)).until(() -> cloud.hypervisor.volumes(other).containsKey(volume));
        Ec2Sdk.rejects(cloud, "UnsupportedOperation", () -> ec2.modifyVolume(b -> b.volumeId(volume).size(8)));
        Ec2Sdk.rejects(cloud, "UnsupportedOperation", () -> ec2.createSnapshot(b -> b.volumeId(volume)));
        ec2.detachVolume(b -> b.volumeId(volume));
        waiter().waitUntilVolumeAvailable(b -> b.volumeIds(volume));
        ec2.deleteVolume(b -> b.volumeId(volume));
        await().atMost(Duration.ofSeconds(20)).until(() -> !java.nio.file.Files.exists(file));
    }

    @Test
    void modifyInstanceAttributeSetsDeleteOnTerminationOfTheRootAndOfAttachedVolumes() {
        String instance = launch(4);
        String data = ec2.createVolume(b -> b.availabilityZone("nubo-1a").size(1)).volumeId();
        waiter().waitUntilVolumeAvailable(b -> b.volumeIds(data));
        ec2.attachVolume(b -> b.volumeId(data).instanceId(instance).device("/dev/sdf"));
        await().atMost(Duration.ofSeconds(20)).until(() -> blockDevices(instance).size() == 2);

        ec2.modifyInstanceAttribute(b -> b.instanceId(instance).blockDeviceMappings(
                m -> m.deviceName("/dev/vda").ebs(e -> e.deleteOnTermination(false)),
                m -> m.deviceName("/dev/sdf").ebs(e -> e.deleteOnTermination(true))));
        assertThat(blockDevices(instance)).extracting(d -> d.ebs().deleteOnTermination()).containsExactly(false, true);
        assertThat(ec2.describeVolumes(b -> b.volumeIds(data)).volumes().get(0).attachments().get(0).deleteOnTermination()).isTrue();

        Ec2Sdk.rejects(cloud, "InvalidParameterValue", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(instance).blockDeviceMappings(
                m -> m.deviceName("/dev/vda").ebs(e -> e.deleteOnTermination(true)),
                m -> m.deviceName("/dev/sdk").ebs(e -> e.deleteOnTermination(true)))));
        Ec2Sdk.rejects(cloud, "MissingParameter", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(instance).blockDeviceMappings(
                m -> m.deviceName("/dev/vda").ebs(e -> e.volumeId(data)))));
        Ec2Sdk.rejects(cloud, "InvalidParameterCombination", () -> ec2.modifyInstanceAttribute(b -> b.instanceId(instance)
                .instanceType(v -> v.value("t3.small")).blockDeviceMappings(m -> m.deviceName("/dev/vda").ebs(e -> e.deleteOnTermination(true)))));
        Ec2Sdk.rejects(cloud, "InvalidInstanceID.NotFound", () -> ec2.modifyInstanceAttribute(b -> b.instanceId("i-0123456789abcdef0")
                .blockDeviceMappings(m -> m.deviceName("/dev/vda").ebs(e -> e.deleteOnTermination(true)))));

        // The data volume goes with the instance now; the root volume stays.
        String root = rootVolumeOf(instance);
        ec2.terminateInstances(b -> b.instanceIds(instance));
        waiter().waitUntilInstanceTerminated(b -> b.instanceIds(instance));
        assertThat(ec2.describeVolumes(b -> b.volumeIds(root)).volumes().get(0).state()).isEqualTo(VolumeState.AVAILABLE);
        await().atMost(Duration.ofSeconds(20)).until(() -> ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(data)))
                .volumes().isEmpty());
        ec2.deleteVolume(b -> b.volumeId(root));
    }
}
