package io.nubo.control;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.hosts.HostFailover;
import io.nubo.core.NuboException;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.PowerState;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The scheduler's filters beyond vCPUs and memory: architecture, accelerator, and root disk space in a pool the host reaches. */
class SchedulerFiltersTest {
    private static final long GIB = 1L << 30;

    @Test
    void anImageGoesOnlyToHostsOfItsArchitectureAndAnArchitectureNoHostRunsIsRefusedWithNothingWritten() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            // The x86_64 host has far more room, so spreading would pick it were the architecture not a filter.
            String amd = host(f, "amd", 64, 65536, "fake", 100, "x86_64");
            String arm = host(f, "arm", 4, 2048, "fake", 100, "aarch64");
            String armImage = image(f, "arm64");
            assertThat(f.cp.hosts().get(f.admin, arm).architecture()).isEqualTo("aarch64");

            Instance onArm = launch(f, f.admin, armImage, "t3.nano", null);
            Instance onAmd = launch(f, f.admin, f.image.id(), "t3.nano", null);
            awaitPlaced(f, onArm, onAmd);
            assertThat(hostOf(f, onArm)).isEqualTo(arm);
            assertThat(hostOf(f, onAmd)).isEqualTo(amd);

            // The aarch64 host is full (8 schedulable vCPUs, 2048 MiB): short capacity, naming the type.
            // (Admission counts what the scheduler has placed, so wait for it.)
            awaitPlaced(f, launch(f, f.admin, armImage, "t3.nano", null), launch(f, f.admin, armImage, "t3.nano", null),
                    launch(f, f.admin, armImage, "t3.nano", null));
            long before = f.count("SELECT count(*) FROM instances");
            assertThatThrownBy(() -> launch(f, f.admin, armImage, "t3.nano", null))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InsufficientInstanceCapacity"))
                    .hasMessageContaining("t3.nano");

