package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.InstanceOperation;

import java.util.List;

/** TerminateInstances: the VMs are destroyed; terminated instances stay visible for an hour. */
public record TerminateInstances(List<String> ids) implements Ec2Command {
    public static TerminateInstances parse(Params p) {
        p.bool("Force");
        p.bool("SkipOsShutdown");
        return new TerminateInstances(p.strings("InstanceId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        return StateChanges.of(c.services().compute().apply(c.caller(), ids, InstanceOperation.TERMINATE, false));
    }
}
