package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateVolumeRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.model.VolumeModificationState;
import software.amazon.awssdk.services.ec2.model.VolumeState;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The volume actions through the AWS SDK for Java v2, against a cloud with the fake driver: the
 * whole lifecycle (create, attach hot and cold, grow, detach, multi-attach, forced detach,
 * delete), what the host's VMs end up with, and every refusal with EC2's code and nothing changed.
 */
class Ec2VolumesTest {
    static final long GIB = 1L << 30;
    static final String ZONE = "nubo-1a";
    static final String UNKNOWN = "vol-0123456789abcdef0";
    static TestCloud cloud;
    static Ec2Client ec2;
    static Ec2Waiter waiter;
    static String running;
    static String running2;
    static String stopped;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        ec2 = Ec2Sdk.client(cloud, cloud.admin);
        waiter = Ec2Sdk.waiter(ec2);
        running = launch();
        running2 = launch();
        stopped = launch();
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(running, running2, stopped));
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

    static String create(Consumer<CreateVolumeRequest.Builder> more) {
        String id = ec2.createVolume(b -> {
            b.availabilityZone(ZONE).size(1);
            more.accept(b);
        }).volumeId();
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        return id;
    }

    static Volume describe(String id) {
        return ec2.describeVolumes(b -> b.volumeIds(id)).volumes().get(0);
    }

    static void awaitAttachment(String volume, String instance, VolumeAttachmentState state) {
        await().atMost(Duration.ofSeconds(20)).until(() -> describe(volume).attachments().stream()
                .anyMatch(a -> a.instanceId().equals(instance) && a.state() == state));
    }

    static Path file(String volume) {
        String pool = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT path FROM storage_pools WHERE name = 'shared'")
                .mapTo(String.class).one());
        return Path.of(pool, "volumes", volume + ".raw");
    }

    static long poolUsed() {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT used_bytes FROM storage_pools WHERE name = 'shared'")
                .mapTo(Long.class).one());
    }

    static void rejects(String code, Executable call) {
        Ec2Sdk.rejects(cloud, code, call);
    }

    @Test
    void aVolumeIsCreatedAttachedHotGrownDetachedAndDeleted() throws Exception {
        long usedBefore = poolUsed();
        var created = ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).tagSpecifications(t -> t.resourceType(ResourceType.VOLUME)
                .tags(x -> x.key("Name").value("data"))));
        assertThat(created.state()).isIn(VolumeState.CREATING, VolumeState.AVAILABLE);
        assertThat(created.volumeType()).isEqualTo(VolumeType.GP3);
        assertThat(created.iops()).isEqualTo(3000);
        assertThat(created.throughput()).isEqualTo(125);
        assertThat(created.multiAttachEnabled()).isFalse();
        String id = created.volumeId();
        assertThat(id).matches("vol-[0-9a-f]{17}");
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        assertThat(file(id)).exists().hasSize(GIB);
        assertThat(poolUsed()).isEqualTo(usedBefore + GIB);
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("tag:Name").values("data"))).volumes()).extracting(Volume::volumeId)
                .containsExactly(id);

        var attaching = ec2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdf"));
        assertThat(attaching.state()).isEqualTo(VolumeAttachmentState.ATTACHING);
        assertThat(describe(id).state()).isEqualTo(VolumeState.IN_USE);
        awaitAttachment(id, running, VolumeAttachmentState.ATTACHED);
        assertThat(cloud.hypervisor.volumes(running)).containsEntry(id, GIB);
        // The instance's own root volume is attached to it too, as /dev/vda.
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(running))).volumes())
                .extracting(v -> v.attachments().get(0).device()).containsExactlyInAnyOrder("/dev/vda", "/dev/sdf");
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(running),
                f -> f.name("attachment.device").values("/dev/sdf"))).volumes()).extracting(Volume::volumeId).containsExactly(id);

        var grown = ec2.modifyVolume(b -> b.volumeId(id).size(3)).volumeModification();
        assertThat(grown.originalSize()).isEqualTo(1);
        assertThat(grown.targetSize()).isEqualTo(3);
        assertThat(grown.modificationState()).isEqualTo(VolumeModificationState.MODIFYING);
        await().atMost(Duration.ofSeconds(20)).until(() -> cloud.hypervisor.volumes(running).get(id), v -> v == 3 * GIB);
        await().atMost(Duration.ofSeconds(20)).until(() -> modificationState(id), "completed"::equals);
        assertThat(describe(id).size()).isEqualTo(3);
        var modification = ec2.describeVolumesModifications(b -> b.volumeIds(id)).volumesModifications();
        assertThat(modification).singleElement().satisfies(m -> {
            assertThat(m.modificationState()).isEqualTo(VolumeModificationState.COMPLETED);
            assertThat(m.originalSize()).isEqualTo(1);
            assertThat(m.targetSize()).isEqualTo(3);
            assertThat(m.progress()).isEqualTo(100L);
            assertThat(m.endTime()).isNotNull();
        });
        assertThat(ec2.describeVolumesModifications(b -> b.filters(f -> f.name("volume-id").values(id),
                f -> f.name("modification-state").values("completed"))).volumesModifications()).hasSize(1);
        assertThat(ec2.describeVolumesModifications(b -> b.filters(f -> f.name("volume-id").values(id),
                f -> f.name("target-size").values("4"))).volumesModifications()).isEmpty();
        assertThat(file(id)).hasSize(3 * GIB); // the VM grew it (block_resize; the fake driver does the same)
        assertThat(poolUsed()).isEqualTo(usedBefore + 3 * GIB);

        assertThat(ec2.detachVolume(b -> b.volumeId(id)).state()).isEqualTo(VolumeAttachmentState.DETACHING);
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        assertThat(describe(id).attachments()).isEmpty();
        assertThat(cloud.hypervisor.volumes(running)).doesNotContainKey(id);

        ec2.deleteVolume(b -> b.volumeId(id));
        waiter.waitUntilVolumeDeleted(b -> b.volumeIds(id));
        Ec2Sdk.fails("InvalidVolume.NotFound", () -> ec2.describeVolumes(b -> b.volumeIds(id)));
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(file(id)) && poolUsed() == usedBefore);
        List<String> events = cloud.db.jdbi().withHandle(h -> h.createQuery(
                "SELECT type || ':' || coalesce(from_state, '') || '>' || to_state FROM events WHERE resource_id = :v ORDER BY id")
                .bind("v", id).mapTo(String.class).list());
        assertThat(events).containsSubsequence("volume.state:>creating", "volume.state:creating>available", "volume.attachment:>attaching",
                "volume.state:available>in-use", "volume.attachment:attaching>attached", "volume.modified:1 GiB gp3>3 GiB gp3",
                "volume.modification:modifying>completed", "volume.attachment:attached>detaching", "volume.attachment:detaching>detached",
                "volume.state:in-use>available", "volume.state:available>deleting", "volume.state:deleting>deleted");
    }

    static String modificationState(String id) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT modification_state FROM volumes WHERE id = :v").bind("v", id)
                .mapTo(String.class).one());
    }

    @Test
    void aVolumeAttachedToAStoppedInstanceIsAttachedAndBootsWithIt() {
        String id = create(b -> { });
        ec2.attachVolume(b -> b.volumeId(id).instanceId(stopped).device("/dev/sdg"));
        awaitAttachment(id, stopped, VolumeAttachmentState.ATTACHED);
        ec2.startInstances(b -> b.instanceIds(stopped));
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(stopped));
        assertThat(cloud.hypervisor.volumes(stopped)).containsEntry(id, GIB);
        ec2.stopInstances(b -> b.instanceIds(stopped));
        waiter.waitUntilInstanceStopped(b -> b.instanceIds(stopped));
        // Detached while stopped: gone at once, and not there at the next boot.
        ec2.detachVolume(b -> b.volumeId(id));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        ec2.deleteVolume(b -> b.volumeId(id));
    }

    @Test
    void aMultiAttachVolumeIsOnTwoRunningInstancesAtOnce() {
        String id = create(b -> b.volumeType(VolumeType.IO2).iops(1000).size(4).multiAttachEnabled(true));
        assertThat(describe(id).multiAttachEnabled()).isTrue();
        ec2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdh"));
        ec2.attachVolume(b -> b.volumeId(id).instanceId(running2).device("/dev/sdh"));
        awaitAttachment(id, running, VolumeAttachmentState.ATTACHED);
        awaitAttachment(id, running2, VolumeAttachmentState.ATTACHED);
        assertThat(cloud.hypervisor.volumes(running)).containsKey(id);
        assertThat(cloud.hypervisor.volumes(running2)).containsKey(id);
        rejects("VolumeInUse", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdi")));
        rejects("InvalidParameterCombination", () -> ec2.detachVolume(b -> b.volumeId(id)));
        rejects("VolumeInUse", () -> ec2.deleteVolume(b -> b.volumeId(id)));
        ec2.detachVolume(b -> b.volumeId(id).instanceId(running));
        awaitAttachment(id, running2, VolumeAttachmentState.ATTACHED);
        await().atMost(Duration.ofSeconds(20)).until(() -> describe(id).attachments().size() == 1);
        assertThat(describe(id).state()).isEqualTo(VolumeState.IN_USE);
        ec2.detachVolume(b -> b.volumeId(id).instanceId(running2));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        ec2.deleteVolume(b -> b.volumeId(id));
    }

    @Test
    void aGuestThatKeepsItsDiskKeepsItUntilTheDetachIsForced() {
        String id = create(b -> { });
        ec2.attachVolume(b -> b.volumeId(id).instanceId(running2).device("/dev/sdj"));
        awaitAttachment(id, running2, VolumeAttachmentState.ATTACHED);
        cloud.hypervisor.ignoreUnplugs(running2, true);
        try {
            ec2.detachVolume(b -> b.volumeId(id));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> describe(id).attachments().stream().allMatch(a -> a.state() == VolumeAttachmentState.DETACHING));
            assertThat(cloud.hypervisor.volumes(running2)).containsKey(id);
            ec2.detachVolume(b -> b.volumeId(id).force(true));
            waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
            assertThat(cloud.hypervisor.volumes(running2)).doesNotContainKey(id);
        } finally {
            cloud.hypervisor.ignoreUnplugs(running2, false);
        }
        ec2.deleteVolume(b -> b.volumeId(id));
    }

    @Test
    void aTerminatedInstanceGivesItsVolumesBack() {
        String instance = launch();
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(instance));
        String id = create(b -> { });
        ec2.attachVolume(b -> b.volumeId(id).instanceId(instance).device("/dev/sdf"));
        awaitAttachment(id, instance, VolumeAttachmentState.ATTACHED);
        ec2.terminateInstances(b -> b.instanceIds(instance));
        waiter.waitUntilInstanceTerminated(b -> b.instanceIds(instance));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        assertThat(describe(id).attachments()).isEmpty();
        rejects("IncorrectInstanceState", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(instance).device("/dev/sdf")));
        ec2.deleteVolume(b -> b.volumeId(id));
    }

    @Test
    void createRefusesWhatEc2Refuses() {
        rejects("MissingParameter", () -> ec2.createVolume(b -> b.size(1)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.size(1).availabilityZone("nubo-1z")));
        rejects("MissingParameter", () -> ec2.createVolume(b -> b.availabilityZone(ZONE)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(0)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(-5)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(20000)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(2).volumeType(VolumeType.IO1).iops(100)));
        rejects("UnknownVolumeType", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).volumeType("gp9")));
        rejects("UnknownVolumeType", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(500).volumeType(VolumeType.ST1)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).multiAttachEnabled(true)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(10).volumeType(VolumeType.GP2)
                .multiAttachEnabled(true)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(10).volumeType(VolumeType.IO2)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(10).volumeType(VolumeType.GP2).iops(300)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(10).volumeType(VolumeType.IO1)
                .iops(300).throughput(200)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(10).volumeType(VolumeType.IO2).iops(50)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).volumeType(VolumeType.IO2).iops(5000)));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).throughput(2000)));
        rejects("UnsupportedOperation", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).encrypted(true)));
        rejects("InvalidSnapshot.NotFound", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId("snap-0123456789abcdef0")));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1)
                .tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(x -> x.key("a").value("b")))));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1)
                .tagSpecifications(t -> t.resourceType(ResourceType.VOLUME).tags(x -> x.key("aws:x").value("b")))));
        rejects("DryRunOperation", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).dryRun(true)));
        rejects("InvalidParameterCombination", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).multiAttachEnabled(true)
                .dryRun(true)));
    }

    @Test
    void aClientTokenCreatesOneVolume() {
        var first = ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).clientToken("token-1"));
        var again = ec2.createVolume(b -> b.availabilityZone(ZONE).size(1).clientToken("token-1"));
        assertThat(again.volumeId()).isEqualTo(first.volumeId());
        rejects("IdempotentParameterMismatch", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).size(2).clientToken("token-1")));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(first.volumeId()));
        ec2.deleteVolume(b -> b.volumeId(first.volumeId()));
    }

    @Test
    void idsAreCheckedOnEveryAction() {
        for (String id : new String[]{"vol-nothex", "i-0123456789abcdef0", "vol-12"}) {
            rejects("InvalidVolumeID.Malformed", () -> ec2.describeVolumes(b -> b.volumeIds(id)));
            rejects("InvalidVolumeID.Malformed", () -> ec2.deleteVolume(b -> b.volumeId(id)));
            rejects("InvalidVolumeID.Malformed", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdf")));
            rejects("InvalidVolumeID.Malformed", () -> ec2.detachVolume(b -> b.volumeId(id)));
            rejects("InvalidVolumeID.Malformed", () -> ec2.modifyVolume(b -> b.volumeId(id).size(5)));
        }
        rejects("InvalidVolume.NotFound", () -> ec2.describeVolumes(b -> b.volumeIds(UNKNOWN)));
        rejects("InvalidVolume.NotFound", () -> ec2.deleteVolume(b -> b.volumeId(UNKNOWN)));
        rejects("InvalidVolume.NotFound", () -> ec2.attachVolume(b -> b.volumeId(UNKNOWN).instanceId(running).device("/dev/sdf")));
        rejects("InvalidVolume.NotFound", () -> ec2.detachVolume(b -> b.volumeId(UNKNOWN)));
        rejects("InvalidVolume.NotFound", () -> ec2.modifyVolume(b -> b.volumeId(UNKNOWN).size(5)));
        rejects("InvalidVolume.NotFound", () -> ec2.describeVolumesModifications(b -> b.volumeIds(UNKNOWN)));
        rejects("InvalidVolumeID.Malformed", () -> ec2.describeVolumesModifications(b -> b.volumeIds("vol-xyz")));
        rejects("InvalidParameterValue", () -> ec2.describeVolumesModifications(b -> b.filters(f -> f.name("colour").values("red"))));
        String id = create(b -> { });
        assertThat(ec2.describeVolumesModifications(b -> b.volumeIds(id)).volumesModifications()).isEmpty();
        rejects("InvalidInstanceID.Malformed", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId("i-xyz").device("/dev/sdf")));
        rejects("InvalidInstanceID.NotFound", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId("i-0123456789abcdef0").device("/dev/sdf")));
        rejects("MissingParameter", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(running)));
        ec2.deleteVolume(b -> b.volumeId(id));
    }

    @Test
    void attachDetachDeleteAndModifyRefuseWhatEc2Refuses() {
        String id = create(b -> b.size(2));
        String other = create(b -> { });
        ec2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdk"));
        awaitAttachment(id, running, VolumeAttachmentState.ATTACHED);
        rejects("VolumeInUse", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(running2).device("/dev/sdk")));
        rejects("VolumeInUse", () -> ec2.deleteVolume(b -> b.volumeId(id)));
        rejects("InvalidParameterValue", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(running).device("/dev/sdk")));
        rejects("InvalidParameterValue", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(running).device("/dev/sda1")));
        rejects("InvalidParameterValue", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(running).device("/dev/nvme1")));
        rejects("InvalidParameterValue", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(running).device("sdf")));
        rejects("InvalidAttachment.NotFound", () -> ec2.detachVolume(b -> b.volumeId(id).instanceId(running2)));
        rejects("InvalidAttachment.NotFound", () -> ec2.detachVolume(b -> b.volumeId(id).device("/dev/sdz")));
        rejects("IncorrectState", () -> ec2.detachVolume(b -> b.volumeId(other)));
        rejects("InvalidParameterValue", () -> ec2.modifyVolume(b -> b.volumeId(id).size(1)));
        rejects("InvalidParameterValue", () -> ec2.modifyVolume(b -> b.volumeId(id)));
        rejects("InvalidParameterValue", () -> ec2.modifyVolume(b -> b.volumeId(id).size(20000)));
        rejects("UnsupportedOperation", () -> ec2.modifyVolume(b -> b.volumeId(id).multiAttachEnabled(true)));
        rejects("UnknownVolumeType", () -> ec2.modifyVolume(b -> b.volumeId(id).volumeType("gp9")));
        rejects("DryRunOperation", () -> ec2.modifyVolume(b -> b.volumeId(id).size(4).dryRun(true)));
        rejects("DryRunOperation", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(running2).device("/dev/sdf").dryRun(true)));
        rejects("VolumeInUse", () -> ec2.attachVolume(b -> b.volumeId(id).instanceId(running2).device("/dev/sdf").dryRun(true)));
        rejects("DryRunOperation", () -> ec2.detachVolume(b -> b.volumeId(id).dryRun(true)));
        rejects("DryRunOperation", () -> ec2.deleteVolume(b -> b.volumeId(other).dryRun(true)));

        // A zone mismatch needs an instance in another zone: Nubo has one zone, so one is made by hand, as a multi-zone cloud would have.
        String elsewhere = launch();
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(elsewhere));
        cloud.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET availability_zone = 'nubo-1b' WHERE id = ?", elsewhere));
        rejects("InvalidVolume.ZoneMismatch", () -> ec2.attachVolume(b -> b.volumeId(other).instanceId(elsewhere).device("/dev/sdf")));
        ec2.terminateInstances(b -> b.instanceIds(elsewhere));

        ec2.detachVolume(b -> b.volumeId(id));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(id));
        ec2.deleteVolume(b -> b.volumeId(id));
        ec2.deleteVolume(b -> b.volumeId(other));
    }

    @Test
    void describeFiltersAndPages() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int size = i + 1;
            ids.add(create(b -> b.size(size).volumeType(size % 2 == 0 ? VolumeType.GP2 : VolumeType.GP3)));
        }
        var first = ec2.describeVolumes(b -> b.maxResults(5).filters(f -> f.name("volume-id").values(ids)));
        assertThat(first.volumes()).hasSize(5);
        assertThat(first.nextToken()).isNotNull();
        var second = ec2.describeVolumes(b -> b.maxResults(5).nextToken(first.nextToken()).filters(f -> f.name("volume-id").values(ids)));
        assertThat(second.volumes()).hasSize(2);
        assertThat(second.nextToken()).isNull();
        assertThat(ec2.describeVolumesPaginator(b -> b.maxResults(5).filters(f -> f.name("volume-id").values(ids))).volumes().stream()
                .map(Volume::volumeId).toList()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(ids), f -> f.name("size").values("2", "4")))
                .volumes()).hasSize(2);
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(ids), f -> f.name("volume-type").values("gp2")))
                .volumes()).hasSize(3);
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(ids), f -> f.name("status").values("available"),
                f -> f.name("availability-zone").values(ZONE))).volumes()).hasSize(7);
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("volume-id").values(ids), f -> f.name("tag-key").values("x"))).volumes())
                .isEmpty();
        rejects("InvalidParameterValue", () -> ec2.describeVolumes(b -> b.maxResults(3)));
        rejects("InvalidParameterValue", () -> ec2.describeVolumes(b -> b.maxResults(501)));
        rejects("InvalidParameterCombination", () -> ec2.describeVolumes(b -> b.volumeIds(ids.get(0)).maxResults(5)));
        rejects("InvalidParameterValue", () -> ec2.describeVolumes(b -> b.filters(f -> f.name("colour").values("red"))));
        rejects("InvalidPaginationToken", () -> ec2.describeVolumes(b -> b.maxResults(5).nextToken("not-a-token")));
        ids.forEach(id -> ec2.deleteVolume(b -> b.volumeId(id)));
    }

    @Test
    void anotherTenantsVolumesAndInstancesAreNotFound() {
        NewAccessKey other = cloud.tenant("volume-other");
        String id = create(b -> { });
        try (Ec2Client b2 = Ec2Sdk.client(cloud, other)) {
            String theirs = b2.createVolume(b -> b.availabilityZone(ZONE).size(1)).volumeId();
            rejects("InvalidVolume.NotFound", () -> b2.describeVolumes(b -> b.volumeIds(id)));
            assertThat(b2.describeVolumes().volumes()).extracting(Volume::volumeId).containsExactly(theirs);
            rejects("InvalidVolume.NotFound", () -> b2.attachVolume(b -> b.volumeId(id).instanceId(running).device("/dev/sdf")));
            rejects("InvalidInstanceID.NotFound", () -> b2.attachVolume(b -> b.volumeId(theirs).instanceId(running).device("/dev/sdf")));
            rejects("InvalidVolume.NotFound", () -> b2.detachVolume(b -> b.volumeId(id)));
            rejects("InvalidVolume.NotFound", () -> b2.modifyVolume(b -> b.volumeId(id).size(5)));
            rejects("InvalidVolume.NotFound", () -> b2.deleteVolume(b -> b.volumeId(id)));
            rejects("InvalidVolume.NotFound", () -> ec2.attachVolume(b -> b.volumeId(theirs).instanceId(running).device("/dev/sdf")));
            rejects("InvalidVolume.NotFound", () -> b2.createTags(b -> b.resources(id).tags(t -> t.key("k").value("v"))));
            b2.deleteVolume(b -> b.volumeId(theirs));
        }
        assertThat(Map.of("volume", describe(id).state())).containsEntry("volume", VolumeState.AVAILABLE);
        ec2.deleteVolume(b -> b.volumeId(id));
    }
}
