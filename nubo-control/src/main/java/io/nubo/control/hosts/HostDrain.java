package io.nubo.control.hosts;

import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.model.Host;
import io.nubo.core.model.HostState;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.Migration;
import io.nubo.store.Database;
import io.nubo.store.Store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Empties draining hosts by live migration, {@link #PARALLEL} instances at a time per host, and
 * puts a host in {@code maintenance} once nothing more can leave it. An instance that cannot move
 * (no host can take it, or its migration failed) is left running where it is and reported, as a
 * failed migration of the drain and an event; a stopped instance stays too (its disk is local to
 * the host). A pass claims each draining host's row with {@code SKIP LOCKED}, so servers never
 * drain one host twice, and it reads everything from the database, so a server that dies
 * mid-drain leaves the work to the next pass anywhere. Thread-safe.
 */
public final class HostDrain {
    /** How many instances of one host migrate at the same time. */
    static final int PARALLEL = 2;

    private final Database db;
    private final Clock clock;
    private final Consumer<Set<String>> hostsChanged;

    public HostDrain(Database db, Clock clock, Consumer<Set<String>> hostsChanged) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
    }

    /** What a drain did so far: its migrations, and the instances it left on the host with why. */
    public record Report(Instant startedAt, List<Migration> migrations, List<Left> left) {
    }

    /** An instance a drain could not move (yet). */
    public record Left(String instanceId, String reason) {
    }

    /** One pass over every draining host; returns how many migrations it started. */
    public int pass() {
        Set<String> touched = new HashSet<>();
        int started = db.inTransaction(s -> {
            int n = 0;
            for (Host h : s.hosts().claimDraining()) {
                n += drain(s, h, touched);
            }
            return n;
        });
        if (!touched.isEmpty()) {
            hostsChanged.accept(touched);
        }
        return started;
    }

    private int drain(Store s, Host h, Set<String> touched) {
        Instant now = clock.instant();
        Instant since = s.hosts().drainStartedAt(h.id()).orElse(h.createdAt());
        List<Migration> made = s.migrations().ofDrain(h.id(), since);
        Set<String> gaveUp = made.stream().filter(m -> m.state() == DesiredMigration.State.FAILED).map(Migration::instanceId)
                .collect(Collectors.toSet());
        long active = made.stream().filter(m -> m.state().isActive()).count();
        List<Instance> on = s.instances().placedOn(h.id());
        List<Instance> movable = on.stream()
                .filter(i -> i.state() == InstanceState.RUNNING && i.task() == InstanceTask.NONE && !gaveUp.contains(i.id())).toList();
        boolean settling = on.stream().anyMatch(i -> i.task() == InstanceTask.MIGRATING || i.state() == InstanceState.PENDING
                || i.state() == InstanceState.STOPPING || i.state() == InstanceState.SHUTTING_DOWN);
        int started = 0;
        for (Instance i : movable) {
            if (active + started >= PARALLEL) {
                break;
            }
            try {
                Migration m = MigrationService.start(s, i.id(), Optional.empty(), "by the drain of " + h.name(), h.id(), now);
                touched.add(m.destinationHostId());
                started++;
            } catch (NuboException e) {
                // Nowhere to go: recorded as a failed migration of this drain, so that the report and the next pass see it.
                s.migrations().insert(new Migration(Ids.next(Ids.MIGRATION), i.id(), h.id(), null, DesiredMigration.State.FAILED, null,
                        null, null, null, null, null, null, null, null, e.getMessage(), "by the drain of " + h.name(), h.id(), now, now, now));
                s.events().append(now, i.accountId(), i.id(), "instance.migration", null, "failed", "cannot leave its host: " + e.getMessage());
                s.events().append(now, null, h.id(), "host.drain", "draining", "draining", i.id() + " cannot move: " + e.getMessage());
            }
        }
        if (started == 0 && active == 0 && !settling && movable.isEmpty()) {
            Report r = report(s, h.id()).orElseThrow();
            s.hosts().setState(h.id(), HostState.MAINTENANCE);
            long moved = r.migrations().stream().filter(m -> m.state() == DesiredMigration.State.COMPLETED).count();
            String left = r.left().isEmpty() ? "nothing left on it"
                    : r.left().size() + " left there: " + r.left().stream().map(l -> l.instanceId() + " (" + l.reason() + ")")
                    .collect(Collectors.joining(", "));
            s.events().append(now, null, h.id(), "host.state", "draining", "maintenance", "drained: " + moved + " moved, " + left);
        }
        return started;
    }

    /** What the current (or last) drain of a host did; empty when it was never drained. */
    static Optional<Report> report(Store s, String hostId) {
        Optional<Instant> since = s.hosts().drainStartedAt(hostId);
        if (since.isEmpty()) {
            return Optional.empty();
        }
        List<Migration> made = s.migrations().ofDrain(hostId, since.get());
        List<Left> left = new ArrayList<>();
        for (Instance i : s.instances().placedOn(hostId)) {
            if (i.task() == InstanceTask.MIGRATING) {
                continue;
            }
            String why = made.stream().filter(m -> m.instanceId().equals(i.id()) && m.state() == DesiredMigration.State.FAILED)
                    .reduce((a, b) -> b).map(Migration::reason)
                    .orElse(i.state() == InstanceState.RUNNING ? "not moved yet" : "it is " + i.state().apiName() + "; only running instances move");
            left.add(new Left(i.id(), why));
        }
        return Optional.of(new Report(since.get(), made, left));
    }
}
