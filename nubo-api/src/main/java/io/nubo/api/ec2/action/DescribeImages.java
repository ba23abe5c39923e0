package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.catalog.ImageDetails;
import io.nubo.control.catalog.ImageQuery;

import java.util.List;

/** DescribeImages: by ImageId, Owner, ExecutableBy and filters. Nubo has no deprecated or disabled images. */
public record DescribeImages(ImageQuery query) implements Ec2Command {
    public static DescribeImages parse(Params p) {
        p.bool("IncludeDeprecated");
        p.bool("IncludeDisabled");
        return new DescribeImages(new ImageQuery(p.strings("ImageId"), p.strings("Owner"), p.strings("ExecutableBy"), Inputs.filters(p),
                Inputs.page(p)));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var result = c.services().catalog().describeImages(c.caller(), query);
        return o -> {
            o.list("imagesSet", result.items(), DescribeImages::image);
            o.text("nextToken", result.nextToken());
        };
    }

    private static void image(io.nubo.api.ec2.xml.XmlOut o, ImageDetails d) {
        var i = d.image();
        o.text("imageId", i.id()).text("imageLocation", (d.isSystemImage() ? ImageDetails.SYSTEM_OWNER_ALIAS : i.ownerId()) + "/" + i.name())
                .text("imageState", i.state()).text("imageOwnerId", i.ownerId())
                .text("imageOwnerAlias", d.isSystemImage() ? ImageDetails.SYSTEM_OWNER_ALIAS : null)
                .time("creationDate", i.createdAt()).bool("isPublic", i.isPublic()).text("architecture", i.architecture())
                .text("imageType", "machine").text("name", i.name()).text("description", i.description())
                .text("rootDeviceType", "ebs").text("rootDeviceName", Render.ROOT_DEVICE)
                .list("blockDeviceMapping", List.<String>of(), (x, b) -> { })
                .text("virtualizationType", "hvm").text("platformDetails", "Linux/UNIX").text("usageOperation", "RunInstances")
                .text("bootMode", "legacy-bios");
        if (i.stateReason() != null) {
            o.struct("stateReason", () -> o.text("code", Render.reasonCode(i.stateReason())).text("message", i.stateReason()));
        }
        Render.tagSet(o, d.tags());
    }
}
