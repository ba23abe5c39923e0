package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;

import java.util.Optional;

/**
 * DetachVolume: {@code detaching} until the guest has let go of the disk; {@code Force} does not
 * wait for it. {@code InstanceId} is needed when a multi-attach volume has several instances.
 */
public record DetachVolume(String volumeId, Optional<String> instanceId, Optional<String> device, boolean force) implements Ec2Command {
    public static DetachVolume parse(Params p) {
        return new DetachVolume(p.required("VolumeId"), p.nonEmpty("InstanceId"), p.nonEmpty("Device"), p.bool("Force").orElse(false));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var a = c.services().volumes().detach(c.caller(), volumeId, instanceId, device, force);
        return o -> VolumeXml.attachment(o, a);
    }
}
