package io.nubo.api.rest;

import io.javalin.http.HandlerType;
import io.nubo.control.ControlPlane;
import io.nubo.control.security.GroupRef;
import io.nubo.control.security.IpPermission;
import io.nubo.control.security.SecurityGroupDetails;
import io.nubo.control.tags.TagService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.nubo.api.rest.RestRoutes.require;
import static io.nubo.api.rest.RestRoutes.route;

/**
 * The settings of an instance that the EC2 API already had and the REST API lacked: its type
 * (resize while stopped), its tags, and the ingress rules of its security groups. Handlers only
 * translate; the rules (account scope, stopped state, quotas, tag limits) are in the services.
 */
final class InstanceSettingsRoutes {
    private InstanceSettingsRoutes() {
    }

    /** A new instance type for a stopped instance. */
    record Resize(String instanceType) {
    }

    /** The instance's whole set of tags; keys left out are removed. */
    record PutTags(Map<String, String> tags) {
    }

    /** The instance's whole set of security groups (1 to 5 of the caller's). */
    record PutGroups(List<String> securityGroupIds) {
    }

    /** One ingress rule: a protocol (tcp, udp, icmp or -1), a port range and one IPv4 CIDR. */
    record IngressRule(String protocol, Integer fromPort, Integer toPort, String cidr, String description) {
    }

    record RuleView(String protocol, Integer fromPort, Integer toPort, String cidr, String description) {
    }

    record GroupView(String groupId, String groupName, String description, List<RuleView> ingress) {
    }

    static List<Route> all(ControlPlane cp) {
        var compute = cp.compute();
        var queries = cp.instanceQueries();
        var tags = cp.tags();
        var groups = cp.securityGroups();
        return List.of(
                route(HandlerType.POST, "/instances/{instanceId}/modify", "modifyInstanceType",
                        "Give a stopped instance another instance type (resize); it takes effect at its next start", false, 200, Resize.class,
                        List.of(),
                        c -> {
                            var b = c.body(Resize.class);
                            require(b.instanceType(), "instanceType");
                            return Views.instance(compute.modifyInstanceType(c.principal(), c.path("instanceId"), b.instanceType()), c.principal());
                        }),
                route(HandlerType.GET, "/instances/{instanceId}/tags", "getInstanceTags", "An instance's tags", false, 200, null, List.of(),
                        c -> tagMap(queries.details(c.principal(), c.path("instanceId")).tags())),
                route(HandlerType.PUT, "/instances/{instanceId}/tags", "putInstanceTags",
                        "Replace an instance's tags: keys left out are removed", false, 200, PutTags.class, List.of(),
                        c -> {
                            var b = c.body(PutTags.class);
                            require(b.tags(), "tags");
                            String id = c.path("instanceId");
                            List<Tag> wanted = b.tags().entrySet().stream().map(e -> new Tag(e.getKey(), e.getValue())).toList();
                            Tagging.validate(wanted); // bad tags change nothing
                            var before = queries.details(c.principal(), id).tags();
                            if (!wanted.isEmpty()) {
                                tags.create(c.principal(), List.of(id), wanted);
                            }
                            List<TagService.Removal> gone = before.stream().filter(t -> !b.tags().containsKey(t.key()))
                                    .map(t -> new TagService.Removal(t.key(), Optional.empty())).toList();
                            if (!gone.isEmpty()) {
                                tags.delete(c.principal(), List.of(id), gone);
                            }
                            return tagMap(queries.details(c.principal(), id).tags());
                        }),
                route(HandlerType.GET, "/instances/{instanceId}/security-groups", "getInstanceSecurityGroups",
                        "The security groups of an instance, with their ingress rules", false, 200, null, List.of(),
                        c -> instanceGroups(groups, c.principal(), queries.details(c.principal(), c.path("instanceId")).groups().stream()
                                .map(g -> g.id()).toList())),
                route(HandlerType.PUT, "/instances/{instanceId}/security-groups", "putInstanceSecurityGroups",
                        "Replace the security groups of an instance (1 to 5 of the caller's), running or stopped", false, 200, PutGroups.class,
                        List.of(),
                        c -> {
                            var b = c.body(PutGroups.class);
                            require(b.securityGroupIds(), "securityGroupIds");
                            var set = groups.setInstanceGroups(c.principal(), c.path("instanceId"), b.securityGroupIds());
                            return instanceGroups(groups, c.principal(), set.stream().map(g -> g.id()).toList());
                        }),
                route(HandlerType.POST, "/security-groups/{groupId}/ingress", "authorizeIngress",
                        "Allow inbound traffic to a security group's instances from a CIDR", false, 200, IngressRule.class, List.of(),
                        c -> {
                            groups.authorize(c.principal(), ref(c), false, List.of(permission(c.body(IngressRule.class))));
                            return group(one(groups, c));
                        }),
                route(HandlerType.POST, "/security-groups/{groupId}/ingress/revoke", "revokeIngress",
                        "Remove an inbound rule from a security group", false, 200, IngressRule.class, List.of(),
                        c -> {
                            groups.revoke(c.principal(), ref(c), false, List.of(permission(c.body(IngressRule.class))), List.of());
                            return group(one(groups, c));
                        }));
    }

    private static GroupRef ref(RestCall c) {
        return new GroupRef(Optional.of(c.path("groupId")), Optional.empty());
    }

    private static SecurityGroupDetails one(io.nubo.control.security.SecurityGroupService groups, RestCall c) {
        return groups.describe(c.principal(), List.of(c.path("groupId")), List.of(), List.of(), PageRequest.all()).items().get(0);
    }

    private static IpPermission permission(IngressRule r) {
        require(r.protocol(), "protocol");
        require(r.cidr(), "cidr");
        return new IpPermission(r.protocol(), r.fromPort(), r.toPort(), List.of(new IpPermission.IpRange(r.cidr(), r.description())),
                List.of(), List.of(), List.of());
    }

    static GroupView group(SecurityGroupDetails d) {
        List<RuleView> rules = new ArrayList<>();
        for (IpPermission p : d.ingress()) {
            p.ipv4Ranges().forEach(r -> rules.add(new RuleView(p.protocol(), p.fromPort(), p.toPort(), r.cidr(), r.description())));
            p.ipv6Ranges().forEach(r -> rules.add(new RuleView(p.protocol(), p.fromPort(), p.toPort(), r.cidr(), r.description())));
            p.groups().forEach(g -> rules.add(new RuleView(p.protocol(), p.fromPort(), p.toPort(), "group " + g.groupId(), g.description())));
        }
        return new GroupView(d.group().id(), d.group().name(), d.group().description(), rules);
    }

    private static Map<String, String> tagMap(List<Tag> list) {
        Map<String, String> m = new TreeMap<>();
        list.forEach(t -> m.put(t.key(), t.value()));
        return new LinkedHashMap<>(m);
    }

    private static List<GroupView> instanceGroups(io.nubo.control.security.SecurityGroupService groups, io.nubo.core.model.Principal caller,
                                                  List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return groups.describe(caller, ids, List.of(), List.of(), PageRequest.all()).items().stream().map(InstanceSettingsRoutes::group).toList();
    }
}
