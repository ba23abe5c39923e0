package io.nubo.control;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.control.hosts.HostService;
import io.nubo.core.NuboException;
import io.nubo.core.model.Principal;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class HostActionsTest {
    @Test
    void aDisabledOrDrainedHostGetsNoNewInstancesKeepsItsStateThroughHeartbeatsAndComesBackWhenEnabled() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 64, 65536);
            String b = f.registerHost("b", 8, 8192);
            HostService.Changed disabled = f.cp.hosts().act(f.admin, a, HostService.AdminAction.DISABLE);
            assertThat(disabled.host().state().apiName()).isEqualTo("disabled");
            f.cp.agents().heartbeat(a);
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("disabled");

            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 4, 4, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id IS NULL") == 0);
            assertThat(f.count("SELECT count(*) FROM instances WHERE host_id = '" + b + "'")).isEqualTo(4);

            HostService.Changed drained = f.cp.hosts().act(f.admin, b, HostService.AdminAction.DRAIN);
            // Its instances never started (no agent here), so the drain waits for them: the host stays draining.
            assertThat(drained.host().state().apiName()).isEqualTo("draining");
            assertThat(drained.instancesLeft()).isEqualTo(4);
            f.cp.agents().heartbeat(b);
            assertThat(f.cp.hosts().get(f.admin, b).state().apiName()).isEqualTo("draining");
            // With both hosts out of service there is no room at all.
            assertThatThrownBy(() -> f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null)))
                    .isInstanceOf(NuboException.class).hasMessageContaining("capacity");

            assertThat(f.cp.hosts().act(f.admin, a, HostService.AdminAction.ENABLE).host().state().apiName()).isEqualTo("up");
            assertThat(f.cp.hosts().act(f.admin, a, HostService.AdminAction.ENABLE).host().state().apiName()).isEqualTo("up");
            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id = '" + a + "'") == 1);
            assertThat(f.count("SELECT count(*) FROM events WHERE type = 'host.state' AND resource_id = '" + a + "'")).isEqualTo(2);
        }
    }

    @Test
    void onlyAnAdminActsOnHostsAndAnUnknownHostChangesNothing() throws Exception {
        try (ControlFixture f = new ControlFixture(false)) {
            String a = f.registerHost("a", 8, 8192);
            Principal tenant = f.tenant("t");
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.hosts().act(tenant, a, HostService.AdminAction.DISABLE)).isInstanceOf(NuboException.class)
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("UnauthorizedOperation"));
            assertThatThrownBy(() -> f.cp.hosts().act(f.admin, "h-0123456789abcdef0", HostService.AdminAction.DRAIN))
                    .satisfies(e -> assertThat(((NuboException) e).errorCode().code()).isEqualTo("InvalidHostID.NotFound"));
            assertThat(f.cp.hosts().get(f.admin, a).state().apiName()).isEqualTo("up");
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events);
        }
    }

    @Test
    void aHostIsRemovedOnlyOutOfServiceAndEmptyAndComesBackOnlyByJoiningAgain() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String a = f.registerHost("a", 64, 65536);
            String b = f.registerHost("b", 8, 8192);
            f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, null, null, null));
            await().atMost(Duration.ofSeconds(20)).until(() -> f.count("SELECT count(*) FROM instances WHERE host_id = '" + a + "'") == 1);
            Principal tenant = f.tenant("not-an-operator");
            long events = f.count("SELECT count(*) FROM events");
            assertThatThrownBy(() -> f.cp.hosts().remove(f.admin, b)).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.getMessage()).contains("disable or drain"));
            f.cp.hosts().act(f.admin, a, HostService.AdminAction.DISABLE);
            assertThatThrownBy(() -> f.cp.hosts().remove(f.admin, a)).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.getMessage()).contains("still has 1 instance"));
            assertThatThrownBy(() -> f.cp.hosts().remove(tenant, b)).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.errorCode().code()).isEqualTo("UnauthorizedOperation"));
            assertThat(f.count("SELECT count(*) FROM events")).isEqualTo(events + 1); // the disable alone

            f.cp.hosts().act(f.admin, b, HostService.AdminAction.DISABLE);
            assertThat(f.cp.hosts().remove(f.admin, b).state().apiName()).isEqualTo("removed");
            assertThat(f.cp.hosts().list(f.admin)).extracting(h -> h.id()).containsExactly(a);
            assertThatThrownBy(() -> f.cp.hosts().get(f.admin, b)).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.errorCode().code()).isEqualTo("InvalidHostID.NotFound"));
            assertThatThrownBy(() -> f.cp.hosts().remove(f.admin, b)).isInstanceOfSatisfying(NuboException.class,
                    e -> assertThat(e.errorCode().code()).isEqualTo("InvalidHostID.NotFound"));
            // Its lease may run on (an in-process heartbeat needs no credentials): it stays removed.
            f.cp.agents().heartbeat(b);
            assertThat(f.cp.hosts().list(f.admin)).extracting(h -> h.id()).containsExactly(a);
            // Joining again brings the same host back into service.
            assertThat(f.registerHost("b", 8, 8192)).isEqualTo(b);
            assertThat(f.cp.hosts().get(f.admin, b).state().apiName()).isEqualTo("up");
        }
    }
}
