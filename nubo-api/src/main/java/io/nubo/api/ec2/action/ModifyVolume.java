package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.volumes.ModifyVolumeRequest;

/** ModifyVolume: grows a volume, online when attached (shrinking is refused, as on EC2); type, IOPS and throughput are recorded. */
public record ModifyVolume(String volumeId, ModifyVolumeRequest request) implements Ec2Command {
    public static ModifyVolume parse(Params p) {
        return new ModifyVolume(p.required("VolumeId"), new ModifyVolumeRequest(p.integer("Size"), p.nonEmpty("VolumeType"), p.integer("Iops"),
                p.integer("Throughput"), p.bool("MultiAttachEnabled")));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var v = c.services().volumes().modify(c.caller(), volumeId, request);
        return o -> VolumeXml.modification(o, v);
    }
}
