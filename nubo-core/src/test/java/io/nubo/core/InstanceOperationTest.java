package io.nubo.core;

import io.nubo.core.model.InstanceOperation;
import io.nubo.core.model.InstanceState;
import org.junit.jupiter.api.Test;

import static io.nubo.core.model.InstanceOperation.*;
import static io.nubo.core.model.InstanceState.*;
import static org.assertj.core.api.Assertions.assertThat;

class InstanceOperationTest {
    @Test
    void statesCarryEc2sCodesAndNames() {
        assertThat(PENDING.code()).isZero();
        assertThat(RUNNING.code()).isEqualTo(16);
        assertThat(SHUTTING_DOWN.code()).isEqualTo(32);
        assertThat(TERMINATED.code()).isEqualTo(48);
        assertThat(STOPPING.code()).isEqualTo(64);
        assertThat(STOPPED.code()).isEqualTo(80);
        assertThat(SHUTTING_DOWN.apiName()).isEqualTo("shutting-down");
        assertThat(InstanceState.fromApiName("shutting-down")).isEqualTo(SHUTTING_DOWN);
    }

    @Test
    void onlyAStoppedInstanceStarts() {
        for (InstanceState s : InstanceState.values()) {
            assertThat(START.allowedIn(s)).as("start in %s", s).isEqualTo(s == STOPPED);
        }
    }

    @Test
    void onlyARunningInstanceStopsOrReboots() {
        for (InstanceState s : InstanceState.values()) {
            assertThat(STOP.allowedIn(s)).as("stop in %s", s).isEqualTo(s == RUNNING);
            assertThat(REBOOT.allowedIn(s)).as("reboot in %s", s).isEqualTo(s == RUNNING);
        }
    }

    @Test
    void terminateIsAllowedEverywhereAndIsIdempotent() {
        for (InstanceState s : InstanceState.values()) {
            assertThat(InstanceOperation.TERMINATE.allowedIn(s)).isTrue();
        }
    }
}
