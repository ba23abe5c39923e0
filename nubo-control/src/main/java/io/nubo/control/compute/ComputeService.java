package io.nubo.control.compute;

import io.nubo.control.hosts.ConsoleAccess;
import io.nubo.control.quota.QuotaService;
import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.model.Event;
import io.nubo.core.model.Instance;
import io.nubo.core.model.InstanceOperation;
import io.nubo.core.model.InstanceState;
import io.nubo.core.model.InstanceTask;
import io.nubo.core.model.InstanceType;
import io.nubo.core.model.Page;
import io.nubo.core.model.Principal;
import io.nubo.core.model.Reservation;
import io.nubo.store.Database;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Instances: launch, list, and the lifecycle operations. Each call validates fully, writes the
 * desired state and its events in one transaction, and returns; the scheduler and the agents
 * do the rest. Thread-safe.
 */
public final class ComputeService implements AutoCloseable {
    /** Terminated instances stay visible this long, as on EC2. */
    public static final Duration TERMINATED_VISIBILITY = Duration.ofHours(1);
    public static final int MAX_USER_DATA_BYTES = 16 * 1024;
    public static final int MAX_PER_LAUNCH = 1000;

    private final Database db;
    private final Clock clock;
    private final LaunchQueue launches;
    private final Consumer<Collection<String>> hostsChanged;
    private volatile ConsoleAccess consoleAccess = ConsoleAccess.NONE;

    public ComputeService(Database db, Clock clock, Runnable wakeScheduler, Consumer<Collection<String>> hostsChanged) {
        this.db = db;
        this.clock = clock;
        this.hostsChanged = hostsChanged;
        this.launches = new LaunchQueue(db, clock, wakeScheduler);
    }

    /** Stops the launch queue's writer; launches after this never complete. */
    @Override
    public void close() {
        launches.close();
    }

    /** Sets how consoles are read; the server wires this once its agents are known. */
    public void useConsoleAccess(ConsoleAccess access) {
        this.consoleAccess = access;
    }

    /** Launches instances: validated here, then admitted and written by the launch queue, batched with concurrent launches. */
    public Reservation run(Principal caller, LaunchRequest r) {
        validateLaunch(r);
        return launches.submit(caller, r);
    }

