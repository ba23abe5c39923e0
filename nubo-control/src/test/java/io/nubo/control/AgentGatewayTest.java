package io.nubo.control;

import io.nubo.control.compute.LaunchRequest;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.ObservedInstance;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AgentGatewayTest {
    @Test
    void observationsDriveTheLifecycleAndStaleReportsAreIgnored() throws Exception {
        try (ControlFixture f = new ControlFixture(true)) {
            String host = f.registerHost("h1", 8, 8192);
            Instance i = f.cp.compute().run(f.admin, new LaunchRequest(f.image.id(), "t3.nano", 1, 1, "a", null, null)).instances().get(0);
            DesiredState d = await().atMost(Duration.ofSeconds(10)).until(() -> f.cp.agents().awaitDesired(host, -1, Duration.ZERO),
                    s -> s.instances().size() == 1);
            assertThat(d.instances().get(0).state()).isEqualTo(InstanceState.PENDING);

            // A report made before the agent saw the placement says nothing about this instance.
            f.cp.agents().report(host, new HostReport(d.version() - 1, List.of(new ObservedInstance(i.id(), PowerState.RUNNING, null))));
            assertThat(state(f, i)).isEqualTo(InstanceState.PENDING);

            f.cp.agents().report(host, new HostReport(d.version(), List.of(new ObservedInstance(i.id(), PowerState.RUNNING, null))));
            assertThat(state(f, i)).isEqualTo(InstanceState.RUNNING);

            // The guest powers itself off: running becomes stopped, with EC2's reason, and an event.
            long v = f.cp.agents().awaitDesired(host, -1, Duration.ZERO).version();
            f.cp.agents().report(host, new HostReport(v, List.of(new ObservedInstance(i.id(), PowerState.STOPPED, null))));
            Instance stopped = f.cp.compute().get(f.admin, i.id());
            assertThat(stopped.state()).isEqualTo(InstanceState.STOPPED);
            assertThat(stopped.stateReason()).startsWith("Client.InstanceInitiatedShutdown");

            f.cp.compute().terminate(f.admin, i.id());
            assertThat(state(f, i)).isEqualTo(InstanceState.SHUTTING_DOWN);
            assertThat(f.count("SELECT allocated_vcpus FROM hosts")).isEqualTo(2);
            long v2 = f.cp.agents().awaitDesired(host, v, Duration.ofSeconds(5)).version();
            assertThat(v2).isGreaterThan(v);
            f.cp.agents().report(host, new HostReport(v2, List.of()));
            assertThat(state(f, i)).isEqualTo(InstanceState.TERMINATED);
            assertThat(f.count("SELECT allocated_vcpus FROM hosts")).isZero();
            assertThat(f.count("SELECT allocated_memory_mib FROM hosts")).isZero();
            assertThat(f.count("SELECT count(*) FROM events WHERE resource_id = '" + i.id() + "' AND type = 'instance.state'"))
                    .isEqualTo(5); // launched (pending), running, stopped, shutting-down, terminated
        }
    }

    private static InstanceState state(ControlFixture f, Instance i) {
        return f.cp.compute().get(f.admin, i.id()).state();
    }
}
