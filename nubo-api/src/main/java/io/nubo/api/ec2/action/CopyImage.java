package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.images.ImageCreation;
import io.nubo.control.network.Topology;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

/**
 * CopyImage: a new private image of the caller's with a copy of the file of an image it may launch
 * (its own, a public one, or one shared with it), within this region (Nubo has one:
 * {@code SourceRegion} must name it). {@code ClientToken} makes a retry return the first copy.
 * Encryption, Outposts and copying the source's tags are refused.
 */
public record CopyImage(ImageCreation.CopyRequest request) implements Ec2Command {
    public static CopyImage parse(Params p) {
        String sourceImageId = p.required("SourceImageId");
        String region = p.required("SourceRegion");
        String name = p.required("Name");
        if (!region.equals(Topology.REGION)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Images can be copied only within region '%s', not from '%s'",
                    Topology.REGION, io.nubo.core.Text.printable(region) ? region : "?");
        }
        if (p.bool("Encrypted").orElse(false) || p.nonEmpty("KmsKeyId").isPresent()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not encrypt images");
        }
        p.nonEmpty("DestinationOutpostArn").ifPresent(x -> {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo has no Outposts");
        });
        if (p.bool("CopyImageTags").orElse(false)) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "CopyImageTags is not supported yet: tag the copy with CreateTags");
        }
        return new CopyImage(new ImageCreation.CopyRequest(sourceImageId, name, p.string("Description"), p.nonEmpty("ClientToken")));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var image = c.services().imageCreation().copyImage(c.caller(), request);
        return o -> o.text("imageId", image.id());
    }
}
