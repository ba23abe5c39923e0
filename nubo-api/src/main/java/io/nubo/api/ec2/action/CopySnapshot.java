package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.network.Topology;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;

import java.util.List;
import java.util.Optional;

/**
 * CopySnapshot: a new snapshot with a copy of a completed one's file, in the same region (Nubo has
 * one: {@code SourceRegion} must name it). EC2 has no pools; the REST API can choose one.
 * Encryption and Outposts are refused.
 */
public record CopySnapshot(String sourceId, Optional<String> description, List<Tag> tags) implements Ec2Command {
    public static CopySnapshot parse(Params p) {
        String region = p.required("SourceRegion");
        if (!region.equals(Topology.REGION)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Snapshots can be copied only within region '%s', not from '%s'",
                    Topology.REGION, region);
        }
        if (p.bool("Encrypted").orElse(false) || p.nonEmpty("KmsKeyId").isPresent()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not encrypt snapshots");
        }
        p.nonEmpty("DestinationOutpostArn").ifPresent(x -> {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo has no Outposts");
        });
        p.string("PresignedUrl");
        p.string("DestinationRegion");
        return new CopySnapshot(p.required("SourceSnapshotId"), p.string("Description"), Inputs.tagSpecifications(p, ResourceType.SNAPSHOT));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var d = c.services().snapshots().copy(c.caller(), sourceId, description, Optional.empty(), tags);
        return o -> o.text("snapshotId", d.snapshot().id());
    }
}
