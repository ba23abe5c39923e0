package io.nubo.control.compute;

import io.nubo.control.keys.KeyPairService;
import io.nubo.control.quota.QuotaService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Account;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.core.model.PlacementGroup;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Reservation;
import io.nubo.core.model.ResourceType;
import io.nubo.core.model.Tag;
import io.nubo.store.Events;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Several launches in one transaction. Each launch is checked in full (image, type, key, quotas,
 * capacity, zone and groups) before it adds anything; its rows are only collected, and
 * {@link #write()} sends them all at the end as a few batched statements. A launch that fails its
 * checks therefore leaves no trace, and the others in the batch go on. What every launch of the
 * batch would read alike (an account's quota use, the hosts' free capacity, an image, a type, the
 * default security group) is read once and then tracked in memory. Not thread-safe: one
 * transaction, one thread.
 */
final class LaunchBatch {
    private static final String DEFAULT_TYPE = "t3.micro";

    private final Store s;
    private final Instant now;
    private final Map<String, QuotaService.Allowance> allowances = new HashMap<>();
    private final List<String> keepRoots = new ArrayList<>();
    private final Map<String, Optional<Image>> images = new HashMap<>();
    private final Map<String, Optional<InstanceType>> types = new HashMap<>();
    private final Map<List<Object>, Launches.Placement> placements = new HashMap<>();
    private LaunchCapacity capacity;
    private final AddressAllocation addresses;

    private final List<Instance> instances = new ArrayList<>();
    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, List<Tag>>> tagsByAccount = new LinkedHashMap<>();
    private final List<Events.New> events = new ArrayList<>();
    private final Map<String, Admitted> tokens = new LinkedHashMap<>();
    /** Placement group ID to its live members per partition (0 outside partition groups), this batch's included. */
    private final Map<String, Map<Integer, Long>> groupMembers = new HashMap<>();
    /** Placement group ID to the new members, each with its partition (null outside partition groups). */
    private final Map<String, Map<String, Integer>> joining = new LinkedHashMap<>();

    LaunchBatch(Store s, Instant now) {
        this.s = s;
        this.addresses = new AddressAllocation(s);
        this.now = now;
    }

    /**
     * Locks the accounts (and ClientTokens) of the whole batch up front, in one order, so that two
     * batches on two servers never wait for each other in a cycle.
     */
    void lockAll(List<Principal> callers, List<LaunchRequest> requests) {
        callers.stream().map(Principal::accountId).distinct().sorted().forEach(this::allowance);
        List<String[]> tokenKeys = new ArrayList<>();
        for (int n = 0; n < requests.size(); n++) {
            if (requests.get(n).clientToken() != null) {
                tokenKeys.add(new String[] {callers.get(n).accountId(), requests.get(n).clientToken()});
            }
        }
        tokenKeys.stream().sorted((a, b) -> (a[0] + '/' + a[1]).compareTo(b[0] + '/' + b[1]))
                .forEach(k -> s.clientTokens().lock(k[0], Launches.ACTION, k[1]));
    }

    /** Admits one launch, or throws its error having added nothing. */
    Reservation launch(Principal caller, LaunchRequest r) {
        Optional<Reservation> earlier = earlierInBatch(caller, r).or(() -> Launches.replay(s, caller, r));
        if (earlier.isPresent()) {
            return earlier.get();
        }
        Image image = images.computeIfAbsent(r.imageId() + '/' + caller.accountId(),
                k -> s.images().findVisible(r.imageId(), caller.accountId())).orElseThrow(
                () -> NuboException.of(ErrorCode.INVALID_AMI_ID_NOT_FOUND, "The image id '[%s]' does not exist", r.imageId()));
        if (!"available".equals(image.state())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Image %s is not available (it is %s)", image.id(), image.state());
        }
        if (r.rootSizeGib() != null && image.virtualSizeBytes() > ((long) r.rootSizeGib() << 30)) {
            throw NuboException.of(ErrorCode.INVALID_BLOCK_DEVICE_MAPPING,
                    "Volume of size %d GiB is smaller than image %s, expect size >= %d GiB", r.rootSizeGib(), image.id(),
                    (image.virtualSizeBytes() + (1L << 30) - 1) >> 30);
        }
        String typeName = r.instanceType() == null ? DEFAULT_TYPE : r.instanceType();
        InstanceType type = types.computeIfAbsent(typeName, n -> s.instanceTypes().find(n)).orElseThrow(() -> NuboException.of(
                ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for InstanceType", typeName));
        String publicKey = r.keyName() == null ? null : s.keyPairs().findByName(caller.accountId(), r.keyName())
                .orElseThrow(() -> KeyPairService.notFound(r.keyName())).publicKey();
        QuotaService.Allowance allowance = allowance(caller.accountId());
        int byQuota = allowance.allowed(type, r.minCount(), r.maxCount());
        LaunchCapacity.Need need = capacity().need(image, type, r);
        long slots = capacity().slots(type, need);
        if (slots < r.minCount()) {
            throw NuboException.of(ErrorCode.INSUFFICIENT_INSTANCE_CAPACITY,
                    "We currently do not have sufficient %s capacity. Capacity for %d more is available.", type.name(), slots);
        }
        Launches.Placement placement = placements.computeIfAbsent(
                List.of(caller.accountId(), String.valueOf(r.zone()), String.valueOf(r.subnetId()), r.securityGroupIds(), r.securityGroupNames(),
                        String.valueOf(r.placementGroup()), String.valueOf(r.partition())),
                k -> Launches.placement(s, caller, r));
        long spreadRoom = spreadRoom(placement);
        if (spreadRoom < r.minCount()) {
            throw NuboException.of(ErrorCode.INSUFFICIENT_INSTANCE_CAPACITY,
                    "We currently do not have sufficient %s capacity: the spread placement group '%s' has room on %d more host(s).",
                    type.name(), placement.placementGroup().name(), spreadRoom);
        }
        int addressable = addresses.free(caller.accountId(), placement.zone());
        if (addressable < r.minCount()) {
            throw NuboException.of(ErrorCode.INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET,
                    "There are not enough free addresses in the default subnet of %s to satisfy the requested number of instances "
                            + "(%d free).", placement.zone(), addressable);
        }
        int count = (int) Math.min(Math.min(Math.min(byQuota, slots), addressable), spreadRoom);
        allowance.take(type, count);
        capacity.take(type, need, count);
        Reservation launched = collect(caller, r, image, type, count, publicKey, placement);
        if (r.clientToken() != null) {
            tokens.put(caller.accountId() + '/' + r.clientToken(), new Admitted(r, launched));
        }
        return launched;
    }

    private record Admitted(LaunchRequest request, Reservation reservation) {
    }

    /** A retry of a launch admitted earlier in this batch, whose token is not written yet. */
    private Optional<Reservation> earlierInBatch(Principal caller, LaunchRequest r) {
        if (r.clientToken() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(tokens.get(caller.accountId() + '/' + r.clientToken())).map(a -> {
            Launches.requireSameRequest(a.request(), r);
            return a.reservation();
        });
    }

    private Reservation collect(Principal caller, LaunchRequest r, Image image, InstanceType type, int count, String publicKey,
                                Launches.Placement placement) {
        String reservationId = Ids.next(Ids.RESERVATION);
        List<Instance> created = new ArrayList<>(count);
        List<Tag> tags = Launches.tags(r);
        String name = Launches.name(r);
        Map<String, List<Tag>> accountTags = tagsByAccount.computeIfAbsent(caller.accountId(), a -> new LinkedHashMap<>());
        for (int n = 0; n < count; n++) {
            Instance i = new Instance(Ids.next(Ids.INSTANCE), caller.accountId(), reservationId, image.id(), type.name(),
                    type.vcpus(), type.memoryMib(), InstanceState.PENDING, InstanceTask.SCHEDULING, null, name,
                    r.keyName(), r.userData(), null, now, now, null, 0, false, 0, publicKey, null, null, placement.zone(), r.ha(),
                    r.rootSizeGib());
            created.add(i);
            groups.put(i.id(), placement.groupIds());
            if (!tags.isEmpty()) {
                accountTags.put(i.id(), tags);
            }
            events.add(new Events.New(now, i.accountId(), i.id(), "instance.state", null, InstanceState.PENDING.apiName(),
                    "launched by " + caller.accessKeyId()));
            if (placement.placementGroup() != null) {
                join(placement.placementGroup(), i.id(), r.partition());
            }
        }
        instances.addAll(created);
        if (r.keepRootVolume()) {
            created.forEach(i -> keepRoots.add(i.id()));
        }
        addresses.give(caller.accountId(), placement.zone(), created.stream().map(Instance::id).toList());
        return new Reservation(reservationId, caller.accountId(), created);
    }

    /** Writes every admitted launch: a handful of statements, however many launches there were. */
    void write() {
        s.instances().insertAll(instances);
        s.instances().keepRootVolumes(keepRoots);
        addresses.write();
        s.securityGroups().attachAll(groups);
        tagsByAccount.forEach((account, tags) -> s.tags().putAll(account, ResourceType.INSTANCE, tags));
        s.events().appendAll(events);
        joining.forEach((group, members) -> s.placementGroups().addMembers(group, members));
        tokens.values().forEach(a -> Launches.remember(s, a.reservation().accountId(), a.request(), a.reservation(), now));
    }

    /**
     * How many more instances a spread group takes: one per up host that none of its live members
     * is on or bound for. Unlimited outside spread groups.
     */
    private long spreadRoom(Launches.Placement placement) {
        PlacementGroup g = placement.placementGroup();
        if (g == null || g.strategy() != PlacementGroup.Strategy.SPREAD) {
            return Long.MAX_VALUE;
        }
        long members = members(g).values().stream().mapToLong(Long::longValue).sum();
        return Math.max(0, capacity().hostCount() - members);
    }

    /** Adds an instance to a group: into the partition asked for, or else the one with the fewest live members. */
    private void join(PlacementGroup g, String instanceId, Integer asked) {
        Map<Integer, Long> byPartition = members(g);
        Integer partition = null;
        if (g.strategy() == PlacementGroup.Strategy.PARTITION) {
            partition = asked;
            if (partition == null) {
                partition = 1;
                for (int p = 2; p <= g.partitionCount(); p++) {
                    if (byPartition.getOrDefault(p, 0L) < byPartition.getOrDefault(partition, 0L)) {
                        partition = p;
                    }
                }
            }
        }
        byPartition.merge(partition == null ? 0 : partition, 1L, Long::sum);
        joining.computeIfAbsent(g.id(), x -> new LinkedHashMap<>()).put(instanceId, partition);
    }

    private Map<Integer, Long> members(PlacementGroup g) {
        return groupMembers.computeIfAbsent(g.id(), id -> {
            Map<Integer, Long> m = new HashMap<>(s.placementGroups().liveMembersByPartition(id));
            if (g.strategy() != PlacementGroup.Strategy.PARTITION) {
                m.put(0, s.placementGroups().liveMembers(id));
            }
            return m;
        });
    }

    private QuotaService.Allowance allowance(String accountId) {
        return allowances.computeIfAbsent(accountId, id -> {
            Account locked = s.accounts().lock(id).orElseThrow();
            return QuotaService.allowance(s, locked);
        });
    }

    private LaunchCapacity capacity() {
        if (capacity == null) {
            capacity = LaunchCapacity.read(s);
        }
        return capacity;
    }
}
