package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ModifyInstanceAttribute: resizes a stopped instance, given as {@code InstanceType.Value=t3.small}
 * or in the older form {@code Attribute=instanceType&Value=t3.small}, replaces its security
 * groups ({@code GroupId.N}), or sets whether its volumes go with it on termination
 * ({@code BlockDeviceMapping.N.DeviceName} with {@code Ebs.DeleteOnTermination}). Other attributes
 * cannot be changed in Nubo. One attribute per call, as on EC2.
 */
public record ModifyInstanceAttribute(String instanceId, String instanceType, List<String> groupIds, Map<String, Boolean> deleteOnTermination)
        implements Ec2Command {
    /** EC2's other attributes, as structures and as values of {@code Attribute}. */
    static final List<String> OTHER_STRUCTURES = List.of("SourceDestCheck", "DisableApiStop", "DisableApiTermination", "Kernel",
            "Ramdisk", "UserData", "InstanceInitiatedShutdownBehavior", "EbsOptimized", "SriovNetSupport", "EnaSupport");

    ModifyInstanceAttribute(String instanceId, String instanceType, List<String> groupIds) {
        this(instanceId, instanceType, groupIds, Map.of());
    }
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
        List<Params> mappings = p.structs("BlockDeviceMapping");
        if (!mappings.isEmpty()) {
            if (p.struct("InstanceType").isPresent() || p.string("Attribute").isPresent() || !p.strings("GroupId").isEmpty()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Change one attribute per call: BlockDeviceMapping.N alone");
            }
            return new ModifyInstanceAttribute(id, null, List.of(), deleteOnTermination(mappings));
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

    /** Each mapping's device and its {@code Ebs.DeleteOnTermination}, the one thing Nubo changes in a mapping. */
    private static Map<String, Boolean> deleteOnTermination(List<Params> mappings) {
        Map<String, Boolean> out = new java.util.LinkedHashMap<>();
        for (Params m : mappings) {
            String device = m.required("DeviceName");
            Params ebs = m.struct("Ebs").orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                    "The request must contain the parameter %s", m.fullName("Ebs.DeleteOnTermination")));
            for (String name : List.of("NoDevice", "VirtualName")) {
                if (m.string(name).isPresent()) {
                    throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo does not support %s here", m.fullName(name));
                }
            }
            boolean dot = ebs.bool("DeleteOnTermination").orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                    "The request must contain the parameter %s", ebs.fullName("DeleteOnTermination")));
            if (out.put(device, dot) != null) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The device %s is mapped more than once", device);
            }
        }
        return out;
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        if (!deleteOnTermination.isEmpty()) {
            c.services().volumes().setDeleteOnTermination(c.caller(), instanceId, deleteOnTermination);
        } else if (instanceType == null) {
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
