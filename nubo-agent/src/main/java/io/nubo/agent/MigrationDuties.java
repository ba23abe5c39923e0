package io.nubo.agent;

import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredMigration;
import io.nubo.core.agent.MigrationProgress;
import io.nubo.core.agent.MigrationUpdate;
import io.nubo.core.spi.LiveMigration;
import io.nubo.core.spi.VmSpec;
import io.nubo.core.spi.VmStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * This host's part in live migrations, driven by the migrations in its desired state (see
 * {@link DesiredMigration} for the protocol). Each pass of the agent calls {@link #act}; every
 * step is idempotent, so a restarted agent simply takes each migration up where its VM's state
 * says it is. Thread-safe.
 *
 * <ul>
 *   <li>Destination, {@code preparing}: start the VM paused and waiting, report where.
 *   <li>Destination, {@code migrating}: nothing (QEMU receives); a VM that vanished is reported as a failure.
 *   <li>Destination, {@code completed}: resume the VM. It is this host's instance from now on.
 *   <li>Source, {@code migrating}: one thread per migration sends the VM and reports progress and the end.
 *   <li>Source, {@code failed}: cancel what is left and resume the VM (never before the control plane said failed).
 *   <li>Source, {@code completed}: nothing here; the instance left this host's view, so its VM is destroyed.
 * </ul>
 */
final class MigrationDuties {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationDuties.class);
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final AgentChannel channel;
    private final LiveMigration driver;
    private final Supplier<String> hostId;
    private final ExecutorService threads;
    /** Migrations with a step under way here (preparing, sending, resuming, aborting), by ID. */
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    /** Steps done for this agent's life, as "migration-id:state" (prepared, resumed, aborted, reported). */
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    /** The instances with an agent action under way (the agent's own set): one action per instance at a time. */
    private final Set<String> instanceActions;

    MigrationDuties(AgentChannel channel, LiveMigration driver, Supplier<String> hostId, ExecutorService threads, Set<String> instanceActions) {
        this.channel = channel;
        this.driver = driver;
        this.hostId = hostId;
        this.threads = threads;
        this.instanceActions = instanceActions;
    }

    /**
     * The latest migration of each instance, in the control plane's order (oldest first). Only the
     * latest counts: an instance that came here and left again has an older, completed migration
     * here as the destination, which must neither keep nor resume its VM.
     */
    static List<DesiredMigration> latest(List<DesiredMigration> migrations) {
        Map<String, DesiredMigration> last = new java.util.LinkedHashMap<>();
        for (DesiredMigration m : migrations) {
            last.remove(m.instanceId());
            last.put(m.instanceId(), m);
        }
        return List.copyOf(last.values());
    }

    /** The instances whose VMs this host must keep for a migration: those it receives. */
    static Set<String> incoming(List<DesiredMigration> migrations) {
        Set<String> out = new java.util.HashSet<>();
        for (DesiredMigration m : latest(migrations)) {
            if (m.role() == DesiredMigration.Role.DESTINATION && m.state() != DesiredMigration.State.FAILED) {
                out.add(m.instanceId());
            }
        }
        return out;
    }

    /** Takes every migration one step on, in the background. */
    void act(List<DesiredMigration> migrations, Map<String, VmStatus> actual) {
        done.retainAll(migrations.stream().map(MigrationDuties::key).toList());
        for (DesiredMigration m : latest(migrations)) {
            if (done.contains(key(m))) {
                continue;
            }
            boolean destination = m.role() == DesiredMigration.Role.DESTINATION;
            switch (m.state()) {
                case PREPARING -> {
                    // An instance that ran here before (it migrated away and now comes back) may still
                    // have its old VM being destroyed: the incoming VM, started in the same directory
                    // meanwhile, would be killed or lose its disk. So the preparation is the instance's
                    // one action, and waits for a pass in which no other runs.
                    if (destination && instanceActions.add(m.instanceId())) {
                        step(m, () -> prepare(m), true, () -> instanceActions.remove(m.instanceId()));
                    }
                }
                case MIGRATING -> {
                    if (destination && (!actual.containsKey(m.instanceId())
                            || actual.get(m.instanceId()).power() != io.nubo.core.model.PowerState.RUNNING)) {
                        step(m, () -> send(MigrationUpdate.failed(m.migrationId(), null, "the destination's VM is gone")), true);
                    } else if (!destination) {
                        step(m, () -> migrateOut(m), true);
                    }
                }
                case COMPLETED -> {
                    if (destination && actual.containsKey(m.instanceId())) {
                        step(m, () -> {
                            driver.resumeIncoming(m.instanceId());
                            LOG.info("{}: migration {} completed; resumed here", m.instanceId(), m.migrationId());
                        }, true);
                    }
                }
                case FAILED -> {
                    if (!destination && actual.containsKey(m.instanceId())) {
                        step(m, () -> {
                            driver.abortOutgoing(m.instanceId());
                            LOG.info("{}: migration {} failed; the VM stays here", m.instanceId(), m.migrationId());
                        }, true);
                    }
                }
            }
        }
    }

    private static String key(DesiredMigration m) {
        return m.migrationId() + ":" + m.state().apiName();
    }

    /** Runs one step in the background, unless one of this migration runs already; a step done is not repeated for this state. */
    private void step(DesiredMigration m, Runnable work, boolean once) {
        step(m, work, once, () -> { });
    }

    /** As {@link #step(DesiredMigration, Runnable, boolean)}, then {@code after}, whether the step ran or not. */
    private void step(DesiredMigration m, Runnable work, boolean once, Runnable after) {
        if (!busy.add(m.migrationId())) {
            after.run();
            return;
        }
        threads.execute(() -> {
            try {
                work.run();
                if (once) {
                    done.add(key(m));
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: migration {} ({}): {}", m.instanceId(), m.migrationId(), m.state().apiName(), e.toString());
            } finally {
                busy.remove(m.migrationId());
                after.run();
            }
        });
    }

    private void prepare(DesiredMigration m) {
        DesiredInstance d = m.instance();
        LiveMigration.Incoming in;
        try {
            in = driver.prepareIncoming(VmSpec.of(d), m.migrationId());
        } catch (RuntimeException e) {
            LOG.warn("{}: could not prepare for migration {}: {}", m.instanceId(), m.migrationId(), e.getMessage());
            send(MigrationUpdate.failed(m.migrationId(), null, "could not start the VM here: " + e.getMessage()));
            return;
        }
        LOG.info("{}: waiting for migration {} at {}:{}", m.instanceId(), m.migrationId(), in.host(), in.port());
        send(MigrationUpdate.ready(m.migrationId(), in.host(), in.port(), in.nbdPort()));
    }

    private void migrateOut(DesiredMigration m) {
        LOG.info("{}: migrating ({}) to {}:{}", m.instanceId(), m.migrationId(), m.incomingHost(), m.incomingPort());
        long[] lastSent = {0};
        LiveMigration.Result r = driver.migrateOut(m.instanceId(),
                new LiveMigration.Target(m.migrationId(), m.incomingHost(), m.incomingPort(), m.nbdPort(), Duration.ofSeconds(m.timeoutSeconds())),
                p -> {
                    if (System.nanoTime() - lastSent[0] >= PROGRESS_EVERY.toNanos()) {
                        lastSent[0] = System.nanoTime();
                        trySend(MigrationUpdate.progress(m.migrationId(), p));
                    }
                });
        MigrationProgress last = r.last();
        LOG.info("{}: migration {} {}{}", m.instanceId(), m.migrationId(), r.completed() ? "completed" : "failed",
                r.completed() ? "" : ": " + r.reason());
        // The end must reach the control plane: retried until it does (every update is idempotent there).
        send(r.completed() ? MigrationUpdate.completed(m.migrationId(), last) : MigrationUpdate.failed(m.migrationId(), last, r.reason()));
    }

    private void send(MigrationUpdate u) {
        while (true) {
            try {
                channel.migrationUpdate(hostId.get(), u);
                return;
            } catch (RuntimeException e) {
                LOG.warn("could not report migration {} ({}): {}; retrying", u.migrationId(), u.kind(), e.toString());
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", ie);
                }
            }
        }
    }

    private void trySend(MigrationUpdate u) {
        try {
            channel.migrationUpdate(hostId.get(), u);
        } catch (RuntimeException e) {
            LOG.debug("progress of {} not reported: {}", u.migrationId(), e.toString());
        }
    }
}
