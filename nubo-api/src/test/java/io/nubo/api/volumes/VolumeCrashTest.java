package io.nubo.api.volumes;

import io.nubo.agent.Agent;
import io.nubo.agent.AgentConfig;
import io.nubo.api.TestCloud;
import io.nubo.control.volumes.CreateVolumeRequest;
import io.nubo.core.model.NewAccessKey;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Role;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash safety of volumes, with the fake driver: an agent killed halfway through an attach (the
 * VM holds the file, the guest has no disk) finishes it after its restart, or undoes it when the
 * volume is no longer wanted there; and the controller's sweep leaves no file without a volume
 * and no volume half deleted, whichever order a crash left the row and the file in.
 */
class VolumeCrashTest {
    static final long GIB = 1L << 30;

    @Test
    void anAttachInterruptedByAnAgentCrashIsFinishedOrUndoneAfterTheRestart() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey t = cloud.tenant("crash");
            Principal p = new Principal(t.accountId(), Role.MEMBER, t.accessKeyId());
            String instance = cloud.launch(t);
            cloud.awaitState(t, instance, "running");
            String wanted = available(cloud, p);
            String unwanted = available(cloud, p);

            cloud.agent.close(); // the agent dies; its VMs live on
            cloud.cp.volumes().attach(p, wanted, instance, "/dev/sdf");
            // What the dead agent left: a block node of the wanted volume without its device, and one of a volume no one asked for.
            cloud.hypervisor.interruptAttach(instance, wanted, GIB);
            cloud.hypervisor.interruptAttach(instance, unwanted, GIB);

            Path state = Files.createTempDirectory("agent-restarted");
            try (Agent restarted = new Agent(cloud.cp.agents(), cloud.hypervisor, new AgentConfig("test-host", "nubo-1a", state,
                    Duration.ofMillis(50), Duration.ofSeconds(5)))) {
                restarted.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> attachmentState(cloud, wanted).equals("attached"));
                await().atMost(Duration.ofSeconds(20)).until(() -> !cloud.hypervisor.volumes(instance).containsKey(unwanted));
                assertThat(cloud.hypervisor.volumes(instance)).containsOnlyKeys(wanted);
                assertThat(cloud.hypervisor.status(instance).orElseThrow().volumes()).singleElement()
                        .satisfies(v -> assertThat(v.attached()).isTrue());
                assertThat(cloud.cp.volumes().get(p, unwanted).volume().state().apiName()).isEqualTo("available");
            }
        }
    }

    @Test
    void theSweepLeavesNoOrphanFileAndNoHalfDeletedVolume() throws Exception {
        try (TestCloud cloud = new TestCloud()) {
            NewAccessKey t = cloud.tenant("sweep");
            Principal p = new Principal(t.accountId(), Role.MEMBER, t.accessKeyId());
            String pool = cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT path FROM storage_pools WHERE name = 'shared'")
                    .mapTo(String.class).one());
            Path volumes = Path.of(pool).resolve("volumes");
            // A file whose volume row never committed, or was deleted before the file: nobody owns it.
            Path orphan = volumes.resolve("vol-0123456789abcdef0.raw");
            Files.createDirectories(volumes);
            try (RandomAccessFile f = new RandomAccessFile(orphan.toFile(), "rw")) {
                f.setLength(GIB);
            }
            // A scratch file of a volume that is not being created any more.
            String kept = available(cloud, p);
            Path scratch = volumes.resolve(".creating").resolve(kept + ".raw");
            Files.createDirectories(scratch.getParent());
            Files.writeString(scratch, "half");
            cloud.cp.volumeController().sweep();
            assertThat(orphan).doesNotExist();
            assertThat(scratch).doesNotExist();
            assertThat(volumes.resolve(kept + ".raw")).exists();

            // A crash after the file was deleted and before 'deleted' was committed: the next pass finishes the delete.
            long used = poolUsed(cloud);
            cloud.cp.volumes().delete(p, kept);
            Files.deleteIfExists(volumes.resolve(kept + ".raw")); // the controller may have got there first
            // The server's own controller runs alongside and may hold the row (SKIP LOCKED) during this pass.
            cloud.cp.volumeController().pass();
            await().atMost(java.time.Duration.ofSeconds(20)).until(() -> state(cloud, kept), "deleted"::equals);
            assertThat(poolUsed(cloud)).isEqualTo(used - GIB);

            // A crash after the row ('creating') and before the file: the next pass makes the file.
            String id = cloud.cp.volumes().create(p, CreateVolumeRequest.of(1, null, "nubo-1a", false, null, List.of())).volume().id();
            cloud.cp.volumeController().pass();
            await().atMost(java.time.Duration.ofSeconds(20)).until(() -> state(cloud, id), "available"::equals);
            assertThat(volumes.resolve(id + ".raw")).exists();
            cloud.cp.volumeController().sweep();
            assertThat(volumes.resolve(id + ".raw")).exists();
        }
    }

    static String available(TestCloud cloud, Principal p) {
        String id = cloud.cp.volumes().create(p, CreateVolumeRequest.of(1, null, "nubo-1a", false, null, List.of())).volume().id();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(cloud, id).equals("available"));
        return id;
    }

    static String state(TestCloud cloud, String id) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM volumes WHERE id = :v").bind("v", id).mapTo(String.class).one());
    }

    static String attachmentState(TestCloud cloud, String id) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM volume_attachments WHERE volume_id = :v").bind("v", id)
                .mapTo(String.class).findOne()).orElse("");
    }

    static long poolUsed(TestCloud cloud) {
        return cloud.db.jdbi().withHandle(h -> h.createQuery("SELECT used_bytes FROM storage_pools WHERE name = 'shared'").mapTo(Long.class).one());
    }
}
