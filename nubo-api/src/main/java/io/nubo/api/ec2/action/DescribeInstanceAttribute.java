package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.Set;

/**
 * DescribeInstanceAttribute: the instance type, user data and security groups, and the fixed
 * attributes that describe how every Nubo instance behaves (a guest shutdown stops it, and so on).
 */
public record DescribeInstanceAttribute(String instanceId, String attribute) implements Ec2Command {
    private static final Set<String> SUPPORTED = Set.of("instanceType", "userData", "groupSet", "disableApiTermination",
            "disableApiStop", "instanceInitiatedShutdownBehavior", "rootDeviceName", "ebsOptimized", "sourceDestCheck", "blockDeviceMapping");

    public static DescribeInstanceAttribute parse(Params p) {
        String id = p.required("InstanceId");
        String attribute = p.required("Attribute");
        if (!ModifyInstanceAttribute.ATTRIBUTES.contains(attribute)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter attribute is invalid. Unknown attribute.",
                    attribute);
        }
        if (!SUPPORTED.contains(attribute)) {
            throw ModifyInstanceAttribute.unsupported(attribute);
        }
        return new DescribeInstanceAttribute(id, attribute);
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        var d = c.services().instanceQueries().details(c.caller(), instanceId);
        var i = d.instance();
        return o -> {
            o.text("instanceId", i.id());
            switch (attribute) {
                case "instanceType" -> o.struct("instanceType", () -> o.text("value", i.instanceType()));
                case "userData" -> o.struct("userData", () -> o.text("value", i.userData()));
                case "groupSet" -> Render.groups(o, "groupSet", d.groups());
                case "disableApiTermination" -> o.struct("disableApiTermination", () -> o.bool("value", false));
                case "disableApiStop" -> o.struct("disableApiStop", () -> o.bool("value", false));
                case "instanceInitiatedShutdownBehavior" -> o.struct("instanceInitiatedShutdownBehavior", () -> o.text("value", "stop"));
                case "rootDeviceName" -> o.struct("rootDeviceName", () -> o.text("value", Render.ROOT_DEVICE));
                case "blockDeviceMapping" -> Render.blockDevices(o, d.blockDevices());
                case "ebsOptimized" -> o.struct("ebsOptimized", () -> o.bool("value", false));
                case "sourceDestCheck" -> o.struct("sourceDestCheck", () -> o.bool("value", true));
                default -> throw new IllegalStateException(attribute);
            }
        };
    }
}
