package io.nubo.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Self-fencing: the agent's own account of its host's lease, and when it must stop its HA VMs.
 *
 * <p>A renewal whose request left at {@code t} (this agent's monotonic clock) keeps the lease until
 * {@code t + lease - margin}. The server sets the lease from the moment the request arrives, which
 * is later, and restarts HA instances elsewhere only {@code grace} after the lease's end; so every HA
 * VM this host runs is killed at least {@code margin + grace} before another host may be told to
 * start it. Only HA VMs are fenced: nothing else ever starts elsewhere, so a host cut off from the
 * control plane keeps running the rest.
 *
 * <p>After a fence the agent starts nothing until its lease is back and it has fetched a complete
 * desired state with a call that began after that: a state read before could still list instances
 * that the control plane has since restarted on another host ({@link #fresh}).
 *
 * <p>With a directory, every renewal also writes the deadline there as milliseconds since the epoch
 * ({@code deadline}), and the HA instances are listed in {@code ha}, for {@code FenceWatchdog}, the
 * process that fences when this agent is dead. A restarted agent takes the deadline and the list
 * from there, so it neither fences VMs whose lease still holds nor forgets those it must fence.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor.
 */
public final class LeaseFence {
    /**
     * Whether an agent fences, and when: a lease of {@code lease} (the control plane's,
     * {@code AgentGateway.LEASE}) is given up {@code margin} before its end. Fencing is for agents
     * whose host another server could declare down: remote agents, and an in-process agent beside
     * an external database. The all-in-one server's own agent has no one to be cut off from.
     */
    public record Policy(boolean enabled, Duration lease, Duration margin) {
        public static Policy standard() {
            return new Policy(true, Duration.ofSeconds(15), Duration.ofSeconds(3));
        }

        public static Policy off() {
            return new Policy(false, Duration.ofSeconds(15), Duration.ofSeconds(3));
        }

        Duration holds() {
            return lease.minus(margin);
        }
    }

    private final Policy policy;
    private final LongSupplier nanos;
    private final Clock wall;
    private final Optional<Path> dir;
    private long heldUntil;
    private boolean fenced;
    private long regainedAt = Long.MIN_VALUE;
    private long epoch;
    private Set<String> ha = Set.of();

    public LeaseFence(Policy policy, Optional<Path> dir) {
        this(policy, dir, System::nanoTime, Clock.systemUTC());
    }

    LeaseFence(Policy policy, Optional<Path> dir, LongSupplier nanos, Clock wall) {
        this.policy = policy;
        this.nanos = nanos;
        this.wall = wall;
        this.dir = policy.enabled() ? dir : Optional.empty();
        long now = nanos.getAsLong();
        // What the previous run of this agent left: until when its lease was safe, and its HA VMs.
        long leftMs = this.dir.flatMap(d -> read(d.resolve("deadline"))).map(s -> Long.parseLong(s.trim()) - wall.millis()).orElse(0L);
        this.heldUntil = now + Math.max(0, leftMs) * 1_000_000;
        this.ha = this.dir.flatMap(d -> read(d.resolve("ha"))).map(s -> Set.copyOf(new TreeSet<>(s.lines().filter(l -> !l.isBlank()).toList())))
                .orElse(Set.of());
    }

    public Policy policy() {
        return policy;
    }

    /** Now, on the clock renewals are measured with: take it before a renewal's request leaves. */
    public long now() {
        return nanos.getAsLong();
    }

    /** A renewal that left at {@code sentAt} succeeded. */
    public synchronized void renewed(long sentAt) {
        long until = sentAt + policy.holds().toNanos();
        if (until > heldUntil) {
            heldUntil = until;
            dir.ifPresent(d -> write(d.resolve("deadline"), Long.toString(wall.millis() - (nanos.getAsLong() - until) / 1_000_000)));
        }
        if (fenced && now() < heldUntil) {
            fenced = false;
            regainedAt = now();
        }
    }

    /** Whether the host's lease holds now (always, when this agent does not fence). */
    public synchronized boolean holdsLease() {
        return !policy.enabled() || now() < heldUntil;
    }

    /** True when the lease has run out and the HA VMs have not been fenced for it yet. */
    public synchronized boolean due() {
        return policy.enabled() && !fenced && now() >= heldUntil;
    }

    /** Records a fence; returns the HA instances to stop. */
    public synchronized Set<String> fence() {
        fenced = true;
        epoch++;
        return ha;
    }

    /** Counts fences: a desired-state call that spans one must not be used. */
    public synchronized long epoch() {
        return epoch;
    }

    /**
     * Whether a desired state fetched by a call that began at {@code startedAt}, in epoch
     * {@code epochAtStart}, may be acted on: no fence since it began, the lease held, and the call
     * began after the lease came back from the last fence.
     */
    public synchronized boolean fresh(long epochAtStart, long startedAt) {
        return epochAtStart == epoch && !fenced && startedAt >= regainedAt;
    }

    /**
     * The HA instances this host has (or is about to start): recorded before any of them starts, so
     * that whoever fences knows them. Instances that stopped being HA here stay listed until the next
     * call without them.
     */
    public synchronized void haInstances(Set<String> ids) {
        if (ids.equals(ha)) {
            return;
        }
        ha = Set.copyOf(ids);
        dir.ifPresent(d -> write(d.resolve("ha"), String.join("\n", new TreeSet<>(ids)) + "\n"));
    }

    synchronized Set<String> haInstances() {
        return ha;
    }

    private static Optional<String> read(Path f) {
        try {
            return Optional.of(Files.readString(f));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Replaces a file whole, so the watchdog never reads half of one. */
    private static void write(Path f, String content) {
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not write " + f, e);
        }
    }
}
