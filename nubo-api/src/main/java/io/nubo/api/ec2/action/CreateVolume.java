package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.volumes.CreateVolumeRequest;
import io.nubo.core.model.ResourceType;

/**
 * CreateVolume: a raw volume on the shared pool, {@code creating} until its file exists. The zone
 * is required, as on EC2 (by name or ID); the type defaults to gp3; only io1 and io2 may be
 * multi-attach. Snapshots, encryption and Outposts are refused.
 */
public record CreateVolume(CreateVolumeRequest request) implements Ec2Command {
    public static CreateVolume parse(Params p) {
        p.nonEmpty("OutpostArn").ifPresent(x -> {
            throw io.nubo.core.NuboException.of(io.nubo.core.ErrorCode.UNSUPPORTED_OPERATION, "Nubo has no Outposts");
        });
        return new CreateVolume(new CreateVolumeRequest(p.integer("Size"), p.nonEmpty("VolumeType"), p.nonEmpty("AvailabilityZone"),
                p.nonEmpty("AvailabilityZoneId"), p.integer("Iops"), p.integer("Throughput"), p.bool("MultiAttachEnabled").orElse(false),
                p.nonEmpty("SnapshotId"), p.bool("Encrypted").orElse(false), p.nonEmpty("KmsKeyId"),
                Inputs.tagSpecifications(p, ResourceType.VOLUME), p.string("ClientToken")));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var d = c.services().volumes().create(c.caller(), request);
        return o -> VolumeXml.volume(o, d);
    }
}
