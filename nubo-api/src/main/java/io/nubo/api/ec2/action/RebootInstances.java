package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.model.InstanceOperation;

import java.util.List;

/** RebootInstances: running instances reboot, soft first, then hard. */
public record RebootInstances(List<String> ids) implements Ec2Command {
    public static RebootInstances parse(Params p) {
        return new RebootInstances(p.strings("InstanceId"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        c.services().compute().apply(c.caller(), ids, InstanceOperation.REBOOT, false);
        return Ec2Reply.TRUE;
    }
}
