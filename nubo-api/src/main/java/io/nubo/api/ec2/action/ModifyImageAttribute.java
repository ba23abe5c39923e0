package io.nubo.api.ec2.action;

import io.nubo.api.ec2.Ec2Command;
import io.nubo.api.ec2.Ec2Context;
import io.nubo.api.ec2.Ec2Reply;
import io.nubo.api.ec2.query.Params;
import io.nubo.control.images.LaunchPermission;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ModifyImageAttribute: an image's launch permissions (share with accounts, or, for the
 * operator, with everyone as group {@code all}) or its description, one attribute per call.
 * Both of EC2's shapes are read: {@code LaunchPermission.Add.N.UserId} and the older
 * {@code Attribute=launchPermission&OperationType=add&UserId.N}.
 */
public record ModifyImageAttribute(String imageId, List<LaunchPermission> add, List<LaunchPermission> remove,
                                   Optional<String> description) implements Ec2Command {
    public static ModifyImageAttribute parse(Params p) {
        String id = p.required("ImageId");
        List<LaunchPermission> add = new ArrayList<>();
        List<LaunchPermission> remove = new ArrayList<>();
        p.struct("LaunchPermission").ifPresent(lp -> {
            add.addAll(permissions(lp.structs("Add")));
            remove.addAll(permissions(lp.structs("Remove")));
        });
        Optional<String> attribute = p.nonEmpty("Attribute");
        Optional<String> operation = p.nonEmpty("OperationType");
        List<LaunchPermission> flat = new ArrayList<>();
        p.strings("UserId").forEach(u -> flat.add(LaunchPermission.account(u)));
        p.strings("UserGroup").forEach(g -> flat.add(new LaunchPermission(Optional.empty(), Optional.of(g))));
        Optional<String> description = p.struct("Description").flatMap(d -> d.string("Value"));
        Optional<String> value = p.string("Value");
        if (!p.strings("ProductCode").isEmpty() || !p.strings("OrganizationArn").isEmpty() || !p.strings("OrganizationalUnitArn").isEmpty()
                || p.struct("ImdsSupport").isPresent()) {
            throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION,
                    "Nubo changes an image's launch permissions (accounts, group all) and description only");
        }
        if (attribute.isPresent()) {
            switch (attribute.get()) {
                case "launchPermission" -> {
                    String op = operation.orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                            "The request must contain the parameter OperationType (add or remove)"));
                    switch (op) {
                        case "add" -> add.addAll(flat);
                        case "remove" -> remove.addAll(flat);
                        default -> throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                                "Value (%s) for parameter OperationType is invalid: use add or remove", op);
                    }
                    if (flat.isEmpty()) {
                        throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain UserId.N or UserGroup.N");
                    }
                }
                case "description" -> description = Optional.of(value.orElseThrow(() -> NuboException.of(ErrorCode.MISSING_PARAMETER,
                        "The request must contain the parameter Value")));
                default -> throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Value (%s) for parameter Attribute is invalid: Nubo changes launchPermission and description", attribute.get());
            }
        } else if (!flat.isEmpty() || operation.isPresent() || value.isPresent()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter Attribute");
        }
        boolean permissions = !add.isEmpty() || !remove.isEmpty();
        if (permissions && description.isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Change one attribute per request: LaunchPermission or Description");
        }
        if (!permissions && description.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain LaunchPermission or Description");
        }
        return new ModifyImageAttribute(id, add, remove, description);
    }

    private static List<LaunchPermission> permissions(List<Params> items) {
        List<LaunchPermission> out = new ArrayList<>();
        for (Params item : items) {
            if (item.nonEmpty("OrganizationArn").isPresent() || item.nonEmpty("OrganizationalUnitArn").isPresent()) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo has no organizations: share with account IDs (UserId)");
            }
            out.add(new LaunchPermission(item.nonEmpty("UserId"), item.nonEmpty("Group")));
        }
        return out;
    }

    @Override
    public Ec2Reply execute(Ec2Context c) {
        if (description.isPresent()) {
            c.services().images().setDescription(c.caller(), imageId, description.get());
        } else {
            c.services().images().modifyLaunchPermission(c.caller(), imageId, add, remove);
        }
        return Ec2Reply.TRUE;
    }
}
