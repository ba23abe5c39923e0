package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.images.ImageCreation;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;

/**
 * CreateImage: a new private image from an instance's root disk, flattened into one standalone
 * qcow2. The answer is the image's ID at once; it is {@code pending} until the file is whole.
 * With {@code NoReboot} a running instance's disk is copied live (crash-consistent); without it
 * the instance is shut down cleanly first and started again after, as on EC2. Only the root disk
 * is imaged: a block device mapping (other volumes, or changes to the root) is refused.
 */
public record CreateImage(ImageCreation.CreateRequest request) implements Ec2Command {
    public static CreateImage parse(Params p) {
        String instanceId = p.required("InstanceId");
        String name = p.required("Name");
        if (!p.structs("BlockDeviceMapping").isEmpty()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION,
                    "Nubo images the instance's root disk only: BlockDeviceMapping is not supported for CreateImage");
        }
        return new CreateImage(new ImageCreation.CreateRequest(instanceId, name, p.string("Description"), p.bool("NoReboot").orElse(false),
                Inputs.tagSpecifications(p, ResourceType.IMAGE)));
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var image = c.services().imageCreation().createImage(c.caller(), request);
        return o -> o.text("imageId", image.id());
    }
}
