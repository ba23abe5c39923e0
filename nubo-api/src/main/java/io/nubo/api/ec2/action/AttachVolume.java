package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

/**
 * AttachVolume: hot on a running instance, at the next start on a stopped one. The guest names
 * the disk itself (virtio: {@code /dev/vdb}, ...); its serial is the volume ID without the dash,
 * as on EC2's Nitro instances.
 */
public record AttachVolume(String volumeId, String instanceId, String device) implements Ec2Command {
    public static AttachVolume parse(Params p) {
        p.integer("EbsCardIndex").filter(i -> i != 0).ifPresent(i -> {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Nubo instances have one EBS card: EbsCardIndex must be 0");
        });
        return new AttachVolume(p.required("VolumeId"), p.required("InstanceId"), p.required("Device"));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var a = c.services().volumes().attach(c.caller(), volumeId, instanceId, device);
        return o -> VolumeXml.attachment(o, a);
    }
}
