package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.InstanceOperation;

import java.util.List;

/** StartInstances: stopped instances start again, all or none. */
public record StartInstances(List<String> ids) implements Ec2Command {
    public static StartInstances parse(Params p) {
        p.string("AdditionalInfo");
        return new StartInstances(p.strings("InstanceId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        return StateChanges.of(c.services().compute().apply(c.caller(), ids, InstanceOperation.START, false));
    }
}
