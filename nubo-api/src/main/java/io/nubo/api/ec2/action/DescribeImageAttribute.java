package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;
import java.util.Set;

/**
 * DescribeImageAttribute, for the image's owner: its launch permissions and description, and
 * the fixed attributes every Nubo image has (BIOS boot, no kernel or ramdisk, no product codes).
 */
public record DescribeImageAttribute(String imageId, String attribute) implements Ec2Command {
    /** EC2's ImageAttributeName values. */
    static final Set<String> ATTRIBUTES = Set.of("description", "kernel", "ramdisk", "launchPermission", "productCodes",
            "blockDeviceMapping", "sriovNetSupport", "bootMode", "tpmSupport", "uefiData", "lastLaunchedTime", "imdsSupport",
            "deregistrationProtection");

    public static DescribeImageAttribute parse(Params p) {
        String id = p.required("ImageId");
        String attribute = p.required("Attribute");
        if (!ATTRIBUTES.contains(attribute)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter attribute is invalid. Unknown attribute.",
                    io.nubo.core.Text.printable(attribute) ? attribute : "?");
        }
        return new DescribeImageAttribute(id, attribute);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var a = c.services().images().attributes(c.caller(), imageId);
        return o -> {
            o.text("imageId", a.imageId());
            switch (attribute) {
                case "launchPermission" -> o.list("launchPermission", a.launchPermissions(),
                        (x, p) -> x.text("group", p.group().orElse(null)).text("userId", p.userId().orElse(null)));
                case "description" -> o.struct("description", () -> o.text("value", a.description()));
                case "bootMode" -> o.struct("bootMode", () -> o.text("value", "legacy-bios"));
                case "deregistrationProtection" -> o.struct("deregistrationProtection", () -> o.text("value", "disabled"));
                case "productCodes", "blockDeviceMapping" -> o.list(attribute, List.<String>of(), (x, i) -> { });
                default -> o.struct(attribute, () -> { });
            }
        };
    }
}
