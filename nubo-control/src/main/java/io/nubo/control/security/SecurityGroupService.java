package io.nubo.control.security;

import io.nubo.control.compute.ComputeService;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.query.Paging;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.Text;
import io.nubo.core.filter.Filter;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.Page;
import io.nubo.core.model.PageRequest;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.SecurityGroupRule;
import io.nubo.core.model.Tag;
import io.nubo.core.model.Vpc;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Security groups and their rules. Every account has a {@code default} group that cannot be
 * deleted. Rules are stored and shown, and attached to instances at launch; enforcing them is the
 * network backends' job (not in this version). Thread-safe.
 */
public final class SecurityGroupService {
    public static final int MAX_RULES_PER_GROUP = 1000;
    /** EC2's default limit of security groups on one network interface, and so on one instance here. */
    public static final int MAX_GROUPS_PER_INSTANCE = 5;
    private static final int MAX_NAME = 255;

    private final Database db;
    private final Clock clock;

    public SecurityGroupService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public SecurityGroupDetails create(Principal caller, String name, String description, Optional<String> vpcId, List<Tag> tags) {
        validateName(name);
        if (description == null || description.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupDescription");
        }
        if (description.length() > MAX_NAME || !Text.printable(description)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Group descriptions are 1 to %d printable characters", MAX_NAME);
        }
        vpcId.ifPresent(v -> IdCheck.vpcs(List.of(v)));
        Tagging.validate(tags);
        return db.inTransaction(s -> {
            Vpc vpc = vpc(s, caller, vpcId);
            Instant now = clock.instant();
            SecurityGroup g = new SecurityGroup(Ids.next(Ids.SECURITY_GROUP), caller.accountId(), vpc.id(), name, description, now);
            if (!s.securityGroups().insert(g)) {
                throw NuboException.of(ErrorCode.INVALID_GROUP_DUPLICATE, "The security group '%s' already exists for VPC '%s'",
                        name, vpc.id());
            }
            s.securityGroupRules().insert(new SecurityGroupRule(Ids.next(Ids.SECURITY_GROUP_RULE), g.id(), true, "-1", null, null,
                    "0.0.0.0/0", null, null, ""), now);
            Tagging.apply(s, caller.accountId(), g.id(), ResourceType.SECURITY_GROUP, tags);
            s.events().append(now, caller.accountId(), g.id(), "security-group.created", null, name, "by " + caller.accessKeyId());
            return details(s, List.of(g)).get(0);
        });
    }

    public Page<SecurityGroupDetails> describe(Principal caller, List<String> ids, List<String> names, List<Filter> filters,
                                               PageRequest page) {
        IdCheck.groups(ids);
        var matching = GroupFilters.SET.compile(filters);
        Paging.checkBounds(page, 5, 1000);
        List<SecurityGroupDetails> all = db.read(s -> {
            List<SecurityGroup> groups = s.securityGroups().list(caller.accountId());
            List<String> missing = new ArrayList<>();
            ids.stream().filter(id -> groups.stream().noneMatch(g -> g.id().equals(id))).forEach(missing::add);
            names.stream().filter(n -> groups.stream().noneMatch(g -> g.name().equals(n))).forEach(missing::add);
            if (!missing.isEmpty()) {
                throw NotFound.group(String.join(", ", missing));
            }
            List<SecurityGroup> chosen = groups.stream()
                    .filter(g -> (ids.isEmpty() && names.isEmpty()) || ids.contains(g.id()) || names.contains(g.name())).toList();
            return details(s, chosen);
        });
        List<SecurityGroupDetails> matched = new ArrayList<>(all.stream().filter(matching).toList());
        matched.sort(Comparator.comparing(d -> d.group().id()));
        return Paging.page(matched, d -> d.group().id(), page, 5, 1000);
    }

