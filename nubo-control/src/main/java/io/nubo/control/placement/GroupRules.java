package io.nubo.control.placement;

import io.nubo.core.model.Instance;
import io.nubo.core.model.PlacementGroup;
import io.nubo.store.PlacementGroups;
import io.nubo.store.Store;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What placement groups allow while one scheduler pass places a batch of instances: read once
 * for the batch, and kept up to date as the pass places its members.
 * <ul>
 *   <li>spread: a host holds at most one live member of the group;</li>
 *   <li>cluster: once a member is placed, the others go to its host;</li>
 *   <li>partition: a host holds members of one partition of the group only.</li>
 * </ul>
 * The pass holds the up hosts' row locks, so passes on two servers never break a rule together.
 * Not thread-safe: one pass, one thread.
 */
public final class GroupRules {
    private final Map<String, PlacementGroups.Membership> memberships;
    /** Group ID to host ID to the partitions of the group's members on that host (empty outside partition groups). */
    private final Map<String, Map<String, Set<Integer>>> placed;

    private GroupRules(Map<String, PlacementGroups.Membership> memberships, Map<String, Map<String, Set<Integer>>> placed) {
        this.memberships = memberships;
        this.placed = placed;
    }

    /** The rules for these pending instances: their groups, and where their groups' members already are. */
    public static GroupRules load(Store s, List<Instance> pending) {
        Map<String, PlacementGroups.Membership> memberships = s.placementGroups().memberships(pending.stream().map(Instance::id).toList());
        Collection<String> groups = memberships.values().stream().map(m -> m.group().id()).distinct().toList();
        return new GroupRules(memberships, groups.isEmpty() ? new HashMap<>() : s.placementGroups().placedMembers(groups));
    }

    /** The group of an instance, or null. */
    public PlacementGroup groupOf(Instance i) {
        PlacementGroups.Membership m = memberships.get(i.id());
        return m == null ? null : m.group();
    }

    /** Whether the instance's group lets it go to this host. */
    public boolean allows(Instance i, String hostId) {
        PlacementGroups.Membership m = memberships.get(i.id());
        if (m == null) {
            return true;
        }
        Map<String, Set<Integer>> hosts = placed.getOrDefault(m.group().id(), Map.of());
        return switch (m.group().strategy()) {
            case SPREAD -> !hosts.containsKey(hostId);
            case CLUSTER -> hosts.isEmpty() || hosts.containsKey(hostId);
            case PARTITION -> hosts.getOrDefault(hostId, Set.of()).stream().allMatch(p -> p.equals(m.partition()));
        };
    }

    /** Notes that the pass placed the instance on this host. */
    public void placed(Instance i, String hostId) {
        PlacementGroups.Membership m = memberships.get(i.id());
        if (m != null) {
            Set<Integer> partitions = placed.computeIfAbsent(m.group().id(), g -> new HashMap<>()).computeIfAbsent(hostId, h -> new HashSet<>());
            if (m.partition() != null) {
                partitions.add(m.partition());
            }
        }
    }
}
