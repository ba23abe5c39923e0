package io.nubo.control;

import io.nubo.control.billing.BillingService;
import io.nubo.control.billing.BudgetService;
import io.nubo.control.billing.WebhookSender;
import io.nubo.control.billing.WebhookSettings;
import io.nubo.control.catalog.CatalogService;
import io.nubo.control.compute.ComputeService;
import io.nubo.control.console.ConsoleTicketService;
import io.nubo.control.console.RemoteConsoles;
import io.nubo.control.events.EventFeed;
import io.nubo.control.operator.OperatorQueries;
import io.nubo.control.compute.InstanceQueryService;
import io.nubo.control.hosts.AgentGateway;
import io.nubo.control.hosts.HostEnrollment;
import io.nubo.control.hosts.ChangeSignal;
import io.nubo.control.hosts.HostDrain;
import io.nubo.control.hosts.HostFailover;
import io.nubo.control.hosts.HostService;
import io.nubo.control.hosts.MigrationService;
import io.nubo.control.hosts.Scheduler;
import io.nubo.control.hosts.SharedRootDiskSweeper;
import io.nubo.control.identity.IdentityService;
import io.nubo.control.identity.SecretBox;
import io.nubo.control.images.DiskImageInspector;
import io.nubo.control.images.ImageImporter;
import io.nubo.control.images.ImageService;
import io.nubo.control.images.ImageSettings;
import io.nubo.control.storage.StoragePoolService;
import io.nubo.control.keys.KeyPairService;
import io.nubo.control.network.NetworkService;
import io.nubo.control.network.RegionService;
import io.nubo.control.placement.PlacementGroupService;
import io.nubo.control.quota.QuotaService;
import io.nubo.control.security.SecurityGroupService;
import io.nubo.control.tags.TagService;
import io.nubo.control.users.UserService;
import io.nubo.control.images.ImageCaptureController;
import io.nubo.control.snapshots.SnapshotController;
import io.nubo.control.snapshots.SnapshotService;
import io.nubo.control.volumes.VolumeController;
import io.nubo.control.volumes.VolumeService;
import io.nubo.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The services of one control-plane server and its background controllers (the scheduler and
 * the lease watchdog). Every controller reads its work from the database, so several servers can
 * run side by side and any of them can crash at any point. Thread-safe after {@link #start()}.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final Duration SCHEDULER_POLL = Duration.ofSeconds(1);
    private static final Duration LEASE_CHECK = Duration.ofSeconds(5);
    private static final Duration METER_PERIOD = Duration.ofSeconds(10);
    private static final Duration MIGRATION_PASS = Duration.ofSeconds(2);
    private static final Duration SHARED_DISK_SWEEP = Duration.ofSeconds(10);

    private final IdentityService identity;
    private final CatalogService catalog;
    private final ComputeService compute;
    private final HostService hosts;
    private final KeyPairService keyPairs;
    private final PlacementGroupService placementGroups;
    private final InstanceQueryService instanceQueries;
    private final SecurityGroupService securityGroups;
    private final TagService tags;
    private final NetworkService networks;
    private final RegionService regions;
    private final BillingService billing;
    private final QuotaService quotas;
    private final BudgetService budgets;
    private final WebhookSender webhooks;
    private final AgentGateway agents;
    private final HostEnrollment enrollment;
    private final Scheduler scheduler;
    private final UserService users;
    private final ConsoleTicketService consoleTickets;
    private final RemoteConsoles remoteConsoles;
    private final SharedRootDiskSweeper sharedRootDisks;
    private final StoragePoolService storagePools;
    private final ImageImporter imageImporter;
    private final ImageService images;
    private final ImageCaptureController imageCaptures;
    private final io.nubo.control.images.ImageCreation imageCreation;
    private final ImageSettings imageSettings;
    private final EventFeed eventFeed;
    private final OperatorQueries operatorQueries;
    private final VolumeController volumeController;
    private final VolumeService volumes;
    private final SnapshotController snapshotController;
    private final SnapshotService snapshots;
    private final MigrationService migrations;
    private final HostDrain hostDrain;
    private final HostFailover failover;
    private final ChangeSignal schedulerWork = new ChangeSignal();
    private final ScheduledExecutorService periodic = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("lease-watch").factory());
    private Thread schedulerThread;
    private volatile boolean running;

    public ControlPlane(Database db, Path dataDir, Clock clock) {
        this(db, dataDir, clock, ImageSettings.defaults(dataDir));
    }

    /** With the given image settings (where the shared pool is, the size limits of imports). */
    public ControlPlane(Database db, Path dataDir, Clock clock, ImageSettings imageSettings) {
        ChangeSignal desired = new ChangeSignal();
        SecretBox secrets = SecretBox.fromKeyFile(dataDir.resolve("secret.key"));
        this.identity = new IdentityService(db, secrets, clock);
        this.remoteConsoles = new RemoteConsoles(db, secrets, clock);
        this.catalog = new CatalogService(db, clock);
        this.agents = new AgentGateway(db, clock, desired);
        this.enrollment = new HostEnrollment(db, clock, agents);
        this.compute = new ComputeService(db, clock, schedulerWork::signal, ids -> agents.notifyHosts(java.util.Set.copyOf(ids)));
        this.hosts = new HostService(db, clock);
        this.keyPairs = new KeyPairService(db, clock);
        this.placementGroups = new PlacementGroupService(db, clock);
        this.instanceQueries = new InstanceQueryService(db, clock);
        this.securityGroups = new SecurityGroupService(db, clock);
        this.tags = new TagService(db, clock);
        this.networks = new NetworkService(db);
        this.regions = new RegionService(db);
        this.scheduler = new Scheduler(db, clock, agents::notifyHosts);
        this.migrations = new MigrationService(db, clock, agents::notifyHosts);
        this.hostDrain = new HostDrain(db, clock, agents::notifyHosts);
        this.failover = new HostFailover(db, clock, agents::notifyHosts);
        this.sharedRootDisks = new SharedRootDiskSweeper(db, imageSettings.sharedPool());
        this.users = new UserService(db, clock);
        this.consoleTickets = new ConsoleTicketService(db, clock, compute);
        this.eventFeed = new EventFeed(db);
        this.operatorQueries = new OperatorQueries(db, clock);
        this.billing = new BillingService(db, clock, java.util.Currency.getInstance("USD"));
        this.quotas = new QuotaService(db, clock);
        this.webhooks = new WebhookSender(db, clock, WebhookSettings.defaults(imageSettings.allowPrivateUrls()));
        this.budgets = new BudgetService(db, clock, billing, webhooks::wake);
        this.imageSettings = imageSettings;
        this.storagePools = new StoragePoolService(db, clock);
        io.nubo.qemu.QemuImg qemuImg = new io.nubo.qemu.QemuImg();
        this.imageImporter = new ImageImporter(db, clock, imageSettings, storagePools, qemuImg);
        this.images = new ImageService(db, clock, imageSettings, storagePools, new DiskImageInspector(qemuImg), imageImporter);
        this.imageCaptures = new ImageCaptureController(db, clock, ids -> agents.notifyHosts(java.util.Set.copyOf(ids)), imageImporter::wake);
        this.imageCreation = new io.nubo.control.images.ImageCreation(db, clock, imageSettings,
                ids -> agents.notifyHosts(java.util.Set.copyOf(ids)), imageImporter::wake, imageCaptures::wake);
        this.volumeController = new VolumeController(db, clock);
        this.volumes = new VolumeService(db, clock, ids -> agents.notifyHosts(java.util.Set.copyOf(ids)), volumeController::wake);
        this.snapshotController = new SnapshotController(db, clock);
        this.snapshots = new SnapshotService(db, clock, ids -> agents.notifyHosts(java.util.Set.copyOf(ids)), snapshotController::wake);
    }

    public void start() {
        running = true;
        storagePools.ensureShared(imageSettings.sharedPool());
        imageImporter.start();
        imageCaptures.start();
        volumeController.start();
        snapshotController.start();
        schedulerThread = Thread.ofPlatform().daemon().name("scheduler").start(this::schedulerLoop);
        // A server that just started judges no lease for one lease period: while every server was down
        // no agent could renew, and each live agent calls in again within its heartbeat period.
        periodic.scheduleWithFixedDelay(this::checkLeases, AgentGateway.LEASE.toMillis(), LEASE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        eventFeed.start();
        webhooks.start();
        periodic.scheduleWithFixedDelay(this::migrationPass, MIGRATION_PASS.toMillis(), MIGRATION_PASS.toMillis(), TimeUnit.MILLISECONDS);
        periodic.scheduleWithFixedDelay(this::meter, METER_PERIOD.toMillis(), METER_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        periodic.scheduleWithFixedDelay(this::sweepSharedRootDisks, SHARED_DISK_SWEEP.toMillis(), SHARED_DISK_SWEEP.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void schedulerLoop() {
        while (running) {
            long seen = schedulerWork.generation();
            try {
                try {
                    scheduler.drain();
                } catch (RuntimeException e) {
                    LOG.warn("scheduler pass failed; retrying: {}", e.toString());
                }
                schedulerWork.awaitChange(seen, SCHEDULER_POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void checkLeases() {
        try {
            hosts.expireLeases().forEach(id -> LOG.warn("host {} missed its lease and is suspect", id));
            failover.pass();
        } catch (RuntimeException e) {
            LOG.warn("lease check failed: {}", e.toString());
        }
    }

    /** Fails migrations whose agents went quiet, and moves drains on. */
    private void migrationPass() {
        try {
            migrations.watch();
            hostDrain.pass();
        } catch (RuntimeException e) {
            LOG.warn("migration pass failed; retrying: {}", e.toString());
        }
    }

    private void sweepSharedRootDisks() {
        try {
            sharedRootDisks.sweep().forEach(id -> LOG.info("deleted the shared root disk of terminated instance {}", id));
        } catch (RuntimeException e) {
            LOG.warn("shared root disk sweep failed; retrying: {}", e.toString());
        }
    }

    public SharedRootDiskSweeper sharedRootDisks() {
        return sharedRootDisks;
    }

    private void meter() {
        try {
            budgets.check(); // meters the event log, then checks the budgets against it
        } catch (RuntimeException e) {
            LOG.warn("metering pass failed; retrying: {}", e.toString());
        }
    }

    public BillingService billing() {
        return billing;
    }

    public StoragePoolService storagePools() {
        return storagePools;
    }

    public ImageService images() {
        return images;
    }

    public ImageImporter imageImporter() {
        return imageImporter;
    }

    /** CreateImage and CopyImage. */
    public io.nubo.control.images.ImageCreation imageCreation() {
        return imageCreation;
    }

    public ImageCaptureController imageCaptures() {
        return imageCaptures;
    }

    public VolumeService volumes() {
        return volumes;
    }

    public VolumeController volumeController() {
        return volumeController;
    }

    public SnapshotService snapshots() {
        return snapshots;
    }

    public SnapshotController snapshotController() {
        return snapshotController;
    }

    public BudgetService budgets() {
        return budgets;
    }

    public QuotaService quotas() {
        return quotas;
    }

    public IdentityService identity() {
        return identity;
    }

    public CatalogService catalog() {
        return catalog;
    }

    /** Join tokens and host credentials: how remote agents become hosts. */
    public HostEnrollment enrollment() {
        return enrollment;
    }

    public ComputeService compute() {
        return compute;
    }

    public HostService hosts() {
        return hosts;
    }

    /** Live migrations (admin), their watchdog and host drains. */
    public MigrationService migrations() {
        return migrations;
    }

    /** HA: marks hosts whose lease is long gone down and restarts their HA instances elsewhere (runs with the lease check). */
    public HostFailover failover() {
        return failover;
    }

    /** Runs one drain pass now (tests; the periodic pass runs it every two seconds). */
    public HostDrain hostDrain() {
        return hostDrain;
    }

    public KeyPairService keyPairs() {
        return keyPairs;
    }

    public PlacementGroupService placementGroups() {
        return placementGroups;
    }

    public InstanceQueryService instanceQueries() {
        return instanceQueries;
    }

    public SecurityGroupService securityGroups() {
        return securityGroups;
    }

    public TagService tags() {
        return tags;
    }

    public NetworkService networks() {
        return networks;
    }

    public RegionService regions() {
        return regions;
    }

    public AgentGateway agents() {
        return agents;
    }

    public UserService users() {
        return users;
    }

    public RemoteConsoles remoteConsoles() {
        return remoteConsoles;
    }

    public ConsoleTicketService consoleTickets() {
        return consoleTickets;
    }

    public EventFeed eventFeed() {
        return eventFeed;
    }

    public OperatorQueries operatorQueries() {
        return operatorQueries;
    }

    @Override
    public void close() {
        running = false;
        imageImporter.close();
        imageCaptures.close();
        volumeController.close();
        snapshotController.close();
        compute.close();
        eventFeed.close();
        webhooks.close();
        periodic.shutdownNow();
        if (schedulerThread != null) {
            schedulerThread.interrupt();
            try {
                schedulerThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
