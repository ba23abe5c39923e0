package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;
import java.util.Optional;

/**
 * ModifyInstanceAttribute: resizes a stopped instance, given as {@code InstanceType.Value=t3.small}
 * or in the older form {@code Attribute=instanceType&Value=t3.small}, or replaces its security
 * groups ({@code GroupId.N}). Other attributes cannot be changed in Nubo. One attribute per call, as on EC2.
 */
public record ModifyInstanceAttribute(String instanceId, String instanceType, List<String> groupIds) implements Ec2Command {
    /** EC2's other attributes, as structures and as values of {@code Attribute}. */
    static final List<String> OTHER_STRUCTURES = List.of("SourceDestCheck", "DisableApiStop", "DisableApiTermination", "Kernel",
            "Ramdisk", "UserData", "InstanceInitiatedShutdownBehavior", "EbsOptimized", "SriovNetSupport", "EnaSupport",
            "BlockDeviceMapping");
    static final List<String> ATTRIBUTES = List.of("instanceType", "kernel", "ramdisk", "userData", "disableApiTermination",
            "instanceInitiatedShutdownBehavior", "rootDeviceName", "blockDeviceMapping", "productCodes", "sourceDestCheck", "groupSet",
            "ebsOptimized", "sriovNetSupport", "enaSupport", "enclaveOptions", "disableApiStop");

    public static ModifyInstanceAttribute parse(Params p) {
        String id = p.required("InstanceId");
        for (String name : OTHER_STRUCTURES) {
            if (p.struct(name).isPresent()) {
                throw unsupported(name);
            }
        }
        Optional<String> structured = p.struct("InstanceType").map(s -> s.required("Value"));
        Optional<String> attribute = p.nonEmpty("Attribute");
        Optional<String> value = p.string("Value");
        List<String> groups = p.strings("GroupId");
        if (!groups.isEmpty()) {
            if (structured.isPresent() || attribute.isPresent() || value.isPresent()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Change one attribute per call: GroupId.N or the instance type");
            }
            return new ModifyInstanceAttribute(id, null, groups);
        }
        if (structured.isPresent() && (attribute.isPresent() || value.isPresent())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give InstanceType.Value, or Attribute and Value, not both");
        }
        if (attribute.isPresent()) {
            if (!ATTRIBUTES.contains(attribute.get())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Value (%s) for parameter attribute is invalid. Unknown attribute.",
                        attribute.get());
            }
            if (!attribute.get().equals("instanceType")) {
                throw unsupported(attribute.get());
            }
            return new ModifyInstanceAttribute(id, value.filter(v -> !v.isEmpty()).orElseThrow(() -> NuboException.of(
                    ErrorCode.MISSING_PARAMETER, "The request must contain the parameter Value")), List.of());
        }
        return new ModifyInstanceAttribute(id, structured.orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                "The request must contain the parameter InstanceType.Value or GroupId.N (the attributes Nubo can change)")), List.of());
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        if (instanceType == null) {
            c.services().securityGroups().setInstanceGroups(c.caller(), instanceId, groupIds);
        } else {
            c.services().compute().modifyInstanceType(c.caller(), instanceId, instanceType);
        }
        return Ec2Reply.TRUE;
    }

    static NuboException unsupported(String attribute) {
        return NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo cannot change or show the %s attribute; it supports instanceType and GroupId",
                attribute);
    }
}
