package io.nubo.control.hosts;

import io.nubo.control.identity.IdentityService;
import io.nubo.control.network.Topology;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.HostUsage;
import io.nubo.core.model.Principal;
import io.nubo.core.model.StoragePool;
import io.nubo.store.Database;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The operator's view of hosts, and the lease watchdog. Thread-safe. */
public final class HostService {
    private final Database db;
    private final Clock clock;

    public HostService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public List<Host> list(Principal caller) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.hosts().list());
    }

    /** What the VMs of these hosts use (admin); a host without any uses {@link HostUsage#NONE}. */
    public java.util.Map<String, HostUsage> usage(Principal caller, java.util.Collection<String> hostIds) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.hosts().usage(hostIds));
    }

    /** What the VMs of one host use (admin). */
    public HostUsage usageOf(Principal caller, String hostId) {
        return usage(caller, List.of(hostId)).getOrDefault(hostId, HostUsage.NONE);
    }

    public Host get(Principal caller, String id) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> s.hosts().find(id)).filter(h -> h.state() != HostState.REMOVED).orElseThrow(() -> notFound(id));
    }

    /**
     * Takes a host out of the cloud (admin): one that is disabled, in maintenance or down, with no
     * instance left on it (terminated ones aside) and nothing on its local pool. Its credentials are
     * revoked, so its agent can no longer call in; it is no longer listed. Its row stays, for the
     * history of the instances that ran there; joining again with a new token brings it back.
     */
    public Host remove(Principal caller, String id) {
        IdentityService.requireAdmin(caller);
        return db.inTransaction(s -> {
            Host h = s.hosts().lock(id).filter(x -> x.state() != HostState.REMOVED).orElseThrow(() -> notFound(id));
            if (h.state() != HostState.DISABLED && h.state() != HostState.MAINTENANCE && h.state() != HostState.DOWN) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The host '%s' is %s: disable or drain it before removing it", h.name(),
                        h.state().apiName());
            }
            long left = s.hosts().instancesOn(id);
            if (left > 0) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE, "The host '%s' still has %d instance(s): move or terminate them first",
                        h.name(), left);
            }
            for (StoragePool p : s.storagePools().list()) {
                if (p.kind() == StoragePool.Kind.LOCAL && id.equals(p.hostId()) && p.usedBytes() > 0) {
                    throw NuboException.of(ErrorCode.INCORRECT_STATE, "The local pool %s of host '%s' still holds %d bytes of Nubo's files (volumes, snapshots or images)",
                            p.name(), h.name(), p.usedBytes());
                }
            }
            Instant now = clock.instant();
            s.hostEnrollments().revokeCredentials(id, now);
            s.hosts().setState(id, HostState.REMOVED);
            s.events().append(now, null, id, "host.state", h.state().apiName(), HostState.REMOVED.apiName(),
                    "removed by " + caller.accessKeyId() + "; its credentials are revoked");
            return s.hosts().find(id).orElseThrow();
        });
    }

    /** A zone and how the scheduler orders its hosts. */
    public record ZoneWeigher(String zone, String weigher) {
    }

    /** Each zone's weigher ({@code spread} unless set). */
    public List<ZoneWeigher> weighers(Principal caller) {
        IdentityService.requireAdmin(caller);
        Map<String, String> set = db.read(s -> s.zoneWeighers().all());
        return Topology.ZONES.stream().map(z -> new ZoneWeigher(z, set.getOrDefault(z, Scheduler.SPREAD))).toList();
    }

    /** Sets how the scheduler orders a zone's hosts (admin): {@code spread}, the most free memory first, or {@code pack}, the least. */
    public ZoneWeigher setWeigher(Principal caller, String zone, String weigher) {
        IdentityService.requireAdmin(caller);
        if (zone == null || !Topology.ZONES.contains(zone)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid availability zone: [%s]", zone);
        }
        if (!Scheduler.SPREAD.equals(weigher) && !Scheduler.PACK.equals(weigher)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid weigher '%s': use spread or pack", weigher);
        }
        db.inTransaction(s -> {
            s.zoneWeighers().set(zone, weigher);
            s.events().append(clock.instant(), null, zone, "zone.weigher", null, weigher, "by " + caller.accessKeyId());
            return null;
        });
        return new ZoneWeigher(zone, weigher);
    }

    private static NuboException notFound(String id) {
        return NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' does not exist", id);
    }

    /**
     * Sets the overcommit ratios of a host. Lowering them below what is allocated is allowed:
     * running instances stay, and new ones go elsewhere until there is room.
     */
    public Host setOvercommit(Principal caller, String id, double cpuRatio, double memoryRatio) {
        IdentityService.requireAdmin(caller);
        if (!(cpuRatio > 0 && cpuRatio <= 64) || !(memoryRatio > 0 && memoryRatio <= 4)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                    "cpuRatio must be above 0 and at most 64, memoryRatio above 0 and at most 4");
        }
        return db.inTransaction(s -> {
            Host before = s.hosts().find(id).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND,
                    "The host '%s' does not exist", id));
            s.hosts().setOvercommit(id, cpuRatio, memoryRatio);
            s.events().append(clock.instant(), null, id, "host.overcommit", before.cpuRatio() + "/" + before.memoryRatio(),
                    cpuRatio + "/" + memoryRatio, "by " + caller.accountId());
            return s.hosts().find(id).orElseThrow();
        });
    }

    /** What an operator can ask of a host's state. */
    public enum AdminAction {
        /** No new instances; what runs there stays. Survives heartbeats and restarts until enabled. */
        DISABLE,
        /**
         * Maintenance: no new instances, and every running instance live-migrates away ({@link HostDrain});
         * the host is {@code draining} until nothing more can leave, then {@code maintenance}.
         */
        DRAIN,
        /**
         * Back in service: up, or suspect if its lease has run out. A down host (its lease ran out and
         * its HA instances moved away) stays down through its agent's heartbeats until an operator
         * enables it, which needs a fresh lease, or its agent registers afresh (restarts): a host whose
         * network flaps does not flap in and out of service.
         */
        ENABLE
    }

    /** The host after an operator's action, and how many of its instances still run or wait there. */
    public record Changed(Host host, long instancesLeft) {
    }

    /** Takes a host out of service or puts it back (admin). Each action is idempotent. */
    public Changed act(Principal caller, String id, AdminAction action) {
        IdentityService.requireAdmin(caller);
        return db.inTransaction(s -> {
            Host h = s.hosts().lock(id).orElseThrow(() -> NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND,
                    "The host '%s' does not exist", id));
            if (action == AdminAction.DRAIN) {
                if (h.state() != HostState.DRAINING && h.state() != HostState.MAINTENANCE) {
                    s.hosts().startDrain(id, clock.instant());
                    s.events().append(clock.instant(), null, id, "host.state", h.state().apiName(), HostState.DRAINING.apiName(),
                            "drain by " + caller.accessKeyId() + ": its instances live-migrate away");
                }
                return new Changed(s.hosts().find(id).orElseThrow(), s.hosts().instancesOn(id));
            }
            if (action == AdminAction.ENABLE && h.state() == HostState.DOWN && !h.leaseExpiresAt().isAfter(clock.instant())) {
                throw NuboException.of(ErrorCode.INCORRECT_STATE,
                        "The host '%s' is down and its agent has not renewed its lease since; enable it once its agent calls in again",
                        h.name());
            }
            HostState next = switch (action) {
                case DISABLE -> HostState.DISABLED;
                case DRAIN -> throw new IllegalStateException("handled above");
                case ENABLE -> h.state() == HostState.DISABLED || h.state() == HostState.MAINTENANCE || h.state() == HostState.DRAINING
                        || h.state() == HostState.DOWN
                        ? (h.leaseExpiresAt().isAfter(clock.instant()) ? HostState.UP : HostState.SUSPECT) : h.state();
            };
            if (next != h.state()) {
                s.hosts().setState(id, next);
                s.events().append(clock.instant(), null, id, "host.state", h.state().apiName(), next.apiName(),
                        action.name().toLowerCase(java.util.Locale.ROOT) + " by " + caller.accessKeyId());
            }
            return new Changed(s.hosts().find(id).orElseThrow(), s.hosts().instancesOn(id));
        });
    }

    /** What the current or last drain of a host did (admin); empty when it was never drained. */
    public Optional<HostDrain.Report> drainReport(Principal caller, String id) {
        IdentityService.requireAdmin(caller);
        return db.read(s -> HostDrain.report(s, id));
    }

    /** All hosts, for metrics and health: not a caller's view. */
    public List<Host> all() {
        return db.read(s -> s.hosts().list());
    }

    /** Marks hosts whose lease expired as suspect, with an event each. */
    public List<String> expireLeases() {
        return db.inTransaction(s -> {
            List<String> ids = s.hosts().markExpiredSuspect(clock.instant());
            ids.forEach(id -> s.events().append(clock.instant(), null, id, "host.state", "up", "suspect", "lease expired"));
            return ids;
        });
    }
}
