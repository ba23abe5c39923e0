package io.nubo.control.hosts;

import io.nubo.core.ErrorCode;
import io.nubo.core.Ids;
import io.nubo.core.NuboException;
import io.nubo.core.agent.AgentChannel;
import io.nubo.core.agent.DesiredInstance;
import io.nubo.core.agent.DesiredState;
import io.nubo.core.agent.HostRegistration;
import io.nubo.core.agent.HostReport;
import io.nubo.core.agent.MigrationUpdate;
import io.nubo.core.model.Image;
import io.nubo.core.model.Instance;
import io.nubo.control.network.SubnetAddresses;
import io.nubo.control.snapshots.DesiredSnapshots;
import io.nubo.control.volumes.DesiredVolumes;
import io.nubo.core.agent.DesiredSnapshot;
import io.nubo.store.Database;
import io.nubo.store.InstanceAddresses;
import io.nubo.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control plane's side of {@link AgentChannel}: registration, leases, the versioned desired
 * state of each host, and observed state. The in-process agent calls it directly; the HTTP
 * agent endpoint will call the same methods. Thread-safe.
 */
public final class AgentGateway implements AgentChannel {
    private static final Logger LOG = LoggerFactory.getLogger(AgentGateway.class);
    public static final Duration LEASE = Duration.ofSeconds(15);

    private static final java.util.regex.Pattern ARCHITECTURE = java.util.regex.Pattern.compile("[a-z0-9_]{1,32}");

    private final Database db;
    private final Clock clock;
    private final ChangeSignal desiredChanged;
    private final HostImageFiles imageFiles;

    public AgentGateway(Database db, Clock clock, ChangeSignal desiredChanged) {
        this.db = db;
        this.clock = clock;
        this.desiredChanged = desiredChanged;
        this.imageFiles = new HostImageFiles(db);
    }

    /** The image files a remote agent may stream from this server. */
    public HostImageFiles imageFiles() {
        return imageFiles;
    }

    @Override
    public String register(HostRegistration r) {
        String id = db.inTransaction(s -> registerIn(s, r));
        LOG.info("host {} ({}) registered: {} driver, {} accelerator {}, {} vCPU, {} MiB, {} GiB disk", r.name(), id, r.driver(),
                r.architecture(), r.accelerator(), r.vcpus(), r.memoryMib(), r.diskGib());
        return id;
    }

