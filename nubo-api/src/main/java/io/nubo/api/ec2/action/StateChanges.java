package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Reply;
import io.nubo.control.compute.ComputeService;

import java.util.List;

/** The answer of StartInstances, StopInstances and TerminateInstances: each instance's previous and current state. */
final class StateChanges {
    private StateChanges() {
    }

    static Ec2Reply of(List<ComputeService.Change> changes) {
        return o -> o.list("instancesSet", changes, (x, ch) -> {
            x.text("instanceId", ch.after().id());
            Render.state(x, "currentState", ch.after().state());
            Render.state(x, "previousState", ch.before().state());
        });
    }
}
