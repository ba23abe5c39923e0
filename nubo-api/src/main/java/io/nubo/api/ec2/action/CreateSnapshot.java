package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.List;
import java.util.Optional;

/**
 * CreateSnapshot: a crash-consistent, point-in-time copy of a volume, {@code pending} with its
 * progress until the whole file is on the pool. Outposts are refused.
 */
public record CreateSnapshot(String volumeId, Optional<String> description, List<Tag> tags) implements Ec2Command {
    public static CreateSnapshot parse(Params p) {
        p.nonEmpty("OutpostArn").ifPresent(x -> {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo has no Outposts");
        });
        p.string("Location");
        return new CreateSnapshot(p.required("VolumeId"), p.string("Description"), Inputs.tagSpecifications(p, ResourceType.SNAPSHOT));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var d = c.services().snapshots().create(c.caller(), volumeId, description, tags);
        return o -> SnapshotXml.snapshot(o, d);
    }
}
