package io.nubo.api.ec2;

import io.nubo.api.TestCloud;
import io.nubo.core.model.NewAccessKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;
import software.amazon.awssdk.services.ec2.model.VolumeAttachmentState;
import software.amazon.awssdk.services.ec2.waiters.Ec2Waiter;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The snapshot actions through the AWS SDK for Java v2, against a cloud with the fake driver:
 * snapshots of an unattached volume (copied by the controller) and of an attached one (copied by
 * its host's agent), volumes made from them, DescribeSnapshots' filters, owners and pages,
 * CopySnapshot, DeleteSnapshot, the snapshot and volume quotas under concurrent creates, and every
 * refusal with EC2's code and nothing changed.
 */
class Ec2SnapshotsTest {
    static final long GIB = 1L << 30;
    static final String ZONE = "nubo-1a";
    static final String UNKNOWN = "snap-0123456789abcdef0";
    /**
     * The SDK presigns a cross-region CopySnapshot itself unless given a URL, and cannot name the region of a
     * 127.0.0.1 endpoint; Nubo copies within its one region and ignores the URL.
     */
    static final String NO_PRESIGN = "https://unused.invalid/";
    static TestCloud cloud;
    static Ec2Client ec2;
    static Ec2Waiter waiter;
    static String running;

    @BeforeAll
    static void start() throws Exception {
        cloud = new TestCloud();
        ec2 = Ec2Sdk.client(cloud, cloud.admin);
        waiter = Ec2Sdk.waiter(ec2);
        running = ec2.runInstances(b -> b.imageId(cloud.imageId).instanceType(InstanceType.T3_NANO).minCount(1).maxCount(1))
                .instances().get(0).instanceId();
        waiter.waitUntilInstanceRunning(b -> b.instanceIds(running));
    }

    @AfterAll
    static void stop() {
        ec2.close();
        cloud.close();
    }

    static String volume(Ec2Client as, int gib) {
        String id = as.createVolume(b -> b.availabilityZone(ZONE).size(gib)).volumeId();
        Ec2Sdk.waiter(as).waitUntilVolumeAvailable(b -> b.volumeIds(id));
        return id;
    }

    static Path pool() {
        String path = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT path FROM storage_pools WHERE name = 'shared'")
                .mapTo(String.class).one());
        return Path.of(path);
    }

    static Path volumeFile(String id) {
        return pool().resolve("volumes").resolve(id + ".raw");
    }

    static Path snapshotFile(String id) {
        return pool().resolve("snapshots").resolve(id + ".raw");
    }

    static void write(Path file, long offset, String text) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static String read(Path file, long offset, int length) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(offset);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static long poolUsed() {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT used_bytes FROM storage_pools WHERE name = 'shared'")
                .mapTo(Long.class).one());
    }

    static Snapshot describe(String id) {
        return ec2.describeSnapshots(b -> b.snapshotIds(id)).snapshots().get(0);
    }

    static String completedSnapshot(String volume) {
        String id = ec2.createSnapshot(b -> b.volumeId(volume)).snapshotId();
        waiter.waitUntilSnapshotCompleted(b -> b.snapshotIds(id));
        return id;
    }

    static void rejects(String code, Executable call) {
        String before = Ec2Sdk.settledSnapshot(cloud);
        Ec2Exception e = Ec2Sdk.fails(code, call);
        assertThat(e.statusCode()).as(code).isBetween(400, 499);
        assertThat(cloud.snapshot()).as("nothing changed after %s", code).isEqualTo(before);
    }

    @Test
    void anUnattachedVolumeIsSnapshottedAndVolumesAreMadeFromTheSnapshot() throws Exception {
        String vol = volume(ec2, 1);
        write(volumeFile(vol), 0, "first block");
        write(volumeFile(vol), 700L << 20, "deep inside");
        long usedBefore = poolUsed();
        var created = ec2.createSnapshot(b -> b.volumeId(vol).description("nightly")
                .tagSpecifications(t -> t.resourceType(ResourceType.SNAPSHOT).tags(x -> x.key("Name").value("n1"))));
        assertThat(created.snapshotId()).matches("snap-[0-9a-f]{17}");
        assertThat(created.state()).isIn(SnapshotState.PENDING, SnapshotState.COMPLETED);
        assertThat(created.volumeId()).isEqualTo(vol);
        assertThat(created.volumeSize()).isEqualTo(1);
        assertThat(created.description()).isEqualTo("nightly");
        assertThat(created.ownerId()).isEqualTo(cloud.admin.accountId());
        assertThat(created.tags()).anyMatch(t -> t.key().equals("Name") && t.value().equals("n1"));
        String snap = created.snapshotId();
        waiter.waitUntilSnapshotCompleted(b -> b.snapshotIds(snap));
        Snapshot done = describe(snap);
        assertThat(done.state()).isEqualTo(SnapshotState.COMPLETED);
        assertThat(done.progress()).isEqualTo("100%");
        assertThat(snapshotFile(snap)).exists().hasSize(GIB);
        assertThat(read(snapshotFile(snap), 700L << 20, 11)).isEqualTo("deep inside");
        assertThat(poolUsed()).isEqualTo(usedBefore + GIB);

        // Writes after the snapshot do not reach it.
        write(volumeFile(vol), 0, "later block");
        String copy = ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId(snap).size(2)).volumeId();
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(copy));
        var made = ec2.describeVolumes(b -> b.volumeIds(copy)).volumes().get(0);
        assertThat(made.snapshotId()).isEqualTo(snap);
        assertThat(made.size()).isEqualTo(2);
        assertThat(volumeFile(copy)).hasSize(2 * GIB);
        assertThat(read(volumeFile(copy), 0, 11)).isEqualTo("first block");
        assertThat(read(volumeFile(copy), 700L << 20, 11)).isEqualTo("deep inside");
        assertThat(ec2.describeVolumes(b -> b.filters(f -> f.name("snapshot-id").values(snap))).volumes()).extracting(v -> v.volumeId())
                .containsExactly(copy);
        // Without a size, a volume from a snapshot has the snapshot's.
        String same = ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId(snap)).volumeId();
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(same));
        assertThat(ec2.describeVolumes(b -> b.volumeIds(same)).volumes().get(0).size()).isEqualTo(1);

        long used = poolUsed();
        ec2.deleteSnapshot(b -> b.snapshotId(snap));
        Ec2Sdk.fails("InvalidSnapshot.NotFound", () -> ec2.describeSnapshots(b -> b.snapshotIds(snap)));
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(snapshotFile(snap)) && poolUsed() == used - GIB);
        // The volumes made from it live on.
        assertThat(read(volumeFile(same), 0, 11)).isEqualTo("first block");
    }

    @Test
    void anAttachedVolumeIsSnapshottedByItsHostAndCanThenBeDeleted() throws Exception {
        String vol = volume(ec2, 1);
        write(volumeFile(vol), 4096, "attached data");
        ec2.attachVolume(b -> b.volumeId(vol).instanceId(running).device("/dev/sdg"));
        await().atMost(Duration.ofSeconds(20)).until(() -> ec2.describeVolumes(b -> b.volumeIds(vol)).volumes().get(0).attachments().stream()
                .anyMatch(a -> a.state() == VolumeAttachmentState.ATTACHED));
        String snap = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        String copier = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT copier FROM snapshots WHERE id = :id").bind("id", snap)
                .mapTo(String.class).one());
        assertThat(copier).as("the instance's host takes it").isEqualTo(running);
        waiter.waitUntilSnapshotCompleted(b -> b.snapshotIds(snap));
        assertThat(read(snapshotFile(snap), 4096, 13)).isEqualTo("attached data");
        assertThat(Files.exists(pool().resolve("snapshots/.creating").resolve(snap + ".raw"))).isFalse();
        // A volume with a snapshot in progress cannot be deleted, but an attached one never can anyway: detach, then delete.
        ec2.detachVolume(b -> b.volumeId(vol));
        waiter.waitUntilVolumeAvailable(b -> b.volumeIds(vol));
        ec2.deleteVolume(b -> b.volumeId(vol));
        // The snapshot outlives its volume.
        assertThat(describe(snap).state()).isEqualTo(SnapshotState.COMPLETED);
    }

    @Test
    void describeSnapshotsFiltersByOwnerStatusVolumeAndTagAndPages() {
        String vol = volume(ec2, 1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            ids.add(ec2.createSnapshot(b -> b.volumeId(vol).tagSpecifications(t -> t.resourceType(ResourceType.SNAPSHOT)
                    .tags(x -> x.key("batch").value(n % 2 == 0 ? "even" : "odd")))).snapshotId());
        }
        waiter.waitUntilSnapshotCompleted(b -> b.snapshotIds(ids));
        assertThat(ec2.describeSnapshots(b -> b.filters(f -> f.name("volume-id").values(vol))).snapshots()).extracting(Snapshot::snapshotId)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ec2.describeSnapshots(b -> b.filters(f -> f.name("volume-id").values(vol), f -> f.name("tag:batch").values("odd")))
                .snapshots()).hasSize(3);
        assertThat(ec2.describeSnapshots(b -> b.filters(f -> f.name("volume-id").values(vol), f -> f.name("status").values("pending")))
                .snapshots()).isEmpty();
        assertThat(ec2.describeSnapshots(b -> b.ownerIds("self").filters(f -> f.name("volume-id").values(vol))).snapshots()).hasSize(6);
        assertThat(ec2.describeSnapshots(b -> b.ownerIds(cloud.admin.accountId()).filters(f -> f.name("volume-id").values(vol)))
                .snapshots()).hasSize(6);
        assertThat(ec2.describeSnapshots(b -> b.ownerIds("amazon")).snapshots()).isEmpty();
        assertThat(ec2.describeSnapshots(b -> b.filters(f -> f.name("owner-id").values("111111111111"))).snapshots()).isEmpty();
        // Pages of 5, by ID, with the paginator of the SDK.
        var first = ec2.describeSnapshots(b -> b.maxResults(5).filters(f -> f.name("volume-id").values(vol)));
        assertThat(first.snapshots()).hasSize(5);
        assertThat(first.nextToken()).isNotBlank();
        List<String> all = ec2.describeSnapshotsPaginator(b -> b.maxResults(5).filters(f -> f.name("volume-id").values(vol))).snapshots()
                .stream().map(Snapshot::snapshotId).toList();
        assertThat(all).containsExactlyInAnyOrderElementsOf(ids).doesNotHaveDuplicates();
    }

    @Test
    void aSnapshotIsCopiedWithinTheRegion() throws Exception {
        String vol = volume(ec2, 1);
        write(volumeFile(vol), 12345, "copied twice");
        String snap = completedSnapshot(vol);
        String copy = ec2.copySnapshot(b -> b.sourceSnapshotId(snap).sourceRegion("nubo-1").presignedUrl(NO_PRESIGN).description("offsite")).snapshotId();
        assertThat(copy).isNotEqualTo(snap);
        waiter.waitUntilSnapshotCompleted(b -> b.snapshotIds(copy));
        assertThat(describe(copy).description()).isEqualTo("offsite");
        assertThat(read(snapshotFile(copy), 12345, 12)).isEqualTo("copied twice");
        rejects("InvalidParameterValue", () -> ec2.copySnapshot(b -> b.sourceSnapshotId(snap).sourceRegion("us-east-1").presignedUrl(NO_PRESIGN)));
        rejects("InvalidSnapshot.NotFound", () -> ec2.copySnapshot(b -> b.sourceSnapshotId(UNKNOWN).sourceRegion("nubo-1").presignedUrl(NO_PRESIGN)));
    }

    @Test
    void badInputIsRefusedWithEc2sCodesAndChangesNothing() throws Exception {
        String vol = volume(ec2, 1);
        String snap = completedSnapshot(vol);
        rejects("InvalidSnapshotID.Malformed", () -> ec2.describeSnapshots(b -> b.snapshotIds("snap-xyz")));
        rejects("InvalidSnapshotID.Malformed", () -> ec2.deleteSnapshot(b -> b.snapshotId("vol-0123456789abcdef0")));
        rejects("InvalidSnapshotID.Malformed", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId("snap-1")));
        rejects("InvalidSnapshot.NotFound", () -> ec2.describeSnapshots(b -> b.snapshotIds(UNKNOWN)));
        rejects("InvalidSnapshot.NotFound", () -> ec2.deleteSnapshot(b -> b.snapshotId(UNKNOWN)));
        rejects("InvalidSnapshot.NotFound", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId(UNKNOWN)));
        rejects("InvalidVolumeID.Malformed", () -> ec2.createSnapshot(b -> b.volumeId("vol-nope")));
        rejects("InvalidVolume.NotFound", () -> ec2.createSnapshot(b -> b.volumeId("vol-0123456789abcdef0")));
        rejects("MissingParameter", () -> ec2.createSnapshot(b -> { }));
        rejects("InvalidParameterValue", () -> ec2.createSnapshot(b -> b.volumeId(vol).description("x".repeat(256))));
        rejects("InvalidParameterValue", () -> ec2.createSnapshot(b -> b.volumeId(vol)
                .tagSpecifications(t -> t.resourceType(ResourceType.VOLUME).tags(x -> x.key("a").value("b")))));
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId(snap).size(0)));
        rejects("DryRunOperation", () -> ec2.createSnapshot(b -> b.volumeId(vol).dryRun(true)));
        rejects("DryRunOperation", () -> ec2.deleteSnapshot(b -> b.snapshotId(snap).dryRun(true)));
        rejects("DryRunOperation", () -> ec2.describeSnapshots(b -> b.snapshotIds(snap).dryRun(true)));
        rejects("InvalidParameterCombination", () -> ec2.describeSnapshots(b -> b.snapshotIds(snap).maxResults(5)));
        rejects("InvalidParameterValue", () -> ec2.describeSnapshots(b -> b.maxResults(4)));
        rejects("InvalidParameterValue", () -> ec2.describeSnapshots(b -> b.filters(f -> f.name("colour").values("red"))));

        // A volume made from the snapshot must be at least as large as the snapshot's volume.
        String big = volume(ec2, 3);
        String bigSnap = completedSnapshot(big);
        rejects("InvalidParameterValue", () -> ec2.createVolume(b -> b.availabilityZone(ZONE).snapshotId(bigSnap).size(2)));

        // A volume in the error state cannot be snapshotted.
        String broken = volume(ec2, 1);
        cloud.db.jdbi().useHandle(h -> h.execute("UPDATE volumes SET state = 'error' WHERE id = ?", broken));
        rejects("IncorrectState", () -> ec2.createSnapshot(b -> b.volumeId(broken)));

        // A snapshot that a volume being created still reads is in use (the volume sits on a pool this server does not reach).
        cloud.db.jdbi().useHandle(h -> {
            h.execute("""
                    INSERT INTO storage_pools (id, name, kind, path, total_bytes, used_bytes, created_at, updated_at)
                    VALUES ('pool-0000000000000000a', 'elsewhere', 'shared', '/nonexistent/pool', 1099511627776, 0, now(), now())""");
            h.execute("""
                    INSERT INTO volumes (id, account_id, availability_zone, size_gib, volume_type, pool_id, state, created_at, updated_at, snapshot_id)
                    VALUES ('vol-0000000000000000b', ?, 'nubo-1a', 1, 'gp3', 'pool-0000000000000000a', 'creating', now(), now(), ?)""",
                    cloud.admin.accountId(), snap);
        });
        rejects("InvalidSnapshot.InUse", () -> ec2.deleteSnapshot(b -> b.snapshotId(snap)));
        cloud.db.jdbi().useHandle(h -> h.execute("UPDATE volumes SET state = 'deleted' WHERE id = 'vol-0000000000000000b'"));
        ec2.deleteSnapshot(b -> b.snapshotId(snap));
    }

    @Test
    void anotherAccountsSnapshotIsNotFound() throws Exception {
        String vol = volume(ec2, 1);
        String snap = completedSnapshot(vol);
        NewAccessKey key = cloud.tenant("snapshot-stranger");
        try (Ec2Client other = Ec2Sdk.client(cloud, key)) {
            rejects("InvalidSnapshot.NotFound", () -> other.describeSnapshots(b -> b.snapshotIds(snap)));
            rejects("InvalidSnapshot.NotFound", () -> other.deleteSnapshot(b -> b.snapshotId(snap)));
            rejects("InvalidSnapshot.NotFound", () -> other.createVolume(b -> b.availabilityZone(ZONE).snapshotId(snap)));
            rejects("InvalidSnapshot.NotFound", () -> other.copySnapshot(b -> b.sourceSnapshotId(snap).sourceRegion("nubo-1").presignedUrl(NO_PRESIGN)));
            rejects("InvalidVolume.NotFound", () -> other.createSnapshot(b -> b.volumeId(vol)));
            assertThat(other.describeSnapshots(b -> { }).snapshots()).isEmpty();
            assertThat(other.describeSnapshots(b -> b.ownerIds(cloud.admin.accountId())).snapshots()).isEmpty();
        }
    }

    @Test
    void concurrentCreatesNeverExceedTheVolumeAndSnapshotQuotas() throws Exception {
        NewAccessKey key = cloud.tenant("quota-holder");
        TestCloud.Reply set = cloud.call(cloud.admin, "PUT", "/api/v1/accounts/" + key.accountId() + "/quotas",
                "{\"volumes\":4,\"volumeGib\":100,\"snapshots\":3}");
        assertThat(set.status()).as(set.json().toString()).isEqualTo(200);
        try (Ec2Client tenant = Ec2Sdk.client(cloud, key); ExecutorService pool = Executors.newFixedThreadPool(10)) {
            List<Future<String>> volumes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                volumes.add(pool.submit(() -> outcome(() -> tenant.createVolume(b -> b.availabilityZone(ZONE).size(1)).volumeId())));
            }
            List<String> made = results(volumes, "VolumeLimitExceeded");
            assertThat(made).hasSize(4);
            Ec2Sdk.waiter(tenant).waitUntilVolumeAvailable(b -> b.volumeIds(made));

            List<Future<String>> snapshots = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String vol = made.get(i % made.size());
                snapshots.add(pool.submit(() -> outcome(() -> tenant.createSnapshot(b -> b.volumeId(vol)).snapshotId())));
            }
            List<String> taken = results(snapshots, "SnapshotLimitExceeded");
            assertThat(taken).hasSize(3);
            Ec2Sdk.waiter(tenant).waitUntilSnapshotCompleted(b -> b.snapshotIds(taken));
        }
        // The volume GiB quota: one volume of 100 GiB does not fit beside the 4 GiB in use (and the count is full anyway).
        cloud.call(cloud.admin, "PUT", "/api/v1/accounts/" + key.accountId() + "/quotas", "{\"volumes\":10,\"volumeGib\":50}");
        try (Ec2Client tenant = Ec2Sdk.client(cloud, key)) {
            rejects("VolumeLimitExceeded", () -> tenant.createVolume(b -> b.availabilityZone(ZONE).size(47)));
            String grown = tenant.describeVolumes(b -> { }).volumes().get(0).volumeId();
            rejects("VolumeLimitExceeded", () -> tenant.modifyVolume(b -> b.volumeId(grown).size(48)));
        }
        TestCloud.Reply usage = cloud.call(cloud.admin, "GET", "/api/v1/accounts/" + key.accountId() + "/quotas", null);
        assertThat(usage.json().toString()).contains("\"resource\":\"volumes\",\"limit\":10,\"used\":4")
                .contains("\"resource\":\"snapshots\",\"limit\":3,\"used\":3");
    }

    /** The created ID, or "!" + the error code. */
    static String outcome(Callable<String> call) {
        try {
            return call.call();
        } catch (Ec2Exception e) {
            return "!" + e.awsErrorDetails().errorCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The IDs made; every refusal must be {@code code}. */
    static List<String> results(List<Future<String>> futures, String code) throws Exception {
        List<String> made = new ArrayList<>();
        for (Future<String> f : futures) {
            String r = f.get();
            if (r.startsWith("!")) {
                assertThat(r).isEqualTo("!" + code);
            } else {
                made.add(r);
            }
        }
        return made;
    }
}
