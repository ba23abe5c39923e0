package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.InstanceOperation;

import java.util.List;

/** StopInstances: an ACPI shutdown, forced after a timeout; at once with {@code Force} or {@code SkipOsShutdown}. */
public record StopInstances(List<String> ids, boolean force) implements Ec2Command {
    public static StopInstances parse(Params p) {
        if (p.bool("Hibernate").orElse(false)) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not hibernate instances");
        }
        boolean force = p.bool("Force").orElse(false) | p.bool("SkipOsShutdown").orElse(false);
        return new StopInstances(p.strings("InstanceId"), force);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        return StateChanges.of(c.services().compute().apply(c.caller(), ids, InstanceOperation.STOP, force));
    }
}
