package io.nubo.control.hosts;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.control.placement.GroupRules;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.PlacementGroup;
import io.nubo.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Places pending instances on hosts. A pass claims a batch of unplaced instances with
 * {@code FOR UPDATE SKIP LOCKED}, locks the up hosts, and places each instance on the host with
 * the most free memory that fits it (spread; or the least, where the zone's weigher is pack), all
 * in one transaction, so concurrent passes on several servers never oversubscribe a host. A host
 * qualifies when it is in the instance's zone, has room for it (vCPUs and memory, and its root disk
 * in the pool the disk goes to, whose row the pass locks too), runs the image's architecture with
 * the accelerator the type requires ({@link PlacementNeed}), and its placement group allows it
 * ({@link GroupRules}). An instance that fits
 * nowhere is terminated with {@code Server.InsufficientInstanceCapacity}, as EC2 does. Thread-safe.
 */
public final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    static final int BATCH = 500;
    public static final String SPREAD = "spread";
    public static final String PACK = "pack";
    /** The best host comes last: spread prefers the most free memory, pack the least (each then by ID, to be repeatable). */
    private static final Comparator<HostSlot> SPREADING = Comparator.comparingLong(HostSlot::freeMemory).thenComparing(h -> h.host.id());
    private static final Comparator<HostSlot> PACKING = Comparator.comparingLong((HostSlot h) -> -h.freeMemory()).thenComparing(h -> h.host.id());

    private final Database db;
    private final Clock clock;
    private final Consumer<Set<String>> hostsChanged;

    public Scheduler(Database db, Clock clock, Consumer<Set<String>> hostsChanged) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
    }

    /** The guest architecture and accelerator a need asks for, as an error says it. */
    static String describe(PlacementNeed need) {
        return need.architecture() + " guests" + (need.accelerator() == null ? "" : " with " + need.accelerator());
    }

    /** Bytes as whole GiB, rounded up. */
    static long gib(long bytes) {
        return (bytes + (1L << 30) - 1) >> 30;
    }

    /** Runs passes until no unplaced instance is left; returns how many instances were handled. */
    public int drain() {
        int total = 0;
        int n;
        do {
            n = pass();
            total += n;
        } while (n == BATCH);
        return total;
    }

    private int pass() {
        Set<String> touched = new HashSet<>();
        int handled = db.inTransaction(s -> {
            List<Instance> pending = s.instances().claimUnscheduled(BATCH);
            if (pending.isEmpty()) {
                return 0;
            }
            HostSlot.Slots slots = HostSlot.lock(s, s.hosts().lockSchedulable());
            List<HostSlot> hosts = slots.hosts();
            PlacementNeed.Lookup needs = new PlacementNeed.Lookup(s, slots.pools().hasShared());
            GroupRules groups = GroupRules.load(s, pending);
            Map<String, String> weighers = s.zoneWeighers().all();
            Instant now = clock.instant();
            InstanceLog log = new InstanceLog();
            for (Instance i : pending) {
                PlacementNeed need = needs.of(i);
                Optional<HostSlot> best = hosts.stream().filter(h -> h.fits(i, need) && h.inZoneOf(i) && groups.allows(i, h.host.id()))
                        .max(PACK.equals(weighers.get(i.zone())) ? PACKING : SPREADING);
                if (best.isPresent()) {
                    HostSlot h = best.get();
                    h.take(i, need);
                    groups.placed(i, h.host.id());
                    log.add(i, InstanceChanges.placedOn(i, h.host.id(), now), true, "instance.scheduled",
                            "placed on " + h.host.name());
                    touched.add(h.host.id());
                } else {
                    PlacementGroup g = groups.groupOf(i);
                    log.add(i, InstanceChanges.withState(i, InstanceState.TERMINATED, InstanceTask.NONE,
                            "Server.InsufficientInstanceCapacity: no host " + (hosts.stream().anyMatch(h -> HostSlot.runs(h.host, need))
                                    ? "" : "that runs " + describe(need) + " ") + "has room for " + i.instanceType()
                                    + " and its " + gib(need.rootBytes()) + " GiB root disk"
                                    + (g == null ? "" : " that " + g.strategy().apiName() + " placement group " + g.name() + " allows"), now),
                            false, null, "scheduler");
                }
            }
            log.write(s);
            slots.write(s, now);
            return pending.size();
        });
        if (!touched.isEmpty()) {
            LOG.debug("placed {} instances on {} hosts", handled, touched.size());
            hostsChanged.accept(touched);
        }
        return handled;
    }
}
