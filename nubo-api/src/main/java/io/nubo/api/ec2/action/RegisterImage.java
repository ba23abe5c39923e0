package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.images.ImportRequest;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.ResourceType;

import java.util.Optional;

/**
 * RegisterImage, as Nubo's way in for an import: {@code ImageLocation} is an http(s) URL of a
 * disk image (qcow2, raw, VHD, VHDX or VMDK), or, for the operator, an absolute path on the
 * server. The answer is the new image's ID at once; the image is {@code pending} until it is
 * imported, then {@code available} or {@code failed} with its state reason (DescribeImages and
 * the {@code image-available} waiter show it). Images boot by BIOS from their own disk, as
 * {@code /dev/vda}: the parameters that say otherwise are refused.
 */
public record RegisterImage(ImportRequest request) implements Ec2Command {
    public static RegisterImage parse(Params p) {
        String name = p.required("Name");
        Optional<String> description = p.string("Description");
        only(p, "Architecture", "x86_64", "Nubo runs x86_64 images");
        only(p, "VirtualizationType", "hvm", "Nubo runs hvm images");
        only(p, "RootDeviceName", Render.ROOT_DEVICE, "an image's root device is always " + Render.ROOT_DEVICE);
        only(p, "BootMode", "legacy-bios", "Nubo boots images with BIOS (legacy-bios)");
        p.bool("EnaSupport").filter(Boolean::booleanValue).ifPresent(x -> {
            throw invalid("EnaSupport", "true", "Nubo's guests use virtio networking, not ENA");
        });
        for (String unsupported : new String[]{"KernelId", "RamdiskId", "SriovNetSupport", "TpmSupport", "UefiData", "ImdsSupport"}) {
            if (p.nonEmpty(unsupported).isPresent()) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not support %s for images", unsupported);
            }
        }
        if (!p.structs("BlockDeviceMapping").isEmpty()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION,
                    "Registering an image from snapshots is not supported yet: give ImageLocation, the URL of a disk image");
        }
        String location = p.nonEmpty("ImageLocation").orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                "The request must contain the parameter ImageLocation: the http(s) URL of a disk image (or, for the operator, "
                        + "a path on the server)"));
        boolean isPath = location.startsWith("/");
        var tags = Inputs.tagSpecifications(p, ResourceType.IMAGE);
        return new RegisterImage(new ImportRequest(name, description, isPath ? Optional.empty() : Optional.of(location),
                isPath ? Optional.of(location) : Optional.empty(), Optional.empty(), tags));
    }

    private static void only(Params p, String name, String allowed, String why) {
        p.nonEmpty(name).filter(v -> !v.equals(allowed)).ifPresent(v -> {
            throw invalid(name, v, why);
        });
    }

    private static NuboException invalid(String name, String value, String why) {
        return NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter %s is invalid: %s",
                io.nubo.core.Text.printable(value) ? value : "?", name, why);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var image = c.services().images().importImage(c.caller(), request);
        return o -> o.text("imageId", image.id());
    }
}