    /** Registers (or re-registers) a host within the caller's transaction; the registration must be valid. */
    String registerIn(Store s, HostRegistration r) {
        if (r.name() == null || r.name().isBlank() || r.vcpus() < 1 || r.memoryMib() < 1) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A host needs a name and positive capacity");
        }
        if (!ARCHITECTURE.matcher(r.architecture()).matches() || r.diskGib() < 0) {
            throw NuboException.of(ErrorCode.INVALID_PARAMETER_VALUE, "A host's architecture is a name such as x86_64 or aarch64, "
                    + "and its disk not negative");
        }
        Instant now = clock.instant();
        String hostId = s.hosts().upsert(Ids.next(Ids.HOST), r, now, now.plus(LEASE));
        // Root disks are claimed from the host's local pool. An in-process agent's pool is recorded
        // with its path right after this; a remote agent does not announce one yet, so its pool is
        // the disk it reported, recorded once (a later registration's free space already has its
        // own disks taken out of it).
        s.storagePools().ensureLocal(Ids.next(Ids.STORAGE_POOL), hostId, "local-" + r.name(), (long) r.diskGib() << 30, now);
        s.events().append(now, null, hostId, "host.registered", null, "up",
                r.driver() + " driver, " + r.architecture() + ", " + r.accelerator() + ", " + r.vcpus() + " vCPU, " + r.memoryMib() + " MiB");
        return hostId;
    }

    @Override
    public void heartbeat(String hostId) {
        Instant now = clock.instant();
        boolean known = db.inTransaction(s -> s.hosts().renewLease(hostId, now, now.plus(LEASE)));
        if (!known) {
            throw NuboException.of(ErrorCode.INVALID_HOST_ID_NOT_FOUND, "The host '%s' is not registered", hostId);
        }
    }

    @Override
    public DesiredState awaitDesired(String hostId, long knownVersion, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long generation = desiredChanged.generation();
            long version = db.read(s -> s.instances().desiredVersion(hostId));
            if (version != knownVersion) {
                return desiredState(hostId, knownVersion);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return desiredState(hostId, -1); // nothing new: a complete state lets the agent re-synchronise
            }
            desiredChanged.awaitChange(generation, Duration.ofNanos(left));
        }
    }

    /** The changes after {@code knownVersion}, or the complete state when that version is unknown or ahead of ours. */
    private DesiredState desiredState(String hostId, long knownVersion) {
        // One snapshot: the version and the rows it covers must agree.
        return db.inSnapshot(s -> {
            long version = s.instances().desiredVersion(hostId);
            boolean complete = knownVersion < 0 || knownVersion > version;
            List<Instance> rows = complete ? s.instances().placedOn(hostId) : s.instances().changedOn(hostId, knownVersion);
            List<DesiredInstance> out = desiredInstances(s, hostId, rows);
            return new DesiredState(version, out, complete, MigrationReports.desired(s, hostId, clock.instant()));
        });
    }

    /** The instances as {@code hostId} should run them, with their volumes' files as that host sees them. */
    static List<DesiredInstance> desiredInstances(Store s, String hostId, List<Instance> rows) {
        Map<String, Image> images = new HashMap<>();
        Map<String, DesiredVolumes.ForInstance> volumes = DesiredVolumes.of(s, hostId, rows.stream().map(Instance::id).toList());
        Map<String, List<DesiredSnapshot>> snapshots = DesiredSnapshots.of(s, hostId, rows.stream().map(Instance::id).toList());
        Map<String, InstanceAddresses.Held> addresses = s.instanceAddresses().held(rows.stream().map(Instance::id).toList());
        Map<String, String> keptRoots = keptRootDisks(s, hostId, rows);
        java.util.Optional<java.nio.file.Path> shared = rows.stream().anyMatch(Instance::ha) ? sharedPoolOn(s, hostId) : java.util.Optional.empty();
        HostImagePaths imagePaths = new HostImagePaths(s, hostId);
        return rows.stream().map(i -> {
            Image img = images.computeIfAbsent(i.imageId(), id -> s.images().find(id).orElseThrow());
            HostImagePaths.Located file = imagePaths.locate(img);
            DesiredVolumes.ForInstance v = volumes.getOrDefault(i.id(), DesiredVolumes.ForInstance.NONE);
            InstanceAddresses.Held held = addresses.get(i.id());
            String address = held == null ? null : SubnetAddresses.interfaceAddressIn(held.zone(), held.hostNumber());
            return new DesiredInstance(i.id(), i.state(), i.forceStop(), i.rebootGeneration(), i.vcpus(), i.memoryMib(),
                    img.id(), img.format(), file.path(), i.id(), i.userData(), i.publicKey(), v.volumes(), v.forceDetach(),
                    snapshots.getOrDefault(i.id(), List.of()), address, i.ha(),
                    i.ha() ? shared.map(p -> sharedRootDisk(p, i.id()).toString()).orElse(null) : null,
                    i.rootSizeGib() == null ? 0 : i.rootSizeGib() * (1L << 30), file.shared(), keptRoots.get(i.id()));
        }).toList();
    }

    /**
     * Where the host copies the root disks that outlive their instances (DeleteOnTermination=false)
     * of those being terminated: their volumes' files on the shared pool, as this host mounts it.
     */
    private static Map<String, String> keptRootDisks(Store s, String hostId, List<Instance> rows) {
        List<String> ending = rows.stream().filter(i -> i.state() == io.nubo.core.model.InstanceState.SHUTTING_DOWN).map(Instance::id).toList();
        Map<String, String> out = new HashMap<>();
        if (ending.isEmpty()) {
            return out;
        }
        List<io.nubo.store.RootDisks.RootVolume> kept = s.rootDisks().volumesOfInstances(ending).values().stream()
                .filter(v -> !v.deleteOnTermination()).toList();
        if (!kept.isEmpty()) {
            sharedPoolOn(s, hostId).ifPresent(pool -> kept.forEach(v -> out.put(v.instanceId(),
                    io.nubo.control.volumes.VolumeFiles.file(pool, v.volumeId(), io.nubo.control.volumes.RootVolumes.FORMAT).toString())));
        }
        return out;
    }

    /** Where an HA instance's root disk lives on the shared pool: any host that mounts the pool can start it from there. */
    public static java.nio.file.Path sharedRootDisk(java.nio.file.Path poolMount, String instanceId) {
        return poolMount.resolve("instances").resolve(instanceId).resolve("disk.qcow2");
    }

    /** The shared pool as this host mounts it (its own mount point if it announced one). */
    private static java.util.Optional<java.nio.file.Path> sharedPoolOn(Store s, String hostId) {
        return s.storagePools().list().stream().filter(p -> p.kind() == io.nubo.core.model.StoragePool.Kind.SHARED).findFirst()
                .map(p -> java.nio.file.Path.of(p.mounts().stream().filter(m -> m.hostId().equals(hostId))
                        .map(io.nubo.core.model.StoragePool.Mount::path).findFirst().orElse(p.path())));
    }

    @Override
    public void report(String hostId, HostReport report) {
        boolean changed = db.inTransaction(s -> ObservationApplier.apply(s, hostId, report, clock.instant()));
        if (changed) {
            desiredChanged.signal();
        }
    }

    @Override
    public void migrationUpdate(String hostId, MigrationUpdate update) {
        if (update == null || update.migrationId() == null || update.kind() == null) {
            throw NuboException.of(ErrorCode.MISSING_PARAMETER, "A migration update needs migrationId and kind");
        }
        boolean changed = db.inTransaction(s -> MigrationReports.apply(s, hostId, update, clock.instant()));
        if (changed) {
            desiredChanged.signal();
        }
    }

    /** Tells waiting agents that the desired state of these hosts changed. */
    public void notifyHosts(Set<String> hostIds) {
        if (!hostIds.isEmpty()) {
            desiredChanged.signal();
        }
    }
}