    /** Deletes a group nothing uses any more; returns its ID. */
    public String delete(Principal caller, GroupRef ref) {
        checkRef(ref);
        return db.inTransaction(s -> {
            SecurityGroup g = find(s, caller, ref);
            if (g.isDefault()) {
                throw NuboException.of(ErrorCode.CANNOT_DELETE, "the specified group: \"%s\" name: \"default\" cannot be deleted by a user",
                        g.id());
            }
            List<String> users = s.securityGroups().activeInstancesUsing(g.id());
            if (!users.isEmpty()) {
                throw NuboException.of(ErrorCode.DEPENDENCY_VIOLATION, "resource %s has a dependent object (instance %s)", g.id(),
                        users.get(0));
            }
            List<String> referencing = s.securityGroups().referencingGroups(g.id());
            if (!referencing.isEmpty()) {
                throw NuboException.of(ErrorCode.DEPENDENCY_VIOLATION, "resource %s has a dependent object (a rule of %s)", g.id(),
                        referencing.get(0));
            }
            s.securityGroups().delete(g.id());
            s.tags().deleteAll(caller.accountId(), g.id());
            s.events().append(clock.instant(), caller.accountId(), g.id(), "security-group.deleted", g.name(), null,
                    "by " + caller.accessKeyId());
            return g.id();
        });
    }

    /** Adds rules; if any already exists, or any is invalid, none is added. Returns the rules added. */
    public List<SecurityGroupRule> authorize(Principal caller, GroupRef ref, boolean egress, List<IpPermission> permissions) {
        checkRef(ref);
        requirePermissions(permissions, List.of());
        return db.inTransaction(s -> {
            SecurityGroup g = find(s, caller, ref);
            List<SecurityGroupRule> wanted = Permissions.expand(permissions, g.id(), egress, peer -> peer(s, caller, g, peer));
            List<SecurityGroupRule> existing = s.securityGroupRules().forGroups(List.of(g.id()));
            List<SecurityGroupRule> seen = new ArrayList<>(existing);
            for (SecurityGroupRule r : wanted) {
                if (seen.stream().anyMatch(r::sameAs)) {
                    throw NuboException.of(ErrorCode.INVALID_PERMISSION_DUPLICATE, "the specified rule \"%s\" already exists",
                            Permissions.describe(r));
                }
                seen.add(r);
            }
            if (seen.size() > MAX_RULES_PER_GROUP) {
                throw NuboException.of(ErrorCode.RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED,
                        "The maximum number of rules per security group (%d) has been reached.", MAX_RULES_PER_GROUP);
            }
            Instant now = clock.instant();
            wanted.forEach(r -> s.securityGroupRules().insert(r, now));
            s.events().append(now, caller.accountId(), g.id(), "security-group.authorized", null, egress ? "egress" : "ingress",
                    wanted.size() + " rule(s) by " + caller.accessKeyId());
            return wanted;
        });
    }

