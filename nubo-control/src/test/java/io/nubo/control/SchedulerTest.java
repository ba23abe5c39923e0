package io.nubo.control;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SchedulerTest {
    @Test
    void concurrentLaunchesNeverOversubscribeAHostAndAccountingIsExact() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            // 5 vCPUs x 4.0 overcommit = 20 schedulable; t3.nano takes 2 vCPUs and 512 MiB: room for exactly 10.
            String host = f.registerHost("small", 5, 10 * 512 + 100);
            Principal tenant = f.tenant("racer");
            int accepted = f.race(40, 8, () -> f.cp.compute().run(tenant, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null)));
            assertThat(accepted).isGreaterThanOrEqualTo(10);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    f.count("SELECT count(*) FROM instances WHERE host_id IS NULL AND state = 'pending'") == 0);
            assertThat(f.count("SELECT count(*) FROM instances WHERE host_id = '" + host + "' AND state <> 'terminated'")).isEqualTo(10);
            assertThat(f.count("SELECT allocated_vcpus FROM hosts WHERE id = '" + host + "'")).isEqualTo(20);
            assertThat(f.count("SELECT allocated_memory_mib FROM hosts WHERE id = '" + host + "'")).isEqualTo(10 * 512);
            // Whatever was accepted but did not fit was terminated with EC2's reason, never left pending.
            assertThat(f.count("SELECT count(*) FROM instances WHERE state = 'terminated' AND state_reason LIKE 'Server.InsufficientInstanceCapacity%'"))
                    .isEqualTo(accepted - 10);
        }
    }

    @Test
    void launchingWithNoRoomAnywhereFailsAtOnceAndWritesNothing() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            f.registerHost("tiny", 1, 256);
            long events = f.count("SELECT count(*) FROM events");
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null)))
                    .isInstanceOf(NuboException.class).hasMessageContaining("sufficient t3.nano capacity");
            assertThat(f.count("SELECT count(*) FROM instances")).isZero();
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);
        }
    }

    @Test
    void aPackingZoneFillsTheFullestHostThatFitsWhereSpreadingPicksTheEmptiest() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String big = f.registerHost("big", 64, 65536);
            String small = f.registerHost("small", 64, 4096);
            assertThat(f.cp.hosts().weighers(f.admin)).extracting(w -> w.weigher()).containsExactly("spread");
            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id = '" + big + "'") == 1);

            io.nubo.core.model.Principal tenant = f.tenant("t");
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.hosts().setWeigher(f.admin, "nubo-1a", "scatter")).isInstanceOf(NuboException.class);
            assertThatThrownBy(() -> f.cp.hosts().setWeigher(f.admin, "nowhere-1z", "pack")).isInstanceOf(NuboException.class);
            assertThatThrownBy(() -> f.cp.hosts().setWeigher(tenant, "nubo-1a", "pack")).isInstanceOf(NuboException.class);
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);

            f.cp.hosts().setWeigher(f.admin, "nubo-1a", "pack");
            assertThat(f.cp.hosts().weighers(f.admin)).extracting(w -> w.weigher()).containsExactly("pack");
            // 4 GiB fits 8 t3.nano: packing fills it before it touches the big host's room.
            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 9, 9, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id IS NULL") == 0);
            assertThat(f.count("SELECT count(*) FROM instances WHERE host_id = '" + small + "'")).isEqualTo(8);
            assertThat(f.count("SELECT count(*) FROM instances WHERE host_id = '" + big + "'")).isEqualTo(2);
        }
    }
}