            // An architecture no host runs at all: the type cannot run that AMI here.
            String riscv = image(f, "riscv64");
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> launch(f, f.admin, riscv, "t3.nano", null))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidParameterValue"))
                    .hasMessageContaining("riscv64").hasMessageContaining("t3.nano");
            assertThat(f.count("SELECT count(*) FROM instances")).isEqualTo(before);
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);
        }
    }

    @Test
    void aTypeThatRequiresKvmGoesOnlyToKvmHostsAndBadOrUnservedRequirementsAreRefused() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String tcg = host(f, "tcg", 64, 65536, "tcg", 100, "x86_64");
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.catalog().putType(f.admin, new InstanceType("k1.small", 1, 512, 1000, "gpu")))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidParameterValue")).hasMessageContaining("requiresAccelerator");
            assertThat(f.count("SELECT count(*) FROM instance_types WHERE name = 'k1.small'")).isZero();
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);
            Principal tenant = f.tenant("acc");
            assertThatThrownBy(() -> f.cp.catalog().putType(tenant, new InstanceType("k1.small", 1, 512, 1000, "kvm")))
                    .isInstanceOf(NuboException.class);
            f.cp.catalog().putType(f.admin, new InstanceType("k1.small", 1, 512, 1000, "kvm"));
            assertThat(f.cp.catalog().getType("k1.small").requiresAccelerator()).isEqualTo("kvm");

            // No host runs guests with KVM: EC2's answer for a type not offered where asked.
            assertThatThrownBy(() -> launch(f, f.admin, f.image.id(), "k1.small", null))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("Unsupported")).hasMessageContaining("k1.small");
            assertThat(f.count("SELECT count(*) FROM instances")).isZero();

            String kvm = host(f, "kvm", 2, 2048, "kvm", 100, "x86_64");
            Instance k = launch(f, f.admin, f.image.id(), "k1.small", null);
            Instance any = launch(f, f.admin, f.image.id(), "t3.nano", null);
            awaitPlaced(f, k, any);
            assertThat(hostOf(f, k)).isEqualTo(kvm);
            assertThat(hostOf(f, any)).isEqualTo(tcg);

            // The KVM host is full (8 schedulable vCPUs, 2048 MiB of 512 each): the roomy TCG host does not take the type.
            for (int n = 0; n < 3; n++) {
                awaitPlaced(f, launch(f, f.admin, f.image.id(), "k1.small", null));
            }
            assertThatThrownBy(() -> launch(f, f.admin, f.image.id(), "k1.small", null))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InsufficientInstanceCapacity")).hasMessageContaining("k1.small");
            // A stopped instance restarts on its host: it cannot take a type that host does not run.
            f.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET state = 'stopped', task = 'none' WHERE id = ?", any.id()));
            long resizedEvents = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.compute().modifyInstanceType(f.admin, any.id(), "k1.small"))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidParameterValue"))
                    .hasMessageContaining("kvm");
            assertThat(f.cp.compute().get(f.admin, any.id()).instanceType()).isEqualTo("t3.nano");
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(resizedEvents);
            // Requirements can be dropped again.
            f.cp.catalog().putType(f.admin, new InstanceType("k1.small", 1, 512, 1000, null));
            Instance anywhere = launch(f, f.admin, f.image.id(), "k1.small", null);
            awaitPlaced(f, anywhere);
            assertThat(hostOf(f, anywhere)).isEqualTo(tcg);
        }
    }

    @Test
    void rootDisksClaimTheirHostsLocalPoolAndTerminatingGivesTheSpaceBack() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            // Plenty of vCPUs and memory; 100 GiB of disk: two 40 GiB root disks fit, a third does not.
            String h = host(f, "disk", 64, 65536, "fake", 100, "x86_64");
            Instance a = launch(f, f.admin, f.image.id(), "t3.nano", 40);
            Instance b = launch(f, f.admin, f.image.id(), "t3.nano", 40);
            awaitPlaced(f, a, b);
            assertThat(localUsed(f, h)).isEqualTo(80 * GIB);
            assertThat(f.count("SELECT count(*) FROM instance_root_disks WHERE bytes = " + 40 * GIB)).isEqualTo(2);
            long instances = f.count("SELECT count(*) FROM instances");
            assertThatThrownBy(() -> launch(f, f.admin, f.image.id(), "t3.nano", 40))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InsufficientInstanceCapacity")).hasMessageContaining("t3.nano");
            assertThat(f.count("SELECT count(*) FROM instances")).isEqualTo(instances);
            assertThat(localUsed(f, h)).isEqualTo(80 * GIB);

            // The agent reports a gone: its disk's space returns to the pool, and a 40 GiB disk fits again.
            f.cp.compute().terminate(f.admin, a.id());
            long v = f.cp.agents().awaitDesired(h, -1, Duration.ZERO).version();
            f.cp.agents().report(h, new HostReport(v, List.of(new ObservedInstance(b.id(), PowerState.RUNNING, null))));
            assertThat(f.cp.compute().get(f.admin, a.id()).state().apiName()).isEqualTo("terminated");
            assertThat(localUsed(f, h)).isEqualTo(40 * GIB);
            assertThat(f.count("SELECT count(*) FROM instance_root_disks WHERE instance_id = '" + a.id() + "'")).isZero();
            Instance c = launch(f, f.admin, f.image.id(), "t3.nano", 40);
            awaitPlaced(f, c);
            assertThat(localUsed(f, h)).isEqualTo(80 * GIB);
        }
    }

    @Test
    void manyLaunchesRacingForTheLastDiskSpaceNeverOversubscribeAPool() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            // Two hosts with 50 GiB each and room for far more instances: exactly 10 disks of 10 GiB fit.
            String h1 = host(f, "d1", 64, 65536, "fake", 50, "x86_64");
            String h2 = host(f, "d2", 64, 65536, "fake", 50, "x86_64");
            Principal tenant = f.tenant("racer");
            int accepted = f.race(40, 8, () -> launch(f, tenant, f.image.id(), "t3.nano", 10));
            assertThat(accepted).isGreaterThanOrEqualTo(10);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    f.count("SELECT count(*) FROM instances WHERE host_id IS NULL AND state = 'pending'") == 0);
            assertThat(f.count("SELECT count(*) FROM instances WHERE host_id IS NOT NULL AND state <> 'terminated'")).isEqualTo(10);
            for (String h : List.of(h1, h2)) {
                assertThat(localUsed(f, h)).isEqualTo(50 * GIB);
            }
            // The ledger and the claims agree, and no pool holds more than it has.
            assertThat(f.count("SELECT count(*) FROM storage_pools WHERE used_bytes > total_bytes")).isZero();
            assertThat(f.count("SELECT count(*) FROM storage_pools p WHERE kind = 'local' AND used_bytes <> "
                    + "(SELECT coalesce(sum(bytes), 0) FROM instance_root_disks d WHERE d.pool_id = p.id)")).isZero();
            assertThat(f.count("SELECT count(*) FROM instances WHERE state = 'terminated' AND state_reason LIKE 'Server.InsufficientInstanceCapacity%'"))
                    .isEqualTo(accepted - 10);
        }
    }

    @Test
    void anHaRootDiskClaimsTheSharedPoolOnAHostThatReachesItAndFailsOverOnlyToTheSameArchitecture() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            // "local-only" announced its pools and mounts no shared one; "remote" announced none (a remote agent), so it is taken to reach it.
            String localOnly = host(f, "local-only", 64, 65536, "fake", 100, "x86_64");
            f.cp.storagePools().registerHost(localOnly, "local-only", Files.createDirectories(f.dataDir.resolve("pools/local-only")), Optional.empty());
            String remote = host(f, "remote", 8, 8192, "fake", 100, "x86_64");
            String arm = host(f, "arm", 64, 65536, "fake", 100, "aarch64");
            long sharedBefore = f.count("SELECT used_bytes FROM storage_pools WHERE kind = 'shared'");

            Instance ha = f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null, null, null,
                    List.of(), List.of(), List.of(), null, true, null, null, 20)).instances().get(0);
            awaitPlaced(f, ha);
            assertThat(hostOf(f, ha)).isEqualTo(remote);
            assertThat(f.count("SELECT used_bytes FROM storage_pools WHERE kind = 'shared'")).isEqualTo(sharedBefore + 20 * GIB);

            // Its host dies: the only other host reaching the shared pool runs aarch64, so the instance stays where it is.
            f.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET state = 'running', task = 'none' WHERE id = ?", ha.id()));
            f.db.jdbi().useHandle(h -> h.execute("UPDATE hosts SET lease_expires_at = now() - interval '30 seconds' WHERE id = ?", remote));
            f.db.jdbi().useHandle(h -> h.execute("UPDATE hosts SET state = 'disabled' WHERE id = ?", localOnly));
            HostFailover.Outcome o = new HostFailover(f.db, Clock.systemUTC(), f.cp.agents()::notifyHosts).pass();
            assertThat(o.unplaced()).containsExactly(ha.id());
            assertThat(hostOf(f, ha)).isEqualTo(remote);
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + ha.id() + "' AND type = 'instance.ha' AND cause LIKE '%x86_64%'"))
                    .isEqualTo(1);
            // An x86_64 host that reaches the shared pool takes it; the disk stays claimed once, on the shared pool.
            String spare = host(f, "spare", 8, 8192, "fake", 1, "x86_64");
            assertThat(new HostFailover(f.db, Clock.systemUTC(), f.cp.agents()::notifyHosts).pass().restarted()).hasSize(1);
            assertThat(hostOf(f, ha)).isEqualTo(spare);
            assertThat(f.count("SELECT used_bytes FROM storage_pools WHERE kind = 'shared'")).isEqualTo(sharedBefore + 20 * GIB);
            assertThat(localUsed(f, spare)).isZero();
            assertThat(arm).isNotNull();
        }
    }

    @Test
    void aMigrationGoesOnlyWhereTheArchitectureMatchesAndTheLocalPoolHoldsTheDisksCopyWhichItReservesAndSettles() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String src = host(f, "src", 8, 8192, "fake", 100, "x86_64");
            Instance a = launch(f, f.admin, f.image.id(), "t3.nano", 40);
            Instance b = launch(f, f.admin, f.image.id(), "t3.nano", 40);
            awaitPlaced(f, a, b);
            f.db.jdbi().useHandle(h -> h.execute("UPDATE instances SET state = 'running', task = 'none'"));
            // The roomiest hosts are the wrong architecture, or have too little disk: spreading alone would pick them.
            String arm = host(f, "arm", 64, 65536, "fake", 500, "aarch64");
            String small = host(f, "small", 64, 32768, "fake", 30, "x86_64");
            String ok = host(f, "ok", 8, 8192, "fake", 100, "x86_64");

            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.migrations().start(f.admin, a.id(), Optional.of("arm")))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidParameterValue"))
                    .hasMessageContaining("aarch64");
            assertThatThrownBy(() -> f.cp.migrations().start(f.admin, a.id(), Optional.of("small")))
                    .isInstanceOfSatisfying(NuboException.class, e -> assertThat(e.errorCode().code()).isEqualTo("InvalidParameterValue"))
                    .hasMessageContaining("40 GiB root disk");
            assertThat(f.count("SELECT count(*) FROM migrations")).isZero();
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);
            assertThat(localUsed(f, small)).isZero();

            // Without a destination named, the scheduler's filters pick "ok", which reserves room for the copy at once.
            var m = f.cp.migrations().start(f.admin, a.id(), Optional.empty());
            assertThat(m.destinationHostId()).isEqualTo(ok);
            assertThat(localUsed(f, ok)).isEqualTo(40 * GIB);
            assertThat(localUsed(f, src)).isEqualTo(80 * GIB);
            f.cp.agents().migrationUpdate(ok, io.nubo.core.agent.MigrationUpdate.ready(m.id(), "127.0.0.1", 4444, 4445));
            f.cp.agents().migrationUpdate(src, io.nubo.core.agent.MigrationUpdate.completed(m.id(), null));
            assertThat(hostOf(f, a)).isEqualTo(ok);
            assertThat(localUsed(f, ok)).isEqualTo(40 * GIB);
            assertThat(localUsed(f, src)).isEqualTo(40 * GIB);
            assertThat(f.count("SELECT count(*) FROM instance_root_disks d JOIN storage_pools p ON p.id = d.pool_id WHERE d.instance_id = '"
                    + a.id() + "' AND p.host_id = '" + ok + "'")).isEqualTo(1);

            // "ok" has 60 GiB left: b's copy fits there, and a failed migration gives the reservation back.
            var m2 = f.cp.migrations().start(f.admin, b.id(), Optional.of("ok"));
            assertThat(localUsed(f, ok)).isEqualTo(80 * GIB);
            f.cp.agents().migrationUpdate(ok, io.nubo.core.agent.MigrationUpdate.failed(m2.id(), null, "no room after all"));
            assertThat(hostOf(f, b)).isEqualTo(src);
            assertThat(localUsed(f, ok)).isEqualTo(40 * GIB);
            assertThat(localUsed(f, src)).isEqualTo(40 * GIB);
            assertThat(arm).isNotNull();
        }
    }

    static String host(ControlFixture f, String name, int vcpus, int memoryMib, String accelerator, int diskGib, String arch) {
        return f.cp.agents().register(new HostRegistration(name, "fake", accelerator, "nubo-1a", vcpus, memoryMib, diskGib, arch));
    }

    /** A copy of the default image with another architecture. */
    static String image(ControlFixture f, String architecture) {
        String id = io.nubo.core.Ids.next(io.nubo.core.Ids.IMAGE);
        f.db.jdbi().useTransaction(h -> {
            h.execute("CREATE TEMP TABLE img ON COMMIT DROP AS SELECT * FROM images WHERE id = ?", f.image.id());
            h.execute("UPDATE img SET id = ?, name = ?, architecture = ?", id, "img-" + architecture, architecture);
            h.execute("INSERT INTO images SELECT * FROM img");
        });
        return id;
    }

    static Instance launch(ControlFixture f, Principal caller, String image, String type, Integer rootGib) {
        return f.cp.compute().run(caller, new LaunchRequest(image, type, 1, 1, null, null, null, null, null, List.of(), List.of(), List.of(),
                null, false, null, null, rootGib)).instances().get(0);
    }

    static void awaitPlaced(ControlFixture f, Instance... instances) {
        for (Instance i : instances) {
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE id = '" + i.id() + "' AND host_id IS NOT NULL") == 1);
        }
    }

    static String hostOf(ControlFixture f, Instance i) {
        return f.db.jdbi().withHandle(h -> h.createQuery("SELECT host_id FROM instances WHERE id = :id").bind("id", i.id()).mapTo(String.class).one());
    }

    static long localUsed(ControlFixture f, String hostId) {
        return f.count("SELECT used_bytes FROM storage_pools WHERE kind = 'local' AND host_id = '" + hostId + "'");
    }
}
