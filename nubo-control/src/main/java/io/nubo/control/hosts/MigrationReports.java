package io.nubo.control.hosts;

import io.nubo.control.compute.InstanceChanges;
import io.nubo.control.compute.InstanceLog;
import io.nubo.core.ErrorCode;
import io.nubo.core.NuboException;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.agent.MigrationProgress;
import io.nubo.core.agent.MigrationUpdate;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.Migration;
import io.nubo.store.Store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The migration protocol's server side: what each host sees of the migrations it takes part in,
 * and how the agents' updates move a migration on. Every transition is one transaction that also
 * writes its events and raises the desired-state version of the host that must act next, so an
 * agent learns of it from its long-poll. Stateless.
 *
 * <p>Which side may run the VM follows from the row alone: the source until the row says
 * {@code completed}, the destination from then on. {@code completed} and {@code failed} are final
 * and exclusive (both are decided under the row's lock), so the two hosts never both resume it.
 */
final class MigrationReports {
    /** How long a finished migration stays in the hosts' desired state, so that both sides see its end. */
    static final Duration SHOW_ENDED = Duration.ofMinutes(10);
    /** How long the source may take for the whole migration before it cancels it. */
    static final Duration MIGRATION_TIMEOUT = Duration.ofMinutes(10);
    /** How often a migration's progress becomes an event (every reading updates the row). */
    static final Duration PROGRESS_EVENTS = Duration.ofSeconds(2);

    private MigrationReports() {
    }

    /** The migrations {@code hostId} takes part in, as its desired state carries them. */
    static List<DesiredMigration> desired(Store s, String hostId, Instant now) {
        List<DesiredMigration> out = new ArrayList<>();
        for (Migration m : s.migrations().ofHost(hostId, now.minus(SHOW_ENDED))) {
            boolean source = m.sourceHostId().equals(hostId);
            DesiredInstance spec = null;
            if (!source && m.state().isActive()) {
                Instance i = s.instances().findAny(m.instanceId()).orElseThrow();
                spec = AgentGateway.desiredInstances(s, hostId, List.of(i)).get(0);
            }
            out.add(new DesiredMigration(m.id(), m.instanceId(), source ? DesiredMigration.Role.SOURCE : DesiredMigration.Role.DESTINATION,
                    m.state(), spec, m.incomingHost(), m.incomingPort(), m.nbdPort(), MIGRATION_TIMEOUT.toSeconds()));
        }
        return out;
    }

    /** Applies an agent's update; returns whether a host's desired state changed. Another host's migration is not found. */
    static boolean apply(Store s, String hostId, MigrationUpdate u, Instant now) {
        Migration m = s.migrations().lock(u.migrationId())
                .filter(x -> hostId.equals(x.sourceHostId()) || hostId.equals(x.destinationHostId()))
                .orElseThrow(() -> NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The migration '%s' does not exist", u.migrationId()));
        if (!m.state().isActive()) {
            return false; // already decided: a repeated or late update changes nothing
        }
        boolean fromSource = hostId.equals(m.sourceHostId());
        switch (u.kind()) {
            case READY -> {
                if (fromSource || m.state() != DesiredMigration.State.PREPARING) {
                    return false;
                }
                if (u.incomingHost() == null || u.incomingPort() == null || u.incomingPort() < 1 || u.incomingPort() > 65535) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A ready update needs incomingHost and incomingPort");
                }
                s.migrations().ready(m.id(), u.incomingHost(), u.incomingPort(), u.nbdPort(), now);
                event(s, m, now, "preparing", "migrating", "the destination waits for the VM; the source starts sending it");
                s.hosts().bumpDesired(m.sourceHostId());
                return true;
            }
            case PROGRESS -> {
                if (!fromSource || m.state() != DesiredMigration.State.MIGRATING || u.progress() == null) {
                    return false;
                }
                s.migrations().progress(m.id(), u.progress(), now);
                boolean phaseChanged = !u.progress().phase().equals(m.phase());
                if (s.migrations().progressEventDue(m.id(), now, phaseChanged ? now : now.minus(PROGRESS_EVENTS))) {
                    event(s, m, now, "migrating", "migrating", describe(u.progress()));
                }
                return false;
            }
            case COMPLETED -> {
                if (!fromSource || m.state() != DesiredMigration.State.MIGRATING) {
                    return false;
                }
                complete(s, m, u.progress(), now);
                return true;
            }
            case FAILED -> {
                fail(s, m, u.progress(), (fromSource ? "source: " : "destination: ") + (u.reason() == null ? "unknown error" : u.reason()), now);
                return true;
            }
        }
        return false;
    }

    /** The instance now belongs to the destination, in the same transaction as the event that says so. */
    static void complete(Store s, Migration m, MigrationProgress p, Instant now) {
        lockHosts(s, m);
        if (p != null) {
            s.migrations().progress(m.id(), p, now);
        }
        s.migrations().finish(m.id(), DesiredMigration.State.COMPLETED, null, now);
        Instance i = s.instances().lock(m.instanceId()).orElseThrow();
        String figures = p == null ? "" : ": " + describe(p);
        InstanceLog.record(s, i, InstanceChanges.migratedTo(i, m.destinationHostId(), now), true, "instance.migrated",
                "live migration " + m.id() + " completed" + figures);
        s.hosts().allocate(m.sourceHostId(), -i.vcpus(), -i.memoryMib());
        MigrationDisks.complete(s, i.id(), m.destinationHostId());
        s.hosts().bumpDesired(m.sourceHostId());
        s.events().append(now, null, m.sourceHostId(), "host.migration", "migrating", "completed",
                i.id() + " moved to " + m.destinationHostId() + " (" + m.id() + ")" + figures);
    }

    /** The migration failed: the source keeps the VM, the destination gives back what it reserved and cleans up. */
    static void fail(Store s, Migration m, MigrationProgress p, String reason, Instant now) {
        lockHosts(s, m);
        if (p != null) {
            s.migrations().progress(m.id(), p, now);
        }
        s.migrations().finish(m.id(), DesiredMigration.State.FAILED, reason, now);
        Instance i = s.instances().lock(m.instanceId()).orElseThrow();
        if (i.task() == InstanceTask.MIGRATING) {
            InstanceLog.record(s, i, InstanceChanges.withTask(i, InstanceTask.NONE, now), false, "instance.migration",
                    "live migration " + m.id() + " failed: " + reason);
        }
        if (m.destinationHostId() != null) {
            s.hosts().allocate(m.destinationHostId(), -i.vcpus(), -i.memoryMib());
            MigrationDisks.fail(s, i.id(), m.destinationHostId());
            s.hosts().bumpDesired(m.destinationHostId());
        }
        s.hosts().bumpDesired(m.sourceHostId());
        s.events().append(now, null, m.sourceHostId(), "host.migration", m.state().apiName(), "failed",
                i.id() + " stays (" + m.id() + "): " + reason);
    }

    static String describe(MigrationProgress p) {
        StringBuilder b = new StringBuilder(p.phase()).append(", ").append(p.remainingBytes()).append(" bytes left, ")
                .append(p.transferredBytes()).append(" sent, downtime limit ").append(p.downtimeLimitMs()).append(" ms");
        if (p.downtimeMs() != null) {
            b.append(", downtime ").append(p.downtimeMs()).append(" ms");
        }
        return b.append(", total ").append(p.totalMs()).append(" ms").toString();
    }

    private static void event(Store s, Migration m, Instant now, String from, String to, String cause) {
        Optional<Instance> i = s.instances().findAny(m.instanceId());
        s.events().append(now, i.map(Instance::accountId).orElse(null), m.instanceId(), "instance.migration", from, to,
                "live migration " + m.id() + ": " + cause);
    }

    /** Both hosts' rows, in ID order, as every transaction that changes several hosts takes them. */
    private static void lockHosts(Store s, Migration m) {
        Stream.of(m.sourceHostId(), m.destinationHostId()).filter(java.util.Objects::nonNull).sorted().forEach(h -> s.hosts().lock(h));
    }
}