    private static void validateLaunch(LaunchRequest r) {
        if (r.imageId() == null || r.imageId().isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter ImageId");
        }
        if (!Ids.isWellFormed(Ids.IMAGE, r.imageId())) {
            throw NuboException.of(ErrorCode.INVALID_AMI_ID_MALFORMED, "Invalid id: \"%s\" (expecting \"ami-...\")", r.imageId());
        }
        if (r.minCount() < 1 || r.maxCount() < 1) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The instance count must be at least 1");
        }
        if (r.minCount() > r.maxCount()) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "MinCount (%d) must not exceed MaxCount (%d)", r.minCount(), r.maxCount());
        }
        if (r.maxCount() > MAX_PER_LAUNCH) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "At most %d instances can be launched at once", MAX_PER_LAUNCH);
        }
        Launches.validate(r);
        String name = Launches.name(r);
        if (name != null && name.length() > 255) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The name must be at most 255 characters");
        }
        if (r.keyName() != null && (r.keyName().isEmpty() || r.keyName().length() > 255)) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "The key name must be 1 to 255 characters");
        }
        if (r.userData() != null) {
            byte[] decoded;
            try {
                decoded = Base64.getMimeDecoder().decode(r.userData());
            } catch (IllegalArgumentException e) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid BASE64 encoding of user data.");
            }
            if (decoded.length > MAX_USER_DATA_BYTES) {
                throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "User data is limited to %d bytes (it is %d)",
                        MAX_USER_DATA_BYTES, decoded.length);
            }
        }
    }

    /**
     * Gives a stopped instance another instance type. Its host's allocation follows at once; whether
     * the host still has room for it is checked when it starts ({@code InsufficientInstanceCapacity}).
     */
    public Instance modifyInstanceType(Principal caller, String instanceId, String typeName) {
        requireWellFormed(instanceId);
        if (typeName == null || typeName.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter InstanceType");
        }
        Instance after = db.inTransaction(s -> {
            Instance i = s.instances().lock(instanceId).filter(x -> x.accountId().equals(caller.accountId()))
                    .filter(x -> x.terminatedAt() == null || !x.terminatedAt().isBefore(visibleSince()))
                    .orElseThrow(() -> notFound(List.of(instanceId)));
            InstanceType type = s.instanceTypes().find(typeName).orElseThrow(() -> NuboException.of(
                    ErrorCode.INVALID_PARAMETER_VALUE, "Invalid value '%s' for InstanceType", typeName));
            if (i.state() != InstanceState.STOPPED) {
                throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE, "The instance '%s' is not in the 'stopped' state (it is %s).",
                        i.id(), i.state().apiName());
            }
            if (type.name().equals(i.instanceType())) {
                return i;
            }
            if (type.requiresAccelerator() != null && i.hostId() != null) {
                // A stopped instance starts again on its host, so a type that host cannot run would never start.
                String accel = s.hosts().find(i.hostId()).map(h -> h.accelerator()).orElse(null);
                if (!type.requiresAccelerator().equals(accel)) {
                    throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE,
                            "The instance type '%s' requires %s, and the host of instance '%s' runs its guests with %s",
                            type.name(), type.requiresAccelerator(), i.id(), accel);
                }
            }
            QuotaService.requireRoomToResize(s, s.accounts().lock(i.accountId()).orElseThrow(),
                    new InstanceType(i.instanceType(), i.vcpus(), i.memoryMib(), 0), type);
            Instant now = clock.instant();
            Instance resized = InstanceChanges.resized(i, type, now);
            s.instances().update(resized, true);
            if (i.hostId() != null) {
                s.hosts().allocate(i.hostId(), type.vcpus() - i.vcpus(), type.memoryMib() - i.memoryMib());
            }
            s.events().append(now, i.accountId(), i.id(), "instance.resized", i.instanceType(), type.name(), "by " + caller.accessKeyId());
            return resized;
        });
        hostsChanged.accept(after.hostId() == null ? Set.of() : Set.of(after.hostId()));
        return after;
    }

    public Instance get(Principal caller, String instanceId) {
        requireWellFormed(instanceId);
        return db.read(s -> s.instances().find(instanceId, caller.accountId(), visibleSince()))
                .orElseThrow(() -> notFound(List.of(instanceId)));
    }

    public Page<Instance> list(Principal caller, ListQuery q) {
        if (q.maxResults() < 1 || q.maxResults() > ListQuery.MAX_PAGE) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "MaxResults must be between 1 and %d", ListQuery.MAX_PAGE);
        }
        var after = q.nextToken().map(PageTokens::decode);
        List<Instance> rows = db.read(s -> s.instances().list(caller.accountId(), q.filter(), visibleSince(), after, q.maxResults() + 1));
        if (rows.size() <= q.maxResults()) {
            return new Page<>(rows, null);
        }
        List<Instance> page = rows.subList(0, q.maxResults());
        Instance last = page.get(page.size() - 1);
        return new Page<>(List.copyOf(page), PageTokens.encode(last.launchTime(), last.id()));
    }

    public Instance start(Principal caller, String id) {
        return change(caller, id, InstanceOperation.START, false);
    }

    public Instance stop(Principal caller, String id, boolean force) {
        return change(caller, id, InstanceOperation.STOP, force);
    }

    public Instance reboot(Principal caller, String id) {
        return change(caller, id, InstanceOperation.REBOOT, false);
    }

    public Instance terminate(Principal caller, String id) {
        return change(caller, id, InstanceOperation.TERMINATE, false);
    }

    /** The instance before and after an operation, for EC2's previousState/currentState. */
    public record Change(Instance before, Instance after) {
    }

    private interface Transition {
        Instance apply(Instance current, Instant now);
    }

    private static Transition transitionFor(InstanceOperation op, boolean force) {
        return switch (op) {
            case START -> (i, now) -> InstanceChanges.withState(i, InstanceState.PENDING, InstanceTask.SPAWNING, null, now);
            case STOP -> (i, now) -> InstanceChanges.stopping(i, force, now);
            case REBOOT -> InstanceChanges::rebooted;
            case TERMINATE -> (i, now) -> {
                if (i.state() == InstanceState.TERMINATED || i.state() == InstanceState.SHUTTING_DOWN) {
                    return i;
                }
                // Never placed: nothing runs anywhere, so it is gone at once.
                InstanceState next = i.hostId() == null ? InstanceState.TERMINATED : InstanceState.SHUTTING_DOWN;
                InstanceTask task = i.hostId() == null ? InstanceTask.NONE : InstanceTask.DELETING;
                return InstanceChanges.withState(i, next, task, "Client.UserInitiatedShutdown: User initiated shutdown", now);
            };
        };
    }

    private Instance change(Principal caller, String id, InstanceOperation op, boolean force) {
        return apply(caller, List.of(id), op, force).get(0).after();
    }

    /** Applies {@code op} to several instances atomically: if any is unknown or in the wrong state, none changes. */
    public List<Change> apply(Principal caller, List<String> ids, InstanceOperation op, boolean force) {
        return changeAll(caller, ids, op, transitionFor(op, force));
    }

    private List<Change> changeAll(Principal caller, List<String> ids, InstanceOperation op, Transition t) {
        if (ids.isEmpty()) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "The request must contain the parameter InstanceId");
        }
        ids.forEach(ComputeService::requireWellFormed);
        Set<String> hosts = new java.util.HashSet<>();
        List<Change> changes = db.inTransaction(s -> {
            Instant now = clock.instant();
            List<Instance> locked = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (String id : ids.stream().sorted().distinct().toList()) {
                Optional<Instance> i = s.instances().lock(id)
                        .filter(x -> x.accountId().equals(caller.accountId()))
                        .filter(x -> x.terminatedAt() == null || !x.terminatedAt().isBefore(visibleSince()));
                i.ifPresentOrElse(locked::add, () -> missing.add(id));
            }
            if (!missing.isEmpty()) {
                throw notFound(missing);
            }
            for (Instance i : locked) {
                if (i.task() == InstanceTask.MIGRATING) {
                    // Its VM is moving between hosts; which host should act is decided when the migration ends.
                    throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                            "The instance '%s' is being live-migrated; try again once the migration has ended.", i.id());
                }
                if (!op.allowedIn(i.state())) {
                    throw NuboException.of(ErrorCode.INCORRECT_INSTANCE_STATE,
                            "The instance '%s' is not in a state from which it can be %s (it is %s).", i.id(),
                            pastTense(op), i.state().apiName());
                }
            }
            if (op == InstanceOperation.START) {
                Launches.requireRoomToStart(s, locked);
            }
            List<Change> out = new ArrayList<>();
            for (String id : ids) {
                Instance before = locked.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                Instance current = out.stream().map(Change::after).filter(x -> x.id().equals(id)).findFirst().orElse(before);
                Instance after = t.apply(current, now);
                boolean desiredChanged = !after.equals(current);
                InstanceLog.record(s, current, after, desiredChanged, op == InstanceOperation.REBOOT ? "instance.reboot" : null,
                        op.apiName() + " by " + caller.accessKeyId());
                if (desiredChanged && after.hostId() != null) {
                    hosts.add(after.hostId());
                }
                out.add(new Change(before, after));
            }
            return out;
        });
        hostsChanged.accept(hosts);
        return changes;
    }

    /** Events of the caller's account, or of one of its instances, after {@code afterId}. */
    public List<Event> events(Principal caller, Optional<String> instanceId, long afterId, int limit) {
        if (limit < 1 || limit > 1000) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "limit must be between 1 and 1000");
        }
        if (afterId < 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "after must not be negative");
        }
        instanceId.ifPresent(id -> get(caller, id));
        return db.read(s -> s.events().list(caller.accountId(), instanceId.orElse(null), afterId, limit));
    }

    /** The console output of an instance: the tail of its serial log, at most {@code maxBytes}. */
    public record ConsoleOutput(String instanceId, Instant timestamp, byte[] output) {
    }

    public static final int MAX_CONSOLE_BYTES = 64 * 1024;

    public ConsoleOutput console(Principal caller, String instanceId, int maxBytes) {
        if (maxBytes < 1 || maxBytes > MAX_CONSOLE_BYTES) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "bytes must be between 1 and %d", MAX_CONSOLE_BYTES);
        }
        Instance i = get(caller, instanceId);
        byte[] out = i.hostId() == null ? new byte[0] : consoleAccess.tail(i.hostId(), i.id(), maxBytes).orElse(new byte[0]);
        return new ConsoleOutput(i.id(), clock.instant(), out);
    }

    /** How many instances exist in each state, across accounts: for metrics, not for callers. */
    public java.util.Map<String, Long> countsByState() {
        return db.read(s -> s.instances().countByState());
    }

    private Instant visibleSince() {
        return clock.instant().minus(TERMINATED_VISIBILITY);
    }

    static void requireWellFormed(String id) {
        if (!Ids.isWellFormed(Ids.INSTANCE, id)) {
            throw NuboException.of(ErrorCode.INVALID_INSTANCE_ID_MALFORMED, "Invalid id: \"%s\"", id);
        }
    }

    private static NuboException notFound(List<String> ids) {
        return NuboException.of(ErrorCode.INVALID_INSTANCE_ID_NOT_FOUND, "The instance ID%s '%s' do%s not exist",
                ids.size() > 1 ? "s" : "", String.join(", ", ids), ids.size() > 1 ? "" : "es");
    }

    private static String pastTense(InstanceOperation op) {
        return switch (op) {
            case START -> "started";
            case STOP -> "stopped";
            case REBOOT -> "rebooted";
            case TERMINATE -> "terminated";
        };
    }
}
