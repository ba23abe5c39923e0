package io.nubo.control.hosts;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.volumes.RootVolumes;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.store.Database;
import io.nubo.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * HA: marks a host {@code down} once its lease has been expired for {@link #GRACE}, and restarts
 * its HA instances on other up hosts.
 *
 * <p>Why never two: an agent that cannot renew its lease kills its HA VMs at
 * {@code lease - FENCE_MARGIN} after the last renewal it sent (its own clock, counted from before
 * the request left, so never later than the server's expiry), and a watchdog process beside it does
 * the same when the agent itself is dead. This pass moves an instance only after the lease's expiry
 * (the server's clock, counted from when the renewal arrived) plus the grace, so the old QEMU is
 * gone seconds before the new host is even told. The grace absorbs clock differences between
 * server replicas and the time a kill takes.
 *
 * <p>A restart is a placement claim like a launch's: the down host's row and the up hosts' rows are
 * locked, the instance goes to the up host in its zone with the most free memory that fits it (the
 * scheduler's filters: {@link HostSlot#fits}), and the allocation moves with it, all in the transaction that writes the events. An instance that
 * fits nowhere stays on the down host (an event says why) and is tried again on every pass. Hosts
 * are claimed with {@code FOR UPDATE SKIP LOCKED}, so two servers never fail a host over twice.
 * Non-HA instances stay on the down host; when its agent returns it reports them as it finds them.
 * Thread-safe.
 */
public final class HostFailover {
    private static final Logger LOG = LoggerFactory.getLogger(HostFailover.class);
    /** How long after a lease's expiry a host is marked down and its HA instances move. */
    public static final Duration GRACE = Duration.ofSeconds(10);

    private final Database db;
    private final Clock clock;
    private final Duration grace;
    private final java.util.function.Consumer<Set<String>> hostsChanged;

    public HostFailover(Database db, Clock clock, java.util.function.Consumer<Set<String>> hostsChanged) {
        this(db, clock, GRACE, hostsChanged);
    }

    public HostFailover(Database db, Clock clock, Duration grace, java.util.function.Consumer<Set<String>> hostsChanged) {
        this.db = db;
        this.clock = clock;
        this.grace = grace;
        this.hostsChanged = hostsChanged;
    }

    /** What one pass did: the hosts it marked down, the instances it restarted elsewhere, and those it could not place. */
    public record Outcome(List<String> markedDown, List<Restart> restarted, List<String> unplaced) {
    }

    /** An HA instance moved from a down host to another. */
    public record Restart(String instanceId, String fromHostId, String toHostId) {
    }

    /** One pass: marks hosts whose lease is long gone down, then restarts the HA instances of every down host it can claim. */
    public Outcome pass() {
        Set<String> touched = new HashSet<>();
        Outcome o = db.inTransaction(s -> {
            Instant now = clock.instant();
            List<String> down = new ArrayList<>();
            for (Host h : s.hosts().claimLeaseLost(now.minus(grace))) {
                markDown(s, h, now);
                down.add(h.id());
            }
            List<Restart> restarted = new ArrayList<>();
            List<String> unplaced = new ArrayList<>();
            List<Host> failed = s.hosts().claimDownWithHaInstances(now.minus(grace));
            if (!failed.isEmpty()) {
                HostSlot.Slots up = HostSlot.lock(s, s.hosts().lockSchedulable());
                PlacementNeed.Lookup needs = new PlacementNeed.Lookup(s, up.pools().hasShared());
                InstanceLog log = new InstanceLog();
                for (Host h : failed) {
                    restartInstances(s, h, up.hosts(), needs, down.contains(h.id()), now, log, restarted, unplaced, touched);
                }
                log.write(s);
                up.write(s, now);
            }
            return new Outcome(down, restarted, unplaced);
        });
        o.markedDown().forEach(id -> LOG.warn("host {} is down: its lease expired more than {} s ago", id, grace.toSeconds()));
        o.restarted().forEach(r -> LOG.warn("HA: {} restarts on host {} (host {} is down)", r.instanceId(), r.toHostId(), r.fromHostId()));
        if (!touched.isEmpty()) {
            hostsChanged.accept(touched);
        }
        return o;
    }

    private void markDown(Store s, Host h, Instant now) {
        s.hosts().setState(h.id(), HostState.DOWN);
        s.events().append(now, null, h.id(), "host.state", h.state().apiName(), HostState.DOWN.apiName(),
                "lease expired at " + h.leaseExpiresAt() + " (last heartbeat " + h.lastHeartbeat() + "); its agent has fenced its HA "
                        + "instances, which restart on other hosts");
        for (Instance i : s.instances().placedOn(h.id())) {
            if (!i.ha() && (i.state() == InstanceState.RUNNING || i.state() == InstanceState.PENDING)) {
                s.events().append(now, i.accountId(), i.id(), "instance.ha", h.name(), h.name(),
                        "its host " + h.name() + " is down; not HA, so it stays there until its host returns");
            }
        }
    }

    private void restartInstances(Store s, Host from, List<HostSlot> up, PlacementNeed.Lookup needs, boolean justDown, Instant now, InstanceLog log,
                                  List<Restart> restarted, List<String> unplaced, Set<String> touched) {
        for (Instance i : s.instances().placedOn(from.id())) {
            if (!i.ha() || !(i.state() == InstanceState.RUNNING || i.state() == InstanceState.PENDING)) {
                continue;
            }
            if (i.task() == InstanceTask.MIGRATING) {
                // The migration watchdog fails it first (its source went quiet); the next pass moves it.
                continue;
            }
            // A root disk on the shared pool stays there: the new host must reach it, and nothing more is
            // claimed. Without a shared pool the disk was the down host's own, and a new one is made.
            PlacementNeed fresh = needs.of(i);
            PlacementNeed need = fresh.onShared() ? fresh.keepingDisk() : fresh;
            Optional<HostSlot> best = up.stream().filter(h -> h.fits(i, need) && h.inZoneOf(i))
                    .max(Comparator.comparingLong(HostSlot::freeMemory).thenComparing(h -> h.host.id()));
            if (best.isEmpty()) {
                unplaced.add(i.id());
                if (justDown) {
                    s.events().append(now, i.accountId(), i.id(), "instance.ha", from.name(), from.name(),
                            "cannot restart: no up host in " + i.zone() + " that runs " + Scheduler.describe(need) + " and reaches its disk's pool has room for "
                                    + i.vcpus() + " vCPU and " + i.memoryMib() + " MiB"
                                    + (need.keepsDisk() ? "" : " and a " + Scheduler.gib(need.rootBytes()) + " GiB root disk")
                                    + "; it stays on the down host " + from.name() + " and is tried again as hosts free up");
                }
                continue;
            }
            HostSlot to = best.get();
            if (!need.keepsDisk()) {
                RootVolumes.release(s, List.of(i.id()), false, now);
            }
            to.take(i, need);
            s.hosts().allocate(from.id(), -i.vcpus(), -i.memoryMib());
            String why = "HA: its host " + from.name() + " is down; restarted on " + to.host.name();
            Instance pending = InstanceChanges.withState(i, InstanceState.PENDING, i.task(), why, now);
            log.add(i, InstanceChanges.placedOn(pending, to.host.id(), now), true, null, why);
            s.events().append(now, i.accountId(), i.id(), "instance.ha", from.name(), to.host.name(), why);
            restarted.add(new Restart(i.id(), from.id(), to.host.id()));
            touched.add(to.host.id());
            touched.add(from.id());
        }
        // Its agent, when it returns, must see that these instances are no longer its own.
        s.hosts().bumpDesired(from.id());
    }
}
