package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.security.GroupRef;
import io.nubo.core.model.PageRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.nubo.api.rest.RestRoutes.route;

/**
 * An account's security groups over REST: list with their inbound rules, create, delete (the
 * rules themselves are {@link InstanceSettingsRoutes}' ingress routes). Handlers only translate;
 * names, descriptions, the default group and groups in use are the service's rules, as for EC2.
 */
final class SecurityGroupRoutes {
    private SecurityGroupRoutes() {
    }

    /** A new group in the account's default VPC. */
    record CreateGroup(String groupName, String description) {
    }

    static List<Route> all(ControlPlane cp) {
        var groups = cp.securityGroups();
        return List.of(
                route(HandlerType.GET, "/security-groups", "listSecurityGroups", "The caller's security groups with their inbound rules", false,
                        200, null, List.of(),
                        c -> groups.describe(c.principal(), List.of(), List.of(), List.of(), PageRequest.all()).items().stream()
                                .map(InstanceSettingsRoutes::group).toList()),
                route(HandlerType.POST, "/security-groups", "createSecurityGroup", "Create a security group (no inbound rules yet)", false, 201,
                        CreateGroup.class, List.of(),
                        c -> {
                            var b = c.body(CreateGroup.class);
                            return InstanceSettingsRoutes.group(groups.create(c.principal(), b.groupName(), b.description(), Optional.empty(),
                                    List.of()));
                        }),
                route(HandlerType.DELETE, "/security-groups/{groupId}", "deleteSecurityGroup",
                        "Delete a security group that no instance uses (not the default group)", false, 200, null, List.of(),
                        c -> {
                            String id = groups.delete(c.principal(), new GroupRef(Optional.of(c.path("groupId")), Optional.empty()));
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("groupId", id);
                            out.put("deleted", true);
                            return out;
                        }));
    }
}
