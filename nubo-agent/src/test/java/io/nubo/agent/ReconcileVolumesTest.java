package io.nubo.agent;

import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredVolume;
import io.nubo.core.agent.ObservedVolume;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.PowerState;
import io.nubo.core.spi.VmStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the agent does about a VM's volumes: the difference between what it should have and what it has, both ways. */
class ReconcileVolumesTest {
    static final long GIB = 1L << 30;
    static final String I = "i-0123456789abcdef0";

    static DesiredVolume v(String id, long size) {
        return new DesiredVolume(id, "/pool/volumes/" + id + ".raw", "raw", id.replace("-", ""), false, size);
    }

    static DesiredInstance desired(InstanceState s, List<DesiredVolume> volumes, List<String> force) {
        return new DesiredInstance(I, s, false, 0, 1, 128, "ami-0123456789abcdef0", "qcow2", "/x", "h", null, null, volumes, force);
    }

    static Optional<VmStatus> vm(PowerState p, List<ObservedVolume> volumes) {
        return Optional.of(new VmStatus(I, p, null, null, null, volumes));
    }

    @Test
    void missingAndHalfAttachedVolumesAreAttachedSmallerOnesGrownAndOthersDetached() {
        var plan = ReconcileActions.volumes(desired(InstanceState.RUNNING, List.of(v("vol-a", GIB), v("vol-b", GIB), v("vol-c", 2 * GIB),
                        v("vol-d", GIB)), List.of("vol-f")),
                vm(PowerState.RUNNING, List.of(new ObservedVolume("vol-b", GIB, false), new ObservedVolume("vol-c", GIB, true),
                        new ObservedVolume("vol-d", GIB, true), new ObservedVolume("vol-e", GIB, true), new ObservedVolume("vol-f", GIB, false))))
                .orElseThrow();
        assertThat(plan.attach()).extracting(DesiredVolume::volumeId).containsExactly("vol-a", "vol-b");
        assertThat(plan.grow()).extracting(DesiredVolume::volumeId).containsExactly("vol-c");
        assertThat(plan.detach()).containsExactly("vol-e", "vol-f");
        assertThat(plan.force()).containsExactly("vol-f");
    }

    @Test
    void nothingIsDoneWhenAllIsInPlaceTheVmIsNotRunningOrItsVolumesAreUnknown() {
        DesiredInstance d = desired(InstanceState.RUNNING, List.of(v("vol-a", GIB)), List.of());
        assertThat(ReconcileActions.volumes(d, vm(PowerState.RUNNING, List.of(new ObservedVolume("vol-a", 2 * GIB, true))))).isEmpty();
        assertThat(ReconcileActions.volumes(d, vm(PowerState.STOPPED, null))).isEmpty();
        assertThat(ReconcileActions.volumes(d, vm(PowerState.STARTING, null))).isEmpty();
        assertThat(ReconcileActions.volumes(d, vm(PowerState.RUNNING, null))).isEmpty();
        assertThat(ReconcileActions.volumes(d, Optional.empty())).isEmpty();
        assertThat(ReconcileActions.volumes(desired(InstanceState.STOPPING, List.of(), List.of()),
                vm(PowerState.RUNNING, List.of(new ObservedVolume("vol-a", GIB, true))))).isEmpty();
        // A VM that just booted (its instance still pending) gets its volumes' work done too.
        assertThat(ReconcileActions.volumes(desired(InstanceState.PENDING, List.of(v("vol-a", GIB)), List.of()),
                vm(PowerState.RUNNING, List.of()))).isPresent();
    }
}
