package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.model.InstanceState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DesiredViewTest {
    private static DesiredInstance di(String id, InstanceState s) {
        return new DesiredInstance(id, s, false, 0, 1, 128, "ami-1", "qcow2", "/img", id, null, null);
    }

    @Test
    void deltasMergeAndTerminatedInstancesLeaveWhileACompleteStateReplacesEverything() {
        DesiredView v = new DesiredView();
        assertThat(v.version()).isEqualTo(-1);
        v.apply(new DesiredState(3, List.of(di("i-1", InstanceState.RUNNING), di("i-2", InstanceState.RUNNING)), true));
        List<String> changed = v.apply(new DesiredState(5, List.of(di("i-1", InstanceState.TERMINATED), di("i-3", InstanceState.PENDING),
                di("i-2", InstanceState.STOPPING)), false));
        assertThat(changed).containsExactly("i-1", "i-3", "i-2");
        DesiredView.Snapshot s = v.snapshot();
        assertThat(s.version()).isEqualTo(5);
        assertThat(s.instances()).extracting(DesiredInstance::instanceId).containsExactlyInAnyOrder("i-2", "i-3");
        assertThat(s.instances()).filteredOn(i -> i.instanceId().equals("i-2")).extracting(DesiredInstance::state)
                .containsExactly(InstanceState.STOPPING);

        v.apply(new DesiredState(9, List.of(di("i-9", InstanceState.RUNNING)), true));
        assertThat(v.snapshot().instances()).extracting(DesiredInstance::instanceId).containsExactly("i-9");
        assertThat(v.version()).isEqualTo(9);
    }
}
