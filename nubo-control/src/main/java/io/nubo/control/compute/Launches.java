package io.nubo.control.compute;

import io.nubo.control.network.Topology;
import io.nubo.control.placement.PlacementGroupService;
import io.nubo.control.query.IdCheck;
import io.nubo.control.query.NotFound;
import io.nubo.control.security.SecurityGroupService;
import io.nubo.control.tags.Tagging;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Host;
import io.nubo.core.model.Instance;
import io.nubo.core.model.PlacementGroup;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Reservation;
import io.nubo.core.model.SecurityGroup;
import io.nubo.core.model.Subnet;
import io.nubo.core.model.Tag;
import io.nubo.store.ClientTokens;
import io.nubo.store.Store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a launch beyond size and image: its zone and security groups, its tags (an
 * instance's {@code Name} tag is its name), its idempotency token, and the capacity check when a
 * stopped instance starts again. Stateless.
 */
final class Launches {
    static final String ACTION = "RunInstances";
    /** EC2's largest gp3 volume, in GiB. */
    static final int MAX_ROOT_GIB = 16384;
    private static final int MAX_TOKEN = 64;

    private Launches() {
    }

    /** Where the instances go, which security groups they are in, and the placement group they join (or null). */
    record Placement(String zone, List<String> groupIds, PlacementGroup placementGroup) {
    }

    /** Checks what can be checked without the database. */
    static void validate(LaunchRequest r) {
        if (r.zone() != null && !Topology.ZONES.contains(r.zone())) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid availability zone: [%s]", r.zone());
        }
        if (r.subnetId() != null) {
            IdCheck.subnets(List.of(r.subnetId()));
        }
        IdCheck.groups(r.securityGroupIds());
        if (r.rootSizeGib() != null && (r.rootSizeGib() < 1 || r.rootSizeGib() > MAX_ROOT_GIB)) {
            throw NuboException.of(ErrorCode.INVALID_BLOCK_DEVICE_MAPPING, "The root disk must be 1 to %d GiB (not %d)", MAX_ROOT_GIB,
                    r.rootSizeGib());
        }
        if (r.partition() != null && r.placementGroup() == null) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_COMBINATION, "A partition number needs a placement group");
        }
        Tagging.validate(r.tags());
        if (r.clientToken() != null && (r.clientToken().isEmpty() || r.clientToken().length() > MAX_TOKEN
                || !r.clientToken().chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The client token must be 1 to %d printable ASCII characters", MAX_TOKEN);
        }
    }

    /** The instances' name: the request's, or else its {@code Name} tag. */
    static String name(LaunchRequest r) {
        return r.name() != null ? r.name()
                : r.tags().stream().filter(t -> t.key().equals(Tagging.NAME)).map(Tag::value).findFirst().orElse(null);
    }

    /** The instances' tags: the request's, plus {@code Name} when only a name was given. */
    static List<Tag> tags(LaunchRequest r) {
        if (r.name() == null || r.tags().stream().anyMatch(t -> t.key().equals(Tagging.NAME))) {
            return r.tags();
        }
        List<Tag> out = new ArrayList<>(r.tags());
        out.add(new Tag(Tagging.NAME, r.name()));
        return out;
    }

    /**
     * The reservation an earlier request with the same token made, if there was one; a different
     * request with the same token is {@code IdempotentParameterMismatch}. Holds a lock on the
     * token until the transaction ends, so that concurrent retries launch once.
     */
    static Optional<Reservation> replay(Store s, Principal caller, LaunchRequest r) {
        if (r.clientToken() == null) {
            return Optional.empty();
        }
        s.clientTokens().lock(caller.accountId(), ACTION, r.clientToken());
        return s.clientTokens().find(caller.accountId(), ACTION, r.clientToken()).map(e -> {
            requireSameFingerprint(e.requestHash(), r);
            return new Reservation(e.resultId(), caller.accountId(), s.instances().listByReservation(caller.accountId(), e.resultId()));
        });
    }

    /** A retry must be the same request as the one its token first came with. */
    static void requireSameRequest(LaunchRequest first, LaunchRequest retry) {
        requireSameFingerprint(first.fingerprint(), retry);
    }

    private static void requireSameFingerprint(String firstFingerprint, LaunchRequest retry) {
        if (!firstFingerprint.equals(retry.fingerprint())) {
            throw NuboException.of(ErrorCode.IDEMPOTENT_PARAMETER_MISMATCH,
                    "The client token '%s' was already used for a different request", retry.clientToken());
        }
    }

    static void remember(Store s, String accountId, LaunchRequest r, Reservation launched, Instant now) {
        if (r.clientToken() != null) {
            s.clientTokens().insert(accountId, ACTION, r.clientToken(), new ClientTokens.Entry(r.fingerprint(), launched.reservationId()), now);
        }
    }

    static Placement placement(Store s, Principal caller, LaunchRequest r) {
        String zone = r.zone() == null ? Topology.defaultZone() : r.zone();
        if (r.subnetId() != null) {
            Subnet subnet = s.subnets().find(r.subnetId(), caller.accountId()).orElseThrow(() -> NotFound.subnet(r.subnetId()));
            if (r.zone() != null && !r.zone().equals(subnet.zone())) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Value (%s) for parameter availabilityZone is invalid. Subnet '%s' is in the availability zone %s",
                        r.zone(), subnet.id(), subnet.zone());
            }
            zone = subnet.zone();
        }
        List<SecurityGroup> groups = SecurityGroupService.forLaunch(s, caller.accountId(), r.securityGroupIds(), r.securityGroupNames());
        PlacementGroup placementGroup = r.placementGroup() == null ? null
                : PlacementGroupService.forLaunch(s, caller.accountId(), r.placementGroup(), r.partition());
        return new Placement(zone, groups.stream().map(SecurityGroup::id).toList(), placementGroup);
    }

    /**
     * A stopped instance keeps its place on its host; if it was resized while stopped, the host
     * must still have room for its new size when it starts.
     */
    static void requireRoomToStart(Store s, List<Instance> starting) {
        for (Instance i : starting) {
            if (i.hostId() == null) {
                continue;
            }
            Host h = s.hosts().lock(i.hostId()).orElseThrow();
            if (h.allocatedVcpus() > h.schedulableVcpus() || h.allocatedMemoryMib() > h.schedulableMemoryMib()) {
                throw NuboException.of(ErrorCode.INSUFFICIENT_INSTANCE_CAPACITY,
                        "We currently do not have sufficient %s capacity on the host of instance %s to start it. "
                                + "Try again later, or change its instance type.", i.instanceType(), i.id());
            }
        }
    }
}
