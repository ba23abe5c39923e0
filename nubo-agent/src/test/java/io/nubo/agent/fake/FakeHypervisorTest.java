package io.nubo.agent.fake;

import io.nubo.core.model.PowerState;
import io.nubo.core.spi.HostFacts;
import io.nubo.core.spi.VmSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FakeHypervisorTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final VmSpec SPEC = new VmSpec("i-0123456789abcdef0", 1, 128, "ami-0123456789abcdef0", "qcow2", "/x", "h", null, null);

    @Test
    void bootAndShutdownTakeTheirSimulatedTime() {
        ManualClock clock = new ManualClock();
        FakeHypervisor hv = new FakeHypervisor(clock, Duration.ofSeconds(1), Duration.ofMillis(500),
                new HostFacts("fake", 4, 4096, 10), Optional.empty());
        hv.start(SPEC);
        assertThat(hv.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.STARTING);
        clock.now = clock.now.plusSeconds(1);
        assertThat(hv.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.RUNNING);
        hv.stop(SPEC.instanceId(), false, Duration.ofSeconds(30));
        assertThat(hv.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.STOPPING);
        clock.now = clock.now.plusMillis(500);
        assertThat(hv.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.STOPPED);
        hv.destroy(SPEC.instanceId());
        assertThat(hv.list()).isEmpty();
    }

    @Test
    void vmsOutliveTheDriverWhenItHasAStateDirectory(@TempDir Path dir) {
        ManualClock clock = new ManualClock();
        FakeHypervisor first = new FakeHypervisor(clock, Duration.ZERO, Duration.ZERO, new HostFacts("fake", 4, 4096, 10), Optional.of(dir));
        first.start(SPEC);
        first.crash("i-0000000000000000a", "never existed");
        FakeHypervisor second = new FakeHypervisor(clock, Duration.ZERO, Duration.ZERO, new HostFacts("fake", 4, 4096, 10), Optional.of(dir));
        assertThat(second.list()).containsOnlyKeys(SPEC.instanceId());
        assertThat(second.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.RUNNING);
        second.crash(SPEC.instanceId(), "killed");
        FakeHypervisor third = new FakeHypervisor(clock, Duration.ZERO, Duration.ZERO, new HostFacts("fake", 4, 4096, 10), Optional.of(dir));
        assertThat(third.list().get(SPEC.instanceId()).power()).isEqualTo(PowerState.STOPPED);
        assertThat(third.list().get(SPEC.instanceId()).reason()).isEqualTo("killed");
    }
}