    /**
     * Removes rules, named as permissions or by rule ID; if any of them does not exist, none is
     * removed. Returns the rules removed.
     */
    public List<SecurityGroupRule> revoke(Principal caller, GroupRef ref, boolean egress, List<IpPermission> permissions,
                                          List<String> ruleIds) {
        checkRef(ref);
        requirePermissions(permissions, ruleIds);
        for (String id : ruleIds) {
            if (!Ids.isWellFormed(Ids.SECURITY_GROUP_RULE, id)) {
                throw NuboException.of(ErrorCode.INVALID_SECURITY_GROUP_RULE_ID_MALFORMED, "Invalid id: \"%s\" (expecting \"sgr-...\")", id);
            }
        }
        return db.inTransaction(s -> {
            SecurityGroup g = find(s, caller, ref);
            List<SecurityGroupRule> existing = s.securityGroupRules().forGroups(List.of(g.id())).stream()
                    .filter(r -> r.egress() == egress).toList();
            LinkedHashSet<SecurityGroupRule> doomed = new LinkedHashSet<>();
            for (SecurityGroupRule r : Permissions.expand(permissions, g.id(), egress, peer -> peer(s, caller, g, peer))) {
                SecurityGroupRule match = existing.stream().filter(r::sameAs).findFirst().orElseThrow(() -> NuboException.of(
                        ErrorCode.INVALID_PERMISSION_NOT_FOUND, "The specified rule \"%s\" does not exist in this security group.",
                        Permissions.describe(r)));
                doomed.add(match);
            }
            for (String id : ruleIds) {
                doomed.add(existing.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() -> NuboException.of(
                        ErrorCode.INVALID_SECURITY_GROUP_RULE_ID_NOT_FOUND, "The security group rule ID '%s' does not exist", id)));
            }
            s.securityGroupRules().delete(doomed.stream().map(SecurityGroupRule::id).toList());
            s.events().append(clock.instant(), caller.accountId(), g.id(), "security-group.revoked", egress ? "egress" : "ingress", null,
                    doomed.size() + " rule(s) by " + caller.accessKeyId());
            return List.copyOf(doomed);
        });
    }

    /**
     * Replaces the security groups of the caller's instance (not terminated) with these, 1 to
     * {@value #MAX_GROUPS_PER_INSTANCE} of the caller's groups in its VPC. Returns the new set.
     */
    public List<SecurityGroup> setInstanceGroups(Principal caller, String instanceId, List<String> groupIds) {
        IdCheck.instances(List.of(instanceId));
        if (groupIds == null || groupIds.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "An instance needs at least one security group");
        }
        IdCheck.groups(groupIds);
        List<String> wanted = groupIds.stream().distinct().sorted().toList();
        if (wanted.size() > MAX_GROUPS_PER_INSTANCE) {
            throw NuboException.of(ErrorCode.SECURITY_GROUPS_PER_INTERFACE_LIMIT_EXCEEDED,
                    "An instance can be in at most %d security groups (not %d)", MAX_GROUPS_PER_INSTANCE, wanted.size());
        }
        Instant now = clock.instant();
        return db.inTransaction(s -> {
            // The instance first, then its groups (sorted): a group's delete locks only the group.
            var instance = s.instances().lock(instanceId).filter(i -> i.accountId().equals(caller.accountId()))
                    .filter(i -> i.terminatedAt() == null || !i.terminatedAt().isBefore(now.minus(ComputeService.TERMINATED_VISIBILITY)))
                    .orElseThrow(() -> NotFound.instances(List.of(instanceId)));
            if (instance.state() == InstanceState.TERMINATED) {
                throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE, "The instance '%s' is terminated.", instanceId);
            }
            Vpc vpc = s.vpcs().findDefault(caller.accountId()).orElseThrow(() -> NotFound.vpc("default"));
            List<SecurityGroup> groups = new ArrayList<>();
            for (String id : wanted) {
                SecurityGroup g = s.securityGroups().lock(id, caller.accountId()).orElseThrow(() -> NotFound.group(id));
                if (!g.vpcId().equals(vpc.id())) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The security group '%s' is not in the instance's VPC %s", id, vpc.id());
                }
                groups.add(g);
            }
            String before = s.securityGroups().forInstances(List.of(instance.id())).getOrDefault(instance.id(), List.of()).stream()
                    .map(SecurityGroup::id).collect(Collectors.joining(","));
            s.securityGroups().detachAll(instance.id());
            s.securityGroups().attach(instance.id(), wanted);
            s.events().append(now, caller.accountId(), instance.id(), "instance.security-groups", before, String.join(",", wanted),
                    "by " + caller.accessKeyId());
            return List.copyOf(groups);
        });
    }

    /**
     * The groups a launch asks for, by ID and by name (in the default VPC), or the default group
     * when it names none. Runs in the launch's transaction.
     */
    public static List<SecurityGroup> forLaunch(Store s, String accountId, List<String> ids, List<String> names) {
        IdCheck.groups(ids);
        Vpc vpc = s.vpcs().findDefault(accountId).orElseThrow(() -> NotFound.vpc("default"));
        if (ids.isEmpty() && names.isEmpty()) {
            return List.of(s.securityGroups().findByName(accountId, vpc.id(), SecurityGroup.DEFAULT_NAME)
                    .orElseThrow(() -> NotFound.group(SecurityGroup.DEFAULT_NAME)));
        }
        Map<String, SecurityGroup> out = new java.util.LinkedHashMap<>();
        for (String id : ids) {
            SecurityGroup g = s.securityGroups().find(id, accountId).orElseThrow(() -> NotFound.group(id));
            out.put(g.id(), g);
        }
        for (String name : names) {
            SecurityGroup g = s.securityGroups().findByName(accountId, vpc.id(), name).orElseThrow(() -> NotFound.group(name));
            out.put(g.id(), g);
        }
        return List.copyOf(out.values());
    }

    private List<SecurityGroupDetails> details(Store s, List<SecurityGroup> groups) {
        List<String> ids = groups.stream().map(SecurityGroup::id).toList();
        Map<String, List<SecurityGroupRule>> rules = s.securityGroupRules().forGroups(ids).stream()
                .collect(Collectors.groupingBy(SecurityGroupRule::groupId));
        String account = groups.isEmpty() ? "" : groups.get(0).accountId();
        Map<String, List<Tag>> tags = s.tags().forResources(account, ids);
        return groups.stream().map(g -> {
            List<SecurityGroupRule> rs = rules.getOrDefault(g.id(), List.of());
            return new SecurityGroupDetails(g, Permissions.collapse(rs.stream().filter(r -> !r.egress()).toList(), g.accountId()),
                    Permissions.collapse(rs.stream().filter(SecurityGroupRule::egress).toList(), g.accountId()),
                    tags.getOrDefault(g.id(), List.of()));
        }).toList();
    }

    /** The group a request names, locked for the rest of the transaction. */
    private SecurityGroup find(Store s, Principal caller, GroupRef ref) {
        if (ref.id().isPresent()) {
            String id = ref.id().get();
            IdCheck.groups(List.of(id));
            return s.securityGroups().lock(id, caller.accountId()).orElseThrow(() -> NotFound.group(id));
        }
        String name = ref.name().orElseThrow();
        Vpc vpc = vpc(s, caller, Optional.empty());
        SecurityGroup g = s.securityGroups().findByName(caller.accountId(), vpc.id(), name).orElseThrow(() -> NuboException.of(
                ErrorCode.INVALID_GROUP_NOT_FOUND, "The security group '%s' does not exist in default VPC '%s'", name, vpc.id()));
        return s.securityGroups().lock(g.id(), caller.accountId()).orElseThrow();
    }

    /** Resolves a group peer of a rule to one of the caller's groups; another account's group is "not found". */
    private static String peer(Store s, Principal caller, SecurityGroup owner, IpPermission.GroupPeer p) {
        if (p.userId() != null && !p.userId().isEmpty() && !p.userId().equals(caller.accountId())) {
            throw NotFound.group(p.groupId() != null ? p.groupId() : String.valueOf(p.groupName()));
        }
        if (p.groupId() != null && !p.groupId().isEmpty()) {
            IdCheck.groups(List.of(p.groupId()));
            return s.securityGroups().find(p.groupId(), caller.accountId()).orElseThrow(() -> NotFound.group(p.groupId())).id();
        }
        if (p.groupName() != null && !p.groupName().isEmpty()) {
            return s.securityGroups().findByName(caller.accountId(), owner.vpcId(), p.groupName())
                    .orElseThrow(() -> NotFound.group(p.groupName())).id();
        }
        throw NuboException.of(ErrorCode.MISSING_PARAMETER, "A group peer needs a GroupId or a GroupName");
    }

    private static Vpc vpc(Store s, Principal caller, Optional<String> vpcId) {
        if (vpcId.isPresent()) {
            return s.vpcs().find(vpcId.get(), caller.accountId()).orElseThrow(() -> NotFound.vpc(vpcId.get()));
        }
        return s.vpcs().findDefault(caller.accountId()).orElseThrow(() -> NotFound.vpc("default"));
    }

    private static void checkRef(GroupRef ref) {
        if (ref.id().isEmpty() && ref.name().isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupId or GroupName");
        }
        if (ref.id().isPresent() && ref.name().isPresent()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "Give GroupId or GroupName, not both");
        }
    }

    private static void requirePermissions(List<IpPermission> permissions, List<String> ruleIds) {
        if (permissions.isEmpty() && ruleIds.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter IpPermissions");
        }
        if (permissions.size() + ruleIds.size() > 100) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "At most 100 permissions can be changed at once");
        }
    }

    private static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupName");
        }
        if (name.length() > MAX_NAME || !Text.printable(name)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Group names are 1 to %d printable characters", MAX_NAME);
        }
        if (name.startsWith("sg-")) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Group names may not start with 'sg-' (the name is '%s')", name);
        }
    }
}
