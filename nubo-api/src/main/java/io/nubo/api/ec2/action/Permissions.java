package io.nubo.api.ec2.action;

import io.nubo.api.ec2.query.Params;
import io.nubo.control.security.GroupRef;
import io.nubo.control.security.IpPermission;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the parameters the four Authorize/Revoke actions share: the group, and the permissions as
 * {@code IpPermissions.N} or in the older flat form ({@code IpProtocol}, {@code FromPort},
 * {@code ToPort}, {@code CidrIp}, {@code SourceSecurityGroupName}, {@code SourceSecurityGroupOwnerId}).
 */
final class Permissions {
    private Permissions() {
    }

    static GroupRef group(Params p, boolean nameAllowed) {
        Optional<String> id = p.nonEmpty("GroupId");
        Optional<String> name = nameAllowed ? p.nonEmpty("GroupName") : Optional.empty();
        if (id.isEmpty() && name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupId%s",
                    nameAllowed ? " or GroupName" : "");
        }
        return new GroupRef(id, name);
    }

    static List<IpPermission> read(Params p) {
        List<IpPermission> structured = new ArrayList<>();
        for (Params ip : p.structs("IpPermissions")) {
            structured.add(new IpPermission(ip.nonEmpty("IpProtocol").orElse(null), ip.integer("FromPort").orElse(null),
                    ip.integer("ToPort").orElse(null),
                    ip.structs("IpRanges").stream().map(r -> new IpPermission.IpRange(r.required("CidrIp"),
                            r.string("Description").orElse(null))).toList(),
                    ip.structs("Ipv6Ranges").stream().map(r -> new IpPermission.IpRange(r.required("CidrIpv6"),
                            r.string("Description").orElse(null))).toList(),
                    ip.structs("Groups").stream().map(Permissions::peer).toList(),
                    ip.structs("PrefixListIds").stream().map(r -> r.required("PrefixListId")).toList()));
        }
        Optional<String> protocol = p.nonEmpty("IpProtocol");
        Optional<Integer> from = p.integer("FromPort");
        Optional<Integer> to = p.integer("ToPort");
        Optional<String> cidr = p.nonEmpty("CidrIp");
        Optional<String> sourceName = p.nonEmpty("SourceSecurityGroupName");
        Optional<String> sourceOwner = p.nonEmpty("SourceSecurityGroupOwnerId");
        boolean flat = protocol.isPresent() || from.isPresent() || to.isPresent() || cidr.isPresent() || sourceName.isPresent()
                || sourceOwner.isPresent();
        if (!flat) {
            return structured;
        }
        if (!structured.isEmpty()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give IpPermissions or the flat parameters (IpProtocol, ...), not both");
        }
        if (sourceName.isPresent()) {
            // EC2's legacy form: a source group opens every protocol and port to it.
            return List.of(new IpPermission(protocol.orElse("-1"), from.orElse(null), to.orElse(null), List.of(), List.of(),
                    List.of(new IpPermission.GroupPeer(null, sourceName.get(), sourceOwner.orElse(null), null)), List.of()));
        }
        return List.of(new IpPermission(protocol.orElse(null), from.orElse(null), to.orElse(null),
                cidr.map(c -> List.of(new IpPermission.IpRange(c, null))).orElse(List.of()), List.of(), List.of(), List.of()));
    }

    private static IpPermission.GroupPeer peer(Params g) {
        g.string("VpcId");
        g.string("VpcPeeringConnectionId");
        g.string("PeeringStatus");
        return new IpPermission.GroupPeer(g.nonEmpty("GroupId").orElse(null), g.nonEmpty("GroupName").orElse(null),
                g.nonEmpty("UserId").orElse(null), g.string("Description").orElse(null));
    }
}
