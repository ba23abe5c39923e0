package io.nubo.api.ec2;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredSnapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CreateImage cut short, with the host's agent stopped so that nothing is copied: an instance
 * terminated before its disk is copied leaves its image {@code failed}; an image deregistered while
 * its instance is stopped for it ends the capture and starts the instance again. Meanwhile the
 * host's desired state asks for the root disk's copy, with the image pool's paths.
 */
class Ec2CreateImageInterruptedTest extends Ec2CloudTest {
    static String first;
    static String second;

    @BeforeAll
    static void twoInstancesOnAHostWhoseAgentIsGone() {
        first = ec2.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        second = ec2.runInstances(r -> r.imageId(cloud.imageId).minCount(1).maxCount(1)).instances().get(0).instanceId();
        Ec2Sdk.waiter(ec2).waitUntilInstanceRunning(r -> r.instanceIds(first, second));
        cloud.agent.close();
    }

    static long count(String sql) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    static Image describe(String id) {
        return ec2.describeImages(r -> r.imageIds(id)).images().get(0);
    }

    static List<DesiredSnapshot> desiredCopies(String instanceId) throws InterruptedException {
        String host = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT host_id FROM instances WHERE id = :i").bind("i", instanceId)
                .mapTo(String.class).one());
        return cloud.cp.agents().awaitDesired(host, -1, Duration.ofMillis(10)).instances().stream()
                .filter(d -> d.instanceId().equals(instanceId)).map(DesiredInstance::snapshots).findFirst().orElseThrow();
    }

    @Test
    void anInstanceTerminatedBeforeItsDiskIsCopiedLeavesItsImageFailed() throws Exception {
        String image = ec2.createImage(r -> r.instanceId(first).name("never copied").noReboot(true)).imageId();
        assertThat(describe(image).stateAsString()).isEqualTo("pending");
        assertThat(desiredCopies(first)).singleElement().satisfies(d -> {
            assertThat(d.snapshotId()).isEqualTo(image);
            assertThat(d.rootDisk()).isTrue();
            assertThat(d.path()).endsWith("/images/.uploads/" + image + ".src");
            assertThat(d.scratchPath()).contains("/images/.work/" + image + "/");
        });

        ec2.terminateInstances(r -> r.instanceIds(first));

        await().atMost(Duration.ofSeconds(20)).until(() -> describe(image).stateAsString().equals("failed"));
        assertThat(describe(image).stateReason().message()).contains("terminated before its image was made");
        assertThat(count("SELECT count(*) FROM image_captures WHERE image_id = '" + image + "'")).isZero();
        assertThat(count("SELECT count(*) FROM image_imports WHERE image_id = '" + image + "'")).isZero();
    }

    @Test
    void anImageDeregisteredWhileItsInstanceIsStoppedForItStartsTheInstanceAgain() throws Exception {
        String image = ec2.createImage(r -> r.instanceId(second).name("given up")).imageId();
        assertThat(count("SELECT count(*) FROM instances WHERE id = '" + second + "' AND state = 'stopping'")).isEqualTo(1);
        assertThat(desiredCopies(second)).as("nothing is copied before the instance is down").isEmpty();
        // What the host's agent would report once the guest has shut down.
        cloud.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET state = 'stopped', task = 'none' WHERE id = ?", second));
        cloud.cp.imageCaptures().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM image_captures WHERE image_id = '" + image
                + "' AND phase = 'copying'") == 1);
        assertThat(desiredCopies(second)).extracting(DesiredSnapshot::snapshotId).containsExactly(image);

        ec2.deregisterImage(r -> r.imageId(image));
        cloud.cp.imageCaptures().wake();

        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM image_captures WHERE image_id = '" + image + "'") == 0);
        assertThat(count("SELECT count(*) FROM instances WHERE id = '" + second + "' AND state = 'pending'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM events WHERE resource_id = '" + second + "' AND type = 'instance.state' AND to_state = 'pending'"
                + " AND cause LIKE 'started again after CreateImage " + image + "%'")).isEqualTo(1);
        assertThat(desiredCopies(second)).isEmpty();
    }
}
