package io.nubo.control.placement;

import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.filter.Filter;
import io.nubo.core.filter.FilterSet;
import io.nubo.core.model.PlacementGroup;
import io.nubo.core.model.Principal;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Placement groups: create, describe, delete, and the group a launch joins. The scheduler keeps
 * their promises ({@link GroupRules}). Every call validates everything before it writes. Thread-safe.
 */
public final class PlacementGroupService {
    public static final int MAX_NAME = 255;
    /** EC2's default number of partitions. */
    public static final int DEFAULT_PARTITIONS = 2;

    private final Database db;
    private final Clock clock;

    public PlacementGroupService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A group with the caller's tags on it. */
    public record GroupDetails(PlacementGroup group, List<Tag> tags) {
    }

    private static final FilterSet<GroupDetails> FILTERS = FilterSet.<GroupDetails>builder()
            .one("group-name", d -> d.group().name())
            .one("group-id", d -> d.group().id())
            .one("strategy", d -> d.group().strategy().apiName())
            .one("state", d -> "available")
            .one("spread-level", d -> d.group().strategy() == PlacementGroup.Strategy.SPREAD ? "host" : null)
            .tags(GroupDetails::tags)
            .build();

    /**
     * Creates a group. {@code spreadLevel} may be {@code host} (Nubo's hardware is the host; it
     * knows no racks) and only for spread; {@code partitionCount} (1 to 7, 2 by default) only for partition.
     */
    public GroupDetails create(Principal caller, String name, String strategyName, Integer partitionCount, String spreadLevel, List<Tag> tags) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupName");
        }
        if (name.length() > MAX_NAME || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The group name must be 1 to %d ASCII characters", MAX_NAME);
        }
        if (strategyName == null || strategyName.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter Strategy");
        }
        PlacementGroup.Strategy strategy = PlacementGroup.Strategy.of(strategyName).orElseThrow(() -> NuboException.of(
                ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for Strategy: use cluster, spread or partition", strategyName));
        int partitions = 0;
        if (partitionCount != null) {
            if (strategy != PlacementGroup.Strategy.PARTITION) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "PartitionCount is valid only with the partition strategy");
            }
            if (partitionCount < 1 || partitionCount > PlacementGroup.MAX_PARTITIONS) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "PartitionCount must be 1 to %d (not %d)",
                        PlacementGroup.MAX_PARTITIONS, partitionCount);
            }
            partitions = partitionCount;
        } else if (strategy == PlacementGroup.Strategy.PARTITION) {
            partitions = DEFAULT_PARTITIONS;
        }
        if (spreadLevel != null) {
            if (strategy != PlacementGroup.Strategy.SPREAD) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "SpreadLevel is valid only with the spread strategy");
            }
            if (spreadLevel.equals("rack")) {
                throw NuboException.of(ErrorCode.UNSUPPORTED_OPERATION, "Nubo knows hosts, not racks: use SpreadLevel=host");
            }
            if (!spreadLevel.equals("host")) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for SpreadLevel", spreadLevel);
            }
        }
        Tagging.validate(tags);
        PlacementGroup g = new PlacementGroup(Ids.next(Ids.PLACEMENT_GROUP), caller.accountId(), name, strategy, partitions, clock.instant());
        return db.inTransaction(s -> {
            if (!s.placementGroups().insert(g)) {
                throw NuboException.of(ErrorCode.INVALID_PLACEMENT_GROUP_DUPLICATE, "The placement group '%s' already exists.", name);
            }
            Tagging.apply(s, caller.accountId(), g.id(), ResourceType.PLACEMENT_GROUP, tags);
            s.events().append(clock.instant(), caller.accountId(), g.id(), "placement-group.created", null, strategy.apiName(),
                    name + " by " + caller.accessKeyId());
            return new GroupDetails(g, tags);
        });
    }

    /** The caller's groups: all, or those named (by name or ID), narrowed by filters; an unknown one is {@code InvalidPlacementGroup.Unknown}. */
    public List<GroupDetails> describe(Principal caller, List<String> names, List<String> ids, List<Filter> filters) {
        ids.forEach(PlacementGroupService::checkId);
        var matching = FILTERS.compile(filters);
        return db.read(s -> {
            List<PlacementGroup> all = s.placementGroups().list(caller.accountId());
            for (String n : names) {
                if (all.stream().noneMatch(g -> g.name().equals(n))) {
                    throw unknown(n);
                }
            }
            for (String id : ids) {
                if (all.stream().noneMatch(g -> g.id().equals(id))) {
                    throw unknown(id);
                }
            }
            Map<String, List<Tag>> tags = s.tags().forResources(caller.accountId(), all.stream().map(PlacementGroup::id).toList());
            return all.stream().filter(g -> (names.isEmpty() && ids.isEmpty()) || names.contains(g.name()) || ids.contains(g.id()))
                    .map(g -> new GroupDetails(g, tags.getOrDefault(g.id(), List.of()))).filter(matching).toList();
        });
    }

    /** Deletes the caller's group; one with instances that are not terminated is {@code InvalidPlacementGroup.InUse}. */
    public void delete(Principal caller, String name) {
        if (name == null || name.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter GroupName");
        }
        db.inTransaction(s -> {
            // Locked, so that a launch joining the group (which locks it too) cannot slip in between the check and the delete.
            PlacementGroup g = s.placementGroups().lockByName(caller.accountId(), name).orElseThrow(() -> unknown(name));
            long live = s.placementGroups().liveMembers(g.id());
            if (live > 0) {
                throw NuboException.of(ErrorCode.INVALID_PLACEMENT_GROUP_IN_USE, "The placement group '%s' is in use by %d instance(s).",
                        name, live);
            }
            s.placementGroups().delete(g.id());
            s.tags().deleteAll(caller.accountId(), g.id());
            s.events().append(clock.instant(), caller.accountId(), g.id(), "placement-group.deleted", g.strategy().apiName(), null,
                    name + " by " + caller.accessKeyId());
            return null;
        });
    }

    /**
     * The group a launch joins, locked for the launch's transaction, with the launch's partition
     * checked against it. Unknown (or another account's): {@code InvalidPlacementGroup.Unknown}.
     */
    public static PlacementGroup forLaunch(Store s, String accountId, String nameOrId, Integer partition) {
        PlacementGroup found = s.placementGroups().find(accountId, nameOrId).orElseThrow(() -> unknown(nameOrId));
        PlacementGroup g = s.placementGroups().lockByName(accountId, found.name()).orElseThrow(() -> unknown(nameOrId));
        if (partition != null) {
            if (g.strategy() != PlacementGroup.Strategy.PARTITION) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION,
                        "PartitionNumber is valid only for a partition placement group ('%s' is %s)", g.name(), g.strategy().apiName());
            }
            if (partition < 1 || partition > g.partitionCount()) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "PartitionNumber must be 1 to %d in '%s' (not %d)",
                        g.partitionCount(), g.name(), partition);
            }
        }
        return g;
    }

    /** A group ID must be well formed before it is looked up. */
    public static void checkId(String id) {
        if (!Ids.isWellFormed(Ids.PLACEMENT_GROUP, id)) {
            throw NuboException.of(ErrorCode.INVALID_PLACEMENT_GROUP_ID_MALFORMED, "Invalid id: \"%s\" (expecting \"pg-...\")", id);
        }
    }

    public static NuboException unknown(String nameOrId) {
        return NuboException.of(ErrorCode.INVALID_PLACEMENT_GROUP_UNKNOWN, "The Placement Group '%s' is unknown.", nameOrId);
    }
}
